// Shared directory data for topology/directory tests: real key pairs, N mixnodes per layer and
// a few gateways on loopback ports.
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import type { DirectoryData, DirectoryNode } from "../localnet/directory/mod.ts";

/** Deterministic 32-byte secret for `seed`. */
function secret(seed: number, salt: number): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = salt;
  new DataView(out.buffer).setUint32(1, seed);
  out[31] = 0x5a;
  return out;
}

export function makeNode(
  nodeId: number,
  gateway: boolean,
  extra: Partial<DirectoryNode> = {},
): DirectoryNode {
  return {
    nodeId,
    identityKey: ed25519.getPublicKey(secret(nodeId, 1)),
    sphinxKey: x25519.getPublicKey(secret(nodeId, 2)),
    ipAddresses: ["127.0.0.1"],
    mixPort: 20000 + nodeId,
    entry: gateway ? { hostname: null, wsPort: 30000 + nodeId, wssPort: null } : null,
    performance: "1",
    ...extra,
  };
}

/**
 * `perLayer` mixnodes in each of 3 layers (ids 1..3·perLayer) and `gateways` gateways
 * (ids 100..), epoch 100 (key rotation 4).
 */
export function makeNetwork(perLayer = 1, gateways = 1): DirectoryData {
  const layers: number[][] = [[], [], []];
  const nodes: DirectoryNode[] = [];
  let id = 1;
  for (let layer = 0; layer < 3; layer++) {
    for (let i = 0; i < perLayer; i++) {
      layers[layer].push(id);
      nodes.push(makeNode(id++, false));
    }
  }
  const gatewayIds: number[] = [];
  for (let i = 0; i < gateways; i++) {
    gatewayIds.push(100 + i);
    nodes.push(makeNode(100 + i, true));
  }
  return {
    nodes,
    rewardedSet: {
      epochId: 100,
      entryGateways: gatewayIds,
      exitGateways: gatewayIds,
      layer1: layers[0],
      layer2: layers[1],
      layer3: layers[2],
      standby: [],
    },
    refreshedAt: new Date("2026-01-02T03:04:05.678Z"),
  };
}

/** The ed25519/x25519 secret keys behind {@linkcode makeNode}'s public keys. */
export function nodeSecrets(nodeId: number): { identity: Uint8Array; sphinx: Uint8Array } {
  return { identity: secret(nodeId, 1), sphinx: secret(nodeId, 2) };
}
