import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { seededRandom, shuffled } from "./_fixtures/mod.ts";
import {
  decodeFragment,
  decodeNymMessage,
  encodeFragment,
  encodeNymMessage,
  type Fragment,
  type InsertOutcome,
  MessageError,
  padMessage,
  Reassembler,
  splitIntoFragments,
} from "../message/mod.ts";

const P = 1611;
const MINUTE = 60_000;

function wireFragments(data: Uint8Array, seed: number): Uint8Array[] {
  const padded = padMessage(encodeNymMessage({ type: "plain", data }), P);
  return splitIntoFragments(padded, P, seededRandom(seed)).map(encodeFragment);
}

/** Feeds serialized fragments; asserts exactly the last one completes; returns the plain data. */
function reassemble(reassembler: Reassembler, wire: Uint8Array[]): Uint8Array {
  let result: InsertOutcome | undefined;
  wire.forEach((bytes, i) => {
    result = reassembler.insertBytes(bytes);
    assertEquals(result.kind, i === wire.length - 1 ? "complete" : "buffered", `fragment ${i}`);
  });
  assert(result?.kind === "complete");
  const message = decodeNymMessage(result.message);
  assert(message.type === "plain");
  return message.data;
}

Deno.test("messages of 1, 1602, 1603 and 409020 bytes reassemble in order", () => {
  for (const length of [1, 1602, 1603, 409020]) {
    const data = seededRandom(length)(length);
    const r = new Reassembler();
    assertEquals(reassemble(r, wireFragments(data, length)), data, `length ${length}`);
    assertEquals([r.bufferedSets, r.bufferedBytes], [0, 0]);
  }
});

Deno.test("a 5 MB linked message reassembles from shuffled fragments", () => {
  const data = seededRandom(5)(5_000_000);
  const r = new Reassembler();
  const out = reassemble(r, shuffled(wireFragments(data, 5), seededRandom(77)));
  assertEquals(out, data);
  assertEquals([r.bufferedSets, r.bufferedBytes], [0, 0]);
});

Deno.test("a 50 MB message makes the full round trip through serialized fragments", () => {
  const data = seededRandom(50)(50_000_000);
  const started = performance.now();
  const out = reassemble(new Reassembler(), wireFragments(data, 50));
  const elapsed = performance.now() - started;
  assertEquals(out.length, data.length);
  assertEquals(out, data);
  assert(elapsed < 10_000, `took ${elapsed} ms`);
});

Deno.test("duplicates are dropped and fragments of finished sets are ignored", () => {
  const wire = wireFragments(seededRandom(1)(5000), 11);
  assertEquals(wire.length, 4);
  const r = new Reassembler();
  assertEquals(r.insertBytes(wire[2]).kind, "buffered");
  assertEquals(r.insertBytes(wire[2]).kind, "duplicate");
  assertEquals(r.insertBytes(wire[0]).kind, "buffered");
  assertEquals(r.insertBytes(wire[3]).kind, "buffered");
  assertEquals(r.insertBytes(wire[0]).kind, "duplicate");
  assertEquals(r.insertBytes(wire[1]).kind, "complete");
  const setId = decodeFragment(wire[0]).setId;
  assert(r.isFinished(setId));
  for (const bytes of wire) assertEquals(r.insertBytes(bytes).kind, "finished");
  assertEquals(r.bufferedSets, 0);
});

Deno.test("two interleaved messages each complete exactly once", () => {
  const a = seededRandom(21)(30_000), b = seededRandom(22)(700_000);
  const wire = shuffled([...wireFragments(a, 1), ...wireFragments(b, 2)], seededRandom(5));
  const r = new Reassembler();
  const done: Uint8Array[] = [];
  for (const bytes of wire) {
    const outcome = r.insertBytes(bytes);
    if (outcome.kind === "complete") {
      const m = decodeNymMessage(outcome.message);
      assert(m.type === "plain");
      done.push(m.data);
    }
  }
  assertEquals(done.length, 2);
  assertEquals(done.find((d) => d.length === a.length), a);
  assertEquals(done.find((d) => d.length === b.length), b);
});

Deno.test("an incomplete set expires 30 minutes after its last new fragment", () => {
  let now = 1_000_000;
  const r = new Reassembler({ now: () => now });
  const wire = wireFragments(seededRandom(3)(10_000), 3);
  r.insertBytes(wire[0]);
  now += 20 * MINUTE;
  r.insertBytes(wire[1]);
  now += 29 * MINUTE;
  assertEquals(r.removeStale(), []);
  assertEquals(r.bufferedSets, 1);
  now += MINUTE;
  const setId = decodeFragment(wire[0]).setId;
  assertEquals(r.removeStale(), [setId]);
  assertEquals([r.bufferedSets, r.bufferedBytes], [0, 0]);
  // An expired set is not "finished": its fragments start a new buffer.
  assertEquals(r.insertBytes(wire[0]).kind, "buffered");
});

Deno.test("at the set or byte cap the least recently used set is evicted", () => {
  const r = new Reassembler({ maxSets: 2, maxBytes: 4000 });
  const f = (setId: number, position: number, length: number): Fragment => ({
    setId,
    totalFragments: 3,
    currentFragment: position,
    payload: new Uint8Array(length),
  });
  r.insert(f(1, 1, 1500));
  r.insert(f(2, 1, 1500));
  r.insert(f(1, 2, 500)); // set 1 is now the most recently used
  assertEquals(r.insert(f(3, 1, 10)).kind, "buffered"); // evicts set 2
  assertEquals([r.bufferedSets, r.bufferedBytes, r.evictedSets], [2, 2010, 1]);
  assertEquals(r.insert(f(3, 2, 2000)).kind, "buffered"); // 4010 bytes: evicts set 1
  assertEquals([r.bufferedSets, r.bufferedBytes, r.evictedSets], [1, 2010, 2]);
  // only a fragment larger than the whole budget is refused
  assertEquals(assertThrows(() => r.insert(f(4, 1, 4001)), MessageError).kind, "limit");
  assertEquals(r.bufferedBytes, 2010);
});

Deno.test("first fragments of never-completed sets cannot lock out new messages", () => {
  // The attack at 1/128 scale: an attacker fills every set slot with the first fragment of a
  // different 255-fragment set; honest messages (single and multi-fragment) must still arrive.
  const maxSets = 64;
  const maxBytes = 64 * P;
  const r = new Reassembler({ maxSets, maxBytes });
  const random = seededRandom(11);
  for (let i = 0; i < 4 * maxSets; i++) {
    const junk: Fragment = {
      setId: 1_000_000 + i,
      totalFragments: 255,
      currentFragment: 1,
      payload: random(P - 7),
    };
    assertEquals(r.insert(junk).kind, "buffered");
    assert(r.bufferedSets <= maxSets && r.bufferedBytes <= maxBytes, "over the caps");
  }
  const short = splitIntoFragments(
    padMessage(encodeNymMessage({ type: "plain", data: Uint8Array.of(7) }), P),
    P,
  );
  assertEquals(short.length, 1);
  const one = r.insertBytes(encodeFragment(short[0]));
  assertEquals(one.kind, "complete");
  const data = random(3 * P);
  const wire = splitIntoFragments(padMessage(encodeNymMessage({ type: "plain", data }), P), P)
    .map(encodeFragment);
  assert(wire.length > 1);
  let outcome: InsertOutcome | undefined;
  let junkId = 2_000_000;
  for (const bytes of wire) {
    // the attacker keeps going between the honest fragments
    r.insert({
      setId: junkId++,
      totalFragments: 255,
      currentFragment: 1,
      payload: random(P - 7),
    });
    outcome = r.insertBytes(bytes);
  }
  assertEquals(outcome?.kind, "complete");
  const message = decodeNymMessage((outcome as { message: Uint8Array }).message);
  assertEquals(message.type === "plain" && message.data, data);
  assert(r.bufferedSets <= maxSets && r.bufferedBytes <= maxBytes);
});

Deno.test("a fragment that disagrees with its set's size is rejected", () => {
  const r = new Reassembler();
  r.insert({ setId: 5, totalFragments: 3, currentFragment: 1, payload: new Uint8Array(4) });
  const error = assertThrows(
    () => r.insert({ setId: 5, totalFragments: 4, currentFragment: 4, payload: new Uint8Array(4) }),
    MessageError,
  );
  assertEquals(error.kind, "inconsistent");
  assertEquals(r.bufferedBytes, 4);
});

Deno.test("malformed serialized fragments are rejected before touching state", () => {
  const r = new Reassembler();
  assertEquals(
    assertThrows(() => r.insertBytes(new Uint8Array(6)), MessageError).kind,
    "truncated",
  );
  assertEquals(
    assertThrows(() => r.insertBytes(Uint8Array.of(0x80, 0, 0, 9, 2, 0, 0)), MessageError).kind,
    "header",
  );
  assertEquals(r.bufferedSets, 0);
});

Deno.test("linked sets whose links disagree never complete", () => {
  const full = (setId: number, extra: Partial<Fragment>, position: number): Fragment => ({
    setId,
    totalFragments: 255,
    currentFragment: position,
    payload: Uint8Array.of(1),
    ...extra,
  });
  const r = new Reassembler();
  // Set 10 points forward to 20, but set 20 claims to follow 30.
  for (let p = 1; p <= 255; p++) r.insert(full(10, p === 255 ? { nextSetId: 20 } : {}, p));
  const last = r.insert({
    setId: 20,
    totalFragments: 1,
    currentFragment: 1,
    previousSetId: 30,
    payload: Uint8Array.of(1),
  });
  assertEquals(last.kind, "buffered");
  // Two sets that point at each other both ways form a loop, which must not hang or complete.
  const loop = new Reassembler();
  for (const [id, other] of [[40, 50], [50, 40]]) {
    for (let p = 1; p <= 255; p++) {
      const link = p === 1 ? { previousSetId: other } : p === 255 ? { nextSetId: other } : {};
      assertEquals(loop.insert(full(id, link, p)).kind, "buffered");
    }
  }
  assertEquals(loop.bufferedSets, 2);
});

Deno.test("a completed message without padding is rejected and its set is consumed", () => {
  const r = new Reassembler();
  const error = assertThrows(
    () =>
      r.insert({ setId: 8, totalFragments: 1, currentFragment: 1, payload: new Uint8Array(10) }),
    MessageError,
  );
  assertEquals(error.kind, "padding");
  assert(r.isFinished(8));
  assertEquals(r.bufferedSets, 0);
});

Deno.test("the memory of finished sets is bounded", () => {
  const r = new Reassembler({ rememberFinishedSets: 2 });
  for (const setId of [1, 2, 3]) {
    r.insert({ setId, totalFragments: 1, currentFragment: 1, payload: Uint8Array.of(0, 1) });
  }
  assertEquals([r.isFinished(1), r.isFinished(2), r.isFinished(3)], [false, true, true]);
});
