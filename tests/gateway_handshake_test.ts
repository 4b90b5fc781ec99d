// The registration handshake and authenticateV2: byte layouts, key derivation and every refusal.
import { hkdf } from "@noble/hashes/hkdf.js";
import { blake3 } from "@noble/hashes/blake3.js";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { gcmsiv } from "@noble/ciphers/aes.js";
import { assert, assertEquals, assertNotEquals, assertThrows } from "./_assert.ts";
import { seededRandom } from "./_fixtures/mod.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { concatBytes, u64be } from "../internal/bytes.ts";
import {
  authenticateV2SignedBytes,
  createAuthenticateV2Request,
  decodeFinalization,
  decodeGatewayKeyMaterial,
  decodeHandshakeInit,
  decodeKeyMaterial,
  deriveHandshakeKey,
  encodeFinalization,
  finishGatewayHandshake,
  GatewayProtocolError,
  type GatewayProtocolErrorKind,
  respondToClientInit,
  respondToGatewayMaterial,
  startClientHandshake,
  verifyAuthenticateV2Request,
} from "../gateway/mod.ts";

const c = defaultCrypto();

function rejects(kind: GatewayProtocolErrorKind, fn: () => unknown): void {
  assertThrows(fn, GatewayProtocolError, (e) => e.kind === kind);
}

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const out = bytes.slice();
  out[index] ^= 0x01;
  return out;
}

function parties(seed: number) {
  const random = seededRandom(seed);
  const clientSecret = random(32);
  const gatewaySecret = random(32);
  const client = startClientHandshake({ identitySecretKey: clientSecret, random });
  const gateway = respondToClientInit({
    init: client.init,
    identitySecretKey: gatewaySecret,
    random,
  });
  return {
    random,
    clientSecret,
    gatewaySecret,
    gatewayIdentity: c.ed25519PublicKey(gatewaySecret),
    client,
    gateway,
  };
}

Deno.test("the init message is identity ‖ g^x ‖ salt, 80 bytes", () => {
  const { client, clientSecret } = parties(1);
  assertEquals(client.init.length, 80);
  const init = decodeHandshakeInit(client.init);
  assertEquals(init.identity, c.ed25519PublicKey(clientSecret));
  assertEquals(init.ephemeralKey, c.x25519PublicKey(client.ephemeralSecret));
  assertEquals(init.salt, client.salt);
});

Deno.test("both sides derive the same key, HKDF-BLAKE3 over X25519 with the client's salt", () => {
  const { random, client, gateway, gatewayIdentity } = parties(2);
  assertEquals(gateway.material.length, 124);
  const done = respondToGatewayMaterial(client, gateway.material, gatewayIdentity, { random });
  assertEquals(done.material.length, 92);
  assertEquals(finishGatewayHandshake(gateway, done.material), done.sharedKey);
  // independent recomputation with noble primitives (HMAC-BLAKE3 HKDF, empty info)
  const dh = x25519.getSharedSecret(client.ephemeralSecret, gateway.ephemeralKey);
  assertEquals(done.sharedKey, hkdf(blake3, dh, client.salt, new Uint8Array(0), 32));
});

Deno.test("the gateway's material is g^y ‖ AEAD(Sign_G(g^y ‖ g^x)) ‖ nonce", () => {
  const { client, gateway, gatewaySecret } = parties(3);
  const reply = decodeGatewayKeyMaterial(gateway.material);
  assertEquals(reply.ephemeralKey, gateway.ephemeralKey);
  const signature = gcmsiv(gateway.sharedKey, reply.nonce).decrypt(reply.ciphertext);
  assertEquals(
    signature,
    ed25519.sign(concatBytes(gateway.ephemeralKey, client.ephemeralKey), gatewaySecret),
  );
});

Deno.test("the client's material is AEAD(Sign_C(g^x ‖ g^y)) ‖ nonce", () => {
  const { random, client, clientSecret, gateway, gatewayIdentity } = parties(4);
  const done = respondToGatewayMaterial(client, gateway.material, gatewayIdentity, { random });
  const material = decodeKeyMaterial(done.material);
  const signature = gcmsiv(done.sharedKey, material.nonce).decrypt(material.ciphertext);
  assertEquals(
    signature,
    ed25519.sign(concatBytes(client.ephemeralKey, gateway.ephemeralKey), clientSecret),
  );
});

Deno.test("a client refuses a gateway that signs with another identity or tampers", () => {
  const { random, client, gateway, gatewayIdentity } = parties(5);
  const impostor = c.ed25519PublicKey(random(32));
  rejects("signature", () => respondToGatewayMaterial(client, gateway.material, impostor));
  rejects(
    "aead",
    () => respondToGatewayMaterial(client, flip(gateway.material, 40), gatewayIdentity),
  );
  rejects(
    "aead",
    () => respondToGatewayMaterial(client, flip(gateway.material, 123), gatewayIdentity),
  );
  // another g^y gives another key, so the signature no longer decrypts
  rejects(
    "aead",
    () => respondToGatewayMaterial(client, flip(gateway.material, 0), gatewayIdentity),
  );
});

Deno.test("a gateway refuses client material that does not verify", () => {
  const { random, client, gateway, gatewayIdentity } = parties(6);
  const done = respondToGatewayMaterial(client, gateway.material, gatewayIdentity, { random });
  rejects("aead", () => finishGatewayHandshake(gateway, flip(done.material, 10)));
  rejects("aead", () => finishGatewayHandshake(gateway, flip(done.material, 91)));
  // a correctly encrypted signature by someone else
  const other = startClientHandshake({ identitySecretKey: random(32), random });
  const forged = respondToGatewayMaterial(
    { ...client, identitySecretKey: random(32), init: other.init },
    gateway.material,
    gatewayIdentity,
    { random },
  );
  rejects("signature", () => finishGatewayHandshake(gateway, forged.material));
});

Deno.test("handshake messages of the wrong length are refused", () => {
  for (const n of [0, 32, 79, 81, 124]) {
    rejects("length", () => decodeHandshakeInit(new Uint8Array(n)));
  }
  for (const n of [0, 91, 93, 124]) rejects("length", () => decodeKeyMaterial(new Uint8Array(n)));
  // 96 bytes is Nym's legacy outer length, which its inner parse refuses as well
  for (const n of [0, 92, 96, 123, 125]) {
    rejects("length", () => decodeGatewayKeyMaterial(new Uint8Array(n)));
  }
  const { client, gatewayIdentity } = parties(7);
  rejects("length", () => respondToGatewayMaterial(client, new Uint8Array(96), gatewayIdentity));
  rejects(
    "length",
    () => respondToClientInit({ init: new Uint8Array(79), identitySecretKey: new Uint8Array(32) }),
  );
});

Deno.test("finalization is one byte and only [1] means success", () => {
  assertEquals(encodeFinalization(true), Uint8Array.of(1));
  assertEquals(encodeFinalization(false), Uint8Array.of(0));
  assertEquals(decodeFinalization(Uint8Array.of(1)), true);
  assertEquals(decodeFinalization(Uint8Array.of(0)), false);
  assertEquals(decodeFinalization(Uint8Array.of(2)), false);
  rejects("length", () => decodeFinalization(new Uint8Array(0)));
  rejects("length", () => decodeFinalization(Uint8Array.of(1, 1)));
});

Deno.test("a low-order ephemeral key is refused during key derivation", () => {
  rejects(
    "key",
    () => deriveHandshakeKey(new Uint8Array(32).fill(9), new Uint8Array(32), new Uint8Array(16)),
  );
  const init = concatBytes(new Uint8Array(32), new Uint8Array(32), new Uint8Array(16));
  rejects("key", () => respondToClientInit({ init, identitySecretKey: new Uint8Array(32) }));
});

// ---- authenticateV2 ----------------------------------------------------------------------

const NOW = 1_795_345_501_000;

function registered(seed: number) {
  const random = seededRandom(seed);
  const identitySecretKey = random(32);
  const sharedKey = random(32);
  const request = createAuthenticateV2Request({
    protocolVersion: 6,
    sharedKey,
    identitySecretKey,
    nowMs: NOW,
    random,
  });
  return { random, identitySecretKey, sharedKey, request };
}

Deno.test("authenticateV2 signs version ‖ identity ‖ ciphertext ‖ nonce ‖ timestamp (u64 BE)", () => {
  const { identitySecretKey, sharedKey, request } = registered(10);
  assertEquals(request.clientIdentity, c.ed25519PublicKey(identitySecretKey));
  assertEquals(request.addressCiphertext.length, 48);
  assertEquals(request.nonce.length, 12);
  assertEquals(request.requestUnixTimestamp, Math.floor(NOW / 1000));
  // the ciphertext is the identity (destination address) under the shared key
  assertEquals(
    gcmsiv(sharedKey, request.nonce).decrypt(request.addressCiphertext),
    request.clientIdentity,
  );
  const signed = concatBytes(
    Uint8Array.of(6),
    request.clientIdentity,
    request.addressCiphertext,
    request.nonce,
    u64be(BigInt(request.requestUnixTimestamp)),
  );
  assertEquals(authenticateV2SignedBytes(request), signed);
  assertEquals(signed.length, 101);
  assert(ed25519.verify(request.requestSignature, signed, request.clientIdentity));
});

Deno.test("a valid authenticateV2 negotiates the client's version", () => {
  const { sharedKey, request } = registered(11);
  assertEquals(verifyAuthenticateV2Request(request, { stored: { sharedKey }, nowMs: NOW }), 6);
  const v4 = createAuthenticateV2Request({
    protocolVersion: 4,
    sharedKey,
    identitySecretKey: registered(11).identitySecretKey,
    nowMs: NOW,
  });
  assertEquals(verifyAuthenticateV2Request(v4, { stored: { sharedKey }, nowMs: NOW }), 4);
});

Deno.test("authenticateV2 outside the version range is refused", () => {
  const { identitySecretKey, sharedKey } = registered(12);
  for (const protocolVersion of [0, 3, 7, 255]) {
    const request = createAuthenticateV2Request({
      protocolVersion,
      sharedKey,
      identitySecretKey,
      nowMs: NOW,
    });
    rejects(
      "protocol-version",
      () => verifyAuthenticateV2Request(request, { stored: { sharedKey }, nowMs: NOW }),
    );
  }
  const six = createAuthenticateV2Request({
    protocolVersion: 6,
    sharedKey,
    identitySecretKey,
    nowMs: NOW,
  });
  rejects(
    "protocol-version",
    () =>
      verifyAuthenticateV2Request(six, {
        stored: { sharedKey },
        nowMs: NOW,
        maxProtocolVersion: 5,
      }),
  );
});

Deno.test("authenticateV2 more than 120 s away from the gateway's clock is refused", () => {
  const { sharedKey, request } = registered(13);
  const stored = { sharedKey };
  const ts = request.requestUnixTimestamp * 1000;
  assertEquals(verifyAuthenticateV2Request(request, { stored, nowMs: ts + 120_000 }), 6);
  assertEquals(verifyAuthenticateV2Request(request, { stored, nowMs: ts - 120_000 }), 6);
  rejects("timestamp", () => verifyAuthenticateV2Request(request, { stored, nowMs: ts + 120_001 }));
  rejects("timestamp", () => verifyAuthenticateV2Request(request, { stored, nowMs: ts - 120_001 }));
  rejects(
    "timestamp",
    () => verifyAuthenticateV2Request(request, { stored, nowMs: ts + 11_000, maxSkewSeconds: 10 }),
  );
});

Deno.test("a forged authenticateV2 signature is refused", () => {
  const { sharedKey, request, random } = registered(14);
  const stored = { sharedKey };
  rejects(
    "signature",
    () =>
      verifyAuthenticateV2Request({
        ...request,
        requestSignature: flip(request.requestSignature, 5),
      }, { stored, nowMs: NOW }),
  );
  // changing any signed field breaks the signature
  rejects(
    "signature",
    () =>
      verifyAuthenticateV2Request({
        ...request,
        requestUnixTimestamp: request.requestUnixTimestamp + 1,
      }, { stored, nowMs: NOW }),
  );
  rejects(
    "signature",
    () =>
      verifyAuthenticateV2Request({ ...request, nonce: flip(request.nonce, 0) }, {
        stored,
        nowMs: NOW,
      }),
  );
  rejects(
    "signature",
    () => verifyAuthenticateV2Request({ ...request, protocolVersion: 5 }, { stored, nowMs: NOW }),
  );
  // signed by a different key than the claimed identity
  const other = createAuthenticateV2Request({
    protocolVersion: 6,
    sharedKey,
    identitySecretKey: random(32),
    nowMs: NOW,
  });
  rejects(
    "signature",
    () =>
      verifyAuthenticateV2Request({ ...request, requestSignature: other.requestSignature }, {
        stored,
        nowMs: NOW,
      }),
  );
});

Deno.test("authenticateV2 with a key the gateway does not hold is refused", () => {
  const { request, random } = registered(15);
  rejects(
    "ciphertext",
    () => verifyAuthenticateV2Request(request, { stored: { sharedKey: random(32) }, nowMs: NOW }),
  );
  rejects(
    "not-registered",
    () => verifyAuthenticateV2Request(request, { stored: undefined, nowMs: NOW }),
  );
});

Deno.test("a replayed or older authenticateV2 timestamp is refused", () => {
  const { sharedKey, request } = registered(16);
  const ts = request.requestUnixTimestamp;
  rejects(
    "replay",
    () =>
      verifyAuthenticateV2Request(request, {
        stored: { sharedKey, lastAuthTimestamp: ts },
        nowMs: NOW,
      }),
  );
  rejects(
    "replay",
    () =>
      verifyAuthenticateV2Request(request, {
        stored: { sharedKey, lastAuthTimestamp: ts + 1 },
        nowMs: NOW,
      }),
  );
  assertEquals(
    verifyAuthenticateV2Request(request, {
      stored: { sharedKey, lastAuthTimestamp: ts - 1 },
      nowMs: NOW,
    }),
    6,
  );
});

Deno.test("authenticateV2 checks run in Nym's order", () => {
  const { sharedKey, request } = registered(17);
  const forged = { ...request, requestSignature: flip(request.requestSignature, 0) };
  // version before timestamp before signature before registration before ciphertext before replay
  rejects(
    "protocol-version",
    () =>
      verifyAuthenticateV2Request({ ...forged, protocolVersion: 3 }, {
        stored: undefined,
        nowMs: 0,
      }),
  );
  rejects("timestamp", () => verifyAuthenticateV2Request(forged, { stored: undefined, nowMs: 0 }));
  rejects(
    "signature",
    () => verifyAuthenticateV2Request(forged, { stored: undefined, nowMs: NOW }),
  );
  const wrongKey = new Uint8Array(32);
  rejects(
    "ciphertext",
    () =>
      verifyAuthenticateV2Request(request, {
        stored: { sharedKey: wrongKey, lastAuthTimestamp: 2 ** 40 },
        nowMs: NOW,
      }),
  );
  assertNotEquals(wrongKey, sharedKey);
  // a 13-byte nonce (validly signed) is refused before the ciphertext comparison
  const identitySecretKey = registered(17).identitySecretKey;
  const longNonce = { ...request, nonce: new Uint8Array(13) };
  const signature = c.ed25519Sign(identitySecretKey, authenticateV2SignedBytes(longNonce));
  rejects(
    "length",
    () =>
      verifyAuthenticateV2Request({ ...longNonce, requestSignature: signature }, {
        stored: { sharedKey },
        nowMs: NOW,
      }),
  );
});
