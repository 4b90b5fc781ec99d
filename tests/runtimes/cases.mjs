// The client's core suite as plain async functions, shared by `node_runner.mjs` (node:test) and
// `bun_runner.mjs` (bun:test): Sphinx vectors, the official client's golden packet, Sphinx and
// message-layer round trips, and two clients talking through a localnet.
//
// Environment (set by `scripts/test_runtimes.ts`):
//   NYM_RUNTIMES_DIR  folder holding `core.mjs` (the bundle of `_entry.ts`) and, for runtimes
//                     without a global WebSocket (Node 20), `node_modules/ws`
//   NYM_API_URL       the localnet's nym-api URL (the localnet case is skipped without it)
//   NYM_GATEWAYS      its gateway identities, comma-separated (at least one)
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.env.NYM_RUNTIMES_DIR;
if (!dir) throw new Error("NYM_RUNTIMES_DIR is not set: run `deno task test:runtimes`");
const nym = await import(pathToFileURL(join(dir, "core.mjs")).href);
const { sphinx, message, defaultCrypto, nobleCrypto, fromHex, toHex } = nym;

const providers = () => [defaultCrypto(), nobleCrypto];
const text = (bytes) => new TextDecoder().decode(bytes);

/** A deterministic byte source (xorshift), so failures reproduce. */
function seededRandom(seed) {
  let x = (seed * 2654435761) >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

/** `hops` loopback nodes with random keys; the last one on IPv6 when `ipv6` is set. */
function testRoute(hops, random, ipv6 = false) {
  return Array.from({ length: hops }, (_, i) => {
    const secretKey = random(32);
    const hostPort = ipv6 && i === hops - 1 ? `[2001:db8::${i + 1}]:1789` : `127.0.0.1:${1790 + i}`;
    return {
      secretKey,
      hostPort,
      address: sphinx.padNodeAddress(sphinx.encodeNodeAddress(hostPort), 32),
      publicKey: nobleCrypto.x25519PublicKey(secretKey),
    };
  });
}

/** Processes `packet` hop by hop with the route's keys; returns the final hop. */
function walkRoute(packet, route, crypto) {
  for (let i = 0; i < route.length - 1; i++) {
    const hop = sphinx.processPacket(packet, route[i].secretKey, { crypto });
    assert.equal(hop.kind, "forward", `hop ${i} forwards`);
    assert.equal(sphinx.decodeNodeAddress(hop.nextHop).hostPort, route[i + 1].hostPort);
    packet = hop.packet;
  }
  const last = sphinx.processPacket(packet, route[route.length - 1].secretKey, { crypto });
  assert.equal(last.kind, "final");
  return last;
}

function runtimeProviders() {
  const name = defaultCrypto().name;
  const hasBuiltin = typeof globalThis.process?.getBuiltinModule === "function";
  // Where process.getBuiltinModule exists the native provider must be chosen; Node 20 lacks it,
  // so there the portable noble provider carries every test.
  assert.equal(name, hasBuiltin ? "native" : "noble");
  const secret = seededRandom(7)(32);
  assert.deepEqual(defaultCrypto().x25519PublicKey(secret), nobleCrypto.x25519PublicKey(secret));
}

function sphinxKeyVector() {
  for (const c of providers()) {
    // rand_chacha's ChaCha20Rng::from_seed([1; 32]) is the ChaCha20 keystream under that key.
    const stream = c.chacha20(new Uint8Array(32).fill(1), new Uint8Array(64));
    const shared = c.x25519(stream.subarray(32, 64), c.x25519PublicKey(stream.subarray(0, 32)));
    assert.equal(toHex(shared), "499a6ab6e6c50f92a5f15d4a93bf90c0b7d8b0e9577f31907c8e01152b752747");
    const e = nym.expandSharedSecret(c, shared);
    assert.equal(toHex(e.streamCipherKey), "baea9871ca7cbfe4ad595b087ffbd6c8");
    assert.equal(toHex(e.macKey), "1cde11e32eb4aa072234b18e96898ede");
    assert.equal(
      toHex(e.blindingFactor),
      "e340b8eb8c3ee8aceb2a3aa9f1fdf50288954a3006a59185be69dedaf8ac31bc",
    );
    assert.equal(toHex(e.legacyPayloadKey.subarray(0, 8)), "d2d151f1fe7b2451");
    assert.equal(toHex(e.legacyPayloadKey.subarray(184)), "d68b2046421e3f66");
    assert.equal(
      toHex(e.replayTag),
      "10e008d2c39ea43ac2a4837ec49a2a0151825117c62f8fc51b31abd37202ade5",
    );
    assert.equal(
      toHex(nym.payloadKeyFromSeed(c, e.payloadKeySeed).subarray(0, 16)),
      "5e3ec0826fabe7ad928194bd4b2b5877",
    );
  }
}

function lionessVector() {
  const key = fromHex(
    "0f2c69732932c99e56fa50fbb2763ad77ee221fc5d9e6c08f89fc577a7467f1ee34003440ee2bfbf" +
      "aac60912b0e547fbe9a6a9292db70bc718c6f2773ab198ac8f255378f7ea799e1d4b8596079173b6" +
      "e443c416f13195f1976acc03d53a4b8581b609df3b7029d5b487051d5ae4189129c045edc8822e1f" +
      "52e30251e4b322b3f6d6e8bb0ddb0578dcba41603abf5e51848c84d2082d293f30a645faf4df028e" +
      "e2c40853ea33e40b55fca902371dc00dc1e0e77161bd097a59e8368bf99174d9",
  );
  const input = fromHex(
    "5ac4cb9674a8908915a2b1aaf2043271612531911a26186bd5c811951330753a0e3259f3fcf52f" +
      "b86e666ab4d96243e57d73b976611f928d44ad137799016861576ca0a6b8a8a9e2ea02db71e71c" +
      "9654e476ca845c44456eba62f11f004b222756e485185c446c30b7a05cf9acd53b3131227b428d" +
      "a5c9601664d45ae5c2387956307961a0680894844190605dce0c86e597105884e151eb8a005eda" +
      "08ff5891a6b40bae299cddad979063a9a356f3477feabb9cc7bd80a1e2d6a419fcd8af9e98f7b1" +
      "93c71bd6056d7634b8c2b8f85920f314554104659e52d9266ddbc2ac40c1b875f6b00225f832cf" +
      "310e139ad8cc2568608f0323534fa15a84280e776e7e1167a001f6e18c49f3cd02c19837da47ac" +
      "091219ee2fdb4458836db20cbd362bb65add9b40f2817f666caf19787abc2013737eea8c7552d7" +
      "55a29beba5da31956f75fe7628221fe8d0a75da5bee39af956a2246c5a339560dcf029eb76d191" +
      "963354b70142df29ec69930977ce2f0e491513664ce83a8fa75f3e698530cf9dafbdb90b19745e" +
      "9257d03d7320c6d306f529eda242cb3f6f452a943f6e1c04eb02cbb0368d79e49a2b42ac3ff7cd" +
      "9a5686bfdb90a29322016bbcef5c733f451a9f4ea7c534116158eb611796d47b83ffe7cd6e6c11" +
      "d56e2d26c7a386853212a2f92efeabc74e8fe69e3d374d7b033d0ec9862221435b14ad534217ad" +
      "7da50bc236",
  );
  const output = fromHex(
    "9eb45ca2ca4d0b6ff05a749511aad1357aa64caf9ce547c7388fe24fd1300fe856bb5c396869a" +
      "cd21c45805e6a7c8a1b7f71cc5f0ea9dd0c4ecd4bba9a7a4853bc352bc9f6562e9907973f91fb" +
      "cf7c710f5a89abc8eb4489b90e8111cbf85ffd595d603268ddceb40e39e747a4e7bd5c965585b" +
      "6964e180bd6ccb9d0fad210c7f7dd6f90cf6db9bda70d41d3922cedec5ea147ef318de5f34e6f" +
      "e5bd646859a9d4171b973b6b58c8d7f94bc9eb293c197f3408a51e3626196e3f6bca625cef90f" +
      "a7a3e3713bdaebdda82f48db1a97c9ed5c48bc419dbc3d1f9ef43d1b17dd83c966bde9d9360b7" +
      "cdac0871844c27921dcf3bb7edce9fb24661a41a8f92c8502925f062e9cd2f77c561e5825eae2" +
      "11657652330bc64cd63b18d1014975f167f8b68d6e702dd3d3547971662238216cc5b07517cc9" +
      "0aaa49a61ee423861cdc49c0e1f64e086007095a00f8adb0314fd85c88158001202edf2ed43c2" +
      "01176d6141e469dd89430352a927ee22a41c62c8cfdfd5d592e76793e58a9c63b7fe6dad335d7" +
      "acec90727675854d7708358115794e013bb4fdb504c44e21ce500f764fac211e8de20b81ca55f" +
      "c778ace024d2a40045241e71b023ceb519c8c28285c333b9f90f5e2cde21ca6744e43f89d0054" +
      "5dd34df072c7214f6cbd2123c4b0613614609961dd855d6d611c3018e4df3550b4e93f33f7c3e" +
      "8b2c890ca0405c957aa277d",
  );
  for (const c of providers()) {
    assert.equal(toHex(sphinx.lionessEncrypt(key, input, c)), toHex(output));
    assert.equal(toHex(sphinx.lionessDecrypt(key, output, c)), toHex(input));
  }
}

async function goldenPacket() {
  // The packet captured from nym-client-wasm 1.4.1 (NymNodeTester) and its nodes' keys.
  const vector = JSON.parse(
    await readFile(new URL("../vectors/official-tester-packet.json", import.meta.url)),
  );
  const nodeAt = Object.fromEntries(Object.entries(vector.mix_hosts).map(([n, h]) => [h, n]));
  const forward = fromHex(vector.forward_sphinx_v2_plaintext_hex);
  assert.equal(sphinx.decodeNodeAddress(forward.subarray(2, 9)).hostPort, vector.mix_hosts.mix1);
  for (const c of providers()) {
    let packet = forward.subarray(9);
    assert.equal(packet.length, sphinx.PACKET_SIZES.regular.totalSize);
    const hops = [];
    let at = "mix1";
    for (;;) {
      const hop = sphinx.processPacket(packet, fromHex(vector.nodes[at].x25519_sk), { crypto: c });
      hops.push([at, hop.version, hop.kind === "forward" ? hop.delay : null]);
      if (hop.kind === "final") {
        assert.equal(toHex(hop.destination), vector.client.ed25519_pk);
        // After the 405-byte SURB-ACK: ephemeral key ‖ AES-128-CTR(fragment).
        const sealed = hop.plaintext.subarray(405);
        const key = c.hkdfBlake3(
          c.x25519(fromHex(vector.client.x25519_sk), sealed.subarray(0, 32)),
          new Uint8Array(0),
          new Uint8Array(0),
          16,
        );
        const fragment = c.aes128Ctr(key, new Uint8Array(16), sealed.subarray(32), 64);
        assert.equal(nym.readU32be(fragment), (0x7bf29e63 | 0x80000000) >>> 0);
        const json = text(fragment.subarray(8, fragment.lastIndexOf(1)));
        const tested = JSON.parse(json).tested_node.encoded_identity;
        assert.equal(tested, "C5DkzuAZK7XAo62qf968UYrvpAGm57ie5E2QC3wkhiUT");
        break;
      }
      packet = hop.packet;
      at = nodeAt[sphinx.decodeNodeAddress(hop.nextHop).hostPort];
    }
    assert.deepEqual(hops, [
      ["mix1", 258, 13628352n],
      ["mix2", 258, 2611092n],
      ["mix3", 258, 2572016n],
      ["gw", 258, null],
    ]);
  }
}

function sphinxRoundTrip() {
  for (const version of [258, 259]) {
    for (const size of Object.values(sphinx.PACKET_SIZES)) {
      for (let hops = 1; hops <= 5; hops++) {
        const random = seededRandom(hops * 1000 + version + size.tag);
        const route = testRoute(hops, random, hops === 5);
        const destination = random(32);
        const identifier = random(16);
        const plaintext = random(size.plaintextSize);
        const packet = sphinx.buildPacket({
          route,
          delays: sphinx.sampleDelays(hops, 15, random),
          destination,
          identifier,
          plaintext,
          size,
          version,
          random,
          crypto: nobleCrypto,
        });
        assert.equal(packet.length, size.totalSize);
        const final = walkRoute(packet, route, defaultCrypto());
        assert.equal(final.version, version);
        assert.deepEqual(final.destination, destination);
        assert.deepEqual(final.identifier, identifier);
        assert.deepEqual(final.plaintext, plaintext);
      }
    }
  }
}

function surbRoundTrip() {
  for (const version of [258, 259]) {
    const random = seededRandom(version);
    const route = testRoute(4, random);
    const destination = random(32);
    const surb = sphinx.createSurb({
      route,
      delays: [1n, 2n, 3n, 4n],
      destination,
      version,
      random,
    });
    const decoded = sphinx.decodeSurb(sphinx.encodeSurb(surb));
    const reply = new TextEncoder().encode(`an anonymous reply through a v${version} SURB`);
    const { packet, firstHop } = sphinx.useSurb(decoded, reply);
    assert.equal(sphinx.decodeNodeAddress(firstHop).hostPort, route[0].hostPort);
    const final = walkRoute(packet, route, nobleCrypto);
    assert.deepEqual(final.destination, destination);
    assert.equal(text(final.plaintext.subarray(0, reply.length)), text(reply));
  }
}

function malformedPackets() {
  const random = seededRandom(3);
  const route = testRoute(3, random);
  const packet = sphinx.buildPacket({
    route,
    delays: [0n, 0n, 0n],
    destination: random(32),
    plaintext: random(100),
    random,
  });
  const kindOf = (bytes) => {
    try {
      sphinx.processPacket(bytes, route[0].secretKey);
    } catch (error) {
      assert.ok(error instanceof sphinx.SphinxError, `a SphinxError, not ${error}`);
      return error.kind;
    }
    assert.fail("the packet was accepted");
  };
  assert.equal(kindOf(packet.subarray(0, 1000)), "length");
  for (const at of [40, 100, 300]) {
    const flipped = packet.slice();
    flipped[at] ^= 1;
    assert.equal(kindOf(flipped), "mac", `bit flip at ${at}`);
  }
  assert.throws(() => sphinx.decodeNodeAddress(new Uint8Array(5)), sphinx.SphinxError);
  assert.throws(() => nym.Recipient.parse("not.an@address"), message.AddressError);
}

function messageRoundTrip() {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const publicKey = defaultCrypto().x25519PublicKey(secret);
  const data = crypto.getRandomValues(new Uint8Array(10_000));
  const capacity = message.fragmentCapacity();
  const padded = message.padMessage(message.encodeNymMessage({ type: "plain", data }), capacity);
  const fragments = message.splitIntoFragments(padded, capacity);
  assert.ok(fragments.length >= 7, `${fragments.length} fragments`);
  const sealed = fragments.map((f) =>
    message.encryptForRecipient(message.encodeFragment(f), publicKey, { crypto: nobleCrypto })
  );
  const reassembler = new message.Reassembler();
  const outcomes = sealed.reverse().map((payload) =>
    reassembler.insertBytes(message.decryptRegular(payload, secret))
  );
  assert.deepEqual(
    outcomes.slice(0, -1).map((o) => o.kind),
    outcomes.slice(1).map(() => "buffered"),
  );
  const last = outcomes.at(-1);
  assert.equal(last.kind, "complete");
  const decoded = message.decodeNymMessage(last.message);
  assert.equal(decoded.type, "plain");
  assert.deepEqual(decoded.data, data);

  const k = nobleCrypto.ed25519PublicKey(secret);
  const address = new nym.Recipient(k, publicKey, k);
  assert.ok(nym.Recipient.parse(address.toString()).equals(address));
}

// Node 20 has no global WebSocket: inject the `ws` package there, as a Node application would.
const webSocketSource = globalThis.WebSocket ? "global WebSocket" : "WebSocket from ws";
function webSocketConstructor() {
  return globalThis.WebSocket ?? createRequire(join(dir, "package.json"))("ws").WebSocket;
}

async function next(client) {
  const reader = client.messages.getReader();
  try {
    const { value, done } = await reader.read();
    assert.ok(!done && value, "a message arrives");
    return value;
  } finally {
    reader.releaseLock();
  }
}

async function localnetRoundTrip() {
  const nymApiUrl = process.env.NYM_API_URL;
  const gateways = (process.env.NYM_GATEWAYS ?? "").split(",").filter(Boolean);
  const options = { nymApiUrl, traffic: "noCover", WebSocket: webSocketConstructor() };
  // Alice on the portable noble provider, Bob on the runtime's default: both paths on the wire.
  const alice = await nym.connect({ ...options, gateway: gateways[0], crypto: nobleCrypto });
  const bob = await nym.connect({ ...options, gateway: gateways.at(-1) });
  try {
    assert.ok(alice.address.endsWith(`@${gateways[0]}`));
    await alice.send(bob.address, "hello bob", { replySurbs: 2 });
    const received = await next(bob);
    assert.equal(text(received.data), "hello bob");
    assert.ok(received.senderTag, "the message carries a sender tag");
    await bob.reply(received.senderTag, "hello, whoever you are");
    const answer = await next(alice);
    assert.deepEqual([answer.kind, text(answer.data)], ["reply", "hello, whoever you are"]);
    const big = crypto.getRandomValues(new Uint8Array(20_000));
    await alice.send(bob.address, big);
    assert.deepEqual((await next(bob)).data, big);
  } finally {
    await alice.disconnect();
    await bob.disconnect();
  }
}

/**
 * The cases, in order. `skip` is a reason string when a case cannot run here.
 * @type {{ name: string; run: () => void | Promise<void>; skip?: string }[]}
 */
export const cases = [
  {
    name:
      `the default crypto provider (${defaultCrypto().name}) suits the runtime and agrees with noble`,
    run: runtimeProviders,
  },
  { name: "Sphinx key expansion reproduces sphinx's seed-[1;32] vector", run: sphinxKeyVector },
  { name: "Lioness reproduces the lioness 0.1.2 vector both ways", run: lionessVector },
  {
    name: "the official client's golden packet walks to its gateway and decrypts",
    run: goldenPacket,
  },
  {
    name: "Sphinx packets of every size and version round-trip over 1 to 5 hops",
    run: sphinxRoundTrip,
  },
  { name: "a reply SURB carries an answer back to its creator", run: surbRoundTrip },
  { name: "malformed packets and addresses are refused with typed errors", run: malformedPackets },
  {
    name: "a 10 KB message survives fragmentation, encryption and reassembly",
    run: messageRoundTrip,
  },
  {
    name:
      `two clients exchange a message and an anonymous reply through a localnet (${webSocketSource})`,
    run: localnetRoundTrip,
    skip: process.env.NYM_API_URL ? undefined : "NYM_API_URL is not set (no localnet)",
  },
];
