// Which peers and browser origins the local WebSocket API accepts.

/** Whether an IP address (as Deno reports a peer) is a loopback address. */
export function isLoopbackAddress(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const v4 = host.startsWith("::ffff:") ? host.slice(7) : host;
  const parts = v4.split(".");
  return parts.length === 4 && parts[0] === "127" &&
    parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/**
 * Whether a browser `Origin` may use the API: no origin (not a browser), a page served from
 * this machine, or one listed in `allowed` (`*` allows every origin).
 */
export function isAllowedOrigin(origin: string | null, allowed: readonly string[]): boolean {
  if (origin === null) return true;
  if (allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    const { hostname } = new URL(origin);
    return hostname === "localhost" || isLoopbackAddress(hostname);
  } catch {
    return false;
  }
}
