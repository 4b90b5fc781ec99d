// The gateways `connect()` tries, in order, and the loop that tries them: a client keeps its
// stored gateway while it works and otherwise moves on to another, as a gateway that refuses
// the client (a credential demand, a protocol refusal, an unreachable host) must not end it.
// The gateway is stored by the caller only after registration succeeded, as Nym's
// `setup_gateway` does (`common/client-core/src/init/mod.rs`).
import { toBase58 } from "../internal/encoding.ts";
import type { RandomBytes } from "../internal/random.ts";
import type { RoutingNode } from "../topology/mod.ts";
import { GatewayConnectError, type GatewayFailure } from "./gateway_connect_error.ts";

/** Candidates tried by default before `connect()` gives up. */
export const DEFAULT_GATEWAY_ATTEMPTS = 8;

/**
 * The order to try gateways in: `first` (stored or chosen) then the other candidates in random
 * order, at most `limit`. Duplicates of `first` are dropped.
 */
export function candidateOrder(
  first: RoutingNode | undefined,
  candidates: readonly RoutingNode[],
  random: RandomBytes,
  limit: number,
): RoutingNode[] {
  const rest = candidates.filter((node) => node.nodeId !== first?.nodeId);
  for (let i = rest.length - 1; i > 0; i--) {
    const bytes = random(4);
    const j = (((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0) %
      (i + 1);
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  return (first ? [first, ...rest] : rest).slice(0, Math.max(1, limit));
}

/**
 * Runs `attempt` on each node in turn until one resolves, and returns the node with its value.
 * Throws {@linkcode GatewayConnectError} listing every failure when none worked, or the
 * signal's reason once it is aborted.
 */
export async function firstWorkingGateway<T>(
  order: readonly RoutingNode[],
  attempt: (node: RoutingNode) => Promise<T>,
  signal?: AbortSignal,
): Promise<{ node: RoutingNode; value: T }> {
  const failures: GatewayFailure[] = [];
  for (const node of order) {
    signal?.throwIfAborted();
    try {
      return { node, value: await attempt(node) };
    } catch (error) {
      signal?.throwIfAborted();
      const kind = typeof (error as { kind?: unknown })?.kind === "string"
        ? (error as { kind: string }).kind
        : "error";
      failures.push({
        gateway: toBase58(node.identityKey),
        kind,
        message: error instanceof Error ? error.message : String(error),
        cause: error,
      });
    }
  }
  throw new GatewayConnectError(failures);
}
