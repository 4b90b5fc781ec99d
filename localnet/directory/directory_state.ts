/**
 * The plain data a localnet directory serves: nodes, the rewarded set and the key-rotation
 * clock, with nym-api's defaults and rules for deriving roles and listings.
 *
 * @module
 */

/** Roles a node declares (`DeclaredRolesV1`). */
export interface DirectoryDeclaredRoles {
  /** Can mix. */
  mixnode: boolean;
  /** Serves clients. */
  entry: boolean;
  /** Runs a network requester. */
  exitNr: boolean;
  /** Runs an IP packet router. */
  exitIpr: boolean;
}

/** Client WebSocket listener details of an entry node. */
export interface DirectoryEntry {
  /** DNS name, if any (default `null`). */
  hostname?: string | null;
  /** Plain WebSocket port. */
  wsPort: number;
  /** TLS WebSocket port (default `null`). */
  wssPort?: number | null;
}

/** One node as the directory lists it. */
export interface DirectoryNode {
  /** Node id (u32). */
  nodeId: number;
  /** Ed25519 identity public key (32 bytes). */
  identityKey: Uint8Array;
  /** X25519 Sphinx public key of the current rotation (32 bytes). */
  sphinxKey: Uint8Array;
  /** IP addresses; the first is the mix address (default `["127.0.0.1"]`). */
  ipAddresses?: string[];
  /** Mix (node-to-node) TCP port. */
  mixPort: number;
  /** Client WebSocket details; giving them makes the node a gateway by default. */
  entry?: DirectoryEntry | null;
  /**
   * Declared roles. Default: with `entry`, `{ entry, exitNr, exitIpr }`; without, `{ mixnode }`.
   */
  supportedRoles?: DirectoryDeclaredRoles;
  /** Performance as a decimal string in 0..1 (default `"1"`). */
  performance?: string;
}

/** The rewarded set (node ids per role). */
export interface DirectoryRewardedSet {
  /** Epoch id of the assignment. */
  epochId: number;
  /** Entry gateways. */
  entryGateways: number[];
  /** Exit gateways. */
  exitGateways: number[];
  /** Mix layer 1. */
  layer1: number[];
  /** Mix layer 2. */
  layer2: number[];
  /** Mix layer 3. */
  layer3: number[];
  /** Standby (default `[]`). */
  standby?: number[];
}

/** The key-rotation clock. The rotation id is `(epoch − initial) / validity`. */
export interface DirectoryKeyRotation {
  /** Current absolute epoch id (default: the rewarded set's `epochId`). */
  currentAbsoluteEpochId?: number;
  /** Epochs per key rotation (default 24). */
  validityEpochs?: number;
  /** Epoch at which rotation started (default 0). */
  initialEpochId?: number;
  /** Start of the current epoch (default: when the directory started). */
  currentEpochStart?: Date;
  /** Epoch length in seconds (default 3600). */
  epochDurationSecs?: number;
}

/** Everything a directory serves. */
export interface DirectoryData {
  /** The nodes. */
  nodes: DirectoryNode[];
  /** The rewarded set. */
  rewardedSet: DirectoryRewardedSet;
  /** The key-rotation clock (defaults as documented on its fields). */
  keyRotation?: DirectoryKeyRotation;
  /** `refreshed_at` of node listings (default: now). */
  refreshedAt?: Date;
}

/** A role as nym-api reports it in `role`. */
export type DirectoryRole =
  | { mixnode: 1 | 2 | 3 }
  | "EntryGateway"
  | "ExitGateway"
  | "Standby"
  | "Inactive";

/** Resolved key-rotation clock. */
export interface ResolvedKeyRotation {
  /** Current absolute epoch id. */
  currentAbsoluteEpochId: number;
  /** Epochs per key rotation. */
  validityEpochs: number;
  /** Epoch at which rotation started. */
  initialEpochId: number;
  /** Start of the current epoch. */
  currentEpochStart: Date;
  /** Epoch length in seconds. */
  epochDurationSecs: number;
  /** The current key rotation id. */
  rotationId: number;
  /** First epoch of the current rotation. */
  rotationStartingEpoch: number;
}

/**
 * Key-rotation clock with defaults applied and the derived rotation id.
 *
 * @example
 * ```ts
 * import { resolveKeyRotation } from "./mod.ts";
 * const clock = resolveKeyRotation({ epochId: 100, entryGateways: [], exitGateways: [], layer1: [], layer2: [], layer3: [] });
 * console.log(clock.rotationId, clock.rotationStartingEpoch); // 4 96
 * ```
 */
export function resolveKeyRotation(
  rewardedSet: DirectoryRewardedSet,
  keyRotation: DirectoryKeyRotation = {},
  now: Date = new Date(),
): ResolvedKeyRotation {
  const currentAbsoluteEpochId = keyRotation.currentAbsoluteEpochId ?? rewardedSet.epochId;
  const validityEpochs = keyRotation.validityEpochs ?? 24;
  const initialEpochId = keyRotation.initialEpochId ?? 0;
  if (!(validityEpochs >= 1)) throw new RangeError("validityEpochs must be at least 1");
  const rotationId = Math.floor(
    Math.max(0, currentAbsoluteEpochId - initialEpochId) / validityEpochs,
  );
  return {
    currentAbsoluteEpochId,
    validityEpochs,
    initialEpochId,
    currentEpochStart: keyRotation.currentEpochStart ?? now,
    epochDurationSecs: keyRotation.epochDurationSecs ?? 3600,
    rotationId,
    rotationStartingEpoch: initialEpochId + validityEpochs * rotationId,
  };
}

/**
 * The node's role this epoch, from the rewarded set, in nym-api's order of precedence (entry,
 * exit, layer 1, 2, 3, standby).
 *
 * @example
 * ```ts
 * import { roleOf } from "./mod.ts";
 * const set = { epochId: 1, entryGateways: [4], exitGateways: [4], layer1: [1], layer2: [2], layer3: [3] };
 * console.log(roleOf(2, set), roleOf(4, set), roleOf(9, set)); // { mixnode: 2 } EntryGateway Inactive
 * ```
 */
export function roleOf(nodeId: number, set: DirectoryRewardedSet): DirectoryRole {
  if (set.entryGateways.includes(nodeId)) return "EntryGateway";
  if (set.exitGateways.includes(nodeId)) return "ExitGateway";
  if (set.layer1.includes(nodeId)) return { mixnode: 1 };
  if (set.layer2.includes(nodeId)) return { mixnode: 2 };
  if (set.layer3.includes(nodeId)) return { mixnode: 3 };
  if ((set.standby ?? []).includes(nodeId)) return "Standby";
  return "Inactive";
}

/**
 * Declared roles with the default applied.
 *
 * @example
 * ```ts
 * import { declaredRoles } from "./mod.ts";
 * console.log(declaredRoles({ entry: { wsPort: 9000 } }).entry); // true
 * ```
 */
export function declaredRoles(
  node: Pick<DirectoryNode, "entry" | "supportedRoles">,
): DirectoryDeclaredRoles {
  if (node.supportedRoles) return { ...node.supportedRoles };
  const gateway = node.entry !== undefined && node.entry !== null;
  return { mixnode: !gateway, entry: gateway, exitNr: gateway, exitIpr: gateway };
}

/** Which nodes a skimmed listing holds. */
export type Listing =
  | "all"
  | "mixnodes-active"
  | "mixnodes-all"
  | "entry-gateways"
  | "exit-gateways";

/**
 * The nodes of a listing, by node id, as nym-api selects them: mixing-capable (and, for
 * `mixnodes-active`, in the rewarded set), entry-capable, exit-capable, or all.
 *
 * @example
 * ```ts
 * import { listNodes } from "./mod.ts";
 * const node = (nodeId: number, gateway: boolean) => ({
 *   nodeId, identityKey: new Uint8Array(32), sphinxKey: new Uint8Array(32), mixPort: 1789 + nodeId,
 *   entry: gateway ? { wsPort: 9000 } : null,
 * });
 * const set = { epochId: 1, entryGateways: [4], exitGateways: [4], layer1: [1], layer2: [], layer3: [] };
 * const nodes = [node(1, false), node(5, false), node(4, true)];
 * console.log(listNodes(nodes, set, "mixnodes-active").map((n) => n.nodeId)); // [ 1 ]
 * console.log(listNodes(nodes, set, "entry-gateways").map((n) => n.nodeId)); // [ 4 ]
 * ```
 */
export function listNodes(
  nodes: readonly DirectoryNode[],
  set: DirectoryRewardedSet,
  listing: Listing,
): DirectoryNode[] {
  const keep = (node: DirectoryNode): boolean => {
    const roles = declaredRoles(node);
    switch (listing) {
      case "all":
        return true;
      case "mixnodes-all":
        return roles.mixnode;
      case "mixnodes-active":
        return roles.mixnode && roleOf(node.nodeId, set) !== "Inactive";
      case "entry-gateways":
        return roles.entry;
      case "exit-gateways":
        return roles.exitNr && roles.exitIpr;
    }
  };
  return nodes.filter(keep).sort((a, b) => a.nodeId - b.nodeId);
}
