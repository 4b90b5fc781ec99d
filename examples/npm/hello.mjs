// Node.js (20+) or Bun, with the package built by `deno task build:npm`:
//   npm install /path/to/nym-mixnet-0.1.0.tgz ws
//   NYM_API_URL=http://127.0.0.1:<port>/ node hello.mjs   (the URL `deno task localnet` prints)
import { connect, MissingWebSocketError } from "@nym/mixnet";

const nymApiUrl = process.env.NYM_API_URL;
const runtime = globalThis.Bun ? `bun ${Bun.version}` : `node ${process.version}`;

// Node 20 has no global WebSocket: connect() says so, and takes one from the `ws` package.
let WebSocket = globalThis.WebSocket;
if (!WebSocket) {
  try {
    await connect({ nymApiUrl });
  } catch (error) {
    if (!(error instanceof MissingWebSocketError)) throw error;
    console.log(`${runtime}: ${error.message}`);
  }
  WebSocket = (await import("ws")).default;
}

const alice = await connect({ nymApiUrl, WebSocket, traffic: "noCover" });
const bob = await connect({ nymApiUrl, WebSocket, traffic: "noCover" });
const inbox = bob.messages.getReader();

await alice.send(bob.address, `hello from ${runtime}`); // resolves once acknowledged
const { value } = await inbox.read();
console.log(`bob received "${new TextDecoder().decode(value.data)}"`);

inbox.releaseLock();
await alice.disconnect();
await bob.disconnect();
