/**
 * `AnonymousSenderTag`: 16 random bytes a sender attaches to repliable messages so that the
 * receiver can group the reply SURBs of one (anonymous) peer. Text form is base58.
 *
 * @module
 */
import { constantTimeEqual } from "../internal/bytes.ts";
import { toBase58 } from "../internal/encoding.ts";
import { type RandomBytes, systemRandom } from "../sphinx/mod.ts";
import { AddressError } from "./address_error.ts";
import { decodeBase58Exact } from "./_base58.ts";

/**
 * An anonymous sender tag.
 *
 * @example
 * ```ts
 * import { AnonymousSenderTag } from "@nym/mixnet/message";
 * const tag = AnonymousSenderTag.random();
 * console.log(AnonymousSenderTag.parse(tag.toString()).equals(tag)); // true
 * ```
 */
export class AnonymousSenderTag {
  /** Length of a tag. */
  static readonly LENGTH = 16;

  /** The tag bytes. */
  readonly bytes: Uint8Array;

  /** Wraps 16 bytes (copied); throws {@linkcode AddressError} of kind `length` otherwise. */
  constructor(bytes: Uint8Array) {
    if (!(bytes instanceof Uint8Array) || bytes.length !== AnonymousSenderTag.LENGTH) {
      throw new AddressError(
        "length",
        "senderTag",
        `a sender tag is ${AnonymousSenderTag.LENGTH} bytes`,
      );
    }
    this.bytes = bytes.slice();
  }

  /**
   * A fresh random tag.
   *
   * @example
   * ```ts
   * import { AnonymousSenderTag } from "@nym/mixnet/message";
   * console.log(AnonymousSenderTag.random((n) => new Uint8Array(n).fill(7)).bytes[0]); // 7
   * ```
   */
  static random(random: RandomBytes = systemRandom): AnonymousSenderTag {
    return new AnonymousSenderTag(random(AnonymousSenderTag.LENGTH));
  }

  /**
   * Parses the base58 form; throws {@linkcode AddressError} (`encoding` or `length`).
   *
   * @example
   * ```ts
   * import { AnonymousSenderTag } from "@nym/mixnet/message";
   * console.log(AnonymousSenderTag.parse("1111111111111111").bytes.length); // 16
   * ```
   */
  static parse(text: string): AnonymousSenderTag {
    if (typeof text !== "string") {
      throw new AddressError("format", "senderTag", "a sender tag must be a string");
    }
    return new AnonymousSenderTag(decodeBase58Exact(text, AnonymousSenderTag.LENGTH, "senderTag"));
  }

  /**
   * The base58 form.
   *
   * @example
   * ```ts
   * import { AnonymousSenderTag } from "@nym/mixnet/message";
   * console.log(new AnonymousSenderTag(new Uint8Array(16)).toString()); // "1111111111111111"
   * ```
   */
  toString(): string {
    return toBase58(this.bytes);
  }

  /**
   * Whether `other` holds the same bytes.
   *
   * @example
   * ```ts
   * import { AnonymousSenderTag } from "@nym/mixnet/message";
   * const a = new AnonymousSenderTag(new Uint8Array(16));
   * console.log(a.equals(new AnonymousSenderTag(new Uint8Array(16)))); // true
   * ```
   */
  equals(other: AnonymousSenderTag): boolean {
    return constantTimeEqual(this.bytes, other.bytes);
  }
}
