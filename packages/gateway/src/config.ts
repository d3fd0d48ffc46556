import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const secret = z.string().min(32, 'must be at least 32 characters');

/**
 * Every setting, read from the environment with a default that works on a fresh machine.
 * Names are the environment variables, so a validation message names the variable to fix.
 */
const configSchema = z.object({
  PORT: integer(0, 65_535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  UNFOLD_DATA_DIR: z.string().min(1).default('.unfold'),
  /**
   * Modules of the user's pipelines, comma-separated (`unfold serve --pipelines` adds to it):
   * TypeScript or JavaScript, each exporting a pipeline or an array of them by default. Unset,
   * an `unfold.config.ts` (or .mts, .js, .mjs) in the working directory is loaded if there is one.
   */
  UNFOLD_PIPELINES: z
    .string()
    .transform((value) => value.split(',').map((path) => path.trim()).filter(Boolean))
    .or(z.array(z.string().min(1)))
    .default([]),
  /** `sqlite` (default, one file in UNFOLD_DATA_DIR) or `memory` (nothing survives a restart). */
  UNFOLD_STORE: z.enum(['sqlite', 'memory']).default('sqlite'),
  /** Runs executing at once in this process. */
  UNFOLD_CONCURRENCY: integer(1, 10_000).default(Math.max(4, cpus().length * 4)),
  /** Request body limit; base64 receipt images need room (a 20 MiB image is 27 MiB of base64). */
  UNFOLD_BODY_LIMIT_BYTES: integer(1_024, 512 * 1024 * 1024).default(32 * 1024 * 1024),
  /** Per-connection send buffer; a consumer that falls further behind is cut off. */
  UNFOLD_SEND_BUFFER_BYTES: integer(1_024, 256 * 1024 * 1024).default(1024 * 1024),
  UNFOLD_MAX_SUBSCRIPTIONS: integer(1, 100_000).default(100),
  UNFOLD_MAX_WS_MESSAGE_BYTES: integer(256, 16 * 1024 * 1024).default(64 * 1024),
  UNFOLD_HEARTBEAT_MS: integer(100, 600_000).default(15_000),
  UNFOLD_LONG_POLL_MAX_WAIT_S: integer(0, 300).default(30),
  UNFOLD_RETENTION_MAX_AGE_HOURS: z.coerce.number().positive().max(24 * 365 * 10).default(24 * 7),
  UNFOLD_RETENTION_MAX_RUNS: integer(1, 100_000_000).default(100_000),
  UNFOLD_RETENTION_SWEEP_MS: integer(1_000, 86_400_000).default(60_000),
  /**
   * Signs stream tokens; set the same value on every node of a cluster. Unset: generated once
   * and kept in UNFOLD_DATA_DIR/token-secret (random per process with UNFOLD_STORE=memory).
   */
  UNFOLD_TOKEN_SECRET: secret.optional(),
  /** The secret before a rotation: tokens it signed still verify until they expire; new ones are signed with UNFOLD_TOKEN_SECRET. */
  UNFOLD_TOKEN_SECRET_PREVIOUS: secret.optional(),
  /** Stream token lifetime; the low minimum is for tests of expiry and refresh. */
  UNFOLD_TOKEN_TTL_S: integer(2, 86_400).default(600),
  /** Comma-separated origins allowed for CORS and WebSocket `Origin`; `*` allows any. Empty: same origin only. */
  UNFOLD_ALLOWED_ORIGINS: list.optional(),
  /** The first name of UNFOLD_ALLOWED_ORIGINS, read when that is unset. */
  UNFOLD_CORS_ORIGINS: list.optional(),
  /**
   * `true`: URLs callers give (a receipt's `image_url`) may reach any address, loopback and
   * private ones included; only for a deployment that fetches from its own network. Off: public
   * addresses only, so a caller cannot make the server reach into the network it sits in.
   */
  UNFOLD_FETCH_ALLOW_PRIVATE: z.stringbool().default(false),
  /** Comma-separated host names (exact, case-insensitive) that callers' URLs may name even where they resolve to private addresses, e.g. an internal image store. */
  UNFOLD_FETCH_ALLOWED_HOSTS: list.default([]),
  /** Which OCR reads receipt photos: `paddle` (PaddleOCR, the default: better on thermal receipts) or `tesseract`. */
  UNFOLD_OCR_ENGINE: z.enum(['paddle', 'tesseract']).default('paddle'),
  /** Seconds running runs get to finish when the server stops before they are cancelled. */
  UNFOLD_SHUTDOWN_GRACE_S: integer(0, 3_600).default(10),
  /** Where the email pipeline creates records: `sqlite` (records.sqlite in UNFOLD_DATA_DIR), `postgres` or `none`. */
  UNFOLD_EMAIL_SINK: z.enum(['sqlite', 'postgres', 'zoho', 'none']).default('sqlite'),
  /** Zoho CRM v8 for UNFOLD_EMAIL_SINK=zoho: a self-client's id, secret and refresh token. */
  ZOHO_CLIENT_ID: z.string().min(1).optional(),
  ZOHO_CLIENT_SECRET: z.string().min(1).optional(),
  ZOHO_REFRESH_TOKEN: z.string().min(1).optional(),
  /** The accounts server of the CRM's data centre (.com, .eu, .in, .com.au …). */
  ZOHO_ACCOUNTS_URL: z.url({ protocol: /^https?$/ }).default('https://accounts.zoho.com'),
  /** PostgreSQL for UNFOLD_EMAIL_SINK=postgres, e.g. postgres://user@127.0.0.1:5432/db. */
  UNFOLD_POSTGRES_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /**
   * `keys`: every route but health, metrics and the web app's files needs an API key.
   * `none`: no authentication at all (the only way to listen on a non-loopback address with no key).
   * Unset: `keys` as soon as one key exists; until then only clients on this machine are served.
   */
  UNFOLD_AUTH: z.enum(['keys', 'none']).optional(),
  /** Comma-separated API keys configured outside the store, of the tenant `default` (seed 003's add-in sends one as X-API-Key). */
  UNFOLD_API_KEYS: list.default([]),
  /** `open` (default): /metrics answers any scraper; `keys`: it needs an API key like /v1. */
  UNFOLD_METRICS_AUTH: z.enum(['open', 'keys']).default('open'),
  /**
   * Limits per API key (the local principal counts as one key), answered with 429
   * `rate_limited` and `Retry-After`. Defaults far above one user's use: 1,000 runs started at
   * once by the benchmark pass, a runaway loop does not.
   */
  UNFOLD_LIMIT_RUNS_PER_MINUTE: integer(1, 10_000_000).default(6_000),
  UNFOLD_LIMIT_CONNECTIONS: integer(1, 10_000_000).default(10_000),
  /** Per WebSocket, not per key: a key's thousand sockets each subscribing once is normal. */
  UNFOLD_LIMIT_WS_MESSAGES_PER_SECOND: integer(1, 1_000_000).default(200),
  /** `rules` (embedded, no network) or `model` (an OpenAI-compatible endpoint, below). */
  UNFOLD_EMAIL_EXTRACTOR: z.enum(['rules', 'model']).default('rules'),
  /** OpenAI, Azure OpenAI, Ollama, vLLM…: the endpoint's base URL, e.g. http://127.0.0.1:11434/v1. */
  UNFOLD_MODEL_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  UNFOLD_MODEL_API_KEY: z.string().optional(),
  UNFOLD_MODEL_NAME: z.string().min(1).optional(),
  /** Prometheus metrics at /metrics; off only to measure what they cost. */
  UNFOLD_METRICS: z.enum(['on', 'off']).default('on'),
  /** OTLP collector for traces, e.g. http://127.0.0.1:4318 (HTTP) or http://127.0.0.1:4317 (gRPC). Unset: no tracing at all. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'grpc']).default('http/protobuf'),
  OTEL_SERVICE_NAME: z.string().min(1).default('unfold'),
  /** Share of new traces kept (parent-based: a caller's sampled trace is always continued). */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(0.1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type UnfoldConfig = Omit<z.output<typeof configSchema>, 'UNFOLD_ALLOWED_ORIGINS' | 'UNFOLD_CORS_ORIGINS'> & {
  UNFOLD_ALLOWED_ORIGINS: string[];
  sqlitePath: string;
  recordsPath: string;
};

/** Settings whose values a validation message must not repeat: it goes to logs and terminals. */
const SECRETS = new Set(['UNFOLD_TOKEN_SECRET', 'UNFOLD_TOKEN_SECRET_PREVIOUS', 'UNFOLD_API_KEYS', 'UNFOLD_MODEL_API_KEY', 'UNFOLD_POSTGRES_URL', 'ZOHO_CLIENT_SECRET', 'ZOHO_REFRESH_TOKEN']);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration; throws `ConfigError` naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Record<string, unknown> = {}): UnfoldConfig {
  const source: Record<string, unknown> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') source[key] = value;
  }
  const parsed = configSchema.safeParse({ ...source, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'configuration');
      const given = SECRETS.has(name) ? '<hidden>' : JSON.stringify(source[name] ?? overrides[name]);
      return `${name}=${given}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  if (parsed.data.UNFOLD_EMAIL_EXTRACTOR === 'model' && (!parsed.data.UNFOLD_MODEL_BASE_URL || !parsed.data.UNFOLD_MODEL_NAME)) {
    throw new ConfigError('invalid configuration: UNFOLD_MODEL_BASE_URL and UNFOLD_MODEL_NAME are required when UNFOLD_EMAIL_EXTRACTOR=model');
  }
  if (parsed.data.UNFOLD_EMAIL_SINK === 'zoho' && (!parsed.data.ZOHO_CLIENT_ID || !parsed.data.ZOHO_CLIENT_SECRET || !parsed.data.ZOHO_REFRESH_TOKEN)) {
    throw new ConfigError('invalid configuration: ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN are required when UNFOLD_EMAIL_SINK=zoho');
  }
  if (parsed.data.UNFOLD_EMAIL_SINK === 'postgres' && !parsed.data.UNFOLD_POSTGRES_URL) {
    throw new ConfigError('invalid configuration: UNFOLD_POSTGRES_URL is required when UNFOLD_EMAIL_SINK=postgres');
  }
  const { UNFOLD_ALLOWED_ORIGINS, UNFOLD_CORS_ORIGINS, ...settings } = parsed.data;
  return {
    ...settings,
    UNFOLD_ALLOWED_ORIGINS: UNFOLD_ALLOWED_ORIGINS ?? UNFOLD_CORS_ORIGINS ?? [],
    sqlitePath: resolve(settings.UNFOLD_DATA_DIR, 'unfold.sqlite'),
    recordsPath: resolve(settings.UNFOLD_DATA_DIR, 'records.sqlite'),
  };
}
