import type { LocalRunner, PipelineRegistry, RunService, Store } from '@unfold/engine';
import type { StreamTokens } from './auth/stream-tokens.js';
import type { UnfoldConfig } from './config.js';
import type { StreamCounters } from './streaming/stream-observer.js';

/** What every route needs, built once at start and handed to each route module. */
export interface GatewayContext {
  config: UnfoldConfig;
  store: Store;
  registry: PipelineRegistry;
  runner: LocalRunner;
  runs: RunService;
  tokens: StreamTokens;
  streams: StreamCounters;
  /** The pipeline and input the seed route `POST /api/label-receipt/:id` starts for a request body. */
  seedReceipt(body: unknown): { pipeline: string; input: Record<string, unknown> };
}
