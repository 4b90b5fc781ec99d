// openConnection through a localnet to our network requester: bytes both ways, anonymous and
// with a return address, refusals and unreachable targets as typed errors.
import { ExitConnectionError, openConnection } from "../exit/mod.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";
import { body, sameBytes, startExitNet, startOrigin } from "./_exit_harness.ts";

async function httpGet(
  connection: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> },
  path: string,
): Promise<Uint8Array> {
  const writer = connection.writable.getWriter();
  await writer.write(new TextEncoder().encode(`GET ${path} HTTP/1.0\r\nHost: x\r\n\r\n`));
  const raw = new Uint8Array(await new Response(connection.readable).arrayBuffer());
  await writer.close();
  const text = new TextDecoder("latin1").decode(raw);
  return raw.subarray(text.indexOf("\r\n\r\n") + 4);
}

Deno.test("1 MB anonymously and 200 KB with a return address arrive byte-identical", async () => {
  await using exit = await startExitNet();
  const origin = startOrigin();
  try {
    const [user] = exit.users;
    for (const [anonymous, size] of [[true, 1_000_000], [false, 200_000]] as const) {
      const connection = openConnection(user, exit.exitClient.address, `127.0.0.1:${origin.port}`, {
        anonymous,
      });
      const received = await httpGet(connection, `/bytes/${size}`);
      assert(sameBytes(received, body(size)), `anonymous=${anonymous}: bytes differ`);
      await connection.closed;
    }
  } finally {
    await origin.close();
  }
});

Deno.test("a target outside the policy is refused with a ConnectionError", async () => {
  await using exit = await startExitNet(1, { allowLocalIps: false });
  const connection = openConnection(exit.users[0], exit.exitClient.address, "127.0.0.1:9");
  const error = await assertRejects(() => connection.opened, ExitConnectionError);
  assertEquals((error as ExitConnectionError).kind, "refused");
  assertEquals((error as ExitConnectionError).message, 'Domain "127.0.0.1:9" failed filter check');
  await assertRejects(() => new Response(connection.readable).arrayBuffer(), ExitConnectionError);
  await assertRejects(() => connection.closed, ExitConnectionError);
});

Deno.test("a port nobody listens on is reported unreachable", async () => {
  await using exit = await startExitNet();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const connection = openConnection(exit.users[0], exit.exitClient.address, `127.0.0.1:${port}`);
  const error = await assertRejects(() => connection.opened, ExitConnectionError);
  assertEquals((error as ExitConnectionError).kind, "unreachable");
  assertEquals((await new Response(connection.readable).arrayBuffer()).byteLength, 0);
  await connection.writable.close();
  await connection.closed;
});

/** A loopback TCP server that echoes until the client's EOF, then closes. */
function echoServer(): { port: number; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    for await (const conn of listener) {
      (async () => {
        await conn.readable.pipeTo(conn.writable).catch(() => {});
      })();
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      await served;
    },
  };
}

Deno.test("EOF travels both ways: our close ends the remote's input, its close ends ours", async () => {
  await using exit = await startExitNet();
  const echo = echoServer();
  try {
    const connection = openConnection(
      exit.users[0],
      exit.exitClient.address,
      `127.0.0.1:${echo.port}`,
    );
    const writer = connection.writable.getWriter();
    const reading = new Response(connection.readable).arrayBuffer();
    await writer.write(body(40_000, 5)); // more than one Send (16 KiB each)
    await writer.write(new TextEncoder().encode("end"));
    await writer.close();
    const echoed = new Uint8Array(await reading);
    assert(
      sameBytes(echoed, new Uint8Array([...body(40_000, 5), ...new TextEncoder().encode("end")])),
    );
    await connection.closed;
  } finally {
    await echo.close();
  }
});

Deno.test("abort errors both streams and closes the connection at the requester", async () => {
  let requesterClosed!: (reason: string) => void;
  const closedAtRequester = new Promise<string>((resolve) => requesterClosed = resolve);
  await using exit = await startExitNet(1, {
    onEvent: (event) => event.type === "closed" && requesterClosed(event.reason),
  });
  const echo = echoServer();
  try {
    const connection = openConnection(
      exit.users[0],
      exit.exitClient.address,
      `127.0.0.1:${echo.port}`,
    );
    await connection.opened;
    const writer = connection.writable.getWriter();
    await writer.write(new TextEncoder().encode("x"));
    const reader = connection.readable.getReader();
    assertEquals(new TextDecoder().decode((await reader.read()).value), "x");
    connection.abort("user gave up");
    const error = await assertRejects(() => reader.read(), ExitConnectionError);
    assertEquals((error as ExitConnectionError).kind, "aborted");
    await assertRejects(() => writer.write(new Uint8Array(1)), ExitConnectionError);
    await assertRejects(() => connection.closed, ExitConnectionError);
    // Our close reaches the requester, which half-closes TCP; the echo server then ends too, and
    // the connection is gone after Nym's linger.
    assert(["client closed", "remote closed"].includes(await closedAtRequester));
    assertEquals(exit.requester.connections, 0);
  } finally {
    await echo.close();
  }
});
