// The CLI end to end, in-process: init registers once, every later run authenticates with the
// stored keys (same address); two clients talk through their WebSocket APIs over a localnet;
// `send` and `localnet` as commands. Everything binds port 0 and lives in a temporary NYM_HOME.
import { DatabaseSync } from "node:sqlite";
import { fromBase58, toBase58 } from "../internal/encoding.ts";
import { AnonymousSenderTag, Recipient } from "../message/mod.ts";
import { startDirectory } from "../localnet/directory/mod.ts";
import { type GatewayServerEvent, startGatewayServer } from "../localnet/gateway/mod.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { CliError } from "../cli/cli_error.ts";
import type { CliIo } from "../cli/cli_io.ts";
import type { Clock, TimerHandle } from "../internal/clock.ts";
import { parseConfig } from "../cli/config.ts";
import { initClient } from "../cli/init.ts";
import { main } from "../cli/main.ts";
import { runClient } from "../cli/run.ts";
import { sendOnce } from "../cli/send.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { ApiApp } from "./_native_api_app.ts";

// ---- helpers ------------------------------------------------------------------------------------

/** An in-process CLI environment: a temporary NYM_HOME, captured output, a stop signal. */
class TestIo implements CliIo {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  readonly isTerminal = false;
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  clock?: Clock;
  #waiters: { prefix: string; resolve: (line: string) => void }[] = [];

  constructor(readonly home: string) {}

  env = (name: string): string | undefined => (name === "NYM_HOME" ? this.home : undefined);

  print = (line: string): void => {
    this.lines.push(line);
    const ready = this.#waiters.filter((w) => line.startsWith(w.prefix));
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve(line);
  };

  writeError = (text: string): void => {
    this.errors.push(text);
  };

  /** The first printed line starting with `prefix` (now or later), without the prefix. */
  line(prefix: string): Promise<string> {
    const found = this.lines.find((l) => l.startsWith(prefix));
    if (found !== undefined) return Promise.resolve(found.slice(prefix.length));
    return new Promise((resolve) =>
      this.#waiters.push({ prefix, resolve: (l) => resolve(l.slice(prefix.length)) })
    );
  }
}

const u64 = (n: number) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
};
const cat = (...parts: (number[] | Uint8Array)[]) => new Uint8Array(parts.flatMap((p) => [...p]));
const utf8 = (text: string) => new TextEncoder().encode(text);

/**
 * A directory and one real gateway (with its event stream); the mixnodes are listed but not
 * running, which is enough for registering and authenticating.
 */
async function gatewayOnlyNetwork() {
  const crypto = defaultCrypto();
  const events: GatewayServerEvent[] = [];
  const watchers = new Set<(event: GatewayServerEvent) => void>();
  const gateway = await startGatewayServer({
    identitySecretKey: globalThis.crypto.getRandomValues(new Uint8Array(32)),
    forward: () => {},
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    onEvent: (event) => {
      events.push(event);
      for (const watch of watchers) watch(event);
    },
  });
  const key = () => crypto.x25519PublicKey(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const identity = () =>
    crypto.ed25519PublicKey(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const directory = startDirectory({
    nodes: [
      ...[1, 2, 3].map((nodeId) => ({
        nodeId,
        identityKey: identity(),
        sphinxKey: key(),
        mixPort: 9, // nothing listens: no packet is sent in these tests
      })),
      {
        nodeId: 4,
        identityKey: gateway.identityKey,
        sphinxKey: key(),
        mixPort: 9,
        entry: { wsPort: gateway.port },
      },
    ],
    rewardedSet: {
      epochId: 1,
      entryGateways: [4],
      exitGateways: [4],
      layer1: [1],
      layer2: [2],
      layer3: [3],
    },
  });
  return {
    gateway,
    directory,
    events,
    count: (type: GatewayServerEvent["type"]) => events.filter((e) => e.type === type).length,
    /** Resolves at the next event of `type`. */
    next: (type: GatewayServerEvent["type"]) =>
      new Promise<void>((resolve) => {
        const watch = (event: GatewayServerEvent) => {
          if (event.type !== type) return;
          watchers.delete(watch);
          resolve();
        };
        watchers.add(watch);
      }),
    async close() {
      await directory.close();
      await gateway.close();
    },
  };
}

/**
 * Real timers, but `now()` stands still at `at` until the test moves it: two runs of a client
 * then authenticate within the same second whatever the machine's load.
 */
class PinnedClock implements Clock {
  constructor(public at: number) {}
  now = (): number => this.at;
  setTimeout = (callback: () => void, ms: number): TimerHandle => setTimeout(callback, ms);
  clearTimeout = (handle: TimerHandle): void => clearTimeout(handle as number);
}

async function fileMode(path: string): Promise<number> {
  return (await Deno.stat(path)).mode! & 0o777;
}

// ---- tests ------------------------------------------------------------------------------------

Deno.test("init registers once; every later run authenticates with the stored keys at the same address", async () => {
  const net = await gatewayOnlyNetwork();
  const home = await Deno.makeTempDir();
  try {
    const gatewayId = toBase58(net.gateway.identityKey);
    // init, as the command: prints nym-client's result lines and the address.
    const initIo = new TestIo(home);
    const code = await main([
      "init",
      "--id",
      "alice",
      "--nym-api",
      net.directory.url,
      "--gateway",
      gatewayId,
      "--port",
      "0",
      "--no-cover",
    ], initIo);
    assertEquals(code, 0, initIo.errors.join(""));
    const address = await initIo.line("Address of this client: ");
    assert(address.endsWith(`@${gatewayId}`));
    assertEquals(await initIo.line("Gateway ID: "), gatewayId);
    assertEquals(await initIo.line("Gateway: "), net.gateway.url);
    assertEquals([net.count("registered"), net.count("authenticated")], [1, 0]);

    // The files of a native client, with its PEM types and 0600 private files.
    const data = `${home}/clients/alice/data`;
    const config = parseConfig(await Deno.readTextFile(`${home}/clients/alice/config/config.toml`));
    assertEquals(config.client.id, "alice");
    assertEquals(config.client.nym_api_urls, [net.directory.url]);
    assertEquals(
      config.storage_paths.keys.private_identity_key_file,
      `${data}/private_identity.pem`,
    );
    const pemTypes: [string, string][] = [
      ["private_identity.pem", "ED25519 PRIVATE KEY"],
      ["public_identity.pem", "ED25519 PUBLIC KEY"],
      ["private_encryption.pem", "X25519 PRIVATE KEY"],
      ["public_encryption.pem", "X25519 PUBLIC KEY"],
      ["ack_key.pem", "AES-128-CTR ACKNOWLEDGEMENTS KEY"],
    ];
    for (const [file, type] of pemTypes) {
      const text = await Deno.readTextFile(`${data}/${file}`);
      assert(text.startsWith(`-----BEGIN ${type}-----\r\n`), file);
      if (Deno.build.os !== "windows") assertEquals(await fileMode(`${data}/${file}`), 0o600, file);
    }
    const db = new DatabaseSync(`${data}/gateways_registrations.sqlite`, { readOnly: true });
    try {
      assertEquals(
        db.prepare("SELECT active_gateway_id_bs58 AS id FROM active_gateway").get()?.id,
        gatewayId,
      );
      assertEquals(
        db.prepare("SELECT gateway_id_bs58 AS id FROM registered_gateway").get()?.id,
        gatewayId,
      );
    } finally {
      db.close();
    }
    if (Deno.build.os !== "windows") {
      assertEquals(await fileMode(`${data}/gateways_registrations.sqlite`), 0o600);
      assertEquals(await fileMode(`${data}/persistent_reply_store.sqlite`), 0o600);
    }
    // The public identity key file holds the address's identity part.
    const [identity] = address.split(".");
    const publicPem = await Deno.readTextFile(`${data}/public_identity.pem`);
    assertEquals(
      toBase58(Uint8Array.from(atob(publicPem.split("\r\n")[1]), (c) => c.charCodeAt(0))),
      identity,
    );

    // First run, in-process: authenticateV2 with the stored shared key, no registration. Both
    // runs see the same second on their clock.
    const clock = new PinnedClock(Math.floor(Date.now() / 1000) * 1000);
    const first = await runClient({ id: "alice", env: initIo.env, clock });
    try {
      assertEquals(first.client.address, address);
      assertEquals([net.count("registered"), net.count("authenticated")], [1, 1]);
      const app = await ApiApp.open(first.api!.url);
      app.ws.send(`{"type":"selfAddress"}`);
      assertEquals(await app.next(), `{"type":"selfAddress","address":"${address}"}`);
      await app.close();
    } finally {
      await first.close();
    }

    // Second run, as the command: prints the address and API, stops on the signal. Started
    // within the same second as the previous session's authentication, it is refused once (the
    // gateway wants a strictly newer timestamp) and retried a second later.
    const runIo = new TestIo(home);
    runIo.clock = clock;
    const refused = net.next("rejected").then(() => clock.at += 1000);
    const running = main(["run", "--id", "alice", "--port", "0"], runIo);
    assertEquals(await runIo.line("Address of this client: "), address);
    const url = await runIo.line("Running websocket on ");
    const app = await ApiApp.open(url);
    app.ws.send(new Uint8Array([0x03]));
    assertEquals(await app.next(), cat([0x02], Recipient.parse(address).toBytes()));
    runIo.controller.abort();
    assertEquals(await running, 0, runIo.errors.join(""));
    await app.close();
    assertEquals([net.count("registered"), net.count("authenticated")], [1, 2]);
    const rejected = net.events.filter((e) => e.type === "rejected");
    assertEquals(rejected.length, 1, "refused exactly once");
    assert(/timestamp/.test(rejected[0].reason), rejected[0].reason);
    await refused;

    // A one-shot send whose packets go nowhere (these mixnodes do not run) waits for its acks
    // until interrupted, and says how far it got.
    const stop = new AbortController();
    void net.next("forwarded").then(() => stop.abort());
    await assertRejects(
      () =>
        sendOnce({
          id: "alice",
          to: address,
          data: utf8("lost"),
          env: initIo.env,
          signal: stop.signal,
        }),
      CliError,
      (e) => e.kind === "interrupted" && e.message.includes("0 of 1 fragment(s) acknowledged"),
    );

    // init refuses an existing id; --force makes a new identity and registers it.
    await assertRejects(
      () => initClient({ id: "alice", nymApiUrls: [net.directory.url], env: initIo.env }),
      CliError,
      (e) => e.kind === "already-initialised",
    );
    const forced = await initClient({
      id: "alice",
      nymApiUrls: [net.directory.url],
      gateway: gatewayId,
      force: true,
      env: initIo.env,
    });
    assert(forced.address !== address);
    assertEquals(net.count("registered"), 2);
  } finally {
    await net.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("run and send refuse a client that was never initialised", async () => {
  const home = await Deno.makeTempDir();
  try {
    const io = new TestIo(home);
    await assertRejects(
      () => runClient({ id: "nobody", env: io.env }),
      CliError,
      (e) => e.kind === "not-initialised",
    );
    const code = await main(["send", "--id", "nobody", "--to", "x", "hi"], io);
    assertEquals(code, 1);
    assert(io.errors.join("").includes("--to"), io.errors.join(""));
    assertEquals(await main(["run"], io), 2);
    assertEquals(await main(["bogus"], io), 2);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("two CLI clients exchange text, binary and anonymous replies through their WebSocket APIs", async () => {
  await using net = await startLocalnet({ mixnodesPerLayer: 1, gateways: 2, logger: "silent" });
  const home = await Deno.makeTempDir();
  const io = new TestIo(home);
  const init = (id: string, gateway: number) =>
    initClient({
      id,
      nymApiUrls: [net.nymApiUrl],
      gateway: net.gateways[gateway].identity,
      noCover: true,
      env: io.env,
    });
  const alice = await init("alice", 0);
  const bob = await init("bob", 1);
  const runA = await runClient({ id: "alice", port: 0, env: io.env });
  const runB = await runClient({ id: "bob", port: 0, env: io.env });
  const appA = await ApiApp.open(runA.api!.url);
  const appB = await ApiApp.open(runB.api!.url);
  try {
    assertEquals([runA.client.address, runB.client.address], [alice.address, bob.address]);

    // Text from alice; bob has sent no request yet, so it arrives in the binary form.
    appA.ws.send(JSON.stringify({ type: "send", recipient: bob.address, message: "hello bob" }));
    assertEquals(await appB.next(), cat([0x01, 0x00], u64(9), utf8("hello bob")));

    // Binary (not UTF-8) from alice, through the binary request form.
    const payload = globalThis.crypto.getRandomValues(new Uint8Array(5000));
    appA.ws.send(cat([0x00], Recipient.parse(bob.address).toBytes(), u64(0), u64(5000), payload));
    assertEquals(await appB.next(), cat([0x01, 0x00], u64(5000), payload));

    // Anonymous, with reply SURBs: bob gets a sender tag, not alice's address...
    appA.ws.send(JSON.stringify({
      type: "sendAnonymous",
      recipient: bob.address,
      message: "who am I?",
      replySurbs: 5,
    }));
    const anonymous = (await appB.next()) as Uint8Array;
    assertEquals([anonymous[0], anonymous[1]], [0x01, 0x01]);
    const tag = anonymous.slice(2, 18);
    assertEquals(anonymous.subarray(18), cat(u64(9), utf8("who am I?")));

    // ...and answers through it, in binary; alice's last request was text, so text it is.
    appB.ws.send(cat([0x02], tag, u64(0), u64(17), utf8("you are anonymous")));
    assertEquals(
      await appA.next(),
      `{"type":"received","message":"you are anonymous","senderTag":null}`,
    );
    // A text reply, with a connection id: bob gets the lane's queue length back.
    appB.ws.send(JSON.stringify({
      type: "reply",
      senderTag: new AnonymousSenderTag(tag).toString(),
      message: "again",
      connectionId: 7,
    }));
    const lane = await appB.next();
    assert(
      typeof lane === "string" && lane.startsWith(`{"type":"laneQueueLength","lane":7,`),
      String(lane),
    );
    assertEquals(await appA.next(), `{"type":"received","message":"again","senderTag":null}`);

    // `send` as a command, from alice's identity once her run has stopped.
    await appA.close();
    await runA.close();
    const sendIo = new TestIo(home);
    const code = await main(
      ["send", "--id", "alice", "--to", bob.address, "--no-cover", "one-shot"],
      sendIo,
    );
    assertEquals(code, 0, sendIo.errors.join(""));
    assert(sendIo.errors.join("").includes("delivered 8 bytes"));
    // Bob's last request was text, so the message comes as text.
    assertEquals(await appB.next(), `{"type":"received","message":"one-shot","senderTag":null}`);
    assertEquals(fromBase58(alice.gatewayId), net.gateways[0].server.identityKey);
  } finally {
    await appA.close();
    await appB.close();
    await runA.close();
    await runB.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("the localnet command prints its endpoints and stops on the signal", async () => {
  const io = new TestIo("/nonexistent");
  const done = main(["localnet", "--gateways", "2", "--mixnodes-per-layer", "1"], io);
  const api = await io.line("nym-api ");
  const nodes = await fetch(new URL("v2/unstable/nym-nodes/skimmed", api));
  assertEquals(nodes.status, 200);
  await nodes.body?.cancel();
  const gateways = io.lines.filter((l) => l.startsWith("gateway "));
  assertEquals(gateways.length, 2);
  for (const line of gateways) {
    const [, identity, url] = line.split(" ");
    assertEquals(fromBase58(identity).length, 32);
    assert(/^ws:\/\/127\.0\.0\.1:\d+$/.test(url), url);
  }
  io.controller.abort();
  assertEquals(await done, 0);
  assertEquals(await main(["localnet", "--gateways", "zero"], io), 2);
});
