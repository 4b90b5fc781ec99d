// GatewayClient ⇄ localnet gateway over real loopback sockets with Deno's WebSocket: registration,
// authenticateV2, bandwidth, forwarding, stored messages, duplicate sessions, forged requests and
// malformed input.
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import {
  harness,
  RawPeer,
  Received,
  sameClient,
  spyWebSocket,
  START_MS,
  testPacket,
} from "./_gateway_harness.ts";
import { clientFrame, rawConnect } from "./_raw_websocket.ts";
import {
  type AuthenticateV2Request,
  createAuthenticateV2Request,
  decodeHandshakeText,
  decodeServerResponse,
  encodeClientRequest,
  encodeForwardFrame,
  encodeHandshakeText,
  type GatewayCloseEvent,
  GatewayProtocolError,
  respondToGatewayMaterial,
  startClientHandshake,
} from "../gateway/mod.ts";
import {
  FREE_TESTNET_BANDWIDTH_BYTES,
  JsonFileClientStore,
  OPCODE,
} from "../localnet/gateway/mod.ts";

const FREE = FREE_TESTNET_BANDWIDTH_BYTES;

function authText(request: AuthenticateV2Request): string {
  return encodeClientRequest({ type: "authenticateV2", request });
}

/** Sends `text` as the first message of a fresh raw connection; returns the reply and the close. */
async function rawExchange(url: string, text: string | Uint8Array) {
  const peer = new RawPeer(url);
  await peer.opened;
  peer.send(text);
  const reply = await peer.next();
  const closed = await peer.closed;
  return { reply, closed };
}

Deno.test("a new client registers, claims free bandwidth and its packets reach forward", async () => {
  const h = await harness();
  const client = h.client();
  const info = await client.connect();
  assertEquals(info, {
    registered: true,
    protocolVersion: 6,
    gatewayProtocolVersion: 6,
    bandwidthRemaining: FREE,
  });
  assertEquals(client.state, "ready");
  assertEquals((await h.waitFor("registered")).client, client.identity);
  await h.waitFor("bandwidthClaimed");
  for (const fill of [1, 2, 3]) await client.sendMixPacket(testPacket(fill));
  // the next control response comes after the three `send` responses on the same socket
  assertEquals(await client.claimBandwidth(), 2 * FREE - 3 * 2413);
  assertEquals(h.forwarded.map((p) => p.packet[0]), [1, 2, 3]);
  assertEquals(h.forwarded[0], testPacket(1));
  const frames = h.events.flatMap((e) => e.type === "forwarded" ? [e.frameVersion] : []);
  assertEquals(frames, [2, 2, 2]);
  assertEquals(h.warnings, []);
  await h.close();
});

Deno.test("a registered client re-authenticates and gets the messages stored meanwhile", async () => {
  const h = await harness();
  const same = sameClient();
  const received = new Received();
  const first = h.client({ ...same, onMessage: received.onMessage });
  await first.connect();
  await first.close();
  await h.waitFor("closed", (e) => e.client !== undefined);
  assertEquals(h.server.isConnected(first.identity), false);
  assertEquals(h.server.deliver(first.identity, Uint8Array.of(1)), "stored");
  assertEquals(h.server.deliver(first.identity, new Uint8Array(1643).fill(2)), "stored");
  assertEquals(h.server.storedMessages(first.identity), 2);

  h.now += 1000;
  const second = h.client({ ...same, onMessage: received.onMessage });
  const info = await second.connect();
  assertEquals(info.registered, false);
  assertEquals(info.protocolVersion, 6);
  // stored messages are pushed before the `authenticate` response, so they are here already
  assertEquals(received.all, [Uint8Array.of(1), new Uint8Array(1643).fill(2)]);
  assertEquals(h.server.storedMessages(first.identity), 0);
  assertEquals((await h.waitFor("authenticated")).client, first.identity);
  // the bandwidth claimed on the first connection persisted; nothing was used
  assertEquals(second.bandwidthRemaining, FREE);
  assertEquals(h.events.filter((e) => e.type === "bandwidthClaimed").length, 1);

  // a connected client gets deliveries pushed at once
  await received.next();
  await received.next();
  assertEquals(h.server.deliver(first.identity, Uint8Array.of(9, 9)), "pushed");
  assertEquals(await received.next(), Uint8Array.of(9, 9));
  await h.close();
});

Deno.test("registrations and timestamps survive a gateway restart with the JSON file store", async () => {
  const dir = await Deno.makeTempDir();
  const same = sameClient();
  const identitySecretKey = crypto.getRandomValues(new Uint8Array(32));
  let lastRequest: AuthenticateV2Request | undefined;
  for (const round of [1, 2]) {
    const store = await JsonFileClientStore.open(dir);
    const h = await harness({ store, identitySecretKey });
    h.now = START_MS + round * 10_000;
    const client = h.client(same);
    const info = await client.connect();
    assertEquals(info.registered, round === 1);
    if (round === 2) {
      // the bandwidth claimed before the restart is still there
      assertEquals(info.bandwidthRemaining, FREE);
      await client.close();
      // replaying the first round's authentication is refused: its timestamp is persisted
      const { reply } = await rawExchange(h.server.url, authText(lastRequest!));
      assert(typeof reply === "string" && reply.includes("smaller than or equal"), String(reply));
    } else {
      await client.close();
      await h.waitFor("closed", (e) => e.client !== undefined);
      // authenticate once so that a timestamp is stored
      h.now += 1000;
      lastRequest = createAuthenticateV2Request({
        protocolVersion: 6,
        sharedKey: (await same.keyStorage.loadSharedKey(h.server.identityKey))!,
        identitySecretKey: same.identitySecretKey,
        nowMs: h.now,
      });
      const peer = new RawPeer(h.server.url);
      await peer.opened;
      peer.send(authText(lastRequest));
      assertEquals(decodeServerResponse(await peer.nextText()).type, "authenticate");
      await peer.close();
    }
    await h.close();
    await store.close();
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a second session is refused while the first one answers the gateway's ping", async () => {
  const h = await harness();
  const same = sameClient();
  const first = h.client(same);
  await first.connect();
  h.now += 2000;
  const second = h.client(same);
  const error = await assertRejects(() => second.connect(), GatewayProtocolError);
  assertEquals(error.kind, "gateway-error");
  assert(error.message.includes("already an open connection"), error.message);
  const rejected = await h.waitFor("rejected");
  assertEquals(rejected.kind, "duplicate");
  // the first session is untouched
  await first.sendMixPacket(testPacket(5));
  assertEquals(await first.claimBandwidth(), 2 * FREE - 2413);
  assertEquals(h.forwarded.length, 1);
  await h.close();
});

Deno.test("an unresponsive old session is dropped in favour of a newer authentication", async () => {
  const h = await harness({ pingTimeoutMs: 100, closeTimeoutMs: 100 });
  const same = sameClient();
  const registering = h.client(same);
  await registering.connect();
  await registering.close();
  await h.waitFor("closed", (e) => e.client !== undefined);
  const sharedKey = (await same.keyStorage.loadSharedKey(h.server.identityKey))!;

  // a raw client that authenticates and then never answers pings
  h.now += 1000;
  const { client: silent } = await rawConnect(h.server.port);
  const request = createAuthenticateV2Request({
    protocolVersion: 6,
    sharedKey,
    identitySecretKey: same.identitySecretKey,
    nowMs: h.now,
  });
  await silent.write(clientFrame(OPCODE.text, new TextEncoder().encode(authText(request))));
  const response = await silent.frame();
  assertEquals(
    decodeServerResponse(new TextDecoder().decode(response!.payload)).type,
    "authenticate",
  );

  h.now += 1000;
  const newer = h.client(same);
  assertEquals((await newer.connect()).registered, false);
  // the old connection got the gateway's Ping (unanswered), then its Close
  const frames = [];
  for (let f = await silent.frame(); f; f = await silent.frame()) frames.push(f.opcode);
  assertEquals(frames, [OPCODE.ping, OPCODE.close]);
  silent.close();
  assertEquals(h.events.filter((e) => e.type === "authenticated").length, 2);
  await newer.sendMixPacket(testPacket());
  assertEquals(await newer.claimBandwidth(), 2 * FREE - 2413);
  await h.close();
});

Deno.test("an authentication older than the live session is refused as stale", async () => {
  const h = await harness();
  const same = sameClient();
  h.now = START_MS + 500;
  const first = h.client(same);
  await first.connect(); // registered at START_MS + 500 ms
  const second = h.client(same); // authenticates with timestamp START_MS / 1000 s
  await assertRejects(() => second.connect(), GatewayProtocolError);
  const rejected = await h.waitFor("rejected");
  assert(rejected.reason.includes("stale"), rejected.reason);
  assertEquals(first.state, "ready");
  await h.close();
});

Deno.test("forged authenticateV2 requests are refused and their connections closed", async () => {
  const h = await harness();
  const same = sameClient();
  const client = h.client(same);
  await client.connect();
  await client.close();
  await h.waitFor("closed", (e) => e.client !== undefined);
  const sharedKey = (await same.keyStorage.loadSharedKey(h.server.identityKey))!;
  const random = crypto.getRandomValues.bind(crypto);
  const make = (o: { nowMs?: number; key?: Uint8Array; secret?: Uint8Array } = {}) =>
    createAuthenticateV2Request({
      protocolVersion: 6,
      sharedKey: o.key ?? sharedKey,
      identitySecretKey: o.secret ?? same.identitySecretKey,
      nowMs: o.nowMs ?? h.now,
    });

  // one genuine authentication, so that its timestamp becomes the last one used
  h.now += 5000;
  const genuine = make();
  const ok = await rawExchangeKeepOpen(h.server.url, authText(genuine));
  assertEquals(decodeServerResponse(ok).type, "authenticate");
  await h.waitForNth("closed", 2, (e) => e.client !== undefined);

  const signature = genuine.requestSignature.slice();
  signature[3] ^= 1;
  const cases: [string, string, AuthenticateV2Request][] = [
    ["bad signature", "signature", { ...genuine, requestSignature: signature }],
    ["wrong key", "ciphertext", make({ key: random(new Uint8Array(32)) })],
    ["stale timestamp", "timestamp", make({ nowMs: h.now - 121_000 })],
    ["future timestamp", "timestamp", make({ nowMs: h.now + 121_000 })],
    ["replayed timestamp", "replay", genuine],
    ["older timestamp", "replay", make({ nowMs: h.now - 1000 })],
    ["unregistered client", "not-registered", make({ secret: random(new Uint8Array(32)) })],
  ];
  for (const [name, kind, request] of cases) {
    const { reply, closed } = await rawExchange(h.server.url, authText(request));
    const response = decodeServerResponse(reply as string);
    assert(response.type === "error", `${name}: ${reply}`);
    assertEquals(closed.code, 1008, name);
    const rejected = await h.waitFor("rejected", (e) => e.reason === response.message);
    assertEquals(rejected.kind, kind, name);
  }
  assertEquals(h.warnings.filter((w) => w.includes("failed to authenticate")).length, 7);
  await h.close();
});

async function rawExchangeKeepOpen(url: string, text: string): Promise<string> {
  const peer = new RawPeer(url);
  await peer.opened;
  peer.send(text);
  const reply = await peer.nextText();
  await peer.close();
  return reply;
}

Deno.test("malformed input closes only that connection", async () => {
  const h = await harness();
  const steady = h.client();
  await steady.connect();

  const before: [string, string | Uint8Array, string][] = [
    ["bad JSON", "{nope", "Only 'Register' or 'Authenticate'"],
    ["unknown type", '{"type":"fooBar"}', "Only 'Register' or 'Authenticate'"],
    [
      "claim before auth",
      '{"type":"claimFreeTestnetBandwidth"}',
      "Only 'Register' or 'Authenticate'",
    ],
    ["binary before auth", new Uint8Array(100), "without prior authentication"],
    ["legacy authenticate", '{"type":"authenticate"}', "legacy authentication"],
  ];
  for (const [name, message, expected] of before) {
    const { reply, closed } = await rawExchange(h.server.url, message);
    const response = decodeServerResponse(reply as string);
    assert(response.type === "error" && response.message.includes(expected), `${name}: ${reply}`);
    assertEquals(closed.code, 1008, name);
  }

  // after authentication, on a client's own socket
  const frame = (key: Uint8Array) => encodeForwardFrame(testPacket(), 2, key);
  const after: [string, (key: Uint8Array) => string | Uint8Array][] = [
    ["bad JSON", () => "[1,2"],
    ["unknown type", () => '{"type":"fooBar"}'],
    ["truncated binary frame", (key) => frame(key).subarray(0, 1000)],
    ["frame shorter than a nonce", () => Uint8Array.of(2, 1, 0)],
    ["bad AEAD tag", (key) => {
      const f = frame(key);
      f[f.length - 1] ^= 1;
      return f;
    }],
    ["unknown frame kind", (key) => Uint8Array.of(9, ...frame(key).subarray(1))],
    ["wrong packet size", (key) => encodeForwardFrame(testPacket(), 2, key).subarray(0, 2451)],
  ];
  for (const [name, build] of after) {
    const spy = spyWebSocket();
    const same = sameClient();
    const closed = Promise.withResolvers<number>();
    const errors: GatewayProtocolError[] = [];
    const victim = h.client({
      ...same,
      WebSocket: spy.Ctor,
      onClose: (e) => closed.resolve(e.code),
      onError: (e) => errors.push(e),
    });
    await victim.connect();
    const key = (await same.keyStorage.loadSharedKey(h.server.identityKey))!;
    spy.sockets[0].send(build(key));
    assertEquals(await closed.promise, 1008, name);
    assertEquals(victim.state, "closed", name);
    assertEquals(errors.map((e) => e.kind), ["gateway-error"], name);
  }
  assertEquals(h.warnings.length, before.length + after.length);
  assert(
    h.warnings.every((w) => w.startsWith("closing connection from 127.0.0.1:")),
    h.warnings.join("\n"),
  );

  // the steady client was never disturbed
  await steady.sendMixPacket(testPacket(7));
  assertEquals(await steady.claimBandwidth(), 2 * FREE - 2413);
  assertEquals(h.forwarded.map((p) => p.packet[0]), [7]);
  await h.close();
});

Deno.test("a connection that stays silent is closed after the initial message timeout", async () => {
  const h = await harness({ initialMessageTimeoutMs: 50 });
  const peer = new RawPeer(h.server.url);
  await peer.opened;
  const response = decodeServerResponse(await peer.nextText());
  assert(response.type === "error" && response.message.includes("timed out"), String(response));
  assertEquals((await peer.closed).code, 1008);
  assert(h.warnings[0].includes("timed out while waiting for initial data"), h.warnings[0]);
  await h.close();
});

Deno.test("the gateway adopts the official 1.4.1 client's proposals: 3 to register, 4 to authenticate", async () => {
  const h = await harness();
  const random = crypto.getRandomValues.bind(crypto);
  const identitySecretKey = random(new Uint8Array(32));
  const peer = new RawPeer(h.server.url);
  await peer.opened;
  peer.send('{"type":"supportedProtocol"}');
  assertEquals(await peer.nextText(), '{"type":"supportedProtocol","version":6}');
  const state = startClientHandshake({ identitySecretKey });
  peer.send(
    encodeHandshakeText({ type: "handshakePayload", protocolVersion: 3, data: state.init }),
  );
  const material = decodeHandshakeText(await peer.nextText());
  assert(material.type === "handshakePayload");
  assertEquals(material.protocolVersion, 3);
  const done = respondToGatewayMaterial(state, material.data, h.server.identityKey);
  peer.send(
    encodeHandshakeText({ type: "handshakePayload", protocolVersion: 3, data: done.material }),
  );
  assertEquals(
    decodeHandshakeText(await peer.nextText()),
    { type: "handshakePayload", protocolVersion: 3, data: Uint8Array.of(1) },
  );
  assertEquals(
    await peer.nextText(),
    '{"type":"register","protocol_version":3,"status":true,"upgrade_mode":false}',
  );
  peer.send('{"type":"claimFreeTestnetBandwidth"}');
  assertEquals(decodeServerResponse(await peer.nextText()).type, "bandwidth");
  // at version 3 the official client sends ForwardSphinx (v1) frames
  peer.send(encodeForwardFrame(testPacket(), 1, done.sharedKey));
  assertEquals(decodeServerResponse(await peer.nextText()).type, "send");
  await peer.close();
  await h.waitFor("closed", (e) => e.client !== undefined);

  h.now += 1000;
  const auth = (protocolVersion: number) =>
    authText(
      createAuthenticateV2Request({
        protocolVersion,
        sharedKey: done.sharedKey,
        identitySecretKey,
        nowMs: h.now,
      }),
    );
  assertEquals(
    decodeServerResponse(await rawExchangeKeepOpen(h.server.url, auth(4))),
    {
      type: "authenticate",
      protocolVersion: 4,
      status: true,
      bandwidthRemaining: FREE - 2413,
      upgradeMode: false,
    },
  );
  await h.waitForNth("closed", 2, (e) => e.client !== undefined);
  h.now += 1000;
  const { reply } = await rawExchange(h.server.url, auth(3));
  assert(String(reply).includes("incompatible protocol version"), String(reply));
  assertEquals(
    h.events.filter((e) => e.type === "forwarded").map((e) =>
      e.type === "forwarded" && e.frameVersion
    ),
    [1],
  );
  await h.close();
});

Deno.test("the client sends ForwardSphinxV2 from protocol 5 and ForwardSphinx below", async () => {
  for (const [gatewayVersion, frameVersion] of [[6, 2], [5, 2], [4, 1]] as const) {
    const h = await harness({ protocolVersion: gatewayVersion });
    const client = h.client();
    assertEquals((await client.connect()).protocolVersion, gatewayVersion);
    await client.sendMixPacket(testPacket(1, 1));
    await client.claimBandwidth();
    const event = await h.waitFor("forwarded");
    assertEquals(event.frameVersion, frameVersion);
    assertEquals(event.packet.keyRotation, frameVersion === 2 ? 1 : 0);
    await h.close();
  }
  const old = await harness({ protocolVersion: 3 });
  const client = old.client();
  const error = await assertRejects(() => client.connect(), GatewayProtocolError);
  assertEquals(error.kind, "protocol-version");
  assertEquals(client.state, "closed");
  await old.close();
});

Deno.test("a client out of bandwidth gets a typed error and keeps its connection", async () => {
  const h = await harness({ freeBandwidthBytes: 3000 });
  const errors: GatewayProtocolError[] = [];
  const client = h.client({ bandwidthThreshold: 0, onError: (e) => errors.push(e) });
  assertEquals((await client.connect()).bandwidthRemaining, 0);
  await client.sendMixPacket(testPacket());
  assertEquals(await client.claimBandwidth(), 3000); // the refused packet used nothing
  assertEquals(errors.map((e) => e.kind), ["gateway-error"]);
  assert(errors[0].message.includes("required 2413 B, available 0 B"), errors[0].message);
  assertEquals(h.forwarded.length, 0);
  await client.sendMixPacket(testPacket());
  assertEquals(await client.claimBandwidth(), 6000 - 2413);
  assertEquals(h.forwarded.length, 1);
  await h.close();
});

Deno.test("messages for an offline client are bounded and the newest refused", async () => {
  const h = await harness({ maxStoredMessages: 3 });
  const same = sameClient();
  const received = new Received();
  const client = h.client({ ...same, onMessage: received.onMessage });
  await client.connect();
  await client.close();
  await h.waitFor("closed", (e) => e.client !== undefined);
  const outcomes = [1, 2, 3, 4, 5].map((i) => h.server.deliver(client.identity, Uint8Array.of(i)));
  assertEquals(outcomes, ["stored", "stored", "stored", "refused", "refused"]);
  assertEquals(h.server.storedMessages(client.identity), 3);
  assertEquals(h.warnings.filter((w) => w.includes("is full (client-messages)")).length, 2);
  h.now += 1000;
  await h.client({ ...same, onMessage: received.onMessage }).connect();
  // what was stored (and acknowledged) is all delivered
  assertEquals(received.all, [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]);
  await h.close();
});

Deno.test("closing the gateway closes every connection", async () => {
  const h = await harness();
  const closes = [
    Promise.withResolvers<GatewayCloseEvent>(),
    Promise.withResolvers<GatewayCloseEvent>(),
  ];
  const clients = closes.map((c) => h.client({ onClose: c.resolve }));
  for (const c of clients) await c.connect();
  const silent = new RawPeer(h.server.url);
  await silent.opened;
  await h.server.close();
  assertEquals((await silent.closed).code, 1001);
  for (const c of closes) {
    const event = await c.promise;
    assertEquals([event.code, event.byClient], [1001, false]);
  }
  for (const c of clients) assertEquals(c.state, "closed");
  await h.close();
});

Deno.test("a Ping before authentication is refused like Nym's gateway does", async () => {
  const h = await harness({ closeTimeoutMs: 50 }); // the raw peer never answers our Close
  const { client: raw, head } = await rawConnect(h.server.port);
  assert(head.startsWith("HTTP/1.1 101 "), head);
  await raw.write(clientFrame(OPCODE.ping, Uint8Array.of(1)));
  const frames = [];
  for (let f = await raw.frame(); f; f = await raw.frame()) frames.push(f);
  // auto Pong, then the error response, then Close 1008
  assertEquals(frames.map((f) => f.opcode), [OPCODE.pong, OPCODE.text, OPCODE.close]);
  const response = decodeServerResponse(new TextDecoder().decode(frames[1].payload));
  assert(response.type === "error" && response.message.includes("type ping"), String(response));
  raw.close();
  await h.close();
});

Deno.test("connecting where no gateway listens fails with a closed error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const h = await harness();
  const client = h.client({ url: `ws://127.0.0.1:${port}` });
  const error = await assertRejects(() => client.connect(), GatewayProtocolError);
  assertEquals(error.kind, "closed");
  assertEquals(client.state, "closed");
  await h.close();
});
