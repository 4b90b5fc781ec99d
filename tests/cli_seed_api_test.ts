// The seed's socket API: the protobuf codec against the worked bytes of the schema, malformed
// input (typed errors), the JSON forms, the TCP framing, and the servers (TCP with flush, `/mix`)
// with a fake client behind them.
import { defaultCrypto } from "../crypto/mod.ts";
import { Recipient } from "../message/mod.ts";
import { MAX_MIX_SESSIONS, serveNativeApi } from "../cli/native_api_server.ts";
import { listPublicClients, publishClient } from "../cli/seed_directory.ts";
import { startDirectory } from "../localnet/directory/mod.ts";
import { PublicClients } from "../localnet/directory/public_clients.ts";
import { SeedApi, type SeedApiEvent, seedClientConfig } from "../cli/seed_api.ts";
import { toBase58 } from "../internal/encoding.ts";
import { decodeSeedText, encodeSeedJsonpb, SeedJsonError } from "../cli/seed_json.ts";
import {
  encodeSeedFrame,
  SeedFrameDecoder,
  SeedFramingError,
  type SeedFramingErrorKind,
} from "../cli/seed_framing.ts";
import {
  decodeSeedRequest,
  decodeSeedResponse,
  encodeSeedRequest,
  encodeSeedResponse,
  SeedProtobufError,
  type SeedProtobufErrorKind,
} from "../cli/seed_protobuf.ts";
import { MAX_SEED_TCP_SESSIONS, serveSeedTcp } from "../cli/seed_tcp_server.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { ApiApp, FakeNativeClient } from "./_native_api_app.ts";
import {
  detailsId,
  exceptionText,
  fetchedMessages,
  readResponse,
  requests,
  RESPONSE,
  SeedTcpApp,
} from "./_seed_client.ts";

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));
const utf8 = (text: string) => new TextEncoder().encode(text);
const key = (fill: number) => new Uint8Array(32).fill(fill);
const point = (fill: number) => defaultCrypto().ed25519PublicKey(key(fill));
const ALICE = new Recipient(point(1), key(2), point(3)).toString();
const BOB = new Recipient(point(4), key(5), point(6)).toString();

/** A client behind the seed API that records what it was asked to send. */
class SentLog {
  readonly sent: { to: string; data: Uint8Array }[] = [];
  readonly address = ALICE;
  send = (recipient: Recipient, data: Uint8Array): void => {
    this.sent.push({ to: recipient.toString(), data });
  };
}

function framed(body: Uint8Array): Uint8Array {
  return encodeSeedFrame(body, "varint");
}

// ---- codec ------------------------------------------------------------------------------------

Deno.test("requests and responses encode to the worked bytes of the seed's schema", () => {
  assertEquals(framed(encodeSeedRequest({ type: "fetch" })), hex("041a00"));
  assertEquals(framed(encodeSeedRequest({ type: "clients" })), hex("042200"));
  assertEquals(framed(encodeSeedRequest({ type: "details" })), hex("042a00"));
  assertEquals(framed(encodeSeedRequest({ type: "flush" })), hex("043200"));
  assertEquals(
    framed(encodeSeedRequest({ type: "send", message: utf8("hi"), recipient: { id: "a" } })),
    hex("161209" + "0a026869" + "12030a0161"),
  );
  assertEquals(framed(encodeSeedResponse({ type: "flush" })), hex("043200"));
  assertEquals(framed(encodeSeedResponse({ type: "send" })), hex("041200"));
  assertEquals(
    framed(encodeSeedResponse({ type: "exception", error: "Invalid server request" })),
    Uint8Array.from([0x34, 0x0a, 0x18, 0x0a, 0x16, ...utf8("Invalid server request")]),
  );
  // lengths: 0→00, 1→02, 63→7e, 64→80 01, 300→d8 04, 1 MiB→80 80 80 01
  for (
    const [length, prefix] of [[0, "00"], [1, "02"], [63, "7e"], [64, "8001"], [300, "d804"], [
      1048576,
      "80808001",
    ]] as const
  ) {
    assertEquals(
      encodeSeedFrame(new Uint8Array(length), "varint").subarray(0, prefix.length / 2),
      hex(prefix),
    );
  }
  assertEquals(encodeSeedFrame(hex("1a00"), "u64"), hex("00000000000000021a00"));
});

Deno.test("requests and responses decode what they encode, ClientConfig and MixConfig included", () => {
  const recipient = {
    id: BOB,
    host: "127.0.0.1",
    port: "1789",
    pubKey: key(7),
    provider: { id: "gw", host: "h", port: "9", pubKey: key(8), layer: 3n },
  };
  const send = { type: "send" as const, message: utf8("hello"), recipient };
  assertEquals(decodeSeedRequest(encodeSeedRequest(send)), send);
  for (const type of ["fetch", "clients", "details", "flush", "none"] as const) {
    assertEquals(decodeSeedRequest(encodeSeedRequest({ type })), { type });
  }
  const responses = [
    { type: "exception", error: "boom" },
    { type: "send" },
    { type: "fetch", messages: [utf8("a"), new Uint8Array(0), utf8("c")] },
    { type: "clients", clients: [recipient, { id: ALICE }] },
    { type: "details", details: recipient },
    { type: "flush" },
  ] as const;
  for (const response of responses) {
    assertEquals(decodeSeedResponse(encodeSeedResponse(response)), response);
  }
  // a uint64 layer at the top of its range survives
  const big = { type: "details" as const, details: { provider: { layer: (1n << 64n) - 1n } } };
  assertEquals(decodeSeedResponse(encodeSeedResponse(big)), big);
});

Deno.test("the decoder skips unknown fields and merges a repeated oneof member, as proto3 does", () => {
  // unknown varint field 15, fixed64 field 14 and fixed32 field 13 before `fetch`
  assertEquals(
    decodeSeedRequest(hex("7801" + "710102030405060708" + "6d01020304" + "1a00")),
    { type: "fetch" },
  );
  // send given in two pieces: message, then recipient
  assertEquals(
    decodeSeedRequest(hex("1204" + "0a026869" + "1205" + "12030a0161")),
    { type: "send", message: utf8("hi"), recipient: { id: "a" } },
  );
  // the last oneof member wins
  assertEquals(decodeSeedRequest(hex("1a00" + "2a00")), { type: "details" });
  // unknown fields only: no value
  assertEquals(decodeSeedRequest(hex("7801")), { type: "none" });
});

Deno.test("malformed protobuf is refused with a typed error", () => {
  const cases: [string, SeedProtobufErrorKind][] = [
    ["12", "truncated"], // key without length
    ["1205", "truncated"], // length past the end
    ["12ffffffffffffffffffff01", "varint-too-long"], // an 11-byte varint
    ["78", "truncated"], // varint field without value
    ["7180", "truncated"], // fixed64 cut short
    ["6d01", "truncated"], // fixed32 cut short
    ["1b", "wire-type"], // start group
    ["1001", "wire-type"], // send as a varint
    ["0200", "field-number"], // field 0
    ["12050a03c328", "truncated"], // Id's length past the end of its message
    ["1205" + "12030a01" + "ff", "utf8"], // Id not UTF-8
    ["12020801", "wire-type"], // message as a varint
  ];
  for (const [bytes, kind] of cases) {
    const error = assertThrows(() => decodeSeedRequest(hex(bytes)), SeedProtobufError);
    assertEquals(error.kind, kind, bytes);
  }
  assertEquals(
    assertThrows(() => decodeSeedResponse(new Uint8Array(0)), SeedProtobufError).kind,
    "field-number",
  );
});

Deno.test("the frame decoder splits a stream byte by byte and refuses bad prefixes", () => {
  for (const framing of ["varint", "u64"] as const) {
    const stream = Uint8Array.from([
      ...encodeSeedFrame(hex("1a00"), framing),
      ...encodeSeedFrame(new Uint8Array(300).fill(7), framing),
      ...encodeSeedFrame(new Uint8Array(0), framing),
    ]);
    const decoder = new SeedFrameDecoder(framing);
    const frames = [...stream].flatMap((b) => decoder.push(Uint8Array.of(b)));
    assertEquals(frames, [hex("1a00"), new Uint8Array(300).fill(7), new Uint8Array(0)]);
    assertEquals(decoder.pending, 0);
  }
  const bad: ["varint" | "u64", string, SeedFramingErrorKind][] = [
    ["varint", "01", "negative-length"],
    ["varint", "82808001", "too-large"], // 1 MiB + 1
    ["varint", "ffffffffffffffffffff", "varint-too-long"],
    ["u64", "0000000000100001", "too-large"],
    ["u64", "ffffffffffffffff", "too-large"],
  ];
  for (const [framing, bytes, kind] of bad) {
    const error = assertThrows(
      () => new SeedFrameDecoder(framing).push(hex(bytes)),
      SeedFramingError,
    );
    assertEquals(error.kind, kind, bytes);
  }
});

Deno.test("text requests are read as 0.x JSON when they have a type, as jsonpb otherwise", () => {
  assertEquals(
    decodeSeedText(`{"type":"send","message":"hi","recipient_address":"${BOB}"}`),
    { form: "legacy", request: { type: "send", message: utf8("hi"), recipient: { id: BOB } } },
  );
  assertEquals(decodeSeedText(`{"type":"getClients"}`).request, { type: "clients" });
  assertEquals(decodeSeedText(`{"type":"ownDetails","extra":1}`).request, { type: "details" });
  assertEquals(
    decodeSeedText(
      `{"send":{"message":"aGk=","recipient":{"Id":"a","pubKey":"AQI=","provider":{"layer":"2","Port":"1"}}}}`,
    ),
    {
      form: "jsonpb",
      request: {
        type: "send",
        message: utf8("hi"),
        recipient: { id: "a", pubKey: Uint8Array.of(1, 2), provider: { layer: 2n, port: "1" } },
      },
    },
  );
  assertEquals(decodeSeedText(`{"fetch":{}}`).request, { type: "fetch" });
  assertEquals(decodeSeedText(`{}`).request, { type: "none" });
  const refused: [string, "legacy" | "jsonpb"][] = [
    [`not json`, "jsonpb"],
    [`[1]`, "jsonpb"],
    [`{"type":"send","message":"m"}`, "legacy"],
    [`{"type":"send","recipient_address":"x"}`, "legacy"],
    [`{"type":"send","message":5,"recipient_address":"x"}`, "legacy"],
    [`{"type":"toString"}`, "legacy"],
    [`{"type":7}`, "legacy"],
    [`{"fetch":{},"details":{}}`, "jsonpb"],
    [`{"fetch":{"x":1}}`, "jsonpb"],
    [`{"bogus":{}}`, "jsonpb"],
    [`{"fetch":[]}`, "jsonpb"],
    [`{"send":{"message":"***"}}`, "jsonpb"],
    [`{"send":{"message":"aGk=","recipient":{"id":"a","Id":"b"}}}`, "jsonpb"],
    [`{"send":{"recipient":{"provider":{"layer":"-1"}}}}`, "jsonpb"],
    [`{"send":{"recipient":{"provider":{"layer":"18446744073709551616"}}}}`, "jsonpb"],
    [`{"send":{"recipient":{"id":5}}}`, "jsonpb"],
  ];
  for (const [text, form] of refused) {
    const error = assertThrows(() => decodeSeedText(text), SeedJsonError);
    assertEquals(error.form, form, text);
  }
  assertEquals(
    JSON.parse(
      encodeSeedJsonpb({ type: "details", details: { id: "a", pubKey: Uint8Array.of(1) } }),
    ),
    { details: { details: { id: "a", pubKey: "AQ==" } } },
  );
  assertEquals(encodeSeedJsonpb({ type: "fetch", messages: [] }), `{\n  "fetch": {}\n}`);
});

// ---- handler ----------------------------------------------------------------------------------

Deno.test("fetch returns and clears what arrived; an overflow drops the oldest and is reported", async () => {
  const events: SeedApiEvent[] = [];
  const api = new SeedApi({
    client: new SentLog(),
    maxMessages: 3,
    onEvent: (event) => events.push(event),
  });
  for (const text of ["1", "2", "3", "4", "5"]) api.deliver({ data: utf8(text), kind: "plain" });
  assertEquals(api.dropped, 2);
  assertEquals(
    events.filter((e) => e.type === "dropped"),
    [{ type: "dropped", messages: 1 }, { type: "dropped", messages: 1 }],
  );
  assertEquals(
    await api.handleText(`{"type":"fetch"}`),
    `{"type":"fetch","messages":["3","4","5"],"dropped":2}`,
  );
  assertEquals(await api.handleText(`{"type":"fetch"}`), `{"type":"fetch","messages":[]}`);
  // bytes bound: one message is always kept
  const small = new SeedApi({ client: new SentLog(), maxBytes: 4 });
  small.deliver({ data: utf8("abc"), kind: "plain" });
  small.deliver({ data: utf8("defgh"), kind: "plain" });
  assertEquals(
    await small.handle({ type: "fetch" }, "tcp"),
    { type: "fetch", messages: [utf8("defgh")] },
  );
});

Deno.test("send queues for a Nym address; bad recipients, flush on WebSocket and empty requests are exceptions", async () => {
  const client = new SentLog();
  const api = new SeedApi({ client });
  assertEquals(
    await api.handleText(`{"type":"send","message":"hi","recipient_address":"${BOB}"}`),
    `{"type":"send"}`,
  );
  assertEquals(client.sent, [{ to: BOB, data: utf8("hi") }]);
  const legacyError = JSON.parse(
    await api.handleText(`{"type":"send","message":"hi","recipient_address":"nope"}`),
  );
  assertEquals(legacyError.type, "error");
  assert(legacyError.message.startsWith("invalid recipient"), legacyError.message);
  assertEquals(
    await api.handle({ type: "send", message: utf8("x") }, "tcp"),
    { type: "exception", error: "send needs a recipient (ClientConfig.Id)" },
  );
  assertEquals(
    await api.handle({ type: "flush" }, "websocket"),
    { type: "exception", error: "Invalid server request" },
  );
  assertEquals(await api.handle({ type: "flush" }, "tcp"), { type: "flush" });
  assertEquals(
    await api.handle({ type: "none" }, "tcp"),
    { type: "exception", error: "Invalid server request" },
  );
  assertEquals(
    JSON.parse(await api.handleText(`{"type":"ownDetails"}`)),
    { type: "ownDetails", address: ALICE },
  );
  assertEquals(JSON.parse(await api.handleText(`{"type":"bogus"}`)).type, "error");
  assertEquals(client.sent.length, 1);
});

Deno.test("ownDetails fills the ClientConfig fields we know: address, identity key, gateway and its listener", async () => {
  const api = new SeedApi({ client: new SentLog(), gatewayListener: "ws://127.0.0.1:9000/" });
  const recipient = Recipient.parse(ALICE);
  assertEquals(await api.handle({ type: "details" }, "tcp"), {
    type: "details",
    details: {
      id: ALICE,
      pubKey: recipient.identity,
      provider: {
        id: toBase58(recipient.gateway),
        host: "127.0.0.1",
        port: "9000",
        pubKey: recipient.gateway,
      },
    },
  });
  assertEquals(seedClientConfig(ALICE, "wss://[::1]/").provider?.port, "443");
  assertEquals(seedClientConfig(ALICE, "wss://[::1]/").provider?.host, "::1");
  assertEquals(seedClientConfig(ALICE, "not a url").provider?.host, undefined);
});

Deno.test("getClients lists what the directory lists, empty when it has no list or fails", async () => {
  const listed = new SeedApi({
    client: new SentLog(),
    listClients: () => Promise.resolve([BOB, "not an address", ALICE]),
  });
  assertEquals(
    await listed.handleText(`{"type":"getClients"}`),
    JSON.stringify({ type: "getClients", clients: [BOB, ALICE] }),
  );
  const events: SeedApiEvent[] = [];
  const failing = new SeedApi({
    client: new SentLog(),
    listClients: () => Promise.reject(new Error("directory down")),
    onEvent: (event) => events.push(event),
  });
  assertEquals(await failing.handle({ type: "clients" }, "tcp"), { type: "clients", clients: [] });
  assert(events.some((e) => e.type === "clientsUnavailable" && e.error === "directory down"));
  const mainnet = new SeedApi({ client: new SentLog() });
  assertEquals(await mainnet.handle({ type: "clients" }, "tcp"), { type: "clients", clients: [] });
});

// ---- servers ----------------------------------------------------------------------------------

Deno.test("over TCP, responses are held until flush; a malformed body gets an exception and the connection stays usable", async () => {
  for (const framing of ["varint", "u64"] as const) {
    const client = new SentLog();
    const api = new SeedApi({ client });
    await using server = serveSeedTcp({ api, framing });
    const app = await SeedTcpApp.open(server.port, framing);
    try {
      api.deliver({ data: utf8("before"), kind: "plain" });
      await app.write(requests.details(), requests.send(utf8("hi"), BOB));
      await app.write(Uint8Array.of(0x12, 0x05), requests.fetch(), requests.flush());
      const details = (await app.read())!;
      assertEquals([details.field, detailsId(details)], [RESPONSE.details, ALICE]);
      assertEquals((await app.read())!.field, RESPONSE.send);
      const malformed = (await app.read())!;
      assertEquals(malformed.field, RESPONSE.exception);
      assert(exceptionText(malformed).startsWith("malformed request"), exceptionText(malformed));
      const fetched = (await app.read())!;
      assertEquals(fetchedMessages(fetched), [utf8("before")]);
      assertEquals((await app.read())!.field, RESPONSE.flush);
      assertEquals(app.buffered, 0);
      assertEquals(client.sent, [{ to: BOB, data: utf8("hi") }]);
      // still usable
      await app.write(requests.fetch(), requests.flush());
      assertEquals(fetchedMessages((await app.read())!), []);
      assertEquals((await app.read())!.field, RESPONSE.flush);
    } finally {
      app.close();
    }
  }
});

Deno.test("over TCP, responses go out without flush once 4 KiB are held, as Go's bufio does", async () => {
  const api = new SeedApi({ client: new SentLog() });
  await using server = serveSeedTcp({ api });
  const app = await SeedTcpApp.open(server.port);
  try {
    // each details response is ~140 bytes: 40 of them pass 4 096 bytes
    await app.write(...Array.from({ length: 40 }, () => requests.details()));
    const first = (await app.read())!;
    assertEquals(first.field, RESPONSE.details);
  } finally {
    app.close();
  }
});

Deno.test("over TCP, a bad length prefix is answered with an exception and the connection closed", async () => {
  const events: string[] = [];
  const api = new SeedApi({ client: new SentLog() });
  await using server = serveSeedTcp({
    api,
    onEvent: (event) => events.push(event.type),
  });
  const app = await SeedTcpApp.open(server.port);
  try {
    await app.write(requests.details());
    await app.writeRaw(Uint8Array.of(0x01)); // negative length
    assertEquals((await app.read())!.field, RESPONSE.details);
    const error = (await app.read())!;
    assertEquals(exceptionText(error), "bad frame: negative frame length");
    assertEquals(await app.read(), undefined);
  } finally {
    app.close();
  }
  // the server keeps serving others
  const other = await SeedTcpApp.open(server.port);
  try {
    await other.write(requests.flush());
    assertEquals((await other.read())!.field, RESPONSE.flush);
  } finally {
    other.close();
  }
  assert(events.includes("framingError"));
});

Deno.test("the TCP server serves at most 16 connections; the next is closed until one leaves", async () => {
  const refused: string[] = [];
  let left!: () => void;
  const oneLeft = new Promise<void>((resolve) => left = resolve);
  const api = new SeedApi({ client: new SentLog() });
  await using server = serveSeedTcp({
    api,
    onEvent: (event) => {
      if (event.type === "refused") refused.push(event.reason);
      if (event.type === "appDisconnected") left();
    },
  });
  const apps: SeedTcpApp[] = [];
  try {
    for (let i = 0; i < MAX_SEED_TCP_SESSIONS; i++) {
      const app = await SeedTcpApp.open(server.port);
      apps.push(app);
      await app.write(requests.flush()); // served: the server has accepted it
      assertEquals((await app.read())!.field, RESPONSE.flush);
    }
    const extra = await SeedTcpApp.open(server.port);
    assertEquals(await extra.read(), undefined);
    extra.close();
    assertEquals(refused, [`at most ${MAX_SEED_TCP_SESSIONS} connections`]);
    apps.pop()!.close();
    await oneLeft;
    const later = await SeedTcpApp.open(server.port);
    apps.push(later);
    await later.write(requests.flush());
    assertEquals((await later.read())?.field, RESPONSE.flush);
  } finally {
    for (const app of apps) app.close();
  }
});

Deno.test("/mix serves protobuf binary frames, jsonpb and 0.x JSON; the modern API stays on /", async () => {
  const fake = new FakeNativeClient(ALICE);
  const sent = new SentLog();
  let arrived!: () => void;
  const received = new Promise<void>((resolve) => arrived = resolve);
  const seed = new SeedApi({
    client: sent,
    onEvent: (event) => event.type === "received" && arrived(),
  });
  const server = serveNativeApi({ client: fake, port: 0, seed });
  const mix = await ApiApp.open(`${server.url}/mix`);
  const modern = await ApiApp.open(server.url);
  try {
    mix.ws.send(requests.details());
    const details = readResponse((await mix.next()) as Uint8Array);
    assertEquals(detailsId(details), ALICE);
    // the 0.x JSON form
    mix.ws.send(`{"type":"send","message":"hello","recipient_address":"${BOB}"}`);
    assertEquals(await mix.next(), `{"type":"send"}`);
    // jsonpb: flush is not served on the WebSocket
    mix.ws.send(`{"flush":{}}`);
    assertEquals(JSON.parse((await mix.next()) as string), {
      exception: { error: "Invalid server request" },
    });
    // malformed input in each form; the connection stays usable
    mix.ws.send(Uint8Array.of(0x12, 0x09));
    assertEquals(readResponse((await mix.next()) as Uint8Array).field, RESPONSE.exception);
    mix.ws.send(`{"type":"send"}`);
    assertEquals(JSON.parse((await mix.next()) as string).type, "error");
    mix.ws.send(`{"fetch":{"nope":1}}`);
    assert("exception" in JSON.parse((await mix.next()) as string));
    // pull mode: what arrives now waits for fetch instead of being pushed on /
    fake.push({ data: utf8("for the seed app"), kind: "plain" });
    await received;
    mix.ws.send(`{"fetch":{}}`);
    assertEquals(JSON.parse((await mix.next()) as string), {
      fetch: { messages: [btoa("for the seed app")] },
    });
    assertEquals(sent.sent, [{ to: BOB, data: utf8("hello") }]);
    // the modern API answers on /
    modern.ws.send(JSON.stringify({ type: "selfAddress" }));
    assertEquals(JSON.parse((await modern.next()) as string), {
      type: "selfAddress",
      address: ALICE,
    });
  } finally {
    await mix.close();
    await modern.close();
    await server.close();
    fake.end();
  }
});

Deno.test("the localnet directory's opt-in client list refuses malformed posts and stays bounded", async () => {
  const directory = startDirectory({
    nodes: [],
    rewardedSet: {
      epochId: 1,
      entryGateways: [],
      exitGateways: [],
      layer1: [],
      layer2: [],
      layer3: [],
    },
  });
  try {
    const url = new URL("v1/localnet/clients", directory.url);
    const post = (body: string) =>
      fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } });
    assertEquals(await (await fetch(url)).json(), { clients: [] });
    for (const body of ["", "{", "[]", `{"address":5}`, `{"address":"nope"}`, "null"]) {
      const response = await post(body);
      assertEquals(response.status, 400, body);
      await response.body?.cancel();
    }
    const big = await post(JSON.stringify({ address: "x".repeat(5000) }));
    assertEquals(big.status, 413);
    await big.body?.cancel();
    // no length announced: read up to the cap, then refused
    const streamed = await fetch(url, {
      method: "POST",
      body: new Blob(["x".repeat(5000)]).stream(),
    });
    assertEquals(streamed.status, 413);
    await streamed.body?.cancel();
    const put = await fetch(url, { method: "PUT", body: "{}" });
    assertEquals(put.status, 405);
    await put.body?.cancel();
    for (const address of [ALICE, BOB, ALICE]) {
      await (await post(JSON.stringify({ address }))).text();
    }
    assertEquals(await listPublicClients([directory.url]), [BOB, ALICE]);
    // a directory without the list (as Nym's nym-api): nothing to publish to, an empty list
    const notFound = () => Promise.resolve(new Response("", { status: 404 }));
    const refusal = await assertRejects(
      () => publishClient("https://nym.example/api/", ALICE, notFound),
      Error,
    );
    assert(refusal.message.includes("lists no clients"), refusal.message);
    assertEquals(
      await listPublicClients(
        ["http://127.0.0.1:1/"],
        () => Promise.resolve(new Response("", { status: 404 })),
      ),
      [],
    );
  } finally {
    await directory.close();
  }
  const small = new PublicClients(2);
  for (const address of [ALICE, BOB, ALICE, BOB]) small.add(address);
  assertEquals(small.addresses, [ALICE, BOB]);
  small.add(new Recipient(point(7), key(8), point(9)).toString());
  assertEquals(small.addresses.length, 2);
  assertEquals(small.addresses[0], BOB);
});

Deno.test("/mix serves at most 16 connections at once and refuses plain HTTP", async () => {
  const fake = new FakeNativeClient(ALICE);
  const server = serveNativeApi({
    client: fake,
    port: 0,
    seed: new SeedApi({ client: new SentLog() }),
  });
  const apps: ApiApp[] = [];
  try {
    for (let i = 0; i < MAX_MIX_SESSIONS; i++) apps.push(await ApiApp.open(`${server.url}/mix`));
    const refused = await fetch(`${server.url.replace("ws:", "http:")}/mix`, {
      headers: {
        upgrade: "websocket",
        connection: "upgrade",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    assertEquals(refused.status, 409);
    await refused.body?.cancel();
    const plain = await fetch(`${server.url.replace("ws:", "http:")}/mix`);
    assertEquals(plain.status, 426);
    await plain.body?.cancel();
    // the ones admitted all answer
    for (const app of apps) app.ws.send(`{"type":"ownDetails"}`);
    for (const app of apps) {
      assertEquals(JSON.parse((await app.next()) as string).address, ALICE);
    }
  } finally {
    for (const app of apps) await app.close();
    await server.close();
    fake.end();
  }
});
