/**
 * How many SURBs we give a peer that asks for more: a budget per peer, so that one request packet
 * can no longer make us build and send hundreds of SURBs.
 *
 * A peer we wrote to anonymously answers through our SURBs; when it runs short it asks for more
 * (a `surbRequest` inside a reply). Nym grants up to 500 per request to any recipient it ever
 * wrote to. We grant:
 * - only to the peer whose reply key opened the request (a request naming another recipient
 *   would link our sender tags, or tell whether we wrote to that recipient);
 * - about what that peer's replies used since the last grant, plus {@linkcode GRANT_SLACK},
 *   at most {@linkcode MAX_SURB_GRANT};
 * - at most once per retry period unless the peer used at least half of the last grant;
 * - never beyond {@linkcode MAX_OUTSTANDING_PER_PEER} reply keys held for that peer.
 *
 * @module
 */

/** SURBs granted beyond what the peer used (Nym's minimum request: 10). */
export const GRANT_SLACK = 10;
/** SURBs granted per request at most (Nym's largest request from a replier: 50). */
export const MAX_SURB_GRANT = 50;
/** Reply keys held for one peer at most. */
export const MAX_OUTSTANDING_PER_PEER = 1_000;

interface PeerBudget {
  used: number;
  lastGrant: number;
  lastGrantAt: number;
}

/**
 * SURB budgets per peer.
 *
 * @example
 * ```ts
 * import { SurbGrants } from "@nym/mixnet/replies";
 * const grants = new SurbGrants(10_000);
 * grants.used("peer");                        // the request came through one of our SURBs
 * console.log(grants.grant("peer", 500, 0, 0)); // 11, not 500
 * console.log(grants.grant("peer", 500, 1, 0)); // 0: too soon, the last grant is unused
 * ```
 */
export class SurbGrants {
  #peers = new Map<string, PeerBudget>();
  #retryMs: number;

  /** Budgets that renew at most once per `retryMs` without use. */
  constructor(retryMs: number) {
    this.#retryMs = retryMs;
  }

  /** One of our reply keys given to `peer` was used (a reply or request came back through it). */
  used(peer: string): void {
    const budget = this.#peers.get(peer);
    if (budget) budget.used++;
    else this.#peers.set(peer, { used: 1, lastGrant: 0, lastGrantAt: -Infinity });
  }

  /**
   * How many of `requested` SURBs to give `peer` at `now`, holding `outstanding` of its reply
   * keys; 0 refuses. A non-zero answer starts a new budget period.
   */
  grant(peer: string, requested: number, now: number, outstanding: number): number {
    const budget = this.#peers.get(peer);
    if (!budget || requested <= 0) return 0;
    const tooSoon = now - budget.lastGrantAt < this.#retryMs;
    if (tooSoon && budget.used * 2 < budget.lastGrant) return 0;
    const amount = Math.min(
      requested,
      MAX_SURB_GRANT,
      budget.used + GRANT_SLACK,
      Math.max(0, MAX_OUTSTANDING_PER_PEER - outstanding),
    );
    if (amount <= 0) return 0;
    budget.used = 0;
    budget.lastGrant = amount;
    budget.lastGrantAt = now;
    return amount;
  }
}
