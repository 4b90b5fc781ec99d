// The demo until the client lands: build one Sphinx packet along a 4-hop route (three mix
// layers and a gateway) and walk it hop by hop, printing what each node learns.
import { defaultCrypto } from "../crypto/mod.ts";
import { toHex } from "../internal/bytes.ts";
import {
  buildPacket,
  decodeNodeAddress,
  encodeNodeAddress,
  padNodeAddress,
  processPacket,
  sampleDelays,
} from "../sphinx/mod.ts";

const c = defaultCrypto();
const names = ["mix layer 1", "mix layer 2", "mix layer 3", "gateway"];
const nodes = names.map((name, i) => {
  const secretKey = crypto.getRandomValues(new Uint8Array(32));
  const hostPort = `127.0.0.1:${1791 + i}`;
  return {
    name,
    hostPort,
    secretKey,
    address: padNodeAddress(encodeNodeAddress(hostPort), 32),
    publicKey: c.x25519PublicKey(secretKey),
  };
});
const recipient = c.ed25519PublicKey(crypto.getRandomValues(new Uint8Array(32)));
const message = new TextEncoder().encode("hello, mixnet");
const delays = sampleDelays(4, 15);

let started = performance.now();
let packet = buildPacket({ route: nodes, delays, destination: recipient, plaintext: message });
console.log(
  `built a ${packet.length}-byte Sphinx packet (v259) in ${
    (performance.now() - started).toFixed(2)
  } ms`,
);
for (const node of nodes) {
  started = performance.now();
  const hop = processPacket(packet, node.secretKey);
  const took = (performance.now() - started).toFixed(2);
  if (hop.kind === "forward") {
    const next = decodeNodeAddress(hop.nextHop).hostPort;
    const delayMs = (Number(hop.delay) / 1e6).toFixed(2);
    console.log(
      `${node.name} (${node.hostPort}): MAC ok, hold ${delayMs} ms, forward to ${next} [${took} ms]`,
    );
    packet = hop.packet;
  } else {
    console.log(
      `${node.name} (${node.hostPort}): final hop for ${toHex(hop.destination).slice(0, 16)}…, ` +
        `plaintext "${new TextDecoder().decode(hop.plaintext)}" [${took} ms]`,
    );
  }
}
