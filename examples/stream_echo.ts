// examples/stream_echo.ts: NYM_API_URL=<the URL `deno task localnet` prints> deno run -A examples/stream_echo.ts
import { connect } from "@nym/mixnet";
import { listen, openStream } from "@nym/mixnet/stream";

const nymApiUrl = Deno.env.get("NYM_API_URL");
const server = await connect({ nymApiUrl });
const client = await connect({ nymApiUrl });

// The acceptor: answers through the reply SURBs of each Open, never learns who opened.
// pipeTo() resolves once its close (the echo's end of stream) is acknowledged.
const echoed = (async () => {
  for await (const stream of listen(server)) {
    await stream.readable.pipeTo(stream.writable);
    return;
  }
})();

// The opener.
const stream = openStream(client, server.address, { replySurbs: 20 });
const writer = stream.writable.getWriter();
await writer.write(new TextEncoder().encode("ping"));
await writer.close(); // the peer reads EOF right after the last byte
console.log(await new Response(stream.readable).text()); // "ping"

await echoed; // disconnect only after the acceptor's close went through
await client.disconnect();
await server.disconnect();
