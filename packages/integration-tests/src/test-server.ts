import { afterAll, beforeAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUnfoldServer, loadConfig, type UnfoldServer } from '@unfold/gateway';
import type { AnyPipeline } from '@unfold/engine';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { firehosePipeline } from './firehose-pipeline.js';

export interface TestServer {
  url: string;
  wsUrl: string;
  dataDir: string;
  server: UnfoldServer;
  /** Closes the server; the data directory stays until `cleanup`. */
  close(): Promise<void>;
  /** Closes the server and deletes its data directory. */
  cleanup(): Promise<void>;
}

/**
 * The real server on an ephemeral port with a real SQLite file in a fresh directory, as a
 * user would run it, plus a test pipeline that emits many events fast.
 */
export async function startTestServer(env: Record<string, string> = {}, options: { dataDir?: string; pipelines?: AnyPipeline[]; spanExporter?: SpanExporter; webRoot?: string; logStream?: NodeJS.WritableStream } = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'unfold-it-')));
  // With a span exporter every trace is kept unless the test says otherwise.
  const sampling = options.spanExporter ? { OTEL_TRACES_SAMPLER_ARG: '1' } : {};
  const config = loadConfig({ LOG_LEVEL: 'warn', UNFOLD_SHUTDOWN_GRACE_S: '0', ...sampling, ...env, UNFOLD_DATA_DIR: dataDir });
  const server = await createUnfoldServer({ config, pipelines: [firehosePipeline, ...(options.pipelines ?? [])], ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}), ...(options.webRoot ? { webRoot: options.webRoot } : {}), ...(options.logStream ? { logStream: options.logStream } : {}) });
  const url = await server.listen(0, '127.0.0.1');
  const close = () => server.close();
  return {
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    dataDir,
    server,
    close,
    async cleanup() {
      await close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** One server per suite: started before its tests, cleaned up after. */
export function useTestServer(env: Record<string, string> = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(env);
  });
  afterAll(async () => server?.cleanup());
  return () => {
    if (!server) throw new Error('the test server has not started');
    return server;
  };
}
