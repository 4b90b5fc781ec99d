// The network requester `localnet --network-requester` runs: a fresh in-memory client on the
// localnet, no Poisson delay (Nym's requester default, `disable_poisson_rate = true`), and
// loopback/private targets allowed, since reaching local test servers is a localnet's purpose.
import { connect } from "../client/connect.ts";
import { denoTransport, serveNetworkRequester } from "../exit/mod.ts";
import { describeRequesterEvent } from "./network_requester.ts";

/** Starts the requester; `log` gets refusals and failures. */
export async function startLocalRequester(
  nymApiUrl: string,
  log: (line: string) => void,
): Promise<{ address: string; close(): Promise<void> }> {
  const client = await connect({ nymApiUrl, traffic: { preset: "default", poisson: false } });
  const requester = serveNetworkRequester(client, {
    transport: denoTransport(),
    allowLocalIps: true,
    onEvent: (event) => {
      if (event.type === "refused" || event.type === "unreachable" || event.type === "malformed") {
        log(`network-requester: ${describeRequesterEvent(event)}`);
      }
    },
  });
  return {
    address: client.address,
    async close() {
      await requester.close();
      await client.disconnect({ timeoutMs: 2000 });
    },
  };
}
