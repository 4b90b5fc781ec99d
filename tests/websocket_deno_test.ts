// The TCP_NODELAY WebSocket client for Deno (websocket/): its frame reader on malformed input,
// its frames as the localnet gateway's RFC 6455 server sees them (masking, large frames, Ping →
// Pong, close codes both ways), frames no well-behaved server sends (fragments, masked or
// oversized frames, bad UTF-8, a bad upgrade), wss:// with a self-signed certificate, and
// connect() using it by default against a localnet.
import { connect } from "../client/connect.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { ServerWebSocket } from "../localnet/gateway/mod.ts";
import {
  defaultWebSocket,
  DenoWebSocket,
  denoWebSocket,
  WebSocketFrameError,
} from "../websocket/mod.ts";
import { encodeClientFrame, ServerFrameReader } from "../websocket/_frames.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { TEST_CERT_PEM, TEST_KEY_PEM } from "./_tls_certificate.ts";

// ---- helpers -----------------------------------------------------------------------------------

/** A server frame (never masked); `length` may lie, for malformed cases. */
function serverFrame(
  opcode: number,
  payload: Uint8Array,
  o: { fin?: boolean; rsv?: number; mask?: boolean } = {},
): Uint8Array {
  const n = payload.length;
  const len = n < 126 ? [n] : n < 65536 ? [126, n >> 8, n & 0xff] : [
    127,
    ...Array.from({ length: 8 }, (_, i) => Number((BigInt(n) >> BigInt(8 * (7 - i))) & 0xffn)),
  ];
  const head = [((o.fin ?? true) ? 0x80 : 0) | (o.rsv ?? 0) | opcode, ...len];
  if (o.mask) head[1] |= 0x80;
  const out = new Uint8Array(head.length + (o.mask ? 4 : 0) + n);
  out.set(head);
  out.set(payload, out.length - n);
  return out;
}

function bytes(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}

interface Opened {
  ws: DenoWebSocket;
  messages: unknown[];
  closed: Promise<CloseEvent>;
  errors: number;
}

/** Opens a DenoWebSocket and records what it delivers. */
function open(url: string, options = {}): Opened & { opened: Promise<void> } {
  const ws = new DenoWebSocket(url, options);
  ws.binaryType = "arraybuffer";
  const state = {
    ws,
    messages: [] as unknown[],
    errors: 0,
    opened: new Promise<void>((resolve) => ws.onopen = () => resolve()),
    closed: new Promise<CloseEvent>((resolve) => ws.onclose = resolve),
  };
  ws.onmessage = (event) => state.messages.push(event.data);
  ws.onerror = () => state.errors++;
  return state;
}

/** A listener whose first connection completes the upgrade, then runs `script` on the conn. */
function rawServer(
  script: (conn: Deno.Conn) => Promise<void>,
  response?: (key: string) => string,
): { url: string; done: Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const done = (async () => {
    const conn = await listener.accept();
    listener.close();
    const buffer = new Uint8Array(4096);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      head += new TextDecoder().decode(buffer.subarray(0, n));
    }
    const key = /sec-websocket-key: (\S+)/i.exec(head)![1];
    const digest = await crypto.subtle.digest(
      "SHA-1",
      bytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
    );
    const accept = btoa(String.fromCharCode(...new Uint8Array(digest)));
    await conn.write(bytes(
      response?.(accept) ??
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    ));
    try {
      await script(conn);
    } finally {
      try {
        conn.close();
      } catch { /* closed by the client */ }
    }
  })();
  return { url: `ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/path?q=1`, done };
}

/** Reads client frames until the connection ends; returns their opcodes and payloads. */
async function readClientFrames(
  conn: Deno.Conn,
): Promise<{ opcode: number; payload: Uint8Array }[]> {
  const frames: { opcode: number; payload: Uint8Array }[] = [];
  let data = new Uint8Array(0);
  const chunk = new Uint8Array(65536);
  for (;;) {
    while (data.length >= 6) {
      let n = data[1] & 0x7f;
      let at = 2;
      if (n === 126) [n, at] = [(data[2] << 8) | data[3], 4];
      const mask = data.subarray(at, at + 4);
      if (data.length < at + 4 + n) break;
      assert(data[1] & 0x80, "client frames are masked");
      const payload = data.slice(at + 4, at + 4 + n).map((b, i) => b ^ mask[i & 3]);
      frames.push({ opcode: data[0] & 0x0f, payload });
      data = data.slice(at + 4 + n);
      if ((frames.at(-1)!.opcode) === 8) return frames;
    }
    const n = await conn.read(chunk).catch(() => null);
    if (n === null) return frames;
    const grown = new Uint8Array(data.length + n);
    grown.set(data);
    grown.set(chunk.subarray(0, n), data.length);
    data = grown;
  }
}

// ---- the frame codec ---------------------------------------------------------------------------

Deno.test("client frames are masked, with 7-bit, 16-bit and 64-bit lengths", () => {
  const mask = Uint8Array.of(0x12, 0x34, 0x56, 0x78);
  for (const n of [0, 1, 5, 125, 126, 127, 65535, 65536, 100_003]) {
    const payload = new Uint8Array(n).map((_, i) => i * 31);
    const frame = encodeClientFrame(2, payload, mask);
    const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
    assertEquals(frame.length, head + 4 + n);
    assertEquals(frame[0], 0x82);
    assertEquals(frame[1] & 0x80, 0x80);
    const length = n < 126
      ? frame[1] & 0x7f
      : n < 65536
      ? (frame[2] << 8) | frame[3]
      : Number(new DataView(frame.buffer).getBigUint64(2));
    assertEquals(length, n);
    assertEquals(frame.subarray(head, head + 4), mask);
    const unmasked = frame.subarray(head + 4).map((b, i) => b ^ mask[i & 3]);
    assertEquals(unmasked, payload);
  }
});

Deno.test("the frame reader reassembles fragments split at every byte", () => {
  const stream = [
    serverFrame(1, bytes("hé"), { fin: false }),
    serverFrame(9, bytes("ping")),
    serverFrame(0, bytes("llo"), { fin: false }),
    serverFrame(0, bytes("!")),
    serverFrame(2, new Uint8Array(70_000).fill(7)),
    serverFrame(8, Uint8Array.of(0x0f, 0xa0, ...bytes("bye"))),
  ];
  const all = new Uint8Array(stream.reduce((n, f) => n + f.length, 0));
  stream.reduce((at, f) => (all.set(f, at), at + f.length), 0);
  for (const step of [1, 7, 1000, all.length]) {
    const reader = new ServerFrameReader(1 << 20, 16);
    const got: unknown[] = [];
    for (let at = 0; at < all.length; at += step) {
      reader.push(all.subarray(at, at + step));
      for (let m = reader.next(); m; m = reader.next()) {
        got.push(m.type === "binary" ? [m.type, m.data.length, m.data[69_999]] : m);
      }
    }
    assertEquals(got, [
      { type: "ping", data: bytes("ping") },
      { type: "text", data: "héllo!" },
      ["binary", 70_000, 7],
      { type: "close", code: 4000, reason: "bye" },
    ]);
  }
});

Deno.test("the frame reader rejects malformed server frames with typed errors", () => {
  const cases: [string, Uint8Array, string, number][] = [
    ["masked", serverFrame(2, bytes("x"), { mask: true }), "protocol", 1002],
    ["reserved bits", serverFrame(2, bytes("x"), { rsv: 0x40 }), "protocol", 1002],
    ["unknown data opcode", serverFrame(3, bytes("x")), "protocol", 1002],
    ["unknown control opcode", serverFrame(0xb, bytes("x")), "protocol", 1002],
    ["fragmented ping", serverFrame(9, bytes("x"), { fin: false }), "protocol", 1002],
    ["long ping", serverFrame(9, new Uint8Array(126)), "protocol", 1002],
    ["lone continuation", serverFrame(0, bytes("x")), "protocol", 1002],
    ["close of one byte", serverFrame(8, Uint8Array.of(3)), "protocol", 1002],
    ["close code 1005", serverFrame(8, Uint8Array.of(0x03, 0xed)), "protocol", 1002],
    ["close code 999", serverFrame(8, Uint8Array.of(0x03, 0xe7)), "protocol", 1002],
    ["close reason not UTF-8", serverFrame(8, Uint8Array.of(3, 232, 0xff)), "invalid-utf8", 1007],
    ["text not UTF-8", serverFrame(1, Uint8Array.of(0xc3, 0x28)), "invalid-utf8", 1007],
    ["over the limit", serverFrame(2, new Uint8Array(1025)), "too-big", 1009],
    [
      "2^63 length",
      Uint8Array.of(0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1),
      "protocol",
      1002,
    ],
  ];
  for (const [name, frame, kind, code] of cases) {
    const reader = new ServerFrameReader(1024);
    reader.push(frame);
    const error = assertThrows(() => reader.next(), WebSocketFrameError);
    assertEquals([name, error.kind, error.closeCode], [name, kind, code]);
  }
  const interleaved = new ServerFrameReader(1024);
  interleaved.push(serverFrame(1, bytes("a"), { fin: false }));
  interleaved.push(serverFrame(2, bytes("b")));
  assertThrows(
    () => interleaved.next(),
    WebSocketFrameError,
    (e) => e.message.includes("inside a fragmented"),
  );
  const fragmentsOverLimit = new ServerFrameReader(1024);
  fragmentsOverLimit.push(serverFrame(2, new Uint8Array(600), { fin: false }));
  fragmentsOverLimit.push(serverFrame(0, new Uint8Array(600)));
  assertThrows(
    () => fragmentsOverLimit.next(),
    WebSocketFrameError,
    (e) => e.message.includes("limit"),
  );
});

// ---- against the localnet gateway's WebSocket server -----------------------------------------

function gatewayServer(
  options = {},
): { url: string; accepted: Promise<ServerWebSocket> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept().then((conn) => {
    listener.close();
    return ServerWebSocket.accept(conn, options);
  });
  return { url: `ws://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`, accepted };
}

Deno.test("the gateway's server reads our masked text and large binary frames, and answers", async () => {
  const { url, accepted } = gatewayServer({ maxFrameSize: 4 << 20, maxMessageSize: 4 << 20 });
  const client = open(url);
  await client.opened;
  const server = await accepted;
  const sizes = [0, 125, 126, 65535, 65536, 1_500_000];
  client.ws.send("hello gateway");
  for (const n of sizes) client.ws.send(new Uint8Array(n).map((_, i) => i & 0xff));
  assert(client.ws.bufferedAmount > 0);
  assertEquals(await server.receive(), { type: "text", data: "hello gateway" });
  for (const n of sizes) {
    const m = await server.receive();
    assert(m?.type === "binary");
    assertEquals(m.data, new Uint8Array(n).map((_, i) => i & 0xff));
  }
  await server.sendBinary(new Uint8Array(1_000_000).fill(9));
  await server.sendText("ünïcode");
  const echoed = Promise.withResolvers<void>();
  client.ws.onmessage = (event) => {
    client.messages.push(event.data);
    if (client.messages.length === 2) echoed.resolve();
  };
  await echoed.promise;
  assertEquals(
    new Uint8Array(client.messages[0] as ArrayBuffer),
    new Uint8Array(1_000_000).fill(9),
  );
  assertEquals(client.messages[1], "ünïcode");
  assertEquals(client.ws.bufferedAmount, 0);
  client.ws.close(3001, "done here");
  assertEquals(await server.receive(), undefined);
  assertEquals(server.closeInfo?.code, 3001);
  assertEquals(server.closeInfo?.reason, "done here");
  await server.close();
  const event = await client.closed;
  assertEquals([event.code, event.wasClean, client.errors], [3001, true, 0]);
  assertEquals(client.ws.readyState, DenoWebSocket.CLOSED);
});

Deno.test("a Ping from the gateway's server gets a Pong with its payload", async () => {
  const { url, accepted } = gatewayServer();
  const client = open(url);
  await client.opened;
  const server = await accepted;
  const payload = crypto.getRandomValues(new Uint8Array(125));
  await server.ping(payload);
  assertEquals(await server.receive(), { type: "pong", data: payload });
  await server.close(4321, "server says bye");
  const event = await client.closed;
  assertEquals([event.code, event.reason, event.wasClean], [4321, "server says bye", true]);
});

Deno.test("a Close without a code is answered, and reported as 1005", async () => {
  let seen: { opcode: number; payload: Uint8Array }[] = [];
  const { url, done } = rawServer(async (conn) => {
    await conn.write(serverFrame(8, new Uint8Array(0)));
    seen = await readClientFrames(conn);
  });
  const client = open(url);
  const event = await client.closed;
  await done;
  assertEquals([event.code, event.wasClean], [1005, true]);
  assertEquals(seen, [{ opcode: 8, payload: new Uint8Array(0) }]);
});

// ---- frames no well-behaved server sends ---------------------------------------------------

Deno.test("fragmented messages with a Ping between the fragments arrive whole", async () => {
  let seen: { opcode: number; payload: Uint8Array }[] = [];
  const { url, done } = rawServer(async (conn) => {
    await conn.write(serverFrame(2, Uint8Array.of(1, 2), { fin: false }));
    await conn.write(serverFrame(9, bytes("are you there")));
    await conn.write(serverFrame(0, Uint8Array.of(3), { fin: false }));
    await conn.write(serverFrame(0, Uint8Array.of(4)));
    await conn.write(serverFrame(1, bytes("frag"), { fin: false }));
    await conn.write(serverFrame(0, bytes("mented")));
    await conn.write(serverFrame(8, Uint8Array.of(0x03, 0xe8)));
    seen = await readClientFrames(conn);
  });
  const client = open(url);
  const event = await client.closed;
  await done;
  assertEquals(client.messages.map((m) => m instanceof ArrayBuffer ? [...new Uint8Array(m)] : m), [
    [1, 2, 3, 4],
    "fragmented",
  ]);
  assertEquals(seen, [
    { opcode: 10, payload: bytes("are you there") },
    { opcode: 8, payload: Uint8Array.of(0x03, 0xe8) },
  ]);
  assertEquals([event.code, event.wasClean, client.errors], [1000, true, 0]);
});

for (
  const [name, frame, code] of [
    ["a masked server frame", serverFrame(2, bytes("x"), { mask: true }), 1002],
    ["invalid UTF-8 in a text message", serverFrame(1, Uint8Array.of(0xff)), 1007],
    ["a message over the size limit", serverFrame(2, new Uint8Array(2000)), 1009],
  ] as const
) {
  Deno.test(`${name} fails the connection with close code ${code}`, async () => {
    let seen: { opcode: number; payload: Uint8Array }[] = [];
    const { url, done } = rawServer(async (conn) => {
      await conn.write(frame);
      seen = await readClientFrames(conn);
    });
    const client = open(url, { maxMessageBytes: 1024 });
    const event = await client.closed;
    await done;
    assertEquals([event.code, event.wasClean, client.errors], [code, false, 1]);
    assertEquals(seen.map((f) => f.opcode), [8]);
    assertEquals((seen[0].payload[0] << 8) | seen[0].payload[1], code);
    assertEquals(client.messages, []);
  });
}

Deno.test("a refused or wrong upgrade and a dropped connection end with 1006", async () => {
  const responses = [
    () => "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n",
    () =>
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n",
    (accept: string) =>
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  ];
  for (const response of responses) {
    const { url, done } = rawServer(async () => {}, response);
    const client = open(url);
    const event = await client.closed;
    await done;
    assertEquals([event.code, event.wasClean, client.errors], [1006, false, 1]);
  }
  const { url, done } = rawServer(async (conn) => {
    await conn.write(serverFrame(1, bytes("one")));
  });
  const client = open(url);
  const event = await client.closed;
  await done;
  assertEquals(client.messages, ["one"]);
  assertEquals([event.code, event.wasClean, client.errors], [1006, false, 1]);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const refused = open(`ws://127.0.0.1:${port}/`);
  assertEquals((await refused.closed).code, 1006);
});

Deno.test("a server that never answers our Close is dropped after the close timeout", async () => {
  const { url, done } = rawServer(async (conn) => {
    await readClientFrames(conn);
    await conn.read(new Uint8Array(1)).catch(() => null); // until the client drops us
  });
  const client = open(url, { closeTimeoutMs: 50 });
  await client.opened;
  client.ws.close();
  assertEquals(client.ws.readyState, DenoWebSocket.CLOSING);
  const event = await client.closed;
  await done;
  assertEquals([event.code, event.wasClean], [1006, false]);
});

Deno.test("send and close follow the WebSocket API's rules", async () => {
  assertThrows(
    () => new DenoWebSocket("ftp://127.0.0.1/"),
    DOMException,
    (e) => e.message.includes("scheme"),
  );
  assertThrows(
    () => new DenoWebSocket("ws://127.0.0.1/#x"),
    DOMException,
    (e) => e.message.includes("fragment"),
  );
  const { url, accepted } = gatewayServer();
  const client = open(url);
  assertThrows(
    () => client.ws.send("early"),
    DOMException,
    (e) => e.message.includes("connecting"),
  );
  await client.opened;
  const server = await accepted;
  assertThrows(() => client.ws.close(1001), DOMException, (e) => e.message.includes("not allowed"));
  assertThrows(
    () => client.ws.close(1000, "x".repeat(124)),
    DOMException,
    (e) => e.message.includes("123"),
  );
  assertThrows(() => client.ws.send(new Blob([]) as unknown as string), TypeError);
  client.ws.close();
  client.ws.send("dropped once closing");
  assertEquals(await server.receive(), undefined);
  assertEquals(server.closeInfo?.code, 1005);
  await server.close();
  assertEquals((await client.closed).code, 1005);
});

// ---- TLS ------------------------------------------------------------------------------------------

Deno.test("wss:// works through startTls with a self-signed certificate, and fails without it", async () => {
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: TEST_CERT_PEM,
    key: TEST_KEY_PEM,
    onListen() {},
  }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onmessage = (event) => socket.send(event.data);
    return response;
  });
  try {
    const url = `wss://localhost:${server.addr.port}/`;
    const Secure = denoWebSocket({ caCerts: [TEST_CERT_PEM] });
    const ws = new Secure(url);
    ws.binaryType = "arraybuffer";
    const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
    const echoed = new Promise<MessageEvent>((resolve, reject) => {
      ws.onmessage = resolve;
      closed.then((event) => reject(new Error(`closed before the echo (${event.code})`)));
    });
    ws.onopen = () => ws.send(new Uint8Array(100_000).fill(5));
    assertEquals(new Uint8Array((await echoed).data), new Uint8Array(100_000).fill(5));
    ws.close(1000);
    assertEquals((await closed).code, 1000);

    const untrusted = open(url);
    const event = await untrusted.closed;
    assertEquals([event.code, untrusted.errors], [1006, 1]);
  } finally {
    await server.shutdown();
  }
});

// ---- connect() -------------------------------------------------------------------------------

Deno.test("connect() uses the TCP_NODELAY WebSocket by default in Deno, through a localnet", async () => {
  assertEquals(defaultWebSocket(), DenoWebSocket);
  await using net = await startLocalnet({ logger: "silent" });
  // Count the sockets opened through Deno.connect that turn Nagle off: only DenoWebSocket does
  // (the localnet's mixnodes leave it on).
  const noDelay: boolean[] = [];
  const original = Deno.connect;
  Object.assign(Deno, {
    connect: async (options: Deno.ConnectOptions) => {
      const conn = await original(options);
      const set = conn.setNoDelay.bind(conn);
      conn.setNoDelay = (on?: boolean) => {
        noDelay.push(on ?? true);
        set(on);
      };
      return conn;
    },
  });
  try {
    const client = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover" });
    try {
      assertEquals(noDelay, [true]);
      await client.send(client.address, "through a TCP_NODELAY socket").delivered;
      const reader = client.messages.getReader();
      const { value } = await reader.read();
      reader.releaseLock();
      assertEquals(new TextDecoder().decode(value!.data), "through a TCP_NODELAY socket");
    } finally {
      await client.disconnect();
    }
  } finally {
    Object.assign(Deno, { connect: original });
  }
});

Deno.test("listeners added with addEventListener see the same events as the on… handlers", async () => {
  const { url, accepted } = gatewayServer();
  const ws = new DenoWebSocket(url);
  const seen: string[] = [];
  const closed = Promise.withResolvers<void>();
  for (const type of ["open", "message", "close"]) {
    ws.addEventListener(type, (event) => {
      seen.push(type === "message" ? `message ${(event as MessageEvent).data}` : type);
      if (type === "close") closed.resolve();
    });
  }
  const server = await accepted;
  await server.sendText("hi");
  await server.close(1000);
  await closed.promise;
  assertEquals(seen, ["open", "message hi", "close"]);
});

Deno.test("a server that stops reading cannot hold the close event past the close timeout", async () => {
  // The server sends Close and never reads: the client's large message fills the socket
  // buffers, so its echoed Close cannot leave. The server keeps the connection until the client
  // reports it closed (or 5 s, the failure case).
  const clientClosed = Promise.withResolvers<void>();
  let released = false;
  const { url, done } = rawServer(async (conn) => {
    await conn.read(new Uint8Array(65536)); // the large message has started
    await conn.write(serverFrame(8, Uint8Array.of(0x03, 0xe8)));
    let guard: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      clientClosed.promise,
      new Promise((resolve) => guard = setTimeout(resolve, 5000)),
    ]);
    clearTimeout(guard);
    released = true;
  });
  const client = open(url, { closeTimeoutMs: 100 });
  await client.opened;
  client.ws.send(new Uint8Array(64 << 20));
  const event = await client.closed;
  const releasedFirst = released;
  clientClosed.resolve();
  await done;
  assertEquals([event.code, releasedFirst], [1000, false]);
});
