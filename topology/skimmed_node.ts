/**
 * `SkimmedNodeV1`: one node as the nym-api `skimmed` listings describe it
 * (`nym-api-requests/src/nym_nodes.rs`), decoded strictly from JSON.
 *
 * @module
 */
import {
  asObject,
  get,
  join,
  readArray,
  readBase58Key,
  readBool,
  readOptionalString,
  readOptionalUint,
  readString,
  readUint,
  shapeError,
  U16_MAX,
  U32_MAX,
  U8_MAX,
} from "./_json.ts";
import { performancePercent } from "./_performance.ts";
import { canonicalIp } from "./_ip.ts";

/**
 * The node's role this epoch (`NodeRole`): a mix layer, a gateway role, standby or inactive.
 * nym-api takes it from the rewarded set; clients route by the rewarded set instead.
 */
export type NodeRole =
  | { readonly kind: "mixnode"; readonly layer: number }
  | { readonly kind: "entry-gateway" }
  | { readonly kind: "exit-gateway" }
  | { readonly kind: "standby" }
  | { readonly kind: "inactive" };

/** The roles a node declares it can take (`DeclaredRolesV1`); all `false` when absent. */
export interface DeclaredRoles {
  /** Can mix. */
  readonly mixnode: boolean;
  /** Can serve clients as an entry gateway. */
  readonly entry: boolean;
  /** Runs a network requester. */
  readonly exitNr: boolean;
  /** Runs an IP packet router. */
  readonly exitIpr: boolean;
}

/** Client-facing WebSocket details (`BasicEntryInformation`); present only on entry nodes. */
export interface BasicEntryInformation {
  /** A DNS name for the node, if it has one. */
  readonly hostname: string | null;
  /** Plain WebSocket port (Nym's default is 9000). */
  readonly wsPort: number;
  /** TLS WebSocket port, if offered. */
  readonly wssPort: number | null;
}

/** A decoded `SkimmedNodeV1`. */
export interface SkimmedNode {
  /** `node_id` (u32). */
  readonly nodeId: number;
  /** `ed25519_identity_pubkey`, 32 bytes. */
  readonly identityKey: Uint8Array;
  /** `ip_addresses`, canonical text form; may be empty (such a node cannot be routed to). */
  readonly ipAddresses: readonly string[];
  /** `mix_port` (u16). */
  readonly mixPort: number;
  /** `x25519_sphinx_pubkey` for the current key rotation, 32 bytes. */
  readonly sphinxKey: Uint8Array;
  /** `role` (alias `epoch_role`). */
  readonly role: NodeRole;
  /** `supported_roles`. */
  readonly supportedRoles: DeclaredRoles;
  /** `entry`, `null` for nodes that do not serve clients. */
  readonly entry: BasicEntryInformation | null;
  /** `performance` exactly as sent: a decimal string in 0..1. */
  readonly performance: string;
  /** `performance` × 100, truncated to an integer (Nym's `round_to_integer`). */
  readonly performancePercent: number;
}

function decodeRole(value: unknown, path: string): NodeRole {
  if (typeof value === "string") {
    switch (value) {
      case "EntryGateway":
      case "entry":
      case "gateway":
        return { kind: "entry-gateway" };
      case "ExitGateway":
      case "exit":
        return { kind: "exit-gateway" };
      case "Standby":
        return { kind: "standby" };
      case "Inactive":
        return { kind: "inactive" };
    }
  } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === "Mixnode") {
      const inner = asObject(obj.Mixnode, join(path, "Mixnode"));
      return { kind: "mixnode", layer: readUint(inner, "layer", U8_MAX, join(path, "Mixnode")) };
    }
  }
  throw shapeError(
    path,
    `one of {"Mixnode":{"layer":n}}, "EntryGateway", "ExitGateway", "Standby", "Inactive"`,
  );
}

function decodeDeclaredRoles(value: unknown, path: string): DeclaredRoles {
  if (value === undefined) return { mixnode: false, entry: false, exitNr: false, exitIpr: false };
  const obj = asObject(value, path);
  return {
    mixnode: readBool(obj, "mixnode", path),
    entry: readBool(obj, "entry", path),
    exitNr: readBool(obj, "exit_nr", path),
    exitIpr: readBool(obj, "exit_ipr", path),
  };
}

function decodeEntry(value: unknown, path: string): BasicEntryInformation | null {
  if (value === undefined || value === null) return null;
  const obj = asObject(value, path);
  return {
    hostname: readOptionalString(obj, "hostname", path),
    wsPort: readUint(obj, "ws_port", U16_MAX, path),
    wssPort: readOptionalUint(obj, "wss_port", U16_MAX, path),
  };
}

/**
 * Decodes one `SkimmedNodeV1` from parsed JSON. Unknown fields are ignored (as serde does);
 * anything missing, mistyped, out of range, not base58, of the wrong key length or not a valid
 * IP address throws {@linkcode TopologyError} of kind `shape`.
 *
 * @example
 * ```ts
 * import { decodeSkimmedNode } from "./mod.ts";
 * const node = decodeSkimmedNode({
 *   node_id: 7,
 *   ed25519_identity_pubkey: "AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9",
 *   ip_addresses: ["127.0.0.1"],
 *   mix_port: 1789,
 *   x25519_sphinx_pubkey: "C6cUahgsea11j7dTmSFiNydnaPG9kg7yPFagXqerHGnC",
 *   role: { Mixnode: { layer: 2 } },
 *   supported_roles: { mixnode: true, entry: false, exit_nr: false, exit_ipr: false },
 *   entry: null,
 *   performance: "0.95",
 * });
 * console.log(node.nodeId, node.role, node.performancePercent); // 7 { kind: "mixnode", layer: 2 } 95
 * ```
 */
export function decodeSkimmedNode(value: unknown, path = ""): SkimmedNode {
  const obj = asObject(value, path);
  const ipPath = join(path, "ip_addresses");
  const ipAddresses = readArray(obj, "ip_addresses", path).map((ip, i) => {
    const canonical = typeof ip === "string" ? canonicalIp(ip) : undefined;
    if (canonical === undefined) throw shapeError(`${ipPath}[${i}]`, "an IP address string");
    return canonical;
  });
  const roleValue = get(obj, "role") ?? get(obj, "epoch_role");
  const performance = readString(obj, "performance", path);
  return {
    nodeId: readUint(obj, "node_id", U32_MAX, path),
    identityKey: readBase58Key(obj, "ed25519_identity_pubkey", "ed25519", path),
    ipAddresses,
    mixPort: readUint(obj, "mix_port", U16_MAX, path),
    sphinxKey: readBase58Key(obj, "x25519_sphinx_pubkey", "x25519", path),
    role: decodeRole(roleValue, join(path, "role")),
    supportedRoles: decodeDeclaredRoles(get(obj, "supported_roles"), join(path, "supported_roles")),
    entry: decodeEntry(get(obj, "entry"), join(path, "entry")),
    performance,
    performancePercent: performancePercent(performance, join(path, "performance")),
  };
}
