// A seeded fuzz harness over every parser that takes bytes or JSON from outside. Each parser gets
// thousands of inputs: random bytes, and mutations (bit flips, truncations, extensions, splices,
// value swaps) of valid inputs. The only acceptable outcomes are success or the parser's own
// typed error. Set FUZZ_CASES to run more (e.g. FUZZ_CASES=100000 deno test -A tests/fuzz_test.ts).
import { defaultCrypto } from "../crypto/mod.ts";
import { toBase58 } from "../internal/encoding.ts";
import { type RandomBytes, randomIndex } from "../internal/random.ts";
import {
  AddressError,
  AnonymousSenderTag,
  decodeFragment,
  decodeFragmentId,
  decodeNymMessage,
  encodeFragment,
  encodeNymMessage,
  MessageError,
  Reassembler,
  Recipient,
  splitIntoFragments,
} from "../message/mod.ts";
import {
  buildPacket,
  createSurb,
  decodeNodeAddress,
  decodeSurb,
  encodeSurb,
  processPacket,
  SphinxError,
} from "../sphinx/mod.ts";
import {
  decodeBinaryRequest,
  decodeClientRequest,
  decodeFinalization,
  decodeGatewayKeyMaterial,
  decodeHandshakeInit,
  decodeHandshakeText,
  decodeKeyMaterial,
  decodeMixPacket,
  decodePushedMessageFrame,
  decodeServerResponse,
  encodeClientRequest,
  encodeForwardFrame,
  encodeMixPacket,
  encodePushedMessageFrame,
  GatewayProtocolError,
} from "../gateway/mod.ts";
import {
  decodeKeyRotationInfo,
  decodeNodesPage,
  decodeRewardedSet,
  decodeSkimmedNode,
  TopologyError,
} from "../topology/mod.ts";
import { encodeFrame, FrameDecoder, FramingError } from "../localnet/framing/mod.ts";
import {
  decodeStreamFrame,
  encodeStreamFrame,
  isStreamFrame,
  peekStreamId,
  ReorderBuffer,
  STREAM_MESSAGE_TYPES,
  StreamFrameError,
  type StreamMessageType,
} from "../stream/mod.ts";
import {
  ConfigError,
  configToToml,
  decodeBinaryRequest as decodeApiBinaryRequest,
  decodeBinaryResponse as decodeApiBinaryResponse,
  decodePem,
  decodeTextRequest as decodeApiTextRequest,
  decodeTextResponse as decodeApiTextResponse,
  encodeBinaryRequest as encodeApiBinaryRequest,
  encodeBinaryResponse as encodeApiBinaryResponse,
  encodePem,
  encodeTextRequest as encodeApiTextRequest,
  encodeTextResponse as encodeApiTextResponse,
  FileClientStorage,
  NativeApiError,
  type NativeApiRequest,
  type NativeApiResponse,
  newConfig,
  parseConfig,
  PEM_TYPES,
  PemError,
  StorageFileError,
} from "../cli/mod.ts";
import { parseToml, stringifyToml, type TomlTable } from "../cli/_toml.ts";
import { assert, assertEquals, withDeadline } from "./_assert.ts";
import { ApiApp, FakeNativeClient, NativeApiEventLog } from "./_native_api_app.ts";
import { serveNativeApi } from "../cli/native_api_server.ts";
import { testRoute } from "./_sphinx_fixtures.ts";
import { seededRandom } from "./_fixtures/mod.ts";

const CASES = Number(Deno.env.get("FUZZ_CASES") ?? 2000);
const c = defaultCrypto();

type ErrorClass = new (...args: never[]) => Error;

/** Runs `parse` on `input`; fails the test on any exception that is not one of `allowed`. */
function expectTyped(
  name: string,
  allowed: ErrorClass[],
  parse: () => unknown,
  input: unknown,
): void {
  try {
    parse();
  } catch (error) {
    if (allowed.some((E) => error instanceof E)) return;
    const shown = input instanceof Uint8Array
      ? `${input.length} bytes`
      : JSON.stringify(input)?.slice(0, 200);
    throw new Error(
      `${name}: untyped ${error?.constructor?.name}: ${(error as Error)?.message} for ${shown}`,
      {
        cause: error,
      },
    );
  }
}

/** One random mutation of `seed`. */
function mutate(seed: Uint8Array, random: RandomBytes): Uint8Array {
  const pick = (n: number) => randomIndex(n, random);
  switch (pick(6)) {
    case 0: { // bit flips
      const out = seed.slice();
      for (let i = 0, n = 1 + pick(8); i < n && out.length; i++) {
        out[pick(out.length)] ^= 1 << pick(8);
      }
      return out;
    }
    case 1: // truncation
      return seed.slice(0, pick(seed.length + 1));
    case 2: { // extension
      const out = new Uint8Array(seed.length + 1 + pick(64));
      out.set(seed);
      out.set(random(out.length - seed.length), seed.length);
      return out;
    }
    case 3: { // overwrite a run with one byte value
      const out = seed.slice();
      const start = pick(out.length + 1);
      out.fill([0, 0xff, 0x80, 0x01][pick(4)], start, start + 1 + pick(16));
      return out;
    }
    case 4: { // splice a random block in the middle
      const at = pick(seed.length + 1);
      const block = random(1 + pick(32));
      const out = new Uint8Array(seed.length + block.length);
      out.set(seed.subarray(0, at));
      out.set(block, at);
      out.set(seed.subarray(at), at + block.length);
      return out;
    }
    default: // pure noise of a similar length
      return random(Math.max(0, seed.length + pick(9) - 4));
  }
}

function fuzzBytes(
  name: string,
  seeds: Uint8Array[],
  allowed: ErrorClass[],
  parse: (bytes: Uint8Array) => unknown,
  seed = 1,
): void {
  const random = seededRandom(seed);
  // The seeds themselves must parse (as in fuzzJson): mutations of valid inputs reach past the
  // first length check into the decoder's deeper paths, not only its rejections.
  seeds.forEach((s, i) => {
    try {
      parse(s);
    } catch (error) {
      throw new Error(`${name}: seed ${i} is not valid: ${error}`, { cause: error });
    }
  });
  for (let i = 0; i < CASES; i++) {
    const input = mutate(seeds[i % seeds.length], random);
    expectTyped(name, allowed, () => parse(input), input);
  }
}

/** Random JSON-ish replacement values, including type confusion and edge numbers. */
function randomValue(random: RandomBytes): unknown {
  const values: unknown[] = [
    null,
    true,
    0,
    -1,
    1.5,
    2 ** 53,
    1e308,
    -0,
    "",
    "x",
    "1",
    "0.5",
    "not base58 !",
    "11111111111111111111111111111111",
    [],
    [1, 2, 3],
    {},
    { layer: 9 },
    Array(70).fill(255),
  ];
  return values[randomIndex(values.length, random)];
}

function mutateJson(value: unknown, random: RandomBytes, depth = 0): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || randomIndex(8, random) === 0) return randomValue(random);
    const out = [...value];
    const i = randomIndex(out.length, random);
    out[i] = mutateJson(out[i], random, depth + 1);
    return out;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = { ...value as Record<string, unknown> };
    const keys = Object.keys(out);
    const action = randomIndex(6, random);
    if (keys.length === 0 || action === 0) return randomValue(random);
    const key = keys[randomIndex(keys.length, random)];
    if (action === 1) delete out[key];
    else if (action === 2) out[key] = randomValue(random);
    else out[key] = mutateJson(out[key], random, depth + 1);
    return out;
  }
  return randomValue(random);
}

function fuzzJson(
  name: string,
  seeds: unknown[],
  allowed: ErrorClass[],
  parse: (v: unknown) => unknown,
): void {
  const random = seededRandom(name.length);
  for (const s of seeds) parse(s); // the seeds themselves are valid
  for (let i = 0; i < CASES; i++) {
    let value = seeds[i % seeds.length];
    for (let n = 1 + randomIndex(3, random); n > 0; n--) value = mutateJson(value, random);
    expectTyped(name, allowed, () => parse(value), value);
  }
}

function fuzzText(
  name: string,
  seeds: string[],
  allowed: ErrorClass[],
  parse: (text: string) => unknown,
): void {
  const encoder = new TextEncoder(), decoder = new TextDecoder();
  fuzzBytes(
    name,
    seeds.map((s) => encoder.encode(s)),
    allowed,
    (bytes) => parse(decoder.decode(bytes)),
  );
  fuzzJson(
    `${name} (values)`,
    seeds.map((s) => JSON.parse(s)),
    allowed,
    (v) => parse(JSON.stringify(v)),
  );
}

// ---- Sphinx ----------------------------------------------------------------------------------

const route = testRoute(4, seededRandom(5));
const packets = [258, 259].map((version) =>
  buildPacket({
    route,
    delays: [1n, 2n, 3n, 0n],
    destination: new Uint8Array(32),
    plaintext: new Uint8Array(100),
    version: version as 258 | 259,
  })
);

Deno.test("fuzz: Sphinx packets processed at a node give only SphinxError", () => {
  fuzzBytes(
    "processPacket",
    packets,
    [SphinxError],
    (b) => processPacket(b, route[0].secretKey),
    2,
  );
});

Deno.test("fuzz: SURBs and node addresses give only SphinxError", () => {
  const surbs = [258, 259].map((version) =>
    encodeSurb(createSurb({
      route,
      delays: [0n, 0n, 0n, 0n],
      destination: new Uint8Array(32),
      version: version as 258 | 259,
    }))
  );
  fuzzBytes("decodeSurb", surbs, [SphinxError], decodeSurb, 3);
  fuzzBytes(
    "decodeNodeAddress",
    [route[0].address, route[3].address],
    [SphinxError],
    decodeNodeAddress,
    4,
  );
});

// ---- Node framing ----------------------------------------------------------------------------

Deno.test("fuzz: node framing streams give only FramingError", () => {
  const frames = [7, 8].map((version) =>
    encodeFrame({ version: version as 7 | 8, packet: packets[0] })
  );
  const stream = new Uint8Array([...frames[0], ...frames[1]]);
  fuzzBytes("FrameDecoder", [frames[0], frames[1], stream], [FramingError], (bytes) => {
    const decoder = new FrameDecoder();
    decoder.push(bytes);
    while (decoder.next()) { /* drain */ }
  }, 5);
});

// ---- Message layer ---------------------------------------------------------------------------

Deno.test("fuzz: fragments, fragment ids and NymMessages give only MessageError", () => {
  const random = seededRandom(6);
  const message = encodeNymMessage({ type: "plain", data: random(5000) });
  const fragments = splitIntoFragments(message, 1611, random).map(encodeFragment);
  fuzzBytes("decodeFragment", fragments, [MessageError], decodeFragment, 7);
  fuzzBytes(
    "decodeFragmentId",
    [Uint8Array.of(0, 0, 1, 0, 1)],
    [MessageError],
    decodeFragmentId,
    8,
  );
  const surb = encodeSurb(
    createSurb({ route, delays: [0n, 0n, 0n, 0n], destination: new Uint8Array(32) }),
  );
  const messages = [
    message,
    encodeNymMessage({
      type: "repliable",
      senderTag: AnonymousSenderTag.random(random),
      content: {
        kind: "data",
        version: 2,
        replySurbs: [{ encryptionKey: random(16), surb }],
        message: random(10),
      },
    }),
    encodeNymMessage({ type: "reply", content: { kind: "data", message: random(10) } }),
    // Reply-SURB requests: a reply asking the original sender for more SURBs.
    encodeNymMessage({
      type: "reply",
      content: { kind: "surbRequest", recipient: randomRecipient(random), amount: 20 },
    }),
    encodeNymMessage({
      type: "reply",
      content: { kind: "surbRequest", recipient: randomRecipient(random), amount: 0xffffffff },
    }),
    // What answers one (more SURBs), and a heartbeat.
    encodeNymMessage({
      type: "repliable",
      senderTag: AnonymousSenderTag.random(random),
      content: {
        kind: "additionalSurbs",
        version: 2,
        replySurbs: [{ encryptionKey: random(16), surb }],
      },
    }),
    encodeNymMessage({
      type: "repliable",
      senderTag: AnonymousSenderTag.random(random),
      content: { kind: "heartbeat", version: 2, replySurbs: [{ encryptionKey: random(16), surb }] },
    }),
  ];
  for (const m of messages) decodeNymMessage(m); // the seeds are valid
  fuzzBytes("decodeNymMessage", messages, [MessageError, AddressError], decodeNymMessage, 9);
});

Deno.test("fuzz: reassembly of hostile fragments never breaks the reassembler", () => {
  const random = seededRandom(10);
  const reassembler = new Reassembler({ maxSets: 64, maxBytes: 1 << 20 });
  const fragments = splitIntoFragments(random(20_000), 1611, random).map(encodeFragment);
  fuzzBytes("Reassembler", fragments, [MessageError], (b) => reassembler.insertBytes(b), 11);
  // It still reassembles a clean message afterwards.
  const clean = random(3000);
  let done = false;
  for (const f of splitIntoFragments(clean, 1611, random)) {
    const outcome = reassembler.insert(f);
    if (outcome.kind === "complete") done = outcome.message.every((b, i) => b === clean[i]);
  }
  assert(done);
});

function randomRecipient(random: RandomBytes): Recipient {
  return new Recipient(
    c.ed25519PublicKey(random(32)),
    c.x25519PublicKey(random(32)),
    c.ed25519PublicKey(random(32)),
  );
}

Deno.test("fuzz: addresses and sender tags give only AddressError", () => {
  const random = seededRandom(12);
  const recipient = randomRecipient(random);
  fuzzBytes("Recipient.fromBytes", [recipient.toBytes()], [AddressError], Recipient.fromBytes, 13);
  const text = new TextEncoder().encode(recipient.toString());
  fuzzBytes(
    "Recipient.parse",
    [text],
    [AddressError],
    (b) => Recipient.parse(new TextDecoder().decode(b)),
    14,
  );
  const tag = new TextEncoder().encode(toBase58(random(16)));
  fuzzBytes(
    "AnonymousSenderTag.parse",
    [tag],
    [AddressError],
    (b) => AnonymousSenderTag.parse(new TextDecoder().decode(b)),
    15,
  );
});

// ---- Gateway protocol ------------------------------------------------------------------------

Deno.test("fuzz: gateway text requests and responses give only GatewayProtocolError", () => {
  const requests = [
    encodeClientRequest({ type: "supportedProtocol" }),
    encodeClientRequest({ type: "claimFreeTestnetBandwidth" }),
    `{"type":"authenticateV2","protocolVersion":4,"clientIdentity":[${
      Array(32).fill(1)
    }],"addressCiphertext":"AAAA","nonce":"AAAAAAAAAAAAAAAA","requestUnixTimestamp":1795345501,"requestSignature":[${
      Array(64).fill(2)
    }]}`,
    `{"type":"handshakePayload","protocol_version":3,"data":[${Array(80).fill(3)}]}`,
  ];
  fuzzText("decodeClientRequest", requests, [GatewayProtocolError], decodeClientRequest);
  fuzzText("decodeHandshakeText", [requests[3], `{"type":"handshakeError","message":"no"}`], [
    GatewayProtocolError,
  ], decodeHandshakeText);
  const responses = [
    `{"type":"supportedProtocol","version":6}`,
    `{"type":"register","protocol_version":6,"status":true,"upgrade_mode":false}`,
    `{"type":"authenticate","protocol_version":6,"status":true,"bandwidth_remaining":1000,"upgrade_mode":false}`,
    `{"type":"send","remaining_bandwidth":1000,"upgrade_mode":false}`,
    `{"type":"typedError","error":{"out_of_bandwidth":{"required":1,"available":0}}}`,
    `{"type":"error","message":"x"}`,
  ];
  fuzzText("decodeServerResponse", responses, [GatewayProtocolError], decodeServerResponse);
});

Deno.test("fuzz: handshake messages, mix packets and binary frames give only GatewayProtocolError", () => {
  const random = seededRandom(16);
  fuzzBytes("decodeHandshakeInit", [random(80)], [GatewayProtocolError], decodeHandshakeInit, 17);
  fuzzBytes("decodeKeyMaterial", [random(92)], [GatewayProtocolError], decodeKeyMaterial, 18);
  fuzzBytes(
    "decodeGatewayKeyMaterial",
    [random(124)],
    [GatewayProtocolError],
    decodeGatewayKeyMaterial,
    19,
  );
  fuzzBytes(
    "decodeFinalization",
    [Uint8Array.of(1)],
    [GatewayProtocolError],
    decodeFinalization,
    20,
  );
  const mixPacket = {
    nextHop: Uint8Array.of(4, 6, 253, 127, 0, 0, 1),
    packet: packets[0],
    keyRotation: 2 as const,
    packetType: 0 as const,
  };
  for (const version of [1, 2] as const) {
    fuzzBytes(
      `decodeMixPacket v${version}`,
      [encodeMixPacket(mixPacket, version)],
      [GatewayProtocolError],
      (b) => decodeMixPacket(b, version),
      21 + version,
    );
  }
  const key = random(32);
  const frame = encodeForwardFrame(mixPacket, 2, key);
  fuzzBytes(
    "decodeBinaryRequest",
    [frame],
    [GatewayProtocolError],
    (b) => decodeBinaryRequest(b, key),
    24,
  );
  fuzzBytes(
    "decodePushedMessageFrame",
    [encodePushedMessageFrame(random(1700), key)],
    [GatewayProtocolError],
    (b) => decodePushedMessageFrame(b, key),
    25,
  );
});

// ---- nym-api JSON ----------------------------------------------------------------------------

const node = {
  node_id: 1,
  ed25519_identity_pubkey: toBase58(c.ed25519PublicKey(new Uint8Array(32).fill(1))),
  ip_addresses: ["127.0.0.1"],
  mix_port: 1789,
  x25519_sphinx_pubkey: toBase58(c.x25519PublicKey(new Uint8Array(32).fill(2))),
  role: { Mixnode: { layer: 1 } },
  supported_roles: { mixnode: true, entry: false, exit_nr: false, exit_ipr: false },
  entry: { hostname: null, ws_port: 9000, wss_port: null },
  performance: "0.95",
};
const page = {
  metadata: {
    status: null,
    absolute_epoch_id: 100,
    rotation_id: 4,
    refreshed_at: "2026-11-22T20:00:00Z",
  },
  nodes: { pagination: { total: 1, page: 0, size: 100 }, data: [node] },
};

Deno.test("fuzz: nym-api JSON gives only TopologyError", () => {
  fuzzJson("decodeSkimmedNode", [node], [TopologyError], (v) => decodeSkimmedNode(v));
  fuzzJson("decodeNodesPage", [page], [TopologyError], decodeNodesPage);
  fuzzJson(
    "decodeRewardedSet",
    [{
      epoch_id: 100,
      entry_gateways: [4],
      exit_gateways: [4],
      layer1: [1],
      layer2: [2],
      layer3: [3],
      standby: [],
    }],
    [TopologyError],
    decodeRewardedSet,
  );
  fuzzJson(
    "decodeKeyRotationInfo",
    [{
      key_rotation_state: { validity_epochs: 24, initial_epoch_id: 0 },
      current_absolute_epoch_id: 100,
      current_epoch_start: "2026-11-22T20:00:00Z",
      epoch_duration: { secs: 3600, nanos: 0 },
      progress: {
        current_key_rotation_id: 4,
        current_rotation_starting_epoch: 96,
        current_rotation_ending_epoch: 119,
      },
    }],
    [TopologyError],
    decodeKeyRotationInfo,
  );
});

// ---- Streams ---------------------------------------------------------------------------------

Deno.test("fuzz: stream frames give only StreamFrameError; peek and kind tests never throw", () => {
  const random = seededRandom(30);
  const types = Object.keys(STREAM_MESSAGE_TYPES) as StreamMessageType[];
  const frames = types.map((type, i) =>
    encodeStreamFrame({
      streamId: [0n, 1n, 0xffff_ffff_ffff_ffffn, 0x0123_4567_89ab_cdefn][i % 4],
      type,
      sequence: [0, 1, 0xffffffff, 0x8000_0000][i % 4],
      payload: type === "data" || type === "open" ? random(1 + i * 40) : new Uint8Array(0),
    })
  );
  fuzzBytes("decodeStreamFrame", frames, [StreamFrameError], (bytes) => {
    const frame = decodeStreamFrame(bytes);
    // What decodes re-encodes to the same bytes (the reserved byte is written as 0).
    const again = encodeStreamFrame(frame);
    const expected = bytes.slice();
    expected[15] = 0;
    assertEquals(again, expected, "stream frame round trip");
    assertEquals(peekStreamId(bytes), frame.streamId);
    assert(isStreamFrame(bytes));
  }, 31);
  fuzzBytes("peekStreamId", frames, [], (bytes) => {
    const id = peekStreamId(bytes);
    assert(id === undefined ? bytes.length < 10 : id >= 0n && id < 1n << 64n, "stream id");
  }, 32);
  fuzzBytes("isStreamFrame", frames, [], (bytes) => {
    assertEquals(isStreamFrame(bytes), bytes.length >= 2 && bytes[0] === 3 && bytes[1] === 0);
  }, 33);
  // Subarrays at odd offsets of a larger buffer (DataView offsets must be respected).
  const big = new Uint8Array(4096);
  big.set(frames[1], 7);
  const view = big.subarray(7, 7 + frames[1].length);
  assertEquals(decodeStreamFrame(view).streamId, decodeStreamFrame(frames[1]).streamId);
});

Deno.test("fuzz: a reorder buffer fed hostile sequence numbers stays bounded and in order", () => {
  const random = seededRandom(34);
  const pick = (n: number) => randomIndex(n, random);
  const u32 = () => new DataView(random(4).buffer).getUint32(0);
  // Bad options fail with RangeError only, at construction.
  for (const capacity of [0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53 + 0.5]) {
    expectTyped("ReorderBuffer options", [RangeError], () => new ReorderBuffer({ capacity }), {
      capacity,
    });
  }
  let pushes = 0, delivered = 0, duplicates = 0, skipped = 0;
  for (let round = 0; pushes < CASES * 10; round++) {
    const capacity = 1 + pick(round % 3 === 0 ? 4 : 64);
    const start = [0, 0xffffffff - pick(8), u32()][round % 3];
    const buffer = new ReorderBuffer<{ sequence: number }>({ capacity, initialSequence: start });
    let expected = start >>> 0;
    let roundSkipped = 0, roundDuplicates = 0;
    const pushed: number[] = [];
    for (let i = 0; i < 200; i++, pushes++) {
      let sequence: number;
      switch (pick(8)) {
        case 0: // a duplicate of something already pushed
          sequence = pushed.length ? pushed[pick(pushed.length)] : expected;
          break;
        case 1: // anywhere on the u32 circle
          sequence = u32();
          break;
        case 2: // just behind the window: late or replayed
          sequence = (expected - 1 - pick(16)) >>> 0;
          break;
        case 3: // half a circle away, both sides
          sequence = (expected + 2 ** 31 + pick(3) - 1) >>> 0;
          break;
        case 4: // values a decoder never yields, but a caller might pass
          sequence = [-1, 2 ** 32, 2 ** 32 + 5, 1.5, NaN, 2 ** 53, -(2 ** 31)][pick(7)];
          break;
        default: // the window ahead, often out of order, sometimes far past capacity
          sequence = (expected + pick(capacity * 3)) >>> 0;
      }
      pushed.push(sequence);
      const item = { sequence: sequence >>> 0 };
      let result;
      try {
        result = buffer.push(sequence, item);
      } catch (error) {
        throw new Error(`ReorderBuffer.push(${sequence}) threw ${error}`, { cause: error });
      }
      if (result.duplicate) {
        assertEquals(result.events.length, 0);
        roundDuplicates++;
      }
      for (const event of result.events) {
        if (event.kind === "gap") {
          assertEquals(event.from, expected, "a gap starts where delivery stopped");
          assert(event.count > 0 && event.count < 2 ** 31, `gap of ${event.count}`);
          expected = (expected + event.count) >>> 0;
          skipped += event.count;
          roundSkipped += event.count;
        } else {
          assertEquals(event.sequence, expected, "items leave in sequence order");
          assertEquals(event.item.sequence, event.sequence, "each item under its own number");
          expected = (expected + 1) >>> 0;
          delivered++;
        }
      }
      assertEquals(buffer.nextSequence, expected);
      assert(buffer.size <= capacity, `holds ${buffer.size} > capacity ${capacity}`);
    }
    assertEquals(buffer.duplicates, roundDuplicates, "duplicates counts every dropped push");
    assertEquals(buffer.skipped, roundSkipped, "skipped counts every sequence number in a gap");
    duplicates += buffer.duplicates;
    buffer.clear();
    assertEquals(buffer.size, 0);
  }
  assert(delivered > 0 && duplicates > 0 && skipped > 0, "every path was exercised");
});

// ---- Native nym-client WebSocket API ---------------------------------------------------------

const apiRandom = seededRandom(40);
const apiRecipient = randomRecipient(apiRandom);
const apiTag = AnonymousSenderTag.random(apiRandom);
const apiRequests: NativeApiRequest[] = [
  { type: "send", recipient: apiRecipient, message: apiRandom(20), connectionId: 42n },
  { type: "send", recipient: apiRecipient, message: new Uint8Array(0) },
  {
    type: "sendAnonymous",
    recipient: apiRecipient,
    message: apiRandom(5),
    replySurbs: 10,
    connectionId: 0xffff_ffff_ffff_ffffn,
  },
  { type: "reply", senderTag: apiTag, message: apiRandom(9), connectionId: 7n },
  { type: "selfAddress" },
  { type: "closedConnection", connectionId: 3n },
  { type: "getLaneQueueLength", connectionId: 1n },
];
const apiResponses: NativeApiResponse[] = [
  { type: "received", message: apiRandom(12) },
  { type: "received", message: new TextEncoder().encode("hi"), senderTag: apiTag },
  { type: "selfAddress", address: apiRecipient },
  { type: "laneQueueLength", lane: 9n, queueLength: 4 },
  { type: "error", kind: "malformed-request", message: "bad" },
  { type: "error", kind: "other", message: "at most 10 reply SURBs per message" },
];
// Text seeds: UTF-8 messages, and connection ids that survive the JSON round trip of fuzzJson
// (JSON.parse turns u64 values past 2^53 into floats).
const textRequests = apiRequests
  .filter((r) => r.type !== "closedConnection" && r.type !== "getLaneQueueLength")
  .map((r) =>
    encodeApiTextRequest({
      ...r,
      ...("message" in r ? { message: new TextEncoder().encode("hello") } : {}),
      ...("connectionId" in r && r.connectionId !== undefined ? { connectionId: 5n } : {}),
    } as NativeApiRequest)
  );

Deno.test("fuzz: native API binary requests and responses give only NativeApiError", () => {
  fuzzBytes(
    "decodeBinaryRequest (API)",
    apiRequests.map(encodeApiBinaryRequest),
    [NativeApiError],
    (bytes) => {
      const request = decodeApiBinaryRequest(bytes);
      // Every form but selfAddress (which ignores what follows its tag) re-encodes byte for byte.
      if (request.type !== "selfAddress") {
        assertEquals(encodeApiBinaryRequest(request), bytes, "request round trip");
      }
    },
    41,
  );
  fuzzBytes(
    "decodeBinaryResponse (API)",
    apiResponses.map(encodeApiBinaryResponse),
    [NativeApiError],
    (bytes) => {
      const response = decodeApiBinaryResponse(bytes);
      if (response.type !== "laneQueueLength") {
        assertEquals(encodeApiBinaryResponse(response), bytes, "response round trip");
      }
    },
    42,
  );
});

Deno.test("fuzz: native API text requests and responses give only NativeApiError", () => {
  fuzzText("decodeTextRequest (API)", textRequests, [NativeApiError], decodeApiTextRequest);
  fuzzText(
    "decodeTextResponse (API)",
    apiResponses.map(encodeApiTextResponse),
    [NativeApiError],
    decodeApiTextResponse,
  );
});

Deno.test("fuzz: a running native API server survives hostile frames and serves the next application", async () => {
  const client = new FakeNativeClient(apiRecipient.toString());
  const log = new NativeApiEventLog();
  const server = serveNativeApi({ client, port: 0, maxReplySurbs: 100, onEvent: log.onEvent });
  const hostile = await ApiApp.open(server.url);
  try {
    // Mutated binary and text requests over one connection; every one is answered or ignored
    // as a request, and every response the server writes decodes in the form of its frame.
    const random = seededRandom(43);
    const binarySeeds = apiRequests.map(encodeApiBinaryRequest);
    const textSeeds = textRequests.map((t) => new TextEncoder().encode(t));
    const frames = Math.max(200, CASES);
    for (let i = 0; i < frames; i++) {
      if (i % 2 === 0) hostile.ws.send(mutate(binarySeeds[i % binarySeeds.length], random));
      else {
        hostile.ws.send(new TextDecoder().decode(mutate(textSeeds[i % textSeeds.length], random)));
      }
    }
    // A marker nothing above can produce: the lane queue length of a lane id of our own.
    const marker = 0x5eed_f00d_cafe_beefn;
    hostile.ws.send(encodeApiBinaryRequest({ type: "getLaneQueueLength", connectionId: marker }));
    let responses = 0;
    await withDeadline(
      (async () => {
        for (;;) {
          const frame = await hostile.next();
          responses++;
          const response = typeof frame === "string"
            ? decodeApiTextResponse(frame)
            : decodeApiBinaryResponse(frame);
          if (response.type === "laneQueueLength" && response.lane === marker) return;
        }
      })(),
      20_000,
      "every hostile frame handled and the marker answered",
    );
    assert(log.count("request") >= frames + 1, "every frame was handled as a request");
    assertEquals(log.count("appDisconnected"), 0, "the hostile connection stayed open");
    console.log(
      `native API server: ${frames} fuzzed frames, ${log.count("request")} requests handled ` +
        `(${log.invalid} invalid), ${responses} responses, ${client.calls} sends/replies`,
    );
  } finally {
    await hostile.close();
  }
  try {
    await withDeadline(log.waitFor("appDisconnected"), 5000, "hostile app gone");
    // Broken WebSocket framing from a raw socket: the server drops that connection only.
    for (const garbage of [seededRandom(44)(64), Uint8Array.of(0x8f, 0x80, 0, 0, 0, 0)]) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      try {
        const key = btoa("0123456789abcdef");
        await conn.write(new TextEncoder().encode(
          `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        ));
        await conn.write(garbage);
        // Read until the server closes the connection.
        const sink = new Uint8Array(4096);
        await withDeadline(
          (async () => {
            while (await conn.read(sink).catch(() => null) !== null) { /* drain */ }
          })(),
          5000,
          "the server closes a connection with broken framing",
        );
      } finally {
        conn.close();
      }
    }
    // A well-behaved second application gets correct answers in both forms.
    const app = await withDeadline(ApiApp.open(server.url), 5000, "second application");
    try {
      app.ws.send(`{"type":"selfAddress"}`);
      assertEquals(
        await withDeadline(app.next(), 5000, "text selfAddress"),
        `{"type":"selfAddress","address":"${apiRecipient}"}`,
      );
      app.ws.send(Uint8Array.of(0x03));
      const binary = await withDeadline(app.next(), 5000, "binary selfAddress");
      assert(binary instanceof Uint8Array);
      const decoded = decodeApiBinaryResponse(binary);
      assert(decoded.type === "selfAddress" && decoded.address.toString() === `${apiRecipient}`);
    } finally {
      await app.close();
    }
  } finally {
    await server.close();
    client.end();
  }
});

// ---- config.toml, PEM key files, gateway registrations ---------------------------------------

const configSeeds = [
  configToToml(newConfig("alice", "/home/alice/.nym/clients/alice/data")),
  configToToml(
    newConfig("bob", "/d", { noCover: true, port: 0, nymApiUrls: ["http://127.0.0.1:8080"] }),
  ),
  configToToml(newConfig("carol", "/d", { fastMode: true, host: "::1" })),
  configToToml(newConfig("dave", "/d", { noCover: true, fastMode: true })).replace(
    "[debug.acknowledgements]\n",
    '[debug.acknowledgements]\nack_wait_multiplier = 1.5\nack_wait_addition = "1s 500ms"\n' +
      '[debug.topology]\ntopology_refresh_rate = "5m"\n[debug.acknowledgements.x]\n',
  ),
];

Deno.test("fuzz: config.toml gives only ConfigError", () => {
  for (const seed of configSeeds) parseConfig(seed); // the seeds are valid
  fuzzBytes(
    "parseConfig (bytes)",
    configSeeds.map((s) => new TextEncoder().encode(s)),
    [ConfigError],
    (bytes) => parseConfig(new TextDecoder().decode(bytes)),
    50,
  );
  // Mutations of the values and tables, written back as valid TOML.
  fuzzJson("parseConfig (values)", configSeeds.map(parseToml), [ConfigError], (value) => {
    let text: string;
    try {
      text = stringifyToml(value as TomlTable);
    } catch {
      return; // not representable in TOML (null, a bare value): not a config file
    }
    parseConfig(text);
  });
  // Pathological sizes stay fast.
  for (
    const text of [
      "[".repeat(20_000),
      "a = " + "[".repeat(20_000),
      `${configSeeds[0]}\n[debug.topology]\ntopology_refresh_rate = "${"1s ".repeat(20_000)}!"\n`,
      `x = "${"\\u0000".repeat(20_000)}"`,
    ]
  ) {
    const started = performance.now();
    expectTyped("parseConfig (large)", [ConfigError], () => parseConfig(text), text);
    assert(performance.now() - started < 2000, `parseConfig took too long on ${text.slice(0, 20)}`);
  }
});

Deno.test("fuzz: PEM key files give only PemError, in linear time", () => {
  const random = seededRandom(51);
  const types = Object.values(PEM_TYPES);
  const seeds = types.map((type, i) =>
    encodePem(type, random(type === PEM_TYPES.ackKey ? 16 : 32 + i))
  );
  for (const [i, type] of types.entries()) assertEquals(decodePem(seeds[i], type).length > 0, true);
  for (const [n, type] of [types[0], types[4], "X"].entries()) {
    // Valid seeds only: this type's block as written, with bare newlines, and between junk lines.
    const pem = encodePem(type, random(type === PEM_TYPES.ackKey ? 16 : 32));
    const valid = [pem, pem.replaceAll("\r\n", "\n"), `junk\n${pem}trailer`];
    fuzzBytes(
      `decodePem ${type}`,
      valid.map((s) => new TextEncoder().encode(s)),
      [PemError],
      (bytes) => decodePem(new TextDecoder().decode(bytes), type),
      52 + n,
    );
  }
  // Inputs that made the former regular expression backtrack cubically (20 KB took seconds).
  for (
    const text of [
      "-----BEGIN X-----".repeat(50_000),
      "-----BEGIN X\n".repeat(50_000),
      `-----BEGIN X-----\n${"A".repeat(500_000)}`,
      `-----BEGIN X-----\n${"-----END \n".repeat(50_000)}`,
      `-----BEGIN ${"-".repeat(500_000)}`,
    ]
  ) {
    const started = performance.now();
    expectTyped("decodePem (large)", [PemError], () => decodePem(text, "X"), text);
    assert(performance.now() - started < 1000, `decodePem took too long on ${text.slice(0, 20)}`);
  }
});

Deno.test("fuzz: the gateway registrations JSON of earlier versions gives only StorageFileError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const storage = FileClientStorage.fromConfig(newConfig("fuzz", dir), { now: () => 0 });
    const random = seededRandom(60);
    const gateway = random(32);
    const sharedKey = `gateway-shared-key/${
      Array.from(gateway, (b) => b.toString(16).padStart(2, "0")).join("")
    }`;
    // the JSON registrations of earlier versions, imported once into the SQLite database
    const file = storage.paths.legacyRegistrationFile;
    const seed = JSON.stringify({
      format: "nym-mixnet-ts/gateway-registrations/v1",
      active_gateway: toBase58(gateway),
      registered_gateways: [{
        gateway_id_bs58: toBase58(gateway),
        derived_aes256_gcm_siv_key_bs58: toBase58(random(32)),
        registration_timestamp: "1970-01-01T00:00:00.000Z",
      }],
      other: { "something-else": btoa("12345678") },
    });
    await Deno.writeTextFile(file, seed);
    const readAll = async () => {
      await storage.get("gateway");
      await storage.get(sharedKey);
      await storage.get("something-else");
      await storage.get("absent");
      await storage.registration();
    };
    await readAll(); // the seed is valid
    const check = async (text: string) => {
      await Deno.writeTextFile(file, text);
      try {
        await readAll();
      } catch (error) {
        if (error instanceof StorageFileError) return;
        throw new Error(`registrations: untyped ${error} for ${text.slice(0, 200)}`, {
          cause: error,
        });
      }
    };
    const bytes = new TextEncoder().encode(seed);
    const decoder = new TextDecoder();
    const cases = Math.ceil(CASES / 2);
    for (let i = 0; i < cases; i++) await check(decoder.decode(mutate(bytes, random)));
    const json = JSON.parse(seed);
    for (let i = 0; i < cases; i++) {
      let value: unknown = json;
      for (let n = 1 + randomIndex(3, random); n > 0; n--) value = mutateJson(value, random);
      await check(JSON.stringify(value) ?? "");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
