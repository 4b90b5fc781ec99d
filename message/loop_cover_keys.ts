/**
 * Loop cover packets recognised on their return by the ephemeral public key they were sent
 * with, so that the client drops them without the X25519, HKDF and AES-CTR of decrypting them.
 * The ephemeral key leads every regular payload (see `encryptForRecipient`); only the client
 * that drew the key's secret can have produced a payload that decrypts under it, so a payload
 * that starts with a remembered key is our own cover coming back. Each key is taken once.
 *
 * @module
 */
import { VARIANT_DATA_LENGTH } from "./constants.ts";

/**
 * Default number of keys remembered: 20 s of Nym's default cover rate (about 50 per second).
 *
 * @example
 * ```ts
 * import { DEFAULT_LOOP_COVER_KEYS } from "@nym/mixnet/message";
 * console.log(DEFAULT_LOOP_COVER_KEYS); // 1024
 * ```
 */
export const DEFAULT_LOOP_COVER_KEYS = 1024;

function keyOf(bytes: Uint8Array): string {
  let key = "";
  for (let i = 0; i < VARIANT_DATA_LENGTH; i++) key += String.fromCharCode(bytes[i]);
  return key;
}

/**
 * The ephemeral keys of loop cover packets in flight, bounded (the oldest is forgotten first;
 * a forgotten cover packet is still recognised after decryption, by its content).
 *
 * @example
 * ```ts
 * import { coverPayload, LoopCoverKeys } from "@nym/mixnet/message";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const secret = crypto.getRandomValues(new Uint8Array(32));
 * const keys = new LoopCoverKeys();
 * const payload = coverPayload(defaultCrypto().x25519PublicKey(secret));
 * keys.remember(payload);
 * console.log(keys.take(payload), keys.take(payload)); // true false
 * ```
 */
export class LoopCoverKeys {
  #keys = new Set<string>();
  #limit: number;

  /** Remembers up to `limit` keys (default {@linkcode DEFAULT_LOOP_COVER_KEYS}). */
  constructor(limit: number = DEFAULT_LOOP_COVER_KEYS) {
    this.#limit = limit;
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.#keys.size;
  }

  /** Remembers the ephemeral key that leads a cover `payload` (its first 32 bytes). */
  remember(payload: Uint8Array): void {
    if (payload.length < VARIANT_DATA_LENGTH || this.#limit <= 0) return;
    if (this.#keys.size >= this.#limit) {
      this.#keys.delete(this.#keys.values().next().value!);
    }
    this.#keys.add(keyOf(payload));
  }

  /** Whether a received payload starts with a remembered key; forgets the key if so. */
  take(payload: Uint8Array): boolean {
    if (payload.length < VARIANT_DATA_LENGTH || this.#keys.size === 0) return false;
    return this.#keys.delete(keyOf(payload));
  }
}
