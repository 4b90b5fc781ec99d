// JSON control messages between client and gateway: exact wire text and malformed input.
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import {
  type ClientRequest,
  decodeClientRequest,
  decodeHandshakeText,
  decodeServerResponse,
  encodeClientRequest,
  encodeHandshakeText,
  encodeServerResponse,
  GatewayProtocolError,
  type GatewayProtocolErrorKind,
  type ServerResponse,
} from "../gateway/mod.ts";

function rejects(kind: GatewayProtocolErrorKind, fn: () => unknown): void {
  assertThrows(fn, GatewayProtocolError, (e) => e.kind === kind);
}

const identity = Uint8Array.from({ length: 32 }, (_, i) => i);
const signature = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
const ciphertext = Uint8Array.from({ length: 48 }, (_, i) => i * 3);
const nonce = Uint8Array.from({ length: 12 }, (_, i) => 200 + i);

const authenticateV2Text = JSON.stringify({
  type: "authenticateV2",
  protocolVersion: 4,
  clientIdentity: Array.from(identity),
  addressCiphertext: btoa(String.fromCharCode(...ciphertext)),
  nonce: btoa(String.fromCharCode(...nonce)),
  requestUnixTimestamp: 1795345501,
  requestSignature: Array.from(signature),
});

Deno.test("supportedProtocol is the 28-byte text the official client sends first", () => {
  const text = encodeClientRequest({ type: "supportedProtocol" });
  assertEquals(text, '{"type":"supportedProtocol"}');
  assertEquals(new TextEncoder().encode(text).length, 28);
  assertEquals(decodeClientRequest(text), { type: "supportedProtocol" });
});

Deno.test("claimFreeTestnetBandwidth is a bare tagged object", () => {
  assertEquals(
    encodeClientRequest({ type: "claimFreeTestnetBandwidth" }),
    '{"type":"claimFreeTestnetBandwidth"}',
  );
});

Deno.test("authenticateV2 uses camelCase fields, byte arrays and padded base64", () => {
  const request = decodeClientRequest(authenticateV2Text);
  assert(request.type === "authenticateV2");
  assertEquals(request.request.protocolVersion, 4);
  assertEquals(request.request.clientIdentity, identity);
  assertEquals(request.request.addressCiphertext, ciphertext);
  assertEquals(request.request.nonce, nonce);
  assertEquals(request.request.requestUnixTimestamp, 1795345501);
  assertEquals(request.request.requestSignature, signature);
  assertEquals(encodeClientRequest(request), authenticateV2Text);
});

Deno.test("the handshake init is accepted under both of its names", () => {
  for (const type of ["handshakePayload", "registerHandshakeInitRequest"]) {
    const request = decodeClientRequest(`{"type":"${type}","protocol_version":3,"data":[1,2,3]}`);
    assertEquals(request, {
      type: "registerHandshakeInitRequest",
      protocolVersion: 3,
      data: Uint8Array.of(1, 2, 3),
    });
  }
  // serde's default for a missing protocol_version is 0
  const noVersion = decodeClientRequest('{"type":"handshakePayload","data":[]}');
  assert(noVersion.type === "registerHandshakeInitRequest" && noVersion.protocolVersion === 0);
});

Deno.test("every client request type survives an encode/decode round trip", () => {
  const requests: ClientRequest[] = [
    { type: "supportedProtocol" },
    { type: "claimFreeTestnetBandwidth" },
    { type: "registerHandshakeInitRequest", protocolVersion: 6, data: Uint8Array.of(9, 8) },
    { type: "ecashCredential", encCredential: Uint8Array.of(1), nonce: Uint8Array.of(2) },
    { type: "upgradeModeJWT", token: "jwt" },
    { type: "encryptedRequest", ciphertext: Uint8Array.of(3), nonce: Uint8Array.of(4) },
    { type: "authenticate" },
    { type: "bandwidthCredential" },
    { type: "bandwidthCredentialV2" },
  ];
  for (const request of requests) {
    assertEquals(decodeClientRequest(encodeClientRequest(request)), request);
  }
  // the ecash nonce is written as `iv` and read under its alias `nonce` too
  assert(encodeClientRequest(requests[3]).includes('"iv":[2]'));
  assertEquals(
    decodeClientRequest('{"type":"ecashCredential","enc_credential":[1],"nonce":[2]}'),
    requests[3],
  );
});

Deno.test("malformed client requests are refused with typed errors", () => {
  rejects("json", () => decodeClientRequest("{not json"));
  rejects("json", () => decodeClientRequest("[1,2]"));
  rejects("json", () => decodeClientRequest("null"));
  rejects("json", () => decodeClientRequest('"supportedProtocol"'));
  rejects("unknown-type", () => decodeClientRequest("{}"));
  rejects("unknown-type", () => decodeClientRequest('{"type":5}'));
  rejects("unknown-type", () => decodeClientRequest('{"type":"fooBar"}'));
  rejects("unknown-type", () => decodeClientRequest('{"type":"SupportedProtocol"}'));
  rejects("json", () => decodeClientRequest('{"type":"handshakePayload"}'));
  rejects("json", () => decodeClientRequest('{"type":"handshakePayload","data":"AQI="}'));
  rejects("json", () => decodeClientRequest('{"type":"handshakePayload","data":[256]}'));
  rejects("json", () => decodeClientRequest('{"type":"handshakePayload","data":[-1]}'));
  rejects("json", () => decodeClientRequest('{"type":"handshakePayload","data":[1.5]}'));
  rejects("json", () => decodeClientRequest('{"type":"handshakePayload","data":["1"]}'));
  rejects(
    "json",
    () => decodeClientRequest('{"type":"handshakePayload","protocol_version":256,"data":[]}'),
  );
  rejects("json", () => decodeClientRequest('{"type":"upgradeModeJWT","token":1}'));
});

Deno.test("malformed authenticateV2 fields are refused with typed errors", () => {
  const base = JSON.parse(authenticateV2Text);
  const variant = (patch: Record<string, unknown>) =>
    decodeClientRequest(JSON.stringify({ ...base, ...patch }));
  rejects("length", () => variant({ clientIdentity: Array.from(identity.subarray(1)) }));
  rejects("length", () => variant({ requestSignature: Array.from(signature.subarray(1)) }));
  rejects("json", () => variant({ addressCiphertext: "not base64!" }));
  rejects("json", () => variant({ nonce: "AAAA=" })); // bad padding
  rejects("json", () => variant({ nonce: "AB==" })); // non-canonical trailing bits
  rejects("json", () => variant({ nonce: [1, 2, 3] }));
  rejects("json", () => variant({ requestUnixTimestamp: -1 }));
  rejects("json", () => variant({ requestUnixTimestamp: 1.5 }));
  rejects("json", () => variant({ requestUnixTimestamp: 2 ** 64 }));
  rejects("json", () => variant({ requestUnixTimestamp: "1" }));
  rejects("json", () => variant({ protocolVersion: 300 }));
  rejects("json", () => variant({ protocolVersion: undefined }));
  rejects("json", () => variant({ clientIdentity: undefined }));
});

Deno.test("server responses have snake_case fields and serde defaults", () => {
  const responses: [ServerResponse, string][] = [
    [
      {
        type: "authenticate",
        protocolVersion: 6,
        status: true,
        bandwidthRemaining: 1000,
        upgradeMode: false,
      },
      '{"type":"authenticate","protocol_version":6,"status":true,"bandwidth_remaining":1000,"upgrade_mode":false}',
    ],
    [
      { type: "register", protocolVersion: 3, status: true, upgradeMode: false },
      '{"type":"register","protocol_version":3,"status":true,"upgrade_mode":false}',
    ],
    [
      { type: "bandwidth", availableTotal: 68719476736, upgradeMode: false },
      '{"type":"bandwidth","available_total":68719476736,"upgrade_mode":false}',
    ],
    [
      { type: "send", remainingBandwidth: -5, upgradeMode: true },
      '{"type":"send","remaining_bandwidth":-5,"upgrade_mode":true}',
    ],
    [{ type: "supportedProtocol", version: 6 }, '{"type":"supportedProtocol","version":6}'],
    [{ type: "error", message: "no" }, '{"type":"error","message":"no"}'],
    [
      { type: "typedError", error: { kind: "outOfBandwidth", required: 2413, available: 7 } },
      '{"type":"typedError","error":{"out_of_bandwidth":{"required":2413,"available":7}}}',
    ],
    [
      { type: "typedError", error: { kind: "ticketReplay" } },
      '{"type":"typedError","error":"ticket_replay"}',
    ],
    [
      { type: "encryptedResponse", ciphertext: Uint8Array.of(1), nonce: Uint8Array.of(2) },
      '{"type":"encryptedResponse","ciphertext":[1],"nonce":[2]}',
    ],
  ];
  for (const [response, text] of responses) {
    assertEquals(encodeServerResponse(response), text);
    assertEquals(decodeServerResponse(text), response);
  }
  // what an older gateway (and the capture in official-client.md §4) sends
  assertEquals(decodeServerResponse('{"type":"register","protocol_version":5,"status":true}'), {
    type: "register",
    protocolVersion: 5,
    status: true,
    upgradeMode: false,
  });
  assertEquals(decodeServerResponse('{"type":"register","status":true}'), {
    type: "register",
    protocolVersion: 0,
    status: true,
    upgradeMode: false,
  });
});

Deno.test("malformed server responses are refused with typed errors", () => {
  rejects("json", () => decodeServerResponse(""));
  rejects("json", () => decodeServerResponse("42"));
  rejects("unknown-type", () => decodeServerResponse('{"version":6}'));
  rejects("unknown-type", () => decodeServerResponse('{"type":"Send"}'));
  rejects("json", () => decodeServerResponse('{"type":"send"}'));
  rejects("json", () => decodeServerResponse('{"type":"send","remaining_bandwidth":1e300}'));
  rejects("json", () => decodeServerResponse('{"type":"send","remaining_bandwidth":"1"}'));
  rejects("json", () => decodeServerResponse('{"type":"authenticate","bandwidth_remaining":1}'));
  rejects(
    "json",
    () => decodeServerResponse('{"type":"authenticate","status":"yes","bandwidth_remaining":1}'),
  );
  rejects("json", () => decodeServerResponse('{"type":"supportedProtocol","version":-1}'));
  rejects("json", () => decodeServerResponse('{"type":"error"}'));
  rejects("json", () => decodeServerResponse('{"type":"typedError","error":"nope"}'));
  rejects("json", () => decodeServerResponse('{"type":"typedError","error":{"a":1,"b":2}}'));
  rejects(
    "json",
    () => decodeServerResponse('{"type":"typedError","error":{"out_of_bandwidth":{}}}'),
  );
  rejects(
    "json",
    () => decodeServerResponse('{"type":"send","remaining_bandwidth":1,"upgrade_mode":1}'),
  );
});

Deno.test("handshake text frames round-trip and refuse anything else", () => {
  const payload = encodeHandshakeText({
    type: "handshakePayload",
    protocolVersion: 6,
    data: Uint8Array.of(1),
  });
  assertEquals(payload, '{"type":"handshakePayload","protocol_version":6,"data":[1]}');
  assertEquals(decodeHandshakeText(payload), {
    type: "handshakePayload",
    protocolVersion: 6,
    data: Uint8Array.of(1),
  });
  const error = encodeHandshakeText({ type: "handshakeError", message: "bad" });
  assertEquals(error, '{"type":"handshakeError","message":"bad"}');
  assertEquals(decodeHandshakeText(error), { type: "handshakeError", message: "bad" });
  rejects("json", () => decodeHandshakeText("{"));
  rejects("unknown-type", () => decodeHandshakeText('{"type":"register","status":true}'));
  rejects("json", () => decodeHandshakeText('{"type":"handshakePayload","data":[300]}'));
  rejects("json", () => decodeHandshakeText('{"type":"handshakeError","message":null}'));
});
