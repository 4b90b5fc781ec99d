// Drives the chat page in headless Chromium with playwright-core and prints what the two pages
// showed as one JSON line. Run by browser_test.ts as a subprocess with full permissions:
// playwright-core probes paths (e.g. /proc/sys/fs/binfmt_misc) that Deno grants only to -A, and
// the test suite itself runs with narrower flags.
//
// Usage: deno run -A tests/runtimes/_chat_driver.ts <alice page url> <bob page url> <out dir>
// deno-lint-ignore no-import-prefix
import { chromium, type Page } from "npm:playwright-core@1.65.1";

/** What the driver saw; browser_test.ts asserts on it. */
export interface ChatObservations {
  aliceStatus: string;
  bobStatus: string;
  aliceAddress: string;
  bobAddress: string;
  sent: string;
  bobReceived: { meta: string; body: string; canReply: boolean };
  aliceSentDelivered: boolean;
  answer: string;
  aliceReply: { meta: string; body: string };
  bobSentDelivered: boolean;
  bobPageShowsAliceAddress: boolean;
  errors: string[];
  screenshots: string[];
}

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const WAIT = { timeout: 30_000 };

function watchErrors(page: Page, name: string, errors: string[]): void {
  page.on("pageerror", (error) => errors.push(`${name}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`${name} console: ${message.text()}`);
  });
}

async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? "").trim();
}

async function drive(aliceUrl: string, bobUrl: string, outDir: string): Promise<ChatObservations> {
  const profile = await Deno.makeTempDir({ prefix: "nym-chromium-profile-" });
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 760, height: 720 },
  });
  const errors: string[] = [];
  const screenshots = [`${outDir}/chat-alice.png`, `${outDir}/chat-bob.png`];
  const [alice, bob] = [await browser.newPage(), await browser.newPage()];
  try {
    watchErrors(alice, "alice", errors);
    watchErrors(bob, "bob", errors);
    await alice.goto(aliceUrl);
    await bob.goto(bobUrl);
    for (const page of [alice, bob]) {
      await page.waitForSelector("#status:not([data-state=connecting])", WAIT);
    }
    const aliceAddress = await text(alice, "#address");
    const bobAddress = await text(bob, "#address");

    const sent = "Hello Bob! This crossed three mixnode layers from a browser.";
    await alice.fill("#recipient", bobAddress);
    await alice.fill("#text", sent);
    await alice.click("#send");
    await bob.waitForSelector(".entry.received", WAIT);
    const bobReceived = {
      meta: await text(bob, ".entry.received .meta"),
      body: await text(bob, ".entry.received .body"),
      canReply: await bob.locator(".entry.received button.reply").count() === 1,
    };
    const aliceSentDelivered = await alice.waitForSelector(".entry.sent[data-delivered=true]", WAIT)
      .then(() => true, () => false);

    const answer = "Hi, whoever you are: answered through your reply SURBs.";
    await bob.click(".entry.received button.reply");
    await bob.fill("#text", answer);
    await bob.click("#send");
    await alice.waitForSelector(".entry.reply", WAIT);
    const aliceReply = {
      meta: await text(alice, ".entry.reply .meta"),
      body: await text(alice, ".entry.reply .body"),
    };
    const bobSentDelivered = await bob.waitForSelector(".entry.sent[data-delivered=true]", WAIT)
      .then(() => true, () => false);

    return {
      aliceStatus: await text(alice, "#status"),
      bobStatus: await text(bob, "#status"),
      aliceAddress,
      bobAddress,
      sent,
      bobReceived,
      aliceSentDelivered,
      answer,
      aliceReply,
      bobSentDelivered,
      bobPageShowsAliceAddress: (await bob.content()).includes(aliceAddress),
      errors,
      screenshots,
    };
  } finally {
    // Also on failure: the pictures show where the conversation stopped.
    await alice.screenshot({ path: screenshots[0], fullPage: true }).catch(() => {});
    await bob.screenshot({ path: screenshots[1], fullPage: true }).catch(() => {});
    await browser.close();
    await Deno.remove(profile, { recursive: true });
  }
}

if (import.meta.main) {
  const [aliceUrl, bobUrl, outDir] = Deno.args;
  const observations = await drive(aliceUrl, bobUrl, outDir);
  console.log(JSON.stringify(observations));
}
