import { DEFAULT_TENANT } from '@unfold/engine';
import { createUnfoldServer, loadConfig, type UnfoldConfig, type UnfoldServer } from '@unfold/gateway';
import { webRoot } from '@unfold/web';

export interface ServeOptions {
  port?: number;
  host?: string;
  demo?: boolean;
  /** Modules of the user's pipelines; given, they replace UNFOLD_PIPELINES. */
  pipelines?: string[];
}

/** The configuration from the environment, with the command line's pipeline modules in place of UNFOLD_PIPELINES. */
export function configFor(options: { pipelines?: string[] | undefined }): UnfoldConfig {
  return loadConfig(process.env, options.pipelines?.length ? { UNFOLD_PIPELINES: options.pipelines } : {});
}

/** Starts the server, stops it on SIGINT and SIGTERM, and resolves once it listens. */
export async function startServing(options: ServeOptions): Promise<{ server: UnfoldServer; url: string; config: UnfoldConfig }> {
  const config = configFor(options);
  const server = await createUnfoldServer({ config, webRoot });
  const stop = (signal: string): void => {
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Before listening: a client may connect, and an orchestrator signal, the moment the
  // port is open (the listening line is logged before listen() resolves).
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A refused listen (the address is taken, or non-loopback with no key) releases the data directory before the CLI exits.
  const url = await server.listen(options.port ?? config.PORT, options.host ?? config.HOST).catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  return { server, url, config };
}

export async function serveCommand(options: ServeOptions): Promise<void> {
  const { server, url, config } = await startServing(options);
  const loaded = server.context.userPipelines.names;
  if (loaded.length > 0) process.stderr.write(`Serving your pipelines ${loaded.join(', ')} beside demo, receipt and email at ${url}\n`);
  if (!options.demo) return;
  // The demo run is the local user's, whose tenant is the default one.
  const run = await server.context.runs.create({ pipeline: 'demo', input: {} }, { tenant: DEFAULT_TENANT });
  process.stderr.write(
    [
      '',
      `Unfold is listening on ${url}  (store: ${server.context.store.kind}${config.UNFOLD_STORE === 'sqlite' ? ` at ${config.sqlitePath}` : ''})`,
      `Open ${url}/ in a browser: drop a receipt photo or paste an email, and watch it unfold.`,
      `A demo run has started: ${url}/runs/${run.run_id}`,
      `  watch it:      curl -N -H 'Accept: text/event-stream' ${url}/v1/runs/${run.run_id}/events`,
      `  start another: curl -X POST ${url}/v1/runs -H 'content-type: application/json' -d '{"pipeline":"demo","input":{}}'`,
      `  or from a shell: npx unfold run demo --server ${url}`,
      '',
    ].join('\n'),
  );
}
