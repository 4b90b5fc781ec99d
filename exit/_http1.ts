// A minimal HTTP/1.1 client exchange over a byte stream, for mixFetch: one request per
// connection (`Connection: close`), bodies by Content-Length, chunked or until EOF.
import { MixFetchError } from "./exit_error.ts";

const MAX_HEAD_BYTES = 64 * 1024;
const latin1 = new TextDecoder("latin1");
const encoder = new TextEncoder();

/** A reader with a push-back buffer. */
export class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffer = new Uint8Array(0);
  #eof = false;

  constructor(readable: ReadableStream<Uint8Array>) {
    this.#reader = readable.getReader();
  }

  async #fill(): Promise<boolean> {
    if (this.#eof) return false;
    const { value, done } = await this.#reader.read();
    if (done) {
      this.#eof = true;
      return false;
    }
    const next = new Uint8Array(this.#buffer.length + value.length);
    next.set(this.#buffer);
    next.set(value, this.#buffer.length);
    this.#buffer = next;
    return true;
  }

  /** Reads through the next CRLF (excluded); undefined at EOF before any byte. */
  async line(max: number): Promise<string | undefined> {
    for (;;) {
      const at = this.#buffer.findIndex((b, i) => b === 10 && this.#buffer[i - 1] === 13);
      if (at >= 0) {
        const text = latin1.decode(this.#buffer.subarray(0, at - 1));
        this.#buffer = this.#buffer.subarray(at + 1);
        return text;
      }
      if (this.#buffer.length > max) {
        throw new MixFetchError("malformedResponse", "response line too long");
      }
      if (!(await this.#fill())) {
        if (this.#buffer.length === 0) return undefined;
        throw new MixFetchError("malformedResponse", "response ended inside a line");
      }
    }
  }

  /** Up to `max` bytes (at least one), or undefined at EOF. */
  async chunk(max: number): Promise<Uint8Array | undefined> {
    if (this.#buffer.length === 0 && !(await this.#fill())) return undefined;
    const out = this.#buffer.subarray(0, max);
    this.#buffer = this.#buffer.subarray(out.length);
    return out;
  }

  cancel(reason?: unknown): Promise<void> {
    return this.#reader.cancel(reason).catch(() => {});
  }
}

/** A parsed response head. */
export interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
}

/** Reads a response head, skipping 1xx interim responses. */
export async function readHead(reader: ByteReader): Promise<ResponseHead> {
  for (;;) {
    const statusLine = await reader.line(MAX_HEAD_BYTES);
    if (statusLine === undefined) {
      throw new MixFetchError("malformedResponse", "the connection closed before a response");
    }
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
    if (!m) throw new MixFetchError("malformedResponse", "not an HTTP/1.x status line");
    const headers = new Headers();
    let size = statusLine.length;
    for (;;) {
      const line = await reader.line(MAX_HEAD_BYTES);
      if (line === undefined) throw new MixFetchError("malformedResponse", "head cut short");
      if (line === "") break;
      size += line.length;
      if (size > MAX_HEAD_BYTES) throw new MixFetchError("malformedResponse", "head too large");
      const colon = line.indexOf(":");
      if (colon <= 0) throw new MixFetchError("malformedResponse", "malformed header line");
      try {
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      } catch {
        throw new MixFetchError("malformedResponse", "invalid header");
      }
    }
    const status = Number(m[1]);
    if (status >= 100 && status < 200 && status !== 101) continue;
    return { status, statusText: m[2] ?? "", headers };
  }
}

/** The response body as a stream, framed by the head; `done` runs once it ends either way. */
export function bodyStream(
  reader: ByteReader,
  head: ResponseHead,
  method: string,
  done: () => void,
): ReadableStream<Uint8Array> | null {
  if (method === "HEAD" || head.status === 204 || head.status === 304) {
    done();
    return null;
  }
  const te = head.headers.get("transfer-encoding")?.toLowerCase();
  const cl = head.headers.get("content-length");
  let remaining = cl !== null && te === undefined ? Number(cl) : undefined;
  if (remaining !== undefined && !(Number.isSafeInteger(remaining) && remaining >= 0)) {
    throw new MixFetchError("malformedResponse", "invalid Content-Length");
  }
  const chunked = te !== undefined && te.split(",").pop()!.trim() === "chunked";
  let chunkLeft = 0, finished = false;
  const end = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    finished = true;
    controller.close();
    done();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (chunked) {
          if (chunkLeft === 0) {
            const sizeLine = await reader.line(1024);
            if (sizeLine === undefined) throw new MixFetchError("malformedResponse", "chunk cut");
            const size = parseInt(sizeLine.split(";")[0].trim(), 16);
            if (!Number.isSafeInteger(size) || size < 0 || !/^[0-9a-fA-F]+/.test(sizeLine)) {
              throw new MixFetchError("malformedResponse", "invalid chunk size");
            }
            if (size === 0) {
              for (
                let t = await reader.line(MAX_HEAD_BYTES);
                t;
                t = await reader.line(MAX_HEAD_BYTES)
              );
              return end(controller);
            }
            chunkLeft = size;
          }
          const data = await reader.chunk(chunkLeft);
          if (!data) throw new MixFetchError("malformedResponse", "chunk cut");
          chunkLeft -= data.length;
          if (chunkLeft === 0 && (await reader.line(2)) !== "") {
            throw new MixFetchError("malformedResponse", "chunk not followed by CRLF");
          }
          controller.enqueue(data.slice());
          return;
        }
        if (remaining === 0) return end(controller);
        const data = await reader.chunk(remaining ?? 64 * 1024);
        if (!data) {
          if (remaining !== undefined) {
            throw new MixFetchError("malformedResponse", "body shorter than Content-Length");
          }
          return end(controller);
        }
        if (remaining !== undefined) remaining -= data.length;
        controller.enqueue(data.slice());
        if (remaining === 0) end(controller);
      } catch (error) {
        finished = true;
        controller.error(error);
        done();
      }
    },
    async cancel(reason) {
      if (finished) return;
      finished = true;
      await reader.cancel(reason);
      done();
    },
  });
}

const SKIPPED = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
]);

/** Writes the request head and body to `writer`. */
export async function writeRequest(
  writer: WritableStreamDefaultWriter<Uint8Array>,
  url: URL,
  method: string,
  headers: Headers,
  body: Uint8Array | ReadableStream<Uint8Array> | null,
): Promise<void> {
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
    `Connection: close\r\n`;
  for (const [name, value] of headers) {
    if (!SKIPPED.has(name.toLowerCase())) head += `${name}: ${value}\r\n`;
  }
  if (!headers.has("user-agent")) head += "User-Agent: nym-mixfetch\r\n";
  if (!headers.has("accept")) head += "Accept: */*\r\n";
  if (body instanceof ReadableStream) {
    head += "Transfer-Encoding: chunked\r\n\r\n";
    await writer.write(encoder.encode(head));
    const reader = body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.length === 0) continue;
      await writer.write(encoder.encode(`${value.length.toString(16)}\r\n`));
      await writer.write(value);
      await writer.write(encoder.encode("\r\n"));
    }
    await writer.write(encoder.encode("0\r\n\r\n"));
    return;
  }
  if (body !== null || !["GET", "HEAD", "OPTIONS", "DELETE"].includes(method)) {
    head += `Content-Length: ${body?.length ?? 0}\r\n`;
  }
  head += "\r\n";
  const headBytes = encoder.encode(head);
  if (body && body.length > 0) {
    const all = new Uint8Array(headBytes.length + body.length);
    all.set(headBytes);
    all.set(body, headBytes.length);
    await writer.write(all);
  } else await writer.write(headBytes);
}
