/**
 * The payload of a SURB-ACK packet (Nym `acknowledgements/src/identifier.rs`):
 * `IV (16 random) ‖ AES-128-CTR64(ack_key, IV, fragment id (5))`, 21 bytes.
 *
 * @module
 */
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { type RandomBytes, systemRandom } from "../sphinx/mod.ts";
import { ACK_PAYLOAD_LENGTH, FRAGMENT_ID_LENGTH, SYMMETRIC_KEY_LENGTH } from "./constants.ts";
import { MessageError } from "./message_error.ts";

const IV_LENGTH = 16;

function checkAckKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== SYMMETRIC_KEY_LENGTH) {
    throw new MessageError("key", `an ack key is ${SYMMETRIC_KEY_LENGTH} bytes`);
  }
}

/**
 * Encrypts a 5-byte fragment id into the 21-byte plaintext of an ack packet.
 *
 * @example
 * ```ts
 * import { decryptAck, encryptAck, fragmentId } from "@nym/mixnet/message";
 * const ackKey = crypto.getRandomValues(new Uint8Array(16));
 * const payload = encryptAck(ackKey, fragmentId(1234, 1));
 * console.log(payload.length, Array.from(decryptAck(ackKey, payload))); // 21 [ 0, 0, 4, 210, 1 ]
 * ```
 */
export function encryptAck(
  ackKey: Uint8Array,
  fragmentId: Uint8Array,
  options: { readonly crypto?: CryptoProvider; readonly random?: RandomBytes } = {},
): Uint8Array {
  checkAckKey(ackKey);
  if (fragmentId.length !== FRAGMENT_ID_LENGTH) {
    throw new MessageError("length", `a fragment id is ${FRAGMENT_ID_LENGTH} bytes`);
  }
  const crypto = options.crypto ?? defaultCrypto();
  const iv = (options.random ?? systemRandom)(IV_LENGTH);
  if (iv.length !== IV_LENGTH) {
    throw new MessageError("length", "random source returned wrong length");
  }
  const out = new Uint8Array(ACK_PAYLOAD_LENGTH);
  out.set(iv);
  out.set(crypto.aes128Ctr(ackKey, iv, fragmentId, 64), IV_LENGTH);
  return out;
}

/**
 * Recovers the 5-byte fragment id from a 21-byte ack. Anyone can forge an ack's bytes, so the
 * result is only meaningful when it matches a pending fragment. Throws
 * {@linkcode MessageError} of kind `length` for any other length.
 *
 * @example
 * ```ts
 * import { decryptAck, MessageError } from "@nym/mixnet/message";
 * try {
 *   decryptAck(new Uint8Array(16), new Uint8Array(20));
 * } catch (error) {
 *   console.log((error as MessageError).kind); // "length"
 * }
 * ```
 */
export function decryptAck(
  ackKey: Uint8Array,
  payload: Uint8Array,
  options: { readonly crypto?: CryptoProvider } = {},
): Uint8Array {
  checkAckKey(ackKey);
  if (payload.length !== ACK_PAYLOAD_LENGTH) {
    throw new MessageError(
      "length",
      `an ack is ${ACK_PAYLOAD_LENGTH} bytes, got ${payload.length}`,
    );
  }
  const crypto = options.crypto ?? defaultCrypto();
  return crypto.aes128Ctr(ackKey, payload.subarray(0, IV_LENGTH), payload.subarray(IV_LENGTH), 64);
}
