// Our side of anonymous messages: one sender tag per recipient, the reply SURBs we create (and
// the keys that open what comes back through them), and how many more SURBs a peer that asks
// for them gets (see replies/surb_grants.ts).
import type { CryptoProvider } from "../crypto/mod.ts";
import type { Clock } from "../internal/clock.ts";
import type { RandomBytes } from "../internal/random.ts";
import {
  AnonymousSenderTag,
  type KeyRotation,
  type NymMessage,
  type Recipient,
  replyKeyDigest,
  type ReplyKeyStore,
  type ReplySurbBytes,
} from "../message/mod.ts";
import { MemoryReplyKeyStore } from "../replies/reply_key_store.ts";
import { SurbGrants } from "../replies/surb_grants.ts";
import { createSurb, encodeSurb, sampleDelays } from "../sphinx/mod.ts";
import type { RouteSource } from "./route_source.ts";

/** SURBs per `additionalSurbs` message. */
export const SURB_BATCH = 100;
/** Sphinx version of the reply SURBs we create (as the official client). */
const SURB_VERSION = 259;
/** Reply SURB key length. */
const SURB_KEY_BYTES = 16;

export interface AnonymousSenderOptions {
  readonly self: Recipient;
  readonly routes: RouteSource;
  readonly averagePacketDelayMs: number;
  readonly surbRequestRetryMs: number;
  readonly crypto: CryptoProvider;
  readonly random: RandomBytes;
  readonly clock: Clock;
}

export class AnonymousSender {
  readonly replyKeys: MemoryReplyKeyStore;
  #o: AnonymousSenderOptions;
  #tags = new Map<string, AnonymousSenderTag>();
  #grants: SurbGrants;

  constructor(options: AnonymousSenderOptions) {
    this.#o = options;
    this.replyKeys = new MemoryReplyKeyStore(() => options.clock.now());
    this.#grants = new SurbGrants(options.surbRequestRetryMs);
  }

  /** Our sender tag for `recipient` (one per recipient, kept for the client's life). */
  tagFor(recipient: Recipient): AnonymousSenderTag {
    const id = recipient.toString();
    let tag = this.#tags.get(id);
    if (!tag) this.#tags.set(id, tag = AnonymousSenderTag.random(this.#o.random));
    return tag;
  }

  /** A message with `data` for `to`: plain, or anonymous with `replySurbs` SURBs if above 0. */
  message(to: Recipient, data: Uint8Array, replySurbs: number): NymMessage {
    if (replySurbs <= 0) return { type: "plain", data };
    return {
      type: "repliable",
      senderTag: this.tagFor(to),
      content: {
        kind: "data",
        version: 2,
        replySurbs: this.createReplySurbs(replySurbs, to),
        keyRotation: this.#surbRotation(),
        message: data,
      },
    };
  }

  /** Reply SURBs for `owner`, whose replies will come back through them. */
  createReplySurbs(count: number, owner: Recipient): ReplySurbBytes[] {
    const { self, routes, averagePacketDelayMs, crypto, random } = this.#o;
    const out: ReplySurbBytes[] = [];
    for (let i = 0; i < count; i++) {
      const route = routes.routeTo(self.gateway);
      const surb = createSurb({
        route,
        delays: sampleDelays(route.length, averagePacketDelayMs, random),
        destination: self.sphinxDestination(),
        version: SURB_VERSION,
        crypto,
        random,
      });
      const encryptionKey = random(SURB_KEY_BYTES);
      this.replyKeys.add(replyKeyDigest(encryptionKey, { crypto }), encryptionKey, `${owner}`);
      out.push({ encryptionKey, surb: encodeSurb(surb) });
    }
    return out;
  }

  /** The rotation our new SURBs are built for: the topology's (Nym tags the SURB block). */
  #surbRotation(): KeyRotation {
    return this.#o.routes.keyRotation() as KeyRotation;
  }

  /** A key store for opening one packet that notes whose reply key (if any) opened it. */
  opener(): { readonly store: ReplyKeyStore; owner(): string | undefined } {
    let owner: string | undefined;
    return {
      store: {
        take: (digest) => {
          const entry = this.replyKeys.takeEntry(digest);
          owner = entry?.owner;
          if (owner !== undefined) this.#grants.used(owner);
          return entry?.key;
        },
      },
      owner: () => owner,
    };
  }

  /**
   * The answer to a request for `amount` more SURBs naming `recipient`, that arrived in a reply
   * opened with `owner`'s key: `additionalSurbs` messages to send it, or none. Only the peer the
   * key was given to may ask (naming anyone else would link our tags), within its budget.
   */
  answer(recipient: Recipient, amount: number, owner: string | undefined): NymMessage[] {
    const peer = recipient.toString();
    const tag = this.#tags.get(peer);
    if (!tag || owner !== peer) return [];
    const granted = this.#grants.grant(
      peer,
      amount,
      this.#o.clock.now(),
      this.replyKeys.countFor(peer),
    );
    const out: NymMessage[] = [];
    for (let sent = 0; sent < granted; sent += SURB_BATCH) {
      const batch = Math.min(SURB_BATCH, granted - sent);
      out.push({
        type: "repliable",
        senderTag: tag,
        content: {
          kind: "additionalSurbs",
          version: 2,
          replySurbs: this.createReplySurbs(batch, recipient),
          keyRotation: this.#surbRotation(),
        },
      });
    }
    return out;
  }
}
