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

/** Options of {@linkcode ReceivedSurbStore}. */
export interface ReceivedSurbStoreOptions {
  /** The network's rotation now; without it every SURB counts as current and none expire. */
  readonly rotation?: () => SurbRotationClock | undefined;
}

/**
 * Reply SURBs by sender tag, oldest first, with a cap per tag (Nym lets a remote ask for at most
 * 500), aware of Sphinx key rotations.
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
 * const store = new ReceivedSurbStore(500, { rotation: () => now });
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
  #byTag = new Map<string, StoredSurb[]>();
  #maxPerTag: number;
  #rotation: (() => SurbRotationClock | undefined) | undefined;
  // The first epoch each rotation was seen in: its overlap epoch ends after it.
  #rotationSeen = new Map<number, number>();

  /** Creates an empty store keeping at most `maxPerTag` SURBs per sender (newest kept). */
  constructor(maxPerTag = 500, options: ReceivedSurbStoreOptions = {}) {
    this.#maxPerTag = maxPerTag;
    this.#rotation = options.rotation;
  }

  /**
   * Adds SURBs received from `senderTag`, built for `keyRotation` (the block's rotation byte;
   * 0, unknown, counts as the current rotation).
   */
  add(senderTag: Uint8Array, surbs: readonly ReplySurbBytes[], keyRotation: KeyRotation = 0): void {
    if (surbs.length === 0) return;
    const now = this.#now();
    const current = now?.keyRotationId ?? 0;
    // The block names only the parity: the current rotation's, or else the previous one's.
    const rotationId = !now || keyRotation === 0 || parity(current) === keyRotation
      ? current
      : current - 1;
    const id = toHex(senderTag);
    const list = this.#byTag.get(id) ?? [];
    for (const s of surbs) {
      list.push({ encryptionKey: s.encryptionKey, surb: s.surb, keyRotation, rotationId });
    }
    // spend the previous rotation's first, while they still work
    list.sort((a, b) => a.rotationId - b.rotationId);
    if (list.length > this.#maxPerTag) list.splice(0, list.length - this.#maxPerTag);
    this.#byTag.set(id, list);
    this.#purge(id, now);
  }

  /** Usable SURBs held for `senderTag` (SURBs of purged rotations are dropped first). */
  count(senderTag: Uint8Array): number {
    const id = toHex(senderTag);
    this.#purge(id, this.#now());
    return this.#byTag.get(id)?.length ?? 0;
  }

  /** SURBs of the current rotation: the ones that will outlive the next epoch. */
  freshCount(senderTag: Uint8Array): number {
    const id = toHex(senderTag);
    const now = this.#now();
    this.#purge(id, now);
    const current = now?.keyRotationId;
    const list = this.#byTag.get(id) ?? [];
    return current === undefined ? list.length : list.filter((s) => s.rotationId >= current).length;
  }

  /** The sender tags SURBs are held for. */
  tags(): Uint8Array[] {
    return [...this.#byTag.keys()].map(fromHex);
  }

  /** Removes and returns the next usable SURB for `senderTag` (older rotations first). */
  take(senderTag: Uint8Array): StoredSurb | undefined {
    const id = toHex(senderTag);
    this.#purge(id, this.#now());
    const list = this.#byTag.get(id);
    const surb = list?.shift();
    if (list && list.length === 0) this.#byTag.delete(id);
    return surb;
  }

  #now(): SurbRotationClock | undefined {
    const now = this.#rotation?.();
    if (now && !this.#rotationSeen.has(now.keyRotationId)) {
      this.#rotationSeen.set(now.keyRotationId, now.absoluteEpochId);
    }
    return now;
  }

  // Drops SURBs whose keys the nodes no longer hold: older than the previous rotation, or of the
  // previous rotation once the current one is past its first (overlap) epoch.
  #purge(id: string, now: SurbRotationClock | undefined): void {
    const list = this.#byTag.get(id);
    if (!now || !list) return;
    const started = this.#rotationSeen.get(now.keyRotationId) ?? now.absoluteEpochId;
    const oldest = now.absoluteEpochId > started ? now.keyRotationId : now.keyRotationId - 1;
    const kept = list.filter((s) => s.rotationId >= oldest);
    if (kept.length === list.length) return;
    if (kept.length === 0) this.#byTag.delete(id);
    else this.#byTag.set(id, kept);
  }
}

function parity(rotationId: number): KeyRotation {
  // Nym's `SphinxKeyRotation::from(u32)`: 0 (and u32::MAX) unknown, even 2, odd 1
  if (rotationId === 0 || rotationId === 0xffffffff) return 0;
  return rotationId % 2 === 0 ? 2 : 1;
}
