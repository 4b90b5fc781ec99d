// examples/using_it.ts: NYM_API_URL=<the URL `deno task localnet` prints> deno run -A examples/using_it.ts
import { connect } from "@nym/mixnet";

// A localnet's nym-api; without it, Nym mainnet (its three nym-api URLs, with failover).
const nymApiUrl = Deno.env.get("NYM_API_URL");
const alice = await connect({ nymApiUrl });
const bob = await connect({ nymApiUrl });
const recipient = bob.address; // identity.encryption@gateway
alice.on(
  "reconnecting",
  ({ reason, delayMs }) => console.log(`gateway lost (${reason}), retry in ${delayMs} ms`),
);

// Resolves when every fragment was acknowledged (Nym's SURB-ACKs); rejects with a typed
// DeliveryError when retransmissions are exhausted: no silent loss.
await alice.send(recipient, "hello");

// Anonymous: the recipient gets a sender tag and SURBs, never our address.
await alice.send(recipient, "reply to me", { replySurbs: 5 });

const inbox = bob.messages.getReader();
for (let i = 0; i < 2; i++) {
  const { value: message } = await inbox.read();
  console.log("bob got", message!.kind, new TextDecoder().decode(message!.data));
  if (message!.senderTag) await bob.reply(message!.senderTag, "got it");
}
inbox.releaseLock();

const answers = alice.messages.getReader();
const { value: answer } = await answers.read();
console.log("alice got", answer!.kind, new TextDecoder().decode(answer!.data));
answers.releaseLock();

await alice.disconnect(); // sends what is queued, waits (bounded) for its acks, then closes
await bob.disconnect();
