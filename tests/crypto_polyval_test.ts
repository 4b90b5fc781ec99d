// The POLYVAL behind the native AES-256-GCM-SIV: RFC 8452's worked example, noble's POLYVAL on
// random keys and lengths, and refused inputs.
import { polyval as noblePolyval } from "@noble/ciphers/_polyval.js";
import { polyval } from "../crypto/_polyval.ts";
import { assertEquals, assertThrows } from "./_assert.ts";
import { fromHex } from "../internal/bytes.ts";

Deno.test("POLYVAL matches RFC 8452 Appendix A", () => {
  const h = fromHex("25629347589242761d31f826ba4b757b");
  const x = fromHex("4f4f95668c83dfb6401762bb2d01a262d1a24ddd2721d006bbe45f20d3c9f362");
  assertEquals(polyval(h, x), fromHex("f7a3b47b846119fae5b7866cf5e5b77e"));
  assertEquals(polyval(h, x.subarray(0, 16)), fromHex("cedac64537ff50989c16011551086d77"));
});

Deno.test("POLYVAL equals noble's on 3000 random keys and inputs", () => {
  for (let n = 0; n < 3000; n++) {
    const key = crypto.getRandomValues(new Uint8Array(16));
    const data = crypto.getRandomValues(new Uint8Array(16 * (n % 160)));
    if (n % 7 === 0) key.fill(n % 2 ? 0xff : 0);
    assertEquals(polyval(key, data), noblePolyval(data, key));
  }
});

Deno.test("POLYVAL refuses a key that is not 16 bytes and input that is not whole blocks", () => {
  assertThrows(() => polyval(new Uint8Array(15), new Uint8Array(16)), RangeError);
  assertThrows(() => polyval(new Uint8Array(16), new Uint8Array(17)), RangeError);
});
