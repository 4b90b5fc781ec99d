// What the gateway pushes, opened: an ack for one of our fragments, a complete message (with the
// peer whose reply key opened it, if any), or nothing yet (cover, a fragment of a longer message).
import type { CryptoProvider } from "../crypto/mod.ts";
import { toHex } from "../internal/bytes.ts";
import {
  classifyReceived,
  decodeFragmentId,
  decodeNymMessage,
  decryptAck,
  decryptReceived,
  isCover,
  isCoverFragmentId,
  type LoopCoverKeys,
  type NymMessage,
  type Reassembler,
} from "../message/mod.ts";
import type { AnonymousSender } from "./_anonymous_sender.ts";

export type Inbound =
  | { readonly kind: "ack"; readonly key: string }
  | { readonly kind: "message"; readonly message: NymMessage; readonly owner?: string }
  | { readonly kind: "nothing" };

export interface InboundKeys {
  readonly ackKey: Uint8Array;
  readonly encryptionSecretKey: Uint8Array;
  readonly crypto: CryptoProvider;
}

/** Opens one pushed message; throws a typed error on malformed bytes. */
export function openInbound(
  bytes: Uint8Array,
  keys: InboundKeys,
  anon: AnonymousSender,
  reassembler: Reassembler,
  loopCover?: LoopCoverKeys,
): Inbound {
  const { ackKey, encryptionSecretKey, crypto } = keys;
  if (classifyReceived(bytes).kind === "ack") {
    const id = decryptAck(ackKey, bytes, { crypto });
    return isCoverFragmentId(decodeFragmentId(id))
      ? { kind: "nothing" }
      : { kind: "ack", key: toHex(id) };
  }
  // Our own loop cover coming back: recognised by its ephemeral key, never decrypted.
  if (loopCover?.take(bytes)) return { kind: "nothing" };
  // Which peer's reply key (if any) opened the packet: it may ask for SURBs, no one else.
  const opener = anon.opener();
  const opened = decryptReceived(bytes, encryptionSecretKey, opener.store, { crypto });
  if (isCover(opened.plaintext)) return { kind: "nothing" };
  const outcome = reassembler.insertBytes(opened.plaintext);
  if (outcome.kind !== "complete") return { kind: "nothing" };
  return { kind: "message", message: decodeNymMessage(outcome.message), owner: opener.owner() };
}
