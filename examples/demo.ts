// `deno task demo`: a local Nym network in this process, two clients, a message from Alice to
// Bob, and Bob's anonymous answer back through the reply SURBs Alice attached. Every step is
// printed with how long it took. Default traffic settings: Poisson sending, loop cover
// traffic, 15 ms average delay per hop.
import { connect, type MixnetClient } from "../mod.ts";
import { startLocalnet } from "../localnet/mod.ts";

const t0 = performance.now();
const since = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;
const log = (line: string) => console.log(`[${since(t0).padStart(7)}] ${line}`);

async function nextMessage(client: MixnetClient) {
  const reader = client.messages.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  if (!value) throw new Error("the message stream ended");
  return value;
}

let t = performance.now();
await using net = await startLocalnet({ mixnodesPerLayer: 2, gateways: 2, logger: "silent" });
log(`localnet up in ${since(t)}: nym-api ${net.nymApiUrl}`);
for (const m of net.mixnodes) log(`  mixnode layer ${m.layer}  ${m.identity}  ${m.hostPort}`);
for (const g of net.gateways) log(`  gateway ${g.identity}  ${g.wsUrl}`);

t = performance.now();
const alice = await connect({ nymApiUrl: net.nymApiUrl, gateway: net.gateways[0].identity });
const bob = await connect({ nymApiUrl: net.nymApiUrl, gateway: net.gateways[1].identity });
log(`alice and bob registered at their gateways in ${since(t)}`);
log(`  alice ${alice.address}`);
log(`  bob   ${bob.address}`);

try {
  t = performance.now();
  const handle = alice.send(bob.address, "Hello Bob! Reply without learning who I am.", {
    replySurbs: 5,
  });
  const message = await nextMessage(bob);
  log(`bob received "${new TextDecoder().decode(message.data)}" after ${since(t)}`);
  log(`  it came with sender tag ${message.senderTag}; bob never sees alice's address`);
  await handle;
  log(`alice's send() resolved: ${handle.fragments} fragments acknowledged after ${since(t)}`);

  t = performance.now();
  const reply = bob.reply(message.senderTag!, "Hi, anonymous! Answered through your SURBs.");
  const answer = await nextMessage(alice);
  log(
    `alice received the ${answer.kind} "${new TextDecoder().decode(answer.data)}" after ${
      since(t)
    }`,
  );
  await reply;
  log(`bob's reply() resolved after ${since(t)}`);

  t = performance.now();
  const payload = crypto.getRandomValues(new Uint8Array(60_000));
  const big = alice.send(bob.address, payload);
  const received = await nextMessage(bob);
  const same = received.data.length === payload.length &&
    received.data.every((b, i) => b === payload[i]);
  log(
    `a 60 KB message (${big.fragments} Sphinx packets) arrived ${
      same ? "intact" : "CORRUPTED"
    } after ${since(t)}`,
  );
  await big;
} finally {
  t = performance.now();
  await alice.disconnect();
  await bob.disconnect();
  log(`both clients disconnected cleanly in ${since(t)}`);
}
