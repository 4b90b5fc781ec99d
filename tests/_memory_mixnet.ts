// An in-process Nym network for client tests: real Sphinx processing at three mix layers and
// the gateways, SURB-ACK splitting and ack routing, no sockets. Delivery is asynchronous.
import { type CryptoProvider, defaultCrypto } from "../crypto/mod.ts";
import { toHex } from "../internal/bytes.ts";
import { type RandomBytes, randomIndex, systemRandom, uniform } from "../internal/random.ts";
import { Recipient } from "../message/mod.ts";
import {
  decodeNodeAddress,
  encodeNodeAddress,
  PACKET_SIZES,
  padNodeAddress,
  processPacket,
  type RouteHop,
} from "../sphinx/mod.ts";
import type { GatewayLink } from "../client/mixnet_client.ts";
import type { OutgoingPacket } from "../client/packet_builder.ts";
import type { RouteSource } from "../client/route_source.ts";
import { seededRandom } from "./_fixtures/mod.ts";

interface Node extends RouteHop {
  readonly secretKey: Uint8Array;
  readonly hostPort: string;
  readonly identity?: Uint8Array;
}

export interface NetworkStats {
  packets: number;
  dropped: number;
  acks: number;
}

export class MemoryMixnet {
  readonly layers: Node[][];
  readonly gateways: Node[];
  readonly random = seededRandom(1234);
  readonly stats: NetworkStats = { packets: 0, dropped: 0, acks: 0 };
  /** Probability that a packet is dropped at a mix hop. */
  dropRate = 0;
  /** The routes' generation: bump it to make clients drop their prepared route prefixes. */
  generation = 0;
  #dropSent = new Map<string, number>();
  #byHost = new Map<string, Node>();
  #clients = new Map<string, (bytes: Uint8Array) => void>();
  #pending = new Set<ReturnType<typeof setTimeout>>();
  #port = 2000;

  constructor(perLayer = 2, gateways = 2) {
    this.layers = [0, 1, 2].map(() => Array.from({ length: perLayer }, () => this.#node()));
    this.gateways = Array.from({ length: gateways }, () => this.#node(true));
  }

  #node(gateway = false): Node {
    const c = defaultCrypto();
    const secretKey = this.random(32);
    const hostPort = `127.0.0.1:${this.#port++}`;
    const node: Node = {
      secretKey,
      hostPort,
      address: padNodeAddress(encodeNodeAddress(hostPort), 32),
      publicKey: c.x25519PublicKey(secretKey),
      identity: gateway ? c.ed25519PublicKey(this.random(32)) : undefined,
    };
    this.#byHost.set(hostPort, node);
    return node;
  }

  /**
   * A new client identity at gateway `gateway`: its address and its encryption secret, drawn
   * from `random` (identity secret first, then encryption secret).
   */
  newClient(
    crypto: CryptoProvider,
    gateway = 0,
    random: RandomBytes = systemRandom,
  ): { self: Recipient; encryptionSecret: Uint8Array } {
    const identitySecret = random(32);
    const encryptionSecret = random(32);
    const self = new Recipient(
      crypto.ed25519PublicKey(identitySecret),
      crypto.x25519PublicKey(encryptionSecret),
      this.gateways[gateway].identity!,
    );
    return { self, encryptionSecret };
  }

  routes(): RouteSource {
    return {
      routeTo: (identity) => {
        const gateway = this.gateways.find((g) => toHex(g.identity!) === toHex(identity));
        if (!gateway) throw new Error("unknown gateway");
        return [...this.layers.map((l) => l[randomIndex(l.length, this.random)]), gateway];
      },
      keyRotation: () => 0,
      generation: () => this.generation,
    };
  }

  /** A gateway link for a client whose pushed messages go to `receive`. */
  link(self: Recipient, receive: (bytes: Uint8Array) => void): GatewayLink {
    this.#clients.set(toHex(self.identity), receive);
    let open = true;
    return {
      send: (out: OutgoingPacket) => {
        if (!open) throw new Error("link closed");
        this.stats.packets++;
        const id = toHex(self.identity);
        const drop = this.#dropSent.get(id) ?? 0;
        if (drop > 0) {
          this.#dropSent.set(id, drop - 1);
          this.stats.dropped++;
          return;
        }
        this.#later(() => this.#route(out.packet, decodeNodeAddress(out.firstHop).hostPort));
      },
      bufferedAmount: 0,
      close: () => {
        open = false;
        this.#clients.delete(toHex(self.identity));
        return Promise.resolve();
      },
    };
  }

  /** Loses the next `count` packets the client sends, at its gateway. */
  dropNextSent(address: string, count: number): void {
    this.#dropSent.set(toHex(Recipient.parse(address).identity), count);
  }

  /** Resolves when no packet is in flight. */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await new Promise((r) => setTimeout(r, 1));
  }

  close(): void {
    for (const t of this.#pending) clearTimeout(t);
    this.#pending.clear();
  }

  #later(f: () => void): void {
    const t = setTimeout(() => {
      this.#pending.delete(t);
      f();
    }, 0);
    this.#pending.add(t);
  }

  #route(packet: Uint8Array, hostPort: string): void {
    for (;;) {
      const node = this.#byHost.get(hostPort);
      if (!node) return;
      const result = processPacket(packet, node.secretKey);
      if (result.kind === "forward") {
        if (!node.identity && this.dropRate > 0 && uniform(this.random) <= this.dropRate) {
          this.stats.dropped++;
          return;
        }
        packet = result.packet;
        hostPort = decodeNodeAddress(result.nextHop).hostPort;
        continue;
      }
      const deliver = this.#clients.get(toHex(result.destination));
      if (packet.length === PACKET_SIZES.ack.totalSize) {
        this.stats.acks++;
        if (deliver) this.#later(() => deliver(result.plaintext));
        return;
      }
      const ackHop = decodeNodeAddress(result.plaintext.subarray(0, 19)).hostPort;
      const ackPacket = result.plaintext.slice(19, 405);
      const message = result.plaintext.slice(405);
      this.#later(() => this.#route(ackPacket, ackHop));
      if (deliver) this.#later(() => deliver(message));
      return;
    }
  }
}
