// deno bench bench/blake2b_bench.ts — keyed BLAKE2b as Lioness uses it (64-byte key, 32-byte
// output): crypto/_blake2b.ts against @noble/hashes, on a regular packet's payload (2033 bytes)
// and on an ack packet's (38 bytes).
import { blake2b as nobleBlake2b } from "@noble/hashes/blake2.js";
import { blake2b } from "../crypto/_blake2b.ts";

const key = crypto.getRandomValues(new Uint8Array(64));
const inputs = [2033, 38].map((n) => crypto.getRandomValues(new Uint8Array(n)));

// Check both agree, then warm both up so that the benchmarks measure code V8 has fully
// optimised (a few thousand calls; noble needs them more than ours does).
for (const input of inputs) {
  const ours = blake2b(input, key, 32);
  const theirs = nobleBlake2b(input, { key, dkLen: 32 });
  if (ours.join() !== theirs.join()) throw new Error(`mismatch on ${input.length} bytes`);
  for (let i = 0; i < 5000; i++) {
    blake2b(input, key, 32);
    nobleBlake2b(input, { key, dkLen: 32 });
  }
}

for (const input of inputs) {
  const group = `${input.length}-byte input`;
  Deno.bench(`noble blake2b, ${group}`, { group, baseline: true }, () => {
    nobleBlake2b(input, { key, dkLen: 32 });
  });
  Deno.bench(`crypto/_blake2b.ts, ${group}`, { group }, () => {
    blake2b(input, key, 32);
  });
}
