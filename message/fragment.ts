/**
 * Fragments: the unit one packet carries. Header layout (Nym `chunking/src/fragment.rs`):
 *
 * - unlinked (7 bytes): `(0x80000000 | set_id) as u32 BE ‖ total_fragments ‖ current_fragment ‖ 0x00`
 * - linked (10 bytes): the same first 6 bytes ‖ `(0x80000000 | linked_set_id) as u32 BE`
 *
 * A link on fragment 1 points to the previous set; a link on fragment 255 of a 255-fragment set
 * points to the next set. Set ids are in `1..=2^31-1`; `(0, 0)` is reserved as the cover id.
 *
 * @module
 */
import {
  FRAGMENT_ID_LENGTH,
  LINKED_HEADER_LENGTH,
  MAX_FRAGMENTS_PER_SET,
  UNLINKED_HEADER_LENGTH,
} from "./constants.ts";
import { MessageError } from "./message_error.ts";

const FLAG = 0x80000000;
const MAX_SET_ID = 0x7fffffff;

/** One fragment of a (padded) message. */
export interface Fragment {
  /** The set id, `1..=2^31-1`. */
  readonly setId: number;
  /** Fragments in this set, `1..=255`. */
  readonly totalFragments: number;
  /** This fragment's 1-based position in its set. */
  readonly currentFragment: number;
  /** On fragment 1 only: the id of the set before this one. */
  readonly previousSetId?: number;
  /** On fragment 255 of a full set only: the id of the set after this one. */
  readonly nextSetId?: number;
  /** The message bytes this fragment carries. */
  readonly payload: Uint8Array;
}

function isSetId(id: unknown): id is number {
  return Number.isInteger(id) && (id as number) >= 1 && (id as number) <= MAX_SET_ID;
}

/** Checks what Nym's `FragmentHeader::try_new` checks, plus that the link survives encoding. */
function checkHeader(f: Omit<Fragment, "payload">): void {
  const { setId, totalFragments: total, currentFragment: current } = f;
  if (!isSetId(setId)) throw new MessageError("header", `invalid set id ${setId}`);
  if (!Number.isInteger(total) || total < 1 || total > MAX_FRAGMENTS_PER_SET) {
    throw new MessageError("header", `invalid total fragment count ${total}`);
  }
  if (!Number.isInteger(current) || current < 1 || current > total) {
    throw new MessageError("header", `invalid fragment position ${current} of ${total}`);
  }
  if (f.previousSetId !== undefined) {
    if (!isSetId(f.previousSetId) || current !== 1 || f.previousSetId === setId) {
      throw new MessageError("header", "a previous-set link is allowed only on fragment 1");
    }
  }
  if (f.nextSetId !== undefined) {
    if (
      !isSetId(f.nextSetId) || current !== total || total !== MAX_FRAGMENTS_PER_SET ||
      f.nextSetId === setId
    ) {
      throw new MessageError("header", "a next-set link is allowed only on fragment 255 of 255");
    }
  }
  if (f.previousSetId !== undefined && f.nextSetId !== undefined) {
    throw new MessageError("header", "a fragment links to one other set at most");
  }
}

function isLinked(f: Omit<Fragment, "payload">): boolean {
  return f.previousSetId !== undefined || f.nextSetId !== undefined;
}

/**
 * The header length of `fragment`: 10 when it carries a link, 7 otherwise.
 *
 * @example
 * ```ts
 * import { fragmentHeaderLength } from "@nym/mixnet/message";
 * console.log(fragmentHeaderLength({ setId: 5, totalFragments: 2, currentFragment: 1 })); // 7
 * ```
 */
export function fragmentHeaderLength(fragment: Omit<Fragment, "payload">): 7 | 10 {
  return isLinked(fragment) ? LINKED_HEADER_LENGTH : UNLINKED_HEADER_LENGTH;
}

/**
 * Serializes `fragment` as `header ‖ payload`. Throws {@linkcode MessageError} of kind
 * `header` for an invalid header (payload lengths are checked by the chunker, not here).
 *
 * @example
 * ```ts
 * import { encodeFragment } from "@nym/mixnet/message";
 * const bytes = encodeFragment({
 *   setId: 0x12345678, totalFragments: 1, currentFragment: 1, payload: Uint8Array.of(9),
 * });
 * console.log(Array.from(bytes)); // [146, 52, 86, 120, 1, 1, 0, 9]
 * ```
 */
export function encodeFragment(fragment: Fragment): Uint8Array {
  checkHeader(fragment);
  const headerLength = fragmentHeaderLength(fragment);
  const out = new Uint8Array(headerLength + fragment.payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, (fragment.setId | FLAG) >>> 0);
  out[4] = fragment.totalFragments;
  out[5] = fragment.currentFragment;
  const link = fragment.previousSetId ?? fragment.nextSetId;
  if (link !== undefined) view.setUint32(6, (link | FLAG) >>> 0);
  // else out[6] stays 0
  out.set(fragment.payload, headerLength);
  return out;
}

/**
 * Parses `header ‖ payload` exactly as Nym's `Fragment::try_from_bytes`. The returned payload
 * is a view into `bytes`. Throws {@linkcode MessageError}: `truncated` when the header does not
 * fit, `header` for a missing flag bit, a zero count or position, a position past the total, or
 * a link where none is allowed.
 *
 * @example
 * ```ts
 * import { decodeFragment } from "@nym/mixnet/message";
 * const f = decodeFragment(Uint8Array.of(0x92, 0x34, 0x56, 0x78, 3, 2, 0, 0xaa));
 * console.log(f.setId.toString(16), f.currentFragment, f.payload.length); // "12345678" 2 1
 * ```
 */
export function decodeFragment(bytes: Uint8Array): Fragment {
  if (bytes.length < UNLINKED_HEADER_LENGTH) {
    throw new MessageError(
      "truncated",
      `fragment of ${bytes.length} bytes is shorter than a ${UNLINKED_HEADER_LENGTH}-byte header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flagged = view.getUint32(0);
  if ((flagged & FLAG) === 0) throw new MessageError("header", "fragment flag bit is not set");
  const setId = flagged & MAX_SET_ID;
  const totalFragments = bytes[4];
  const currentFragment = bytes[5];
  if (totalFragments === 0 || currentFragment === 0 || currentFragment > totalFragments) {
    throw new MessageError(
      "header",
      `invalid fragment position ${currentFragment} of ${totalFragments}`,
    );
  }
  let previousSetId: number | undefined;
  let nextSetId: number | undefined;
  let headerLength: number = UNLINKED_HEADER_LENGTH;
  if (bytes[6] !== 0) {
    if (bytes.length < LINKED_HEADER_LENGTH) {
      throw new MessageError(
        "truncated",
        `linked fragment of ${bytes.length} bytes is shorter than a ${LINKED_HEADER_LENGTH}-byte header`,
      );
    }
    const flaggedLink = view.getUint32(6);
    if ((flaggedLink & FLAG) === 0) {
      throw new MessageError("header", "linked set id flag bit is not set");
    }
    const link = flaggedLink & MAX_SET_ID;
    if (currentFragment === 1) previousSetId = link;
    else if (currentFragment === totalFragments && currentFragment === MAX_FRAGMENTS_PER_SET) {
      nextSetId = link;
    } else throw new MessageError("header", `fragment ${currentFragment} cannot carry a link`);
    headerLength = LINKED_HEADER_LENGTH;
  }
  const header = { setId, totalFragments, currentFragment, previousSetId, nextSetId };
  checkHeader(header);
  const fragment: Fragment = {
    setId,
    totalFragments,
    currentFragment,
    payload: bytes.subarray(headerLength),
  };
  if (previousSetId !== undefined) return { ...fragment, previousSetId };
  if (nextSetId !== undefined) return { ...fragment, nextSetId };
  return fragment;
}

/**
 * The 5-byte identifier acks carry: `set_id (i32 BE) ‖ position`.
 *
 * @example
 * ```ts
 * import { fragmentId } from "@nym/mixnet/message";
 * console.log(Array.from(fragmentId(0x12345678, 3))); // [18, 52, 86, 120, 3]
 * ```
 */
export function fragmentId(setId: number, position: number): Uint8Array {
  if (!Number.isInteger(setId) || setId < 0 || setId > MAX_SET_ID) {
    throw new MessageError("header", `invalid set id ${setId}`);
  }
  if (!Number.isInteger(position) || position < 0 || position > 255) {
    throw new MessageError("header", `invalid fragment position ${position}`);
  }
  const out = new Uint8Array(FRAGMENT_ID_LENGTH);
  new DataView(out.buffer).setUint32(0, setId);
  out[4] = position;
  return out;
}

/** A decoded fragment identifier. */
export interface FragmentIdentifier {
  /** The set id (0 for cover). */
  readonly setId: number;
  /** The 1-based position (0 for cover). */
  readonly position: number;
}

/**
 * Parses a 5-byte fragment identifier. As Nym, a negative set id is rejected
 * ({@linkcode MessageError} `header`); a wrong length is `length`.
 *
 * @example
 * ```ts
 * import { decodeFragmentId } from "@nym/mixnet/message";
 * console.log(decodeFragmentId(Uint8Array.of(0, 0, 1, 0, 7))); // { setId: 256, position: 7 }
 * ```
 */
export function decodeFragmentId(bytes: Uint8Array): FragmentIdentifier {
  if (bytes.length !== FRAGMENT_ID_LENGTH) {
    throw new MessageError("length", `a fragment id is ${FRAGMENT_ID_LENGTH} bytes`);
  }
  const setId = new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);
  if (setId < 0) throw new MessageError("header", `negative set id ${setId}`);
  return { setId, position: bytes[4] };
}

/**
 * The identifier of cover traffic and of SURB-ACKs of loop cover packets: set 0, position 0
 * (Nym `COVER_FRAG_ID`). Its bytes are `fragmentId(0, 0)`, five zeros.
 *
 * @example
 * ```ts
 * import { COVER_FRAGMENT_ID, fragmentId } from "@nym/mixnet/message";
 * console.log(Array.from(fragmentId(COVER_FRAGMENT_ID.setId, COVER_FRAGMENT_ID.position))); // [0, 0, 0, 0, 0]
 * ```
 */
export const COVER_FRAGMENT_ID: FragmentIdentifier = Object.freeze({ setId: 0, position: 0 });

/**
 * Whether `id` is the cover identifier (set 0, position 0).
 *
 * @example
 * ```ts
 * import { isCoverFragmentId } from "@nym/mixnet/message";
 * console.log(isCoverFragmentId({ setId: 0, position: 0 })); // true
 * ```
 */
export function isCoverFragmentId(id: FragmentIdentifier): boolean {
  return id.setId === 0 && id.position === 0;
}
