import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerParent } from './child-process.js';

/**
 * Child process: a local OTLP/HTTP collector that takes every export and drops it, so
 * the traced servers pay the real cost of batching, encoding and sending their spans.
 */
let exports = 0;
let bytes = 0;
const server = createServer((request, response) => {
  request.on('data', (chunk: Buffer) => (bytes += chunk.length));
  request.on('end', () => {
    exports++;
    response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
answerParent({ stats: () => ({ exports, bytes }) });
process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
