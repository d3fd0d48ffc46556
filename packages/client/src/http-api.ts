import { UnfoldError, isErrorCode } from '@unfold/protocol';

export interface HttpOptions {
  baseUrl: string;
  fetch: typeof fetch;
  headers: Record<string, string>;
  /** Asked before each request; sent as `Authorization: Bearer <credential>`. */
  credential?: (() => string | Promise<string>) | undefined;
}

/** Turns an error answer into an `UnfoldError` carrying the server's stable code. */
export async function errorFromResponse(response: Response): Promise<UnfoldError> {
  let body: { code?: unknown; message?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // not JSON: described by the status below
  }
  const message = typeof body.message === 'string' ? body.message : `HTTP ${response.status} ${response.statusText}`;
  if (isErrorCode(body.code)) return new UnfoldError(body.code, message, { transient: response.status >= 500 || response.status === 429, details: { status: response.status } });
  return new UnfoldError(response.status >= 500 ? 'internal_error' : 'validation_failed', message, {
    transient: response.status >= 500,
    details: { status: response.status, ...(typeof body.code === 'string' ? { code: body.code } : {}) },
  });
}

export function absoluteUrl(baseUrl: string, path: string): string {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
}

/** JSON request; a network failure becomes a transient `UnfoldError`. */
export async function requestJson<T>(options: HttpOptions, method: string, path: string, body?: unknown): Promise<T> {
  const authorization: Record<string, string> = options.credential ? { authorization: `Bearer ${await options.credential()}` } : {};
  let response: Response;
  try {
    response = await options.fetch(absoluteUrl(options.baseUrl, path), {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers, ...authorization },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new UnfoldError('server_busy', `cannot reach ${options.baseUrl}: ${(error as Error).message}`, { transient: true, cause: error });
  }
  if (!response.ok) throw await errorFromResponse(response);
  return (await response.json()) as T;
}
