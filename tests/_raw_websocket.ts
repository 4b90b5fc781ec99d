// A raw TCP WebSocket client for tests: hand-built (masked) client frames and a frame reader, so
// tests can send malformed frames or stay silent on pings.
import { assertEquals } from "./_assert.ts";

/** A client frame, masked with `mask` (random by default). */
export function clientFrame(
  opcode: number,
  payload: Uint8Array,
  options: { fin?: boolean; mask?: Uint8Array | null; rsv?: number } = {},
): Uint8Array {
  const fin = options.fin ?? true;
  const mask = options.mask === undefined
    ? crypto.getRandomValues(new Uint8Array(4))
    : options.mask;
  const n = payload.length;
  const lengthBytes = n < 126 ? [n] : n < 65536 ? [126, n >> 8, n & 0xff] : [
    127,
    ...Array.from({ length: 8 }, (_, i) => Number((BigInt(n) >> BigInt(8 * (7 - i))) & 0xffn)),
  ];
  const header = [(fin ? 0x80 : 0) | (options.rsv ?? 0) | opcode, ...lengthBytes];
  if (mask) header[1] |= 0x80;
  const out = new Uint8Array(header.length + (mask ? 4 : 0) + n);
  out.set(header);
  if (mask) out.set(mask, header.length);
  const body = out.subarray(header.length + (mask ? 4 : 0));
  for (let i = 0; i < n; i++) body[i] = payload[i] ^ (mask ? mask[i & 3] : 0);
  return out;
}

export class RawClient {
  #buffer = new Uint8Array(0);
  constructor(readonly conn: Deno.Conn) {}

  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(65536);
    const n = await this.conn.read(chunk).catch(() => null);
    if (n === null) return false;
    const next = new Uint8Array(this.#buffer.length + n);
    next.set(this.#buffer);
    next.set(chunk.subarray(0, n), this.#buffer.length);
    this.#buffer = next;
    return true;
  }

  async head(): Promise<string> {
    for (;;) {
      const text = new TextDecoder().decode(this.#buffer);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        this.#buffer = this.#buffer.slice(end + 4);
        return text.slice(0, end);
      }
      if (!await this.#fill()) return text;
    }
  }

  /** The next server frame (server frames are never masked), or undefined at EOF. */
  async frame(): Promise<{ fin: boolean; opcode: number; payload: Uint8Array } | undefined> {
    for (;;) {
      const b = this.#buffer;
      if (b.length >= 2) {
        assertEquals(b[1] & 0x80, 0, "server frames must not be masked");
        let n = b[1] & 0x7f, offset = 2;
        if (n === 126 && b.length >= 4) [n, offset] = [(b[2] << 8) | b[3], 4];
        else if (n === 127 && b.length >= 10) {
          [n, offset] = [Number(new DataView(b.buffer, b.byteOffset).getBigUint64(2)), 10];
        }
        if (n < 126 || offset > 2) {
          if (b.length >= offset + n) {
            this.#buffer = b.slice(offset + n);
            return {
              fin: (b[0] & 0x80) !== 0,
              opcode: b[0] & 0x0f,
              payload: b.slice(offset, offset + n),
            };
          }
        }
      }
      if (!await this.#fill()) return undefined;
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) offset += await this.conn.write(bytes.subarray(offset));
  }

  close(): void {
    try {
      this.conn.close();
    } catch { /* closed */ }
  }
}

/** Connects to `port`, performs the upgrade and returns the client with the response head. */
export async function rawConnect(port: number): Promise<{ client: RawClient; head: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const client = new RawClient(conn);
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await client.write(new TextEncoder().encode(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  return { client, head: await client.head() };
}
