import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  COVER_FRAGMENT_ID,
  decodeFragment,
  decodeFragmentId,
  encodeFragment,
  encodeNymMessage,
  type Fragment,
  fragmentCapacity,
  fragmentId,
  generateSetId,
  isCoverFragmentId,
  MessageError,
  numberOfRequiredFragments,
  numberOfSets,
  padMessage,
  setCapacities,
  splitIntoFragments,
  splitIntoSets,
} from "../message/mod.ts";
import { PACKET_SIZES } from "../sphinx/mod.ts";
import { seededRandom } from "./_fixtures/mod.ts";

const P = 1611;

function plainPadded(length: number, perPacket = P): Uint8Array {
  const data = seededRandom(length)(length);
  return padMessage(encodeNymMessage({ type: "plain", data }), perPacket);
}

Deno.test("an unlinked header for set 0x12345678 is flag|id, total, position, 0", () => {
  const f: Fragment = {
    setId: 0x12345678,
    totalFragments: 10,
    currentFragment: 5,
    payload: Uint8Array.of(0xee),
  };
  const bytes = encodeFragment(f);
  assertEquals(Array.from(bytes), [0x92, 0x34, 0x56, 0x78, 10, 5, 0, 0xee]);
  assertEquals(decodeFragment(bytes), f);
});

Deno.test("a fragment 1 linked back carries flag|previous id in bytes 6 to 9", () => {
  const f: Fragment = {
    setId: 0x12345678,
    totalFragments: 10,
    currentFragment: 1,
    previousSetId: 0x01020304,
    payload: Uint8Array.of(7, 8),
  };
  const bytes = encodeFragment(f);
  assertEquals(Array.from(bytes), [0x92, 0x34, 0x56, 0x78, 10, 1, 0x81, 2, 3, 4, 7, 8]);
  assertEquals(decodeFragment(bytes), f);
});

Deno.test("fragment 255 of 255 linked forward carries flag|next id", () => {
  const f: Fragment = {
    setId: 1,
    totalFragments: 255,
    currentFragment: 255,
    nextSetId: 0x7fffffff,
    payload: new Uint8Array(0),
  };
  const bytes = encodeFragment(f);
  assertEquals(Array.from(bytes), [0x80, 0, 0, 1, 255, 255, 0xff, 0xff, 0xff, 0xff]);
  assertEquals(decodeFragment(bytes), f);
  // Without a link the same position is unlinked.
  assertEquals(decodeFragment(Uint8Array.of(0x80, 0, 0, 1, 255, 255, 0)).nextSetId, undefined);
});

Deno.test("the fragment id is set id i32 BE then position; cover is five zeros", () => {
  assertEquals(Array.from(fragmentId(0x12345678, 3)), [0x12, 0x34, 0x56, 0x78, 3]);
  assertEquals(decodeFragmentId(Uint8Array.of(0x12, 0x34, 0x56, 0x78, 3)), {
    setId: 0x12345678,
    position: 3,
  });
  assertEquals(Array.from(fragmentId(COVER_FRAGMENT_ID.setId, COVER_FRAGMENT_ID.position)), [
    0,
    0,
    0,
    0,
    0,
  ]);
  assert(isCoverFragmentId(decodeFragmentId(new Uint8Array(5))));
  assert(!isCoverFragmentId({ setId: 1, position: 0 }));
  assertEquals(
    assertThrows(() => decodeFragmentId(Uint8Array.of(0x80, 0, 0, 0, 1)), MessageError).kind,
    "header",
  );
  assertEquals(
    assertThrows(() => decodeFragmentId(new Uint8Array(4)), MessageError).kind,
    "length",
  );
  assertEquals(assertThrows(() => fragmentId(-1, 0), MessageError).kind, "header");
  assertEquals(assertThrows(() => fragmentId(1, 256), MessageError).kind, "header");
});

Deno.test("malformed fragment headers throw typed errors", () => {
  const kind = (bytes: number[]) =>
    assertThrows(() => decodeFragment(Uint8Array.from(bytes)), MessageError).kind;
  assertEquals(kind([]), "truncated");
  assertEquals(kind([0x92, 0x34, 0x56, 0x78, 1, 1]), "truncated");
  assertEquals(kind([0x12, 0x34, 0x56, 0x78, 1, 1, 0]), "header"); // flag bit clear
  assertEquals(kind([0x80, 0, 0, 0, 1, 1, 0]), "header"); // set id 0
  assertEquals(kind([0x92, 0x34, 0x56, 0x78, 0, 0, 0]), "header"); // total 0
  assertEquals(kind([0x92, 0x34, 0x56, 0x78, 3, 0, 0]), "header"); // position 0
  assertEquals(kind([0x92, 0x34, 0x56, 0x78, 3, 4, 0]), "header"); // position > total
  assertEquals(kind([0x92, 0x34, 0x56, 0x78, 3, 1, 0x81, 2]), "truncated"); // linked, short
  assertEquals(kind([0x92, 0x34, 0x56, 0x78, 3, 1, 0x01, 2, 3, 4]), "header"); // link flag clear
  assertEquals(kind([0x92, 0x34, 0x56, 0x78, 10, 2, 0x81, 2, 3, 4]), "header"); // link mid-set
  assertEquals(kind([0x92, 0x34, 0x56, 0x78, 10, 10, 0x81, 2, 3, 4]), "header"); // next on short set
  assertEquals(kind([0x92, 0x34, 0x56, 0x78, 3, 1, 0x92, 0x34, 0x56, 0x78]), "header"); // self link
  assertEquals(kind([0x92, 0x34, 0x56, 0x78, 3, 1, 0x80, 0, 0, 0]), "header"); // link to 0
});

Deno.test("every truncation of a valid linked fragment header is rejected", () => {
  const bytes = encodeFragment({
    setId: 77,
    totalFragments: 4,
    currentFragment: 1,
    previousSetId: 78,
    payload: new Uint8Array(0),
  });
  for (let n = 0; n < bytes.length; n++) {
    assertEquals(
      assertThrows(() => decodeFragment(bytes.subarray(0, n)), MessageError).kind,
      "truncated",
    );
  }
});

Deno.test("encoding rejects headers that could not be decoded back", () => {
  const base = { totalFragments: 10, currentFragment: 1, payload: new Uint8Array(0) };
  const kind = (f: Fragment) => assertThrows(() => encodeFragment(f), MessageError).kind;
  assertEquals(kind({ ...base, setId: 0 }), "header");
  assertEquals(kind({ ...base, setId: 2 ** 31 }), "header");
  assertEquals(kind({ ...base, setId: 5, totalFragments: 256 }), "header");
  assertEquals(kind({ ...base, setId: 5, currentFragment: 11 }), "header");
  assertEquals(kind({ ...base, setId: 5, currentFragment: 2, previousSetId: 6 }), "header");
  assertEquals(kind({ ...base, setId: 5, currentFragment: 10, nextSetId: 6 }), "header");
  assertEquals(kind({ ...base, setId: 5, previousSetId: 5 }), "header");
  assertEquals(
    kind({
      setId: 5,
      totalFragments: 255,
      currentFragment: 255,
      previousSetId: 6,
      nextSetId: 7,
      payload: new Uint8Array(0),
    }),
    "header",
  );
});

Deno.test("set ids are positive i32 values and 0 and i32::MIN are redrawn", () => {
  const draws = [[0, 0, 0, 0], [0x80, 0, 0, 0], [0xff, 0xff, 0xff, 0xfe]];
  let i = 0;
  assertEquals(generateSetId(() => Uint8Array.from(draws[i++])), 2);
  assertEquals(i, 3);
  assertEquals(generateSetId(() => Uint8Array.of(0x7f, 0xff, 0xff, 0xff)), 0x7fffffff);
  assertEquals(generateSetId(() => Uint8Array.of(0x80, 0, 0, 1)), 0x7fffffff);
  const random = seededRandom(9);
  for (let n = 0; n < 1000; n++) {
    const id = generateSetId(random);
    assert(id >= 1 && id <= 0x7fffffff);
  }
});

Deno.test("set capacities and fragment counts match the arithmetic of Nym's chunker", () => {
  assertEquals(fragmentCapacity(PACKET_SIZES.regular), 1611);
  assertEquals(setCapacities(P), { unlinked: 409020, oneWayLinked: 409017, twoWayLinked: 409014 });
  assertEquals(numberOfSets(409020, P), 1);
  assertEquals(numberOfSets(409021, P), 2);
  assertEquals(numberOfSets(2 * 409017, P), 2);
  assertEquals(numberOfSets(2 * 409017 + 1, P), 3);
  assertEquals(numberOfRequiredFragments(1, P), { fragments: 1, spaceLeft: 1603 });
  assertEquals(numberOfRequiredFragments(1604, P), { fragments: 1, spaceLeft: 0 });
  assertEquals(numberOfRequiredFragments(1605, P), { fragments: 2, spaceLeft: 1603 });
  assertEquals(numberOfRequiredFragments(409020, P), { fragments: 255, spaceLeft: 0 });
  // 409021 bytes: set 1 holds 409017, set 2 starts with a linked fragment of 1601.
  assertEquals(numberOfRequiredFragments(409021, P), { fragments: 256, spaceLeft: 1597 });
  assertEquals(numberOfRequiredFragments(409017 + 1601, P), { fragments: 256, spaceLeft: 0 });
  assertEquals(numberOfRequiredFragments(409017 + 1602, P), { fragments: 257, spaceLeft: 1603 });
});

function checkSplit(padded: Uint8Array, perPacket = P): Fragment[][] {
  const sets = splitIntoSets(padded, perPacket, seededRandom(padded.length));
  const flat = sets.flat();
  // Padding fills every fragment: each serialized fragment is exactly one packet's worth.
  for (const f of flat) assertEquals(encodeFragment(f).length, perPacket);
  assertEquals(flat.length, numberOfRequiredFragments(padded.length, perPacket).fragments);
  sets.forEach((set, i) => {
    assert(set.length >= 1 && set.length <= 255);
    set.forEach((f, j) => {
      assertEquals([f.setId, f.totalFragments, f.currentFragment], [
        set[0].setId,
        set.length,
        j + 1,
      ]);
    });
    assertEquals(set[0].previousSetId, i === 0 ? undefined : sets[i - 1][0].setId);
    assertEquals(
      set[set.length - 1].nextSetId,
      i === sets.length - 1 ? undefined : sets[i + 1][0].setId,
    );
    if (i < sets.length - 1) assertEquals(set.length, 255);
  });
  assertEquals(new Set(sets.map((s) => s[0].setId)).size, sets.length);
  let offset = 0;
  for (const f of flat) {
    assertEquals(f.payload, padded.subarray(offset, offset + f.payload.length));
    offset += f.payload.length;
  }
  assertEquals(offset, padded.length);
  return sets;
}

Deno.test("1 byte and 1602 bytes of plain data fit one fragment, 1603 need two", () => {
  assertEquals(checkSplit(plainPadded(1)).flat().length, 1);
  assertEquals(checkSplit(plainPadded(1602)).flat().length, 1);
  assertEquals(checkSplit(plainPadded(1603)).flat().length, 2);
});

Deno.test("409018 bytes fill exactly one set; 409019 and 409020 need two linked sets", () => {
  assertEquals(checkSplit(plainPadded(409018)).map((s) => s.length), [255]);
  assertEquals(checkSplit(plainPadded(409019)).map((s) => s.length), [255, 1]);
  assertEquals(checkSplit(plainPadded(409020)).map((s) => s.length), [255, 1]);
});

Deno.test("a 5 MB message becomes a chain of linked full sets", () => {
  const sets = checkSplit(plainPadded(5_000_000));
  assertEquals(sets.length, 13);
  const linked = sets.flat().filter((f) =>
    f.previousSetId !== undefined || f.nextSetId !== undefined
  );
  assertEquals(linked.length, 2 * sets.length - 2);
});

Deno.test("extended packet sizes split with their own fragment capacity", () => {
  const per = fragmentCapacity(PACKET_SIZES.extended8);
  assertEquals(per, 7755);
  checkSplit(plainPadded(100_000, per), per);
});

Deno.test("split fragments round trip through their serialized form", () => {
  for (const f of splitIntoFragments(plainPadded(420_000), P, seededRandom(3))) {
    assertEquals(decodeFragment(encodeFragment(f)), f);
  }
});
