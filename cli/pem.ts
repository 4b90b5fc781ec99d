/**
 * PEM files as Nym's `pemstore` writes them: `-----BEGIN <TYPE>-----`, the raw key bytes in
 * standard padded base64 wrapped at 64 characters, `-----END <TYPE>-----`, CRLF line endings
 * (the `pem` 0.8 crate's default). Reading accepts LF too.
 *
 * @module
 */
import { fromBase64, toBase64 } from "../internal/encoding.ts";

/** PEM types of the files a Nym client keeps (`common/crypto`, `nymsphinx/acknowledgements`). */
export const PEM_TYPES: Readonly<{
  ed25519PrivateKey: "ED25519 PRIVATE KEY";
  ed25519PublicKey: "ED25519 PUBLIC KEY";
  x25519PrivateKey: "X25519 PRIVATE KEY";
  x25519PublicKey: "X25519 PUBLIC KEY";
  ackKey: "AES-128-CTR ACKNOWLEDGEMENTS KEY";
}> = Object.freeze(
  {
    ed25519PrivateKey: "ED25519 PRIVATE KEY",
    ed25519PublicKey: "ED25519 PUBLIC KEY",
    x25519PrivateKey: "X25519 PRIVATE KEY",
    x25519PublicKey: "X25519 PUBLIC KEY",
    ackKey: "AES-128-CTR ACKNOWLEDGEMENTS KEY",
  } as const,
);

/** Why a PEM text was refused. */
export type PemErrorKind = "format" | "type" | "base64";

/**
 * A PEM text that is not one, holds the wrong type, or has a broken body.
 *
 * @example
 * ```ts
 * import { PemError } from "./pem.ts";
 * console.log(new PemError("type", "unexpected type").kind); // "type"
 * ```
 */
export class PemError extends Error {
  /** The category of the failure. */
  readonly kind: PemErrorKind;

  /** Builds an error of `kind`. */
  constructor(kind: PemErrorKind, message: string) {
    super(message);
    this.name = "PemError";
    this.kind = kind;
  }
}

/**
 * Encodes bytes as a PEM block of `type`, byte for byte as Nym's `pemstore` writes it.
 *
 * @example
 * ```ts
 * import { encodePem } from "./pem.ts";
 * console.log(JSON.stringify(encodePem("X", new Uint8Array([1, 2, 3]))));
 * // "-----BEGIN X-----\r\nAQID\r\n-----END X-----\r\n"
 * ```
 */
export function encodePem(type: string, bytes: Uint8Array): string {
  const body = toBase64(bytes);
  let out = `-----BEGIN ${type}-----\r\n`;
  for (let i = 0; i < body.length; i += 64) out += `${body.slice(i, i + 64)}\r\n`;
  return `${out}-----END ${type}-----\r\n`;
}

/**
 * Decodes the first PEM block of `text` and checks its type; throws {@linkcode PemError}.
 *
 * @example
 * ```ts
 * import { decodePem, encodePem } from "./pem.ts";
 * console.log(decodePem(encodePem("X", new Uint8Array([7])), "X")); // Uint8Array(1) [ 7 ]
 * ```
 */
export function decodePem(text: string, expectedType: string): Uint8Array {
  // Scanned with indexOf rather than one regular expression: the lazy groups of
  // /-----BEGIN (.*?)-----\s*([\s\S]*?)-----END (.*?)-----/ backtrack cubically, so a 20 KB file
  // of repeated BEGIN lines took seconds and 300 KB hours.
  const begin = taggedLine(text, "-----BEGIN ", 0);
  if (!begin) throw new PemError("format", "no PEM block found");
  const end = taggedLine(text, "-----END ", begin.next);
  if (!end) throw new PemError("format", "no PEM block found");
  if (begin.label === "" || begin.label !== end.label) {
    throw new PemError("format", `mismatched PEM tags '${begin.label}' and '${end.label}'`);
  }
  if (begin.label !== expectedType) {
    throw new PemError("type", `unexpected PEM type '${begin.label}', expected '${expectedType}'`);
  }
  const body = text.slice(begin.next, end.start).replace(/^[ \t\r\n]+/, "");
  const data = body.split(/\r?\n/).map((line) => line.trimEnd()).join("");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) {
    throw new PemError("base64", "the PEM body is not standard padded base64");
  }
  try {
    return fromBase64(data);
  } catch {
    throw new PemError("base64", "the PEM body is not standard padded base64");
  }
}

/**
 * The first `<prefix><label>-----` at or after `from` whose label stays on one line: where it
 * starts, its label, and the index just after it.
 */
function taggedLine(
  text: string,
  prefix: string,
  from: number,
): { start: number; label: string; next: number } | undefined {
  for (let start = text.indexOf(prefix, from); start >= 0;) {
    const labelStart = start + prefix.length;
    const close = text.indexOf("-----", labelStart);
    if (close < 0) return undefined;
    const label = text.slice(labelStart, close);
    if (!/[\r\n]/.test(label)) return { start, label, next: close + 5 };
    start = text.indexOf(prefix, start + 1);
  }
  return undefined;
}
