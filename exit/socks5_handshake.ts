/**
 * The server side of a SOCKS5 handshake (RFC 1928), no authentication, CONNECT only: pure
 * parsers for the greeting and the request, and the reply bytes. The parsers take whatever
 * bytes have arrived and say whether they need more.
 *
 * @module
 */

/** Why a SOCKS5 handshake failed; `reply` is the RFC 1928 reply code to send, if any. */
export class Socks5Error extends Error {
  /** The reply code to answer with (`undefined`: just close). */
  readonly reply: number | undefined;

  /** Creates the error. */
  constructor(message: string, reply?: number) {
    super(message);
    this.name = "Socks5Error";
    this.reply = reply;
  }
}

/** RFC 1928 reply codes. */
export const SOCKS5_REPLY: Readonly<
  Record<
    | "succeeded"
    | "generalFailure"
    | "notAllowed"
    | "networkUnreachable"
    | "hostUnreachable"
    | "connectionRefused"
    | "ttlExpired"
    | "commandNotSupported"
    | "addressTypeNotSupported",
    number
  >
> = Object.freeze({
  succeeded: 0x00,
  generalFailure: 0x01,
  notAllowed: 0x02,
  networkUnreachable: 0x03,
  hostUnreachable: 0x04,
  connectionRefused: 0x05,
  ttlExpired: 0x06,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08,
});

/** A parsed greeting: the methods offered and the bytes it used. */
export interface Socks5Greeting {
  /** The authentication methods offered (0 = none). */
  readonly methods: readonly number[];
  /** Bytes the greeting used. */
  readonly length: number;
}

/**
 * Parses a client greeting (`05 NMETHODS METHODS…`); `undefined` when more bytes are needed.
 *
 * @example
 * ```ts
 * import { parseSocks5Greeting } from "@nym/mixnet/exit";
 * console.log(parseSocks5Greeting(Uint8Array.of(5, 1, 0))?.methods); // [ 0 ]
 * ```
 */
export function parseSocks5Greeting(bytes: Uint8Array): Socks5Greeting | undefined {
  if (bytes.length < 1) return undefined;
  if (bytes[0] !== 5) throw new Socks5Error(`not SOCKS5 (version byte ${bytes[0]})`);
  if (bytes.length < 2) return undefined;
  const n = bytes[1];
  if (n === 0) throw new Socks5Error("no authentication methods offered");
  if (bytes.length < 2 + n) return undefined;
  return { methods: [...bytes.subarray(2, 2 + n)], length: 2 + n };
}

/** A parsed CONNECT request. */
export interface Socks5Request {
  /** `host:port`, IPv6 in brackets. */
  readonly target: string;
  /** Bytes the request used. */
  readonly length: number;
}

/**
 * Parses a request (`05 CMD 00 ATYP ADDR PORT`); `undefined` when more bytes are needed. Throws
 * a {@linkcode Socks5Error} carrying the reply code for unsupported commands and address types.
 *
 * @example
 * ```ts
 * import { parseSocks5Request } from "@nym/mixnet/exit";
 * const request = parseSocks5Request(Uint8Array.of(5, 1, 0, 1, 127, 0, 0, 1, 0, 80));
 * console.log(request?.target); // "127.0.0.1:80"
 * ```
 */
export function parseSocks5Request(bytes: Uint8Array): Socks5Request | undefined {
  if (bytes.length < 4) return undefined;
  if (bytes[0] !== 5) throw new Socks5Error(`not SOCKS5 (version byte ${bytes[0]})`);
  if (bytes[2] !== 0) {
    throw new Socks5Error("reserved byte is not zero", SOCKS5_REPLY.generalFailure);
  }
  let host: string, at: number;
  switch (bytes[3]) {
    case 1:
      if (bytes.length < 10) return undefined;
      host = [...bytes.subarray(4, 8)].join(".");
      at = 8;
      break;
    case 3: {
      if (bytes.length < 5) return undefined;
      const n = bytes[4];
      if (n === 0) throw new Socks5Error("empty domain name", SOCKS5_REPLY.generalFailure);
      if (bytes.length < 5 + n + 2) return undefined;
      host = new TextDecoder().decode(bytes.subarray(5, 5 + n));
      if ([...host].some((c) => c <= " " || c === ":" || c === "/")) {
        throw new Socks5Error("invalid domain name", SOCKS5_REPLY.generalFailure);
      }
      at = 5 + n;
      break;
    }
    case 4: {
      if (bytes.length < 22) return undefined;
      const groups: string[] = [];
      for (let i = 4; i < 20; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
      host = `[${groups.join(":")}]`;
      at = 20;
      break;
    }
    default:
      throw new Socks5Error(
        `address type ${bytes[3]} not supported`,
        SOCKS5_REPLY.addressTypeNotSupported,
      );
  }
  if (bytes[1] !== 1) {
    throw new Socks5Error(`command ${bytes[1]} not supported`, SOCKS5_REPLY.commandNotSupported);
  }
  const port = (bytes[at] << 8) | bytes[at + 1];
  if (port === 0) throw new Socks5Error("port 0", SOCKS5_REPLY.generalFailure);
  return { target: `${host}:${port}`, length: at + 2 };
}

/**
 * A reply to a request: the code, then the (unused) bound address 0.0.0.0:0.
 *
 * @example
 * ```ts
 * import { socks5Reply } from "@nym/mixnet/exit";
 * console.log(socks5Reply(0)); // Uint8Array(10) [ 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 ]
 * ```
 */
export function socks5Reply(code: number): Uint8Array {
  return Uint8Array.of(5, code, 0, 1, 0, 0, 0, 0, 0, 0);
}
