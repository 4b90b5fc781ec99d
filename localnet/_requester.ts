// The network requester `localnet --network-requester` runs: a fresh in-memory client on the
// localnet, no Poisson delay (Nym's requester default, `disable_poisson_rate = true`), and
// loopback/private targets allowed, since reaching local test servers is a localnet's purpose.
import { connect } from "../client/connect.ts";
import { denoTransport, serveNetworkRequester } from "../exit/mod.ts";

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
      if (event.type === "refused") {
        log(`network-requester: refused ${event.remote} (${event.reason})`);
      }
      if (event.type === "unreachable") {
        log(`network-requester: could not connect to ${event.remote}`);
      }
      if (event.type === "malformed") {
        log(`network-requester: dropped a malformed request: ${event.error.message}`);
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
