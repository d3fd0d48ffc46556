import { dirname } from 'node:path';
import { watch } from 'chokidar';
import { startServing, type ServeOptions } from './serve-command.js';

/** Edits come in bursts (an editor writes, renames, touches): one reload for the burst. */
const SETTLE_MS = 150;
/** Changes here are not the user's pipeline code. */
const IGNORED = /(^|[/\\])(node_modules|\.unfold|\.git|dist)([/\\]|$)|(^|[/\\])\.[^/\\]*$/;

/**
 * `unfold serve` that reloads the user's pipelines when a file beside their modules changes.
 * The server keeps running: connected clients stay connected and keep streaming, runs in
 * flight finish on the version they started with, and a module that no longer loads is
 * reported while the last good version keeps serving.
 */
export async function devCommand(options: ServeOptions): Promise<void> {
  const { server, url } = await startServing(options);
  const pipelines = server.context.userPipelines;
  if (pipelines.files.length === 0) {
    process.stderr.write(`unfold dev: no pipeline module to watch (name one with --pipelines, UNFOLD_PIPELINES or an unfold.config.ts); serving ${url}\n`);
    return;
  }
  const directories = [...new Set(pipelines.files.map(dirname))];
  let timer: NodeJS.Timeout | undefined;
  let reloading = Promise.resolve();
  const reload = (): void => {
    reloading = reloading.then(async () => {
      try {
        const names = await pipelines.reload();
        process.stderr.write(`unfold dev: reloaded ${names.join(', ')}\n`);
        server.app.log.info({ pipelines: names }, 'reloaded pipelines');
      } catch (error) {
        process.stderr.write(`unfold dev: ${(error as Error).message}; the last version keeps serving\n`);
      }
    });
  };
  // chokidar rather than fs.watch: Node 20's recursive watch on Linux attaches to subfolders
  // asynchronously and says nothing when done, so an edit made soon after the start was missed.
  const inProject = (path: string) => path.slice(directories.find((directory) => path.startsWith(directory))?.length ?? 0);
  const watcher = watch(directories, { ignored: (path) => IGNORED.test(inProject(path)), ignoreInitial: true });
  watcher.on('all', () => {
    clearTimeout(timer);
    timer = setTimeout(reload, SETTLE_MS);
  });
  // The HTTP server's own close: Fastify takes no hook once it listens, and startServing has listened.
  server.app.server.once('close', () => {
    clearTimeout(timer);
    void watcher.close();
  });
  await new Promise<void>((resolve) => watcher.once('ready', resolve));
  // Said once every folder is watched: an edit after this line is seen.
  process.stderr.write(`unfold dev: serving ${pipelines.names.join(', ')} at ${url}; watching ${directories.join(', ')}\n`);
}
