// Reply SURBs and Sphinx key rotation: SURBs keep the rotation they were built for, the previous
// rotation's are spent first and not counted as fresh, and a purged rotation's are dropped.
import { ReceivedSurbStore, type SurbRotationClock } from "../replies/mod.ts";
import { assertEquals } from "./_assert.ts";

const surb = (n: number) => ({
  encryptionKey: new Uint8Array(16).fill(n),
  surb: new Uint8Array(8),
});
const tag = new Uint8Array(16).fill(7);

function storeAt(start: SurbRotationClock) {
  const clock = { now: start };
  return { clock, store: new ReceivedSurbStore({ rotation: () => clock.now }) };
}

Deno.test("SURBs keep their block's rotation; the previous rotation's parity maps to the previous id", () => {
  const { store } = storeAt({ keyRotationId: 6, absoluteEpochId: 50 });
  store.add(tag, [surb(1)], 2); // even: rotation 6
  store.add(tag, [surb(2)], 1); // odd: built under rotation 5, arriving after the rotation
  store.add(tag, [surb(3)], 0); // unknown (an old client): counted as current
  assertEquals(store.count(tag), 3);
  assertEquals(store.freshCount(tag), 2);
  // the previous rotation's first, then in arrival order
  assertEquals(
    [store.take(tag), store.take(tag), store.take(tag)].map((
      s,
    ) => [s!.rotationId, s!.keyRotation, s!.encryptionKey[0]]),
    [
      [5, 1, 2],
      [6, 2, 1],
      [6, 0, 3],
    ],
  );
  assertEquals(store.take(tag), undefined);
});

Deno.test("a rotation's SURBs work through the next rotation's first epoch, then are dropped", () => {
  const { clock, store } = storeAt({ keyRotationId: 3, absoluteEpochId: 10 });
  store.add(tag, [surb(1), surb(2)], 1);
  clock.now = { keyRotationId: 3, absoluteEpochId: 11 };
  assertEquals([store.count(tag), store.freshCount(tag)], [2, 2]);
  clock.now = { keyRotationId: 4, absoluteEpochId: 12 }; // overlap epoch: still usable, not fresh
  assertEquals([store.count(tag), store.freshCount(tag)], [2, 0]);
  store.add(tag, [surb(3)], 2); // fresh ones arrive
  assertEquals([store.count(tag), store.freshCount(tag)], [3, 1]);
  assertEquals(store.take(tag)!.encryptionKey[0], 1); // the old ones go first
  clock.now = { keyRotationId: 4, absoluteEpochId: 13 }; // rotation 3's keys are purged
  assertEquals([store.count(tag), store.freshCount(tag)], [1, 1]);
  assertEquals(store.take(tag)!.encryptionKey[0], 3);
});

Deno.test("SURBs two rotations old are dropped even without seeing the overlap epoch", () => {
  const { clock, store } = storeAt({ keyRotationId: 3, absoluteEpochId: 10 });
  store.add(tag, [surb(1)], 1);
  clock.now = { keyRotationId: 5, absoluteEpochId: 14 };
  assertEquals(store.count(tag), 0);
  assertEquals(store.take(tag), undefined);
});

Deno.test("without a rotation clock SURBs never expire", () => {
  const store = new ReceivedSurbStore();
  store.add(tag, [surb(1)], 1);
  assertEquals([store.count(tag), store.freshCount(tag)], [1, 1]);
  assertEquals(store.take(tag)!.rotationId, 0);
});
