/**
 * A Nym client address (`Recipient`): the client's ed25519 identity, its x25519 encryption key
 * and its gateway's ed25519 identity. Byte form is the 96-byte concatenation; text form is
 * `bs58(identity).bs58(encryptionKey)@bs58(gateway)` (Nym `addressing/src/clients.rs`).
 *
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { constantTimeEqual } from "../internal/bytes.ts";
import { toBase58 } from "../internal/encoding.ts";
import { AddressError, type AddressPart } from "./address_error.ts";
import { decodeBase58Exact } from "./_base58.ts";

const KEY_LENGTH = 32;

function checkKey(bytes: Uint8Array, part: AddressPart, edwards: boolean): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== KEY_LENGTH) {
    throw new AddressError("length", part, `${part} must be ${KEY_LENGTH} bytes`);
  }
  if (edwards) {
    try {
      // Nym decodes keys with curve25519-dalek, which accepts non-canonical encodings (ZIP-215).
      ed25519.Point.fromBytes(bytes, true);
    } catch (cause) {
      throw new AddressError("point", part, `${part} is not a valid ed25519 point`, { cause });
    }
  }
  return bytes.slice();
}

/**
 * A Nym client address. Instances are immutable and always valid: both ed25519 keys decode to
 * curve points and the x25519 key is 32 bytes (as Nym checks it).
 *
 * @example
 * ```ts
 * import { Recipient } from "@nym/mixnet/message";
 * import { defaultCrypto } from "@nym/mixnet/crypto";
 * const c = defaultCrypto();
 * const key = () => crypto.getRandomValues(new Uint8Array(32));
 * const address = new Recipient(
 *   c.ed25519PublicKey(key()), c.x25519PublicKey(key()), c.ed25519PublicKey(key()),
 * );
 * const text = address.toString();
 * console.log(Recipient.parse(text).equals(address)); // true
 * console.log(address.toBytes().length); // 96
 * ```
 */
export class Recipient {
  /** Length of the byte form. */
  static readonly LENGTH = 96;

  /** The client's ed25519 identity key; also its Sphinx destination address. */
  readonly identity: Uint8Array;
  /** The client's x25519 key that end-to-end encrypts fragments. */
  readonly encryptionKey: Uint8Array;
  /** The ed25519 identity key of the client's gateway. */
  readonly gateway: Uint8Array;

  /**
   * Builds an address from its three 32-byte keys (copied); throws {@linkcode AddressError}
   * of kind `length` or `point`.
   */
  constructor(identity: Uint8Array, encryptionKey: Uint8Array, gateway: Uint8Array) {
    this.identity = checkKey(identity, "identity", true);
    this.encryptionKey = checkKey(encryptionKey, "encryptionKey", false);
    this.gateway = checkKey(gateway, "gateway", true);
  }

  /**
   * Parses the 96-byte form `identity ‖ encryptionKey ‖ gateway`.
   *
   * @example
   * ```ts
   * import { AddressError, Recipient } from "@nym/mixnet/message";
   * try {
   *   Recipient.fromBytes(new Uint8Array(95));
   * } catch (error) {
   *   console.log((error as AddressError).kind); // "length"
   * }
   * ```
   */
  static fromBytes(bytes: Uint8Array): Recipient {
    if (!(bytes instanceof Uint8Array) || bytes.length !== Recipient.LENGTH) {
      throw new AddressError(
        "length",
        "address",
        `an address is ${Recipient.LENGTH} bytes, got ${bytes?.length}`,
      );
    }
    return new Recipient(bytes.subarray(0, 32), bytes.subarray(32, 64), bytes.subarray(64, 96));
  }

  /**
   * Parses `identity.encryptionKey@gateway` (base58, Bitcoin alphabet, no checksum). As in Nym
   * the text must hold exactly one `@` and its left half exactly one `.`.
   *
   * @example
   * ```ts
   * import { AddressError, Recipient } from "@nym/mixnet/message";
   * try {
   *   Recipient.parse("a.b.c@d");
   * } catch (error) {
   *   console.log((error as AddressError).kind); // "format"
   * }
   * ```
   */
  static parse(text: string): Recipient {
    if (typeof text !== "string") {
      throw new AddressError("format", "address", "an address must be a string");
    }
    const halves = text.split("@");
    if (halves.length !== 2) {
      throw new AddressError("format", "address", "the address must contain exactly one '@'");
    }
    const client = halves[0].split(".");
    if (client.length !== 2) {
      throw new AddressError(
        "format",
        "address",
        "the client half of the address must contain exactly one '.'",
      );
    }
    return new Recipient(
      decodeBase58Exact(client[0], KEY_LENGTH, "identity"),
      decodeBase58Exact(client[1], KEY_LENGTH, "encryptionKey"),
      decodeBase58Exact(halves[1], KEY_LENGTH, "gateway"),
    );
  }

  /**
   * The 96-byte form.
   *
   * @example
   * ```ts
   * import { Recipient } from "@nym/mixnet/message";
   * import { defaultCrypto } from "@nym/mixnet/crypto";
   * const c = defaultCrypto();
   * const k = c.ed25519PublicKey(new Uint8Array(32).fill(1));
   * console.log(new Recipient(k, new Uint8Array(32), k).toBytes().length); // 96
   * ```
   */
  toBytes(): Uint8Array {
    const out = new Uint8Array(Recipient.LENGTH);
    out.set(this.identity, 0);
    out.set(this.encryptionKey, 32);
    out.set(this.gateway, 64);
    return out;
  }

  /**
   * The text form `bs58(identity).bs58(encryptionKey)@bs58(gateway)`.
   *
   * @example
   * ```ts
   * import { Recipient } from "@nym/mixnet/message";
   * import { defaultCrypto } from "@nym/mixnet/crypto";
   * const k = defaultCrypto().ed25519PublicKey(new Uint8Array(32).fill(1));
   * console.log(new Recipient(k, new Uint8Array(32), k).toString().includes("@")); // true
   * ```
   */
  toString(): string {
    return `${toBase58(this.identity)}.${toBase58(this.encryptionKey)}@${toBase58(this.gateway)}`;
  }

  /**
   * The Sphinx destination address of this client: its 32-byte identity key (a copy).
   *
   * @example
   * ```ts
   * import { Recipient } from "@nym/mixnet/message";
   * import { defaultCrypto } from "@nym/mixnet/crypto";
   * const k = defaultCrypto().ed25519PublicKey(new Uint8Array(32).fill(1));
   * console.log(new Recipient(k, new Uint8Array(32), k).sphinxDestination().length); // 32
   * ```
   */
  sphinxDestination(): Uint8Array {
    return this.identity.slice();
  }

  /**
   * Whether `other` is the same address.
   *
   * @example
   * ```ts
   * import { Recipient } from "@nym/mixnet/message";
   * import { defaultCrypto } from "@nym/mixnet/crypto";
   * const k = defaultCrypto().ed25519PublicKey(new Uint8Array(32).fill(1));
   * const a = new Recipient(k, new Uint8Array(32), k);
   * console.log(a.equals(Recipient.fromBytes(a.toBytes()))); // true
   * ```
   */
  equals(other: Recipient): boolean {
    return constantTimeEqual(this.toBytes(), other.toBytes());
  }
}
