// deno-lint-ignore no-import-prefix
import { IDBFactory } from "npm:fake-indexeddb@6.2.8";
import { IndexedDbStorage } from "../client/indexeddb_storage.ts";
import { type ClientStorage, gatewayKeysIn, MemoryStorage } from "../client/storage.ts";
import { connect } from "../client/connect.ts";
import { startLocalnet } from "../localnet/mod.ts";
import { assertEquals } from "./_assert.ts";

async function conformance(storage: ClientStorage) {
  assertEquals(await storage.get("missing"), undefined);
  const value = Uint8Array.of(1, 2, 3);
  await storage.set("a", value);
  value[0] = 9; // the store keeps its own copy
  assertEquals(await storage.get("a"), Uint8Array.of(1, 2, 3));
  await storage.set("a", Uint8Array.of(4));
  assertEquals(await storage.get("a"), Uint8Array.of(4));
  await storage.delete("a");
  assertEquals(await storage.get("a"), undefined);
  const keys = gatewayKeysIn(storage);
  const gateway = new Uint8Array(32).fill(7);
  await keys.storeSharedKey(gateway, new Uint8Array(32).fill(1));
  assertEquals(await keys.loadSharedKey(gateway), new Uint8Array(32).fill(1));
  await keys.removeSharedKey(gateway);
  assertEquals(await keys.loadSharedKey(gateway), undefined);
}

Deno.test("memory storage behaves as a byte key-value store", () =>
  conformance(new MemoryStorage()));

Deno.test("IndexedDB storage behaves as a byte key-value store", async () => {
  const storage = await IndexedDbStorage.open("conformance", new IDBFactory());
  await conformance(storage);
  storage.close();
});

Deno.test("a client with persistent storage keeps its address and authenticates again", async () => {
  await using net = await startLocalnet({ logger: "silent" });
  const factory = new IDBFactory();
  const storage = await IndexedDbStorage.open("client", factory);
  const first = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover", storage });
  const address = first.address;
  await first.disconnect();
  const second = await connect({ nymApiUrl: net.nymApiUrl, traffic: "noCover", storage });
  assertEquals(second.address, address);
  await second.send(second.address, "still me");
  const reader = second.messages.getReader();
  assertEquals(new TextDecoder().decode((await reader.read()).value!.data), "still me");
  reader.releaseLock();
  await second.disconnect();
  storage.close();
});
