import { describe, expect, it } from 'vitest';
import { hostNameOf, isLoopbackAddress } from './client-address.js';

describe('isLoopbackAddress', () => {
  it('knows this machine’s loopback in its spellings, and nothing else', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost']) expect(isLoopbackAddress(address), address).toBe(true);
    for (const address of ['0.0.0.0', '::', '', '10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', 'example.com', '127.0.0.1.example.com', undefined]) expect(isLoopbackAddress(address), String(address)).toBe(false);
  });
});

describe('hostNameOf', () => {
  it('takes the port off a Host header in each of its forms', () => {
    expect(['localhost:8080', '127.0.0.1:80', '[::1]:8080', '[::1]', 'localhost', 'rebound.example:8080', undefined].map(hostNameOf)).toEqual(['localhost', '127.0.0.1', '[::1]', '[::1]', 'localhost', 'rebound.example', undefined]);
  });
});
