/**
 * Sphinx payload framing: `0^16 ‖ plaintext ‖ 0x01 ‖ 0…`, wrapped in one Lioness layer per hop.
 *
 * @module
 */
import type { CryptoProvider } from "../crypto/mod.ts";
import { PAYLOAD_OVERHEAD_SIZE, SECURITY_PARAMETER } from "./constants.ts";
import { lionessEncrypt } from "./lioness.ts";
import { SphinxError } from "./sphinx_error.ts";

const MIN_PAYLOAD_SIZE = 33; // Lioness needs a block longer than 32 bytes.

/**
 * Builds the encrypted payload: frames `plaintext` into `payloadSize` bytes and applies the
 * Lioness layers with `keys` in reverse route order, so hop 0 removes the outermost layer.
 */
export function encapsulatePayload(
  crypto: CryptoProvider,
  plaintext: Uint8Array,
  payloadSize: number,
  keys: readonly Uint8Array[],
): Uint8Array {
  if (payloadSize < MIN_PAYLOAD_SIZE) {
    throw new SphinxError("length", `payload size ${payloadSize} is below ${MIN_PAYLOAD_SIZE}`);
  }
  if (plaintext.length > payloadSize - PAYLOAD_OVERHEAD_SIZE) {
    throw new SphinxError(
      "length",
      `plaintext of ${plaintext.length} bytes exceeds ${payloadSize - PAYLOAD_OVERHEAD_SIZE}`,
    );
  }
  let payload: Uint8Array = new Uint8Array(payloadSize);
  payload.set(plaintext, SECURITY_PARAMETER);
  payload[SECURITY_PARAMETER + plaintext.length] = 0x01;
  for (let i = keys.length - 1; i >= 0; i--) payload = lionessEncrypt(keys[i], payload, crypto);
  return payload;
}

/**
 * Recovers the plaintext of a fully decrypted payload: the first 16 bytes must be zero, and the
 * plaintext ends just before the last `0x01`.
 */
export function recoverPlaintext(payload: Uint8Array): Uint8Array {
  if (payload.length < PAYLOAD_OVERHEAD_SIZE) {
    throw new SphinxError("length", "payload shorter than its overhead");
  }
  let zero = 0;
  for (let i = 0; i < SECURITY_PARAMETER; i++) zero |= payload[i];
  if (zero !== 0) throw new SphinxError("padding", "payload does not start with 16 zero bytes");
  const body = payload.subarray(SECURITY_PARAMETER);
  const marker = body.lastIndexOf(0x01);
  if (marker < 0) throw new SphinxError("padding", "payload has no end-of-plaintext marker");
  return body.slice(0, marker);
}
