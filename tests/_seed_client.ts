// An application of the seed's socket API written from the .proto schema alone (as a Go client of
// `nym-mixnet` would be): requests encoded by hand, responses read with a minimal wire reader,
// over TCP (length-prefixed, flush to receive) or a WebSocket's binary frames. Independent of
// cli/seed_protobuf.ts on purpose.

/** LEB128 of a non-negative number. */
export function leb128(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A length-delimited field: `tag(field, 2) ‖ len ‖ body`. */
export function field(number: number, body: Uint8Array | number[] | string): number[] {
  const bytes = typeof body === "string" ? [...new TextEncoder().encode(body)] : [...body];
  return [(number << 3) | 2, ...leb128(bytes.length), ...bytes];
}

/** Request bodies, by hand from `types.proto`. */
export const requests = {
  fetch: (): Uint8Array => Uint8Array.from(field(3, [])),
  clients: (): Uint8Array => Uint8Array.from(field(4, [])),
  details: (): Uint8Array => Uint8Array.from(field(5, [])),
  flush: (): Uint8Array => Uint8Array.from(field(6, [])),
  /** `send{message, recipient: ClientConfig{Id: address}}`. */
  send: (message: Uint8Array, address: string): Uint8Array =>
    Uint8Array.from(field(2, [...field(1, message), ...field(2, field(1, address))])),
};

/** Top-level fields of a message: number → list of length-delimited bodies. */
export function readFields(bytes: Uint8Array): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  let i = 0;
  const varint = () => {
    let value = 0;
    let shift = 1;
    for (;;) {
      const b = bytes[i++];
      if (b === undefined) throw new Error("truncated");
      value += (b & 0x7f) * shift;
      shift *= 128;
      if ((b & 0x80) === 0) return value;
    }
  };
  while (i < bytes.length) {
    const key = varint();
    if ((key & 7) !== 2) throw new Error(`unexpected wire type ${key & 7}`);
    const length = varint();
    const list = out.get(key >> 3) ?? [];
    list.push(bytes.slice(i, i + length));
    out.set(key >> 3, list);
    i += length;
  }
  return out;
}

/** A decoded response: its oneof field number and body. */
export interface RawResponse {
  readonly field: number;
  readonly body: Uint8Array;
}

/** `Response` oneof numbers. */
export const RESPONSE = { exception: 1, send: 2, fetch: 3, clients: 4, details: 5, flush: 6 };

export function readResponse(bytes: Uint8Array): RawResponse {
  const fields = readFields(bytes);
  const [[number, bodies]] = [...fields];
  return { field: number, body: bodies[0] };
}

/** `ResponseFetchMessages.messages`. */
export function fetchedMessages(response: RawResponse): Uint8Array[] {
  return readFields(response.body).get(1) ?? [];
}

/** `ResponseException.error`. */
export function exceptionText(response: RawResponse): string {
  return new TextDecoder().decode(readFields(response.body).get(1)?.[0] ?? new Uint8Array());
}

/** `ClientConfig.Id` of `ResponseOwnDetails.details`. */
export function detailsId(response: RawResponse): string {
  const config = readFields(response.body).get(1)![0];
  return new TextDecoder().decode(readFields(config).get(1)![0]);
}

/** Go's `binary.PutVarint` of a non-negative length: the LEB128 of twice it. */
export function varintPrefix(length: number): number[] {
  return leb128(length * 2);
}

/** A TCP connection to the seed API. */
export class SeedTcpApp {
  #conn: Deno.Conn;
  #pending = new Uint8Array(0);
  readonly framing: "varint" | "u64";

  private constructor(conn: Deno.Conn, framing: "varint" | "u64") {
    this.#conn = conn;
    this.framing = framing;
  }

  static async open(port: number, framing: "varint" | "u64" = "varint"): Promise<SeedTcpApp> {
    return new SeedTcpApp(await Deno.connect({ hostname: "127.0.0.1", port }), framing);
  }

  /** Frames and writes `bodies` in one write. */
  async write(...bodies: Uint8Array[]): Promise<void> {
    const out: number[] = [];
    for (const body of bodies) {
      if (this.framing === "varint") out.push(...varintPrefix(body.length));
      else {
        const prefix = new Uint8Array(8);
        new DataView(prefix.buffer).setBigUint64(0, BigInt(body.length));
        out.push(...prefix);
      }
      out.push(...body);
    }
    await this.writeRaw(Uint8Array.from(out));
  }

  /** Writes bytes as they are. */
  async writeRaw(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
  }

  /** Reads one framed response; `undefined` once the server closed. */
  async read(): Promise<RawResponse | undefined> {
    for (;;) {
      const frame = this.#take();
      if (frame) return readResponse(frame);
      const chunk = new Uint8Array(65536);
      const n = await this.#conn.read(chunk);
      if (n === null) return undefined;
      const joined = new Uint8Array(this.#pending.length + n);
      joined.set(this.#pending);
      joined.set(chunk.subarray(0, n), this.#pending.length);
      this.#pending = joined;
    }
  }

  /** Bytes received but not read as frames. */
  get buffered(): number {
    return this.#pending.length;
  }

  #take(): Uint8Array | undefined {
    const bytes = this.#pending;
    let length: number;
    let size: number;
    if (this.framing === "u64") {
      if (bytes.length < 8) return undefined;
      length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0));
      size = 8;
    } else {
      let value = 0;
      let shift = 1;
      size = 0;
      for (;;) {
        if (size >= bytes.length) return undefined;
        const b = bytes[size++];
        value += (b & 0x7f) * shift;
        shift *= 128;
        if ((b & 0x80) === 0) break;
      }
      length = value / 2;
    }
    if (bytes.length < size + length) return undefined;
    this.#pending = bytes.slice(size + length);
    return bytes.slice(size, size + length);
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // closed by the server
    }
  }
}
