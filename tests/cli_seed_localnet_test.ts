// The seed's socket API end to end over a localnet: the 0.x JSON example (seed 003) on one
// client's `/mix`, a protobuf TCP client written from the schema on the other's `tcpsocket`, and
// `getClients` from the localnet directory's opt-in list (`init --public`).
import { chat0x } from "../examples/seed/chat_0x.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { initClient } from "../cli/init.ts";
import { main } from "../cli/main.ts";
import { runClient } from "../cli/run.ts";
import type { SeedApiEvent } from "../cli/seed_api.ts";
import { assert, assertEquals } from "./_assert.ts";
import { ApiApp } from "./_native_api_app.ts";
import {
  detailsId,
  fetchedMessages,
  readFields,
  requests,
  RESPONSE,
  SeedTcpApp,
} from "./_seed_client.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

/** Resolves each time the seed API buffered a received message. */
class Arrivals {
  #count = 0;
  #waiters: { n: number; resolve: () => void }[] = [];
  readonly onEvent = (event: SeedApiEvent | { type: string }): void => {
    if (event.type !== "received") return;
    this.#count++;
    const ready = this.#waiters.filter((w) => this.#count >= w.n);
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  };
  /** Resolves once `n` messages arrived in total. */
  reach(n: number): Promise<void> {
    if (this.#count >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }
}

Deno.test("the 0.x JSON example and a protobuf TCP client exchange messages through two clients over a localnet", async () => {
  await using net = await startLocalnet({ mixnodesPerLayer: 1, gateways: 2, logger: "silent" });
  const home = await Deno.makeTempDir();
  const env = (name: string) => (name === "NYM_HOME" ? home : undefined);
  const init = (id: string, gateway: number) =>
    initClient({
      id,
      nymApiUrls: [net.nymApiUrl],
      gateway: net.gateways[gateway].identity,
      noCover: true,
      public: true,
      env,
    });
  const alice = await init("alice", 0);
  const bob = await init("bob", 1);
  const aliceArrivals = new Arrivals();
  const bobArrivals = new Arrivals();
  // alice: `websocket --id alice`; bob: `tcpsocket --id bob --framing varint`
  const runA = await runClient({
    id: "alice",
    port: 0,
    env,
    seedPullOnly: true,
    onSeedEvent: aliceArrivals.onEvent,
  });
  const runB = await runClient({
    id: "bob",
    port: 0,
    env,
    seedTcp: { framing: "varint" },
    onSeedEvent: bobArrivals.onEvent,
  });
  const app = await ApiApp.open(`${runA.api!.url}/mix`);
  const tcp = await SeedTcpApp.open(runB.tcp!.port);
  const ask = async (request: object) => {
    app.ws.send(JSON.stringify(request));
    return JSON.parse((await app.next()) as string);
  };
  try {
    // The 0.x JSON example, verbatim: ownDetails, getClients, send, fetch.
    const own = await ask({ type: "ownDetails" });
    assertEquals(own, { type: "ownDetails", address: alice.address });
    const clients = await ask({ type: "getClients" });
    assertEquals(clients, { type: "getClients", clients: [alice.address, bob.address] });
    assertEquals(
      await ask({ type: "send", message: "hello from 0.x", recipient_address: bob.address }),
      { type: "send" },
    );

    // Bob's protobuf client: details, then fetch what alice sent, then answer.
    await tcp.write(requests.details(), requests.flush());
    assertEquals(detailsId((await tcp.read())!), bob.address);
    assertEquals((await tcp.read())!.field, RESPONSE.flush);
    await bobArrivals.reach(1);
    await tcp.write(requests.fetch(), requests.send(utf8("hello from protobuf"), alice.address));
    await tcp.write(requests.clients(), requests.flush());
    assertEquals(fetchedMessages((await tcp.read())!), [utf8("hello from 0.x")]);
    assertEquals((await tcp.read())!.field, RESPONSE.send);
    const listed = (await tcp.read())!;
    assertEquals(listed.field, RESPONSE.clients);
    assertEquals(readFields(listed.body).get(1)?.length, 2);
    assertEquals((await tcp.read())!.field, RESPONSE.flush);

    await aliceArrivals.reach(1);
    assertEquals(await ask({ type: "fetch" }), {
      type: "fetch",
      messages: ["hello from protobuf"],
    });
    assertEquals(await ask({ type: "fetch" }), { type: "fetch", messages: [] });
  } finally {
    tcp.close();
    await app.close();
    await runA.close();
    await runB.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("the 0.x JSON example app, unchanged, chats with a protobuf TCP client over a localnet", async () => {
  await using net = await startLocalnet({ mixnodesPerLayer: 1, gateways: 2, logger: "silent" });
  const home = await Deno.makeTempDir();
  const env = (name: string) => (name === "NYM_HOME" ? home : undefined);
  const init = (id: string, gateway: number) =>
    initClient({
      id,
      nymApiUrls: [net.nymApiUrl],
      gateway: net.gateways[gateway].identity,
      noCover: true,
      public: true,
      env,
    });
  const alice = await init("alice", 0);
  const bob = await init("bob", 1);
  const bobArrivals = new Arrivals();
  // alice: `run` (the seed API on /mix); bob: `tcpsocket --framing u64`
  const runA = await runClient({ id: "alice", port: 0, env });
  const runB = await runClient({
    id: "bob",
    port: 0,
    env,
    seedTcp: { framing: "u64" },
    onSeedEvent: bobArrivals.onEvent,
  });
  const tcp = await SeedTcpApp.open(runB.tcp!.port, "u64");
  try {
    const chatting = chat0x(`${runA.api!.url}/mix`, bob.address, "ping from 0.x", {
      pollMs: 50,
    });
    await bobArrivals.reach(1);
    await tcp.write(requests.fetch(), requests.send(utf8("pong from protobuf"), alice.address));
    await tcp.write(requests.flush());
    assertEquals(fetchedMessages((await tcp.read())!), [utf8("ping from 0.x")]);
    assertEquals((await tcp.read())!.field, RESPONSE.send);
    assertEquals((await tcp.read())!.field, RESPONSE.flush);
    assertEquals(await chatting, {
      address: alice.address,
      clients: [alice.address, bob.address],
      answer: "pong from protobuf",
    });
  } finally {
    tcp.close();
    await runA.close();
    await runB.close();
    await Deno.remove(home, { recursive: true });
  }
});

/** A CLI environment in a temporary NYM_HOME that resolves when a line is printed. */
class LineIo {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  readonly isTerminal = false;
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  #waiters: { prefix: string; resolve: (rest: string) => void }[] = [];
  constructor(readonly home: string) {}
  env = (name: string): string | undefined => (name === "NYM_HOME" ? this.home : undefined);
  print = (line: string): void => {
    this.lines.push(line);
    const ready = this.#waiters.filter((w) => line.startsWith(w.prefix));
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(line.slice(w.prefix.length));
  };
  writeError = (text: string): void => {
    this.errors.push(text);
  };
  line(prefix: string): Promise<string> {
    const found = this.lines.find((l) => l.startsWith(prefix));
    if (found !== undefined) return Promise.resolve(found.slice(prefix.length));
    return new Promise((resolve) => this.#waiters.push({ prefix, resolve }));
  }
}

Deno.test("the tcpsocket and websocket commands serve the seed API until stopped; bad flags are usage errors", async () => {
  await using net = await startLocalnet({ mixnodesPerLayer: 1, gateways: 1, logger: "silent" });
  const home = await Deno.makeTempDir();
  try {
    const initIo = new LineIo(home);
    assertEquals(
      await main(
        ["init", "--id", "carol", "--nym-api", net.nymApiUrl, "--no-cover", "--public"],
        initIo,
      ),
      0,
      initIo.errors.join(""),
    );
    const address = await initIo.line("Address of this client: ");

    const tcpIo = new LineIo(home);
    const tcpRun = main(["tcpsocket", "--id", "carol", "--port", "0", "--framing", "u64"], tcpIo);
    const [, port] = (await tcpIo.line("Running TCP socket on ")).split(":");
    const app = await SeedTcpApp.open(Number(port), "u64");
    try {
      await app.write(requests.details(), requests.clients(), requests.flush());
      assertEquals(detailsId((await app.read())!), address);
      const clients = (await app.read())!;
      assertEquals(readFields(readFields(clients.body).get(1)![0]).get(1), [utf8(address)]);
      assertEquals((await app.read())!.field, RESPONSE.flush);
    } finally {
      app.close();
    }
    tcpIo.controller.abort();
    assertEquals(await tcpRun, 0, tcpIo.errors.join(""));

    const wsIo = new LineIo(home);
    const wsRun = main(["websocket", "--id", "carol", "--port", "0"], wsIo);
    const mix = await ApiApp.open(await wsIo.line("Running seed API on "));
    try {
      mix.ws.send(`{"type":"ownDetails"}`);
      assertEquals(JSON.parse((await mix.next()) as string), { type: "ownDetails", address });
    } finally {
      await mix.close();
    }
    wsIo.controller.abort();
    assertEquals(await wsRun, 0, wsIo.errors.join(""));

    const badIo = new LineIo(home);
    assertEquals(await main(["tcpsocket", "--id", "carol", "--framing", "zigzag"], badIo), 2);
    assert(badIo.errors.join("").includes("--framing is varint or u64"));
    assertEquals(await main(["websocket", "--id", "carol", "--framing", "u64"], badIo), 2);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
