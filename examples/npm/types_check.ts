// Type-checked by `tsc --noEmit` against the package's .d.ts in a fresh Node project
// (scripts/test_npm_package.ts): the types a Node or Bun user sees.
import { connect, DeliveryError, type MixnetClient, type ReceivedMessage } from "@nym/mixnet";
import { openStream } from "@nym/mixnet/stream";

export async function roundTrip(nymApiUrl: string): Promise<string> {
  const client: MixnetClient = await connect({ nymApiUrl, traffic: "noCover" });
  try {
    await client.send(client.address, "to myself", { replySurbs: 2 });
  } catch (error) {
    if (error instanceof DeliveryError) console.log(error.kind);
  }
  const reader = client.messages.getReader();
  const { value } = await reader.read();
  const message: ReceivedMessage | undefined = value;
  reader.releaseLock();
  const stream = openStream(client, client.address);
  await stream.writable.abort();
  await client.disconnect();
  return new TextDecoder().decode(message?.data);
}
