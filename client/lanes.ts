/**
 * Names of the send queue's lanes. Messages in one lane leave in order; lanes take turns at
 * random, so one busy lane never starves another (Nym's `TransmissionLane`).
 *
 * @module
 */

/** `send()` without a lane (Nym: `General`). */
export const LANE_GENERAL = "general";
/** `reply()` (anonymous answers through SURBs). */
export const LANE_REPLIES = "replies";
/** Fragments whose ack timed out (Nym: `Retransmission`). */
export const LANE_RETRANSMISSION = "retransmission";
/** SURBs we give a peer that asked for more (Nym: `AdditionalReplySurbs`). */
export const LANE_ADDITIONAL_SURBS = "additional-reply-surbs";
/** Our requests for more SURBs (Nym: `ReplySurbRequest`). */
export const LANE_SURB_REQUEST = "reply-surb-request";
