/**
 * Reply SURBs received from anonymous senders, kept per sender tag until we reply, each with
 * the key rotation it was built for.
 *
 * A SURB only works while the nodes on its route still hold the Sphinx keys it was built with:
 * through its rotation and the first epoch of the next one, after which nym-node purges the old
 * key (`nym-node/src/node/key_rotation/controller.rs`; Nym's clients count a rotation's lifetime
 * as `validity_epochs + 1` epochs, `reply_controller/key_rotation_helpers.rs`). Given the
 * topology's rotation, the store drops SURBs of a purged rotation, spends those of the previous
 * rotation first (while they still work), and counts only current ones as fresh so that more
 * are asked for before the old ones go stale.
 *
 * @module
 */
import type { KeyRotation, ReplySurbBytes } from "../message/mod.ts";
import { fromHex, toHex } from "../internal/bytes.ts";

/** SURBs kept per sender tag at most (Nym lets a remote ask for at most 500). */
export const MAX_SURBS_PER_TAG = 500;
/** SURBs kept over all sender tags at most; the tag least recently given SURBs goes first. */
export const MAX_RECEIVED_SURBS = 5_000;
/**
 * SURBs of a tag that has not sent any for this long are dropped (Nym:
 * `DEFAULT_MAXIMUM_REPLY_SURB_AGE`, 12 h, in `common/client-core/config`): their routes and the
 * mixnodes' keys have likely changed.
 */
export const MAX_SURB_AGE_MS = 12 * 60 * 60 * 1000;

/** Limits of a {@linkcode ReceivedSurbStore}. */
export interface ReceivedSurbStoreOptions {
  /** SURBs kept per tag (newest kept); {@linkcode MAX_SURBS_PER_TAG} by default. */
  readonly maxPerTag?: number;
  /** SURBs kept in all; {@linkcode MAX_RECEIVED_SURBS} by default. */
  readonly maxTotal?: number;
  /** Age after which a tag's SURBs are purged; {@linkcode MAX_SURB_AGE_MS} by default. */
  readonly maxAgeMs?: number;
  /** Time in ms; `Date.now` by default. */
  readonly now?: () => number;
  /** The network's rotation now; without it every SURB counts as current and none expire. */
  readonly rotation?: () => SurbRotationClock | undefined;
}

/** A SURB with the key rotation it was built for. */
export interface StoredSurb extends ReplySurbBytes {
  /** The rotation byte of the SURB block it came in (0 unknown, 1 odd, 2 even). */
  readonly keyRotation: KeyRotation;
  /** The topology's rotation id it belongs to (as far as the receiver can tell). */
  readonly rotationId: number;
}

/** Where the network's key rotation stands (the topology's metadata). */
export interface SurbRotationClock {
  /** The current key rotation id. */
  readonly keyRotationId: number;
  /** The current absolute epoch id. */
  readonly absoluteEpochId: number;
}

interface Entry {
  surbs: StoredSurb[];
  receivedAt: number;
}

/**
 * Reply SURBs by sender tag, oldest first, bounded per tag, in total, and in age.
 *
 * @example
 * ```ts
 * import { ReceivedSurbStore } from "@nym/mixnet/replies";
 * const store = new ReceivedSurbStore();
 * const tag = new Uint8Array(16);
 * store.add(tag, [{ encryptionKey: new Uint8Array(16), surb: new Uint8Array(460) }]);
 * console.log(store.count(tag), store.take(tag) !== undefined, store.count(tag)); // 1 true 0
 * ```
 *
 * @example Rotation: SURBs of a rotation expire one epoch into the next
 * ```ts
 * import { ReceivedSurbStore } from "@nym/mixnet/replies";
 * let now = { keyRotationId: 3, absoluteEpochId: 10 };
 * const store = new ReceivedSurbStore({ rotation: () => now });
 * const tag = new Uint8Array(16);
 * const surb = { encryptionKey: new Uint8Array(16), surb: new Uint8Array(460) };
 * store.add(tag, [surb, surb], 1); // rotation 3 is odd: built for rotation 3
 * now = { keyRotationId: 4, absoluteEpochId: 12 }; // rotation 4 begins: 3 still works
 * console.log(store.count(tag), store.freshCount(tag)); // 2 0
 * now = { keyRotationId: 4, absoluteEpochId: 13 }; // rotation 3's keys are purged
 * console.log(store.count(tag)); // 0
 * ```
 */
export class ReceivedSurbStore {
  /** In order of the last `add` (Map order): the first entry is the least recently fed tag. */
  #byTag = new Map<string, Entry>();
  #total = 0;
  #maxPerTag: number;
  #maxTotal: number;
  #maxAgeMs: number;
  #now: () => number;
  #rotation: (() => SurbRotationClock | undefined) | undefined;
  // The first epoch each rotation was seen in: its overlap epoch ends after it.
  #rotationSeen = new Map<number, number>();

  /** Creates an empty store. */
  constructor(options: ReceivedSurbStoreOptions = {}) {
    this.#maxPerTag = options.maxPerTag ?? MAX_SURBS_PER_TAG;
    this.#maxTotal = options.maxTotal ?? MAX_RECEIVED_SURBS;
    this.#maxAgeMs = options.maxAgeMs ?? MAX_SURB_AGE_MS;
    this.#now = options.now ?? Date.now;
    this.#rotation = options.rotation;
  }

  /** SURBs held over all tags. */
  get size(): number {
    return this.#total;
  }

  /** The network's key rotation id now, if the store is given one. */
  get rotationId(): number | undefined {
    return this.#rotationNow()?.keyRotationId;
  }

  /** Sender tags with SURBs held. */
  get tags(): number {
    return this.#byTag.size;
  }

  /**
   * Adds SURBs received from `senderTag`, built for `keyRotation` (the block's rotation byte;
   * 0, unknown, counts as the current rotation).
   */
  add(senderTag: Uint8Array, surbs: readonly ReplySurbBytes[], keyRotation: KeyRotation = 0): void {
    if (surbs.length === 0) return;
    const now = this.#rotationNow();
    const current = now?.keyRotationId ?? 0;
    // The block names only the parity: the current rotation's, or else the previous one's.
    const rotationId = !now || keyRotation === 0 || parity(current) === keyRotation
      ? current
      : current - 1;
    const id = toHex(senderTag);
    const entry = this.#byTag.get(id) ?? { surbs: [], receivedAt: 0 };
    this.#byTag.delete(id); // re-inserted last: the most recently fed tag
    this.#total -= entry.surbs.length;
    for (const s of surbs) {
      entry.surbs.push({ encryptionKey: s.encryptionKey, surb: s.surb, keyRotation, rotationId });
    }
    // spend the previous rotation's first, while they still work (a stable sort keeps age order)
    entry.surbs.sort((a, b) => a.rotationId - b.rotationId);
    if (entry.surbs.length > this.#maxPerTag) {
      entry.surbs.splice(0, entry.surbs.length - this.#maxPerTag);
    }
    entry.receivedAt = this.#now();
    this.#byTag.set(id, entry);
    this.#total += entry.surbs.length;
    for (const [other, e] of this.#byTag) {
      if (this.#total <= this.#maxTotal) break;
      const drop = Math.min(e.surbs.length, this.#total - this.#maxTotal);
      e.surbs.splice(0, drop);
      this.#total -= drop;
      if (e.surbs.length === 0) this.#byTag.delete(other);
    }
    this.#purgeRotation(id, now);
  }

  /** Usable SURBs held for `senderTag` (SURBs of purged rotations are dropped first). */
  count(senderTag: Uint8Array): number {
    const id = toHex(senderTag);
    this.#purgeRotation(id, this.#rotationNow());
    return this.#byTag.get(id)?.surbs.length ?? 0;
  }

  /** SURBs of the current rotation: the ones that will outlive the next epoch. */
  freshCount(senderTag: Uint8Array): number {
    const id = toHex(senderTag);
    const now = this.#rotationNow();
    this.#purgeRotation(id, now);
    const current = now?.keyRotationId;
    const list = this.#byTag.get(id)?.surbs ?? [];
    return current === undefined ? list.length : list.filter((s) => s.rotationId >= current).length;
  }

  /** The sender tags SURBs are held for. */
  senderTags(): Uint8Array[] {
    return [...this.#byTag.keys()].map(fromHex);
  }

  /** Every sender tag with its SURBs, oldest first (for persistence). */
  *entries(): IterableIterator<[senderTag: Uint8Array, surbs: readonly StoredSurb[]]> {
    for (const [id, entry] of this.#byTag) yield [fromHex(id), [...entry.surbs]];
  }

  /** Removes and returns the next usable SURB for `senderTag` (older rotations first). */
  take(senderTag: Uint8Array): StoredSurb | undefined {
    const id = toHex(senderTag);
    this.#purgeRotation(id, this.#rotationNow());
    const entry = this.#byTag.get(id);
    const surb = entry?.surbs.shift();
    if (surb) this.#total--;
    if (entry && entry.surbs.length === 0) this.#byTag.delete(id);
    return surb;
  }

  /** Drops the SURBs of tags that sent none for the maximum age; returns how many. */
  purge(): number {
    const cutoff = this.#now() - this.#maxAgeMs;
    let dropped = 0;
    for (const [id, entry] of this.#byTag) {
      if (entry.receivedAt >= cutoff) continue;
      dropped += entry.surbs.length;
      this.#total -= entry.surbs.length;
      this.#byTag.delete(id);
    }
    const rotation = this.#rotationNow();
    for (const id of [...this.#byTag.keys()]) {
      const before = this.#total;
      this.#purgeRotation(id, rotation);
      dropped += before - this.#total;
    }
    return dropped;
  }

  #rotationNow(): SurbRotationClock | undefined {
    const now = this.#rotation?.();
    if (now && !this.#rotationSeen.has(now.keyRotationId)) {
      this.#rotationSeen.set(now.keyRotationId, now.absoluteEpochId);
    }
    return now;
  }

  // Drops SURBs whose keys the nodes no longer hold: older than the previous rotation, or of the
  // previous rotation once the current one is past its first (overlap) epoch.
  #purgeRotation(id: string, now: SurbRotationClock | undefined): void {
    const entry = this.#byTag.get(id);
    if (!now || !entry) return;
    const started = this.#rotationSeen.get(now.keyRotationId) ?? now.absoluteEpochId;
    const oldest = now.absoluteEpochId > started ? now.keyRotationId : now.keyRotationId - 1;
    const kept = entry.surbs.filter((s) => s.rotationId >= oldest);
    if (kept.length === entry.surbs.length) return;
    this.#total -= entry.surbs.length - kept.length;
    if (kept.length === 0) this.#byTag.delete(id);
    else entry.surbs = kept;
  }
}

function parity(rotationId: number): KeyRotation {
  // Nym's `SphinxKeyRotation::from(u32)`: 0 (and u32::MAX) unknown, even 2, odd 1
  if (rotationId === 0 || rotationId === 0xffffffff) return 0;
  return rotationId % 2 === 0 ? 2 : 1;
}
