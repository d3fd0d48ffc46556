import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
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
  process.stderr.write(`unfold dev: serving ${pipelines.names.join(', ')} at ${url}; watching ${[...new Set(pipelines.files.map(dirname))].join(', ')}\n`);
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
  const watchers: FSWatcher[] = [...new Set(pipelines.files.map(dirname))].map((directory) =>
    watch(directory, { recursive: true }, (_event, file) => {
      if (file !== null && IGNORED.test(file)) return;
      clearTimeout(timer);
      timer = setTimeout(reload, SETTLE_MS);
    }),
  );
  // The HTTP server's own close: Fastify takes no hook once it listens, and startServing has listened.
  server.app.server.once('close', () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  });
}
