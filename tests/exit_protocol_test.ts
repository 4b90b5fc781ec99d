// The exit protocol codec against the byte vectors of Nym's own tests
// (common/socks5/requests/src/{lib,request,response}.rs, service-providers/common/src/interface)
// and the bytes mix-fetch 1.4.4 was seen sending; malformed input only ever throws
// ExitProtocolError. Also the exit policy, the global-IP check, the reorder buffer and the
// SOCKS5 handshake parsers.
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  ExitPolicy,
  ExitPolicyError,
  ExitProtocolError,
  type ExitProtocolErrorKind,
  isGlobalIp,
  OrderedBuffer,
  parseIp,
  parseSocks5Greeting,
  parseSocks5Request,
  Socks5Error,
} from "../exit/mod.ts";
import { splitHostPort } from "../exit/network_requester.ts";
import { Recipient } from "../message/recipient.ts";
import { assert, assertEquals, assertThrows } from "./_assert.ts";

const NYM_RETURN_ADDRESS =
  "3KRydEpanwjFhq5GAraVjRUF1Tno7w7oc4EwJYTGNo5J.RgZ7uMJHruBQqD5hC9Ghi3sqiTn6NycfM5qCfJz6yoM@9Byd9VAtyYMnbVAcqdoQxJnq76XEg2dbxbiF5Aa5Jj9J";
// lib.rs interface_backwards_compatibility::old_client_vs_new_service_provider
const LEGACY_CONNECT = Uint8Array.of(
  0,
  0,
  2,
  254,
  34,
  100,
  192,
  20,
  13,
  171,
  0,
  16,
  56,
  48,
  46,
  50,
  52,
  57,
  46,
  57,
  57,
  46,
  49,
  52,
  56,
  58,
  56,
  48,
  34,
  112,
  17,
  182,
  225,
  6,
  174,
  216,
  160,
  41,
  72,
  236,
  160,
  90,
  156,
  3,
  250,
  41,
  243,
  53,
  191,
  178,
  218,
  53,
  170,
  14,
  185,
  33,
  94,
  153,
  25,
  41,
  6,
  82,
  169,
  187,
  88,
  246,
  211,
  57,
  68,
  225,
  228,
  231,
  116,
  29,
  119,
  235,
  160,
  14,
  156,
  205,
  66,
  1,
  75,
  204,
  204,
  220,
  14,
  150,
  191,
  203,
  174,
  88,
  121,
  173,
  83,
  219,
  188,
  164,
  194,
  212,
  238,
  228,
  4,
  128,
  48,
  105,
  224,
  83,
  17,
  246,
  233,
  16,
  235,
  223,
  68,
  87,
  13,
  40,
  34,
  186,
  218,
  204,
  126,
  145,
);
const LEGACY_SEND_HEAD = Uint8Array.of(
  0,
  1,
  108,
  102,
  28,
  19,
  50,
  178,
  37,
  241,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
);
const GET_1MB =
  "GET /1MB.zip HTTP/1.1\r\nHost: ipv4.download.thinkbroadband.com\r\nUser-Agent: curl/7.68.0\r\nAccept: */*\r\n\r\n";

function cat(...parts: (Uint8Array | number[])[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function kindOf(fn: () => unknown): ExitProtocolErrorKind {
  const error = assertThrows(fn, ExitProtocolError);
  return (error as ExitProtocolError).kind;
}

Deno.test("a legacy Connect from Nym's tests decodes and re-encodes byte for byte", () => {
  const request = decodeRequest(LEGACY_CONNECT);
  assert(request.kind === "connect");
  assertEquals(request.interfaceVersion, "legacy");
  assertEquals(request.socks5Version, "legacy");
  assertEquals(request.connectionId, 215647648274976171n);
  assertEquals(request.remoteAddress, "80.249.99.148:80");
  assertEquals(request.returnAddress?.toString(), NYM_RETURN_ADDRESS);
  assertEquals(encodeRequest(request), LEGACY_CONNECT);
});

Deno.test("a legacy Send from Nym's tests carries a 103-byte HTTP request", () => {
  const bytes = cat(LEGACY_SEND_HEAD, new TextEncoder().encode(GET_1MB));
  const request = decodeRequest(bytes);
  assert(request.kind === "send");
  assertEquals(request.connectionId, 7810961472501196273n);
  assertEquals(request.localClosed, false);
  assertEquals(request.sequence, 0n);
  assertEquals(request.data.length, 103);
  assertEquals(new TextDecoder().decode(request.data), GET_1MB);
  assertEquals(encodeRequest(request), bytes);
});

Deno.test("the socket-data header differs by direction, as Nym's socket_data_serialization", () => {
  const six = new Array(8).fill(6), seq = [0, 1, 2, 3, 4, 5, 6, 7], data = [255, 255, 255];
  const request = decodeRequest(cat([3, 1, 3, 1], six, [0], seq, data));
  assert(request.kind === "send");
  assertEquals(request.connectionId, 0x0606060606060606n);
  assertEquals(request.sequence, 0x0001020304050607n);
  assertEquals([...request.data], data);
  const response = decodeResponse(cat([3, 1, 3, 1], [0], six, seq, data));
  assert(response.kind === "networkData");
  assertEquals(response.connectionId, 0x0606060606060606n);
  assertEquals(response.sequence, 0x0001020304050607n);
  assertEquals(response.localClosed, false);
  assertEquals(encodeResponse(response), cat([3, 1, 3, 1], [0], six, seq, data));
  // Legacy responses have neither version byte: `01 <NetworkData body>`.
  const legacy = decodeResponse(cat([1], [1], six, seq));
  assert(legacy.kind === "networkData" && legacy.localClosed);
  assertEquals(legacy.interfaceVersion, "legacy");
  assertEquals(encodeResponse(legacy), cat([1], [1], six, seq));
});

Deno.test("the Connect mix-fetch 1.4.4 sent decodes with its return address", () => {
  const address = Recipient.parse(NYM_RETURN_ADDRESS);
  const bytes = cat(
    [3, 1, 3, 0, 0x78, 0xe8, 0x1d, 0xc2, 0x79, 0x52, 0x90, 0xd7, 0, 15],
    new TextEncoder().encode("127.0.0.1:33207"),
    address.toBytes(),
  );
  const request = decodeRequest(bytes);
  assert(request.kind === "connect");
  assertEquals(request.connectionId, 0x78e81dc2795290d7n);
  assertEquals(request.remoteAddress, "127.0.0.1:33207");
  assert(request.returnAddress?.equals(address));
  assertEquals(encodeRequest(request), bytes);
});

Deno.test("queries and their responses use Nym's bincode bytes", () => {
  // request.rs tests pin [2,0] and [2,1]; response.rs pins [3,0,1], [3,1,3,'foo'], [3,3,16,…].
  const open = decodeRequest(Uint8Array.of(3, 1, 3, 2, 0));
  assert(open.kind === "query" && open.query === "openProxy");
  assertEquals(
    encodeRequest({ kind: "query", interfaceVersion: 3, socks5Version: 3, query: "description" }),
    Uint8Array.of(3, 1, 3, 2, 1),
  );
  const openProxy = decodeResponse(Uint8Array.of(3, 1, 3, 3, 0, 1));
  assert(openProxy.kind === "query");
  assertEquals(openProxy.query, { type: "openProxy", open: true });
  const foo = decodeResponse(Uint8Array.of(3, 1, 3, 3, 1, 3, 102, 111, 111));
  assert(foo.kind === "query");
  assertEquals(foo.query, { type: "description", description: "foo" });
  const error = cat([3, 1, 3, 3, 3, 16], new TextEncoder().encode("this is an error"));
  const decoded = decodeResponse(error);
  assert(decoded.kind === "query");
  assertEquals(decoded.query, { type: "error", message: "this is an error" });
  assertEquals(encodeResponse(decoded), error);
  // An exit policy round-trips, its ports as varints (443 needs the 251 marker).
  const policy = {
    kind: "query" as const,
    interfaceVersion: 3,
    socks5Version: 3,
    query: {
      type: "exitPolicy" as const,
      enabled: true,
      upstream: "file",
      rules: ExitPolicy.parse("reject 10.0.0.0/8:*\naccept *:443").rules,
    },
  };
  const bytes = encodeResponse(policy);
  // …, accept (variant 0), "*", start 443, end 443.
  assertEquals([...bytes.subarray(-9)], [0, 1, 42, 251, 1, 187, 251, 1, 187]);
  assertEquals(decodeResponse(bytes), policy);
});

Deno.test("control messages: health, versions and errors", () => {
  const health = decodeRequest(Uint8Array.of(3, 0, 0));
  assert(health.kind === "control" && health.control === "health");
  assertEquals(
    encodeResponse({ kind: "control", interfaceVersion: 3, control: { type: "health" } }),
    Uint8Array.of(3, 0, 0),
  );
  const versions = cat(
    [3, 0, 2],
    new TextEncoder().encode(
      '{"interface_version":"{\\"type\\":\\"Versioned\\",\\"version\\":3}","provider_version":"{\\"type\\":\\"Versioned\\",\\"version\\":3}"}',
    ),
  );
  const decoded = decodeResponse(versions);
  assert(decoded.kind === "control" && decoded.control.type === "supportedRequestVersions");
  assertEquals(JSON.parse(decoded.control.providerVersion), { type: "Versioned", version: 3 });
  assertEquals(encodeResponse(decoded), versions);
  const error = decodeResponse(cat([3, 0, 255], new TextEncoder().encode('{"message":"no"}')));
  assert(error.kind === "control");
  assertEquals(error.control, { type: "error", message: "no" });
});

Deno.test("malformed requests throw typed errors named as Nym's", () => {
  const v = [3, 1, 3];
  assertEquals(kindOf(() => decodeRequest(new Uint8Array())), "noData");
  assertEquals(kindOf(() => decodeRequest(Uint8Array.of(3))), "noData");
  assertEquals(kindOf(() => decodeRequest(Uint8Array.of(4, 1, 3, 0))), "unsupportedVersion");
  assertEquals(kindOf(() => decodeRequest(Uint8Array.of(3, 1, 4, 0))), "unsupportedVersion");
  assertEquals(kindOf(() => decodeRequest(Uint8Array.of(3, 7))), "unknownRequestTag");
  assertEquals(kindOf(() => decodeRequest(Uint8Array.of(3, 0, 9))), "unknownControlTag");
  assertEquals(kindOf(() => decodeRequest(Uint8Array.of(3, 1, 3, 9))), "unknownRequestFlag");
  // request.rs: 7 id bytes; 8 id bytes and 0 or 1 length bytes; a length with no address.
  assertEquals(
    kindOf(() => decodeRequest(cat(v, [0, 1, 2, 3, 4, 5, 6, 7]))),
    "connectionIdTooShort",
  );
  assertEquals(
    kindOf(() => decodeRequest(cat(v, [0, 1, 2, 3, 4, 5, 6, 7, 8]))),
    "addressLengthTooShort",
  );
  assertEquals(
    kindOf(() => decodeRequest(cat(v, [0, 1, 2, 3, 4, 5, 6, 7, 8, 0]))),
    "addressLengthTooShort",
  );
  assertEquals(
    kindOf(() => decodeRequest(cat(v, [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1]))),
    "addressTooShort",
  );
  const foo = [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 7, 102, 111, 111, 46, 99, 111, 109];
  assertEquals(
    kindOf(() => decodeRequest(cat(v, foo, new Array(95).fill(1)))),
    "returnAddressTooShort",
  );
  assertEquals(
    kindOf(() => decodeRequest(cat(v, foo, new Array(97).fill(1)))),
    "returnAddressTooShort",
  );
  assertEquals(
    kindOf(() => decodeRequest(cat(v, [1], new Array(16).fill(0)))),
    "insufficientSocketData",
  );
  assertEquals(kindOf(() => decodeRequest(Uint8Array.of(3, 1, 3, 2, 3))), "malformedQuery");
  assertEquals(kindOf(() => decodeRequest(Uint8Array.of(3, 1, 3, 2, 0, 0))), "malformedQuery");
});

Deno.test("malformed responses throw typed errors", () => {
  const v = [3, 1, 3];
  assertEquals(kindOf(() => decodeResponse(new Uint8Array())), "noData");
  assertEquals(kindOf(() => decodeResponse(Uint8Array.of(3, 9))), "unknownResponseTag");
  assertEquals(kindOf(() => decodeResponse(Uint8Array.of(3, 1, 3, 9))), "unknownResponseFlag");
  assertEquals(kindOf(() => decodeResponse(Uint8Array.of(0))), "unknownResponseFlag");
  assertEquals(kindOf(() => decodeResponse(cat(v, [1, 0, 1, 2]))), "insufficientSocketData");
  assertEquals(kindOf(() => decodeResponse(cat(v, [2, 1, 2, 3, 4, 5]))), "connectionIdTooShort");
  // response.rs deserialization_errors: 42u64 then invalid UTF-8.
  const bad = cat(v, [2, 0, 0, 0, 0, 0, 0, 0, 42, 0, 159, 146, 150]);
  assertEquals(kindOf(() => decodeResponse(bad)), "malformedErrorMessage");
  assertEquals(kindOf(() => decodeResponse(cat(v, [3, 0, 2]))), "malformedQuery");
  assertEquals(kindOf(() => decodeResponse(cat(v, [3, 1, 9, 65]))), "malformedQuery");
  assertEquals(kindOf(() => decodeResponse(cat(v, [3, 0, 1, 0]))), "malformedQuery");
  assertEquals(kindOf(() => decodeResponse(Uint8Array.of(3, 0, 1, 123))), "malformedJson");
  assertEquals(kindOf(() => decodeResponse(Uint8Array.of(3, 0, 7))), "unknownControlTag");
});

Deno.test("random bytes never throw anything but ExitProtocolError", () => {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  for (let i = 0; i < 20_000; i++) {
    const prefix = [[3, 1, 3], [3, 0], [0], [1], [2], []][i % 6];
    const bytes = cat(prefix, Array.from({ length: next() % 40 }, next));
    for (const decode of [decodeRequest, decodeResponse]) {
      try {
        decode(bytes);
      } catch (error) {
        assert(error instanceof ExitProtocolError, `${error} for ${bytes}`);
      }
    }
  }
});

Deno.test("the exit policy: first match wins, unmatched is refused, bad lines are typed errors", () => {
  const policy = ExitPolicy.parse(`
    # comment
    ExitPolicy reject 10.0.0.0/8:*
    accept 10.1.2.3:80, reject *:25
    accept6 [2001:db8::]/32:443
    accept *4:80-81
  `);
  const ip = (s: string) => parseIp(s)!;
  assertEquals(policy.allows(ip("10.1.2.3"), 80), false);
  assertEquals(policy.allows(ip("1.2.3.4"), 25), false);
  assertEquals(policy.allows(ip("1.2.3.4"), 81), true);
  assertEquals(policy.allows(ip("1.2.3.4"), 82), undefined);
  assertEquals(policy.allows(ip("2001:db8::1"), 443), true);
  assertEquals(policy.allows(ip("2001:db9::1"), 80), undefined);
  assertEquals(policy.allows(ip("1.2.3.4"), 0), false); // port 0 matches any port rule (Nym)
  assertEquals(ExitPolicy.open().allows(ip("::1"), 1), true);
  for (
    const bad of [
      "allow *:80",
      "accept *",
      "accept */8:80",
      "accept 1.2.3.4/33:80",
      "accept *:0",
      "accept *:9-8",
      "accept *:70000",
      "accept 1.2.3:80",
    ]
  ) {
    assertThrows(() => ExitPolicy.parse(`accept *:1\n${bad}`), ExitPolicyError);
  }
});

Deno.test("global IPs: loopback, private and documentation ranges are not", () => {
  for (
    const local of [
      "127.0.0.1",
      "10.1.1.1",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.1.1",
      "100.64.0.1",
      "0.0.0.0",
      "255.255.255.255",
      "192.0.2.1",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "2001:db8::1",
      "::ffff:127.0.0.1",
    ]
  ) {
    assertEquals(isGlobalIp(parseIp(local)!), false, local);
  }
  for (const global of ["1.1.1.1", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:1.1.1.1"]) {
    assertEquals(isGlobalIp(parseIp(global)!), true, global);
  }
  for (
    const notIp of ["example.com", "1.2.3", "1.2.3.256", "01.2.3.4", "1::2::3", "[::1", "g::1"]
  ) {
    assertEquals(parseIp(notIp), undefined, notIp);
  }
});

Deno.test("host:port splitting accepts brackets and Nym's bare IPv6 form", () => {
  assertEquals(splitHostPort("example.com:443"), { host: "example.com", port: 443 });
  assertEquals(splitHostPort("[::1]:80"), { host: "::1", port: 80 });
  assertEquals(splitHostPort("0:0:0:0:0:0:0:1:80"), { host: "0:0:0:0:0:0:0:1", port: 80 });
  for (const bad of ["example.com", ":80", "a:", "a:99999", "a:x"]) {
    assertEquals(splitHostPort(bad), undefined);
  }
});

Deno.test("the reorder buffer delivers in order and refuses what Nym's refuses", () => {
  const buffer = new OrderedBuffer({ maxBytes: 10 });
  assertEquals(buffer.write(1, Uint8Array.of(2), false), undefined);
  assertEquals(buffer.write(1, Uint8Array.of(2), false), "duplicate");
  assertEquals(buffer.write(1002, Uint8Array.of(0), false), "tooFarAhead");
  assertEquals(buffer.write(2, new Uint8Array(10), false), "full");
  assertEquals(buffer.read().data.length, 0);
  assertEquals(buffer.write(0, Uint8Array.of(1), false), undefined);
  assertEquals(buffer.read().data.map((d) => d[0]), [1, 2]);
  assertEquals(buffer.write(0, Uint8Array.of(1), false), "stale");
  assertEquals(buffer.write(3, new Uint8Array(), true), undefined);
  assertEquals(buffer.write(4, Uint8Array.of(9), false), "afterClose");
  assertEquals(buffer.write(2, Uint8Array.of(3), false), undefined);
  const last = buffer.read();
  assertEquals(last.closed, true);
  assertEquals(last.data.map((d) => d[0]), [3]);
  assertEquals(buffer.bufferedBytes, 0);
});

Deno.test("SOCKS5 handshakes parse incrementally; bad ones carry the reply code", () => {
  assertEquals(parseSocks5Greeting(Uint8Array.of(5)), undefined);
  assertEquals(parseSocks5Greeting(Uint8Array.of(5, 2, 0)), undefined);
  assertEquals(parseSocks5Greeting(Uint8Array.of(5, 2, 0, 2)), { methods: [0, 2], length: 4 });
  assertThrows(() => parseSocks5Greeting(Uint8Array.of(4, 1, 0)), Socks5Error);
  assertThrows(() => parseSocks5Greeting(Uint8Array.of(5, 0)), Socks5Error);
  assertEquals(parseSocks5Request(Uint8Array.of(5, 1, 0, 1, 127, 0, 0)), undefined);
  const domain = cat([5, 1, 0, 3, 11], new TextEncoder().encode("example.com"), [1, 187]);
  assertEquals(parseSocks5Request(domain), { target: "example.com:443", length: domain.length });
  const v6 = cat([5, 1, 0, 4], new Array(15).fill(0), [1, 0, 80]);
  assertEquals(parseSocks5Request(v6)?.target, "[0:0:0:0:0:0:0:1]:80");
  const reply = (bytes: number[]) =>
    (assertThrows(() => parseSocks5Request(Uint8Array.from(bytes)), Socks5Error) as Socks5Error)
      .reply;
  assertEquals(reply([5, 2, 0, 1, 1, 2, 3, 4, 0, 80]), 7); // BIND
  assertEquals(reply([5, 1, 0, 9, 1, 2, 3, 4, 0, 80]), 8); // unknown address type
  assertEquals(reply([5, 1, 0, 3, 0, 0, 80]), 1); // empty name
  assertEquals(reply([5, 1, 0, 3, 3, 97, 58, 98, 0, 80]), 1); // "a:b"
  assertEquals(reply([5, 1, 0, 1, 1, 2, 3, 4, 0, 0]), 1); // port 0
});
