/**
 * The seed API's `getClients` source: the localnet directory's opt-in list
 * (`/v1/localnet/clients`, filled by `init --public`). Nym's nym-api publishes no clients, so on
 * mainnet (a 404) the list is empty.
 *
 * @module
 */

/** Path of the localnet's opt-in client list, relative to a nym-api URL. */
export const PUBLIC_CLIENTS_PATH = "v1/localnet/clients";

/** Most addresses read from one directory answer. */
const MAX_LISTED = 10_000;

function endpoint(nymApiUrl: string): URL {
  return new URL(PUBLIC_CLIENTS_PATH, nymApiUrl.endsWith("/") ? nymApiUrl : `${nymApiUrl}/`);
}

/**
 * The addresses the first answering directory lists; `[]` where there is no such list (a 404,
 * as on Nym mainnet). Throws when no directory answers.
 *
 * @example
 * ```ts ignore
 * import { listPublicClients } from "./seed_directory.ts";
 * console.log(await listPublicClients(["http://127.0.0.1:8080/"]));
 * ```
 */
export async function listPublicClients(
  nymApiUrls: readonly string[],
  fetchFn: typeof fetch = fetch,
): Promise<string[]> {
  let lastError: unknown = new Error("no nym-api URL");
  for (const url of nymApiUrls) {
    try {
      const response = await fetchFn(endpoint(url), { signal: AbortSignal.timeout(10_000) });
      if (response.status === 404) {
        await response.body?.cancel();
        return [];
      }
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      const body = await response.json() as { clients?: unknown };
      if (!Array.isArray(body?.clients)) throw new Error(`${url}: no "clients" list`);
      return body.clients.filter((c): c is string => typeof c === "string").slice(0, MAX_LISTED);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Adds `address` to the localnet directory's opt-in list (`init --public`). Throws with the
 * directory's message when it refuses, and says so when the directory has no such list.
 *
 * @example
 * ```ts ignore
 * import { publishClient } from "./seed_directory.ts";
 * await publishClient("http://127.0.0.1:8080/", "…address…");
 * ```
 */
export async function publishClient(
  nymApiUrl: string,
  address: string,
  fetchFn: typeof fetch = fetch,
): Promise<void> {
  const response = await fetchFn(endpoint(nymApiUrl), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ address }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status === 404) {
    throw new Error(`${nymApiUrl} lists no clients (only the localnet directory does)`);
  }
  if (!response.ok) throw new Error(`${nymApiUrl} refused the address: ${text}`);
}
