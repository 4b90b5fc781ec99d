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
import { assert } from "./_assert.ts";
import { seededRandom, testRoute } from "./_sphinx_fixtures.ts";

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
  for (const s of seeds) expectTyped(name, allowed, () => parse(s), s);
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
  ];
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

Deno.test("fuzz: addresses and sender tags give only AddressError", () => {
  const random = seededRandom(12);
  const recipient = new Recipient(
    c.ed25519PublicKey(random(32)),
    c.x25519PublicKey(random(32)),
    c.ed25519PublicKey(random(32)),
  );
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
    [frame],
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
