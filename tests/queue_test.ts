import { DeliveryError, DeliveryTracker, LaneQueue, PoissonTicker } from "../queue/mod.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { ManualClock, seededRandom } from "./_fixtures/mod.ts";

Deno.test("lanes keep FIFO order within a lane and serve every non-empty lane", () => {
  const queue = new LaneQueue<string>(seededRandom(1));
  queue.push("general", ["g1", "g2", "g3"]);
  queue.push("connection:7", ["c1", "c2"]);
  const out: string[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item);
  assertEquals(out.filter((x) => x[0] === "g"), ["g1", "g2", "g3"]);
  assertEquals(out.filter((x) => x[0] === "c"), ["c1", "c2"]);
  assertEquals(queue.length, 0);
});

Deno.test("a busy lane does not starve a quiet one", () => {
  const queue = new LaneQueue<string>(seededRandom(2));
  queue.push("bulk", Array.from({ length: 10000 }, (_, i) => `b${i}`));
  queue.push("chat", ["hello"]);
  let position = 0;
  while (queue.shift() !== "hello") position++;
  assert(position < 50, `the chat item waited behind ${position} bulk items`);
  assertEquals(queue.laneLength("bulk"), 10000 - position);
});

Deno.test("removing items by predicate keeps the rest in order", () => {
  const queue = new LaneQueue<number>(seededRandom(3));
  queue.push("a", [1, 2, 3, 4, 5]);
  assertEquals(queue.shift(), 1);
  assertEquals(queue.remove((n) => n % 2 === 0), [2, 4]);
  assertEquals([queue.shift(), queue.shift(), queue.shift()], [3, 5, undefined]);
});

Deno.test("the Poisson ticker's gaps average the mean and stop cancels the timer", () => {
  const clock = new ManualClock();
  let ticks = 0;
  const ticker = new PoissonTicker({
    meanMs: 20,
    clock,
    random: seededRandom(4),
    tick: () => ticks++,
  });
  ticker.start();
  clock.advance(200_000);
  assert(ticks > 9000 && ticks < 11000, `${ticks} ticks in 200 s at a 20 ms mean`);
  ticker.multiplier = 2;
  const before = ticks;
  clock.advance(200_000);
  assert(ticks - before > 4500 && ticks - before < 5500, "the multiplier halves the rate");
  ticker.stop();
  assertEquals(clock.pending, 0);
});

function tracker(clock: ManualClock, maxRetransmissions = Infinity) {
  const retransmitted: string[] = [];
  const failed: DeliveryError[] = [];
  const t = new DeliveryTracker({
    clock,
    maxRetransmissions,
    retransmit: (key) => retransmitted.push(key),
    onFailed: (_h, e) => failed.push(e),
  });
  return { t, retransmitted, failed };
}

Deno.test("a message is delivered when its last fragment is acknowledged", async () => {
  const clock = new ManualClock();
  const { t } = tracker(clock);
  const handle = t.track(["a", "b"]);
  t.sent("a", 1000);
  t.sent("b", 1000);
  assert(t.acknowledge("b"));
  assertEquals([handle.status, handle.acknowledged], ["pending", 1]);
  assert(!t.acknowledge("b"), "a duplicate ack is ignored");
  assert(t.acknowledge("a"));
  await handle;
  assertEquals(handle.status, "delivered");
  assertEquals(clock.pending, 0);
  assertEquals(t.unacknowledged, 0);
});

Deno.test("a missing ack triggers retransmission after the timeout, then delivery", async () => {
  const clock = new ManualClock();
  const { t, retransmitted } = tracker(clock);
  const handle = t.track(["a"]);
  t.sent("a", 1640);
  clock.advance(1639);
  assertEquals(retransmitted, []);
  clock.advance(1);
  assertEquals(retransmitted, ["a"]);
  t.sent("a", 1640);
  t.acknowledge("a");
  await handle.delivered;
});

Deno.test("a fragment that exhausts its retransmissions fails the whole message", async () => {
  const clock = new ManualClock();
  const { t, retransmitted, failed } = tracker(clock, 2);
  const handle = t.track(["a", "b"]);
  t.sent("b", 10);
  t.acknowledge("b");
  // Each retransmission waits twice as long as the one before: 10, 20, 40 ms.
  for (const wait of [10, 20, 40]) {
    t.sent("a", 10);
    assertEquals(t.inFlight, 1);
    clock.advance(wait - 1);
    assertEquals(t.inFlight, 1, `still waiting after ${wait - 1} ms`);
    clock.advance(1);
    assertEquals(t.inFlight, 0);
  }
  assertEquals(retransmitted, ["a", "a"]);
  const error = await assertRejects(() => handle.delivered, DeliveryError);
  assertEquals(error.kind, "retransmissions-exhausted");
  assertEquals(failed.length, 1);
  assertEquals(handle.status, "failed");
  assertEquals(clock.pending, 0);
});

Deno.test("closing fails every pending message and idle resolves", async () => {
  const clock = new ManualClock();
  const { t } = tracker(clock);
  const one = t.track(["a"]);
  const two = t.track(["b", "c"]);
  t.sent("a", 100);
  const idle = t.idle();
  t.close(new DeliveryError("closed", "bye"));
  await idle;
  for (const handle of [one, two]) {
    const error = await assertRejects(() => handle.delivered, DeliveryError);
    assertEquals(error.kind, "closed");
  }
  assertEquals(clock.pending, 0);
});

Deno.test("ack round trips are measured and a slower path delays retransmission instead", () => {
  const clock = new ManualClock();
  const { t, retransmitted } = tracker(clock);
  assertEquals(t.measuredTimeoutMs, undefined);
  // Three fragments acknowledged after 2 s each: SRTT 2000, RTTVAR shrinking from 1000.
  for (const key of ["a", "b", "c"]) {
    t.track([key]);
    t.sent(key, 1000);
    clock.advance(2000);
    // A late ack for a fragment whose timer already fired is still an ack; the sample comes
    // only from first transmissions that were still being waited for.
    t.acknowledge(key);
  }
  assertEquals(retransmitted, ["a"], "before any sample, the 1 s timeout fired once");
  const rto = t.measuredTimeoutMs!;
  assert(rto > 2000 && rto < 6000, `measured timeout ${rto}`);
  // Now a fragment sent with a 1 s nominal timeout waits the measured timeout instead.
  t.track(["d"]);
  t.sent("d", 1000);
  clock.advance(1500);
  assertEquals(retransmitted, ["a"]);
  clock.advance(rto);
  assertEquals(retransmitted, ["a", "d"]);
});

Deno.test("a retransmitted fragment's ack gives no round-trip sample (Karn)", () => {
  const clock = new ManualClock();
  const { t } = tracker(clock);
  t.track(["a"]);
  t.sent("a", 100);
  clock.advance(100); // timed out
  t.sent("a", 100); // retransmitted
  clock.advance(10);
  t.acknowledge("a");
  assertEquals(t.measuredTimeoutMs, undefined);
});
