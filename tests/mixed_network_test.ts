// A network as mixed as the real one: one gateway of each kind (current, nym-node 1.22,
// credential-enforcing, unresolvable hostname, slow stored backlog) and Sphinx keys rotating
// every 4 s (each rotation one epoch, the old keys purged an epoch later). Twenty clients with
// persistent storage connect, exchange messages and anonymous replies, go offline while
// messages for them wait at their gateways, come back with the same address, and exchange
// again. Nothing is lost and every client ends on a gateway that works.
import { connect, type ConnectOptions } from "../client/connect.ts";
import type { MixnetClient, ReceivedMessage } from "../client/mixnet_client.ts";
import { MemoryStorage } from "../client/storage.ts";
import { type Localnet, LOCALNET_GATEWAY_KINDS, startLocalnet } from "../localnet/mod.ts";
import { assert, assertEquals } from "./_assert.ts";

const CLIENTS = 20;

/** Every message a client receives, with waiters for the next ones. */
class Inbox {
  readonly messages: ReceivedMessage[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];
  #reading: Promise<void>;

  constructor(client: MixnetClient) {
    this.#reading = (async () => {
      for await (const message of client.messages) {
        this.messages.push(message);
        for (const w of this.#waiters.filter((w) => this.messages.length >= w.count)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    })();
  }

  /** Resolves once `count` messages arrived in total. */
  until(count: number): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** Resolves when the client's message stream ended. */
  ended(): Promise<void> {
    return this.#reading;
  }
}

const text = (m: ReceivedMessage): string => new TextDecoder().decode(m.data);

function options(net: Localnet, storage: MemoryStorage): ConnectOptions {
  return {
    nymApiUrl: net.nymApiUrl,
    storage,
    // no cover traffic and no Poisson delays: twenty clients in one process stay within seconds
    traffic: "noCover",
    livenessIntervalMs: 0,
    // several refreshes per epoch, so that new keys are seen during the overlap epoch
    topologyRefreshMs: 250,
  };
}

/** Resolves on the localnet's next epoch changes. */
class Epochs {
  #waiters: (() => void)[] = [];
  next(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
  async passed(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await new Promise<void>((r) => this.#waiters.push(r));
  }
}

Deno.test("twenty clients survive a network with one gateway of each kind and rotating keys", async () => {
  const epochs = new Epochs();
  await using net = await startLocalnet({
    gatewayKinds: LOCALNET_GATEWAY_KINDS,
    mixnodesPerLayer: 1,
    maxPerHopDelayMs: 50,
    backlogDelayMs: 20,
    keyRotation: { epochMs: 4000, validityEpochs: 1, onEpoch: () => epochs.next() },
    logger: "silent",
  });
  const startRotation = net.epoch.keyRotationId;
  const kindOf = new Map(net.gateways.map((g) => [g.identity, g.kind]));
  const storages = Array.from({ length: CLIENTS }, () => new MemoryStorage());
  let clients = await Promise.all(storages.map((s) => connect(options(net, s))));
  let inboxes = clients.map((c) => new Inbox(c));
  const addresses = clients.map((c) => c.address);
  const gatewayOf = (address: string) => kindOf.get(address.split("@")[1]);
  try {
    // nobody ends on the gateway that demands credentials; the others all take clients
    const kinds = addresses.map(gatewayOf);
    assert(!kinds.includes("enforce-credentials"), kinds.join());
    // round 1: a message to the next client with reply SURBs, answered anonymously
    await Promise.all(
      clients.map((c, i) => c.send(addresses[(i + 1) % CLIENTS], `hello ${i}`, { replySurbs: 4 })),
    );
    await Promise.all(inboxes.map((inbox) => inbox.until(1)));
    // the keys rotate: the replies spend SURBs of the previous rotation while they still work
    // (the overlap epoch) and the repliers ask for fresh ones
    await epochs.passed(1);
    await Promise.all(
      inboxes.map((inbox, i) => {
        const m = inbox.messages[0];
        assertEquals(text(m), `hello ${(i + CLIENTS - 1) % CLIENTS}`);
        return clients[i].reply(m.senderTag!, `reply from ${i}`);
      }),
    );
    await Promise.all(inboxes.map((inbox) => inbox.until(2)));
    inboxes.forEach((inbox, i) => {
      assertEquals([inbox.messages[1].kind, text(inbox.messages[1])], [
        "reply",
        `reply from ${(i + 1) % CLIENTS}`,
      ]);
    });
    // the even clients go offline; the odd ones send to them (stored at their gateways)
    const offline = clients.map((_, i) => i % 2 === 0);
    await Promise.all(clients.map((c, i) => offline[i] ? c.disconnect() : undefined));
    await Promise.all(inboxes.map((inbox, i) => offline[i] ? inbox.ended() : undefined));
    await Promise.all(
      clients.map((c, i) =>
        offline[i] ? undefined : Promise.all(
          [0, 1, 2].map((k) => c.send(addresses[i - 1], `while away ${i}.${k}`)),
        )
      ),
    );
    // back with the same storage: the same address, the stored gateway, the stored messages
    const back = await Promise.all(
      storages.map((s, i) => offline[i] ? connect(options(net, s)) : undefined),
    );
    clients = clients.map((c, i) => back[i] ?? c);
    inboxes = inboxes.map((inbox, i) => back[i] ? new Inbox(back[i]!) : inbox);
    assertEquals(clients.map((c) => c.address), addresses);
    await Promise.all(inboxes.map((inbox, i) => offline[i] ? inbox.until(3) : undefined));
    inboxes.forEach((inbox, i) => {
      if (!offline[i]) return;
      assertEquals(
        inbox.messages.map(text).sort(),
        [0, 1, 2].map((k) => `while away ${i + 1}.${k}`),
      );
    });
    // round 2 after the reconnections: everyone still reaches everyone and replies come back
    const before = inboxes.map((inbox) => inbox.messages.length);
    await Promise.all(
      clients.map((c, i) => c.send(addresses[(i + 7) % CLIENTS], `again ${i}`, { replySurbs: 2 })),
    );
    await Promise.all(inboxes.map((inbox, i) => inbox.until(before[i] + 1)));
    // another rotation before the replies
    await epochs.passed(1);
    await Promise.all(
      inboxes.map((inbox, i) => clients[i].reply(inbox.messages[before[i]].senderTag!, `ok ${i}`)),
    );
    await Promise.all(inboxes.map((inbox, i) => inbox.until(before[i] + 2)));
    inboxes.forEach((inbox, i) => {
      assertEquals(text(inbox.messages[before[i]]), `again ${(i + CLIENTS - 7) % CLIENTS}`);
      assertEquals(text(inbox.messages[before[i] + 1]), `ok ${(i + 7) % CLIENTS}`);
    });
    for (const c of clients) assert(gatewayOf(c.address) !== "enforce-credentials");
    assert(
      net.epoch.keyRotationId >= startRotation + 2,
      `${startRotation} → ${net.epoch.keyRotationId}`,
    );
  } finally {
    await Promise.all(clients.map((c) => c.disconnect()));
  }
});
