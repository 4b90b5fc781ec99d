// Seeded fuzzing of the seed API's parsers (protobuf, TCP framing, both JSON forms) and of a live
// TCP server: only the typed errors escape, and the server keeps answering afterwards.
import { defaultCrypto } from "../crypto/mod.ts";
import { randomIndex } from "../internal/random.ts";
import { Recipient } from "../message/mod.ts";
import { SeedApi } from "../cli/seed_api.ts";
import { decodeSeedText, SeedJsonError } from "../cli/seed_json.ts";
import { SeedFrameDecoder, SeedFramingError } from "../cli/seed_framing.ts";
import {
  decodeSeedRequest,
  decodeSeedResponse,
  encodeSeedRequest,
  encodeSeedResponse,
  SeedProtobufError,
} from "../cli/seed_protobuf.ts";
import { serveSeedTcp } from "../cli/seed_tcp_server.ts";
import { assertEquals } from "./_assert.ts";
import { requests, RESPONSE, SeedTcpApp } from "./_seed_client.ts";
import { seededRandom } from "./_sphinx_fixtures.ts";

const CASES = Number(Deno.env.get("FUZZ_CASES") ?? 2000);
const key = defaultCrypto().ed25519PublicKey(new Uint8Array(32).fill(1));
const ADDRESS = new Recipient(key, new Uint8Array(32), key).toString();

function mutate(seed: Uint8Array, random: (n: number) => Uint8Array): Uint8Array {
  const pick = (n: number) => randomIndex(n, random);
  const out = seed.slice();
  switch (pick(4)) {
    case 0:
      for (let i = 0, n = 1 + pick(6); i < n && out.length; i++) {
        out[pick(out.length)] ^= 1 << pick(8);
      }
      return out;
    case 1:
      return seed.slice(0, pick(seed.length + 1));
    case 2: {
      const longer = new Uint8Array(seed.length + 1 + pick(32));
      longer.set(seed);
      longer.set(random(longer.length - seed.length), seed.length);
      return longer;
    }
    default:
      return random(pick(64));
  }
}

function typed(allowed: (new (...args: never[]) => Error)[], fn: () => unknown, what: string) {
  try {
    fn();
  } catch (error) {
    if (allowed.some((E) => error instanceof E)) return;
    throw new Error(`${what}: untyped ${error}`, { cause: error });
  }
}

Deno.test("fuzz: the seed's protobuf, framing and JSON parsers give only their typed errors", () => {
  const random = seededRandom(18);
  const seeds = [
    encodeSeedRequest({
      type: "send",
      message: new Uint8Array([1, 2, 3]),
      recipient: { id: ADDRESS, pubKey: key, provider: { id: "gw", layer: 2n } },
    }),
    encodeSeedRequest({ type: "fetch" }),
    encodeSeedResponse({ type: "fetch", messages: [new Uint8Array(5), new Uint8Array(0)] }),
    encodeSeedResponse({ type: "clients", clients: [{ id: ADDRESS, provider: { port: "1" } }] }),
  ];
  const texts = [
    `{"type":"send","message":"hi","recipient_address":"${ADDRESS}"}`,
    `{"send":{"message":"aGk=","recipient":{"id":"${ADDRESS}","provider":{"layer":"3"}}}}`,
    `{"fetch":{}}`,
  ].map((t) => new TextEncoder().encode(t));
  for (let i = 0; i < CASES; i++) {
    const bytes = mutate(seeds[i % seeds.length], random);
    typed([SeedProtobufError], () => decodeSeedRequest(bytes), "request");
    typed([SeedProtobufError], () => decodeSeedResponse(bytes), "response");
    for (const framing of ["varint", "u64"] as const) {
      const decoder = new SeedFrameDecoder(framing, 4096);
      typed([SeedFramingError], () => {
        decoder.push(bytes);
        decoder.push(bytes);
      }, framing);
    }
    const text = new TextDecoder().decode(mutate(texts[i % texts.length], random));
    typed([SeedJsonError], () => decodeSeedText(text), "text");
  }
});

Deno.test("fuzz: a live seed TCP server takes fuzzed frames and still answers", async () => {
  const random = seededRandom(19);
  const api = new SeedApi({ client: { address: ADDRESS, send: () => {} } });
  await using server = serveSeedTcp({ api });
  const app = await SeedTcpApp.open(server.port);
  try {
    const seed = encodeSeedRequest({
      type: "send",
      message: new Uint8Array(4),
      recipient: { id: ADDRESS },
    });
    const bodies = Array.from({ length: Math.min(CASES, 500) }, () => mutate(seed, random));
    await app.write(...bodies, requests.details(), requests.flush());
    // one answer per request, in order (a fuzzed body may itself be a flush)
    const fields: number[] = [];
    for (let i = 0; i < bodies.length + 2; i++) fields.push((await app.read())!.field);
    assertEquals(fields.slice(-2), [RESPONSE.details, RESPONSE.flush]);
    assertEquals(app.buffered, 0);
  } finally {
    app.close();
  }
});
