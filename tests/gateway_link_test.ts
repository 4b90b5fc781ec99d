// The reconnecting gateway link with a scripted gateway client and a manual clock.
import { ReconnectingGatewayLink } from "../client/gateway_link.ts";
import type { OutgoingPacket } from "../client/packet_builder.ts";
import { GatewayProtocolError, type MixPacket } from "../gateway/mod.ts";
import { assertEquals } from "./_assert.ts";
import { ManualClock } from "./_manual_clock.ts";
import { seededRandom } from "./_fixtures/mod.ts";

class FakeGatewayClient {
  state: "idle" | "connecting" | "ready" | "closing" | "closed" = "idle";
  connects = 0;
  failConnects = 0;
  pingAnswers = true;
  sent: MixPacket[] = [];
  closes = 0;

  connect() {
    this.connects++;
    if (this.failConnects > 0) {
      this.failConnects--;
      this.state = "closed";
      return Promise.reject(new GatewayProtocolError("closed", "refused"));
    }
    this.state = "ready";
    return Promise.resolve({
      registered: false,
      protocolVersion: 6,
      gatewayProtocolVersion: 6,
      bandwidthRemaining: 1,
    });
  }
  sendMixPacket(packet: MixPacket) {
    this.sent.push(packet);
    return Promise.resolve();
  }
  ping() {
    return this.pingAnswers
      ? Promise.resolve(6)
      : Promise.reject(new GatewayProtocolError("timeout", "no answer"));
  }
  close() {
    this.closes++;
    this.state = "closed";
    return Promise.resolve();
  }
}

const packet = (n: number): OutgoingPacket => ({
  packet: new Uint8Array(2413).fill(n),
  firstHop: Uint8Array.of(4, 0, 1, 127, 0, 0, 1),
  keyRotation: 0,
  expectedDelayMs: 0,
});

const flush = () => new Promise((r) => setTimeout(r, 0));

Deno.test("a dropped connection is retried with growing backoff and queued packets are sent after", async () => {
  const clock = new ManualClock();
  const client = new FakeGatewayClient();
  const attempts: number[] = [];
  const link = new ReconnectingGatewayLink({
    client,
    clock,
    random: seededRandom(1),
    livenessIntervalMs: 0,
    onReconnecting: (_attempt, delay) => attempts.push(delay),
  });
  await link.start();
  client.state = "closed";
  client.failConnects = 2;
  link.closed({ code: 1006, reason: "", byClient: false });
  link.send(packet(1));
  link.send(packet(2));
  assertEquals(link.bufferedAmount, 2 * 2413);
  for (let i = 0; i < 3; i++) {
    clock.advance(60_000);
    await flush();
  }
  assertEquals(client.connects, 4);
  assertEquals(attempts.length, 3);
  assertEquals(attempts.every((d, i) => d >= 250 * 2 ** i && d <= 500 * 2 ** i), true);
  assertEquals(client.sent.map((p) => p.packet[0]), [1, 2]);
  assertEquals(link.bufferedAmount, 0);
  await link.close();
  assertEquals(clock.pending, 0);
});

Deno.test("a gateway that stops answering is detected by the liveness probe and replaced", async () => {
  const clock = new ManualClock();
  const client = new FakeGatewayClient();
  const reasons: string[] = [];
  const link = new ReconnectingGatewayLink({
    client,
    clock,
    random: seededRandom(2),
    livenessIntervalMs: 5000,
    onReconnecting: (_a, _d, reason) => reasons.push(reason),
  });
  await link.start();
  clock.advance(5000);
  await flush();
  assertEquals([client.connects, reasons.length], [1, 0], "a healthy gateway is left alone");
  client.pingAnswers = false;
  clock.advance(5000);
  await flush();
  assertEquals(client.closes, 1);
  assertEquals(reasons.length, 1);
  assertEquals(reasons[0].startsWith("liveness probe failed"), true);
  client.pingAnswers = true;
  clock.advance(1000);
  await flush();
  assertEquals(client.connects, 2);
  await link.close();
  assertEquals(clock.pending, 0);
});

Deno.test("closing the link stops reconnecting and probing", async () => {
  const clock = new ManualClock();
  const client = new FakeGatewayClient();
  const link = new ReconnectingGatewayLink({ client, clock, random: seededRandom(3) });
  await link.start();
  client.state = "closed";
  link.closed({ code: 1006, reason: "", byClient: false });
  await link.close();
  clock.advance(120_000);
  await flush();
  assertEquals(client.connects, 1);
  assertEquals(clock.pending, 0);
});

Deno.test("bufferedAmount is what the socket still holds plus what waits while disconnected", async () => {
  const clock = new ManualClock();
  const client = new (class extends FakeGatewayClient {
    bufferedAmount = 0;
  })();
  const link = new ReconnectingGatewayLink({
    client,
    clock,
    random: seededRandom(9),
    livenessIntervalMs: 0,
  });
  await link.start();
  client.bufferedAmount = 5 * 2452; // a slow socket: five frames not yet written
  assertEquals(link.bufferedAmount, 5 * 2452);
  client.state = "closed";
  link.closed({ code: 1006, reason: "", byClient: false });
  link.send(packet(1));
  assertEquals(link.bufferedAmount, 2413, "the dead socket's buffer no longer counts");
  clock.advance(60_000);
  await flush();
  client.bufferedAmount = 0;
  assertEquals(link.bufferedAmount, 0, "sent after the reconnect");
  await link.close();
});
