// Base58 decoding that reports failures as AddressError.
import { fromBase58 } from "../internal/encoding.ts";
import { AddressError, type AddressPart } from "./address_error.ts";

/** Decodes `text` as base58 of exactly `length` bytes, or throws {@linkcode AddressError}. */
export function decodeBase58Exact(text: string, length: number, part: AddressPart): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase58(text);
  } catch (cause) {
    throw new AddressError("encoding", part, `${part} is not valid base58`, { cause });
  }
  if (bytes.length !== length) {
    throw new AddressError(
      "length",
      part,
      `${part} decodes to ${bytes.length} bytes, expected ${length}`,
    );
  }
  return bytes;
}
