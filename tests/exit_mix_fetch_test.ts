// mixFetch through a localnet and our network requester: GET, POST, streaming bodies both
// ways, https with a custom CA (and a refused unknown CA), errors as typed errors.
import { createMixFetch, ExitConnectionError, MixFetchError } from "../exit/mod.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { body, handler, sameBytes, startExitNet, startOrigin } from "./_exit_harness.ts";
import { makeTestCerts } from "./_exit_tls.ts";

Deno.test("mixFetch GETs, POSTs and streams bodies over http", async () => {
  await using exit = await startExitNet();
  const origin = startOrigin();
  try {
    const mixFetch = createMixFetch({ client: exit.users[0], requester: exit.exitClient.address });
    const base = `http://127.0.0.1:${origin.port}`;
    const hello = await mixFetch(`${base}/`);
    assertEquals(hello.status, 200);
    assertEquals(await hello.text(), "hello through the mixnet\n");
    assertEquals(hello.url, `${base}/`);

    const big = await mixFetch(`${base}/bytes/200000`);
    assert(sameBytes(new Uint8Array(await big.arrayBuffer()), body(200_000)));

    const posted = await mixFetch(`${base}/echo`, {
      method: "POST",
      body: body(5000, 7) as Uint8Array<ArrayBuffer>,
    });
    assertEquals(posted.headers.get("x-method"), "POST");
    assert(sameBytes(new Uint8Array(await posted.arrayBuffer()), body(5000, 7)));

    // A streaming request body goes out chunked; a streaming response arrives chunked.
    const upload = ReadableStream.from([body(1000, 2), body(3000, 3)]);
    const streamed = await mixFetch(`${base}/echo`, {
      method: "PUT",
      body: upload,
      duplex: "half",
    } as RequestInit);
    assertEquals(streamed.headers.get("x-length"), "4000");
    assert(sameBytes(
      new Uint8Array(await streamed.arrayBuffer()),
      new Uint8Array([...body(1000, 2), ...body(3000, 3)]),
    ));
    const chunks = await mixFetch(`${base}/stream`);
    assertEquals(
      await chunks.text(),
      Array.from({ length: 10 }, (_, i) => `chunk ${i}\n`).join(""),
    );
    await assertRejects(() => mixFetch("ftp://127.0.0.1/"), MixFetchError);
  } finally {
    await origin.close();
  }
});

Deno.test("mixFetch over https verifies the origin against the given CA", async () => {
  const certs = await makeTestCerts();
  if (!certs) return;
  await using exit = await startExitNet();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: certs.cert, key: certs.key, onListen() {} },
    handler,
  );
  try {
    const url = `https://127.0.0.1:${server.addr.port}`;
    const mixFetch = createMixFetch({
      client: exit.users[0],
      requester: exit.exitClient.address,
      ca: certs.ca,
    });
    const response = await mixFetch(`${url}/bytes/100000`);
    assertEquals(response.status, 200);
    assert(sameBytes(new Uint8Array(await response.arrayBuffer()), body(100_000)));
    const posted = await mixFetch(`${url}/echo`, { method: "POST", body: "secret" });
    assertEquals(await posted.text(), "secret");

    // Without the CA the certificate is not trusted.
    const untrusting = createMixFetch({
      client: exit.users[0],
      requester: exit.exitClient.address,
    });
    const error = await assertRejects(() => untrusting(`${url}/`), Error);
    assert(/certificate|self.signed|verify/i.test(String(error)), String(error));
  } finally {
    await server.shutdown();
    await certs.cleanup();
  }
});

Deno.test("mixFetch rejects with the requester's refusal", async () => {
  await using exit = await startExitNet(1, { allowLocalIps: false });
  const mixFetch = createMixFetch({ client: exit.users[0], requester: exit.exitClient.address });
  const error = await assertRejects(() => mixFetch("http://127.0.0.1:1/"), ExitConnectionError);
  assertEquals((error as ExitConnectionError).kind, "refused");
});

Deno.test("https without a TLS implementation is a typed error", async () => {
  await using exit = await startExitNet();
  const mixFetch = createMixFetch({
    client: exit.users[0],
    requester: exit.exitClient.address,
    tls: () => Promise.reject(new MixFetchError("tlsUnavailable", "no TLS here")),
  });
  const error = await assertRejects(() => mixFetch("https://127.0.0.1:1/"), MixFetchError);
  assertEquals((error as MixFetchError).kind, "tlsUnavailable");
});
