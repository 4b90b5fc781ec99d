/**
 * Key-rotation information (`KeyRotationInfoResponse`, `GET /v1/epoch/key-rotation-info`):
 * which Sphinx key rotation is current, and the epoch clock it follows.
 *
 * @module
 */
import { asObject, get, readString, readUint, readUsize, shapeError, U32_MAX } from "./_json.ts";
import { parseRfc3339 } from "./_time.ts";
import type { SerdeDuration } from "./nodes_page.ts";

/** A decoded key-rotation info response. */
export interface KeyRotationInfo {
  /** `key_rotation_state.validity_epochs`: epochs per rotation (at least 1). */
  readonly validityEpochs: number;
  /** `key_rotation_state.initial_epoch_id`: the epoch rotation started at. */
  readonly initialEpochId: number;
  /** `current_absolute_epoch_id`. */
  readonly currentAbsoluteEpochId: number;
  /** `current_epoch_start` (RFC 3339). */
  readonly currentEpochStart: Date;
  /** `epoch_duration`. */
  readonly epochDuration: SerdeDuration;
  /** `progress.current_key_rotation_id`. */
  readonly currentKeyRotationId: number;
  /** `progress.current_rotation_starting_epoch`. */
  readonly currentRotationStartingEpoch: number;
  /** `progress.current_rotation_ending_epoch`. */
  readonly currentRotationEndingEpoch: number;
}

/**
 * Decodes a `KeyRotationInfoResponse` (its details are flattened into the top level) from parsed
 * JSON; throws {@linkcode TopologyError} of kind `shape` on anything malformed, including
 * `validity_epochs` of 0.
 *
 * @example
 * ```ts
 * import { decodeKeyRotationInfo } from "./mod.ts";
 * const info = decodeKeyRotationInfo({
 *   key_rotation_state: { validity_epochs: 24, initial_epoch_id: 0 },
 *   current_absolute_epoch_id: 100,
 *   current_epoch_start: "2026-05-16T10:00:00Z",
 *   epoch_duration: { secs: 3600, nanos: 0 },
 *   progress: { current_key_rotation_id: 4, current_rotation_starting_epoch: 96, current_rotation_ending_epoch: 119 },
 * });
 * console.log(info.currentKeyRotationId); // 4
 * ```
 */
export function decodeKeyRotationInfo(value: unknown): KeyRotationInfo {
  const obj = asObject(value, "");
  const state = asObject(get(obj, "key_rotation_state"), "key_rotation_state");
  const validityEpochs = readUint(state, "validity_epochs", U32_MAX, "key_rotation_state");
  if (validityEpochs === 0) {
    throw shapeError("key_rotation_state.validity_epochs", "at least 1");
  }
  const start = parseRfc3339(readString(obj, "current_epoch_start", ""));
  if (!start) throw shapeError("current_epoch_start", "an RFC 3339 timestamp");
  const duration = asObject(get(obj, "epoch_duration"), "epoch_duration");
  const progress = asObject(get(obj, "progress"), "progress");
  return {
    validityEpochs,
    initialEpochId: readUint(state, "initial_epoch_id", U32_MAX, "key_rotation_state"),
    currentAbsoluteEpochId: readUint(obj, "current_absolute_epoch_id", U32_MAX, ""),
    currentEpochStart: start,
    epochDuration: {
      secs: readUsize(duration, "secs", "epoch_duration"),
      nanos: readUint(duration, "nanos", 999_999_999, "epoch_duration"),
    },
    currentKeyRotationId: readUint(progress, "current_key_rotation_id", U32_MAX, "progress"),
    currentRotationStartingEpoch: readUint(
      progress,
      "current_rotation_starting_epoch",
      U32_MAX,
      "progress",
    ),
    currentRotationEndingEpoch: readUint(
      progress,
      "current_rotation_ending_epoch",
      U32_MAX,
      "progress",
    ),
  };
}
