import { describe, expect, it } from 'vitest';
import { loggableUrl } from './loggable-url.js';

describe('loggableUrl', () => {
  it('replaces stream tokens under either name and keeps the rest of the query', () => {
    expect(loggableUrl('/v1/ws?access_token=eyJ.a.b&batch=1')).toBe('/v1/ws?access_token=[redacted]&batch=1');
    expect(loggableUrl('/v1/runs/r/events?after=3&token=eyJ.a.b')).toBe('/v1/runs/r/events?after=3&token=[redacted]');
    expect(loggableUrl('/v1/runs/r/events?TOKEN=x')).toBe('/v1/runs/r/events?TOKEN=[redacted]');
    expect(loggableUrl('/v1/runs?my_token=x')).toBe('/v1/runs?my_token=x');
  });

  it('replaces an API key given in the query (seed 003 routes)', () => {
    expect(loggableUrl('/stream/negotiate?api_key=secret&x=1')).toBe('/stream/negotiate?api_key=[redacted]&x=1');
  });

  it('cuts a long URL to 200 characters', () => {
    expect(loggableUrl(`/${'a'.repeat(300)}`)).toHaveLength(200);
  });
});
