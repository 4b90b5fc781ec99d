import { defaultCrypto, nobleCrypto } from "../crypto/mod.ts";
import {
  clampedRepresentative,
  deriveKeyMaterialFast,
  deriveKeyMaterialNaive,
} from "../sphinx/_keys.ts";
import { assert, assertEquals } from "./_assert.ts";
import { seededRandom } from "./_fixtures/mod.ts";

const L = (1n << 252n) + 27742317777372353535851937790883648493n;

Deno.test("the one-multiplication-per-hop derivation equals the naive fold byte for byte", () => {
  for (const crypto of [defaultCrypto(), nobleCrypto]) {
    const random = seededRandom(crypto.name.length);
    const rounds = crypto === nobleCrypto ? 20 : 300;
    for (let round = 0; round < rounds; round++) {
      const hops = 1 + (round % 5);
      const keys = Array.from({ length: hops }, () => crypto.x25519PublicKey(random(32)));
      const x = random(32);
      const naive = deriveKeyMaterialNaive(crypto, keys, x);
      const fast = deriveKeyMaterialFast(crypto, keys, x);
      assertEquals(fast.alpha, naive.alpha);
      for (let i = 0; i < hops; i++) {
        assertEquals(
          fast.secrets[i].replayTag,
          naive.secrets[i].replayTag,
          `round ${round} hop ${i}`,
        );
        assertEquals(fast.secrets[i].legacyPayloadKey, naive.secrets[i].legacyPayloadKey);
        assertEquals(fast.secrets[i].blindingFactor, naive.secrets[i].blindingFactor);
      }
    }
  }
});

Deno.test("clamped representatives are clamped and congruent to the target or its negation", () => {
  const random = seededRandom(3);
  let negated = 0;
  for (let i = 0; i < 2000; i++) {
    const t = random(32).reduce((a, b) => (a << 8n) | BigInt(b), 0n) % L;
    const k = clampedRepresentative(t);
    assert(k !== undefined);
    assertEquals(k[0] & 7, 0);
    assertEquals(k[31] & 0xc0, 0x40);
    const value = k.reduceRight((a, b) => (a << 8n) | BigInt(b), 0n);
    if (value % L !== t) {
      assertEquals(value % L, (L - t) % L);
      negated++;
    }
  }
  assert(negated > 700 && negated < 1300, `about half need the negation, got ${negated}`);
});
