// The load benchmark at a CI-sized count: 10 clients × 20 messages through one localnet, every
// message delivered. `deno task bench:load` runs the full 50 × 200.
import { describe, runLoad } from "../bench/load.ts";
import { assertEquals } from "./_assert.ts";

Deno.test("10 clients × 20 messages through one localnet are all delivered", async () => {
  const result = await runLoad(10, 20);
  console.log(describe(result));
  assertEquals(result.failed, 0);
  assertEquals(result.delivered, result.messages);
});
