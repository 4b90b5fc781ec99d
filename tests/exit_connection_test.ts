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
