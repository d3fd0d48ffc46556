import {
  TRANSPORTS,
  UnfoldError,
  type CreateRunRequest,
  type CreateRunResponse,
  type ListRunsQuery,
  type NegotiateResponse,
  type PipelineContract,
  type PipelineList,
  type RunList,
  type RunResource,
  type TransportName,
} from '@unfold/protocol';
import { DEFAULT_RECONNECT, type ReconnectOptions } from './backoff.js';
import { requestJson, type HttpOptions } from './http-api.js';
import { RunStream, type AnyCustomEvents, type WatchOptions } from './run-stream.js';
import { watchRunsFeed, type RunsFeed, type RunsFeedHandlers } from './runs-feed.js';
import { longPollTransport } from './transports/long-poll-transport.js';
import { ndjsonTransport } from './transports/ndjson-transport.js';
import { sseTransport } from './transports/sse-transport.js';
import type { Transport } from './transports/transport.js';
import { websocketTransport, type WebSocketConstructor } from './transports/websocket-transport.js';

export interface ClientOptions {
  /** The server, e.g. `http://localhost:8080`; relative to the page in a browser if it starts with `/`. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Defaults to the global `WebSocket`; Node 20 users get `ws` from `@unfold/client/node`. */
  WebSocket?: WebSocketConstructor;
  /**
   * An API key (`unfold keys create`): sent as `X-API-Key` on HTTP requests; WebSockets and
   * event streams, where a browser cannot send it, use a stream token negotiated with it.
   */
  apiKey?: string;
  /**
   * Instead of `apiKey`: asked before each HTTP request, its answer sent as `Authorization:
   * Bearer <it>` — an API key, or a bearer credential the app renews. Streams run on stream
   * tokens negotiated with it, refreshed on live WebSockets before they expire.
   */
  getToken?: () => string | Promise<string>;
  headers?: Record<string, string>;
  /** Which transports to use, in order of preference (default: all, WebSocket first). */
  transports?: readonly TransportName[];
  /** Replace or add transports (each by its `name`). */
  customTransports?: readonly Transport[];
  reconnect?: Partial<ReconnectOptions>;
}

/**
 * The pipelines a client was typed with (`createClient<typeof pipelines>()`, the default
 * export of the user's pipeline module: one pipeline or an array of them), one by one.
 */
type ContractsOf<Pipelines> = Pipelines extends readonly (infer Contract)[] ? Contract : Pipelines;
type TypesOf<Contract> = Contract extends PipelineContract ? NonNullable<Contract['~types']> : never;
type Named<Pipelines, Name> = Extract<ContractsOf<Pipelines>, { readonly name: Name }>;

/** What `createRun` takes: any pipeline and input when untyped, a typed pipeline's name and its input when typed. */
export type RunRequest<Pipelines = never> = [Pipelines] extends [never]
  ? CreateRunRequest
  : ContractsOf<Pipelines> extends infer Contract
    ? Contract extends PipelineContract
      ? Omit<CreateRunRequest, 'pipeline' | 'input'> & { pipeline: Contract['name']; input: TypesOf<Contract>['input'] }
      : never
    : never;
/** The custom events of the pipeline a request names (any, when untyped). */
export type EventsOfRun<Pipelines, Name> = [Pipelines] extends [never] ? AnyCustomEvents : TypesOf<Named<Pipelines, Name>>['events'];
/** The result of the pipeline a request names (unknown, when untyped). */
export type ResultOfRun<Pipelines, Name> = [Pipelines] extends [never] ? unknown : TypesOf<Named<Pipelines, Name>>['result'];

export interface UnfoldClient<Pipelines = never> {
  createRun(request: RunRequest<Pipelines>): Promise<CreateRunResponse>;
  getRun(runId: string): Promise<RunResource>;
  listRuns(query?: ListRunsQuery): Promise<RunList>;
  cancelRun(runId: string): Promise<RunResource>;
  negotiate(runIds: string[]): Promise<NegotiateResponse>;
  /** Every pipeline the server runs, built-in and the user's, with its tools, input schema and custom events. */
  listPipelines(): Promise<PipelineList>;
  /** Follows a run (it may not exist yet) until its terminal event. */
  watch(runId: string, options?: WatchOptions): RunStream;
  /** Subscribes first, then starts the run, so not one event is missed; typed by the pipeline it names. */
  runAndWatch<const Request extends RunRequest<Pipelines>>(
    request: Request,
    options?: WatchOptions,
  ): RunStream<EventsOfRun<Pipelines, Request['pipeline']>, ResultOfRun<Pipelines, Request['pipeline']>>;
  /** Runs created and changing status, live, over the multiplexed WebSocket. */
  watchRuns(handlers: RunsFeedHandlers): RunsFeed;
}

function defaultTransports(options: ClientOptions): Transport[] {
  const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const builtIn: Transport[] = [...(WebSocketImpl ? [websocketTransport(WebSocketImpl)] : []), sseTransport, ndjsonTransport, longPollTransport];
  const byName = new Map(builtIn.map((transport) => [transport.name, transport]));
  for (const transport of options.customTransports ?? []) byName.set(transport.name, transport);
  return (options.transports ?? TRANSPORTS).flatMap((name) => byName.get(name) ?? []);
}

/**
 * A client of one Unfold server. Typed with the server's pipelines
 * (`createClient<typeof pipelines>(…)`), it checks each run's input and types its result
 * and custom events; the types are read off the pipeline module and nothing of it is loaded.
 */
export function createClient<Pipelines = never>(options: ClientOptions): UnfoldClient<Pipelines> {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  if (options.apiKey !== undefined && options.getToken !== undefined) throw new UnfoldError('invalid_input', 'pass apiKey or getToken, not both');
  const headers = { ...options.headers, ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}) };
  const http: HttpOptions = { baseUrl: options.baseUrl, fetch: fetchImpl, headers, credential: options.getToken };
  const transports = defaultTransports(options);
  const reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
  const path = (runId: string) => `v1/runs/${encodeURIComponent(runId)}`;

  const client: UnfoldClient = {
    createRun: (request) => requestJson(http, 'POST', 'v1/runs', request),
    getRun: (runId) => requestJson(http, 'GET', path(runId)),
    listRuns: (query = {}) => {
      const search = new URLSearchParams(Object.entries(query).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])));
      return requestJson(http, 'GET', `v1/runs${search.size ? `?${search}` : ''}`);
    },
    cancelRun: (runId) => requestJson(http, 'POST', `${path(runId)}/cancel`, {}),
    negotiate: (runIds) => requestJson(http, 'POST', 'v1/negotiate', { run_ids: runIds }),
    listPipelines: () => requestJson(http, 'GET', 'v1/pipelines'),
    watch: (runId, watchOptions) =>
      new RunStream(runId, { baseUrl: options.baseUrl, fetch: fetchImpl, headers, transports, reconnect, negotiate: client.negotiate }, watchOptions),
    watchRuns(handlers) {
      const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (!WebSocketImpl) throw new UnfoldError('invalid_input', 'watchRuns needs a WebSocket implementation (pass ws from @unfold/client/node in Node)');
      // Run streams negotiate per connection already; the feed does once a credential is in play.
      const negotiate = options.apiKey || options.getToken ? () => client.negotiate([]) : undefined;
      return watchRunsFeed({ baseUrl: options.baseUrl, WebSocket: WebSocketImpl, reconnect, ...(negotiate ? { negotiate } : {}) }, handlers);
    },
    runAndWatch(request, watchOptions) {
      const runId = request.run_id ?? globalThis.crypto.randomUUID();
      const stream = client.watch(runId, watchOptions);
      client.createRun({ ...request, run_id: runId }).catch((error: unknown) => {
        stream.fail(UnfoldError.isInstance(error) ? error : new UnfoldError('internal_error', String(error)));
      });
      return stream as never;
    },
  };
  // The types a typed client adds exist at compile time only; at run time it is this client.
  return client as UnfoldClient<Pipelines>;
}
