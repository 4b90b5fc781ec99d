/**
 * `NymNodeRoutingAddress`: a node's mix socket address as Sphinx carries it,
 * `0x04 ‖ port (u16 BE) ‖ IPv4 (4)` = 7 bytes or `0x06 ‖ port ‖ IPv6 (16)` = 19 bytes,
 * zero-padded to 32 bytes inside a header and to 19 bytes inside a SURB-ACK.
 *
 * @module
 */
import { SphinxError } from "./sphinx_error.ts";

const IPV4_TAG = 4;
const IPV6_TAG = 6;

/** A decoded node routing address. */
export interface NodeAddress {
  /** The IP address in text form (IPv6 in RFC 5952 form, without brackets). */
  readonly ip: string;
  /** The TCP port. */
  readonly port: number;
  /** `ip:port`, or `[ip]:port` for IPv6. */
  readonly hostPort: string;
  /** How many bytes the encoding takes before padding. */
  readonly byteLength: 7 | 19;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i])) return undefined;
    const value = Number(parts[i]);
    if (value > 255) return undefined;
    out[i] = value;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let head = text;
  let v4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    head = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return undefined;
    const value = parseInt(all[i], 16);
    out[2 * i] = value >> 8;
    out[2 * i + 1] = value & 0xff;
  }
  if (v4) out.set(v4, 12);
  return out;
}

function formatIpv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let bestStart = -1, bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/**
 * Encodes `"ip:port"` (or `"[ipv6]:port"`) as an unpadded routing address of 7 or 19 bytes.
 * Host names are not accepted: Nym routes by socket address.
 *
 * @example
 * ```ts
 * import { encodeNodeAddress } from "@nym/mixnet/sphinx";
 * console.log(encodeNodeAddress("127.0.0.1:1789")); // Uint8Array [4, 6, 253, 127, 0, 0, 1]
 * ```
 */
export function encodeNodeAddress(hostPort: string): Uint8Array {
  const match = /^(?:\[([^\]]+)\]|([^:\[\]]+)):([0-9]{1,5})$/.exec(hostPort);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new SphinxError("address", `not an ip:port socket address: ${hostPort}`);
  }
  if (match[2] !== undefined) {
    const ip = parseIpv4(match[2]);
    if (!ip) throw new SphinxError("address", `not an IPv4 address: ${match[2]}`);
    return Uint8Array.of(IPV4_TAG, port >> 8, port & 0xff, ...ip);
  }
  const ip = parseIpv6(match[1]);
  if (!ip) throw new SphinxError("address", `not an IPv6 address: ${match[1]}`);
  return Uint8Array.of(IPV6_TAG, port >> 8, port & 0xff, ...ip);
}

/**
 * Decodes a routing address from the start of `bytes` (padding after it is ignored, as Nym does).
 * Throws {@linkcode SphinxError} of kind `address` on an unknown tag or too few bytes.
 *
 * @example
 * ```ts
 * import { decodeNodeAddress } from "@nym/mixnet/sphinx";
 * const address = decodeNodeAddress(Uint8Array.of(4, 6, 253, 127, 0, 0, 1));
 * console.log(address.hostPort); // "127.0.0.1:1789"
 * ```
 */
export function decodeNodeAddress(bytes: Uint8Array): NodeAddress {
  const tag = bytes[0];
  const byteLength = tag === IPV4_TAG ? 7 : tag === IPV6_TAG ? 19 : undefined;
  if (byteLength === undefined) {
    throw new SphinxError("address", `unknown node address tag ${tag}`);
  }
  if (bytes.length < byteLength) {
    throw new SphinxError("address", `node address needs ${byteLength} bytes, got ${bytes.length}`);
  }
  const port = (bytes[1] << 8) | bytes[2];
  const ip = byteLength === 7
    ? Array.from(bytes.subarray(3, 7)).join(".")
    : formatIpv6(bytes.subarray(3, 19));
  return {
    ip,
    port,
    hostPort: byteLength === 7 ? `${ip}:${port}` : `[${ip}]:${port}`,
    byteLength,
  };
}

/**
 * Zero-pads an encoded routing address to `length` bytes (32 in a Sphinx header, 19 in a
 * SURB-ACK). Throws {@linkcode SphinxError} if it does not fit.
 *
 * @example
 * ```ts
 * import { encodeNodeAddress, padNodeAddress } from "@nym/mixnet/sphinx";
 * const padded = padNodeAddress(encodeNodeAddress("10.0.0.1:1789"), 32);
 * console.log(padded.length); // 32
 * ```
 */
export function padNodeAddress(address: Uint8Array, length: number): Uint8Array {
  if (address.length > length) {
    throw new SphinxError("address", `node address of ${address.length} bytes exceeds ${length}`);
  }
  const out = new Uint8Array(length);
  out.set(address);
  return out;
}
