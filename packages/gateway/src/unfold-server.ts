import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import {
  LocalRunner,
  PipelineRegistry,
  RunService,
  createMemoryStore,
  createSqliteStore,
  demoPipeline,
  lockDataDir,
  safeHooks,
  type EngineHooks,
  type AnyPipeline,
  type Store,
} from '@unfold/engine';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import {
  createEmailPipeline,
  createPostgresSink,
  createReceiptPipeline,
  createSqliteSink,
  createZohoSink,
  modelExtractor,
  type EmailPipelineOptions,
  type ReceiptPipelineOptions,
} from '@unfold/pipelines';
import { UnfoldError } from '@unfold/protocol';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { AccessPolicy } from './auth/access-policy.js';
import { auditUrlRefusal } from './auth/audit.js';
import { KeyRing } from './auth/key-ring.js';
import { OpenConnections } from './auth/open-connections.js';
import { installPrincipalLayer } from './auth/principal-layer.js';
import { StreamTokens } from './auth/stream-tokens.js';
import { dataDirTokenSecret, generateTokenSecret } from './auth/token-secret.js';
import { loadConfig, type UnfoldConfig } from './config.js';
import type { GatewayContext } from './gateway-context.js';
import { installErrorHandling } from './http/error-handler.js';
import { KeyLimits } from './limits/key-limits.js';
import { installJsonBodyParser } from './http/json-body-parser.js';
import { errorContractOptions } from './http/server-options.js';
import { installUpgradeRequired } from './http/upgrade-required.js';
import { websocketErrorHandler } from './http/websocket-error-handler.js';
import { buildOpenApiDocument } from './openapi.js';
import { installOriginCheck, isOriginAllowed } from './origin-policy.js';
import { registerEventRoutes } from './routes/events-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerNegotiateRoutes } from './routes/negotiate-routes.js';
import { registerRunRoutes } from './routes/runs-routes.js';
import { registerSeedEmailRoutes } from './routes/seed-email-routes.js';
import { registerSeedReceiptRoutes } from './routes/seed-receipt-routes.js';
import { registerWebRoutes } from './routes/web-routes.js';
import { registerWebSocketRoutes } from './routes/websocket-routes.js';
import { RunFeed } from './streaming/run-feed.js';
import { loadPipelineModules, pipelineModulePaths } from './pipelines/pipeline-modules.js';
import { UserPipelines } from './pipelines/user-pipelines.js';
import { StreamCounters } from './streaming/stream-observer.js';
import { installHttpTracing } from './telemetry/http-tracing.js';
import { UnfoldMetrics } from './telemetry/metrics.js';
import { runLog } from './telemetry/run-log.js';
import { startTracing } from './telemetry/tracing.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

/** How long a WebSocket gets to answer the server's 1001 close when it shuts down. */
const SHUTDOWN_CLOSE_HANDSHAKE_MS = 1_000;

export const VERSION = '0.1.0';

export interface UnfoldServerOptions {
  /** Defaults to `loadConfig()` (the environment). */
  config?: UnfoldConfig;
  /** Pipelines beside the built-in `demo`, `receipt` and `email`. */
  pipelines?: AnyPipeline[];
  /** Defaults to the store the configuration names. */
  store?: Store;
  hooks?: EngineHooks[];
  seedReceipt?: GatewayContext['seedReceipt'];
  /** Where the JSON log goes (default standard output); the CLI's embedded server logs to standard error. */
  logStream?: NodeJS.WritableStream;
  /** Spans go here, each as it ends, instead of an OTLP collector (tests); sampling is still OTEL_TRACES_SAMPLER_ARG's. */
  spanExporter?: SpanExporter;
  /** The web app's build (`@unfold/web`'s `dist`), served at `/`. */
  webRoot?: string;
  /**
   * Whether `listen` records the URL beside the data directory's lock, so `unfold run` sends
   * its runs here (default true; false for the CLI's embedded server, which ends with its run).
   */
  advertise?: boolean;
}

export interface UnfoldServer {
  readonly app: FastifyInstance;
  readonly context: GatewayContext;
  /** Listens; resolves with the base URL (`http://host:port`). */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops taking connections, lets runs finish within the grace period, closes the store. */
  close(): Promise<void>;
}

/**
 * Seed 000's request carries an image reference. With receipt content (an image as
 * base64 or an http(s) URL, OCR words, SROIE boxes) the receipt pipeline runs on it; the
 * seed's own example (`s3://…`, which cannot be fetched here) shows the demo pipeline.
 */
function seedReceiptRun(body: unknown): { pipeline: string; input: Record<string, unknown> } {
  const request = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const imageUrl = typeof request['image_url'] === 'string' && /^https?:\/\//i.test(request['image_url']) ? request['image_url'] : undefined;
  if (imageUrl) return { pipeline: 'receipt', input: { image_url: imageUrl } };
  for (const key of ['words', 'sroie_boxes', 'image_base64']) if (key in request) return { pipeline: 'receipt', input: { [key]: request[key] } };
  return { pipeline: 'demo', input: {} };
}

/** How the receipt pipeline may fetch a caller's `image_url`, as the configuration says; each refusal is audited. */
function receiptOptionsFor(config: UnfoldConfig, log: FastifyBaseLogger): ReceiptPipelineOptions {
  return { ocrEngine: config.UNFOLD_OCR_ENGINE, fetch: { allowPrivate: config.UNFOLD_FETCH_ALLOW_PRIVATE, allowedHosts: config.UNFOLD_FETCH_ALLOWED_HOSTS, onRefused: auditUrlRefusal(log) } };
}

/** The email pipeline's sink and extractor, as the configuration names them. */
function emailOptionsFor(config: UnfoldConfig): EmailPipelineOptions {
  const options: EmailPipelineOptions = {};
  if (config.UNFOLD_EMAIL_SINK === 'sqlite') options.sink = createSqliteSink({ path: config.recordsPath });
  if (config.UNFOLD_EMAIL_SINK === 'postgres' && config.UNFOLD_POSTGRES_URL) options.sink = createPostgresSink({ connectionString: config.UNFOLD_POSTGRES_URL });
  if (config.UNFOLD_EMAIL_SINK === 'zoho' && config.ZOHO_CLIENT_ID && config.ZOHO_CLIENT_SECRET && config.ZOHO_REFRESH_TOKEN) {
    options.sink = createZohoSink({
      clientId: config.ZOHO_CLIENT_ID,
      clientSecret: config.ZOHO_CLIENT_SECRET,
      refreshToken: config.ZOHO_REFRESH_TOKEN,
      accountsUrl: config.ZOHO_ACCOUNTS_URL,
      ledgerPath: config.recordsPath.replace(/records\.sqlite$/, 'zoho-ledger.sqlite'),
    });
  }
  if (config.UNFOLD_EMAIL_EXTRACTOR === 'model' && config.UNFOLD_MODEL_BASE_URL && config.UNFOLD_MODEL_NAME) {
    const provider = createOpenAICompatible({
      name: 'model',
      baseURL: config.UNFOLD_MODEL_BASE_URL,
      ...(config.UNFOLD_MODEL_API_KEY ? { apiKey: config.UNFOLD_MODEL_API_KEY } : {}),
      supportsStructuredOutputs: true,
    });
    options.extractor = modelExtractor(provider(config.UNFOLD_MODEL_NAME));
  }
  return options;
}

/**
 * The secret stream tokens are signed with: configured, else the data directory's when this
 * server owns one (so tokens survive a restart), else (UNFOLD_STORE=memory, nothing kept on
 * disk) this process's own.
 */
async function tokenSecret(config: UnfoldConfig, ownedDataDir: string | undefined): Promise<string> {
  if (config.UNFOLD_TOKEN_SECRET !== undefined) return config.UNFOLD_TOKEN_SECRET;
  return ownedDataDir === undefined ? generateTokenSecret() : dataDirTokenSecret(ownedDataDir);
}

function openStore(config: UnfoldConfig): Store {
  return config.UNFOLD_STORE === 'memory' ? createMemoryStore() : createSqliteStore({ path: config.sqlitePath });
}

export async function createUnfoldServer(options: UnfoldServerOptions = {}): Promise<UnfoldServer> {
  const config = options.config ?? loadConfig();
  const tracing = await startTracing({
    serviceName: config.OTEL_SERVICE_NAME,
    serviceVersion: VERSION,
    ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlp: { endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT, protocol: config.OTEL_EXPORTER_OTLP_PROTOCOL } } : {}),
    ...(options.spanExporter ? { exporter: options.spanExporter } : {}),
  });
  const app = Fastify({
    logger: { level: config.LOG_LEVEL, ...(options.logStream ? { stream: options.logStream } : {}) },
    // Streams are long-lived and numerous: log outcomes of interest, not every request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.UNFOLD_BODY_LIMIT_BYTES,
    forceCloseConnections: true,
    // Fastify's own 503 while closing has no `code`: the hook below answers it instead.
    return503OnClosing: false,
    ...errorContractOptions,
  });
  // The user's modules are imported before anything is held: one that fails stops the start with nothing to release.
  const moduleFiles = pipelineModulePaths(config.UNFOLD_PIPELINES, process.cwd());
  const userModules = await loadPipelineModules(moduleFiles);
  // The SQLite file has one owner: a second server (or CLI run) on it stops here, named.
  // Before any pipeline is made: the email pipeline's record sink opens a file in the directory.
  const lock = options.store || config.UNFOLD_STORE !== 'sqlite' ? undefined : await lockDataDir(config.UNFOLD_DATA_DIR, (error) => app.log.error({ err: error }, 'lost the data directory lock'));
  const store = options.store ?? openStore(config);
  const registry = new PipelineRegistry([demoPipeline, createReceiptPipeline(receiptOptionsFor(config, app.log)), createEmailPipeline(emailOptionsFor(config)), ...(options.pipelines ?? [])]);
  const userPipelines = new UserPipelines(registry, moduleFiles);
  await userPipelines.install(userModules).catch(async (error: unknown) => {
    // A name already taken: what this start took is given back before it says so.
    await registry.close();
    if (!options.store) await store.close();
    await lock?.release();
    throw error;
  });
  if (moduleFiles.length > 0) app.log.info({ modules: moduleFiles, pipelines: userPipelines.names }, 'loaded pipelines');
  const metrics = config.UNFOLD_METRICS === 'on' ? new UnfoldMetrics({ pipelines: registry.list() }) : undefined;
  const feed = new RunFeed();
  const runner = new LocalRunner({ store, registry, concurrency: config.UNFOLD_CONCURRENCY, hooks: safeHooks([...(metrics ? [metrics] : []), feed, runLog(app.log), ...(options.hooks ?? [])]) });
  metrics?.observeQueue(() => runner.queuedCount);
  const streams = new StreamCounters(metrics && ((event, transport) => metrics.delivered(event, transport)));
  metrics?.observeStreams(streams);
  const limits = new KeyLimits({
    runsPerMinute: config.UNFOLD_LIMIT_RUNS_PER_MINUTE,
    connections: config.UNFOLD_LIMIT_CONNECTIONS,
  });
  const connections = new OpenConnections(limits);
  const keys = new KeyRing(store.keys, config.UNFOLD_API_KEYS, app.log, {
    revoked: (keyId) => connections.revoke(keyId),
    // Unset UNFOLD_AUTH means keys once one exists: what was let in as local no longer is.
    firstKey: () => config.UNFOLD_AUTH === undefined && connections.closeLocal(),
  });
  await keys.start();
  const policy = new AccessPolicy(config.UNFOLD_AUTH, keys);
  const context: GatewayContext = {
    config,
    store,
    registry,
    runner,
    runs: new RunService(store, registry, runner, (run) => feed.created(run)),
    feed,
    tokens: new StreamTokens({ current: await tokenSecret(config, lock && config.UNFOLD_DATA_DIR), previous: config.UNFOLD_TOKEN_SECRET_PREVIOUS }, config.UNFOLD_TOKEN_TTL_S),
    connections,
    limits,
    streams,
    metrics,
    seedReceipt: options.seedReceipt ?? seedReceiptRun,
    userPipelines,
  };

  // Without an SDK every span would be a no-op: no hook on every request for nothing.
  if (tracing) installHttpTracing(app, { sampleRatio: config.OTEL_TRACES_SAMPLER_ARG });
  installErrorHandling(app);
  // Once the HTTP server closes, a request still arriving on a kept-alive connection is refused, coded.
  let refusing = false;
  app.addHook('onRequest', (_request, _reply, done) => done(refusing ? new UnfoldError('server_busy', 'the server is shutting down; retry once it is back') : undefined));
  installJsonBodyParser(app);
  installUpgradeRequired(app);
  // Bodies are JSON; any other type is refused with 415 rather than parsed as a string.
  app.removeContentTypeParser(['text/plain']);
  await app.register(cors, {
    // A preflight from a foreign origin gets no Access-Control-Allow-Origin: the browser stops there.
    origin: (origin, callback) => callback(null, origin === undefined || isOriginAllowed(origin, undefined, config.UNFOLD_ALLOWED_ORIGINS)),
    exposedHeaders: ['location', 'x-unfold-epoch'],
  });
  await app.register(websocket, { errorHandler: websocketErrorHandler, options: { maxPayload: config.UNFOLD_MAX_WS_MESSAGE_BYTES } });
  installOriginCheck(app, config.UNFOLD_ALLOWED_ORIGINS);
  // After CORS (a preflight is answered before it) and the WebSocket plugin (which marks upgrades).
  const refreshPrincipal = installPrincipalLayer(app, { policy, keys, tokens: context.tokens });

  // Built per request: `unfold dev` may have reloaded the pipelines it describes.
  app.get('/v1/openapi.json', async () => buildOpenApiDocument(VERSION, registry.list()));
  registerHealthRoutes(app, context);
  registerRunRoutes(app, context);
  registerEventRoutes(app, context);
  registerWebSocketRoutes(app, context, refreshPrincipal);
  registerNegotiateRoutes(app, context);
  registerSeedReceiptRoutes(app, context);
  registerSeedEmailRoutes(app, context);
  await registerWebRoutes(app, options.webRoot);
  if (config.UNFOLD_AUTH === 'none') app.log.warn('UNFOLD_AUTH=none: every route is open to anyone who can reach this server');
  else if (!keys.hasKeys) app.log.warn('no API key exists: only clients on this machine are served until one is created (unfold keys create --tenant <name>)');

  const interrupted = await runner.recoverInterrupted();
  if (interrupted > 0) app.log.warn({ runs: interrupted }, 'ended runs interrupted by the previous stop');
  const retention = setInterval(() => {
    store
      .applyRetention({ maxAgeMs: config.UNFOLD_RETENTION_MAX_AGE_HOURS * 3_600_000, maxRuns: config.UNFOLD_RETENTION_MAX_RUNS })
      .then((deleted) => deleted.length > 0 && app.log.info({ runs: deleted.length }, 'retention deleted runs'))
      .catch((error: unknown) => app.log.error({ err: error }, 'retention sweep failed'));
  }, config.UNFOLD_RETENTION_SWEEP_MS);
  retention.unref();

  let closing: Promise<void> | undefined;
  return {
    app,
    context,
    async listen(port = config.PORT, host = config.HOST) {
      policy.assertBindAllowed(host);
      const address = (await app.listen({ port, host })).replace('[::1]', 'localhost');
      if (options.advertise !== false) await lock?.setUrl(address);
      return address;
    },
    close() {
      closing ??= (async () => {
        clearInterval(retention);
        keys.stop();
        await runner.close(config.UNFOLD_SHUTDOWN_GRACE_S * 1000);
        await registry.close();
        const sockets = [...(app.websocketServer?.clients ?? [])];
        for (const client of sockets) client.close(1001, 'server shutting down');
        // A client that stopped reading never answers the closing handshake, and ws would
        // hold the shutdown for its own 30 s close timeout: such sockets are dropped.
        const hung = setTimeout(() => sockets.forEach((client) => client.terminate()), SHUTDOWN_CLOSE_HANDSHAKE_MS);
        refusing = true;
        await app.close();
        clearTimeout(hung);
        await store.close();
        await lock?.release();
        await tracing?.shutdown();
      })();
      return closing;
    },
  };
}
