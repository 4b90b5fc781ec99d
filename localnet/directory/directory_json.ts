/**
 * The JSON bodies of nym-api's endpoints, built from {@linkcode DirectoryData}: `SkimmedNodeV1`,
 * the paged v1/v2 envelopes, `RewardedSetResponse` and `KeyRotationInfoResponse`, field for field
 * as `nym-api-requests` serializes them.
 *
 * @module
 */
import { toBase58 } from "../../internal/encoding.ts";
import { formatNymDateTime, formatRfc3339 } from "../../topology/_time.ts";
import {
  declaredRoles,
  type DirectoryNode,
  type DirectoryRewardedSet,
  type ResolvedKeyRotation,
  roleOf,
} from "./directory_state.ts";

/** Epochs per interval used for the `Interval` object (mainnet uses 720). */
const EPOCHS_IN_INTERVAL = 720;
/** Nym's default client WebSocket port. */
const DEFAULT_WS_PORT = 9000;

/**
 * `SkimmedNodeV1` JSON of a node; `role` comes from the rewarded set, and `entry` is present only
 * for entry-capable nodes (as nym-api does).
 *
 * @example
 * ```ts
 * import { skimmedNodeJson } from "./mod.ts";
 * const json = skimmedNodeJson(
 *   { nodeId: 1, identityKey: new Uint8Array(32), sphinxKey: new Uint8Array(32), mixPort: 1790 },
 *   { epochId: 1, entryGateways: [], exitGateways: [], layer1: [1], layer2: [], layer3: [] },
 * );
 * console.log(json.role, json.entry); // { Mixnode: { layer: 1 } } null
 * ```
 */
export function skimmedNodeJson(
  node: DirectoryNode,
  set: DirectoryRewardedSet,
): Record<string, unknown> {
  const roles = declaredRoles(node);
  const role = roleOf(node.nodeId, set);
  return {
    node_id: node.nodeId,
    ed25519_identity_pubkey: toBase58(node.identityKey),
    ip_addresses: node.ipAddresses ?? ["127.0.0.1"],
    mix_port: node.mixPort,
    x25519_sphinx_pubkey: toBase58(node.sphinxKey),
    role: typeof role === "string" ? role : { Mixnode: { layer: role.mixnode } },
    supported_roles: {
      mixnode: roles.mixnode,
      entry: roles.entry,
      exit_nr: roles.exitNr,
      exit_ipr: roles.exitIpr,
    },
    entry: roles.entry
      ? {
        hostname: node.entry?.hostname ?? null,
        ws_port: node.entry?.wsPort ?? DEFAULT_WS_PORT,
        wss_port: node.entry?.wssPort ?? null,
      }
      : null,
    performance: node.performance ?? "1",
  };
}

/**
 * The mixnet contract's `Interval` JSON for the current epoch.
 *
 * @example
 * ```ts
 * import { intervalJson, resolveKeyRotation } from "./mod.ts";
 * const clock = resolveKeyRotation({ epochId: 100, entryGateways: [], exitGateways: [], layer1: [], layer2: [], layer3: [] });
 * console.log(intervalJson(clock).total_elapsed_epochs); // 100
 * ```
 */
export function intervalJson(clock: ResolvedKeyRotation): Record<string, unknown> {
  const epoch = clock.currentAbsoluteEpochId;
  return {
    id: Math.floor(epoch / EPOCHS_IN_INTERVAL),
    epochs_in_interval: EPOCHS_IN_INTERVAL,
    current_epoch_start: formatRfc3339(clock.currentEpochStart),
    current_epoch_id: epoch % EPOCHS_IN_INTERVAL,
    epoch_length: durationJson(clock.epochDurationSecs),
    total_elapsed_epochs: epoch,
  };
}

/** Paging of a listing. */
export interface PageRequest {
  /** Page number from 0. */
  page: number;
  /** Nodes per page; `undefined` puts every node on page 0 (as nym-api does today). */
  perPage?: number;
}

/** Shared inputs of a listing response. */
export interface ListingContext {
  /** The rewarded set (for roles). */
  rewardedSet: DirectoryRewardedSet;
  /** The key-rotation clock (metadata). */
  clock: ResolvedKeyRotation;
  /** `refreshed_at`. */
  refreshedAt: Date;
  /** `"fresh"` for role-filtered listings, `null` for the full listing (as nym-api). */
  status: "fresh" | null;
}

function paginate(
  nodes: readonly DirectoryNode[],
  request: PageRequest,
  set: DirectoryRewardedSet,
) {
  const perPage = request.perPage ?? Math.max(nodes.length, 1);
  const slice = request.perPage === undefined
    ? (request.page === 0 ? nodes : [])
    : nodes.slice(request.page * perPage, (request.page + 1) * perPage);
  return {
    pagination: { total: nodes.length, page: request.page, size: slice.length },
    data: slice.map((node) => skimmedNodeJson(node, set)),
  };
}

/**
 * `PaginatedCachedNodesResponseV2<SkimmedNodeV1>`: `{ metadata, nodes: { pagination, data } }`.
 *
 * @example
 * ```ts
 * import { nodesPageJson, resolveKeyRotation } from "./mod.ts";
 * const rewardedSet = { epochId: 100, entryGateways: [], exitGateways: [], layer1: [], layer2: [], layer3: [] };
 * const page = nodesPageJson([], { page: 0 }, {
 *   rewardedSet, clock: resolveKeyRotation(rewardedSet), refreshedAt: new Date(0), status: null,
 * });
 * console.log(page.metadata); // { status: null, absolute_epoch_id: 100, rotation_id: 4, refreshed_at: "1970-01-01 00:00:00.0 +00:00:00" }
 * ```
 */
export function nodesPageJson(
  nodes: readonly DirectoryNode[],
  request: PageRequest,
  context: ListingContext,
): { metadata: Record<string, unknown>; nodes: Record<string, unknown> } {
  return {
    metadata: {
      status: context.status === "fresh" ? { fresh: intervalJson(context.clock) } : null,
      absolute_epoch_id: context.clock.currentAbsoluteEpochId,
      rotation_id: context.clock.rotationId,
      refreshed_at: formatNymDateTime(context.refreshedAt),
    },
    nodes: paginate(nodes, request, context.rewardedSet),
  };
}

/**
 * `PaginatedCachedNodesResponseV1<SkimmedNodeV1>`: `{ status, refreshed_at, nodes }` (the
 * deprecated `/v1/unstable/...` listings).
 *
 * @example
 * ```ts
 * import { nodesPageV1Json, resolveKeyRotation } from "./mod.ts";
 * const rewardedSet = { epochId: 1, entryGateways: [], exitGateways: [], layer1: [], layer2: [], layer3: [] };
 * const page = nodesPageV1Json([], { page: 0 }, {
 *   rewardedSet, clock: resolveKeyRotation(rewardedSet), refreshedAt: new Date(0), status: null,
 * });
 * console.log(Object.keys(page)); // [ "status", "refreshed_at", "nodes" ]
 * ```
 */
export function nodesPageV1Json(
  nodes: readonly DirectoryNode[],
  request: PageRequest,
  context: ListingContext,
): Record<string, unknown> {
  const v2 = nodesPageJson(nodes, request, context);
  return { status: v2.metadata.status, refreshed_at: v2.metadata.refreshed_at, nodes: v2.nodes };
}

/**
 * `RewardedSetResponse` JSON.
 *
 * @example
 * ```ts
 * import { rewardedSetJson } from "./mod.ts";
 * const json = rewardedSetJson({ epochId: 3, entryGateways: [4], exitGateways: [4], layer1: [1], layer2: [2], layer3: [3] });
 * console.log(json.standby); // []
 * ```
 */
export function rewardedSetJson(set: DirectoryRewardedSet): Record<string, unknown> {
  return {
    epoch_id: set.epochId,
    entry_gateways: [...set.entryGateways],
    exit_gateways: [...set.exitGateways],
    layer1: [...set.layer1],
    layer2: [...set.layer2],
    layer3: [...set.layer3],
    standby: [...(set.standby ?? [])],
  };
}

/**
 * `KeyRotationInfoResponse` JSON (details flattened, then `progress`).
 *
 * @example
 * ```ts
 * import { keyRotationInfoJson, resolveKeyRotation } from "./mod.ts";
 * const clock = resolveKeyRotation({ epochId: 100, entryGateways: [], exitGateways: [], layer1: [], layer2: [], layer3: [] });
 * console.log(keyRotationInfoJson(clock).progress); // { current_key_rotation_id: 4, current_rotation_starting_epoch: 96, current_rotation_ending_epoch: 119 }
 * ```
 */
export function keyRotationInfoJson(clock: ResolvedKeyRotation): Record<string, unknown> {
  return {
    key_rotation_state: {
      validity_epochs: clock.validityEpochs,
      initial_epoch_id: clock.initialEpochId,
    },
    current_absolute_epoch_id: clock.currentAbsoluteEpochId,
    current_epoch_start: formatRfc3339(clock.currentEpochStart),
    epoch_duration: durationJson(clock.epochDurationSecs),
    progress: {
      current_key_rotation_id: clock.rotationId,
      current_rotation_starting_epoch: clock.rotationStartingEpoch,
      current_rotation_ending_epoch: clock.rotationStartingEpoch + clock.validityEpochs - 1,
    },
  };
}

// A Rust `Duration` as serde writes it; sub-second epochs (tests) keep their nanoseconds.
function durationJson(seconds: number): { secs: number; nanos: number } {
  const secs = Math.floor(seconds);
  return { secs, nanos: Math.round((seconds - secs) * 1e9) };
}
