/** A request URL fit for a log line: a stream token or API key in the query replaced (they are credentials), cut to 200 characters. */
export function loggableUrl(url: string): string {
  return url.replace(/([?&](?:access_token|token|api_key)=)[^&#]*/gi, '$1[redacted]').slice(0, 200);
}
