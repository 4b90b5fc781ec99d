// What waits in the send queue: one fragment with its destination, and how it becomes a packet.
import { toHex } from "../internal/bytes.ts";
import type { RandomBytes } from "../internal/random.ts";
import {
  encodeFragment,
  encodeNymMessage,
  type Fragment,
  fragmentCapacity,
  fragmentId,
  type NymMessage,
  padMessage,
  type Recipient,
  type ReplySurbBytes,
  splitIntoFragments,
} from "../message/mod.ts";
import type { OutgoingPacket, PacketBuilder } from "./packet_builder.ts";

export type ReplyTarget = {
  readonly kind: "reply";
  readonly senderTag: Uint8Array;
  /** A request for more SURBs: it carries its own SURB and does not wait for one. */
  readonly request?: boolean;
};
export type Target = { readonly kind: "recipient"; readonly recipient: Recipient } | ReplyTarget;

export interface Item {
  /** The fragment id in hex: the key of its ack. */
  readonly key: string;
  /** Serialized when its packet is built (`encodeFragment`), not while it waits in the queue. */
  readonly fragment: Fragment;
  readonly target: Target;
  /** A SURB taken for this item beforehand (a SURB request carries one from the reserve). */
  surb?: ReplySurbBytes;
}

/** `message` padded and split into queue items for `target`. */
export function itemsOf(message: NymMessage, target: Target, random: RandomBytes): Item[] {
  const capacity = fragmentCapacity();
  const padded = padMessage(encodeNymMessage(message), capacity);
  return splitIntoFragments(padded, capacity, random).map((fragment): Item => ({
    key: toHex(fragmentId(fragment.setId, fragment.currentFragment)),
    fragment,
    target,
  }));
}

/** The reply target of a reply item that will need a SURB from the policy, else undefined. */
export function waitsForSurb(item: Item): ReplyTarget | undefined {
  const { target } = item;
  return target.kind === "reply" && !target.request && !item.surb ? target : undefined;
}

/** The packet of `item`: to its recipient, or through `surb` for a reply. */
export function packetOf(
  builder: PacketBuilder,
  item: Item,
  surb: ReplySurbBytes | undefined,
): OutgoingPacket {
  const { fragment, target } = item;
  const bytes = encodeFragment(fragment);
  const { setId, currentFragment } = fragment;
  return target.kind === "recipient"
    ? builder.dataPacket(bytes, target.recipient, setId, currentFragment)
    : builder.replyPacket(bytes, surb!, setId, currentFragment);
}
