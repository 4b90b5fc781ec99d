// openConnection against a scripted requester on a manual clock: Connect and Send bytes,
// responses reordered by sequence, keepalives after 60 s of silence, the idle timeout, a slow
// reader's cap, and a ConnectionError.
import {
  decodeRequest,
  encodeResponse,
  type ExitClient,
  ExitConnectionError,
  type ExitReceivedMessage,
  type ExitRequest,
  openConnection,
} from "../exit/mod.ts";
import { ManualClock } from "./_manual_clock.ts";
import { wire } from "../client/_wiring.ts";
import { assert, assertEquals, assertRejects } from "./_assert.ts";

const REQUESTER =
  "3KRydEpanwjFhq5GAraVjRUF1Tno7w7oc4EwJYTGNo5J.RgZ7uMJHruBQqD5hC9Ghi3sqiTn6NycfM5qCfJz6yoM@9Byd9VAtyYMnbVAcqdoQxJnq76XEg2dbxbiF5Aa5Jj9J";

function fakeClient() {
  const sent: { request: ExitRequest; replySurbs: number }[] = [];
  let handler: (message: ExitReceivedMessage) => boolean = () => false;
  const client: ExitClient = {
    address: REQUESTER,
    send(_to, data, options) {
      sent.push({ request: decodeRequest(data), replySurbs: options?.replySurbs ?? 0 });
      return Promise.resolve();
    },
  };
  wire(client, {
    intercept(h) {
      handler = h as (message: ExitReceivedMessage) => boolean;
      return () => {};
    },
  });
  const respond = (id: bigint, sequence: number, data: string, localClosed = false) =>
    handler({
      data: encodeResponse({
        kind: "networkData",
        interfaceVersion: 3,
        socks5Version: 3,
        connectionId: id,
        localClosed,
        sequence: BigInt(sequence),
        data: new TextEncoder().encode(data),
      }),
    });
  return {
    client,
    sent,
    respond,
    refuse: (id: bigint) =>
      handler({
        data: encodeResponse({
          kind: "connectionError",
          interfaceVersion: 3,
          socks5Version: 3,
          connectionId: id,
          message: "no",
        }),
      }),
  };
}

Deno.test("the Connect carries 20 SURBs and no address; Sends 3 SURBs and sequences from 0", async () => {
  const fake = fakeClient();
  const clock = new ManualClock();
  const c = openConnection(fake.client, REQUESTER, "example.com:80", { clock });
  const connect = fake.sent[0];
  assert(connect.request.kind === "connect");
  assertEquals(connect.request.returnAddress, undefined);
  assertEquals(connect.replySurbs, 20);
  const writer = c.writable.getWriter();
  await writer.write(new Uint8Array(20_000)); // two Sends of at most 16 KiB
  const sends = fake.sent.slice(1).map((s) => s.request);
  assertEquals(sends.map((s) => s.kind === "send" && [Number(s.sequence), s.data.length]), [[
    0,
    16384,
  ], [1, 3616]]);
  assertEquals(fake.sent[1].replySurbs, 3);
  // Responses out of order are delivered in order; the closed flag ends the readable.
  const id = c.connectionId;
  assert(fake.respond(id, 1, "world"));
  assert(fake.respond(id, 2, "", true));
  assert(fake.respond(id, 0, "hello "));
  assertEquals(await new Response(c.readable).text(), "hello world");
  await c.opened;
  // Messages for other connections are not ours.
  assertEquals(fake.respond(id + 1n, 0, "x"), false);
  // A second close after we finished is swallowed (Nym's requester sends one).
  await writer.close();
  await c.closed;
  assert(fake.respond(id, 3, "", true));
});

Deno.test("an empty keepalive after 60 s without sending; 5 min of silence is a timeout", async () => {
  const fake = fakeClient();
  const clock = new ManualClock();
  const c = openConnection(fake.client, REQUESTER, "example.com:80", { clock, anonymous: false });
  const connect = fake.sent[0].request;
  assert(connect.kind === "connect" && connect.returnAddress?.toString() === REQUESTER);
  clock.advance(60_000);
  const keepalive = fake.sent[1].request;
  assert(keepalive.kind === "send" && keepalive.data.length === 0 && !keepalive.localClosed);
  clock.advance(240_000);
  const error = await assertRejects(() => new Response(c.readable).text(), ExitConnectionError);
  assertEquals((error as ExitConnectionError).kind, "timeout");
  await assertRejects(() => c.closed, ExitConnectionError);
  assertEquals(clock.pending, 0);
});

Deno.test("a reader that falls too far behind gets tooMuchData; a refusal is `refused`", async () => {
  const fake = fakeClient();
  const clock = new ManualClock();
  const slow = openConnection(fake.client, REQUESTER, "a:80", { clock, maxBufferedBytes: 1000 });
  for (let seq = 0; seq < 5; seq++) fake.respond(slow.connectionId, seq, "x".repeat(300));
  const error = await assertRejects(() => new Response(slow.readable).text(), ExitConnectionError);
  assertEquals((error as ExitConnectionError).kind, "tooMuchData");
  const refused = openConnection(fake.client, REQUESTER, "b:80", { clock });
  fake.refuse(refused.connectionId);
  const refusal = await assertRejects(() => refused.opened, ExitConnectionError);
  assertEquals((refusal as ExitConnectionError).kind, "refused");
  await assertRejects(() => refused.closed, ExitConnectionError);
  assertEquals(clock.pending, 0);
});
