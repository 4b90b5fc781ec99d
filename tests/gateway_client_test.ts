// GatewayClient against a scripted gateway behind a fake WebSocket and a manual clock: timeouts,
// refusals and malformed replies, deterministically.
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { ManualClock, seededRandom, settle } from "./_fixtures/mod.ts";
import { testPacket } from "./_gateway_harness.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import {
  decodeBinaryRequest,
  decodeClientRequest,
  decodeHandshakeText,
  encodeHandshakeText,
  encodePushedMessageFrame,
  encodeServerResponse,
  finishGatewayHandshake,
  GatewayClient,
  type GatewayClientOptions,
  type GatewayHandshakeState,
  GatewayProtocolError,
  MemoryGatewayKeyStorage,
  respondToClientInit,
  type ServerResponse,
  type WebSocketLike,
} from "../gateway/mod.ts";

class FakeSocket implements WebSocketLike {
  binaryType = "blob";
  readyState = 0;
  onopen: ((event: Event) => unknown) | null = null;
  onmessage: ((event: MessageEvent) => unknown) | null = null;
  onclose: ((event: CloseEvent) => unknown) | null = null;
  onerror: ((event: Event) => unknown) | null = null;
  readonly sent: (string | Uint8Array)[] = [];
  peer: ((data: string | Uint8Array) => void) | undefined;

  constructor(readonly url: string) {}

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error("not open");
    this.sent.push(data);
    this.peer?.(data);
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    queueMicrotask(() => this.drop(code, reason));
  }

  // gateway side
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }

  deliver(data: string | Uint8Array): void {
    const payload = typeof data === "string" ? data : data.slice().buffer;
    this.onmessage?.({ data: payload } as MessageEvent);
  }

  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }
}

interface Script {
  version?: number;
  handshakeVersion?: number;
  signWith?: Uint8Array;
  finalization?: number;
  registerReply?: ServerResponse;
  authenticateVersion?: number;
  noisyHandshake?: boolean;
  silent?: boolean;
  /** Answers `claimFreeTestnetBandwidth` with this `error` message. */
  claimError?: string;
  /** Pushes this many stored messages, one per 4 s of `clock`, before `authenticate`. */
  backlog?: { count: number; clock: ManualClock; answer?: false };
  /** Sockets to these URLs fail before opening (e.g. a hostname that does not resolve). */
  unreachable?: string[];
}

/** A fake gateway: answers the client's requests through the codecs. */
function scripted(script: Script = {}) {
  const random = seededRandom(31);
  const c = defaultCrypto();
  const gatewaySecret = random(32);
  const sockets: FakeSocket[] = [];
  const requests: string[] = [];
  let handshake: GatewayHandshakeState | undefined;
  let sharedKey: Uint8Array | undefined;
  let bandwidth = 0;
  const reply = (socket: FakeSocket, text: string | Uint8Array) =>
    queueMicrotask(() => socket.readyState === 1 && socket.deliver(text));
  const respond = (socket: FakeSocket, response: ServerResponse) =>
    reply(socket, encodeServerResponse(response));

  function onClientData(socket: FakeSocket, data: string | Uint8Array): void {
    if (script.silent) return;
    if (typeof data !== "string") {
      bandwidth -= decodeBinaryRequest(data, sharedKey!).packet.packet.length;
      return respond(socket, { type: "send", remainingBandwidth: bandwidth, upgradeMode: false });
    }
    if (handshake) {
      const message = decodeHandshakeText(data);
      if (message.type === "handshakeError") {
        requests.push(`handshakeError: ${message.message}`);
        return;
      }
      sharedKey = finishGatewayHandshake(handshake, message.data);
      handshake = undefined;
      const v = script.handshakeVersion ?? 6;
      reply(
        socket,
        encodeHandshakeText({
          type: "handshakePayload",
          protocolVersion: v,
          data: Uint8Array.of(script.finalization ?? 1),
        }),
      );
      return respond(
        socket,
        script.registerReply ??
          { type: "register", protocolVersion: v, status: true, upgradeMode: false },
      );
    }
    const request = decodeClientRequest(data);
    requests.push(request.type);
    switch (request.type) {
      case "supportedProtocol":
        return respond(socket, { type: "supportedProtocol", version: script.version ?? 6 });
      case "registerHandshakeInitRequest": {
        const state = respondToClientInit({
          init: request.data,
          identitySecretKey: script.signWith ?? gatewaySecret,
          random,
        });
        handshake = state;
        if (script.noisyHandshake) {
          respond(socket, { type: "send", remainingBandwidth: 1, upgradeMode: false });
          reply(socket, "not json at all");
        }
        return reply(
          socket,
          encodeHandshakeText({
            type: "handshakePayload",
            protocolVersion: script.handshakeVersion ?? 6,
            data: state.material,
          }),
        );
      }
      case "authenticateV2":
        if (script.backlog) {
          const { count, clock } = script.backlog;
          let pushed = 0;
          const push = (): void => {
            if (socket.readyState !== 1) return;
            if (pushed++ < count) {
              socket.deliver(encodePushedMessageFrame(Uint8Array.of(pushed), sharedKey!));
              clock.setTimeout(push, 4000);
              return;
            }
            if (script.backlog?.answer === false) return;
            respond(socket, {
              type: "authenticate",
              protocolVersion: 6,
              status: true,
              bandwidthRemaining: 2_000_000_000,
              upgradeMode: false,
            });
          };
          return queueMicrotask(push);
        }
        return respond(socket, {
          type: "authenticate",
          protocolVersion: script.authenticateVersion ?? 6,
          status: true,
          bandwidthRemaining: bandwidth,
          upgradeMode: false,
        });
      case "claimFreeTestnetBandwidth":
        if (script.claimError) {
          return respond(socket, { type: "error", message: script.claimError });
        }
        bandwidth += 1_000_000_000;
        return respond(socket, {
          type: "bandwidth",
          availableTotal: bandwidth,
          upgradeMode: false,
        });
      default:
        return respond(socket, { type: "error", message: "unexpected" });
    }
  }

  const WebSocket = class extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
      this.peer = (data) => onClientData(this, data);
      if (script.unreachable?.includes(url)) queueMicrotask(() => this.drop(1006));
    }
  };
  return {
    WebSocket,
    sockets,
    requests,
    gatewayIdentity: c.ed25519PublicKey(gatewaySecret),
    get sharedKey() {
      return sharedKey;
    },
    set sharedKey(key: Uint8Array | undefined) {
      sharedKey = key;
    },
  };
}

function makeClient(
  gateway: ReturnType<typeof scripted>,
  clock: ManualClock,
  options: Partial<GatewayClientOptions> = {},
): GatewayClient {
  return new GatewayClient({
    url: "ws://gateway.test:9000",
    gatewayIdentity: gateway.gatewayIdentity,
    identitySecretKey: seededRandom(5)(32),
    keyStorage: new MemoryGatewayKeyStorage(),
    WebSocket: gateway.WebSocket,
    clock,
    random: seededRandom(6),
    ...options,
  });
}

/** Starts `connect` and opens the fake socket. */
function connecting(client: GatewayClient, gateway: ReturnType<typeof scripted>) {
  const result = client.connect();
  gateway.sockets.at(-1)!.open();
  return result;
}

Deno.test("the client registers, stores the key, claims bandwidth and uses binaryType arraybuffer", async () => {
  const gateway = scripted();
  const clock = new ManualClock();
  const keyStorage = new MemoryGatewayKeyStorage();
  const client = makeClient(gateway, clock, { keyStorage });
  const info = await connecting(client, gateway);
  assertEquals(info, {
    registered: true,
    protocolVersion: 6,
    gatewayProtocolVersion: 6,
    bandwidthRemaining: 1_000_000_000,
  });
  assertEquals(client.url, "ws://gateway.test:9000");
  assertEquals(gateway.sockets[0].binaryType, "arraybuffer");
  assertEquals(gateway.sockets[0].url, "ws://gateway.test:9000");
  assertEquals(gateway.requests, [
    "supportedProtocol",
    "registerHandshakeInitRequest",
    "claimFreeTestnetBandwidth",
  ]);
  // the handshake init is sent as `handshakePayload` proposing the gateway's version
  const init = decodeHandshakeText(gateway.sockets[0].sent[1] as string);
  assert(init.type === "handshakePayload" && init.protocolVersion === 6);
  assertEquals(await keyStorage.loadSharedKey(gateway.gatewayIdentity), gateway.sharedKey);
  assertEquals(clock.pending, 0, "every step timer was cleared");
  await client.close();
});

Deno.test("each step times out after 5 s of the injected clock", async () => {
  // the socket never opens
  const neverOpens = scripted();
  const clock = new ManualClock();
  const a = makeClient(neverOpens, clock);
  const opening = a.connect();
  clock.advance(4999);
  await settle();
  assertEquals(a.state, "connecting");
  clock.advance(1);
  const error = await assertRejects(() => opening, GatewayProtocolError);
  assertEquals(error.kind, "timeout");
  neverOpens.sockets[0].drop(); // the fake never answers our close; the client gave up at 5 s
  assertEquals(a.state, "closed");

  // the gateway never answers supportedProtocol
  const silent = scripted({ silent: true });
  const b = makeClient(silent, clock);
  const waiting = connecting(b, silent);
  await settle();
  clock.advance(5000);
  assertEquals((await assertRejects(() => waiting, GatewayProtocolError)).kind, "timeout");
  assertEquals(silent.sockets[0].readyState, 3);
  assertEquals(clock.pending, 0);
});

Deno.test("a gateway below protocol 4 is refused", async () => {
  const gateway = scripted({ version: 3 });
  const client = makeClient(gateway, new ManualClock());
  const error = await assertRejects(() => connecting(client, gateway), GatewayProtocolError);
  assertEquals(error.kind, "protocol-version");
  assertEquals(client.state, "closed");
});

Deno.test("a future gateway version is capped at 6 when proposing", async () => {
  const gateway = scripted({ version: 9 });
  const client = makeClient(gateway, new ManualClock());
  const info = await connecting(client, gateway);
  assertEquals(info.gatewayProtocolVersion, 9);
  assertEquals(info.protocolVersion, 6);
  await client.close();
});

Deno.test("a handshake signed by another identity is aborted with handshakeError", async () => {
  const gateway = scripted({ signWith: seededRandom(77)(32) });
  const keyStorage = new MemoryGatewayKeyStorage();
  const client = makeClient(gateway, new ManualClock(), { keyStorage });
  const error = await assertRejects(() => connecting(client, gateway), GatewayProtocolError);
  assertEquals(error.kind, "signature");
  assert(gateway.requests.at(-1)!.startsWith("handshakeError: "), gateway.requests.at(-1));
  assertEquals(await keyStorage.loadSharedKey(gateway.gatewayIdentity), undefined);
});

Deno.test("the client refuses a handshake version outside 3..6", async () => {
  for (const handshakeVersion of [2, 7]) {
    const gateway = scripted({ handshakeVersion });
    const client = makeClient(gateway, new ManualClock());
    const error = await assertRejects(() => connecting(client, gateway), GatewayProtocolError);
    assertEquals(error.kind, "protocol-version");
  }
});

Deno.test("a failed finalization or a refused registration stores no key", async () => {
  const cases: [Script, string][] = [
    [{ finalization: 0 }, "handshake"],
    [{ registerReply: { type: "error", message: "no room" } }, "gateway-error"],
    [
      {
        registerReply: { type: "register", protocolVersion: 6, status: false, upgradeMode: false },
      },
      "gateway-error",
    ],
    [{ registerReply: { type: "supportedProtocol", version: 6 } }, "unexpected-response"],
  ];
  for (const [script, kind] of cases) {
    const gateway = scripted(script);
    const keyStorage = new MemoryGatewayKeyStorage();
    const client = makeClient(gateway, new ManualClock(), { keyStorage });
    const error = await assertRejects(() => connecting(client, gateway), GatewayProtocolError);
    assertEquals(error.kind, kind, JSON.stringify(script));
    assertEquals(await keyStorage.loadSharedKey(gateway.gatewayIdentity), undefined);
  }
});

Deno.test("text that is not part of the handshake is skipped during it", async () => {
  const gateway = scripted({ noisyHandshake: true });
  const client = makeClient(gateway, new ManualClock());
  assertEquals((await connecting(client, gateway)).registered, true);
  await client.close();
});

Deno.test("with a stored key the client authenticates and sends v1 frames at protocol 4", async () => {
  const gateway = scripted({ authenticateVersion: 4 });
  const keyStorage = new MemoryGatewayKeyStorage();
  const key = seededRandom(12)(32);
  await keyStorage.storeSharedKey(gateway.gatewayIdentity, key);
  gateway.sharedKey = key;
  const clock = new ManualClock(1_800_000_000_000);
  const client = makeClient(gateway, clock, { keyStorage });
  const info = await connecting(client, gateway);
  assertEquals(info.registered, false);
  assertEquals(info.protocolVersion, 4);
  assertEquals(gateway.requests, [
    "supportedProtocol",
    "authenticateV2",
    "claimFreeTestnetBandwidth",
  ]);
  const auth = decodeClientRequest(gateway.sockets[0].sent[1] as string);
  assert(auth.type === "authenticateV2");
  assertEquals(auth.request.protocolVersion, 6);
  assertEquals(auth.request.requestUnixTimestamp, 1_800_000_000);
  await client.sendMixPacket(testPacket());
  const frame = gateway.sockets[0].sent.at(-1) as Uint8Array;
  assertEquals(frame[0], 1); // ForwardSphinx
  assertEquals(decodeBinaryRequest(frame, key).version, 1);
  await client.close();
});

Deno.test("pushed frames reach onMessage; undecryptable ones are reported, not delivered", async () => {
  const gateway = scripted();
  const messages: Uint8Array[] = [];
  const errors: GatewayProtocolError[] = [];
  const client = makeClient(gateway, new ManualClock(), {
    onMessage: (m) => messages.push(m),
    onError: (e) => errors.push(e),
  });
  await connecting(client, gateway);
  const socket = gateway.sockets[0];
  socket.deliver(encodePushedMessageFrame(Uint8Array.of(1, 2, 3), gateway.sharedKey!));
  const bad = encodePushedMessageFrame(Uint8Array.of(4), gateway.sharedKey!);
  bad[bad.length - 1] ^= 1;
  socket.deliver(bad);
  socket.deliver(Uint8Array.of(2, 1));
  socket.deliver('{"type":"error","message":"something"}');
  socket.deliver('{"type":"send","remaining_bandwidth":12345}');
  socket.deliver("garbage");
  assertEquals(messages, [Uint8Array.of(1, 2, 3)]);
  assertEquals(errors.map((e) => e.kind), ["aead", "length", "gateway-error", "json"]);
  assertEquals(client.bandwidthRemaining, 12345);
  await client.close();
});

Deno.test("concurrent bandwidth claims share one request; a send below the threshold claims first", async () => {
  const gateway = scripted();
  const claims = () => gateway.requests.filter((r) => r === "claimFreeTestnetBandwidth").length;
  const client = makeClient(gateway, new ManualClock(), {
    bandwidthThreshold: 2_000_000_000 - 1000,
  });
  await connecting(client, gateway);
  assertEquals(claims(), 1);
  const [a, b] = await Promise.all([client.claimBandwidth(), client.claimBandwidth()]);
  assertEquals([a, b], [2_000_000_000, 2_000_000_000]);
  assertEquals(claims(), 2);
  await client.sendMixPacket(testPacket()); // 2e9 is above the threshold: no claim
  await settle(); // the gateway's `send` response lowers the bandwidth below the threshold
  assertEquals(client.bandwidthRemaining, 2_000_000_000 - 2413);
  assertEquals(claims(), 2);
  await client.sendMixPacket(testPacket());
  assertEquals(claims(), 3);
  const sent = gateway.sockets[0].sent;
  assert(
    typeof sent.at(-2) === "string" && sent.at(-1) instanceof Uint8Array,
    "claim, then packet",
  );
  await client.close();
});

Deno.test("a client that is not connected fails with typed errors and can connect again", async () => {
  const gateway = scripted();
  const closes: number[] = [];
  const client = makeClient(gateway, new ManualClock(), { onClose: (e) => closes.push(e.code) });
  const early = await assertRejects(() => client.sendMixPacket(testPacket()), GatewayProtocolError);
  assertEquals(early.kind, "state");
  await client.close(); // nothing to close yet
  assertEquals((await connecting(client, gateway)).registered, true);
  const twice = await assertRejects(() => client.connect(), GatewayProtocolError);
  assertEquals(twice.kind, "state");
  // the gateway drops the connection
  gateway.sockets[0].drop(1006);
  assertEquals(closes, [1006]);
  assertEquals(client.state, "closed");
  const dropped = await assertRejects(
    () => client.sendMixPacket(testPacket()),
    GatewayProtocolError,
  );
  assertEquals(dropped.kind, "closed");
  // a reconnection layered on top: the same client authenticates with the stored key
  const again = await connecting(client, gateway);
  assertEquals(again.registered, false);
  assertEquals(gateway.requests.filter((r) => r === "authenticateV2").length, 1);
  await client.close();
  assertEquals(closes, [1006, 1000]);
});

Deno.test("a nym-node 1.22 gateway (handshake at 3, register at the proposal) is accepted", async () => {
  // supportedProtocol 5, handshake messages at 3, `register` carries 5 (fresh.rs at
  // nym-binaries-v2025.21), no upgrade_mode fields
  const gateway = scripted({
    version: 5,
    handshakeVersion: 3,
    registerReply: { type: "register", protocolVersion: 5, status: true, upgradeMode: false },
  });
  const keyStorage = new MemoryGatewayKeyStorage();
  const client = makeClient(gateway, new ManualClock(), { keyStorage });
  const info = await connecting(client, gateway);
  assertEquals(info.protocolVersion, 5);
  assertEquals(info.gatewayProtocolVersion, 5);
  const sent = gateway.sockets[0].sent;
  const init = decodeHandshakeText(sent[1] as string);
  assert(init.type === "handshakePayload" && init.protocolVersion === 5, "proposes 5");
  const material = decodeHandshakeText(sent[2] as string);
  assert(material.type === "handshakePayload" && material.protocolVersion === 3, "continues at 3");
  assertEquals(await keyStorage.loadSharedKey(gateway.gatewayIdentity), gateway.sharedKey);
  // protocol 5 forwards with ForwardSphinxV2 (the key rotation byte)
  await client.sendMixPacket(testPacket());
  const frame = sent.at(-1) as Uint8Array;
  assertEquals(decodeBinaryRequest(frame, gateway.sharedKey!).version, 2);
  await client.close();
});

Deno.test("a register reply without a protocol version keeps the handshake's", async () => {
  const gateway = scripted({
    version: 5,
    handshakeVersion: 3,
    registerReply: { type: "register", protocolVersion: 0, status: true, upgradeMode: false },
  });
  const client = makeClient(gateway, new ManualClock());
  const info = await connecting(client, gateway);
  assertEquals(info.protocolVersion, 3);
  await client.sendMixPacket(testPacket());
  const frame = gateway.sockets[0].sent.at(-1) as Uint8Array;
  assertEquals(decodeBinaryRequest(frame, gateway.sharedKey!).version, 1);
  await client.close();
});

Deno.test("a register reply naming a future protocol is refused and stores no key", async () => {
  const gateway = scripted({
    registerReply: { type: "register", protocolVersion: 9, status: true, upgradeMode: false },
  });
  const keyStorage = new MemoryGatewayKeyStorage();
  const client = makeClient(gateway, new ManualClock(), { keyStorage });
  const error = await assertRejects(() => connecting(client, gateway), GatewayProtocolError);
  assertEquals(error.kind, "protocol-version");
  assertEquals(await keyStorage.loadSharedKey(gateway.gatewayIdentity), undefined);
});

Deno.test("a gateway enforcing credentials fails connect with credentials-required", async () => {
  const gateway = scripted({
    claimError: "This gateway is only accepting coconut credentials for bandwidth",
  });
  const client = makeClient(gateway, new ManualClock());
  const error = await assertRejects(() => connecting(client, gateway), GatewayProtocolError);
  assertEquals(error.kind, "credentials-required");
  assertEquals(client.state, "closed");
  // any other error text stays a plain gateway error
  const other = scripted({ claimError: "internal error" });
  const second = makeClient(other, new ManualClock());
  assertEquals(
    (await assertRejects(() => connecting(second, other), GatewayProtocolError)).kind,
    "gateway-error",
  );
});

Deno.test("an unreachable hostname falls back to the next URL", async () => {
  const gateway = scripted({ unreachable: ["ws://gateway.test:9000"] });
  let closes = 0;
  const client = makeClient(gateway, new ManualClock(), {
    fallbackUrls: ["ws://127.0.0.1:9000"],
    onClose: () => closes++,
  });
  const result = client.connect();
  await settle(); // the first socket fails
  assertEquals(gateway.sockets.length, 2);
  gateway.sockets[1].open();
  await result;
  assertEquals(client.url, "ws://127.0.0.1:9000");
  assertEquals(gateway.sockets[0].onclose, null, "the failed socket is detached");
  assertEquals(closes, 0, "a URL that never opened reports no close");
  await client.close();
  assertEquals(closes, 1);
});

Deno.test("when every URL fails the error lists each", async () => {
  const gateway = scripted({ unreachable: ["ws://gateway.test:9000", "ws://127.0.0.1:9000"] });
  const client = makeClient(gateway, new ManualClock(), { fallbackUrls: ["ws://127.0.0.1:9000"] });
  const error = await assertRejects(() => client.connect(), GatewayProtocolError);
  assertEquals(error.kind, "closed");
  assert(error.message.includes("ws://gateway.test:9000: "), error.message);
  assert(error.message.includes("ws://127.0.0.1:9000: "), error.message);
  assertEquals(client.state, "closed");
});

Deno.test("authentication waits for a stored backlog that keeps arriving", async () => {
  const clock = new ManualClock();
  // 30 messages, one every 4 s: 2 minutes before `authenticate`, each gap below the 5 s step
  const gateway = scripted({ backlog: { count: 30, clock } });
  const keyStorage = new MemoryGatewayKeyStorage();
  const identitySecretKey = seededRandom(5)(32);
  const key = seededRandom(12)(32);
  await keyStorage.storeSharedKey(gateway.gatewayIdentity, key);
  gateway.sharedKey = key;
  const received: Uint8Array[] = [];
  const client = makeClient(gateway, clock, {
    keyStorage,
    identitySecretKey,
    onMessage: (m) => received.push(m),
  });
  const result = connecting(client, gateway);
  for (let i = 0; i < 31; i++) {
    await settle();
    clock.advance(4000);
  }
  const info = await result;
  assertEquals(info.registered, false);
  assertEquals(received.length, 30);
  await client.close();
});

Deno.test("a backlog does not extend the wait past authenticationTimeoutMs", async () => {
  const clock = new ManualClock();
  const gateway = scripted({ backlog: { count: 1000, clock } });
  const keyStorage = new MemoryGatewayKeyStorage();
  const key = seededRandom(12)(32);
  await keyStorage.storeSharedKey(gateway.gatewayIdentity, key);
  gateway.sharedKey = key;
  const client = makeClient(gateway, clock, { keyStorage, authenticationTimeoutMs: 20_000 });
  const result = connecting(client, gateway);
  const rejected = assertRejects(() => result, GatewayProtocolError);
  for (let i = 0; i < 6; i++) {
    await settle();
    clock.advance(4000);
  }
  assertEquals((await rejected).kind, "timeout");
});

Deno.test("after the last pushed message authentication times out one step later", async () => {
  const clock = new ManualClock();
  // two messages at 0 s and 4 s, then silence
  const gateway = scripted({ backlog: { count: 2, clock, answer: false } });
  const keyStorage = new MemoryGatewayKeyStorage();
  const key = seededRandom(12)(32);
  await keyStorage.storeSharedKey(gateway.gatewayIdentity, key);
  gateway.sharedKey = key;
  const client = makeClient(gateway, clock, { keyStorage });
  let failed: GatewayProtocolError | undefined;
  const result = connecting(client, gateway).catch((e) => failed = e);
  await settle();
  clock.advance(4000);
  await settle();
  clock.advance(4999);
  await settle();
  assertEquals(failed, undefined, "4.999 s after the last push it still waits");
  clock.advance(1);
  await result;
  assertEquals(failed?.kind, "timeout");
});
