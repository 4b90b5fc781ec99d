// TopologyRefresher: 5-minute refreshes on an injected clock, keeping the last good topology
// through up to 10 failures, URL rotation, stop().
import { assert, assertEquals } from "./_assert.ts";
import { startDirectory } from "../localnet/directory/mod.ts";
import {
  buildTopology,
  type FetchTopologyOptions,
  NymApiClient,
  type Topology,
  TopologyError,
  TopologyRefresher,
  type TopologyRefreshEvent,
} from "../topology/mod.ts";
import { ManualClock } from "./_fixtures/mod.ts";
import { makeNetwork } from "./_topology_fixtures.ts";

function topologyOfEpoch(epoch: number): Topology {
  return buildTopology({
    metadata: { keyRotationId: 0, absoluteEpochId: epoch, refreshedAt: new Date(0) },
    rewardedSet: {
      epochId: epoch,
      entryGateways: [],
      exitGateways: [],
      layer1: [],
      layer2: [],
      layer3: [],
      standby: [],
    },
    nodes: [],
  });
}

/** Collects refresher events and lets a test await the next one. */
class Events {
  readonly seen: TopologyRefreshEvent[] = [];
  #waiters: ((e: TopologyRefreshEvent) => void)[] = [];
  readonly push = (event: TopologyRefreshEvent): void => {
    this.seen.push(event);
    this.#waiters.shift()?.(event);
  };
  next(): Promise<TopologyRefreshEvent> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** A source whose answers are scripted: a topology, or an error to reject with. */
class ScriptedSource {
  calls = 0;
  rotations = 0;
  readonly options: (FetchTopologyOptions | undefined)[] = [];
  constructor(readonly script: (call: number) => Topology | Error) {}
  fetchTopology(options?: FetchTopologyOptions): Promise<Topology> {
    this.options.push(options);
    const answer = this.script(this.calls++);
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }
  useNextUrl(): void {
    this.rotations++;
  }
}

Deno.test("the refresher refreshes every 5 minutes, the first time one interval after start", async () => {
  const clock = new ManualClock();
  const events = new Events();
  const source = new ScriptedSource((call) => topologyOfEpoch(10 + call));
  const refresher = new TopologyRefresher({
    source,
    clock,
    initial: topologyOfEpoch(1),
    onEvent: events.push,
    fetchOptions: { minMixnodePerformance: 70 },
  });
  refresher.start();
  clock.advance(299_999);
  assertEquals(source.calls, 0);
  const first = events.next();
  clock.advance(1);
  assertEquals(source.calls, 1);
  const event = await first;
  assert(event.type === "refreshed" && event.topology.epochId === 10);
  assertEquals(refresher.topology?.epochId, 10);
  assertEquals(source.options[0]?.minMixnodePerformance, 70);
  assert(source.options[0]?.signal instanceof AbortSignal, "each fetch gets an abort signal");

  const second = events.next();
  clock.advance(300_000);
  await second;
  assertEquals(refresher.topology?.epochId, 11);
  assertEquals(source.calls, 2);
  refresher.stop();
  assertEquals(clock.pending, 0);
});

Deno.test("the last good topology survives 10 failures in a row and is dropped on the 11th", async () => {
  const clock = new ManualClock();
  const events = new Events();
  const failure = new TopologyError("network", "nym-api unreachable");
  const source = new ScriptedSource((call) =>
    call === 0 || call === 12 ? topologyOfEpoch(call) : failure
  );
  const refresher = new TopologyRefresher({ source, clock, onEvent: events.push });
  refresher.start();
  for (let round = 0; round < 13; round++) {
    const next = events.next();
    clock.advance(300_000);
    await next;
  }
  const types = events.seen.map((e) => e.type);
  assertEquals(types, [
    "refreshed",
    ...Array(10).fill("failed"),
    "cleared",
    "refreshed",
  ]);
  for (const [i, event] of events.seen.slice(1, 11).entries()) {
    assert(event.type === "failed");
    assertEquals(event.consecutiveFailures, i + 1);
    assertEquals(event.kept?.epochId, 0);
    assertEquals(event.error, failure);
  }
  const cleared = events.seen[11];
  assert(cleared.type === "cleared" && cleared.consecutiveFailures === 11);
  assertEquals(source.rotations, 11, "the source moves to the next URL after every failure");
  assertEquals(refresher.topology?.epochId, 12);
  assertEquals(refresher.consecutiveFailures, 0);
  refresher.stop();
});

Deno.test("a success in between resets the failure count", async () => {
  const source = new ScriptedSource((call) =>
    call % 6 === 5 ? topologyOfEpoch(call) : new Error("x")
  );
  const refresher = new TopologyRefresher({ source, initial: topologyOfEpoch(0), maxFailures: 5 });
  for (let i = 0; i < 12; i++) await refresher.refresh();
  // Failures 1-5 kept, success, failures 1-5 kept, success: the topology was never dropped.
  assertEquals(refresher.topology?.epochId, 11);
  assertEquals(refresher.consecutiveFailures, 0);
  await refresher.refresh();
  assertEquals(refresher.consecutiveFailures, 1);
  assertEquals(refresher.topology?.epochId, 11);
});

Deno.test("stop() clears the timer and a refresh in flight changes nothing", async () => {
  const clock = new ManualClock();
  const events = new Events();
  let aborted = false;
  const refresher = new TopologyRefresher({
    clock,
    initial: topologyOfEpoch(1),
    onEvent: events.push,
    source: {
      fetchTopology: (options) =>
        new Promise((_, reject) => {
          options?.signal?.addEventListener("abort", () => {
            aborted = true;
            reject(new TopologyError("aborted", "stopped"));
          });
        }),
    },
  });
  refresher.start();
  refresher.start(); // idempotent
  assertEquals(clock.pending, 1);
  assert(refresher.running);
  clock.advance(300_000); // a refresh is now in flight
  refresher.stop();
  assertEquals(clock.pending, 0);
  assert(!refresher.running);
  assert(aborted, "the in-flight fetch was aborted");
  assertEquals((await refresher.refresh().then(() => refresher.topology))?.epochId, 1);
  assertEquals(events.seen.length, 0);
  assertEquals(refresher.consecutiveFailures, 0);
});

Deno.test("concurrent refresh() calls share one fetch", async () => {
  const source = new ScriptedSource((call) => topologyOfEpoch(call));
  const refresher = new TopologyRefresher({ source });
  const [a, b] = await Promise.all([refresher.refresh(), refresher.refresh()]);
  assertEquals(source.calls, 1);
  assert(a === b);
});

Deno.test("with a real nym-api the refresher picks up changes and rotates URLs on failure", async () => {
  const broken = makeNetwork(1, 1);
  broken.rewardedSet.layer3 = []; // not routable
  await using bad = startDirectory(broken);
  const good = makeNetwork(1, 1);
  await using live = startDirectory(good);
  const client = new NymApiClient({ urls: [bad.url, live.url] });
  const clock = new ManualClock();
  const events = new Events();
  const refresher = new TopologyRefresher({ source: client, clock, onEvent: events.push });
  refresher.start();

  let next = events.next();
  clock.advance(300_000);
  const failed = await next;
  assert(failed.type === "failed" && failed.error instanceof TopologyError);
  assertEquals((failed.error as TopologyError).kind, "not-routable");
  assertEquals(client.currentUrl, live.url);

  next = events.next();
  clock.advance(300_000);
  assertEquals((await next).type, "refreshed");
  assertEquals(refresher.topology?.nodes.size, 4);

  live.update({ keyRotation: { currentAbsoluteEpochId: 130 } });
  next = events.next();
  clock.advance(300_000);
  await next;
  assertEquals(refresher.topology?.metadata.keyRotationId, 5);
  refresher.stop();
});
