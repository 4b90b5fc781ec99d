/**
 * IP address text to bytes, and whether an address is globally routable: the check Nym's
 * requester applies before its exit policy (`nym_bin_common::ip_check::is_global_ip`, which
 * follows Rust's `IpAddr::is_global`).
 *
 * @module
 */

/** A parsed IPv4 (4 bytes) or IPv6 (16 bytes) address. */
export interface IpAddress {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Network-order bytes. */
  readonly bytes: Uint8Array;
}

function parseV4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(0|[1-9]\d{0,2})$/.test(parts[i])) return undefined;
    const n = Number(parts[i]);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseV6(text: string): Uint8Array | undefined {
  if (text.includes("%")) return undefined;
  let head = text, tail = "";
  const dbl = text.indexOf("::");
  if (dbl >= 0) {
    if (text.indexOf("::", dbl + 1) >= 0) return undefined;
    head = text.slice(0, dbl);
    tail = text.slice(dbl + 2);
  }
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseV4(p);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const h = groups(head), t = groups(tail);
  if (!h || !t) return undefined;
  if (dbl < 0 && h.length !== 8) return undefined;
  if (dbl >= 0 && h.length + t.length > 7) return undefined;
  const all = [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * Parses an IPv4 or IPv6 address (IPv6 optionally in brackets); `undefined` if `text` is not one.
 *
 * @example
 * ```ts
 * import { parseIp } from "@nym/mixnet/exit";
 * console.log(parseIp("127.0.0.1")?.family, parseIp("[::1]")?.family, parseIp("example.com")); // 4 6 undefined
 * ```
 */
export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseV4(text);
  if (v4) return { family: 4, bytes: v4 };
  const inner = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v6 = parseV6(inner);
  return v6 ? { family: 6, bytes: v6 } : undefined;
}

/** Whether the first `bits` bits of `a` equal those of `prefix`. */
export function prefixMatches(a: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3, shift = 7 - (i & 7);
    if (((a[byte] >> shift) & 1) !== ((prefix[byte] >> shift) & 1)) return false;
  }
  return true;
}

const V4_NON_GLOBAL: readonly [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // shared (CGNAT)
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local
  ["172.16.0.0", 12], // private
  ["192.0.2.0", 24], // documentation
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation
  ["203.0.113.0", 24], // documentation
  ["240.0.0.0", 4], // reserved and broadcast
];
const V6_NON_GLOBAL: readonly [string, number][] = [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["64:ff9b:1::", 48], // local-use translation
  ["100::", 64], // discard-only
  ["2001:db8::", 32], // documentation
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local unicast
];

function inRanges(bytes: Uint8Array, ranges: readonly [string, number][]): boolean {
  return ranges.some(([p, bits]) => prefixMatches(bytes, parseIp(p)!.bytes, bits));
}

/**
 * Whether an address is globally routable (false for loopback, private, link-local,
 * documentation, shared, benchmarking and reserved ranges, as Rust's `is_global`).
 *
 * @example
 * ```ts
 * import { isGlobalIp, parseIp } from "@nym/mixnet/exit";
 * console.log(isGlobalIp(parseIp("127.0.0.1")!), isGlobalIp(parseIp("1.1.1.1")!)); // false true
 * ```
 */
export function isGlobalIp(ip: IpAddress): boolean {
  const b = ip.bytes;
  if (ip.family === 4) {
    // 192.0.0.0/24 is reserved except 192.0.0.9 and 192.0.0.10 (globally reachable anycast).
    if (b[0] === 192 && b[1] === 0 && b[2] === 0) return b[3] === 9 || b[3] === 10;
    return !inRanges(b, V4_NON_GLOBAL);
  }
  // IPv4-mapped addresses are judged as their IPv4 address.
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    return isGlobalIp({ family: 4, bytes: b.subarray(12) });
  }
  if (b[0] === 0xff) return (b[1] & 0x0f) === 0x0e; // multicast: only global scope
  // 2001::/23 (IETF protocol assignments) is not global except a few listed blocks.
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] < 2) {
    const w2 = (b[2] << 8) | b[3];
    return w2 === 1 || w2 === 2 || w2 === 3 || (b[2] === 0 && b[3] >= 0x20 && b[3] <= 0x3f);
  }
  return !inRanges(b, V6_NON_GLOBAL);
}

/**
 * Formats an address for a `host:port` string (IPv6 in brackets).
 *
 * @example
 * ```ts
 * import { formatIp, parseIp } from "@nym/mixnet/exit";
 * console.log(formatIp(parseIp("::1")!)); // "[0:0:0:0:0:0:0:1]"
 * ```
 */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return ip.bytes.join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i] << 8) | ip.bytes[i + 1]).toString(16));
  return `[${groups.join(":")}]`;
}
