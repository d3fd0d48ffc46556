import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('works with an empty environment and puts the SQLite file under the data directory', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.UNFOLD_STORE).toBe('sqlite');
    expect(config.sqlitePath.endsWith('.unfold/unfold.sqlite')).toBe(true);
  });

  it('reads PORT and UNFOLD_DATA_DIR from the environment', () => {
    const config = loadConfig({ PORT: '9123', UNFOLD_DATA_DIR: '/tmp/unfold-data' });
    expect(config.PORT).toBe(9123);
    expect(config.sqlitePath).toBe('/tmp/unfold-data/unfold.sqlite');
  });

  it('names every bad variable and its value', () => {
    expect(() => loadConfig({ PORT: 'eighty', UNFOLD_STORE: 'mongo' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', UNFOLD_STORE: 'mongo' });
    } catch (error) {
      expect((error as Error).message).toContain('PORT="eighty"');
      expect((error as Error).message).toContain('UNFOLD_STORE="mongo"');
    }
  });

  it('leaves UNFOLD_AUTH unset by default (keys once one exists) and names a bad value', () => {
    expect(loadConfig({}).UNFOLD_AUTH).toBeUndefined();
    expect(loadConfig({ UNFOLD_AUTH: 'none' }).UNFOLD_AUTH).toBe('none');
    expect(loadConfig({}).UNFOLD_METRICS_AUTH).toBe('open');
    expect(() => loadConfig({ UNFOLD_AUTH: 'off' })).toThrow(/UNFOLD_AUTH="off"/);
    expect(() => loadConfig({ UNFOLD_METRICS_AUTH: 'closed' })).toThrow(/UNFOLD_METRICS_AUTH="closed"/);
  });

  it('splits the allowed origins, read from UNFOLD_CORS_ORIGINS when UNFOLD_ALLOWED_ORIGINS is unset', () => {
    expect(loadConfig({ UNFOLD_ALLOWED_ORIGINS: 'https://a.example, https://b.example' }).UNFOLD_ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(loadConfig({ UNFOLD_CORS_ORIGINS: 'https://old.example' }).UNFOLD_ALLOWED_ORIGINS).toEqual(['https://old.example']);
    expect(loadConfig({ UNFOLD_ALLOWED_ORIGINS: 'https://new.example', UNFOLD_CORS_ORIGINS: 'https://old.example' }).UNFOLD_ALLOWED_ORIGINS).toEqual(['https://new.example']);
    expect(loadConfig({}).UNFOLD_ALLOWED_ORIGINS).toEqual([]);
  });

  it('gives stream tokens 10 minutes, and takes secrets of at least 32 characters', () => {
    expect(loadConfig({}).UNFOLD_TOKEN_TTL_S).toBe(600);
    expect(() => loadConfig({ UNFOLD_TOKEN_TTL_S: '1' })).toThrow(/UNFOLD_TOKEN_TTL_S="1"/);
    // A secret too short is named, never repeated.
    expect(() => loadConfig({ UNFOLD_TOKEN_SECRET_PREVIOUS: 'short' })).toThrow('UNFOLD_TOKEN_SECRET_PREVIOUS=<hidden>: must be at least 32 characters');
  });

  it('fetches callers\' URLs from public addresses only unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ UNFOLD_FETCH_ALLOW_PRIVATE: false, UNFOLD_FETCH_ALLOWED_HOSTS: [] });
    expect(loadConfig({ UNFOLD_FETCH_ALLOW_PRIVATE: 'true' }).UNFOLD_FETCH_ALLOW_PRIVATE).toBe(true);
    expect(loadConfig({ UNFOLD_FETCH_ALLOW_PRIVATE: 'false' }).UNFOLD_FETCH_ALLOW_PRIVATE).toBe(false);
    expect(() => loadConfig({ UNFOLD_FETCH_ALLOW_PRIVATE: 'sure' })).toThrow(/UNFOLD_FETCH_ALLOW_PRIVATE="sure"/);
    expect(loadConfig({ UNFOLD_FETCH_ALLOWED_HOSTS: 'images.internal, Store.Local' }).UNFOLD_FETCH_ALLOWED_HOSTS).toEqual(['images.internal', 'Store.Local']);
  });
});
