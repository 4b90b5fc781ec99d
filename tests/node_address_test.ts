import {
  decodeNodeAddress,
  encodeNodeAddress,
  padNodeAddress,
  SphinxError,
} from "../sphinx/mod.ts";
import { assertEquals, assertThrows } from "./_assert.ts";

Deno.test("IPv4 addresses encode as tag 4, big-endian port and four octets", () => {
  assertEquals(encodeNodeAddress("127.0.0.1:1789"), Uint8Array.of(4, 0x06, 0xfd, 127, 0, 0, 1));
  assertEquals(
    decodeNodeAddress(Uint8Array.of(4, 0xff, 0x7f, 127, 0, 0, 1)).hostPort,
    "127.0.0.1:65407",
  );
});

Deno.test("IPv6 addresses encode as tag 6 with sixteen bytes and print in RFC 5952 form", () => {
  const bytes = encodeNodeAddress("[2001:db8::1]:1789");
  assertEquals(bytes.length, 19);
  assertEquals(Array.from(bytes.subarray(0, 5)), [6, 0x06, 0xfd, 0x20, 0x01]);
  for (const text of ["::1", "2001:db8::1", "fe80::", "1:2:3:4:5:6:7:8", "::ffff:10.0.0.1"]) {
    const decoded = decodeNodeAddress(encodeNodeAddress(`[${text}]:9`));
    assertEquals(encodeNodeAddress(decoded.hostPort), encodeNodeAddress(`[${text}]:9`));
  }
  assertEquals(decodeNodeAddress(encodeNodeAddress("[0:0:0:0:0:0:0:1]:9")).ip, "::1");
});

Deno.test("padded addresses decode and padding is ignored", () => {
  const padded = padNodeAddress(encodeNodeAddress("10.1.2.3:1789"), 32);
  assertEquals(padded.length, 32);
  const decoded = decodeNodeAddress(padded);
  assertEquals([decoded.ip, decoded.port, decoded.byteLength], ["10.1.2.3", 1789, 7]);
});

Deno.test("malformed addresses are address errors", () => {
  for (
    const text of [
      "",
      "127.0.0.1",
      "host:1789",
      "256.0.0.1:1",
      "1.2.3:4",
      "[::1:1",
      "[1::2::3]:1",
      "1.2.3.4:70000",
      "01.2.3.4:1",
    ]
  ) {
    assertThrows(() => encodeNodeAddress(text), SphinxError, (e) => e.kind === "address");
  }
  for (
    const bytes of [
      new Uint8Array(0),
      Uint8Array.of(5, 0, 0),
      Uint8Array.of(4, 1, 2),
      Uint8Array.of(6, ...new Uint8Array(17)),
    ]
  ) {
    assertThrows(() => decodeNodeAddress(bytes), SphinxError, (e) => e.kind === "address");
  }
  assertThrows(() => padNodeAddress(new Uint8Array(20), 19), SphinxError);
});
