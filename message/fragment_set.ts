/**
 * Splitting a padded message into fragment sets (Nym `chunking/src/set.rs`, `lib.rs`).
 *
 * With `P` bytes of fragment per packet, an unlinked fragment carries `P − 7` bytes and a linked
 * one `P − 10`. A set holds at most 255 fragments. Longer messages become a chain of sets: the
 * last fragment (255) of every set but the last links forward, the first fragment of every set
 * but the first links back. Every fragment except the very last one of the message is full.
 *
 * @module
 */
import { type RandomBytes, systemRandom } from "../sphinx/mod.ts";
import {
  LINKED_HEADER_LENGTH,
  MAX_FRAGMENTS_PER_SET,
  UNLINKED_HEADER_LENGTH,
} from "./constants.ts";
import type { Fragment } from "./fragment.ts";
import { MessageError } from "./message_error.ts";

const LINK_OVERHEAD = LINKED_HEADER_LENGTH - UNLINKED_HEADER_LENGTH;

function checkPerPacket(perPacket: number): void {
  if (!Number.isInteger(perPacket) || perPacket <= LINKED_HEADER_LENGTH) {
    throw new MessageError("length", `invalid fragment size per packet ${perPacket}`);
  }
}

/** Bytes an unlinked fragment carries when a packet has room for `perPacket` fragment bytes. */
function unlinked(perPacket: number): number {
  return perPacket - UNLINKED_HEADER_LENGTH;
}

/** Bytes a linked fragment carries. */
function linked(perPacket: number): number {
  return perPacket - LINKED_HEADER_LENGTH;
}

/**
 * Capacity of sets for a given fragment size per packet: a lone set, a set linked on one side
 * (first or last of a chain; the first must be exactly full) and a set linked on both sides.
 *
 * @example
 * ```ts
 * import { setCapacities } from "@nym/mixnet/message";
 * console.log(setCapacities(1611)); // { unlinked: 409020, oneWayLinked: 409017, twoWayLinked: 409014 }
 * ```
 */
export function setCapacities(
  perPacket: number,
): { unlinked: number; oneWayLinked: number; twoWayLinked: number } {
  checkPerPacket(perPacket);
  const full = MAX_FRAGMENTS_PER_SET * unlinked(perPacket);
  return {
    unlinked: full,
    oneWayLinked: full - LINK_OVERHEAD,
    twoWayLinked: full - 2 * LINK_OVERHEAD,
  };
}

/**
 * How many sets a message of `length` bytes is split into.
 *
 * @example
 * ```ts
 * import { numberOfSets } from "@nym/mixnet/message";
 * console.log(numberOfSets(409020, 1611), numberOfSets(409021, 1611)); // 1 2
 * ```
 */
export function numberOfSets(length: number, perPacket: number): number {
  const cap = setCapacities(perPacket);
  if (length <= cap.unlinked) return 1;
  if (length <= 2 * cap.oneWayLinked) return 2;
  return Math.ceil((length - 2 * cap.oneWayLinked) / cap.twoWayLinked) + 2;
}

/**
 * The number of fragments a message of `length` bytes needs, and how many bytes are left free
 * in the last one (Nym `number_of_required_fragments`). Padding fills exactly that space.
 *
 * @example
 * ```ts
 * import { numberOfRequiredFragments } from "@nym/mixnet/message";
 * console.log(numberOfRequiredFragments(1605, 1611)); // { fragments: 2, spaceLeft: 1603 }
 * ```
 */
export function numberOfRequiredFragments(
  length: number,
  perPacket: number,
): { fragments: number; spaceLeft: number } {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new MessageError("length", `invalid message length ${length}`);
  }
  const maxUnlinked = unlinked(perPacket);
  const maxLinked = linked(perPacket);
  const sets = numberOfSets(length, perPacket);
  if (sets === 1) {
    if (length < maxUnlinked) return { fragments: 1, spaceLeft: maxUnlinked - length };
    const quotient = Math.floor(length / maxUnlinked);
    const remainder = length % maxUnlinked;
    return remainder === 0
      ? { fragments: quotient, spaceLeft: 0 }
      : { fragments: quotient + 1, spaceLeft: maxUnlinked - remainder };
  }
  // All sets but the last are full; they hold 2·sets − 3 linked fragments between them.
  const withoutLast = (sets - 1) * MAX_FRAGMENTS_PER_SET;
  const linkedWithoutLast = 2 * sets - 3;
  const unlinkedWithoutLast = withoutLast - linkedWithoutLast;
  const finalSetLength = length - linkedWithoutLast * maxLinked - unlinkedWithoutLast * maxUnlinked;
  if (finalSetLength < maxLinked) {
    return { fragments: withoutLast + 1, spaceLeft: maxLinked - finalSetLength };
  }
  if (finalSetLength === maxLinked) return { fragments: withoutLast + 1, spaceLeft: 0 };
  const remaining = finalSetLength - maxLinked;
  const quotient = Math.floor(remaining / maxUnlinked);
  const remainder = remaining % maxUnlinked;
  return remainder === 0
    ? { fragments: withoutLast + quotient + 1, spaceLeft: 0 }
    : { fragments: withoutLast + quotient + 2, spaceLeft: maxUnlinked - remainder };
}

/**
 * A random set id in `1..=2^31-1`, drawn as Nym does: a random i32, redrawn when it is 0 or
 * `i32::MIN`, then made positive.
 *
 * @example
 * ```ts
 * import { generateSetId } from "@nym/mixnet/message";
 * console.log(generateSetId(() => Uint8Array.of(0xff, 0xff, 0xff, 0xfe))); // 2
 * ```
 */
export function generateSetId(random: RandomBytes = systemRandom): number {
  for (;;) {
    const bytes = random(4);
    if (bytes.length !== 4) throw new MessageError("length", "random source returned wrong length");
    const value = new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);
    if (value !== 0 && value !== -0x80000000) return Math.abs(value);
  }
}

function setOfLinkedFragments(
  message: Uint8Array,
  setId: number,
  perPacket: number,
  previousSetId: number | undefined,
  nextSetId: number | undefined,
): Fragment[] {
  const maxUnlinked = unlinked(perPacket);
  const maxLinked = linked(perPacket);
  let count: number;
  if (nextSetId !== undefined) count = MAX_FRAGMENTS_PER_SET;
  else {
    const tail = Math.max(0, message.length - maxLinked);
    count = 1 + Math.ceil(tail / maxUnlinked);
  }
  const fragments: Fragment[] = [];
  let lower = 0;
  let upper = previousSetId !== undefined ? Math.min(message.length, maxLinked) : maxUnlinked;
  for (let position = 1; position <= count; position++) {
    const fragment: Fragment = {
      setId,
      totalFragments: count,
      currentFragment: position,
      payload: message.subarray(lower, upper),
    };
    if (position === 1 && previousSetId !== undefined) {
      fragments.push({ ...fragment, previousSetId });
    } else if (position === count && nextSetId !== undefined) {
      fragments.push({ ...fragment, nextSetId });
    } else fragments.push(fragment);
    lower = upper;
    upper = Math.min(message.length, upper + maxUnlinked);
  }
  return fragments;
}

function setOfUnlinkedFragments(message: Uint8Array, setId: number, perPacket: number): Fragment[] {
  const maxUnlinked = unlinked(perPacket);
  const count = Math.max(1, Math.ceil(message.length / maxUnlinked));
  const fragments: Fragment[] = [];
  for (let i = 0; i < count; i++) {
    fragments.push({
      setId,
      totalFragments: count,
      currentFragment: i + 1,
      payload: message.subarray(i * maxUnlinked, Math.min(message.length, (i + 1) * maxUnlinked)),
    });
  }
  return fragments;
}

/**
 * Splits a (padded) message into linked sets of fragments, as Nym's `split_into_sets`. Payloads
 * are views into `message` (no copies). Set ids are random and distinct within the message.
 *
 * @example
 * ```ts
 * import { splitIntoSets } from "@nym/mixnet/message";
 * const sets = splitIntoSets(new Uint8Array(500_000), 1611);
 * console.log(sets.length, sets[0].length, sets[0][254].nextSetId === sets[1][0].setId); // 2 255 true
 * ```
 */
export function splitIntoSets(
  message: Uint8Array,
  perPacket: number,
  random: RandomBytes = systemRandom,
): Fragment[][] {
  const sets = numberOfSets(message.length, perPacket);
  if (sets === 1) return [setOfUnlinkedFragments(message, generateSetId(random), perPacket)];
  const ids: number[] = [];
  const used = new Set<number>();
  while (ids.length < sets) {
    const id = generateSetId(random);
    if (used.has(id)) continue;
    used.add(id);
    ids.push(id);
  }
  const cap = setCapacities(perPacket);
  const result: Fragment[][] = [];
  let lower = 0;
  let upper = cap.oneWayLinked;
  for (let i = 0; i < sets; i++) {
    result.push(setOfLinkedFragments(
      message.subarray(lower, upper),
      ids[i],
      perPacket,
      i === 0 ? undefined : ids[i - 1],
      i === sets - 1 ? undefined : ids[i + 1],
    ));
    lower = upper;
    upper = Math.min(
      message.length,
      upper + (i === sets - 2 ? cap.oneWayLinked : cap.twoWayLinked),
    );
  }
  return result;
}

/**
 * {@linkcode splitIntoSets} flattened into one list in sending order.
 *
 * @example
 * ```ts
 * import { splitIntoFragments } from "@nym/mixnet/message";
 * console.log(splitIntoFragments(new Uint8Array(3208), 1611).length); // 2
 * ```
 */
export function splitIntoFragments(
  message: Uint8Array,
  perPacket: number,
  random: RandomBytes = systemRandom,
): Fragment[] {
  return splitIntoSets(message, perPacket, random).flat();
}
