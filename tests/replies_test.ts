// The reply-SURB units: the policy counts waiting replies per sender tag, the store is bounded in
// count and age, grants follow what a peer used, reply keys are capped and know their owner.
import {
  MAX_SURB_AGE_MS,
  MAX_SURB_GRANT,
  MemoryReplyKeyStore,
  ReceivedSurbStore,
  type ReplySurbBytes,
  ReplySurbPolicy,
  SURB_RESERVE,
  SurbGrants,
} from "../replies/mod.ts";
import { assert, assertEquals } from "./_assert.ts";
import { ManualClock } from "./_manual_clock.ts";

const surbs = (n: number): ReplySurbBytes[] =>
  Array.from({ length: n }, () => ({
    encryptionKey: new Uint8Array(16),
    surb: new Uint8Array(8),
  }));
const tagA = new Uint8Array(16).fill(0xa);
const tagC = new Uint8Array(16).fill(0xc);

function policy(clock: ManualClock) {
  const requests: { tag: number; amount: number }[] = [];
  const resumed: string[] = [];
  const failed: string[] = [];
  const p = new ReplySurbPolicy<string>({
    clock,
    retryMs: 10_000,
    waitLimitMs: 60_000,
    request: (tag, _surb, amount) => requests.push({ tag: tag[0], amount }),
    resume: (items) => resumed.push(...items),
    giveUp: (items) => failed.push(...items),
  });
  return { p, requests, resumed, failed };
}

Deno.test("replies waiting for one sender tag never make us ask another tag for SURBs", () => {
  const clock = new ManualClock();
  const { p, requests } = policy(clock);
  p.arrived(tagA, surbs(10));
  p.arrived(tagC, surbs(10));
  // In the same tick: a 30 KB reply to A (19 fragments) and a short one to C.
  p.queued(tagA, 19);
  p.queued(tagC, 1);
  p.dequeued(tagC);
  assert(p.take(tagC) !== undefined, "C's reply takes a SURB");
  assertEquals(requests.filter((r) => r.tag === 0xc), [], "C is not asked for SURBs");
  // A is asked once half of its last batch is spent: it grants about what our replies used.
  for (let i = 0; i < 4; i++) {
    p.dequeued(tagA);
    assert(p.take(tagA) !== undefined);
  }
  assertEquals(requests, [], "not before half of A's batch is spent");
  p.dequeued(tagA);
  assert(p.take(tagA) !== undefined);
  assertEquals(requests.map((r) => r.tag), [0xa], "only A, whose replies outnumber its SURBs");
  p.close();
});

Deno.test("the last SURBs are kept back to ask for more; parked replies resume on arrival", () => {
  const clock = new ManualClock();
  const { p, requests, resumed } = policy(clock);
  p.arrived(tagA, surbs(SURB_RESERVE + 2));
  p.queued(tagA, 10);
  const taken: boolean[] = [];
  for (let i = 0; i < 10; i++) {
    p.dequeued(tagA);
    const surb = p.take(tagA);
    taken.push(surb !== undefined);
    if (!surb) p.park(tagA, `r${i}`);
  }
  assertEquals(taken.filter(Boolean).length, 1, "one SURB sent, one request, reserve kept");
  assertEquals(requests.length, 1);
  assertEquals(p.store.count(tagA), SURB_RESERVE);
  clock.advance(5_000);
  assertEquals(requests.length, 1, "not asked again within the retry period");
  clock.advance(5_000);
  assertEquals(requests.length, 2, "asked again after it");
  p.arrived(tagA, surbs(20));
  assertEquals(resumed.length, 9);
  assertEquals(clock.pending, 0, "the wait timer is gone");
  p.close();
});

Deno.test("parked replies give up after the wait limit", () => {
  const clock = new ManualClock();
  const { p, failed } = policy(clock);
  p.queued(tagA, 1);
  p.dequeued(tagA);
  assertEquals(p.take(tagA), undefined);
  p.park(tagA, "r0");
  clock.advance(60_000);
  assertEquals(failed, ["r0"]);
  assertEquals(clock.pending, 0);
});

Deno.test("received SURBs are purged after 12 hours without new ones", () => {
  const clock = new ManualClock();
  const store = new ReceivedSurbStore({ now: () => clock.now() });
  store.add(tagA, surbs(5));
  clock.advance(MAX_SURB_AGE_MS - 1000);
  store.add(tagC, surbs(5));
  assertEquals(store.purge(), 0);
  clock.advance(2000);
  assertEquals(store.purge(), 5);
  assertEquals([store.count(tagA), store.count(tagC), store.size], [0, 5, 5]);
});

Deno.test("received SURBs are capped in total: 1,000 tags cannot grow the store beyond it", () => {
  const store = new ReceivedSurbStore({ maxTotal: 1000, maxPerTag: 500 });
  for (let i = 0; i < 1000; i++) {
    const tag = new Uint8Array(16);
    new DataView(tag.buffer).setUint32(0, i);
    store.add(tag, surbs(10));
  }
  assertEquals(store.size, 1000);
  assertEquals(store.tags, 100, "the least recently fed tags went first");
  const newest = new Uint8Array(16);
  new DataView(newest.buffer).setUint32(0, 999);
  assertEquals(store.count(newest), 10);
  store.add(tagA, surbs(600));
  assertEquals(store.count(tagA), 500, "per-tag cap");
  assertEquals(store.size, 1000);
});

Deno.test("a grant follows what the peer used, at most once per retry period when unused", () => {
  const grants = new SurbGrants(10_000);
  assertEquals(grants.grant("mallory", 500, 0, 0), 0, "no key of ours was ever used by it");
  grants.used("mallory"); // the request arrived through one of our SURBs
  assertEquals(grants.grant("mallory", 500, 0, 0), 11);
  grants.used("mallory");
  assertEquals(grants.grant("mallory", 500, 100, 0), 0, "again at once, having used 1 of 11");
  for (let i = 0; i < 40; i++) grants.used("mallory");
  assertEquals(grants.grant("mallory", 500, 200, 0), MAX_SURB_GRANT, "an honest heavy replier");
  grants.used("mallory");
  assertEquals(grants.grant("mallory", 500, 10_300, 995), 5, "the outstanding keys are capped");
});

Deno.test("reply keys are capped and remember whom their SURB was given to", () => {
  const keys = new MemoryReplyKeyStore(() => 0, 3);
  for (let i = 0; i < 5; i++) keys.add(new Uint8Array([i]), new Uint8Array([i]), `peer${i % 2}`);
  assertEquals(keys.size, 3);
  assertEquals(keys.take(new Uint8Array([0])), undefined, "the oldest went first");
  assertEquals(keys.countFor("peer0"), 2);
  assertEquals(keys.takeEntry(new Uint8Array([3]))?.owner, "peer1");
});
