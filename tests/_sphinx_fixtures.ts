// Routes with known node keys for Sphinx tests, and a deterministic random source.
import { defaultCrypto } from "../crypto/mod.ts";
import { encodeNodeAddress, padNodeAddress, type RouteHop } from "../sphinx/mod.ts";

export interface TestNode extends RouteHop {
  readonly secretKey: Uint8Array;
  readonly hostPort: string;
}

/** A deterministic byte source (xorshift), so failures reproduce. */
export function seededRandom(seed: number): (n: number) => Uint8Array {
  let x = (seed * 2654435761) >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

/** `hops` nodes on 127.0.0.1 (and one IPv6 node when `ipv6` is set) with random keys. */
export function testRoute(hops: number, random = seededRandom(hops), ipv6 = false): TestNode[] {
  const c = defaultCrypto();
  return Array.from({ length: hops }, (_, i) => {
    const secretKey = random(32);
    const hostPort = ipv6 && i === hops - 1 ? `[2001:db8::${i + 1}]:1789` : `127.0.0.1:${1790 + i}`;
    return {
      secretKey,
      hostPort,
      address: padNodeAddress(encodeNodeAddress(hostPort), 32),
      publicKey: c.x25519PublicKey(secretKey),
    };
  });
}
