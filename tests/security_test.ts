// Security properties that cut across modules.
import { connect } from "../client/connect.ts";
import { MemoryStorage } from "../client/storage.ts";
import { toHex } from "../internal/bytes.ts";
import { toBase58, toBase64 } from "../internal/encoding.ts";
import type { LogEntry } from "../localnet/mod.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { assert, assertEquals } from "./_assert.ts";

function encodings(secret: Uint8Array): string[] {
  return [toHex(secret), toBase58(secret), toBase64(secret), `[${Array.from(secret).join(",")}]`];
}

Deno.test("no secret key, shared key or message reaches a log line, even at debug level", async () => {
  const lines: string[] = [];
  const capture = (entry: LogEntry) => lines.push(JSON.stringify(entry));
  const originals = {
    log: console.log,
    error: console.error,
    warn: console.warn,
    info: console.info,
    debug: console.debug,
  };
  for (const name of Object.keys(originals) as (keyof typeof originals)[]) {
    console[name] = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  }
  const storage = new MemoryStorage();
  try {
    await using net = await startLocalnet({ gateways: 2, logger: capture });
    const alice = await connect({
      nymApiUrl: net.nymApiUrl,
      traffic: "noCover",
      storage,
      gateway: net.gateways[0].identity,
    });
    const bob = await connect({
      nymApiUrl: net.nymApiUrl,
      traffic: "noCover",
      gateway: net.gateways[1].identity,
    });
    const secretText = "the-quick-brown-secret-message";
    await alice.send(bob.address, secretText, { replySurbs: 2 });
    const reader = bob.messages.getReader();
    const message = (await reader.read()).value!;
    reader.releaseLock();
    await bob.reply(message.senderTag!, "reply-secret-body");
    // Malformed input makes the nodes log; those lines must not leak either.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: net.mixnodes[0].node.port });
    await conn.write(new Uint8Array(64).fill(9));
    conn.close();
    await alice.disconnect();
    await bob.disconnect();
    assert(lines.length > 0, "the nodes logged something");
    const secrets: Uint8Array[] = [];
    for (const key of ["identity-secret-key", "encryption-secret-key", "ack-key"]) {
      secrets.push((await storage.get(key))!);
    }
    const shared = await storage.get(
      `gateway-shared-key/${toHex(net.gateways[0].server.identityKey)}`,
    );
    assert(shared, "alice's gateway shared key is stored");
    secrets.push(shared);
    const text = lines.join("\n");
    for (const secret of secrets) {
      for (const form of encodings(secret)) {
        assertEquals(text.includes(form), false, `a secret leaked as ${form}`);
      }
    }
    assertEquals(text.includes(secretText), false);
    assertEquals(text.includes("reply-secret-body"), false);
  } finally {
    Object.assign(console, originals);
  }
});
