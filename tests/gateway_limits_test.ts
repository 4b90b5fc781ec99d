// The localnet gateway against hostile peers: each test reproduces an attack at a small scale
// (lock-out through unproven handshakes, bandwidth overflow, registration rewrites, sockets that
// never read, idle and slow connections, junk mail for offline or unknown clients).
import { assert, assertEquals } from "./_assert.ts";
import { harness, RawPeer, Received, sameClient } from "./_gateway_harness.ts";
import { handleFinalHop } from "../localnet/final_hop.ts";
import { clientFrame, type RawClient, rawConnect } from "./_raw_websocket.ts";
import { encodeNodeAddress, PACKET_SIZES } from "../sphinx/mod.ts";
import { encodeClientRequest, startClientHandshake } from "../gateway/mod.ts";
import {
  CLIENT_STORE_FILE_NAME,
  JsonFileClientStore,
  MemoryClientStore,
  MessageInbox,
  OPCODE,
  ServerWebSocket,
  type ServerWebSocketOptions,
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

/** `count` masked text frames of `size` bytes each, back to back. */
function textFrames(count: number, size: number): Uint8Array {
  const one = clientFrame(OPCODE.text, new TextEncoder().encode("x".repeat(size)));
  const out = new Uint8Array(one.length * count);
  for (let i = 0; i < count; i++) out.set(one, i * one.length);
  return out;
}

async function acceptPair(
  options: ServerWebSocketOptions,
): Promise<{ ws: ServerWebSocket; client: RawClient; listener: Deno.Listener }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [ws, { client }] = await Promise.all([
    listener.accept().then((conn) => ServerWebSocket.accept(conn, options)),
    rawConnect(listener.addr.port),
  ]);
  return { ws, client, listener };
}

Deno.test("a peer that sends requests and never reads answers is cut off with bounded buffers", async () => {
  const limits = {
    maxQueuedBytes: 64 * 1024,
    maxPendingWriteBytes: 64 * 1024,
    writeTimeoutMs: 300,
  };
  const { ws, client, listener } = await acceptPair(limits);
  const heapBefore = Deno.memoryUsage().heapUsed;
  // the server answers every message, as the gateway answers requests
  let maxBuffered = 0, answered = 0;
  const serving = (async () => {
    for (;;) {
      const message = await ws.receive();
      if (!message) return;
      maxBuffered = Math.max(maxBuffered, ws.bufferedBytes);
      if (message.type !== "text") continue;
      await ws.sendText(message.data).catch(() => {});
      answered++;
    }
  })();
  // the attacker writes 64 MiB of small requests and reads nothing
  const chunk = textFrames(10_000, 100);
  let written = 0;
  const wroteAll = await (async () => {
    try {
      while (written < 64 * 1024 * 1024) {
        await client.write(chunk);
        written += chunk.length;
      }
      return true;
    } catch {
      return false; // the gateway closed the connection under the write
    }
  })();
  assertEquals(wroteAll, false, "the server read 64 MiB from a peer that reads nothing");
  await serving;
  const heapGrowth = Deno.memoryUsage().heapUsed - heapBefore;
  assertEquals(ws.closeInfo?.error?.kind, "timeout");
  // the cap, plus at most one 64 KiB socket read parsed past it
  assert(maxBuffered <= limits.maxQueuedBytes + 65 * 1024, `buffered ${maxBuffered} bytes`);
  assert(answered > 0);
  assert(heapGrowth < 48 * 1024 * 1024, `heap grew by ${heapGrowth} bytes`);
  client.close();
  await ws.close();
  listener.close();
});

Deno.test("a ping flood from a peer that never reads its pongs closes the connection", async () => {
  const { ws, client, listener } = await acceptPair({ maxPendingWriteBytes: 16 * 1024 });
  const ping = clientFrame(OPCODE.ping, new Uint8Array(125));
  const chunk = new Uint8Array(ping.length * 4096);
  for (let i = 0; i < 4096; i++) chunk.set(ping, i * ping.length);
  const draining = (async () => {
    while (await ws.receive()) { /* the application reads; pongs pile up unread */ }
  })();
  let sent = 0;
  try {
    for (; sent < 64 * 1024 * 1024; sent += chunk.length) await client.write(chunk);
  } catch { /* closed under the write */ }
  assert(sent < 64 * 1024 * 1024, "the whole flood was accepted");
  await draining;
  assertEquals(ws.closeInfo?.error?.kind, "timeout");
  assert(ws.bufferedAmount <= 16 * 1024);
  client.close();
  await ws.close();
  listener.close();
});

Deno.test("a frame that never completes is cut off at the frame deadline", async () => {
  const { ws, client, listener } = await acceptPair({ frameTimeoutMs: 200 });
  // the header of a 100-byte frame and 10 bytes of it, then silence
  await client.write(clientFrame(OPCODE.text, new Uint8Array(100)).subarray(0, 16));
  assertEquals(await ws.receive(), undefined);
  assertEquals(ws.closeInfo?.error?.kind, "timeout");
  client.close();
  await ws.close();
  listener.close();
});

Deno.test("requests before authentication do not keep a connection past the pre-auth deadline", async () => {
  const h = await harness({ preAuthTimeoutMs: 300 });
  const peer = new RawPeer(h.server.url);
  await peer.opened;
  const request = encodeClientRequest({ type: "supportedProtocol" });
  let answers = 0, cut = false;
  for (let i = 0; i < 100_000 && !cut; i++) {
    peer.send(request);
    const reply = await peer.next();
    cut = reply === undefined || (typeof reply === "string" && reply.includes("within 300 ms"));
    if (!cut) answers++;
  }
  assert(cut, `${answers} requests kept the unauthenticated connection open`);
  assert(answers > 0, "nothing was answered");
  const closed = await peer.closed;
  assertEquals(closed.code, 1008);
  assertEquals(h.events.filter((e) => e.type === "rejected").length, 1);
  await h.close();
});

Deno.test("connections beyond the cap are closed at once and the others keep working", async () => {
  const h = await harness({ maxConnections: 2 });
  const first = new RawPeer(h.server.url);
  const second = new RawPeer(h.server.url);
  await Promise.all([first.opened, second.opened]);
  const third = new RawPeer(h.server.url);
  const refused = await third.closed;
  assert(!refused.wasClean || refused.code !== 1000, "the third connection was served");
  assert(h.warnings.some((w) => w.includes("2 are open")));
  first.send(encodeClientRequest({ type: "supportedProtocol" }));
  assert((await first.nextText()).includes("supportedProtocol"));
  await first.close();
  await h.waitFor("closed");
  const fourth = new RawPeer(h.server.url);
  await fourth.opened;
  await Promise.all([second.close(), fourth.close()]);
  await h.close();
});

Deno.test("pushes beyond a connection's pending-write cap are stored instead of buffered", async () => {
  const h = await harness({ websocket: { maxPendingWriteBytes: 16 * 1024 } });
  const client = h.client();
  await client.connect();
  // a burst of 2 KB messages in one go: the socket cannot have written them yet
  const outcomes = Array.from(
    { length: 50 },
    () => h.server.deliver(client.identity, new Uint8Array(2000)),
  );
  const pushed = outcomes.filter((o) => o === "pushed").length;
  assert(pushed > 0 && pushed <= 8, `${pushed} pushed at once`);
  assertEquals(outcomes.filter((o) => o === "stored").length, 50 - pushed);
  assertEquals(h.server.storedMessages(client.identity), 50 - pushed);
  assert(h.server.isConnected(client.identity), "the client was cut off");
  await h.close();
});
