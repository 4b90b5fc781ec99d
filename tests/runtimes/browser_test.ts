// The chat example (examples/chat/) end to end in real headless Chromium: two pages, each its own
// mixnet client at its own gateway of a localnet, exchange a message and an anonymous reply.
// This test serves the page and the localnet; `_chat_driver.ts` (a subprocess, as
// playwright-core needs permissions the suite does not grant) drives Chromium and reports what
// the pages showed. Needs Debian's `chromium` at /usr/bin/chromium: skipped with a printed
// reason without it. Screenshots go to $NYM_SCREENSHOT_DIR, or a temporary folder printed here.
import { serveChat } from "../../examples/chat/serve.ts";
import type { ChatObservations } from "./_chat_driver.ts";
import { assert, assertEquals } from "../_assert.ts";

const CHROMIUM = "/usr/bin/chromium";
const chromiumMissing = await Deno.stat(CHROMIUM).then(() => false, () => true);
if (chromiumMissing) {
  console.log(`browser test skipped: ${CHROMIUM} is absent (apt-get install chromium)`);
}

Deno.test({
  name: "two browser pages chat and reply anonymously through a localnet in headless Chromium",
  ignore: chromiumMissing,
  async fn() {
    const outDir = Deno.env.get("NYM_SCREENSHOT_DIR") ??
      await Deno.makeTempDir({ prefix: "nym-browser-test-" });
    await Deno.mkdir(outDir, { recursive: true });
    await using chat = await serveChat({ localnet: { gateways: 2, logger: "silent" } });
    // Default traffic: Poisson sending and loop cover traffic, as Nym's own clients.
    const driver = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--quiet",
        new URL("./_chat_driver.ts", import.meta.url).pathname,
        chat.pageUrl(0),
        chat.pageUrl(1),
        outDir,
      ],
      cwd: new URL("../..", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(driver.stderr);
    console.log(`screenshots: ${outDir}/chat-alice.png ${outDir}/chat-bob.png`);
    assertEquals(driver.code, 0, `the Chromium driver failed:\n${stderr}`);
    const seen: ChatObservations = JSON.parse(new TextDecoder().decode(driver.stdout));

    assertEquals([seen.aliceStatus, seen.bobStatus], ["connected", "connected"]);
    const [gateway0, gateway1] = chat.localnet.gateways.map((g) => g.identity);
    assert(seen.aliceAddress.endsWith(`@${gateway0}`), seen.aliceAddress);
    assert(seen.bobAddress.endsWith(`@${gateway1}`), seen.bobAddress);
    // Bob sees Alice's words, from an anonymous sender he can answer.
    assertEquals(seen.bobReceived.body, seen.sent);
    assert(seen.bobReceived.meta.startsWith("from anonymous #"), seen.bobReceived.meta);
    assert(seen.bobReceived.canReply, "bob's page offers an anonymous reply");
    assert(seen.aliceSentDelivered, "alice's message was acknowledged");
    // Alice gets the answer through her reply SURBs.
    assertEquals(seen.aliceReply, { meta: "reply to your anonymous message", body: seen.answer });
    assert(seen.bobSentDelivered, "bob's reply was acknowledged");
    // Bob answered without ever learning who wrote: Alice's address is nowhere on his page.
    assert(!seen.bobPageShowsAliceAddress, "bob's page shows alice's address");
    assertEquals(seen.errors, []);
    for (const path of seen.screenshots) assert((await Deno.stat(path)).size > 10_000, path);
  },
});
