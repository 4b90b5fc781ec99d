// Run by tests/exit_node_test.ts under Node and Bun: mixFetch from the browser-platform bundle of
// `@nym/mixnet` + `@nym/mixnet/exit`, through the test's localnet and requester, over http and
// https (node:tls over the exit connection, the test's CA). Prints one JSON line of results.
import { pathToFileURL } from "node:url";

const { bundle, api, requester, http, https, ca } = JSON.parse(process.argv[2]);
const { connect, createMixFetch } = await import(pathToFileURL(bundle).href);
const client = await connect({ nymApiUrl: api, traffic: "noCover" });
try {
  const mixFetch = createMixFetch({ client, requester, ca });
  const get = await mixFetch(`http://127.0.0.1:${http}/bytes/100000`);
  const getBytes = new Uint8Array(await get.arrayBuffer());
  const post = await mixFetch(`http://127.0.0.1:${http}/echo`, {
    method: "POST",
    body: "from node",
  });
  const tls = await mixFetch(`https://127.0.0.1:${https}/bytes/50000`);
  const tlsBytes = new Uint8Array(await tls.arrayBuffer());
  const digest = async (b) => Buffer.from(await crypto.subtle.digest("SHA-256", b)).toString("hex");
  console.log(JSON.stringify({
    get: [get.status, getBytes.length, await digest(getBytes)],
    post: [post.status, await post.text()],
    https: [tls.status, tlsBytes.length, await digest(tlsBytes)],
  }));
} finally {
  await client.disconnect({ timeoutMs: 1000 });
}
