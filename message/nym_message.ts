/**
 * `NymMessage`, the unit a client sends before padding and chunking (Nym
 * `common/nymsphinx/src/message.rs`, `anonymous-replies/src/requests/{mod,v1,v2}.rs`):
 *
 * - `0x00 ‖ data` — plain
 * - `0x01 ‖ sender_tag (16) ‖ content_tag ‖ content` — repliable; content tags 0 DataV1,
 *   1 AdditionalSurbsV1, 2 HeartbeatV1, 3 DataV2, 4 AdditionalSurbsV2, 5 HeartbeatV2
 * - `0x02 ‖ reply_tag ‖ …` — reply; 0 data, 1 SURB request (`recipient (96) ‖ amount u32 BE`)
 *
 * SURB blocks: V1 = `count u32 BE ‖ count × (key 16 ‖ SURB 1148)` (four hops, full 192-byte
 * payload keys); V2 = `count u16 BE ‖ hops u8 ‖ key_rotation u8 ‖ count × (key 16 ‖ SURB of
 * 348 + 32 + hops·16)`. SURBs stay bytes here; `decodeSurb` of the Sphinx layer opens them.
 *
 * @module
 */
import { decodeNodeAddress, decodeSurb } from "../sphinx/mod.ts";
import { AddressError } from "./address_error.ts";
import { SYMMETRIC_KEY_LENGTH } from "./constants.ts";
import { MessageError } from "./message_error.ts";
import { Recipient } from "./recipient.ts";
import { AnonymousSenderTag } from "./sender_tag.ts";

const HEADER_SIZE = 348;
const NODE_ADDRESS_LENGTH = 32;
const SURB_BASE = HEADER_SIZE + NODE_ADDRESS_LENGTH;
const V1_SURB_LENGTH = SURB_BASE + 4 * 192;
const SEED_SIZE = 16;
const MAX_HOPS = 5;
const SURB_REQUEST_LENGTH = Recipient.LENGTH + 4;

/** A reply SURB as carried in a message: its 16-byte AES key and the encoded Sphinx SURB. */
export interface ReplySurbBytes {
  /** The AES-128 key the replier encrypts with; its BLAKE3 digest tells the reply apart. */
  readonly encryptionKey: Uint8Array;
  /** `header (348) ‖ first hop (32) ‖ payload keys`, as `encodeSurb` writes it. */
  readonly surb: Uint8Array;
}

/** Which node key a SURB was built for: 0 unknown (legacy), 1 odd rotation, 2 even rotation. */
export type KeyRotation = 0 | 1 | 2;

/** Fields shared by every repliable content. */
export interface SurbBlock {
  /** SURB encoding: 1 (legacy: 4 hops, full payload keys) or 2 (any hops, key seeds). */
  readonly version: 1 | 2;
  /** The attached reply SURBs. */
  readonly replySurbs: readonly ReplySurbBytes[];
  /**
   * Key rotation of the SURBs (V2 only; V1 decodes as 0). Nym writes 0 for an empty V2 block.
   * Default 0.
   */
  readonly keyRotation?: KeyRotation;
}

/** Data plus reply SURBs. */
export interface RepliableData extends SurbBlock {
  /** Discriminant. */
  readonly kind: "data";
  /** The application data. */
  readonly message: Uint8Array;
}

/** More reply SURBs, sent on request. */
export interface AdditionalSurbs extends SurbBlock {
  /** Discriminant. */
  readonly kind: "additionalSurbs";
}

/** A heartbeat carrying reply SURBs. */
export interface Heartbeat extends SurbBlock {
  /** Discriminant. */
  readonly kind: "heartbeat";
}

/** What a repliable message carries. */
export type RepliableContent = RepliableData | AdditionalSurbs | Heartbeat;

/** What a reply carries. */
export type ReplyContent =
  | { readonly kind: "data"; readonly message: Uint8Array }
  | { readonly kind: "surbRequest"; readonly recipient: Recipient; readonly amount: number };

/** A message that exposes nothing but its data (the receiver cannot answer). */
export interface PlainMessage {
  /** Discriminant. */
  readonly type: "plain";
  /** The application data. */
  readonly data: Uint8Array;
}

/** A message from an anonymous sender, with SURBs to answer it. */
export interface RepliableMessage {
  /** Discriminant. */
  readonly type: "repliable";
  /** The sender's tag for this receiver. */
  readonly senderTag: AnonymousSenderTag;
  /** The content. */
  readonly content: RepliableContent;
}

/** A message sent with a reply SURB. */
export interface ReplyMessage {
  /** Discriminant. */
  readonly type: "reply";
  /** The content. */
  readonly content: ReplyContent;
}

/** Any Nym message. */
export type NymMessage = PlainMessage | RepliableMessage | ReplyMessage;

const CONTENT_KINDS = ["data", "additionalSurbs", "heartbeat"] as const;

function surbLength(version: 1 | 2, hops: number): number {
  return version === 1 ? V1_SURB_LENGTH : SURB_BASE + hops * SEED_SIZE;
}

function hopsOf(block: SurbBlock): number {
  if (block.version === 1) return 4;
  const first = block.replySurbs[0];
  if (!first) return 0;
  const hops = (first.surb.length - SURB_BASE) / SEED_SIZE;
  if (!Number.isInteger(hops) || hops < 1 || hops > MAX_HOPS) {
    throw new MessageError(
      "surb",
      `a V2 SURB of ${first.surb.length} bytes has no valid hop count`,
    );
  }
  return hops;
}

function checkBlockForEncoding(block: SurbBlock): number {
  if (block.version !== 1 && block.version !== 2) {
    throw new MessageError("surb", `unknown SURB encoding version ${block.version}`);
  }
  const hops = hopsOf(block);
  const expected = surbLength(block.version, hops);
  const count = block.replySurbs.length;
  if (count > (block.version === 1 ? 0xffffffff : 0xffff)) {
    throw new MessageError("surb", `too many reply SURBs: ${count}`);
  }
  for (const s of block.replySurbs) {
    if (s.encryptionKey.length !== SYMMETRIC_KEY_LENGTH) {
      throw new MessageError("surb", "a reply SURB key is 16 bytes");
    }
    if (s.surb.length !== expected) {
      throw new MessageError(
        "surb",
        `V${block.version} reply SURBs must all be ${expected} bytes, got ${s.surb.length}`,
      );
    }
  }
  const rotation = block.keyRotation ?? 0;
  if (rotation !== 0 && rotation !== 1 && rotation !== 2) {
    throw new MessageError("key-rotation", `invalid key rotation ${rotation}`);
  }
  return hops;
}

function surbBlockLength(block: SurbBlock, hops: number): number {
  return 4 + block.replySurbs.length * (SYMMETRIC_KEY_LENGTH + surbLength(block.version, hops));
}

/** Writes a SURB block at `offset`; returns the offset after it. */
function writeSurbBlock(out: Uint8Array, offset: number, block: SurbBlock, hops: number): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const count = block.replySurbs.length;
  if (block.version === 1) view.setUint32(offset, count);
  else {
    view.setUint16(offset, count);
    out[offset + 2] = hops;
    // Nym takes the rotation from the first SURB and writes the default (0) without SURBs.
    out[offset + 3] = count === 0 ? 0 : block.keyRotation ?? 0;
  }
  offset += 4;
  for (const s of block.replySurbs) {
    out.set(s.encryptionKey, offset);
    out.set(s.surb, offset + SYMMETRIC_KEY_LENGTH);
    offset += SYMMETRIC_KEY_LENGTH + s.surb.length;
  }
  return offset;
}

function replyBody(content: ReplyContent): Uint8Array {
  if (content.kind === "data") {
    if (content.message.length === 0) {
      throw new MessageError("empty", "Nym receivers reject a reply without data");
    }
    return content.message;
  }
  if (content.kind === "surbRequest") {
    const amount = content.amount;
    if (!Number.isInteger(amount) || amount < 0 || amount > 0xffffffff) {
      throw new MessageError("length", `invalid SURB request amount ${amount}`);
    }
    const out = new Uint8Array(SURB_REQUEST_LENGTH);
    out.set(content.recipient.toBytes());
    new DataView(out.buffer).setUint32(Recipient.LENGTH, amount);
    return out;
  }
  throw new MessageError("tag", "unknown reply content");
}

/**
 * Serializes a message as `type ‖ body` (one allocation). Throws {@linkcode MessageError} for
 * content Nym would not accept back (malformed SURBs, an empty reply).
 *
 * @example
 * ```ts
 * import { encodeNymMessage } from "@nym/mixnet/message";
 * const bytes = encodeNymMessage({ type: "plain", data: new TextEncoder().encode("hi") });
 * console.log(Array.from(bytes)); // [0, 104, 105]
 * ```
 */
export function encodeNymMessage(message: NymMessage): Uint8Array {
  switch (message.type) {
    case "plain": {
      const out = new Uint8Array(1 + message.data.length);
      out.set(message.data, 1);
      return out;
    }
    case "repliable": {
      const content = message.content;
      const kindIndex = CONTENT_KINDS.indexOf(content.kind);
      if (kindIndex < 0) throw new MessageError("tag", "unknown repliable content");
      const hops = checkBlockForEncoding(content);
      const data = content.kind === "data" ? content.message : new Uint8Array(0);
      const tag = (content.version - 1) * 3 + kindIndex;
      const out = new Uint8Array(
        1 + AnonymousSenderTag.LENGTH + 1 + surbBlockLength(content, hops) + data.length,
      );
      out[0] = 1;
      out.set(message.senderTag.bytes, 1);
      out[1 + AnonymousSenderTag.LENGTH] = tag;
      const end = writeSurbBlock(out, 2 + AnonymousSenderTag.LENGTH, content, hops);
      out.set(data, end);
      return out;
    }
    case "reply": {
      const body = replyBody(message.content);
      const out = new Uint8Array(2 + body.length);
      out[0] = 2;
      out[1] = message.content.kind === "data" ? 0 : 1;
      out.set(body, 2);
      return out;
    }
    default:
      throw new MessageError("type", "unknown NymMessage type");
  }
}

function checkReceivedSurb(surb: Uint8Array): void {
  try {
    decodeNodeAddress(decodeSurb(surb).firstHop);
  } catch (cause) {
    throw new MessageError("surb", "malformed reply SURB", { cause });
  }
}

function readSurbBlock(
  bytes: Uint8Array,
  version: 1 | 2,
): { replySurbs: ReplySurbBytes[]; keyRotation: KeyRotation; end: number } {
  if (bytes.length < 4) throw new MessageError("truncated", "SURB block header is truncated");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count: number;
  let hops = 4;
  let keyRotation: KeyRotation = 0;
  if (version === 1) count = view.getUint32(0);
  else {
    count = view.getUint16(0);
    hops = bytes[2];
    const rotation = bytes[3];
    if (rotation > 2) throw new MessageError("key-rotation", `invalid key rotation ${rotation}`);
    keyRotation = rotation as KeyRotation;
  }
  const entry = SYMMETRIC_KEY_LENGTH + surbLength(version, hops);
  if (bytes.length - 4 < count * entry) {
    throw new MessageError("truncated", `${count} reply SURBs of ${entry} bytes do not fit`);
  }
  const replySurbs: ReplySurbBytes[] = [];
  let offset = 4;
  for (let i = 0; i < count; i++) {
    const encryptionKey = bytes.slice(offset, offset + SYMMETRIC_KEY_LENGTH);
    const surb = bytes.slice(offset + SYMMETRIC_KEY_LENGTH, offset + entry);
    checkReceivedSurb(surb);
    replySurbs.push({ encryptionKey, surb });
    offset += entry;
  }
  return { replySurbs, keyRotation, end: offset };
}

function decodeRepliable(body: Uint8Array): RepliableMessage {
  if (body.length < AnonymousSenderTag.LENGTH + 1) {
    throw new MessageError("truncated", "repliable message is too short");
  }
  const senderTag = new AnonymousSenderTag(body.subarray(0, AnonymousSenderTag.LENGTH));
  const tag = body[AnonymousSenderTag.LENGTH];
  if (tag > 5) throw new MessageError("tag", `${tag} is not a repliable content tag`);
  const rest = body.subarray(AnonymousSenderTag.LENGTH + 1);
  if (rest.length === 0) throw new MessageError("truncated", "repliable message has no content");
  const version = tag < 3 ? 1 : 2;
  const kind = CONTENT_KINDS[tag % 3];
  const { replySurbs, keyRotation, end } = readSurbBlock(rest, version);
  // Like Nym, trailing bytes after a SURB-only block are tolerated.
  const content: RepliableContent = kind === "data"
    ? { kind, version, replySurbs, keyRotation, message: rest.subarray(end) }
    : { kind, version, replySurbs, keyRotation };
  return { type: "repliable", senderTag, content };
}

function decodeReply(body: Uint8Array): ReplyMessage {
  if (body.length === 0) throw new MessageError("truncated", "reply has no content tag");
  const tag = body[0];
  if (tag > 1) throw new MessageError("tag", `${tag} is not a reply content tag`);
  const rest = body.subarray(1);
  if (rest.length === 0) throw new MessageError("truncated", "reply has no content");
  if (tag === 0) return { type: "reply", content: { kind: "data", message: rest } };
  if (rest.length !== SURB_REQUEST_LENGTH) {
    throw new MessageError(
      "length",
      `a SURB request is ${SURB_REQUEST_LENGTH} bytes, got ${rest.length}`,
    );
  }
  let recipient: Recipient;
  try {
    recipient = Recipient.fromBytes(rest.subarray(0, Recipient.LENGTH));
  } catch (cause) {
    if (cause instanceof AddressError) {
      throw new MessageError("recipient", "malformed recipient in SURB request", { cause });
    }
    throw cause;
  }
  const amount = new DataView(rest.buffer, rest.byteOffset, rest.byteLength)
    .getUint32(Recipient.LENGTH);
  return { type: "reply", content: { kind: "surbRequest", recipient, amount } };
}

/**
 * Parses an unpadded message. Data fields are views into `bytes`; SURBs are copies. Throws
 * {@linkcode MessageError} (`empty`, `type`, `tag`, `truncated`, `length`, `key-rotation`,
 * `surb`, `recipient`) exactly where Nym's parser fails.
 *
 * @example
 * ```ts
 * import { decodeNymMessage } from "@nym/mixnet/message";
 * const m = decodeNymMessage(Uint8Array.of(0, 104, 105));
 * if (m.type === "plain") console.log(new TextDecoder().decode(m.data)); // "hi"
 * ```
 */
export function decodeNymMessage(bytes: Uint8Array): NymMessage {
  if (bytes.length === 0) throw new MessageError("empty", "empty message");
  const body = bytes.subarray(1);
  switch (bytes[0]) {
    case 0:
      return { type: "plain", data: body };
    case 1:
      return decodeRepliable(body);
    case 2:
      return decodeReply(body);
    default:
      throw new MessageError("type", `${bytes[0]} is not a NymMessage type`);
  }
}

/**
 * The application data inside a message: plain data, repliable data, reply data; empty for
 * SURB-only messages and SURB requests (Nym `into_inner_data`).
 *
 * @example
 * ```ts
 * import { messageData } from "@nym/mixnet/message";
 * console.log(messageData({ type: "reply", content: { kind: "data", message: Uint8Array.of(7) } })); // Uint8Array(1) [ 7 ]
 * ```
 */
export function messageData(message: NymMessage): Uint8Array {
  if (message.type === "plain") return message.data;
  if (message.content.kind === "data") return message.content.message;
  return new Uint8Array(0);
}
