// Routes with known node keys for Sphinx tests (the seeded random source is tests/_fixtures/).
import { defaultCrypto } from "../crypto/mod.ts";
import { encodeNodeAddress, padNodeAddress, type RouteHop } from "../sphinx/mod.ts";
import { seededRandom } from "./_fixtures/mod.ts";

/** Re-exported for the files that import it from here; the generator is tests/_fixtures/. */
export { seededRandom };

export interface TestNode extends RouteHop {
  readonly secretKey: Uint8Array;
  readonly hostPort: string;
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
