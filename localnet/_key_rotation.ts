// The localnet's Sphinx key rotation, as nym-node runs it (`nym-node/src/node/key_rotation/
// controller.rs`): rotation r lasts `validityEpochs` epochs; in its last epoch the key of r + 1 is
// pre-announced (held as the secondary key); when r + 1 starts it becomes the primary and the key
// of r stays as the secondary for one more epoch (the overlap), then it is purged. nym-api's
// rotation id is `(epoch − initial_epoch_id) / validity_epochs` (`KeyRotationState`).
import type { MixnodeSphinxKey } from "./mixnode/mod.ts";

export class KeyRotationSchedule {
  readonly validityEpochs: number;
  readonly initialEpochId: number;
  epoch: number;
  readonly #keys: Map<number, Uint8Array>[];
  readonly #random: (n: number) => Uint8Array;

  // Starts at `startEpoch` in rotation 1 (rotation 0 encodes as "unknown" on the wire), with each
  // node's configured Sphinx secret as its rotation-1 key.
  constructor(
    validityEpochs: number,
    startEpoch: number,
    initialSecrets: readonly Uint8Array[],
    random: (n: number) => Uint8Array,
  ) {
    if (!Number.isInteger(validityEpochs) || validityEpochs < 1) {
      throw new RangeError("validityEpochs must be a whole number ≥ 1");
    }
    this.validityEpochs = validityEpochs;
    this.initialEpochId = startEpoch - validityEpochs;
    this.epoch = startEpoch;
    this.#keys = initialSecrets.map((secret) => new Map([[1, secret]]));
    this.#random = random;
  }

  get rotationId(): number {
    return Math.floor((this.epoch - this.initialEpochId) / this.validityEpochs);
  }

  // The keys node `index` holds this epoch, primary first.
  slots(index: number): MixnodeSphinxKey[] {
    const keys = this.#keys[index];
    const r = this.rotationId;
    const offset = (this.epoch - this.initialEpochId) % this.validityEpochs;
    const key = (id: number): MixnodeSphinxKey => {
      let secret = keys.get(id);
      if (!secret) keys.set(id, secret = this.#random(32));
      return { rotationId: id, secretKey: secret };
    };
    const out = [key(r)];
    if (offset === 0 && keys.has(r - 1)) out.push(key(r - 1)); // overlap epoch
    else if (offset === this.validityEpochs - 1) out.push(key(r + 1)); // pre-announced
    const kept = new Set(out.map((k) => k.rotationId));
    for (const id of [...keys.keys()]) if (!kept.has(id)) keys.delete(id);
    return out;
  }
}
