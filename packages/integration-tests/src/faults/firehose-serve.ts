import { createUnfoldServer, loadConfig } from '@unfold/gateway';
import { firehosePipeline } from '../firehose-pipeline.js';

// A child-process entry (run from dist): the real server as `unfold serve` builds it, plus
// the firehose test pipeline, so a test can load it hard and read its memory alone.
const server = await createUnfoldServer({ config: loadConfig(), pipelines: [firehosePipeline] });
await server.listen(0, '127.0.0.1');
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
// Memory is read after a full collection, so it measures what the server holds, not
// garbage it has yet to collect (the parent starts this process with --expose-gc).
process.on('message', (message) => {
  if (message !== 'memory') return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send?.(process.memoryUsage());
});
