/**
 * Whether a browser origin may call this server: listed origins, any with `*`, and
 * always the server's own origin (same host), so the bundled web app works unconfigured.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, allowlist: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowlist.includes('*') || allowlist.includes(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}
