import { createUnfoldServer, loadConfig } from '@unfold/gateway';
import { webRoot } from '@unfold/web';
import { burstPipeline } from './burst-pipeline.js';
import { answerParent } from './child-process.js';

// Child process: the real Unfold server as `unfold serve` runs it (web app included), plus the burst pipeline.
const server = await createUnfoldServer({ config: loadConfig(process.env), pipelines: [burstPipeline], webRoot });
const url = await server.listen(0, '127.0.0.1');
answerParent({ cpu: () => ({ ...process.cpuUsage() }) });
process.send?.({ url });
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
