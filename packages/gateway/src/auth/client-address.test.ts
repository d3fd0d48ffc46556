import { describe, expect, it } from 'vitest';
import { isLoopbackAddress } from './client-address.js';

describe('isLoopbackAddress', () => {
  it('knows this machine’s loopback in its spellings, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['0.0.0.0', '::', '', '10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', 'example.com', '127.0.0.1.example.com', undefined]) expect(isLoopbackAddress(address), String(address)).toBe(false);
  });
});
