// `deno task demo:web`: a localnet on loopback and the chat page (examples/chat/) served next to
// it. Open the two printed URLs in two browser windows (each registers at its own gateway), copy
// one page's address into the other, and chat; answers to anonymous messages go back through
// reply SURBs. Ctrl-C stops everything.
//
// Usage: deno run --allow-net=127.0.0.1 --allow-read --allow-run scripts/demo_web.ts [--port 8000]
import { serveChat } from "../examples/chat/serve.ts";

const at = Deno.args.indexOf("--port");
const port = at >= 0 ? Number(Deno.args[at + 1]) : 8000;
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port takes a port");

const chat = await serveChat({
  port,
  localnet: { gateways: 2, mixnodesPerLayer: 2, logger: "silent" },
});
console.log(`localnet nym-api ${chat.localnet.nymApiUrl}`);
for (const m of chat.localnet.mixnodes) console.log(`  mixnode layer ${m.layer}  ${m.hostPort}`);
for (const g of chat.localnet.gateways) console.log(`  gateway ${g.identity}  ${g.wsUrl}`);
console.log(`chat page (app.js ${(chat.bundleSize / 1024).toFixed(1)} KiB minified):`);
console.log(`  first window:  ${chat.pageUrl(0)}`);
console.log(`  second window: ${chat.pageUrl(1)}`);
console.log("Ctrl-C stops the page and the localnet.");

const stop = new Promise<void>((resolve) => Deno.addSignalListener("SIGINT", () => resolve()));
await stop;
console.log("\nstopping");
await chat.close();
Deno.exit(0);
