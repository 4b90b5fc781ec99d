// The per-stream reorder buffer, in memory: ordering, duplicates, skip-ahead, wrap-around.
import { ReorderBuffer, type ReorderEvent } from "../stream/mod.ts";
import { assertEquals, assertThrows } from "./_assert.ts";
import { seededRandom, shuffled } from "./_fixtures/mod.ts";

function items<T>(events: ReorderEvent<T>[]): (T | string)[] {
  return events.map((e) => e.kind === "item" ? e.item : `gap ${e.from}+${e.count}`);
}

Deno.test("items in order pass straight through", () => {
  const buffer = new ReorderBuffer<number>();
  for (let i = 0; i < 10; i++) assertEquals(items(buffer.push(i, i).events), [i]);
  assertEquals([buffer.nextSequence, buffer.size], [10, 0]);
});

Deno.test("any permutation comes out in order", () => {
  for (let round = 0; round < 50; round++) {
    const order = shuffled(Array.from({ length: 100 }, (_, i) => i), seededRandom(round));
    const buffer = new ReorderBuffer<number>();
    const out: (number | string)[] = [];
    for (const seq of order) out.push(...items(buffer.push(seq, seq).events));
    assertEquals(out, Array.from({ length: 100 }, (_, i) => i));
    assertEquals(buffer.size, 0);
  }
});

Deno.test("duplicates, whether delivered or still held, are dropped and counted", () => {
  const buffer = new ReorderBuffer<string>();
  buffer.push(0, "a");
  assertEquals(buffer.push(0, "a again"), { events: [], duplicate: true });
  buffer.push(2, "c");
  assertEquals(buffer.push(2, "c again"), { events: [], duplicate: true });
  assertEquals(items(buffer.push(1, "b").events), ["b", "c"]);
  assertEquals(buffer.duplicates, 2);
});

Deno.test("overflowing the capacity skips the gap and reports it where it was", () => {
  const buffer = new ReorderBuffer<number>({ capacity: 256 });
  assertEquals(items(buffer.push(0, 0).events), [0]);
  // 1 is lost; 256 frames wait behind it without overflow
  for (let seq = 2; seq <= 257; seq++) assertEquals(buffer.push(seq, seq).events, []);
  assertEquals(buffer.size, 256);
  // the 257th overflows: skip 1, deliver 2..258
  const out = items(buffer.push(258, 258).events);
  assertEquals(out[0], "gap 1+1");
  assertEquals(out.slice(1), Array.from({ length: 257 }, (_, i) => i + 2));
  assertEquals([buffer.nextSequence, buffer.size, buffer.skipped], [259, 0, 1]);
  // the lost frame arriving late is a duplicate now
  assertEquals(buffer.push(1, 1).duplicate, true);
});

Deno.test("a late gap filler at capacity is delivered, not skipped", () => {
  const buffer = new ReorderBuffer<number>({ capacity: 4 });
  for (const seq of [1, 2, 3, 4]) buffer.push(seq, seq);
  assertEquals(items(buffer.push(0, 0).events), [0, 1, 2, 3, 4]);
  assertEquals(buffer.skipped, 0);
});

Deno.test("a skip jumps to the lowest held sequence, leaving later gaps waiting", () => {
  const buffer = new ReorderBuffer<number>({ capacity: 2 });
  buffer.push(5, 5);
  buffer.push(9, 9);
  assertEquals(items(buffer.push(7, 7).events), ["gap 0+5", 5]);
  assertEquals([buffer.nextSequence, buffer.size], [6, 2]);
  assertEquals(items(buffer.push(6, 6).events), [6, 7]);
});

Deno.test("sequence numbers wrap around 2^32", () => {
  const start = 0xffffffff - 2;
  const buffer = new ReorderBuffer<number>({ initialSequence: start });
  const seqs = [start, start + 1, start + 2, 0, 1, 2].map((s) => s >>> 0);
  const out: (number | string)[] = [];
  for (const seq of [...seqs].reverse()) out.push(...items(buffer.push(seq, seq).events));
  assertEquals(out, seqs);
  assertEquals(buffer.nextSequence, 3);
  // something half the circle behind is a late duplicate, not a frame from the future
  assertEquals(buffer.push(start, start).duplicate, true);
});

Deno.test("clear forgets held items and a capacity below one is refused", () => {
  const buffer = new ReorderBuffer<number>();
  buffer.push(3, 3);
  buffer.clear();
  assertEquals(buffer.size, 0);
  assertThrows(() => new ReorderBuffer({ capacity: 0 }), RangeError);
});
