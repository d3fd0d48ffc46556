export * from './events.js';
export * from './stream-control.js';
export * from './error-codes.js';
export * from './unfold-error.js';
export * from './run-status.js';
export * from './runs-api.js';
export * from './wire.js';
export * from './pipelines-api.js';
