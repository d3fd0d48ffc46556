import type { LocalRunner, PipelineRegistry, RunService, Store } from '@unfold/engine';
import type { OpenConnections } from './auth/open-connections.js';
import type { StreamTokens } from './auth/stream-tokens.js';
import type { KeyLimits } from './limits/key-limits.js';
import type { UnfoldConfig } from './config.js';
import type { UserPipelines } from './pipelines/user-pipelines.js';
import type { RunFeed } from './streaming/run-feed.js';
import type { StreamCounters } from './streaming/stream-observer.js';
import type { UnfoldMetrics } from './telemetry/metrics.js';

/** What every route needs, built once at start and handed to each route module. */
export interface GatewayContext {
  config: UnfoldConfig;
  store: Store;
  registry: PipelineRegistry;
  runner: LocalRunner;
  runs: RunService;
  tokens: StreamTokens;
  /** Streaming connections per API key, closed when their key is revoked. */
  connections: OpenConnections;
  /** Runs a minute and open streaming connections, per API key. */
  limits: KeyLimits;
  /** What the streaming layer reports to: connection and delivery counts by transport. */
  streams: StreamCounters;
  /** Runs created and changing status, for `watch_runs` sockets. */
  feed: RunFeed;
  /** Undefined when UNFOLD_METRICS is off. */
  metrics: UnfoldMetrics | undefined;
  /** The pipeline and input the seed route `POST /api/label-receipt/:id` starts for a request body. */
  seedReceipt(body: unknown): { pipeline: string; input: Record<string, unknown> };
  /** The pipelines loaded from the user's modules; `unfold dev` reloads them. */
  userPipelines: UserPipelines;
}
