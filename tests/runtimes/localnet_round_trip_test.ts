// Two clients through a localnet, in every runtime: under `deno test` the localnet runs in this
// process; in the Node and Bun runs of the suite (which cannot host one: it listens with Deno
// APIs) `scripts/test_runtimes.ts` runs it and passes its nym-api URL and gateway identities in
// NYM_API_URL and NYM_GATEWAYS. Alice uses the portable noble provider and bob the runtime's
// default, so both crypto paths meet on the wire.
import { connect, type MixnetClient, type ReceivedMessage } from "../../mod.ts";
import { nobleCrypto } from "../../crypto/mod.ts";
import { assert, assertEquals } from "../_assert.ts";

async function next(client: MixnetClient): Promise<ReceivedMessage> {
  const reader = client.messages.getReader();
  try {
    const { value, done } = await reader.read();
    assert(!done && value, "a message arrives");
    return value;
  } finally {
    reader.releaseLock();
  }
}

/** The localnet given by the runner, or one started here (Deno only). */
async function localnet(): Promise<
  { nymApiUrl: string; gateways: string[]; close(): Promise<void> }
> {
  const nymApiUrl = Deno.env.get("NYM_API_URL");
  if (nymApiUrl) {
    const gateways = (Deno.env.get("NYM_GATEWAYS") ?? "").split(",").filter(Boolean);
    assert(gateways.length > 0, "NYM_GATEWAYS names the localnet's gateways");
    return { nymApiUrl, gateways, close: () => Promise.resolve() };
  }
  const { startLocalnet } = await import("../../localnet/mod.ts");
  const net = await startLocalnet({ gateways: 2, logger: "silent" });
  return {
    nymApiUrl: net.nymApiUrl,
    gateways: net.gateways.map((g) => g.identity),
    close: net.close,
  };
}

Deno.test("two clients exchange a message, an anonymous reply and 20 kB through a localnet", async () => {
  const net = await localnet();
  try {
    // Node 20 has no global WebSocket: its runner installs the `ws` package's as the global.
    const options = { nymApiUrl: net.nymApiUrl, traffic: "noCover" as const };
    const alice = await connect({ ...options, gateway: net.gateways[0], crypto: nobleCrypto });
    const bob = await connect({ ...options, gateway: net.gateways.at(-1) });
    try {
      assert(alice.address.endsWith(`@${net.gateways[0]}`));
      await alice.send(bob.address, "hello bob", { replySurbs: 2 });
      const received = await next(bob);
      assertEquals(new TextDecoder().decode(received.data), "hello bob");
      assert(received.senderTag, "the message carries a sender tag");
      await bob.reply(received.senderTag, "hello, whoever you are");
      const answer = await next(alice);
      assertEquals(
        [answer.kind, new TextDecoder().decode(answer.data)],
        ["reply", "hello, whoever you are"],
      );
      const big = crypto.getRandomValues(new Uint8Array(20_000));
      await alice.send(bob.address, big);
      assertEquals((await next(bob)).data, big);
    } finally {
      await alice.disconnect();
      await bob.disconnect();
    }
  } finally {
    await net.close();
  }
});
