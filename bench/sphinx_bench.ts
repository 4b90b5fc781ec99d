// deno bench bench/sphinx_bench.ts — Sphinx build and process costs on this machine.
import { defaultCrypto, nobleCrypto } from "../crypto/mod.ts";
import {
  buildPacket,
  encodeNodeAddress,
  PACKET_SIZES,
  padNodeAddress,
  processPacket,
  sampleDelays,
} from "../sphinx/mod.ts";

const native = defaultCrypto();
const secrets = [0, 1, 2, 3].map(() => crypto.getRandomValues(new Uint8Array(32)));
const route = secrets.map((sk, i) => ({
  address: padNodeAddress(encodeNodeAddress(`127.0.0.1:${1790 + i}`), 32),
  publicKey: native.x25519PublicKey(sk),
}));
const destination = crypto.getRandomValues(new Uint8Array(32));
const plaintext = crypto.getRandomValues(new Uint8Array(2048));
const delays = sampleDelays(4, 15);

// A data packet as the client sends it: a 386-byte SURB-ACK packet built first, embedded in
// the 2048-byte plaintext of the regular packet.
function dataPacketWithSurbAck(version: 258 | 259, crypto = native): Uint8Array {
  const ack = buildPacket({
    route,
    delays,
    destination,
    plaintext: new Uint8Array(21),
    size: PACKET_SIZES.ack,
    version,
    crypto,
  });
  const body = plaintext.slice();
  body.set(route[0].address.subarray(0, 19));
  body.set(ack, 19);
  return buildPacket({ route, delays, destination, plaintext: body, version, crypto });
}

for (const version of [258, 259] as const) {
  Deno.bench(`build a regular 4-hop packet, v${version}`, { group: `build v${version}` }, () => {
    buildPacket({ route, delays, destination, plaintext, version });
  });
  Deno.bench(
    `build a data packet with its SURB-ACK, v${version}`,
    { group: `data v${version}` },
    () => {
      dataPacketWithSurbAck(version);
    },
  );
}
Deno.bench(
  "build a data packet with its SURB-ACK, v259, noble only",
  { group: "data v259" },
  () => {
    dataPacketWithSurbAck(259, nobleCrypto);
  },
);

const packet258 = buildPacket({ route, delays, destination, plaintext, version: 258 });
const packet259 = buildPacket({ route, delays, destination, plaintext, version: 259 });
Deno.bench("process one hop, v258", { group: "process", baseline: true }, () => {
  processPacket(packet258, secrets[0]);
});
Deno.bench("process one hop, v259", { group: "process" }, () => {
  processPacket(packet259, secrets[0]);
});
Deno.bench("process one hop, v259, noble only", { group: "process" }, () => {
  processPacket(packet259, secrets[0], { crypto: nobleCrypto });
});
