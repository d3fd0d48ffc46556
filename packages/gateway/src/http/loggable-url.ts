/** A request URL fit for a log line: a stream token in the query replaced (it is a credential), cut to 200 characters. */
export function loggableUrl(url: string): string {
  return url.replace(/([?&](?:access_token|token)=)[^&#]*/gi, '$1[redacted]').slice(0, 200);
}
