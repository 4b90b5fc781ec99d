// Interop: the official Nym client (npm:@nymproject/nym-client-wasm@1.4.1) through our WHOLE
// localnet — our directory, gateways and mixnodes — with nothing of ours on its side.
//
// - `NymNodeTester.test_node(mix)` is the official client's own verdict on a mixnode: it sends
//   test packets (Sphinx v258) on routes through that node and back to itself via our gateway,
//   which must strip and forward each packet's SURB-ACK; score 100 means every packet and every
//   ack came back (official-client.md §5, Test A).
// - The full `NymClient` reads our directory, registers at our gateway and sends itself a real
//   message (Sphinx v259) that must come back through our three layers.
//
// The wasm client keeps background timers and intervals (its task loops) that it offers no API
// to stop, so these tests turn off the op sanitizer (only it: the resource sanitizer stays on,
// and every socket and server of our own is closed explicitly).
import { assert, assertEquals } from "../_assert.ts";
import { startLocalnet } from "../../localnet/mod.ts";
import { skipReason, startNodeTester, startOfficialClient } from "./_official.ts";

for (const perLayer of [1, 2]) {
  Deno.test({
    name: `the official node tester scores 100 on every mixnode of a localnet with ${perLayer} ${
      perLayer === 1 ? "node" : "nodes"
    } per layer`,
    ignore: skipReason !== undefined,
    sanitizeOps: false, // see the header: the wasm client's timers outlive the test
    async fn() {
      const net = await startLocalnet({ mixnodesPerLayer: perLayer, logger: "silent" });
      try {
        const tester = await startNodeTester(net);
        try {
          for (const mixnode of net.mixnodes) {
            // 10 s is the tester's own default; it returns as soon as everything came back.
            const result = await tester.test_node(mixnode.identity, 10_000n, 20);
            assertEquals(
              {
                sent: result.sent_packets,
                received: result.received_packets,
                acks: result.received_acks,
                duplicates: result.duplicate_packets + result.duplicate_acks,
                score: result.score(),
              },
              { sent: 20, received: 20, acks: 20, duplicates: 0, score: 100 },
              `mixnode ${mixnode.nodeId} (layer ${mixnode.layer})`,
            );
          }
          // No mixnode dropped anything (the official packets all decoded cleanly).
          for (const mixnode of net.mixnodes) {
            const s = mixnode.node.stats;
            assertEquals(
              [s.droppedMalformed, s.droppedReplay, s.droppedSendFailure, s.droppedQueueFull],
              [0, 0, 0, 0],
              `drops at mixnode ${mixnode.nodeId}`,
            );
          }
        } finally {
          await tester.disconnect_from_gateway();
        }
      } finally {
        await net.close();
      }
    },
  });
}

Deno.test({
  name: "the official client started on our directory sends itself a message through the localnet",
  ignore: skipReason !== undefined,
  sanitizeOps: false, // see the header: the wasm client's timers outlive the test
  async fn() {
    const net = await startLocalnet({ logger: "silent" });
    try {
      const { client, inbox } = await startOfficialClient(net);
      const self = client.selfAddress();
      assertEquals(self.split("@")[1], net.gateways[0].identity);
      const framesBefore = net.mixnodes.map((m) => m.node.stats.framesReceived);

      const text = new TextEncoder().encode("hello me, via a TypeScript mixnet");
      await client.send_regular_message(text, self);
      const message = await inbox.next("the official client's message to itself");
      assertEquals(message.data, text);
      assertEquals(message.senderTag, undefined);

      // It really went through every layer (data packet, and its SURB-ACK on the way back).
      net.mixnodes.forEach((m, i) => {
        const crossed = m.node.stats.framesReceived - framesBefore[i];
        assert(crossed >= 1, `mixnode ${m.nodeId} (layer ${m.layer}) saw no packet`);
      });
    } finally {
      await net.close();
    }
  },
});
