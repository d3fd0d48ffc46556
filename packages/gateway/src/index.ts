export * from './config.js';
export * from './unfold-server.js';
export { importUserModule, SHARED_MODULE_NAMES } from './pipelines/pipeline-modules.js';
export type { GatewayContext } from './gateway-context.js';
export type { StreamObserver, StreamStats, StreamTransport } from './streaming/stream-observer.js';
export { UnfoldMetrics } from './telemetry/metrics.js';
