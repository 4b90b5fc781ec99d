// The bincode subset the exit's Query messages use: Nym's `make_bincode_serializer()`
// (`common/socks5/requests/src/lib.rs`) is `DefaultOptions::new().with_big_endian()
// .with_varint_encoding()`: integers above u8 are varints (one byte below 251, else a marker
// 251/252/253 and a big-endian u16/u32/u64), enum variants are varint indices, strings a varint
// length then UTF-8, `Option` a 0/1 byte, `bool` a 0/1 byte.
import { ExitProtocolError } from "./exit_error.ts";

const fatal = new TextDecoder("utf-8", { fatal: true });

/** Appends bincode values to a growing byte list. */
export class BincodeWriter {
  #bytes: number[] = [];

  varint(value: number | bigint): this {
    const v = BigInt(value);
    if (v < 251n) this.#bytes.push(Number(v));
    else if (v <= 0xffffn) this.#push(251, v, 2);
    else if (v <= 0xffff_ffffn) this.#push(252, v, 4);
    else this.#push(253, v, 8);
    return this;
  }

  bool(value: boolean): this {
    this.#bytes.push(value ? 1 : 0);
    return this;
  }

  string(value: string): this {
    const bytes = new TextEncoder().encode(value);
    this.varint(bytes.length);
    for (const b of bytes) this.#bytes.push(b);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  #push(marker: number, value: bigint, width: number): void {
    this.#bytes.push(marker);
    for (let i = width - 1; i >= 0; i--) this.#bytes.push(Number((value >> BigInt(8 * i)) & 0xffn));
  }
}

/** Reads bincode values; every shortfall or invalid value is an `ExitProtocolError`. */
export class BincodeReader {
  #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get done(): boolean {
    return this.#at === this.#bytes.length;
  }

  #take(n: number): Uint8Array {
    if (this.#at + n > this.#bytes.length) {
      throw new ExitProtocolError("malformedQuery", "bincode value truncated");
    }
    const out = this.#bytes.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  varint(): bigint {
    const first = this.#take(1)[0];
    if (first < 251) return BigInt(first);
    const width = first === 251 ? 2 : first === 252 ? 4 : first === 253 ? 8 : 0;
    if (width === 0) throw new ExitProtocolError("malformedQuery", `bad varint marker ${first}`);
    let v = 0n;
    for (const b of this.#take(width)) v = (v << 8n) | BigInt(b);
    return v;
  }

  smallVarint(max: number): number {
    const v = this.varint();
    if (v > BigInt(max)) throw new ExitProtocolError("malformedQuery", `value ${v} too large`);
    return Number(v);
  }

  bool(): boolean {
    const b = this.#take(1)[0];
    if (b > 1) throw new ExitProtocolError("malformedQuery", `invalid bool ${b}`);
    return b === 1;
  }

  string(): string {
    const length = this.smallVarint(this.#bytes.length - this.#at);
    try {
      return fatal.decode(this.#take(length));
    } catch {
      throw new ExitProtocolError("malformedQuery", "string is not UTF-8");
    }
  }
}
