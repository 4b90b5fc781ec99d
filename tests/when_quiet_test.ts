import { WhenQuiet } from "../client/_when_quiet.ts";
import { assertEquals } from "./_assert.ts";
import { ManualClock } from "./_fixtures/mod.ts";

Deno.test("a quiet-time task runs once per pause, after the last touch, with one timer at most", () => {
  const clock = new ManualClock(0);
  let runs = 0;
  const quiet = new WhenQuiet(clock, 10, () => runs++);
  quiet.touch();
  clock.advance(6);
  quiet.touch(); // activity again: the pause now ends at 16
  quiet.touch();
  assertEquals(clock.pending, 1);
  clock.advance(4);
  assertEquals(runs, 0, "10 ms after the first touch is not a pause");
  clock.advance(6);
  assertEquals(runs, 1);
  clock.advance(100);
  assertEquals([runs, clock.pending], [1, 0], "once per pause");
  quiet.touch();
  clock.advance(10);
  assertEquals(runs, 2);
});

Deno.test("a stopped quiet-time task clears its timer and ignores touches", () => {
  const clock = new ManualClock(0);
  let runs = 0;
  const quiet = new WhenQuiet(clock, 10, () => runs++);
  quiet.touch();
  quiet.stop();
  assertEquals(clock.pending, 0);
  quiet.touch();
  clock.advance(50);
  assertEquals([runs, clock.pending], [0, 0]);
});
