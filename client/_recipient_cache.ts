// `Recipient.parse` with the last addresses remembered: a client writes to few peers often.
import { Recipient } from "../message/mod.ts";

/** Parsed addresses kept. */
export const RECIPIENT_CACHE_SIZE = 64;

export class RecipientCache {
  #parsed = new Map<string, Recipient>();

  parse(address: string): Recipient {
    let parsed = this.#parsed.get(address);
    if (!parsed) {
      parsed = Recipient.parse(address);
      if (this.#parsed.size >= RECIPIENT_CACHE_SIZE) this.#parsed.clear();
      this.#parsed.set(address, parsed);
    }
    return parsed;
  }
}
