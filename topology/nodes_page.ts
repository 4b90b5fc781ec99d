/**
 * One page of a nym-api v2 `skimmed` listing (`PaginatedCachedNodesResponseV2<SkimmedNodeV1>`):
 * `{ metadata: NodesResponseMetadata, nodes: { pagination, data } }`.
 *
 * @module
 */
import {
  asObject,
  get,
  join,
  readArray,
  readString,
  readUint,
  readUsize,
  shapeError,
  U32_MAX,
} from "./_json.ts";
import { parseNymDateTime, parseRfc3339 } from "./_time.ts";
import { decodeSkimmedNode, type SkimmedNode } from "./skimmed_node.ts";

/** A `std::time::Duration` as serde writes it. */
export interface SerdeDuration {
  /** Whole seconds. */
  readonly secs: number;
  /** Nanoseconds, below 1e9. */
  readonly nanos: number;
}

/** The mixnet contract's `Interval` (the epoch clock). */
export interface EpochInterval {
  /** Interval id. */
  readonly id: number;
  /** Epochs per interval. */
  readonly epochsInInterval: number;
  /** Start of the current epoch. */
  readonly currentEpochStart: Date;
  /** Epoch id inside the interval. */
  readonly currentEpochId: number;
  /** Length of every epoch. */
  readonly epochLength: SerdeDuration;
  /** Epochs elapsed since the first one: the absolute epoch id. */
  readonly totalElapsedEpochs: number;
}

/** `TopologyRequestStatus`: `"no-updates"` or `{"fresh": Interval}`. */
export type TopologyRequestStatus =
  | { readonly kind: "no-updates" }
  | { readonly kind: "fresh"; readonly interval: EpochInterval };

/** `NodesResponseMetadata`. */
export interface NodesResponseMetadata {
  /** `status`; `null` when absent or `null`. */
  readonly status: TopologyRequestStatus | null;
  /** `absolute_epoch_id`. */
  readonly absoluteEpochId: number;
  /** `rotation_id`: the key rotation the listed Sphinx keys belong to. */
  readonly rotationId: number;
  /**
   * `refreshed_at`. Like nym-api's own deserializer this accepts RFC 3339 or the `time` crate's
   * display form and falls back to the Unix epoch for any other string.
   */
  readonly refreshedAt: Date;
}

/** `Pagination`. */
export interface Pagination {
  /** Nodes in the whole listing. */
  readonly total: number;
  /** This page's number, from 0. */
  readonly page: number;
  /** Nodes on this page. */
  readonly size: number;
}

/** A decoded page. */
export interface NodesPage {
  /** Listing metadata; must be the same on every page. */
  readonly metadata: NodesResponseMetadata;
  /** Paging information. */
  readonly pagination: Pagination;
  /** The nodes on this page. */
  readonly data: readonly SkimmedNode[];
}

function decodeDuration(value: unknown, path: string): SerdeDuration {
  const obj = asObject(value, path);
  return {
    secs: readUsize(obj, "secs", path),
    nanos: readUint(obj, "nanos", 999_999_999, path),
  };
}

function decodeInterval(value: unknown, path: string): EpochInterval {
  const obj = asObject(value, path);
  const start = parseRfc3339(readString(obj, "current_epoch_start", path));
  if (!start) throw shapeError(join(path, "current_epoch_start"), "an RFC 3339 timestamp");
  return {
    id: readUint(obj, "id", U32_MAX, path),
    epochsInInterval: readUint(obj, "epochs_in_interval", U32_MAX, path),
    currentEpochStart: start,
    currentEpochId: readUint(obj, "current_epoch_id", U32_MAX, path),
    epochLength: decodeDuration(get(obj, "epoch_length"), join(path, "epoch_length")),
    totalElapsedEpochs: readUint(obj, "total_elapsed_epochs", U32_MAX, path),
  };
}

function decodeStatus(value: unknown, path: string): TopologyRequestStatus | null {
  if (value === undefined || value === null) return null;
  if (value === "no-updates") return { kind: "no-updates" };
  if (typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "fresh") {
      return {
        kind: "fresh",
        interval: decodeInterval((value as Record<string, unknown>).fresh, join(path, "fresh")),
      };
    }
  }
  throw shapeError(path, `null, "no-updates" or {"fresh": Interval}`);
}

/**
 * Decodes `NodesResponseMetadata`.
 *
 * @example
 * ```ts
 * import { decodeNodesMetadata } from "./mod.ts";
 * const metadata = decodeNodesMetadata({
 *   status: null, absolute_epoch_id: 100, rotation_id: 4, refreshed_at: "2026-05-16T10:00:00Z",
 * });
 * console.log(metadata.rotationId, metadata.refreshedAt.toISOString()); // 4 2026-05-16T10:00:00.000Z
 * ```
 */
export function decodeNodesMetadata(value: unknown, path = "metadata"): NodesResponseMetadata {
  const obj = asObject(value, path);
  return {
    status: decodeStatus(get(obj, "status"), join(path, "status")),
    absoluteEpochId: readUint(obj, "absolute_epoch_id", U32_MAX, path),
    rotationId: readUint(obj, "rotation_id", U32_MAX, path),
    refreshedAt: parseNymDateTime(readString(obj, "refreshed_at", path)) ?? new Date(0),
  };
}

/**
 * Decodes one page of a v2 `skimmed` listing from parsed JSON. Throws
 * {@linkcode TopologyError} of kind `shape` on any malformed part, naming the field.
 *
 * @example
 * ```ts
 * import { decodeNodesPage } from "./mod.ts";
 * const page = decodeNodesPage({
 *   metadata: { status: null, absolute_epoch_id: 1, rotation_id: 0, refreshed_at: "2026-01-01T00:00:00Z" },
 *   nodes: { pagination: { total: 0, page: 0, size: 0 }, data: [] },
 * });
 * console.log(page.pagination.total, page.data.length); // 0 0
 * ```
 */
export function decodeNodesPage(value: unknown): NodesPage {
  const obj = asObject(value, "");
  const metadata = decodeNodesMetadata(get(obj, "metadata"));
  const nodes = asObject(get(obj, "nodes"), "nodes");
  const pag = asObject(get(nodes, "pagination"), "nodes.pagination");
  return {
    metadata,
    pagination: {
      total: readUsize(pag, "total", "nodes.pagination"),
      page: readUint(pag, "page", U32_MAX, "nodes.pagination"),
      size: readUsize(pag, "size", "nodes.pagination"),
    },
    data: readArray(nodes, "data", "nodes").map((n, i) => decodeSkimmedNode(n, `nodes.data[${i}]`)),
  };
}

function sameStatus(a: TopologyRequestStatus | null, b: TopologyRequestStatus | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind !== b.kind) return false;
  if (a.kind === "no-updates" || b.kind === "no-updates") return true;
  const x = a.interval, y = b.interval;
  return x.id === y.id && x.epochsInInterval === y.epochsInInterval &&
    x.currentEpochStart.getTime() === y.currentEpochStart.getTime() &&
    x.currentEpochId === y.currentEpochId && x.epochLength.secs === y.epochLength.secs &&
    x.epochLength.nanos === y.epochLength.nanos && x.totalElapsedEpochs === y.totalElapsedEpochs;
}

/**
 * Nym's `consistency_check`: same `status`, `absolute_epoch_id` and `rotation_id`
 * (`refreshed_at` may differ).
 *
 * @example
 * ```ts
 * import { sameNodesMetadata } from "./mod.ts";
 * const a = { status: null, absoluteEpochId: 5, rotationId: 0, refreshedAt: new Date(0) };
 * console.log(sameNodesMetadata(a, { ...a, refreshedAt: new Date() })); // true
 * console.log(sameNodesMetadata(a, { ...a, rotationId: 1 })); // false
 * ```
 */
export function sameNodesMetadata(a: NodesResponseMetadata, b: NodesResponseMetadata): boolean {
  return sameStatus(a.status, b.status) && a.absoluteEpochId === b.absoluteEpochId &&
    a.rotationId === b.rotationId;
}
