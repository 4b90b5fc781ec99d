// Node-to-node framing (Nym's NymCodec): header layout, every size, chunked decoding, errors.
import { assert, assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_fixtures/mod.ts";
import {
  encodeFrame,
  type Frame,
  FrameDecoder,
  frameSizeFromTag,
  FramingError,
  type FramingErrorKind,
  OUTFOX_PACKET_SIZES,
  readFrames,
} from "../localnet/framing/mod.ts";
import { PACKET_SIZES } from "../sphinx/mod.ts";

// Expected (tag, total length) pairs, written out from Nym's params/src/packet_sizes.rs and
// nym-outfox/src/constants.rs rather than taken from the code under test.
const SIZES: [tag: number, total: number, type: 0 | 2][] = [
  [1, 2413, 0], // regular: 2048 + 348 + 17
  [2, 386, 0], // ack: 16 + 5 + 365
  [3, 33133, 0], // extended32
  [4, 8557, 0], // extended8
  [5, 16749, 0], // extended16
  [6, 2377, 2], // outfox regular: 2048 + 329
  [7, 377, 2], // outfox ack: 48 + 329
];

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) {
    crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  }
  return out;
}

function decodeAll(bytes: Uint8Array, chunk: number): Frame[] {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    frames.push(...decoder.feed(bytes.subarray(i, i + chunk)));
  }
  decoder.finish();
  return frames;
}

function decodeError(bytes: number[]): FramingError {
  const decoder = new FrameDecoder();
  return assertThrows(() => [...decoder.feed(Uint8Array.from(bytes))], FramingError);
}

Deno.test("frames of both versions and every packet size round-trip with the exact header bytes", () => {
  for (const [tag, total, type] of SIZES) {
    const size = frameSizeFromTag(tag);
    assert(size, `tag ${tag} is known`);
    assertEquals(size.totalSize, total, `size of tag ${tag}`);
    for (const version of [7, 8] as const) {
      for (const keyRotation of [0, 1, 2] as const) {
        const packet = randomBytes(total);
        const wire = encodeFrame({
          version,
          packetSize: size,
          packetType: type,
          keyRotation,
          packet,
        });
        const header = version === 7 ? [7, tag, type] : [8, tag, type, keyRotation];
        assertEquals(wire.length, header.length + total);
        assertEquals(Array.from(wire.subarray(0, header.length)), header);
        assertEquals(wire.subarray(header.length), packet);
        const frames = decodeAll(wire, wire.length);
        assertEquals(frames.length, 1);
        const frame = frames[0];
        assertEquals(frame.version, version);
        assertEquals(frame.packetSize.tag, tag);
        assertEquals(frame.packetType, type);
        // A version 7 header has no rotation byte: it always decodes as 0 (unknown).
        assertEquals(frame.keyRotation, version === 7 ? 0 : keyRotation);
        assertEquals(frame.packet, packet);
      }
    }
  }
});

Deno.test("a stream delivered one byte at a time yields the same frames", () => {
  const originals = SIZES.filter(([, total]) => total < 20000).flatMap(([tag, total, type], i) =>
    [7, 8].map((version) => ({
      version: version as 7 | 8,
      packetSize: frameSizeFromTag(tag)!,
      packetType: type,
      keyRotation: (version === 8 ? (i % 3) : 0) as 0 | 1 | 2,
      packet: randomBytes(total),
    }))
  );
  const stream = new Uint8Array(originals.reduce((n, f) => n + 4 + f.packet.length, 0));
  let offset = 0;
  for (const frame of originals) {
    const wire = encodeFrame(frame);
    stream.set(wire, offset);
    offset += wire.length;
  }
  const bytes = stream.subarray(0, offset);
  for (const chunk of [1, 2, 3, 1000, 4096]) {
    const frames = decodeAll(bytes, chunk);
    assertEquals(frames.length, originals.length, `chunk ${chunk}`);
    frames.forEach((frame, i) => {
      assertEquals(frame.version, originals[i].version);
      assertEquals(frame.packetSize.name, originals[i].packetSize.name);
      assertEquals(frame.keyRotation, originals[i].keyRotation);
      assertEquals(frame.packet, originals[i].packet);
    });
  }
});

Deno.test("a 32 KiB frame split at random points decodes, and the decoder waits for more bytes", () => {
  const packet = randomBytes(PACKET_SIZES.extended32.totalSize);
  const wire = encodeFrame({ version: 8, packet, keyRotation: 2 });
  const decoder = new FrameDecoder();
  let at = 0;
  const frames: Frame[] = [];
  const random = seededRandom(32);
  while (at < wire.length) {
    const step = 1 + random.below(5000);
    frames.push(...decoder.feed(wire.subarray(at, at + step)));
    at += step;
    if (at < wire.length) assertEquals(frames.length, 0, "no frame before the last byte");
  }
  assertEquals(frames.length, 1);
  assertEquals(frames[0].packet, packet);
  assertEquals(decoder.buffered, 0);
});

Deno.test("the packet size and type are inferred from the packet length when not given", () => {
  const wire = encodeFrame({ packet: new Uint8Array(377) });
  assertEquals(Array.from(wire.subarray(0, 4)), [8, 7, 2, 0]);
  const ack = encodeFrame({ version: 7, packet: new Uint8Array(386) });
  assertEquals(Array.from(ack.subarray(0, 3)), [7, 2, 0]);
});

Deno.test("malformed headers throw typed framing errors", () => {
  const cases: [number[], FramingErrorKind][] = [
    [[0, 1, 0], "version"],
    [[1, 1, 0], "version"], // what an old, unversioned header (size tag first) looks like
    [[6, 1, 0], "version"],
    [[9, 1, 0, 0], "version"],
    [[255, 1, 0, 0], "version"],
    [[7, 0, 0], "size-tag"],
    [[7, 8, 0], "size-tag"],
    [[8, 255, 0, 0], "size-tag"],
    [[7, 1, 1], "packet-type"],
    [[8, 1, 3, 0], "packet-type"],
    [[8, 1, 0, 3], "key-rotation"],
    [[8, 1, 0, 255], "key-rotation"],
    // Nym checks the rotation byte before the size tag and the packet type.
    [[8, 99, 99, 9], "key-rotation"],
    [[7, 99, 99], "size-tag"],
  ];
  for (const [bytes, kind] of cases) {
    assertEquals(decodeError(bytes).kind, kind, `header ${bytes}`);
  }
});

Deno.test("the decoder waits for a whole header before judging it", () => {
  const decoder = new FrameDecoder();
  decoder.push(Uint8Array.of(8, 1, 0));
  assertEquals(decoder.next(), undefined, "a version 8 header needs its 4th byte");
  decoder.push(Uint8Array.of(7));
  assertEquals(assertThrows(() => decoder.next(), FramingError).kind, "key-rotation");
});

Deno.test("frames before a malformed header are returned, then the decoder stays failed", () => {
  const good = encodeFrame({ version: 7, packet: randomBytes(386) });
  const decoder = new FrameDecoder();
  const seen: Frame[] = [];
  const error = assertThrows(() => {
    for (const frame of decoder.feed(new Uint8Array([...good, 5, 1, 0]))) seen.push(frame);
  }, FramingError);
  assertEquals(error.kind, "version");
  assertEquals(seen.length, 1);
  assertEquals(seen[0].packet, good.subarray(3));
  assertEquals(decoder.error, error);
  decoder.push(good);
  assertEquals(assertThrows(() => decoder.next(), FramingError), error);
});

Deno.test("a stream that ends inside a frame is a length error", async () => {
  const wire = encodeFrame({ packet: randomBytes(2413) });
  for (const cut of [1, 3, 4, 100, wire.length - 1]) {
    const decoder = new FrameDecoder();
    assertEquals([...decoder.feed(wire.subarray(0, cut))].length, 0);
    assertEquals(assertThrows(() => decoder.finish(), FramingError).kind, "length");
  }
  // Built by hand: Bun 1.3 has no ReadableStream.from, and this file runs there too.
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(wire);
      controller.enqueue(wire.subarray(0, 10));
      controller.close();
    },
  });
  const frames: Frame[] = [];
  const error = await assertRejects(async () => {
    for await (const frame of readFrames(stream)) frames.push(frame);
  }, FramingError);
  assertEquals(error.kind, "length");
  assertEquals(frames.length, 1);
});

Deno.test("encodeFrame rejects out-of-range arguments with typed errors", () => {
  const packet = new Uint8Array(2413);
  const cases: [() => unknown, FramingErrorKind][] = [
    [() => encodeFrame({ packet: new Uint8Array(2412) }), "length"],
    [() => encodeFrame({ packet, packetSize: PACKET_SIZES.ack }), "length"],
    [() => encodeFrame({ packet, version: 6 as 7 }), "version"],
    [() => encodeFrame({ packet, version: 9 as 8 }), "version"],
    [() => encodeFrame({ packet, packetType: 1 as 0 }), "packet-type"],
    [() => encodeFrame({ packet, keyRotation: 3 as 0 }), "key-rotation"],
    [() => encodeFrame({ packet, packetSize: { ...PACKET_SIZES.regular, tag: 9 } }), "size-tag"],
    [
      () => encodeFrame({ packet, packetSize: { ...PACKET_SIZES.regular, totalSize: 2414 } }),
      "size-tag",
    ],
  ];
  for (const [run, kind] of cases) assertEquals(assertThrows(run, FramingError).kind, kind);
  assertEquals(
    encodeFrame({ packet: new Uint8Array(2377), packetSize: OUTFOX_PACKET_SIZES.regular })[2],
    2,
  );
});

Deno.test("random and bit-flipped streams only ever raise framing errors", () => {
  const wire = encodeFrame({ version: 8, packet: randomBytes(386), keyRotation: 1 });
  for (let i = 0; i < 2000; i++) {
    const bytes = i < 1000 ? randomBytes(1 + (i % 50)) : wire.slice();
    if (i >= 1000) bytes[i % 4] ^= 1 << (i % 8);
    const decoder = new FrameDecoder();
    try {
      for (const frame of decoder.feed(bytes)) {
        assertEquals(frame.packet.length, frame.packetSize.totalSize);
      }
      decoder.finish();
    } catch (error) {
      assert(error instanceof FramingError, `unexpected ${error}`);
    }
  }
});
