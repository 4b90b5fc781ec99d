// The bounded inbox behind client.messages: limits in messages and bytes, hand-over to a waiting
// reader, re-iteration after break, close and cancel.
import { MessageInbox } from "../client/message_inbox.ts";
import { assertEquals } from "./_assert.ts";

const bytes = (n: number, fill = 0): Uint8Array => new Uint8Array(n).fill(fill);

Deno.test("the inbox refuses what exceeds its message or byte limit and keeps the rest", async () => {
  const inbox = new MessageInbox<Uint8Array>((m) => m.length, { maxMessages: 3, maxBytes: 10 });
  assertEquals([inbox.push(bytes(4, 1)), inbox.push(bytes(4, 2))], [true, true]);
  assertEquals(inbox.push(bytes(4, 3)), false, "12 bytes would exceed 10");
  assertEquals(inbox.push(bytes(2, 4)), true);
  assertEquals(inbox.push(bytes(0, 5)), false, "a fourth message exceeds 3");
  assertEquals([inbox.length, inbox.bytes], [3, 10]);
  const reader = inbox.readable.getReader();
  const got = [(await reader.read()).value![0], (await reader.read()).value![0]];
  assertEquals(got, [1, 2]);
  assertEquals([inbox.length, inbox.bytes], [1, 2], "reading frees room");
  assertEquals(inbox.push(bytes(8, 6)), true);
  reader.releaseLock();
  inbox.close();
  const rest: number[] = [];
  for await (const m of inbox.readable) rest.push(m[0]);
  assertEquals(rest, [4, 6], "close ends the stream after what waits");
  assertEquals(inbox.push(bytes(1)), false, "closed");
});

Deno.test("a waiting reader gets a message at once, outside the limits' accounting", async () => {
  const inbox = new MessageInbox<Uint8Array>((m) => m.length, { maxMessages: 1 });
  const reader = inbox.readable.getReader();
  const reading = reader.read();
  await Promise.resolve();
  assertEquals(inbox.push(bytes(1, 7)), true);
  assertEquals((await reading).value![0], 7);
  assertEquals([inbox.length, inbox.bytes], [0, 0]);
  reader.releaseLock();
  inbox.close();
});

Deno.test("breaking out of for-await keeps the inbox open for the next loop", async () => {
  const inbox = new MessageInbox<Uint8Array>((m) => m.length);
  for (let i = 0; i < 4; i++) inbox.push(bytes(1, i));
  const seen: number[] = [];
  for await (const m of inbox.readable) {
    seen.push(m[0]);
    if (seen.length === 2) break;
  }
  inbox.push(bytes(1, 9));
  inbox.close();
  for await (const m of inbox.readable) seen.push(m[0]);
  assertEquals(seen, [0, 1, 2, 3, 9]);
});

Deno.test("an application that cancels the stream frees what waits and refuses more", async () => {
  const inbox = new MessageInbox<Uint8Array>((m) => m.length);
  inbox.push(bytes(100));
  await inbox.readable.cancel();
  assertEquals([inbox.length, inbox.bytes, inbox.push(bytes(1))], [0, 0, false]);
});
