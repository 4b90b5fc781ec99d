// IP address validation and canonical text, reusing the Sphinx node-address codec.
import { decodeNodeAddress, encodeNodeAddress } from "../sphinx/node_address.ts";
import { SphinxError } from "../sphinx/sphinx_error.ts";

/** Canonical text of an IPv4/IPv6 address (no brackets), or `undefined` if it is not one. */
export function canonicalIp(text: string): string | undefined {
  if (text.includes("[") || text.includes("]")) return undefined;
  try {
    const hostPort = text.includes(":") ? `[${text}]:0` : `${text}:0`;
    return decodeNodeAddress(encodeNodeAddress(hostPort)).ip;
  } catch (error) {
    if (error instanceof SphinxError) return undefined;
    throw error;
  }
}

/** `ip:port`, with the IP in brackets when it is IPv6 (Rust's `SocketAddr` display form). */
export function socketAddress(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** A host for a URL authority: IPv6 addresses get brackets. */
export function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
