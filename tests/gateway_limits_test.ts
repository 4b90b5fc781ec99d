// The localnet gateway against hostile peers: each test reproduces an attack at a small scale
// (lock-out through unproven handshakes, bandwidth overflow, registration rewrites, sockets that
// never read, idle and slow connections, junk mail for offline or unknown clients).
import { assert, assertEquals } from "./_assert.ts";
import { harness, RawPeer, Received, sameClient } from "./_gateway_harness.ts";
import { handleFinalHop } from "../localnet/final_hop.ts";
import { encodeNodeAddress, PACKET_SIZES } from "../sphinx/mod.ts";
import { encodeClientRequest, startClientHandshake } from "../gateway/mod.ts";
import {
  CLIENT_STORE_FILE_NAME,
  JsonFileClientStore,
  MemoryClientStore,
  MessageInbox,
} from "../localnet/gateway/mod.ts";
import { toBase58 } from "../internal/encoding.ts";

Deno.test("unproven handshakes naming a client's identity do not delay its authentication", async () => {
  const h = await harness({ handshakeStepTimeoutMs: 2_000 });
  const same = sameClient();
  const first = h.client(same);
  await first.connect();
  await first.close();
  await h.waitFor("closed", (e) => e.client !== undefined);
  // Attackers know the victim's identity (it is in its address) and start registrations under
  // it, then go silent: the gateway waits for their next handshake message.
  const attackers = Array.from({ length: 3 }, () => new RawPeer(h.server.url));
  for (const peer of attackers) {
    await peer.opened;
    const init =
      startClientHandshake({ identitySecretKey: crypto.getRandomValues(new Uint8Array(32)) }).init;
    init.set(first.identity, 0);
    peer.send(
      encodeClientRequest({ type: "registerHandshakeInitRequest", protocolVersion: 6, data: init }),
    );
  }
  await attackers[0].next(); // the gateway answered the first one: its handshake is pending
  h.now += 1000;
  const second = h.client(same);
  const info = await second.connect();
  assertEquals(info.registered, false);
  // the victim got in while every attacker's handshake was still pending
  assertEquals(h.events.filter((e) => e.type === "rejected").length, 0);
  for (const peer of attackers) await peer.close();
  await h.close();
});

Deno.test("free bandwidth claims saturate at 2^53 - 1 and are persisted exactly", async () => {
  const store = new MemoryClientStore();
  const h = await harness({ freeBandwidthBytes: 2 ** 52, store });
  const client = h.client();
  await client.connect();
  let total = 0;
  for (let i = 0; i < 3; i++) total = await client.claimBandwidth();
  assertEquals(total, Number.MAX_SAFE_INTEGER);
  assertEquals((await store.get(client.identity))?.bandwidth, Number.MAX_SAFE_INTEGER);
  await h.close();
});

Deno.test("a persisted bandwidth above 2^53 is clamped, so the store still opens", async () => {
  const dir = await Deno.makeTempDir();
  const alice = new Uint8Array(32).fill(1);
  const record = { shared_key: toBase58(new Uint8Array(32).fill(2)), last_auth_timestamp: null };
  await Deno.writeTextFile(
    `${dir}/${CLIENT_STORE_FILE_NAME}`,
    // what an older gateway wrote after 2^17 claims of 64 GiB: 2^53, inexact
    `{"version":1,"clients":{"${toBase58(alice)}":${
      JSON.stringify({ ...record, bandwidth: 2 ** 53 + 2 ** 36 })
    }}}`,
  );
  const store = await JsonFileClientStore.open(dir);
  assertEquals((await store.get(alice))?.bandwidth, Number.MAX_SAFE_INTEGER);
  await store.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a registration update appends a line instead of rewriting every client", async () => {
  const dir = await Deno.makeTempDir();
  const store = await JsonFileClientStore.open(dir);
  const clients = 3000;
  for (let i = 0; i < clients; i++) {
    const id = new Uint8Array(32);
    new DataView(id.buffer).setUint32(0, i + 1);
    void store.upsertSharedKey(id, new Uint8Array(32).fill(7));
  }
  await store.close(); // folds the log into the snapshot
  const snapshot = await Deno.readTextFile(store.path);
  const reopened = await JsonFileClientStore.open(dir);
  const writesBefore = reopened.snapshotWrites;
  const victim = new Uint8Array(32);
  new DataView(victim.buffer).setUint32(0, 1);
  const updates = 200;
  for (let i = 1; i <= updates; i++) await reopened.update(victim, { bandwidth: i });
  // the snapshot (hundreds of KiB) was not rewritten; the log grew by one short line per update
  assertEquals(reopened.snapshotWrites, writesBefore);
  assertEquals(await Deno.readTextFile(store.path), snapshot);
  const logBytes = (await Deno.stat(`${store.path}.log`)).size;
  assert(logBytes <= updates * 200, `log is ${logBytes} bytes for ${updates} updates`);
  assert(snapshot.length > 100 * 200, `snapshot is only ${snapshot.length} bytes`);
  await reopened.close();
  const again = await JsonFileClientStore.open(dir);
  assertEquals((await again.get(victim))?.bandwidth, updates);
  await again.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a torn last log line is ignored and a corrupt earlier one refused", async () => {
  const dir = await Deno.makeTempDir();
  const store = await JsonFileClientStore.open(dir);
  const alice = new Uint8Array(32).fill(1);
  await store.upsertSharedKey(alice, new Uint8Array(32).fill(2));
  await store.update(alice, { bandwidth: 5 });
  // simulate a crash: the log is left as it is, plus half a line
  await Deno.writeTextFile(`${store.path}.log`, '{"id":"', { append: true });
  const reopened = await JsonFileClientStore.open(dir);
  assertEquals((await reopened.get(alice))?.bandwidth, 5);
  await reopened.close();
  await Deno.writeTextFile(`${store.path}.log`, 'nonsense\n{"id":"x","deleted":true}\n');
  let refused = false;
  try {
    await JsonFileClientStore.open(dir);
  } catch (error) {
    refused = (error as Error).name === "ClientStoreError";
  }
  assert(refused, "a corrupt log line was accepted");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("mail for an identity that never registered is refused and kept nowhere", async () => {
  const h = await harness();
  const stranger = crypto.getRandomValues(new Uint8Array(32));
  for (let i = 0; i < 100; i++) {
    assertEquals(h.server.deliver(stranger, new Uint8Array(1600)), "refused");
  }
  assertEquals(h.server.storedMessages(stranger), 0);
  await h.close();
});

Deno.test("the inbox is bounded for all clients together and in time", () => {
  let now = 0;
  const expired: number[] = [];
  const inbox = new MessageInbox({
    maxTotalBytes: 1000,
    ttlMs: 60_000,
    now: () => now,
    onDrop: (_c, n) => expired.push(n),
  });
  const clients = Array.from({ length: 3 }, (_, i) => new Uint8Array(32).fill(i + 1));
  assert(inbox.store(clients[0], new Uint8Array(500)));
  assert(inbox.store(clients[1], new Uint8Array(500)));
  assert(!inbox.store(clients[2], new Uint8Array(1))); // the global cap
  assertEquals(inbox.totalBytes, 1000);
  now += 30_000;
  assert(!inbox.store(clients[2], new Uint8Array(1)));
  now += 30_000; // the first two are 60 s old: expired
  assertEquals(inbox.purgeExpired(), 2);
  assertEquals([inbox.totalBytes, inbox.count(clients[0])], [0, 0]);
  assertEquals(expired, [1, 1]);
  assert(inbox.store(clients[2], new Uint8Array(1)));
});

function finalHopPlaintext(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(405 + message.length);
  out.set(encodeNodeAddress("127.0.0.1:1789"));
  out.fill(0xac, 19, 405);
  out.set(message, 405);
  return out;
}

Deno.test("junk for an offline client cannot erase its acknowledged mail", async () => {
  // The attack at 1/100 scale: an inbox of 10, 5 real messages, then 30 junk packets.
  const h = await harness({ maxStoredMessages: 10 });
  const same = sameClient();
  const received = new Received();
  const client = h.client({ ...same, onMessage: received.onMessage });
  await client.connect();
  await client.close();
  await h.waitFor("closed", (e) => e.client !== undefined);
  const acks: Uint8Array[] = [];
  const target = {
    deliver: (c: Uint8Array, m: Uint8Array) => h.server.deliver(c, m),
    sendAck: (_hostPort: string, packet: Uint8Array) => acks.push(packet),
  };
  const frame = { packetSize: PACKET_SIZES.regular, keyRotation: 0 } as const;
  const hop = (m: Uint8Array) => ({
    destination: client.identity,
    plaintext: finalHopPlaintext(m),
  });
  for (let i = 1; i <= 5; i++) {
    assertEquals(handleFinalHop(hop(Uint8Array.of(i)), frame, target), "stored");
  }
  const junk = Array.from(
    { length: 30 },
    () => handleFinalHop(hop(Uint8Array.of(0)), frame, target),
  );
  assertEquals(junk.filter((o) => o === "refused").length, 25);
  // a SURB-ACK left for every stored message and for nothing else
  assertEquals(acks.length, 10);
  h.now += 1000;
  await h.client({ ...same, onMessage: received.onMessage }).connect();
  assertEquals(received.all.slice(0, 5), [1, 2, 3, 4, 5].map((i) => Uint8Array.of(i)));
  assertEquals(received.all.length, 10);
  await h.close();
});
