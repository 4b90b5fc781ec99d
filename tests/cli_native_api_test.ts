// The native nym-client WebSocket API: both request and response forms byte for byte as in
// clients/native/websocket-requests/src/{requests,responses,text,error}.rs, every error kind,
// and the server's behaviour (formats of pushed messages, buffering, one application, loopback).
import type { ReceivedMessage, SendOptions } from "../client/mixnet_client.ts";
import { AnonymousSenderTag, Recipient } from "../message/mod.ts";
import { isAllowedOrigin, isLoopbackAddress } from "../cli/_loopback.ts";
import { NativeApiError, type NativeApiErrorKind } from "../cli/native_api_error.ts";
import {
  decodeBinaryRequest,
  decodeTextRequest,
  encodeBinaryRequest,
  encodeTextRequest,
  type NativeApiRequest,
} from "../cli/native_api_requests.ts";
import {
  decodeBinaryResponse,
  decodeTextResponse,
  encodeBinaryResponse,
  encodeTextResponse,
} from "../cli/native_api_responses.ts";
import { type NativeApiClient, serveNativeApi } from "../cli/native_api_server.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { ApiApp, NativeApiEventLog } from "./_native_api_app.ts";

// The address Nym's own request/response tests use.
const ADDRESS = "CytBseW6yFXUMzz4SGAKdNLGR7q3sJLLYxyBGvutNEQV." +
  "4QXYyEVc5fUDjmmi8PrHN9tdUFV4PCvSJE1278cHyvoe@4sBbL1ngf1vtNqykydQKTFh26sQCw888GpUqvPvyNB4f";
const RECIPIENT = Recipient.parse(ADDRESS);
const R = RECIPIENT.toBytes();
const TAG = new AnonymousSenderTag(new Uint8Array(16).fill(8));
const FOOMP = new TextEncoder().encode("foomp");

function bytes(...parts: (number[] | Uint8Array)[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) out.push(...part);
  return new Uint8Array(out);
}
const u64 = (n: number | bigint) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
};
const u32 = (n: number) => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
};

function expectApiError(fn: () => unknown, kind: NativeApiErrorKind): NativeApiError {
  return assertThrows(fn, NativeApiError, (e) => e.kind === kind);
}

Deno.test("binary requests follow Nym's byte layouts for every tag, both ways", () => {
  const cases: [Uint8Array, NativeApiRequest][] = [
    [bytes([0x00], R, u64(42), u64(5), FOOMP), {
      type: "send",
      recipient: RECIPIENT,
      connectionId: 42n,
      message: FOOMP,
    }],
    [bytes([0x01], u32(666), R, u64(42), u64(5), FOOMP), {
      type: "sendAnonymous",
      replySurbs: 666,
      recipient: RECIPIENT,
      connectionId: 42n,
      message: FOOMP,
    }],
    [bytes([0x02], TAG.bytes, u64(42), u64(5), FOOMP), {
      type: "reply",
      senderTag: TAG,
      connectionId: 42n,
      message: FOOMP,
    }],
    [bytes([0x03]), { type: "selfAddress" }],
    [bytes([0x04], u64(42)), { type: "closedConnection", connectionId: 42n }],
    [bytes([0x05], u64(0xffff_ffff_ffff_ffffn)), {
      type: "getLaneQueueLength",
      connectionId: 0xffff_ffff_ffff_ffffn,
    }],
  ];
  for (const [wire, request] of cases) {
    assertEquals(encodeBinaryRequest(request), wire, request.type);
    const decoded = decodeBinaryRequest(wire);
    assertEquals(encodeBinaryRequest(decoded), wire, `${request.type} round trip`);
    assertEquals(decoded.type, request.type);
  }
  // Connection id 0 means none (the general lane); an empty message is allowed.
  const plain = decodeBinaryRequest(bytes([0x00], R, u64(0), u64(0)));
  assert(plain.type === "send" && plain.connectionId === undefined);
  assertEquals(plain.message.length, 0);
  const reply = decodeBinaryRequest(bytes([0x02], TAG.bytes, u64(0), u64(5), FOOMP));
  assert(reply.type === "reply" && reply.senderTag.equals(TAG) && reply.connectionId === undefined);
  // selfAddress ignores anything after its tag, as Nym's parser does.
  assertEquals(decodeBinaryRequest(bytes([0x03, 1, 2, 3])).type, "selfAddress");
});

Deno.test("malformed binary requests raise the error kind Nym raises", () => {
  const e = expectApiError(() => decodeBinaryRequest(new Uint8Array()), "empty-request");
  assertEquals([e.code, e.message], [1, "received request contained no data:no data provided"]);
  for (const tag of [0x06, 0x7f, 0xff]) {
    const unknown = expectApiError(() => decodeBinaryRequest(bytes([tag])), "unknown-request");
    assertEquals(unknown.detail, `${tag} does not correspond to any valid request tag`);
    assertEquals(unknown.code, 3);
  }
  // Shorter than the fixed part.
  expectApiError(
    () => decodeBinaryRequest(bytes([0x00], R, u64(0), [0, 0, 0])),
    "too-short-request",
  );
  expectApiError(() => decodeBinaryRequest(bytes([0x00])), "too-short-request");
  expectApiError(() => decodeBinaryRequest(bytes([0x01], u32(1), R, u64(0))), "too-short-request");
  expectApiError(() => decodeBinaryRequest(bytes([0x02], TAG.bytes, u64(0))), "too-short-request");
  // A length field that disagrees with the data.
  const mismatch = expectApiError(
    () => decodeBinaryRequest(bytes([0x00], R, u64(0), u64(6), FOOMP)),
    "malformed-request",
  );
  assertEquals(mismatch.detail, "data len has inconsistent length. specified: 6 got: 5");
  expectApiError(
    () => decodeBinaryRequest(bytes([0x01], u32(1), R, u64(0), u64(4), FOOMP)),
    "malformed-request",
  );
  expectApiError(
    () => decodeBinaryRequest(bytes([0x02], TAG.bytes, u64(0), u64(2n ** 64n - 1n), FOOMP)),
    "malformed-request",
  );
  // A recipient whose identity key is not a curve point.
  const badKey = R.slice();
  badKey.set(new Uint8Array(32), 0);
  badKey[0] = 2; // y = 2: x² is not a square mod p, so no point has this encoding
  assertThrows(() => Recipient.fromBytes(badKey), Error);
  expectApiError(
    () => decodeBinaryRequest(bytes([0x00], badKey, u64(0), u64(0))),
    "malformed-request",
  );
  expectApiError(
    () => decodeBinaryRequest(bytes([0x01], u32(0), badKey, u64(0), u64(0))),
    "malformed-request",
  );
  // closedConnection and getLaneQueueLength must be exactly 9 bytes (malformed, not too short).
  for (const tag of [0x04, 0x05]) {
    expectApiError(() => decodeBinaryRequest(bytes([tag], [0, 0, 0])), "malformed-request");
    expectApiError(() => decodeBinaryRequest(bytes([tag], u64(1), [0])), "malformed-request");
  }
});

Deno.test("every truncation and bit flip of a binary request gives a typed error or a request", () => {
  const valid = [
    bytes([0x00], R, u64(7), u64(5), FOOMP),
    bytes([0x01], u32(3), R, u64(7), u64(5), FOOMP),
    bytes([0x02], TAG.bytes, u64(7), u64(5), FOOMP),
    bytes([0x05], u64(9)),
  ];
  const fixed: Record<number, number> = {
    0x00: 1 + 96 + 16,
    0x01: 1 + 4 + 96 + 16,
    0x02: 1 + 16 + 16,
  };
  for (const wire of valid) {
    for (let n = 0; n < wire.length; n++) {
      const kind = n === 0
        ? "empty-request"
        : wire[0] !== 0x05 && n < fixed[wire[0]]
        ? "too-short-request"
        : "malformed-request";
      expectApiError(() => decodeBinaryRequest(wire.subarray(0, n)), kind);
    }
    for (let i = 0; i < wire.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const flipped = wire.slice();
        flipped[i] ^= bit;
        try {
          decodeBinaryRequest(flipped);
        } catch (error) {
          assert(error instanceof NativeApiError, `byte ${i}: ${error}`);
        }
      }
    }
  }
});

Deno.test("text requests parse as serde does, with exact u64 connection ids", () => {
  const send = decodeTextRequest(
    `{"type":"send","message":"foomp","recipient":"${ADDRESS}","connectionId":null}`,
  );
  assert(send.type === "send" && send.connectionId === undefined);
  assertEquals(send.message, FOOMP);
  assert(send.recipient.equals(RECIPIENT));
  // connectionId may be absent; 0 is a real id in the text form; u64::MAX survives exactly.
  const absent = decodeTextRequest(`{"type":"send","recipient":"${ADDRESS}","message":""}`);
  assert(absent.type === "send" && absent.connectionId === undefined);
  const zero = decodeTextRequest(
    `{"type":"send","recipient":"${ADDRESS}","message":"x","connectionId":0}`,
  );
  assert(zero.type === "send" && zero.connectionId === 0n);
  const max = decodeTextRequest(
    `{"type":"reply","senderTag":"${TAG}","message":"hé","connectionId":18446744073709551615}`,
  );
  assert(max.type === "reply" && max.connectionId === 18446744073709551615n);
  assertEquals(max.message, new TextEncoder().encode("hé"));
  const anon = decodeTextRequest(
    `{"type":"sendAnonymous","recipient":"${ADDRESS}","message":"m","replySurbs":4294967295,"extra":1}`,
  );
  assert(anon.type === "sendAnonymous" && anon.replySurbs === 4294967295);
  assertEquals(decodeTextRequest(`{"type":"selfAddress"}`).type, "selfAddress");

  // The text our encoder writes is serde's: fields in declaration order, null for no id.
  assertEquals(
    encodeTextRequest({ type: "send", recipient: RECIPIENT, message: FOOMP }),
    `{"type":"send","message":"foomp","recipient":"${ADDRESS}","connectionId":null}`,
  );
  assertEquals(
    encodeTextRequest({
      type: "sendAnonymous",
      recipient: RECIPIENT,
      message: FOOMP,
      replySurbs: 10,
      connectionId: 3n,
    }),
    `{"type":"sendAnonymous","recipient":"${ADDRESS}","message":"foomp","replySurbs":10,"connectionId":3}`,
  );
  assertEquals(
    encodeTextRequest({ type: "reply", senderTag: TAG, message: FOOMP }),
    `{"type":"reply","senderTag":"${TAG}","message":"foomp","connectionId":null}`,
  );
  expectApiError(
    () => encodeTextRequest({ type: "getLaneQueueLength", connectionId: 1n }),
    "malformed-request",
  );
  expectApiError(
    () =>
      encodeTextRequest({ type: "send", recipient: RECIPIENT, message: new Uint8Array([0xff]) }),
    "malformed-request",
  );
});

Deno.test("every malformed text request is a malformed-request error", () => {
  const bad = [
    ``,
    `not json`,
    `{"type":"send"`,
    `[]`,
    `"selfAddress"`,
    `null`,
    `{}`,
    `{"type":1}`,
    `{"type":"closedConnection","connectionId":1}`,
    `{"type":"getLaneQueueLength","connectionId":1}`,
    `{"type":"SEND","message":"m","recipient":"${ADDRESS}"}`,
    `{"type":"send","recipient":"${ADDRESS}"}`,
    `{"type":"send","message":"m"}`,
    `{"type":"send","message":5,"recipient":"${ADDRESS}"}`,
    `{"type":"send","message":"m","recipient":"nope"}`,
    `{"type":"send","message":"m","recipient":"${ADDRESS.slice(0, -1)}"}`,
    `{"type":"send","message":"m","recipient":"${ADDRESS}","connectionId":-1}`,
    `{"type":"send","message":"m","recipient":"${ADDRESS}","connectionId":1.0}`,
    `{"type":"send","message":"m","recipient":"${ADDRESS}","connectionId":1e3}`,
    `{"type":"send","message":"m","recipient":"${ADDRESS}","connectionId":"1"}`,
    `{"type":"send","message":"m","recipient":"${ADDRESS}","connectionId":18446744073709551616}`,
    `{"type":"send","message":"\\ud800","recipient":"${ADDRESS}"}`,
    `{"type":"sendAnonymous","recipient":"${ADDRESS}","message":"m"}`,
    `{"type":"sendAnonymous","recipient":"${ADDRESS}","message":"m","replySurbs":4294967296}`,
    `{"type":"sendAnonymous","recipient":"${ADDRESS}","message":"m","replySurbs":-2}`,
    `{"type":"reply","senderTag":"0OIl","message":"m"}`,
    `{"type":"reply","senderTag":"${TAG}1","message":"m"}`,
    `{"type":"reply","message":"m"}`,
  ];
  for (const text of bad) {
    const error = expectApiError(() => decodeTextRequest(text), "malformed-request");
    assert(error.message.startsWith("malformed request:"), error.message);
  }
});

Deno.test("responses follow Nym's byte layouts and serde's JSON", () => {
  assertEquals(
    encodeBinaryResponse({ type: "received", message: FOOMP, senderTag: TAG }),
    bytes([0x01, 0x01], TAG.bytes, u64(5), FOOMP),
  );
  assertEquals(
    encodeBinaryResponse({ type: "received", message: FOOMP }),
    bytes([0x01, 0x00], u64(5), FOOMP),
  );
  assertEquals(
    encodeBinaryResponse({ type: "selfAddress", address: RECIPIENT }),
    bytes([0x02], R),
  );
  assertEquals(
    encodeBinaryResponse({ type: "laneQueueLength", lane: 13n, queueLength: 42 }),
    bytes([0x03], u64(13), u64(42)),
  );
  const codes: [NativeApiErrorKind, number][] = [
    ["empty-request", 0x01],
    ["too-short-request", 0x02],
    ["unknown-request", 0x03],
    ["malformed-request", 0x04],
    ["empty-response", 0x80],
    ["too-short-response", 0x81],
    ["unknown-response", 0x82],
    ["malformed-response", 0x83],
    ["other", 0xff],
  ];
  for (const [kind, code] of codes) {
    const wire = encodeBinaryResponse({ type: "error", kind, message: "foomp message" });
    assertEquals(wire, bytes([0x00, code], u64(13), new TextEncoder().encode("foomp message")));
    const back = decodeBinaryResponse(wire);
    assertEquals(back, { type: "error", kind, message: "foomp message" });
    const text = encodeTextResponse({ type: "error", kind, message: "foomp message" });
    assertEquals(decodeTextResponse(text), back);
  }
  assertEquals(
    encodeTextResponse({ type: "error", kind: "unknown-request", message: "7 does not…" }),
    `{"type":"error","message":"unknown request type:7 does not…"}`,
  );
  assertEquals(
    encodeTextResponse({ type: "received", message: FOOMP, senderTag: TAG }),
    `{"type":"received","message":"foomp","senderTag":"${TAG}"}`,
  );
  // Lossy UTF-8 as Rust's from_utf8_lossy; control characters escaped as serde_json does.
  assertEquals(
    encodeTextResponse({ type: "received", message: bytes([0x61, 0xff, 0x0a, 0x01, 0x22]) }),
    `{"type":"received","message":"a\ufffd\\n\\u0001\\"","senderTag":null}`,
  );
  assertEquals(
    encodeTextResponse({ type: "selfAddress", address: RECIPIENT }),
    `{"type":"selfAddress","address":"${ADDRESS}"}`,
  );
  assertEquals(
    encodeTextResponse({ type: "laneQueueLength", lane: 18446744073709551615n, queueLength: 2 }),
    `{"type":"laneQueueLength","lane":18446744073709551615,"queue_length":2}`,
  );
  const lane = decodeTextResponse(
    `{"type":"laneQueueLength","lane":18446744073709551615,"queue_length":2}`,
  );
  assertEquals(lane, { type: "laneQueueLength", lane: 18446744073709551615n, queueLength: 2 });
  const received = decodeBinaryResponse(bytes([0x01, 0x01], TAG.bytes, u64(5), FOOMP));
  assert(received.type === "received" && received.senderTag?.equals(TAG));
  assertEquals(received.message, FOOMP);
  const self = decodeBinaryResponse(bytes([0x02], R));
  assert(self.type === "selfAddress" && self.address.equals(RECIPIENT));
});

Deno.test("malformed responses raise the response error kinds", () => {
  expectApiError(() => decodeBinaryResponse(new Uint8Array()), "empty-response");
  expectApiError(() => decodeBinaryResponse(bytes([0x04])), "unknown-response");
  expectApiError(() => decodeBinaryResponse(bytes([0x01, 0x00], [0, 0])), "too-short-response");
  expectApiError(
    () => decodeBinaryResponse(bytes([0x01, 0x01], [1, 2], u64(0))),
    "too-short-response",
  );
  expectApiError(() => decodeBinaryResponse(bytes([0x01, 0x02], u64(0))), "malformed-response");
  expectApiError(
    () => decodeBinaryResponse(bytes([0x01, 0x00], u64(9), FOOMP)),
    "malformed-response",
  );
  expectApiError(() => decodeBinaryResponse(bytes([0x02], R.subarray(1))), "too-short-response");
  expectApiError(() => decodeBinaryResponse(bytes([0x02], R, [0])), "too-short-response");
  expectApiError(() => decodeBinaryResponse(bytes([0x03], u64(1))), "too-short-response");
  expectApiError(() => decodeBinaryResponse(bytes([0x00, 0x05], u64(0))), "malformed-response");
  expectApiError(() => decodeBinaryResponse(bytes([0x00, 0x01], [0])), "too-short-response");
  expectApiError(
    () => decodeBinaryResponse(bytes([0x00, 0x01], u64(1), [0xff])),
    "malformed-response",
  );
  expectApiError(
    () => decodeBinaryResponse(bytes([0x00, 0x01], u64(2), [0x41])),
    "malformed-response",
  );
  for (
    const text of [
      "nope",
      "[]",
      `{"type":"what"}`,
      `{"type":"received"}`,
      `{"type":"received","message":"m","senderTag":"0"}`,
      `{"type":"selfAddress","address":"a@b"}`,
      `{"type":"laneQueueLength","lane":-1,"queue_length":0}`,
      `{"type":"laneQueueLength","lane":18446744073709551616,"queue_length":0}`,
      `{"type":"error"}`,
    ]
  ) {
    expectApiError(() => decodeTextResponse(text), "malformed-response");
  }
  assertEquals(decodeTextResponse(`{"type":"error","message":"no prefix"}`), {
    type: "error",
    kind: "other",
    message: "no prefix",
  });
});

// ---- the server, with a stand-in client --------------------------------------------------------

interface Call {
  readonly method: "send" | "reply";
  readonly to: string;
  readonly data: Uint8Array;
  readonly options?: SendOptions;
}

class FakeClient implements NativeApiClient {
  readonly address = ADDRESS;
  readonly messages: ReadableStream<ReceivedMessage>;
  readonly calls: Call[] = [];
  queueLength = 99;
  lanes = new Map<string, number>();
  #controller!: ReadableStreamDefaultController<ReceivedMessage>;

  constructor() {
    this.messages = new ReadableStream({ start: (c) => void (this.#controller = c) });
  }
  send(recipient: Recipient, data: Uint8Array, options: SendOptions): void {
    this.calls.push({ method: "send", to: recipient.toString(), data, options });
  }
  reply(senderTag: AnonymousSenderTag, data: Uint8Array): void {
    this.calls.push({ method: "reply", to: senderTag.toString(), data });
  }
  laneQueueLength(lane: string): number {
    return this.lanes.get(lane) ?? 0;
  }
  push(message: ReceivedMessage): void {
    this.#controller.enqueue(message);
  }
  end(): void {
    this.#controller.close();
  }
}

/** Sends a raw HTTP request to the server and returns the status line. */
async function rawStatus(port: number, headers: string, hostname = "127.0.0.1"): Promise<string> {
  const conn = await Deno.connect({ hostname, port });
  try {
    await conn.write(new TextEncoder().encode(`GET / HTTP/1.1\r\nHost: x\r\n${headers}\r\n`));
    const buffer = new Uint8Array(512);
    const n = await conn.read(buffer);
    return new TextDecoder().decode(buffer.subarray(0, n ?? 0)).split("\r\n")[0];
  } finally {
    conn.close();
  }
}

const UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

Deno.test("pushed messages are binary before any request, then follow the last request's form", async () => {
  const client = new FakeClient();
  const server = serveNativeApi({ client, port: 0 });
  const app = await ApiApp.open(server.url);
  try {
    client.push({ data: FOOMP, kind: "plain" });
    assertEquals(await app.next(), bytes([0x01, 0x00], u64(5), FOOMP));
    app.ws.send(`{"type":"selfAddress"}`);
    assertEquals(await app.next(), `{"type":"selfAddress","address":"${ADDRESS}"}`);
    client.push({ data: FOOMP, kind: "repliable", senderTag: TAG.toString() });
    assertEquals(await app.next(), `{"type":"received","message":"foomp","senderTag":"${TAG}"}`);
    app.ws.send(new Uint8Array([0x03]));
    assertEquals(await app.next(), bytes([0x02], R));
    client.push({ data: FOOMP, kind: "reply" });
    assertEquals(await app.next(), bytes([0x01, 0x00], u64(5), FOOMP));
    // A malformed text request also switches the form, as in Nym.
    app.ws.send("}");
    const error = await app.next();
    assert(
      typeof error === "string" &&
        error.startsWith(`{"type":"error","message":"malformed request:`),
    );
    client.push({ data: FOOMP, kind: "plain" });
    assertEquals(await app.next(), `{"type":"received","message":"foomp","senderTag":null}`);
  } finally {
    await app.close();
    await server.close();
  }
});

Deno.test("messages that arrive with no application connected are kept and pushed as binary", async () => {
  const client = new FakeClient();
  const log = new NativeApiEventLog();
  const server = serveNativeApi({
    client,
    port: 0,
    maxBufferedMessages: 2,
    onEvent: log.onEvent,
  });
  try {
    for (const n of [1, 2, 3]) client.push({ data: new Uint8Array([n]), kind: "plain" });
    await log.waitFor("dropped");
    assertEquals(server.buffered, 2);
    let app = await ApiApp.open(server.url);
    assertEquals(await app.next(), bytes([0x01, 0x00], u64(1), [2]));
    assertEquals(await app.next(), bytes([0x01, 0x00], u64(1), [3]));
    app.ws.send(`{"type":"selfAddress"}`);
    await app.next();
    await app.close();
    await log.waitFor("appDisconnected");
    // The next application starts in binary again, whatever the previous one used.
    client.push({ data: new Uint8Array([4]), kind: "plain" });
    app = await ApiApp.open(server.url);
    assertEquals(await app.next(), bytes([0x01, 0x00], u64(1), [4]));
    await app.close();
    assertEquals(log.count("appConnected"), 2);
  } finally {
    await server.close();
  }
});

Deno.test("requests reach the client on their lane, and connection ids get a lane length", async () => {
  const client = new FakeClient();
  client.lanes.set("connection:5", 3);
  const server = serveNativeApi({ client, port: 0 });
  const app = await ApiApp.open(server.url);
  try {
    app.ws.send(`{"type":"send","message":"a","recipient":"${ADDRESS}","connectionId":5}`);
    assertEquals(await app.next(), `{"type":"laneQueueLength","lane":5,"queue_length":3}`);
    app.ws.send(`{"type":"sendAnonymous","message":"b","recipient":"${ADDRESS}","replySurbs":3}`);
    app.ws.send(`{"type":"reply","message":"c","senderTag":"${TAG}","connectionId":null}`);
    // Without a connection id there is no response; the next response is selfAddress's.
    app.ws.send(bytes([0x00], R, u64(0), u64(1), [0x64]));
    app.ws.send(bytes([0x04], u64(5)));
    app.ws.send(bytes([0x03]));
    assertEquals(await app.next(), bytes([0x02], R));
    app.ws.send(bytes([0x05], u64(5)));
    assertEquals(await app.next(), bytes([0x03], u64(5), u64(3)));
    app.ws.send(bytes([0x01], u32(7), R, u64(6), u64(1), [0x65]));
    assertEquals(await app.next(), bytes([0x03], u64(6), u64(0)));
    const text = (c: Call) => new TextDecoder().decode(c.data);
    assertEquals(
      client.calls.map((c) => [c.method, c.to, text(c), c.options]),
      [
        ["send", ADDRESS, "a", { lane: "connection:5" }],
        ["send", ADDRESS, "b", { replySurbs: 3 }],
        ["reply", TAG.toString(), "c", undefined],
        ["send", ADDRESS, "d", {}],
        ["send", ADDRESS, "e", { replySurbs: 7, lane: "connection:6" }],
      ],
    );
  } finally {
    await app.close();
    await server.close();
  }
});

Deno.test("JSON has no queue-length request: it is an unknown variant, as in Nym", async () => {
  const client = new FakeClient();
  client.lanes.set("connection:5", 3);
  const server = serveNativeApi({ client, port: 0 });
  const app = await ApiApp.open(server.url);
  try {
    for (const type of ["laneQueueLength", "getLaneQueueLength"]) {
      app.ws.send(`{"type":"${type}","connectionId":5}`);
      const error = await app.next();
      assert(typeof error === "string", "a text response");
      const parsed = JSON.parse(error);
      assertEquals(parsed.type, "error");
      assert(parsed.message.includes(`unknown variant \`${type}\``), parsed.message);
    }
    // What the README points to instead: a send with a connection id, or binary request 0x05.
    app.ws.send(`{"type":"send","message":"a","recipient":"${ADDRESS}","connectionId":5}`);
    assertEquals(await app.next(), `{"type":"laneQueueLength","lane":5,"queue_length":3}`);
    app.ws.send(bytes([0x05], u64(5)));
    assertEquals(await app.next(), bytes([0x03], u64(5), u64(3)));
    assertEquals(client.calls.length, 1);
  } finally {
    await app.close();
    await server.close();
  }
});

Deno.test("malformed requests get an error response in the request's form", async () => {
  const client = new FakeClient();
  const server = serveNativeApi({ client, port: 0, maxReplySurbs: 100 });
  const app = await ApiApp.open(server.url);
  try {
    const expectBinary = async (request: Uint8Array, kind: number, detail: string) => {
      app.ws.send(request);
      const text = new TextEncoder().encode(detail);
      assertEquals(await app.next(), bytes([0x00, kind], u64(text.length), text));
    };
    await expectBinary(new Uint8Array(), 0x01, "no data provided");
    await expectBinary(bytes([0x00, 1]), 0x02, "not enough data provided to recover 'send'");
    await expectBinary(bytes([0x09]), 0x03, "9 does not correspond to any valid request tag");
    await expectBinary(
      bytes([0x04, 1]),
      0x04,
      "The received closed connection has invalid length",
    );
    await expectBinary(
      bytes([0x01], u32(101), R, u64(0), u64(0)),
      0xff,
      "at most 100 reply SURBs per message",
    );
    app.ws.send(`{"type":"nope"}`);
    const error = decodeTextResponse((await app.next()) as string);
    assert(error.type === "error" && error.kind === "malformed-request");
    assertEquals(client.calls.length, 0);
  } finally {
    await app.close();
    await server.close();
  }
});

Deno.test("a second application, plain HTTP and foreign browser origins are refused", async () => {
  const client = new FakeClient();
  const log = new NativeApiEventLog();
  const server = serveNativeApi({
    client,
    port: 0,
    allowedOrigins: ["https://app.example"],
    onEvent: log.onEvent,
  });
  try {
    assertEquals(await rawStatus(server.port, ""), "HTTP/1.1 426 Upgrade Required");
    assertEquals(
      await rawStatus(server.port, `${UPGRADE}Origin: https://evil.example\r\n`),
      "HTTP/1.1 403 Forbidden",
    );
    assert(
      (await rawStatus(server.port, `${UPGRADE}Origin: http://localhost:3000\r\n`))
        .includes(" 101 "),
    );
    await log.waitFor("appDisconnected");
    const app = await ApiApp.open(server.url);
    assertEquals(await rawStatus(server.port, UPGRADE), "HTTP/1.1 409 Conflict");
    assert(
      (await rawStatus(server.port, `${UPGRADE}Origin: https://app.example\r\n`)).includes(" 409 "),
    );
    await app.close();
    assertEquals(log.count("refused"), 4);
  } finally {
    await server.close();
  }
});

Deno.test("loopback peers and origins are told apart from the rest", () => {
  for (const ip of ["127.0.0.1", "127.255.3.4", "::1", "[::1]", "::ffff:127.0.0.1"]) {
    assert(isLoopbackAddress(ip), ip);
  }
  for (const ip of ["10.0.0.1", "128.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.1", "127.0.0.256"]) {
    assert(!isLoopbackAddress(ip), ip);
  }
  assert(isAllowedOrigin(null, []));
  assert(isAllowedOrigin("http://127.0.0.1:8000", []));
  assert(isAllowedOrigin("http://[::1]", []));
  assert(!isAllowedOrigin("https://evil.example", []));
  assert(!isAllowedOrigin("null", []));
  assert(isAllowedOrigin("https://evil.example", ["*"]));
});

const external = (() => {
  try {
    return Deno.networkInterfaces().find((i) =>
      i.family === "IPv4" && !i.address.startsWith("127.")
    )
      ?.address;
  } catch {
    return undefined;
  }
})();

Deno.test({
  name: "a peer on another interface is refused even when the server binds every interface",
  ignore: external === undefined,
  fn: async () => {
    const client = new FakeClient();
    const server = serveNativeApi({ client, hostname: "0.0.0.0", port: 0 });
    try {
      assertEquals(await rawStatus(server.port, UPGRADE, external), "HTTP/1.1 403 Forbidden");
      assert((await rawStatus(server.port, UPGRADE, "127.0.0.1")).includes(" 101 "));
    } finally {
      await server.close();
    }
  },
});

Deno.test("closing the server releases the client's message stream", async () => {
  const client = new FakeClient();
  const server = serveNativeApi({ client, port: 0 });
  await server.close();
  const reader = client.messages.getReader();
  client.push({ data: FOOMP, kind: "plain" });
  assertEquals((await reader.read()).value?.data, FOOMP);
  reader.releaseLock();
  client.end();
});
