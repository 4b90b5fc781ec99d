/**
 * What a localnet gateway does with a packet addressed to one of its clients (the final Sphinx
 * hop): hand the message to the client (pushed or stored) and only then send its SURB-ACK back
 * into the mixnet. A message the gateway refuses (unknown client, full inbox) gets no SURB-ACK,
 * so its sender retransmits instead of being told it was delivered (this ordering, and
 * withholding the ack, are this localnet's policy: nothing acknowledged may be lost).
 *
 * @module
 */
import { decodeNodeAddress, type FinalHop, PACKET_SIZES } from "../sphinx/mod.ts";
import type { Frame } from "./framing/mod.ts";
import type { DeliveryOutcome } from "./gateway/mod.ts";

/** SURB-ACK layout at the front of a final-hop plaintext: first hop address, then the packet. */
const ACK_ADDRESS_LENGTH = 19;
const ACK_END = 405;

/** What {@linkcode handleFinalHop} needs from the gateway. */
export interface FinalHopTarget {
  /** Hands `message` to `client` (see `GatewayServer.deliver`). */
  deliver(client: Uint8Array, message: Uint8Array): DeliveryOutcome;
  /** Sends the SURB-ACK packet to its first hop. */
  sendAck(hostPort: string, packet: Uint8Array, keyRotation: number): void;
}

/** What {@linkcode handleFinalHop} did. */
export type FinalHopOutcome = DeliveryOutcome | "malformed";

/**
 * Delivers one final-hop packet; the SURB-ACK (if the packet carries one) leaves only when the
 * message was pushed or stored.
 *
 * @example
 * ```ts
 * import { handleFinalHop } from "./final_hop.ts";
 * import { PACKET_SIZES } from "../sphinx/mod.ts";
 * const outcome = handleFinalHop(
 *   { destination: new Uint8Array(32), plaintext: new Uint8Array(100) },
 *   { packetSize: PACKET_SIZES.ack, keyRotation: 0 },
 *   { deliver: () => "refused", sendAck: () => {} },
 * );
 * console.log(outcome); // "refused"
 * ```
 */
export function handleFinalHop(
  hop: Pick<FinalHop, "destination" | "plaintext">,
  frame: Pick<Frame, "packetSize" | "keyRotation">,
  target: FinalHopTarget,
): FinalHopOutcome {
  if (frame.packetSize.tag === PACKET_SIZES.ack.tag) {
    return target.deliver(hop.destination, hop.plaintext);
  }
  if (hop.plaintext.length < ACK_END) return "malformed";
  let ackHop: string;
  try {
    ackHop = decodeNodeAddress(hop.plaintext.subarray(0, ACK_ADDRESS_LENGTH)).hostPort;
  } catch {
    return "malformed";
  }
  const outcome = target.deliver(hop.destination, hop.plaintext.slice(ACK_END));
  if (outcome !== "refused") {
    target.sendAck(ackHop, hop.plaintext.slice(ACK_ADDRESS_LENGTH, ACK_END), frame.keyRotation);
  }
  return outcome;
}
