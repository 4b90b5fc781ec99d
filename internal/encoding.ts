/**
 * The one place that names the text-encoding dependency (`@scure/base`), so a later swap to
 * another implementation is a one-file change. Internal.
 *
 * @module
 */
import { base58, base64, base64urlnopad } from "@scure/base";

/** Bitcoin-alphabet base58, no checksum (Nym's key and address encoding). */
export function toBase58(bytes: Uint8Array): string {
  return base58.encode(bytes);
}

/** Decodes Bitcoin-alphabet base58; throws on an invalid character. */
export function fromBase58(text: string): Uint8Array {
  return base58.decode(text);
}

/** Standard padded base64. */
export function toBase64(bytes: Uint8Array): string {
  return base64.encode(bytes);
}

/** Decodes standard padded base64; throws on invalid input. */
export function fromBase64(text: string): Uint8Array {
  return base64.decode(text);
}

/** Unpadded base64url (RFC 4648 §5), as JSON Web Keys carry key bytes. */
export function toBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Decodes unpadded base64url; throws on invalid input. */
export function fromBase64Url(text: string): Uint8Array {
  return base64urlnopad.decode(text);
}
