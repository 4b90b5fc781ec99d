// The localnet gateway as the real network's variety: a nym-node 1.22 gateway (handshake at
// protocol 3, `register` at the proposal, no upgrade-mode fields), a gateway enforcing zk-nym
// credentials, and a gateway that pushes a large stored backlog slowly before answering.
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { harness, RawPeer, sameClient } from "./_gateway_harness.ts";
import {
  decodeHandshakeText,
  GatewayProtocolError,
  ONLY_CREDENTIALS_MESSAGE,
  type WebSocketConstructor,
} from "../gateway/mod.ts";

/** A WebSocket that records every text frame the gateway sent. */
function recordingWebSocket(): { Ctor: WebSocketConstructor; texts: string[] } {
  const texts: string[] = [];
  class Recording extends WebSocket {
    constructor(url: string) {
      super(url);
      this.addEventListener("message", (event) => {
        if (typeof event.data === "string") texts.push(event.data);
      });
    }
  }
  return { Ctor: Recording, texts };
}

Deno.test("a nym-node 1.22 gateway answers the handshake at 3 and registers at the proposal", async () => {
  const h = await harness({ generation: "nym-node-1.22" });
  try {
    const { Ctor, texts } = recordingWebSocket();
    const client = h.client({ WebSocket: Ctor });
    const info = await client.connect();
    assertEquals(info.gatewayProtocolVersion, 5);
    assertEquals(info.protocolVersion, 5);
    const handshakes = texts.filter((t) => t.includes("handshakePayload"));
    assertEquals(handshakes.length, 2);
    for (const text of handshakes) {
      const message = decodeHandshakeText(text);
      assert(message.type === "handshakePayload" && message.protocolVersion === 3, text);
    }
    assertEquals(
      texts.find((t) => t.includes('"register"')),
      '{"type":"register","protocol_version":5,"status":true}',
    );
    assertEquals(texts.find((t) => t.includes('"bandwidth"'))?.includes("upgrade_mode"), false);
    assertEquals(texts[0], '{"type":"supportedProtocol","version":5}');
    // the negotiated version holds for a later authentication too
    await client.close();
    const again = await client.connect();
    assertEquals([again.registered, again.protocolVersion], [false, 5]);
  } finally {
    await h.close();
  }
});

Deno.test("a nym-node 1.22 gateway refuses a proposal above 5 as Nym's does", async () => {
  const h = await harness({ generation: "nym-node-1.22" });
  const peer = new RawPeer(h.server.url);
  try {
    await peer.opened;
    peer.send(JSON.stringify({
      type: "handshakePayload",
      protocol_version: 6,
      data: Array.from(crypto.getRandomValues(new Uint8Array(32 + 32 + 32))),
    }));
    const reply = JSON.parse(await peer.nextText());
    assertEquals(reply.type, "error");
    assert(reply.message.includes("incompatible protocol version. Ours is 5"), reply.message);
    assertEquals((await peer.closed).code, 1008);
  } finally {
    await peer.close();
    await h.close();
  }
});

Deno.test("a gateway enforcing credentials refuses the free claim and keeps the connection", async () => {
  const h = await harness({ enforceCredentials: true });
  try {
    const { Ctor, texts } = recordingWebSocket();
    const client = h.client({ WebSocket: Ctor });
    const error = await assertRejects(() => client.connect(), GatewayProtocolError);
    assertEquals(error.kind, "credentials-required");
    assertEquals(
      texts.at(-1),
      JSON.stringify({ type: "error", message: ONLY_CREDENTIALS_MESSAGE }),
    );
    // the client closed, not the gateway
    const closed = await h.waitFor("closed");
    assertEquals(closed.reason, "");
    assertEquals(h.events.filter((e) => e.type === "bandwidthClaimed").length, 0);
  } finally {
    await h.close();
  }
});

Deno.test("a slow stored backlog is waited for while it flows, not beyond", async () => {
  // 12 stored messages, 60 ms apart: ~660 ms before `authenticate`, step timeout 300 ms
  const h = await harness({ storedMessageDelayMs: 60 });
  try {
    const same = {
      ...sameClient(),
      // a clock that moves (the harness's stands still), near the gateway's
      clock: {
        now: () => h.now + performance.now(),
        setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
        clearTimeout: (t: unknown) => clearTimeout(t as number),
      },
    };
    const first = h.client({ ...same });
    await first.connect();
    await first.close();
    await h.waitFor("closed");
    const identity = first.identity;
    for (let i = 0; i < 12; i++) h.server.deliver(identity, Uint8Array.of(i));

    // a client that gives up after one step misses the backlog
    const early: Uint8Array[] = [];
    const impatient = h.client({
      ...same,
      stepTimeoutMs: 300,
      authenticationTimeoutMs: 300,
      onMessage: (m) => early.push(m),
    });
    const error = await assertRejects(() => impatient.connect(), GatewayProtocolError);
    assertEquals(error.kind, "timeout");
    await h.waitForNth("closed", 2);
    h.now += 1000; // authenticateV2 timestamps are seconds and must increase

    const received: Uint8Array[] = [];
    const patient = h.client({
      ...same,
      stepTimeoutMs: 300,
      onMessage: (m) => received.push(m),
    });
    const info = await patient.connect();
    assertEquals(info.registered, false);
    // what the impatient client took and dropped is gone (the gateway pushed it); the patient
    // one gets the rest of the backlog before `authenticate`
    assert(early.length > 0 && early.length < 12, `${early.length}`);
    assertEquals([...early, ...received].map((m) => m[0]), [...Array(12).keys()]);
  } finally {
    await h.close();
  }
});
