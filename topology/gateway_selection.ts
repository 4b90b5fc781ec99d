/**
 * Gateway choice at client set-up (`common/client-core/src/init/helpers.rs`): filter the
 * entry-capable nodes, then pick uniformly or weighted by measured latency (weight 1/latency).
 *
 * @module
 */
import { type RandomBytes, randomIndex, uniform } from "../internal/random.ts";
import type { RoutingNode } from "./routing_node.ts";
import { TopologyError } from "./topology_error.ts";

/** Options of {@linkcode gatewayCandidates}. */
export interface GatewayCandidateOptions {
  /** Minimum whole-percent performance (default 50, Nym's `minimum_gateway_performance`). */
  minPerformance?: number;
  /** Keep nodes that also declare the mixnode role (default `false`: they are dropped). */
  ignoreEpochRoles?: boolean;
  /** Keep only nodes with a hostname and a `wss` port (default `false`). */
  forceTls?: boolean;
}

/**
 * The gateways a client may register with: nodes with entry details, performance at least
 * `minPerformance`, not mixnode-capable (unless `ignoreEpochRoles`), and TLS-capable when
 * `forceTls`.
 *
 * @example
 * ```ts
 * import { gatewayCandidates } from "./mod.ts";
 * const gateway = {
 *   nodeId: 4, identityKey: new Uint8Array(32), sphinxKey: new Uint8Array(32), mixHost: "127.0.0.1:1790",
 *   entry: { ipAddresses: ["127.0.0.1"], hostname: null, wsPort: 9000, wssPort: null },
 *   supportedRoles: { mixnode: false, mixnetEntry: true, mixnetExit: true }, performance: 40,
 * };
 * console.log(gatewayCandidates([gateway]).length, gatewayCandidates([gateway], { minPerformance: 0 }).length); // 0 1
 * ```
 */
export function gatewayCandidates(
  nodes: Iterable<RoutingNode>,
  options: GatewayCandidateOptions = {},
): RoutingNode[] {
  const minPerformance = options.minPerformance ?? 50;
  const out: RoutingNode[] = [];
  for (const node of nodes) {
    if (!node.entry) continue;
    if (!options.ignoreEpochRoles && node.supportedRoles.mixnode) continue;
    if (node.performance < minPerformance) continue;
    if (options.forceTls && (node.entry.hostname === null || node.entry.wssPort === null)) continue;
    out.push(node);
  }
  return out;
}

/**
 * A uniformly random gateway (Nym's `UniformRemote`, the SDK default). Throws
 * {@linkcode TopologyError} of kind `no-gateway` when `candidates` is empty.
 *
 * @example
 * ```ts
 * import { chooseGatewayUniform } from "./mod.ts";
 * const node = {
 *   nodeId: 4, identityKey: new Uint8Array(32), sphinxKey: new Uint8Array(32), mixHost: "127.0.0.1:1790",
 *   supportedRoles: { mixnode: false, mixnetEntry: true, mixnetExit: true }, performance: 100,
 * };
 * console.log(chooseGatewayUniform([node], (n) => crypto.getRandomValues(new Uint8Array(n))).nodeId); // 4
 * ```
 */
export function chooseGatewayUniform(
  candidates: readonly RoutingNode[],
  random: RandomBytes,
): RoutingNode {
  if (candidates.length === 0) {
    throw new TopologyError("no-gateway", "there are no gateways to choose from");
  }
  return candidates[randomIndex(candidates.length, random)];
}

/** Options of {@linkcode chooseGatewayByLatency}. */
export interface LatencySelectionOptions {
  /** How many gateways are measured at once (default 20, as Nym). */
  concurrency?: number;
}

/** A chosen gateway and its measured latency. */
export interface GatewayWithLatency {
  /** The gateway. */
  readonly node: RoutingNode;
  /** Its measured latency in milliseconds. */
  readonly latencyMs: number;
}

/** Latencies below this count as this, so that a 0 ms measurement keeps a finite weight. */
const MIN_LATENCY_MS = 0.001;

/**
 * Measures every candidate with `measure` (at most `concurrency` at a time; Nym pings over the
 * gateway's WebSocket three times), drops those whose measurement rejects or is not a finite
 * non-negative number, then picks one at random with weight 1/latency. Throws
 * {@linkcode TopologyError} of kind `no-gateway` if nothing could be measured.
 *
 * @example
 * ```ts
 * import { chooseGatewayByLatency } from "./mod.ts";
 * const node = (nodeId: number) => ({
 *   nodeId, identityKey: new Uint8Array(32), sphinxKey: new Uint8Array(32), mixHost: "127.0.0.1:1790",
 *   supportedRoles: { mixnode: false, mixnetEntry: true, mixnetExit: true }, performance: 100,
 * });
 * const chosen = await chooseGatewayByLatency(
 *   [node(4), node(5)],
 *   (n) => n.nodeId === 4 ? Promise.resolve(12) : Promise.reject(new Error("unreachable")),
 *   (n) => crypto.getRandomValues(new Uint8Array(n)),
 * );
 * console.log(chosen.node.nodeId, chosen.latencyMs); // 4 12
 * ```
 */
export async function chooseGatewayByLatency(
  candidates: readonly RoutingNode[],
  measure: (node: RoutingNode) => Promise<number>,
  random: RandomBytes,
  options: LatencySelectionOptions = {},
): Promise<GatewayWithLatency> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 20));
  const measured: GatewayWithLatency[] = [];
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const node = candidates[next++];
      try {
        const latencyMs = await measure(node);
        if (typeof latencyMs === "number" && Number.isFinite(latencyMs) && latencyMs >= 0) {
          measured.push({ node, latencyMs });
        }
      } catch {
        // A gateway that cannot be measured is not a candidate (Nym logs and skips it).
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, candidates.length) }, worker));
  if (measured.length === 0) {
    throw new TopologyError("no-gateway", "no gateway could be measured");
  }
  // Keep the candidates' order so that a seeded `random` gives a reproducible pick.
  measured.sort((a, b) => candidates.indexOf(a.node) - candidates.indexOf(b.node));
  const weights = measured.map((m) => 1 / Math.max(m.latencyMs, MIN_LATENCY_MS));
  const total = weights.reduce((a, b) => a + b, 0);
  let point = uniform(random) * total;
  for (let i = 0; i < measured.length; i++) {
    point -= weights[i];
    if (point <= 0) return measured[i];
  }
  return measured[measured.length - 1];
}
