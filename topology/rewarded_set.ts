/**
 * The rewarded set (`RewardedSetResponse`, `GET /v1/nym-nodes/rewarded-set`): which node ids hold
 * which role this epoch. Clients take mix layers from here, never from a node's `role`.
 *
 * @module
 */
import { asObject, asUint, get, readU32Array, U32_MAX } from "./_json.ts";

/** A decoded rewarded set. */
export interface RewardedSet {
  /** `epoch_id` (0 when absent, as serde's default). */
  readonly epochId: number;
  /** `entry_gateways`. */
  readonly entryGateways: readonly number[];
  /** `exit_gateways`. */
  readonly exitGateways: readonly number[];
  /** `layer1`. */
  readonly layer1: readonly number[];
  /** `layer2`. */
  readonly layer2: readonly number[];
  /** `layer3`. */
  readonly layer3: readonly number[];
  /** `standby`. */
  readonly standby: readonly number[];
}

/**
 * Decodes a `RewardedSetResponse` from parsed JSON; throws {@linkcode TopologyError} of kind
 * `shape` if a list is missing or holds anything but u32 ids.
 *
 * @example
 * ```ts
 * import { decodeRewardedSet } from "./mod.ts";
 * const set = decodeRewardedSet({
 *   epoch_id: 100, entry_gateways: [4], exit_gateways: [4],
 *   layer1: [1], layer2: [2], layer3: [3], standby: [],
 * });
 * console.log(set.layer2); // [ 2 ]
 * ```
 */
export function decodeRewardedSet(value: unknown): RewardedSet {
  const obj = asObject(value, "");
  const epochId = get(obj, "epoch_id");
  return {
    epochId: epochId === undefined ? 0 : asUint(epochId, U32_MAX, "epoch_id"),
    entryGateways: readU32Array(obj, "entry_gateways", ""),
    exitGateways: readU32Array(obj, "exit_gateways", ""),
    layer1: readU32Array(obj, "layer1", ""),
    layer2: readU32Array(obj, "layer2", ""),
    layer3: readU32Array(obj, "layer3", ""),
    standby: readU32Array(obj, "standby", ""),
  };
}
