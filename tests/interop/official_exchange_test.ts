// Interop: the official Nym client (npm:@nymproject/nym-client-wasm@1.4.1) and OUR client
// exchange messages through our localnet, each registered at its own gateway of ours.
//
// Official → ours covers the official Sphinx v259 packets, payload encryption and fragments as
// our client decodes them, its reply SURBs (our `reply()`), and our gateway's SURB-ACK path:
// the official client retransmits every fragment whose ack has not come back in time, so no
// retransmission shows the acks it built reached it through our gateways and mixnodes.
// Ours → official covers our packets, fragments and SURB-ACKs as the official client decodes
// and acknowledges them.
//
// The wasm client keeps background timers and intervals (its task loops) that it offers no API
// to stop, so these tests turn off the op sanitizer (only it: the resource sanitizer stays on,
// and every socket and server of our own is closed explicitly).
import { assert, assertEquals } from "../_assert.ts";
import { connect } from "../../client/connect.ts";
import type { MixnetClient, ReceivedMessage } from "../../client/mixnet_client.ts";
import { type Localnet, startLocalnet } from "../../localnet/mod.ts";
import { OFFICIAL_TEST_OVERRIDE, skipReason, startOfficialClient, within } from "./_official.ts";

/** Our client on gateway 1, with 1 ms per hop and no cover traffic. */
function connectOurs(net: Localnet): Promise<MixnetClient> {
  return connect({
    nymApiUrl: net.nymApiUrl,
    gateway: net.gateways[1].identity,
    traffic: { preset: "noCover", averagePacketDelayMs: 1, averageAckDelayMs: 1 },
  });
}

async function nextMessage(client: MixnetClient, what: string): Promise<ReceivedMessage> {
  const reader = client.messages.getReader();
  try {
    const { value, done } = await within(reader.read(), 10_000, what);
    assert(!done && value, `${what}: the message stream ended`);
    return value;
  } finally {
    reader.releaseLock();
  }
}

const bytes = (text: string) => new TextEncoder().encode(text);

// The official client waits `1.5 × expected delay + ackWaitAdditionMs` for each fragment's ack
// and then sends the fragment again. 1 s instead of Nym's 1.5 s leaves a round trip on loopback
// (tens of ms) a wide margin while any missing ack shows as a resend within the 2 s we watch.
const ACK_WAIT_ADDITION_MS = 1000;
const WATCH_MS = 2000;

Deno.test({
  name: "the official client's messages reach our client, and our reply reaches it, with no resend",
  ignore: skipReason !== undefined,
  sanitizeOps: false, // see the header: the wasm client's timers outlive the test
  async fn() {
    const net = await startLocalnet({ gateways: 2, logger: "silent" });
    let ours: MixnetClient | undefined;
    try {
      const { client: official, inbox } = await startOfficialClient(net, 0, {
        ...OFFICIAL_TEST_OVERRIDE,
        acknowledgements: { averageAckDelayMs: 1, ackWaitAdditionMs: ACK_WAIT_ADDITION_MS },
      });
      ours = await connectOurs(net);
      // The official client is the only client of gateway 0, so every packet gateway 0's mix
      // side sends is one of its data packets or a SURB-ACK of a packet addressed to it.
      const gateway0 = net.gateways[0].node;
      const sentByGateway0 = async () => {
        await gateway0.idle();
        return gateway0.stats.sent;
      };
      const before = await sentByGateway0();

      // A regular (one-packet) message arrives byte-identical.
      const regular = bytes("hello from the official Nym client");
      await official.send_regular_message(regular, ours.address);
      const first = await nextMessage(ours, "the official regular message");
      assertEquals([first.kind, first.data, first.senderTag], ["plain", regular, undefined]);
      assertEquals(await sentByGateway0() - before, 1, "one packet for a one-packet message");

      // An anonymous message with 5 reply SURBs arrives with a sender tag.
      const anonymous = bytes("who am I? reply with one of my 5 SURBs");
      await official.send_anonymous_message(anonymous, ours.address, 5);
      const second = await nextMessage(ours, "the official anonymous message");
      assertEquals([second.kind, second.data], ["repliable", anonymous]);
      assert(second.senderTag, "the anonymous message carries a sender tag");
      const delivered = await sentByGateway0();

      // No resend: our gateway 1 forwarded each packet's SURB-ACK, and the acks made it back
      // through the mixnodes and gateway 0 to the official client before its timers fired.
      await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
      assertEquals(await sentByGateway0(), delivered, "the official client resent a packet");
      assertEquals(ours.stats.messagesReceived, 2, "no duplicate message was delivered");

      // Our reply, through one of its SURBs, arrives at its on_message; our handle resolves
      // once gateway 0 has forwarded the reply's SURB-ACK back to us.
      const answer = bytes("a reply through your SURB, from TypeScript");
      await within(ours.reply(second.senderTag, answer), 10_000, "the ack of our reply");
      const replied = await inbox.next("our reply");
      assertEquals([replied.data, replied.senderTag], [answer, undefined]);
      assertEquals(ours.stats.retransmissions, 0);
      assertEquals(inbox.pending, 0, "the official client got our reply once");
    } finally {
      await ours?.disconnect();
      await net.close();
    }
  },
});

Deno.test({
  name: "our client's one-packet and 100 KB messages reach the official client and are acked",
  ignore: skipReason !== undefined,
  sanitizeOps: false, // see the header: the wasm client's timers outlive the test
  async fn() {
    const net = await startLocalnet({ gateways: 2, logger: "silent" });
    let ours: MixnetClient | undefined;
    try {
      const { client: official, inbox } = await startOfficialClient(net, 0);
      ours = await connectOurs(net);
      const officialAddress = official.selfAddress();

      const small = bytes("hello official client, from TypeScript");
      await within(ours.send(officialAddress, small), 10_000, "the ack of the small message");
      const got = await inbox.next("our one-packet message");
      assertEquals([got.data, got.senderTag], [small, undefined]);
      const afterSmall = ours.stats;
      assertEquals([afterSmall.realPacketsSent, afterSmall.acksReceived], [1, 1]);

      // 100 KB: some 60 fragments, each in its own packet.
      const big = new Uint8Array(100_000);
      for (let i = 0; i < big.length; i += 65_536) {
        crypto.getRandomValues(big.subarray(i, Math.min(i + 65_536, big.length)));
      }
      await within(ours.send(officialAddress, big), 20_000, "the acks of the 100 KB message");
      const gotBig = await inbox.next("our 100 KB message");
      assertEquals(gotBig.data.length, big.length);
      assertEquals(gotBig.data, big);

      // Every fragment was acknowledged (the official client's SURB-ACKs, forwarded by our
      // gateway 0, came back to us) on the first try.
      const stats = ours.stats;
      assert(stats.realPacketsSent > 60, `${stats.realPacketsSent} packets for 100 KB`);
      assertEquals(stats.acksReceived, stats.realPacketsSent);
      assertEquals(stats.retransmissions, 0);
      assertEquals(inbox.pending, 0, "each message was delivered once");
    } finally {
      await ours?.disconnect();
      await net.close();
    }
  },
});
