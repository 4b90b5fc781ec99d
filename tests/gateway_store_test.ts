// The gateway's client stores (memory, JSON file) and the bounded inbox for offline clients.
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { toBase58 } from "../internal/encoding.ts";
import {
  CLIENT_STORE_FILE_NAME,
  ClientStoreError,
  JsonFileClientStore,
  MemoryClientStore,
  MessageInbox,
} from "../localnet/gateway/mod.ts";

const alice = new Uint8Array(32).fill(1);
const bob = new Uint8Array(32).fill(2);
const key1 = new Uint8Array(32).fill(0xa1);
const key2 = new Uint8Array(32).fill(0xa2);

Deno.test("a new shared key keeps the client's bandwidth and last timestamp", async () => {
  const store = new MemoryClientStore();
  assertEquals(await store.get(alice), undefined);
  await store.update(alice, { bandwidth: 5 }); // unknown client: nothing happens
  assertEquals(await store.get(alice), undefined);
  await store.upsertSharedKey(alice, key1);
  assertEquals(await store.get(alice), {
    sharedKey: key1,
    lastAuthTimestamp: undefined,
    bandwidth: 0,
  });
  await store.update(alice, { bandwidth: 100, lastAuthTimestamp: 42 });
  await store.update(alice, { bandwidth: 90 });
  await store.upsertSharedKey(alice, key2);
  assertEquals(await store.get(alice), { sharedKey: key2, lastAuthTimestamp: 42, bandwidth: 90 });
  // returned records are copies
  (await store.get(alice))!.sharedKey.fill(0);
  assertEquals((await store.get(alice))!.sharedKey, key2);
  await store.delete(alice);
  assertEquals(await store.get(alice), undefined);
  await store.close();
});

Deno.test("the JSON file store persists every change across a reopen", async () => {
  const dir = await Deno.makeTempDir();
  const store = await JsonFileClientStore.open(`${dir}/nested/data`);
  assertEquals(await store.get(alice), undefined);
  await store.upsertSharedKey(alice, key1);
  await store.upsertSharedKey(bob, key2);
  // many changes without awaiting: writes coalesce and the last state wins
  for (let i = 1; i <= 50; i++) void store.update(alice, { bandwidth: i * 1000 });
  void store.update(bob, { lastAuthTimestamp: 1_800_000_000 });
  await store.delete(bob);
  await store.close();

  const text = await Deno.readTextFile(`${dir}/nested/data/${CLIENT_STORE_FILE_NAME}`);
  const doc = JSON.parse(text);
  assertEquals(doc, {
    version: 1,
    clients: {
      [toBase58(alice)]: {
        shared_key: toBase58(key1),
        last_auth_timestamp: null,
        bandwidth: 50_000,
      },
    },
  });
  const reopened = await JsonFileClientStore.open(`${dir}/nested/data`);
  assertEquals(await reopened.get(alice), {
    sharedKey: key1,
    lastAuthTimestamp: undefined,
    bandwidth: 50_000,
  });
  assertEquals(await reopened.get(bob), undefined);
  await reopened.update(alice, { lastAuthTimestamp: 7 });
  await reopened.close();
  assertEquals(
    (await (await JsonFileClientStore.open(`${dir}/nested/data`)).get(alice))?.lastAuthTimestamp,
    7,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a malformed store file is refused with ClientStoreError", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/${CLIENT_STORE_FILE_NAME}`;
  const record = { shared_key: toBase58(key1), last_auth_timestamp: null, bandwidth: 0 };
  const bad = [
    "{not json",
    "[]",
    JSON.stringify({ version: 2, clients: {} }),
    JSON.stringify({ version: 1 }),
    JSON.stringify({ version: 1, clients: { "0OIl": record } }), // not base58
    JSON.stringify({ version: 1, clients: { [toBase58(alice.subarray(1))]: record } }),
    JSON.stringify({ version: 1, clients: { [toBase58(alice)]: { ...record, shared_key: "0" } } }),
    JSON.stringify({
      version: 1,
      clients: { [toBase58(alice)]: { ...record, shared_key: toBase58(key1.subarray(1)) } },
    }),
    JSON.stringify({ version: 1, clients: { [toBase58(alice)]: { ...record, bandwidth: "1" } } }),
    JSON.stringify({
      version: 1,
      clients: { [toBase58(alice)]: { ...record, last_auth_timestamp: 1.5 } },
    }),
    JSON.stringify({ version: 1, clients: { [toBase58(alice)]: null } }),
  ];
  for (const text of bad) {
    await Deno.writeTextFile(path, text);
    await assertRejects(() => JsonFileClientStore.open(dir), ClientStoreError);
  }
  await Deno.writeTextFile(
    path,
    JSON.stringify({ version: 1, clients: { [toBase58(alice)]: record } }),
  );
  assertEquals((await (await JsonFileClientStore.open(dir)).get(alice))?.bandwidth, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the inbox keeps at most N messages per client and refuses newer ones", () => {
  const refusals: [string, string][] = [];
  const inbox = new MessageInbox({
    maxMessages: 3,
    onRefuse: (c, reason) => refusals.push([toBase58(c), reason]),
  });
  const stored = [1, 2, 3, 4, 5].map((i) => inbox.store(alice, Uint8Array.of(i)));
  assertEquals(stored, [true, true, true, false, false]);
  assert(inbox.store(bob, Uint8Array.of(9)));
  assertEquals(inbox.count(alice), 3);
  assertEquals(refusals, [[toBase58(alice), "client-messages"], [
    toBase58(alice),
    "client-messages",
  ]]);
  assertEquals(inbox.take(alice), [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]);
  assertEquals(inbox.take(alice), []);
  assertEquals(inbox.take(bob), [Uint8Array.of(9)]);
});

Deno.test("the inbox keeps at most B bytes per client and refuses what does not fit", () => {
  const inbox = new MessageInbox({ maxBytes: 100 });
  assert(inbox.store(alice, new Uint8Array(40).fill(1)));
  assert(inbox.store(alice, new Uint8Array(40).fill(2)));
  assert(!inbox.store(alice, new Uint8Array(40).fill(3))); // 120 bytes: refused
  assert(inbox.store(alice, new Uint8Array(20).fill(4))); // exactly 100
  assertEquals(inbox.take(alice).map((m) => m[0]), [1, 2, 4]);
  assert(!inbox.store(alice, new Uint8Array(101))); // larger than the whole budget
  assertEquals([inbox.count(alice), inbox.totalBytes], [0, 0]);
});

Deno.test("restored messages go back in front of newer ones", () => {
  const inbox = new MessageInbox();
  inbox.store(alice, Uint8Array.of(1));
  inbox.store(alice, Uint8Array.of(2));
  const taken = inbox.take(alice);
  inbox.store(alice, Uint8Array.of(3));
  inbox.restore(alice, taken);
  assertEquals(inbox.take(alice), [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]);
  assert(inbox.count(alice) === 0);
});
