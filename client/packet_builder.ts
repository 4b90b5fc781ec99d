/**
 * Turns fragments into Sphinx packets the way Nym's clients do: every data packet carries a
 * SURB-ACK (a complete 386-byte ack packet routed back to us) in front of its end-to-end
 * encrypted fragment; replies travel in reply SURBs; loop cover packets go to ourselves.
 *
 * @module
 */
import type { CryptoProvider } from "../crypto/mod.ts";
import type { RandomBytes } from "../internal/random.ts";
import {
  buildPacketPlaintext,
  COVER_FRAGMENT_ID,
  coverPayload,
  encryptAck,
  encryptForRecipient,
  encryptReply,
  fragmentId,
  type LoopCoverKeys,
  type Recipient,
  type ReplySurbBytes,
} from "../message/mod.ts";
import {
  type BuildableVersion,
  buildPacket,
  decodeNodeAddress,
  decodeSurb,
  PACKET_SIZES,
  type PacketSize,
  padNodeAddress,
  prepareRoutePrefix,
  type RouteHop,
  type RoutePrefix,
  sampleDelays,
  useSurb,
} from "../sphinx/mod.ts";
import type { RouteSource } from "./route_source.ts";

/** The SURB-ACK's first-hop address, zero-padded to the length of an IPv6 node address. */
const SURB_ACK_ADDRESS_BYTES = 19;

/**
 * Route prefixes {@linkcode PacketBuilder.prepare} keeps ready: the mix layers of 4 data
 * packets and their SURB-ACKs.
 */
export const READY_ROUTE_PREFIXES = 8;

/** A packet ready for the gateway, with what the ack timer needs. */
export interface OutgoingPacket {
  /** The whole Sphinx packet. */
  readonly packet: Uint8Array;
  /** The first hop's routing address, unpadded (7 or 19 bytes), for the MixPacket. */
  readonly firstHop: Uint8Array;
  /** The key-rotation byte of the MixPacket. */
  readonly keyRotation: number;
  /** Sum of the delays until the ack can arrive, ms (Nym's `total_delay`). */
  readonly expectedDelayMs: number;
}

/** Delay settings the builder uses. */
export interface PacketBuilderTraffic {
  /** Mean per-hop delay of data packets and reply SURBs, ms (Nym: 15). */
  readonly averagePacketDelayMs: number;
  /** Mean per-hop delay of SURB-ACK packets, ms (Nym: 15). */
  readonly averageAckDelayMs: number;
  /** Sphinx version of real traffic (259, as the official client sends). */
  readonly dataVersion: BuildableVersion;
  /** Sphinx version of loop cover traffic (258, as the official client sends). */
  readonly coverVersion: BuildableVersion;
}

/** Components and keys of {@linkcode PacketBuilder}. */
export interface PacketBuilderOptions {
  /** Our own address (for SURB-ACKs and cover). */
  readonly self: Recipient;
  /** Our 16-byte ack key. */
  readonly ackKey: Uint8Array;
  /** Routes over the current topology. */
  readonly routes: RouteSource;
  /** Delay and version settings. */
  readonly traffic: PacketBuilderTraffic;
  /** Primitive provider. */
  readonly crypto: CryptoProvider;
  /** Random source. */
  readonly random: RandomBytes;
  /** Where loop cover packets' ephemeral keys are remembered, to recognise them on return. */
  readonly loopCoverKeys?: LoopCoverKeys;
}

const NS_PER_MS = 1e6;

function delaysMs(delays: readonly bigint[], hops: number): number {
  let total = 0;
  for (let i = 0; i < hops; i++) total += Number(delays[i]) / NS_PER_MS;
  return total;
}

function unpadded(address: Uint8Array): Uint8Array {
  return address.slice(0, decodeNodeAddress(address).byteLength);
}

/**
 * Builds data, reply and cover packets.
 *
 * @example
 * ```ts ignore
 * const builder = new PacketBuilder({ self, ackKey, routes, traffic, crypto, random });
 * const { packet, firstHop } = builder.dataPacket(fragmentBytes, recipient, setId, position);
 * ```
 */
export class PacketBuilder {
  #o: PacketBuilderOptions;
  /** Mix layers with their key material derived ahead of time, and the routes they came from. */
  #ready: { generation: unknown; prefix: RoutePrefix }[] = [];

  /** Creates a builder. */
  constructor(options: PacketBuilderOptions) {
    this.#o = options;
  }

  /** Route prefixes ready for the next real packets. */
  get readyPrefixes(): number {
    return this.#ready.length;
  }

  /**
   * Derives the mix layers' key material of the next real packets ahead of time, up to
   * {@linkcode READY_ROUTE_PREFIXES}: sending one then costs two X25519 (its gateway and its
   * SURB-ACK's) instead of ten. Meant for idle moments; does nothing if the route source has no
   * `generation` or no topology. Returns how many prefixes it added.
   */
  prepare(): number {
    const generation = this.#generation();
    if (generation === undefined) return 0;
    this.#ready = this.#ready.filter((r) => r.generation === generation);
    const { routes, self, crypto, random } = this.#o;
    let added = 0;
    while (this.#ready.length < READY_ROUTE_PREFIXES) {
      const mixes = routes.routeTo(self.gateway).slice(0, -1);
      this.#ready.push({ generation, prefix: prepareRoutePrefix(mixes, { crypto, random }) });
      added++;
    }
    return added;
  }

  #generation(): unknown {
    try {
      return this.#o.routes.generation?.();
    } catch {
      return undefined; // no topology yet
    }
  }

  /**
   * A route to `gateway` and, if one is ready for the current topology, the prefix it starts
   * with (the prefix's mix layers, then the gateway).
   */
  #route(gateway: Uint8Array): { route: RouteHop[]; prefix?: RoutePrefix } {
    const fresh = this.#o.routes.routeTo(gateway);
    const generation = this.#ready.length > 0 ? this.#generation() : undefined;
    while (this.#ready.length > 0) {
      const ready = this.#ready.shift()!;
      if (ready.generation !== generation) continue; // an older topology's
      return { route: [...ready.prefix.hops, fresh[fresh.length - 1]], prefix: ready.prefix };
    }
    return { route: fresh };
  }

  /**
   * A 405-byte SURB-ACK: the ack packet's first hop zero-padded to 19 bytes ‖ a 386-byte Sphinx
   * packet that brings the encrypted fragment id back to us.
   */
  surbAck(id: Uint8Array, version: BuildableVersion): { bytes: Uint8Array; delayMs: number } {
    return this.#surbAck(id, version, false);
  }

  #surbAck(
    id: Uint8Array,
    version: BuildableVersion,
    prepared: boolean,
  ): { bytes: Uint8Array; delayMs: number } {
    const { self, routes, traffic, crypto, random, ackKey } = this.#o;
    const { route, prefix } = prepared
      ? this.#route(self.gateway)
      : { route: routes.routeTo(self.gateway), prefix: undefined };
    const delays = sampleDelays(route.length, traffic.averageAckDelayMs, random);
    const packet = buildPacket({
      route,
      prefix,
      delays,
      destination: self.sphinxDestination(),
      plaintext: encryptAck(ackKey, id, { crypto, random }),
      size: PACKET_SIZES.ack,
      version,
      crypto,
      random,
    });
    const bytes = new Uint8Array(SURB_ACK_ADDRESS_BYTES + packet.length);
    bytes.set(padNodeAddress(unpadded(route[0].address), SURB_ACK_ADDRESS_BYTES));
    bytes.set(packet, SURB_ACK_ADDRESS_BYTES);
    return { bytes, delayMs: delaysMs(delays, route.length - 1) };
  }

  /** A data packet carrying one serialized fragment to `recipient`. */
  dataPacket(
    fragment: Uint8Array,
    recipient: Recipient,
    setId: number,
    position: number,
    size: PacketSize = PACKET_SIZES.regular,
  ): OutgoingPacket {
    const { crypto, random, traffic } = this.#o;
    const version = traffic.dataVersion;
    const ack = this.#surbAck(fragmentId(setId, position), version, true);
    const payload = encryptForRecipient(fragment, recipient.encryptionKey, { crypto, random });
    return this.#forward(
      buildPacketPlaintext(ack.bytes, payload, size),
      recipient,
      this.#route(recipient.gateway),
      version,
      size,
      ack.delayMs,
      traffic.averagePacketDelayMs,
    );
  }

  /** A reply packet carrying one serialized fragment through a reply SURB. */
  replyPacket(
    fragment: Uint8Array,
    replySurb: ReplySurbBytes & { readonly keyRotation?: number },
    setId: number,
    position: number,
  ): OutgoingPacket {
    const { crypto, traffic, routes } = this.#o;
    const surb = decodeSurb(replySurb.surb);
    const ack = this.#surbAck(fragmentId(setId, position), traffic.dataVersion, true);
    const payload = encryptReply(fragment, replySurb.encryptionKey, { crypto });
    const size = PACKET_SIZES.regular;
    const { packet, firstHop } = useSurb(
      surb,
      buildPacketPlaintext(ack.bytes, payload, size),
      size,
      {
        crypto,
      },
    );
    return {
      packet,
      firstHop: unpadded(firstHop),
      // The SURB's own rotation: its keys, not ours, decide which node key opens it.
      keyRotation: replySurb.keyRotation || routes.keyRotation(),
      // The SURB's own delays are unknown: Nym assumes three average hops.
      expectedDelayMs: 3 * traffic.averagePacketDelayMs + ack.delayMs,
    };
  }

  /** A loop cover packet to ourselves: a SURB-ACK for the cover id and "The cake is a lie!". */
  coverPacket(): OutgoingPacket {
    const { crypto, random, traffic, routes, self } = this.#o;
    const version = traffic.coverVersion;
    const id = fragmentId(COVER_FRAGMENT_ID.setId, COVER_FRAGMENT_ID.position);
    // Cover is built on its own tick: prepared prefixes are kept for real packets.
    const ack = this.#surbAck(id, version, false);
    const payload = coverPayload(self.encryptionKey, PACKET_SIZES.regular, { crypto, random });
    this.#o.loopCoverKeys?.remember(payload);
    return this.#forward(
      buildPacketPlaintext(ack.bytes, payload),
      self,
      { route: routes.routeTo(self.gateway) },
      version,
      PACKET_SIZES.regular,
      ack.delayMs,
      traffic.averagePacketDelayMs,
    );
  }

  #forward(
    plaintext: Uint8Array,
    recipient: Recipient,
    { route, prefix }: { route: RouteHop[]; prefix?: RoutePrefix },
    version: BuildableVersion,
    size: PacketSize,
    ackDelayMs: number,
    averageDelayMs: number,
  ): OutgoingPacket {
    const { crypto, random, routes } = this.#o;
    const delays = sampleDelays(route.length, averageDelayMs, random);
    const packet = buildPacket({
      route,
      prefix,
      delays,
      destination: recipient.sphinxDestination(),
      plaintext,
      size,
      version,
      crypto,
      random,
    });
    return {
      packet,
      firstHop: unpadded(route[0].address),
      keyRotation: routes.keyRotation(),
      expectedDelayMs: delaysMs(delays, route.length - 1) + ackDelayMs,
    };
  }
}
