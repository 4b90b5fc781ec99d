// The localnet gateway's hand-written RFC 6455 server, driven by a raw TCP client and by Deno's
// own WebSocket.
import { assert, assertEquals } from "./_assert.ts";
import { clientFrame, RawClient } from "./_raw_websocket.ts";
import {
  OPCODE,
  ServerWebSocket,
  WebSocketError,
  WebSocketMessageParser,
} from "../localnet/gateway/mod.ts";

const encoder = new TextEncoder();
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

function upgradeRequest(
  headers: Record<string, string> = {},
  requestLine = "GET /chat HTTP/1.1",
): string {
  const all: Record<string, string> = {
    Host: "127.0.0.1",
    Upgrade: "websocket",
    Connection: "keep-alive, Upgrade",
    "Sec-WebSocket-Key": KEY,
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
    ...headers,
  };
  const lines = Object.entries(all).filter(([, v]) => v !== "").map(([k, v]) => `${k}: ${v}`);
  return `${requestLine}\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/** A listener, one raw client connected to it and the server side of the upgrade. */
async function pair(
  options: { maxMessageSize?: number; request?: string } = {},
): Promise<
  { client: RawClient; server: Promise<ServerWebSocket>; listener: Deno.Listener; head: string }
> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: (listener.addr as Deno.NetAddr).port,
  });
  const client = new RawClient(conn);
  const server = accepted.then((c) =>
    ServerWebSocket.accept(c, {
      maxFrameSize: options.maxMessageSize,
      maxMessageSize: options.maxMessageSize,
    })
  );
  server.catch(() => {}); // inspected by the caller; not an unhandled rejection meanwhile
  await client.write(encoder.encode(options.request ?? upgradeRequest()));
  const head = await client.head();
  return { client, server, listener, head };
}

async function withPair(
  fn: (client: RawClient, server: ServerWebSocket) => Promise<void>,
  options: { maxMessageSize?: number } = {},
): Promise<void> {
  const { client, server, listener, head } = await pair(options);
  assert(head.startsWith("HTTP/1.1 101 "), head);
  const ws = await server;
  try {
    await fn(client, ws);
  } finally {
    client.close();
    await ws.close();
    listener.close();
  }
}

async function expectClose(client: RawClient, code: number): Promise<void> {
  for (;;) {
    const frame = await client.frame();
    assert(frame, `expected a Close frame with ${code}, got EOF`);
    if (frame.opcode !== OPCODE.close) continue;
    assertEquals((frame.payload[0] << 8) | frame.payload[1], code);
    assertEquals(await client.frame(), undefined, "the server closes TCP after Close");
    return;
  }
}

Deno.test("the upgrade answers 101 with the RFC 6455 accept key and no extension", async () => {
  await withPair(async (_client, ws) => {
    assert(!ws.closing);
    await Promise.resolve();
  });
  const { client, server, listener, head } = await pair();
  const lines = head.split("\r\n");
  assertEquals(lines[0], "HTTP/1.1 101 Switching Protocols");
  assert(lines.includes("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
  assert(!head.toLowerCase().includes("sec-websocket-extensions"));
  const ws = await server;
  client.close();
  assertEquals(await ws.receive(), undefined);
  await ws.close();
  listener.close();
});

Deno.test("bad upgrade requests get 400 or 426 and a handshake error", async () => {
  const cases: [string, string][] = [
    [upgradeRequest({}, "POST / HTTP/1.1"), "400"],
    [upgradeRequest({}, "GET / HTTP/1.0"), "400"],
    [upgradeRequest({ Upgrade: "" }), "400"],
    [upgradeRequest({ Connection: "keep-alive" }), "400"],
    [upgradeRequest({ "Sec-WebSocket-Version": "8" }), "426"],
    [upgradeRequest({ "Sec-WebSocket-Key": "" }), "400"],
    [upgradeRequest({ "Sec-WebSocket-Key": "c2hvcnQ=" }), "400"],
    ["garbage\r\n\r\n", "400"],
  ];
  for (const [request, status] of cases) {
    const { client, server, listener, head } = await pair({ request });
    assert(head.startsWith(`HTTP/1.1 ${status} `), `${status} expected for ${request}: ${head}`);
    let error: unknown;
    await server.catch((e) => error = e);
    assert(error instanceof WebSocketError && error.kind === "handshake", String(error));
    client.close();
    listener.close();
  }
});

Deno.test("masked text and binary messages arrive, fragmented ones reassembled", async () => {
  await withPair(async (client, ws) => {
    await client.write(clientFrame(OPCODE.text, encoder.encode("héllo")));
    assertEquals(await ws.receive(), { type: "text", data: "héllo" });
    const big = Uint8Array.from({ length: 70000 }, (_, i) => (i * 7) & 0xff);
    await client.write(clientFrame(OPCODE.binary, big));
    assertEquals(await ws.receive(), { type: "binary", data: big });
    // a text message in three fragments with a ping between them
    await client.write(clientFrame(OPCODE.text, encoder.encode("ab"), { fin: false }));
    await client.write(clientFrame(OPCODE.ping, Uint8Array.of(7)));
    await client.write(clientFrame(OPCODE.continuation, encoder.encode("cd"), { fin: false }));
    await client.write(clientFrame(OPCODE.continuation, encoder.encode("ef")));
    assertEquals(await ws.receive(), { type: "ping", data: Uint8Array.of(7) });
    assertEquals(await ws.receive(), { type: "text", data: "abcdef" });
    // the ping was answered with a pong carrying the same payload
    assertEquals(await client.frame(), {
      fin: true,
      opcode: OPCODE.pong,
      payload: Uint8Array.of(7),
    });
  });
});

Deno.test("server messages and pings are unmasked frames; pongs come back through receive", async () => {
  await withPair(async (client, ws) => {
    await ws.sendText("hi");
    await ws.sendBinary(new Uint8Array(300));
    await ws.ping(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    assertEquals(await client.frame(), {
      fin: true,
      opcode: OPCODE.text,
      payload: encoder.encode("hi"),
    });
    assertEquals((await client.frame())?.payload.length, 300);
    const ping = await client.frame();
    assertEquals(ping?.opcode, OPCODE.ping);
    await client.write(clientFrame(OPCODE.pong, ping!.payload));
    assertEquals(await ws.receive(), { type: "pong", data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) });
  });
});

Deno.test("a client Close is echoed and ends receive", async () => {
  await withPair(async (client, ws) => {
    await client.write(clientFrame(OPCODE.close, Uint8Array.of(0x03, 0xe8, 0x62, 0x79, 0x65)));
    assertEquals(await ws.receive(), undefined);
    assertEquals(ws.closeInfo, { code: 1000, reason: "bye" });
    await expectClose(client, 1000);
    assert(ws.closing);
    let error: unknown;
    await ws.sendText("late").catch((e) => error = e);
    assert(error instanceof WebSocketError && error.kind === "closed");
  });
});

Deno.test("a server Close waits for the client's Close", async () => {
  await withPair(async (client, ws) => {
    const closing = ws.close(4000, "done");
    const frame = await client.frame();
    assertEquals(frame?.opcode, OPCODE.close);
    assertEquals(new TextDecoder().decode(frame!.payload.subarray(2)), "done");
    await client.write(clientFrame(OPCODE.close, frame!.payload.subarray(0, 2)));
    await closing;
    assertEquals(await client.frame(), undefined);
  });
});

Deno.test("protocol violations close the connection with the RFC 6455 code", async () => {
  const violations: [string, Uint8Array[], number][] = [
    ["unmasked frame", [clientFrame(OPCODE.text, encoder.encode("x"), { mask: null })], 1002],
    ["reserved bit", [clientFrame(OPCODE.text, encoder.encode("x"), { rsv: 0x40 })], 1002],
    ["reserved opcode", [clientFrame(0x3, new Uint8Array(1))], 1002],
    ["control frame > 125 bytes", [clientFrame(OPCODE.ping, new Uint8Array(126))], 1002],
    [
      "fragmented control frame",
      [clientFrame(OPCODE.ping, new Uint8Array(1), { fin: false })],
      1002,
    ],
    ["continuation without start", [clientFrame(OPCODE.continuation, new Uint8Array(1))], 1002],
    [
      "new message inside a fragmented one",
      [
        clientFrame(OPCODE.text, encoder.encode("a"), { fin: false }),
        clientFrame(OPCODE.text, encoder.encode("b")),
      ],
      1002,
    ],
    ["invalid UTF-8 text", [clientFrame(OPCODE.text, Uint8Array.of(0xc3, 0x28))], 1007],
    ["frame above the limit", [clientFrame(OPCODE.binary, new Uint8Array(2000))], 1009],
    [
      "fragmented message above the limit",
      [
        clientFrame(OPCODE.binary, new Uint8Array(600), { fin: false }),
        clientFrame(OPCODE.continuation, new Uint8Array(600)),
      ],
      1009,
    ],
    ["close with a 1-byte payload", [clientFrame(OPCODE.close, Uint8Array.of(3))], 1002],
    ["close with code 1005", [clientFrame(OPCODE.close, Uint8Array.of(0x03, 0xed))], 1002],
  ];
  for (const [name, frames, code] of violations) {
    await withPair(async (client, ws) => {
      for (const frame of frames) await client.write(frame);
      assertEquals(await ws.receive(), undefined, name);
      assertEquals(ws.closeInfo?.code, code, name);
      assert(ws.closeInfo?.error instanceof WebSocketError, name);
      await expectClose(client, code);
    }, { maxMessageSize: 1024 });
  }
});

Deno.test("receive with a timeout rejects without closing the connection", async () => {
  await withPair(async (client, ws) => {
    let error: unknown;
    await ws.receive(20).catch((e) => error = e);
    assert(error instanceof WebSocketError && error.kind === "timeout");
    await client.write(clientFrame(OPCODE.text, encoder.encode("still here")));
    assertEquals(await ws.receive(1000), { type: "text", data: "still here" });
  });
});

Deno.test("the parser yields nothing until a frame is complete, byte by byte", () => {
  const parser = new WebSocketMessageParser({ maxFrameSize: 1 << 20, maxMessageSize: 1 << 20 });
  const frame = clientFrame(OPCODE.binary, new Uint8Array(300).fill(5));
  for (let i = 0; i < frame.length - 1; i++) {
    parser.push(frame.subarray(i, i + 1));
    assertEquals(parser.next(), undefined);
  }
  parser.push(frame.subarray(frame.length - 1));
  assertEquals(parser.next(), { type: "binary", data: new Uint8Array(300).fill(5) });
});

Deno.test("Deno's WebSocket answers our ping with the same 8-byte payload", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept().then((conn) => ServerWebSocket.accept(conn));
  const socket = new WebSocket(`ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`);
  const opened = new Promise((resolve) => socket.onopen = resolve);
  const closed = new Promise((resolve) => socket.onclose = resolve);
  const ws = await accepted;
  await opened;
  const tag = crypto.getRandomValues(new Uint8Array(8));
  await ws.ping(tag);
  assertEquals(await ws.receive(2000), { type: "pong", data: tag });
  await ws.close();
  await closed;
  listener.close();
});
