// Stream frames against the layout of Nym's `SphinxStreamFrameAttributes` (nym-lp-data
// packet/frame.rs) and the header test of nym-sdk stream/protocol.rs; malformed input.
import { encodeNymMessage, fragmentCapacity, numberOfRequiredFragments } from "../message/mod.ts";
import {
  decodeStreamFrame,
  encodeStreamFrame,
  isStreamFrame,
  maxFramePayload,
  peekStreamId,
  STREAM_FRAME_HEADER_LENGTH,
  STREAM_MESSAGE_TYPES,
  StreamFrameError,
  type StreamMessageType,
} from "../stream/mod.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";

Deno.test("a frame header is kind 3 LE, stream id BE, type, sequence BE and a zero byte", () => {
  const bytes = encodeStreamFrame({
    streamId: 0x0011223344556677n,
    type: "open",
    sequence: 1,
    payload: Uint8Array.of(0xaa),
  });
  assertEquals(
    bytes,
    Uint8Array.of(3, 0, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0, 0, 0, 0, 1, 0, 0xaa),
  );
  assertEquals(STREAM_FRAME_HEADER_LENGTH, 16);
});

Deno.test("message types have Nym's values and ours sit far above them", () => {
  assertEquals(STREAM_MESSAGE_TYPES, {
    open: 0,
    data: 1,
    openAck: 2,
    ping: 3,
    pong: 4,
    close: 0xf0,
    reset: 0xf1,
  });
});

Deno.test("every message type, stream id and sequence survives a round trip", () => {
  const types = Object.keys(STREAM_MESSAGE_TYPES) as StreamMessageType[];
  for (const type of types) {
    for (const streamId of [0n, 1n, 0xffffffffffffffffn, 0x8000000000000000n]) {
      for (const sequence of [0, 1, 255, 65535, 0xffffffff]) {
        const payload = type === "data"
          ? crypto.getRandomValues(new Uint8Array(37))
          : new Uint8Array(0);
        const frame = decodeStreamFrame(encodeStreamFrame({ streamId, type, sequence, payload }));
        assertEquals([frame.streamId, frame.type, frame.sequence, frame.payload], [
          streamId,
          type,
          sequence,
          payload,
        ]);
      }
    }
  }
});

Deno.test("the reserved byte is ignored on receipt, as Nym does", () => {
  const bytes = encodeStreamFrame({
    streamId: 9n,
    type: "data",
    sequence: 3,
    payload: Uint8Array.of(1),
  });
  bytes[15] = 0x5a;
  assertEquals(decodeStreamFrame(bytes).sequence, 3);
});

Deno.test("every truncation of a frame header is a truncated error", () => {
  const bytes = encodeStreamFrame({
    streamId: 77n,
    type: "data",
    sequence: 5,
    payload: new Uint8Array(0),
  });
  for (let length = 0; length < STREAM_FRAME_HEADER_LENGTH; length++) {
    const error = assertThrows(
      () => decodeStreamFrame(bytes.subarray(0, length)),
      StreamFrameError,
    );
    assertEquals(error.kind, "truncated");
    assertEquals(error.streamId, length >= 10 ? 77n : undefined);
  }
  assertEquals(decodeStreamFrame(bytes).payload.length, 0);
});

Deno.test("unknown message types are refused with the stream id, as Nym's parser refuses them", () => {
  const known = new Set(Object.values(STREAM_MESSAGE_TYPES));
  const bytes = encodeStreamFrame({
    streamId: 5n,
    type: "data",
    sequence: 0,
    payload: Uint8Array.of(1),
  });
  for (let type = 0; type < 256; type++) {
    bytes[10] = type;
    if (known.has(type)) decodeStreamFrame(bytes);
    else {
      const error = assertThrows(() => decodeStreamFrame(bytes), StreamFrameError);
      assertEquals([error.kind, error.streamId], ["type", 5n]);
    }
  }
});

Deno.test("bit flips in the kind bytes make a frame of another kind", () => {
  const bytes = encodeStreamFrame({
    streamId: 1n,
    type: "data",
    sequence: 0,
    payload: new Uint8Array(4),
  });
  for (let bit = 0; bit < 16; bit++) {
    const flipped = bytes.slice();
    flipped[bit >> 3] ^= 1 << (bit & 7);
    assert(!isStreamFrame(flipped));
    assertEquals(assertThrows(() => decodeStreamFrame(flipped), StreamFrameError).kind, "kind");
  }
});

Deno.test("random bytes never throw anything but a StreamFrameError", () => {
  for (let i = 0; i < 2000; i++) {
    const bytes = crypto.getRandomValues(new Uint8Array(i % 40));
    if (i % 2 === 0 && bytes.length >= 2) bytes.set([3, 0]);
    try {
      decodeStreamFrame(bytes);
    } catch (error) {
      assert(error instanceof StreamFrameError, String(error));
    }
  }
});

Deno.test("peekStreamId reads the id from ten bytes on and nothing shorter", () => {
  const bytes = encodeStreamFrame({
    streamId: 0x0102030405060708n,
    type: "ping",
    sequence: 0,
    payload: new Uint8Array(0),
  });
  assertEquals(peekStreamId(bytes.subarray(0, 10)), 0x0102030405060708n);
  assertEquals(peekStreamId(bytes.subarray(0, 9)), undefined);
});

Deno.test("encoding refuses ids and sequences outside their widths", () => {
  const base = { type: "data" as const, payload: new Uint8Array(0) };
  assertThrows(() => encodeStreamFrame({ ...base, streamId: -1n, sequence: 0 }), RangeError);
  assertThrows(() => encodeStreamFrame({ ...base, streamId: 1n << 64n, sequence: 0 }), RangeError);
  assertThrows(() => encodeStreamFrame({ ...base, streamId: 0n, sequence: 2 ** 32 }), RangeError);
  assertThrows(() => encodeStreamFrame({ ...base, streamId: 0n, sequence: 1.5 }), RangeError);
});

Deno.test("a frame of maxFramePayload bytes is exactly one packet on its route, one more is two", () => {
  const perPacket = fragmentCapacity();
  const cases = [
    ["send", (data: Uint8Array) => encodeNymMessage({ type: "plain", data })],
    [
      "reply",
      (message: Uint8Array) =>
        encodeNymMessage({ type: "reply", content: { kind: "data", message } }),
    ],
  ] as const;
  for (const [route, encode] of cases) {
    const max = maxFramePayload(route);
    const frame = (n: number) =>
      encodeStreamFrame({ streamId: 1n, type: "data", sequence: 0, payload: new Uint8Array(n) });
    // + 1 for the padding marker, as padMessage counts it
    assertEquals(numberOfRequiredFragments(encode(frame(max)).length + 1, perPacket).fragments, 1);
    assertEquals(
      numberOfRequiredFragments(encode(frame(max + 1)).length + 1, perPacket).fragments,
      2,
    );
  }
  assertEquals([maxFramePayload("send"), maxFramePayload("reply")], [1586, 1585]);
});
