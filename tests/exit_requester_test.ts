// The network requester against a scripted client and in-memory TCP, on a manual clock: Sends
// before their Connect, hostile sequence numbers and floods, the limits, keepalives and idle
// timeouts, control and query answers through SURBs only.
import {
  decodeResponse,
  encodeRequest,
  type ExitResponse,
  type ExitTransport,
  type NetworkRequesterEvent,
  type RequesterClient,
  serveNetworkRequester,
  type TcpConnection,
} from "../exit/mod.ts";
import type { ReceivedMessage } from "../client/mixnet_client.ts";
import { ManualClock } from "./_manual_clock.ts";
import { assert, assertEquals } from "./_assert.ts";

const ADDRESS =
  "3KRydEpanwjFhq5GAraVjRUF1Tno7w7oc4EwJYTGNo5J.RgZ7uMJHruBQqD5hC9Ghi3sqiTn6NycfM5qCfJz6yoM@9Byd9VAtyYMnbVAcqdoQxJnq76XEg2dbxbiF5Aa5Jj9J";
const TAG = "3YnkQ1KwZ3hCvkk8z3Bf6N"; // any base58 of 16 bytes

interface Output {
  readonly to: string;
  readonly response: ExitResponse;
}

/** A queue whose `next()` waits for the next item. */
class Queue<T> {
  items: T[] = [];
  #waiters: ((item: T) => void)[] = [];
  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
  next(): Promise<T> {
    const item = this.items.shift();
    return item !== undefined ? Promise.resolve(item) : new Promise((r) => this.#waiters.push(r));
  }
}

/** A scripted mixnet client: we push received messages, it records what is sent. */
function fakeClient() {
  let controller!: ReadableStreamDefaultController<ReceivedMessage>;
  const outputs = new Queue<Output>();
  const messages = new ReadableStream<ReceivedMessage>({ start: (c) => void (controller = c) });
  const record = (to: string, data: Uint8Array | string) => {
    outputs.push({ to, response: decodeResponse(data as Uint8Array) });
    return Promise.resolve();
  };
  const client = {
    address: "requester",
    messages,
    send: (to: unknown, data: Uint8Array | string) => record(String(to), data),
    reply: (tag: unknown, data: Uint8Array | string) => record(`tag:${tag}`, data),
  } as unknown as RequesterClient;
  return {
    client,
    outputs,
    receive(request: Parameters<typeof encodeRequest>[0], senderTag?: string) {
      controller.enqueue({
        data: encodeRequest(request),
        senderTag,
        kind: senderTag ? "repliable" : "plain",
      });
    },
  };
}

/** TCP to in-memory servers; each connection's server side is handed to `accepted`. */
function memoryTransport() {
  const accepted = new Queue<
    { received: Queue<Uint8Array | null>; send(data: Uint8Array | null): void }
  >();
  const transport: ExitTransport = {
    resolve: (host) => Promise.resolve(host === "unresolvable.test" ? [] : [host]),
    connect() {
      let toClient!: ReadableStreamDefaultController<Uint8Array>;
      const received = new Queue<Uint8Array | null>();
      const conn: TcpConnection = {
        readable: new ReadableStream({ start: (c) => void (toClient = c) }),
        writable: new WritableStream({
          write: (chunk) => received.push(chunk),
          close: () => received.push(null),
        }),
        close() {
          try {
            toClient.close();
          } catch {
            // closed already
          }
        },
      };
      accepted.push({
        received,
        send: (data) => data ? toClient.enqueue(data) : toClient.close(),
      });
      return Promise.resolve(conn);
    },
  };
  return { transport, accepted };
}

const base = { interfaceVersion: 3, socks5Version: 3 } as const;
const connectTo = (id: bigint, remote = "1.1.1.1:80") =>
  ({ kind: "connect", ...base, connectionId: id, remoteAddress: remote }) as const;
const send = (id: bigint, sequence: number, data: string, localClosed = false) =>
  ({
    kind: "send",
    ...base,
    connectionId: id,
    localClosed,
    sequence: BigInt(sequence),
    data: new TextEncoder().encode(data),
  }) as const;

function setup(options: Record<string, unknown> = {}) {
  const clock = new ManualClock();
  const fake = fakeClient();
  const tcp = memoryTransport();
  const events: NetworkRequesterEvent[] = [];
  const requester = serveNetworkRequester(fake.client, {
    transport: tcp.transport,
    clock,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { clock, fake, tcp, events, requester };
}

async function text(q: Queue<Uint8Array | null>): Promise<string> {
  const chunk = await q.next();
  return chunk === null ? "<EOF>" : new TextDecoder().decode(chunk);
}

Deno.test("Sends that arrive before their Connect are replayed in order once it is open", async () => {
  const { fake, tcp, requester } = setup();
  fake.receive(send(7n, 1, "world"), TAG);
  fake.receive(send(7n, 0, "hello "), TAG);
  fake.receive(connectTo(7n), TAG);
  const server = await tcp.accepted.next();
  assertEquals(await text(server.received), "hello ");
  assertEquals(await text(server.received), "world");
  // The connect announcement, then data back with increasing sequence numbers, to the SURBs.
  const announce = await fake.outputs.next();
  assertEquals(announce.to, `tag:${TAG}`);
  assert(announce.response.kind === "networkData" && announce.response.sequence === 0n);
  server.send(new TextEncoder().encode("reply"));
  const data = (await fake.outputs.next()).response;
  assert(data.kind === "networkData" && data.sequence === 1n && !data.localClosed);
  assertEquals(new TextDecoder().decode(data.data), "reply");
  // Our EOF: an empty closed message with the next sequence.
  server.send(null);
  const close = (await fake.outputs.next()).response;
  assert(close.kind === "networkData" && close.localClosed && close.sequence === 2n);
  await requester.close();
});

Deno.test("a client's close half-closes the TCP connection after the last byte", async () => {
  const { fake, tcp, requester, clock, events } = setup();
  fake.receive(connectTo(1n), TAG);
  const server = await tcp.accepted.next();
  fake.receive(send(1n, 1, "", true), TAG);
  fake.receive(send(1n, 0, "last"), TAG);
  assertEquals(await text(server.received), "last");
  assertEquals(await text(server.received), "<EOF>");
  // 3 s later (Nym's SHUTDOWN_TIMEOUT) the connection is gone.
  assertEquals(requester.connections, 1);
  clock.advance(3000);
  assertEquals(requester.connections, 0);
  assert(events.some((e) => e.type === "closed" && e.reason === "client closed"));
  await requester.close();
});

Deno.test("a hostile client cannot make a connection buffer without bound", async () => {
  const { fake, tcp, requester, events } = setup({ maxBufferedBytes: 1000 });
  fake.receive(connectTo(1n), TAG);
  await tcp.accepted.next();
  await fake.outputs.next(); // announcement
  // Sequence 0 never comes; later ones pile up until the cap closes the connection.
  for (let seq = 1; seq <= 5; seq++) fake.receive(send(1n, seq, "x".repeat(300)), TAG);
  const close = (await fake.outputs.next()).response;
  assert(close.kind === "networkData" && close.localClosed);
  assertEquals(requester.connections, 0);
  assert(events.some((e) => e.type === "closed" && /overran/.test(e.reason)));
  // A sequence far ahead is refused the same way.
  fake.receive(connectTo(2n), TAG);
  await tcp.accepted.next();
  await fake.outputs.next();
  fake.receive(send(2n, 5000, "x"), TAG);
  const close2 = (await fake.outputs.next()).response;
  assert(close2.kind === "networkData" && close2.localClosed && close2.connectionId === 2n);
  // A late Send of a closed connection is ignored, not buffered as "before its Connect".
  fake.receive(send(2n, 0, "late"), TAG);
  fake.receive(connectTo(3n), TAG);
  await tcp.accepted.next();
  assertEquals(requester.connections, 1);
  await requester.close();
});

Deno.test("Sends for unknown connections are bounded in count, bytes and time", async () => {
  const { fake, requester, events, clock } = setup({
    maxPendingConnections: 4,
    maxPendingBytes: 100,
    pendingTimeoutMs: 1000,
  });
  for (let id = 1n; id <= 6n; id++) fake.receive(send(id, 0, "x".repeat(30)), TAG);
  fake.receive(connectTo(99n, "unresolvable.test:80"), TAG); // a marker we can wait for
  await fake.outputs.next(); // its refusal
  const dropped = events.filter((e) => e.type === "dropped").map((e) =>
    (e as { reason: string }).reason
  );
  // Three fit in 100 bytes; the fourth is over the byte cap; 5 and 6 over the id cap.
  assertEquals(dropped.filter((r) => /buffer full/.test(r)).length, 1);
  assertEquals(dropped.filter((r) => /too many/.test(r)).length, 2);
  clock.advance(1000); // expired: room again
  fake.receive(send(7n, 0, "x".repeat(90)), TAG);
  fake.receive(connectTo(98n, "unresolvable.test:80"), TAG);
  await fake.outputs.next();
  assertEquals(events.filter((e) => e.type === "dropped").length, 3);
  await requester.close();
});

Deno.test("refusals: local targets, the policy, resolution, the connection cap", async () => {
  const { fake, requester, tcp } = setup({ allowLocalIps: false, maxConnections: 1 });
  const refusal = async (id: bigint, remote: string) => {
    fake.receive(connectTo(id, remote), TAG);
    const { response } = await fake.outputs.next();
    assert(response.kind === "connectionError", `${remote}: ${response.kind}`);
    assertEquals(response.connectionId, id);
    return response.message;
  };
  assertEquals(await refusal(1n, "127.0.0.1:80"), 'Domain "127.0.0.1:80" failed filter check');
  await refusal(2n, "[::1]:80");
  await refusal(3n, "unresolvable.test:80");
  await refusal(4n, "no-port");
  fake.receive(connectTo(5n), TAG);
  await tcp.accepted.next();
  await fake.outputs.next();
  await refusal(6n, "8.8.8.8:53");
  await requester.close();
});

Deno.test("keepalives after 60 s without data; 5 min without the client closes", async () => {
  const { fake, tcp, requester, clock, events } = setup();
  fake.receive(connectTo(1n), TAG);
  await tcp.accepted.next();
  await fake.outputs.next();
  clock.advance(60_000);
  const keepalive = (await fake.outputs.next()).response;
  assert(keepalive.kind === "networkData" && keepalive.data.length === 0 && !keepalive.localClosed);
  assertEquals(keepalive.sequence, 1n);
  fake.receive(send(1n, 0, ""), TAG); // the client's keepalive resets the idle timer
  // Messages are handled in order: once a health check is answered, the keepalive was seen.
  fake.receive({ kind: "control", interfaceVersion: 3, control: "health" }, TAG);
  await fake.outputs.next();
  clock.advance(299_000);
  assertEquals(requester.connections, 1);
  clock.advance(61_000);
  assertEquals(requester.connections, 0);
  assert(events.some((e) => e.type === "closed" && e.reason === "idle timeout"));
  await requester.close();
});

Deno.test("control and query requests are answered through SURBs only", async () => {
  const { fake, requester, events } = setup();
  fake.receive({ kind: "control", interfaceVersion: 3, control: "health" }); // no SURBs: dropped
  fake.receive({ kind: "control", interfaceVersion: 3, control: "supportedRequestVersions" }, TAG);
  const versions = await fake.outputs.next();
  assertEquals(versions.to, `tag:${TAG}`);
  assert(versions.response.kind === "control");
  assertEquals(versions.response.control, {
    type: "supportedRequestVersions",
    interfaceVersion: '{"type":"Versioned","version":3}',
    providerVersion: '{"type":"Versioned","version":3}',
  });
  fake.receive({ kind: "query", ...base, query: "description" }, TAG);
  const description = (await fake.outputs.next()).response;
  assert(description.kind === "query");
  assertEquals(description.query, {
    type: "description",
    description: "Description (placeholder)",
  });
  assert(events.some((e) => e.type === "dropped" && /without SURBs/.test(e.reason)));
  await requester.close();
});

Deno.test("responses follow the Connect's return address and its versions", async () => {
  const { fake, tcp, requester } = setup();
  const { Recipient } = await import("../message/recipient.ts");
  fake.receive({
    kind: "connect",
    interfaceVersion: "legacy",
    socks5Version: "legacy",
    connectionId: 5n,
    remoteAddress: "1.1.1.1:80",
    returnAddress: Recipient.parse(ADDRESS),
  });
  await tcp.accepted.next();
  const announce = await fake.outputs.next();
  assertEquals(announce.to, ADDRESS);
  assertEquals(announce.response.interfaceVersion, "legacy");
  assert(announce.response.kind === "networkData" && announce.response.socks5Version === "legacy");
  await requester.close();
});
