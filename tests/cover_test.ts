// The constant-rate streams: absolute Poisson deadlines keep the configured rate although each
// tick costs time and timers fire late; the backpressure multiplier rises under a slow socket
// and falls back once it keeps up.
import {
  DelayMultiplier,
  GATEWAY_PACKET_BYTES,
  MAX_LAG_GAPS,
  MAX_MULTIPLIER,
  type PacketSink,
  PoissonTicker,
  TrafficStreams,
} from "../cover/mod.ts";
import type { Clock, TimerHandle } from "../internal/clock.ts";
import { assert, assertEquals } from "./_assert.ts";
import { ManualClock } from "./_manual_clock.ts";
import { seededRandom } from "./_sphinx_fixtures.ts";

/** A manual clock whose timers fire `lateMs` after they are due, as real timers do. */
function lateTimers(clock: ManualClock, lateMs: number): Clock {
  return {
    now: () => clock.now(),
    setTimeout: (callback: () => void, ms: number): TimerHandle =>
      clock.setTimeout(callback, ms + lateMs),
    clearTimeout: (handle: TimerHandle) => clock.clearTimeout(handle),
  };
}

Deno.test("a tick that costs 5 ms and timers 2 ms late still give the configured rate", () => {
  const clock = new ManualClock();
  const ticker = new PoissonTicker({
    meanMs: 20,
    clock: lateTimers(clock, 2),
    random: seededRandom(41),
    tick: () => clock.advance(5), // building and sending a packet takes time
  });
  ticker.start();
  const seconds = 600;
  clock.advance(seconds * 1000);
  ticker.stop();
  const rate = ticker.ticks / seconds;
  // Scheduling each gap from the end of the previous tick would give 1000 / 27 = 37 per second.
  assert(Math.abs(rate - 50) / 50 < 0.03, `${rate.toFixed(2)} ticks/s, configured 50/s`);
  assertEquals(clock.pending, 0);
});

Deno.test("after a stall the ticker catches up with a bounded burst, then keeps its rate", () => {
  const clock = new ManualClock();
  const times: number[] = [];
  let stall = true;
  const ticker = new PoissonTicker({
    meanMs: 20,
    clock,
    random: seededRandom(42),
    tick: () => {
      times.push(clock.now());
      if (stall) {
        stall = false;
        clock.advance(10_000); // a suspended tab: 10 s without timers
      }
    },
  });
  ticker.start();
  clock.advance(120_000);
  ticker.stop();
  const burst = times.filter((t, i) => i > 0 && t === times[1]).length;
  assert(burst <= MAX_LAG_GAPS * 3, `${burst} ticks at once after the stall`);
  // The 10 s stall is not made up in full: about 110 s of ticks, not 120 s.
  assert(times.length > 100 * 50 && times.length < 113 * 50, `${times.length} ticks`);
});

/** A socket that writes `bytesPerMs` and holds the rest, like a WebSocket's bufferedAmount. */
class SlowSocket implements PacketSink<number> {
  #buffered = 0;
  #at: number;
  sent = 0;
  constructor(readonly clock: ManualClock, public bytesPerMs: number) {
    this.#at = clock.now();
  }
  get bufferedAmount(): number {
    const now = this.clock.now();
    this.#buffered = Math.max(0, this.#buffered - (now - this.#at) * this.bytesPerMs);
    this.#at = now;
    return this.#buffered;
  }
  send(): void {
    void this.bufferedAmount;
    this.#buffered += GATEWAY_PACKET_BYTES;
    this.sent++;
  }
}

Deno.test("the multiplier rises under a slow socket and falls back once it keeps up", () => {
  const clock = new ManualClock();
  const streams = new TrafficStreams<number>({
    traffic: {
      messageSendingAverageDelayMs: 20,
      loopCoverAverageDelayMs: 200,
      poisson: true,
      loopCover: true,
    },
    clock,
    random: seededRandom(43),
    nextReal: () => undefined,
    cover: () => 1,
  });
  // 55 packets/s offered, 10 packets/s written: the buffer fills.
  const socket = new SlowSocket(clock, (10 * GATEWAY_PACKET_BYTES) / 1000);
  streams.start(socket);
  assertEquals(streams.multiplier, 1);
  clock.advance(20_000);
  assert(streams.multiplier >= 4, `multiplier ${streams.multiplier} under a slow socket`);
  assert(streams.multiplier <= MAX_MULTIPLIER);
  assert(
    socket.bufferedAmount < 40 * GATEWAY_PACKET_BYTES,
    `the buffer stays bounded (${socket.bufferedAmount} bytes)`,
  );
  socket.bytesPerMs = 1_000; // the network recovers
  clock.advance(30_000);
  assertEquals(streams.multiplier, 1);
  const before = socket.sent;
  clock.advance(60_000);
  const rate = (socket.sent - before) / 60;
  assert(Math.abs(rate - 55) / 55 < 0.05, `${rate.toFixed(1)} packets/s after recovery`);
  streams.stop();
  assertEquals(clock.pending, 0);
});

Deno.test("the multiplier rule follows Nym's intervals: up at most once per second", () => {
  const m = new DelayMultiplier(0);
  const full = 32 * GATEWAY_PACKET_BYTES;
  assertEquals(m.update(full, 500), 1, "not within 1 s of the start");
  assertEquals(m.update(full, 1001), 2);
  assertEquals(m.update(full, 1500), 2, "not twice within 1 s");
  assertEquals(m.update(full, 2002), 3);
  assertEquals(m.update(0, 3000), 3, "backpressure seen less than 2 s ago");
  assertEquals(m.update(0, 4003), 2);
  assertEquals(m.update(0, 5000), 2, "not within 2 s of the last change");
  assertEquals(m.update(0, 6004), 1);
  assertEquals(m.update(0, 9000), 1, "never below 1");
});

Deno.test("with poisson off only the loop cover stream runs; stop leaves no timer", () => {
  const clock = new ManualClock();
  const sent: string[] = [];
  const streams = new TrafficStreams<string>({
    traffic: {
      messageSendingAverageDelayMs: 20,
      loopCoverAverageDelayMs: 200,
      poisson: false,
      loopCover: true,
    },
    clock,
    random: seededRandom(44),
    nextReal: () => "real",
    cover: () => "cover",
  });
  streams.start({ send: (p) => sent.push(p), bufferedAmount: 0 });
  streams.start({ send: () => sent.push("second"), bufferedAmount: 0 }); // ignored
  clock.advance(100_000);
  assert(sent.length > 450 && sent.length < 550, `${sent.length} cover packets in 100 s`);
  assert(sent.every((p) => p === "cover"));
  streams.stop();
  assertEquals(clock.pending, 0);
});
