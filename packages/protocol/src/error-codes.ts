/**
 * Stable, machine-readable error codes. Clients branch on `code`, never on `message`.
 * The HTTP status is the one a gateway answers with when the error reaches a request.
 */
export const ERROR_CODES = {
  // request shape
  /** The HTTP request itself is malformed: unparseable, bad URL encoding, conflicting lengths. */
  bad_request: 400,
  invalid_json: 400,
  /** A JSON body nests objects and arrays deeper than MAX_JSON_DEPTH. */
  json_too_deep: 400,
  validation_failed: 400,
  invalid_position: 400,
  unsupported_media_type: 415,
  not_acceptable: 406,
  body_too_large: 413,
  headers_too_large: 431,
  request_timeout: 408,
  /** A WebSocket route was asked without `Upgrade: websocket`. */
  upgrade_required: 426,
  // resources
  route_not_found: 404,
  run_not_found: 404,
  unknown_pipeline: 422,
  run_exists: 409,
  /** `unfold keys revoke` was given an id no key has. */
  key_not_found: 404,
  run_finished: 409,
  resync_required: 410,
  // access and limits
  unauthorized: 401,
  /** The API key was revoked: said once, on a connection it had opened, as that connection closes. */
  key_revoked: 401,
  invalid_token: 401,
  /** The stream token a live WebSocket was opened (or last refreshed) with expired: negotiate, then resume. */
  token_expired: 401,
  forbidden: 403,
  rate_limited: 429,
  too_many_subscriptions: 429,
  server_busy: 503,
  /** The server's store cannot take writes (disk full, read-only, I/O error); retry later. */
  storage_unavailable: 503,
  /**
   * A server refuses to start bound to a non-loopback address with no API key and without
   * `UNFOLD_AUTH=none`: it would serve anyone who can reach it. Never an HTTP answer.
   */
  auth_not_configured: 500,
  /**
   * A pipeline module (`--pipelines`, UNFOLD_PIPELINES, unfold.config.*) is missing, throws on
   * import or exports no pipeline; or a pipeline of it takes a name already registered. The
   * server refuses to start. Never an HTTP answer.
   */
  invalid_pipeline_module: 500,
  /** Another live process owns the data directory. */
  data_dir_in_use: 409,
  /** The server stopped a run it was executing or had queued because it was shutting down. */
  server_shutdown: 503,
  // streaming
  unknown_message: 400,
  slow_consumer: 429,
  // runs and tools
  invalid_input: 422,
  invalid_image: 422,
  /**
   * A URL the caller gave (a receipt's `image_url`, or where it redirects) names a
   * non-public address (loopback, private, link-local, cloud metadata…) or a scheme other than
   * http(s): the server does not fetch it. The message is the same whatever is there.
   */
  url_not_allowed: 422,
  image_too_large: 413,
  no_text_found: 422,
  email_too_large: 413,
  invalid_email: 422,
  tool_failed: 500,
  /**
   * A tool emitted an event its pipeline does not declare, or a payload its schema refuses
   * (or that is not JSON, or is larger than MAX_CUSTOM_EVENT_BYTES): the event is not stored
   * and the run fails, since what it streamed would no longer be what it promised.
   */
  invalid_event: 500,
  tool_timeout: 504,
  run_interrupted: 500,
  cancelled: 499,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function httpStatusFor(code: ErrorCode): number {
  return ERROR_CODES[code];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
