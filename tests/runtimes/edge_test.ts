// The edge handler (examples/edge/handler.ts) driven with plain Web Requests against a localnet.
import { connect, type ConnectOptions, type MixnetClient } from "../../mod.ts";
import { startLocalnet } from "../../localnet/mod.ts";
import { createHandler } from "../../examples/edge/handler.ts";
import { assert, assertEquals } from "../_assert.ts";

async function next(client: MixnetClient): Promise<string> {
  const reader = client.messages.getReader();
  const { value, done } = await reader.read();
  reader.releaseLock();
  assert(!done && value);
  return new TextDecoder().decode(value.data);
}

function post(to: string, body: BodyInit, url = "http://edge.example/"): Request {
  return new Request(`${url}?to=${encodeURIComponent(to)}`, { method: "POST", body });
}

Deno.test("the edge handler connects once and sends every request through the mixnet", async () => {
  await using net = await startLocalnet({ gateways: 2, logger: "silent" });
  const bob = await connect({
    nymApiUrl: net.nymApiUrl,
    traffic: "noCover",
    gateway: net.gateways[1].identity,
  });
  let connects = 0;
  const handler = createHandler({
    nymApiUrl: net.nymApiUrl,
    traffic: "noCover",
    gateway: net.gateways[0].identity,
    connect: (options: ConnectOptions) => {
      connects++;
      return connect(options);
    },
  });
  try {
    const first = await handler.fetch(post(bob.address, "first request"));
    assertEquals([first.status, await first.json()], [200, { delivered: true, fragments: 1 }]);
    assertEquals(await next(bob), "first request");

    // Concurrent requests share the one client.
    const bodies = ["second", "third", "fourth"];
    const responses = await Promise.all(bodies.map((b) => handler.fetch(post(bob.address, b))));
    assertEquals(responses.map((r) => r.status), [200, 200, 200]);
    await Promise.all(responses.map((r) => r.body?.cancel()));
    const received = [await next(bob), await next(bob), await next(bob)];
    assertEquals(received.sort(), [...bodies].sort());

    const big = new Uint8Array(10_000).fill(0x61);
    const large = await handler.fetch(post(bob.address, big));
    assertEquals((await large.json()).fragments, 7);
    assertEquals(await next(bob), "a".repeat(10_000));

    const info = await handler.fetch(new Request("http://edge.example/"));
    const { address } = await info.json();
    assert(address.endsWith(`@${net.gateways[0].identity}`), address);
    assertEquals(connects, 1);
  } finally {
    await handler.close();
    await bob.disconnect();
  }
});

Deno.test("the edge handler refuses bad requests before touching the mixnet", async () => {
  let connects = 0;
  const handler = createHandler({
    connect: () => {
      connects++;
      return Promise.reject(new Error("not expected"));
    },
    maxBodyBytes: 100,
  });
  const valid = "8YU4Wesa99knzpkFFQh3tNjEkq2hPu31utoWSfxT2zA7.AG9Xf6TwzcUwrfgEbjwiSnLRdcZvwEAkJR5" +
    "JkphSbCC9@CQfACNZ17iLTD5wt378UQ5SARaVzcfCLXowpgDQsyiCz";
  const cases: [Request, number][] = [
    [new Request("http://edge.example/", { method: "PUT", body: "x" }), 405],
    [new Request("http://edge.example/", { method: "POST", body: "x" }), 400],
    [post("not-an-address", "x"), 400],
    [post(valid.slice(0, -3), "x"), 400],
    [post(valid, ""), 400],
    [post(valid, new Uint8Array(101)), 413],
  ];
  for (const [request, status] of cases) {
    const response = await handler.fetch(request);
    assertEquals(response.status, status, `${request.method} ${request.url}`);
    assert(typeof (await response.json()).error === "string");
  }
  assertEquals(connects, 0);
  await handler.close();
});

Deno.test("the edge handler answers 503 while the mixnet is unreachable and retries later", async () => {
  await using net = await startLocalnet({ logger: "silent" });
  let reachable = false;
  let connects = 0;
  const handler = createHandler({
    nymApiUrl: net.nymApiUrl,
    traffic: "noCover",
    connect: (options: ConnectOptions) => {
      connects++;
      return reachable ? connect(options) : Promise.reject(new Error("directory down"));
    },
  });
  try {
    const down = await handler.fetch(new Request("http://edge.example/"));
    assertEquals([down.status, (await down.json()).error], [
      503,
      "mixnet unreachable: directory down",
    ]);
    reachable = true;
    const up = await handler.fetch(new Request("http://edge.example/"));
    assertEquals(up.status, 200);
    const { address } = await up.json();
    const sent = await handler.fetch(post(address, "to myself"));
    assertEquals(sent.status, 200);
    await sent.body?.cancel();
    assertEquals(connects, 2);
  } finally {
    await handler.close();
  }
});
