// Starts a stored client (made by `init`) for the exit commands, as `run` does: its config,
// traffic settings and registered gateway, with `--nym-api` and `--no-cover` overrides.
import type { MixnetClient } from "../client/mixnet_client.ts";
import { connectStored, loadClient } from "./_client_files.ts";
import { trafficFromConfig, withOverrides } from "./config.ts";

/** Connects client `id` with its stored keys. */
export async function connectStoredClient(options: {
  readonly id: string;
  readonly env: (name: string) => string | undefined;
  readonly nymApiUrls?: readonly string[];
  readonly noCover?: boolean;
  readonly signal?: AbortSignal;
}): Promise<MixnetClient> {
  const loaded = await loadClient(options.id, options.env);
  const config = withOverrides(loaded.config, {
    nymApiUrls: options.nymApiUrls,
    noCover: options.noCover,
  });
  const debug = trafficFromConfig(config);
  return await connectStored({
    nymApiUrl: config.client.nym_api_urls,
    storage: loaded.storage,
    traffic: { preset: "default", ...debug.traffic },
    topologyRefreshMs: debug.topologyRefreshMs,
    signal: options.signal,
  });
}
