/**
 * A 0.x-era app of the Nym client's JSON WebSocket API, unchanged: it asks for its own address
 * and the known clients, sends one message, then polls `fetch` until an answer arrives. Run it
 * against `nym-client websocket --id <id> --port 9001` (or `run`, on `/mix`):
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 examples/seed/chat_0x.ts ws://127.0.0.1:9001/mix <recipient> "hello"
 * ```
 *
 * @module
 */

/** What the exchange gave. */
export interface Chat0xResult {
  /** Our address (`ownDetails`). */
  readonly address: string;
  /** The clients the directory lists (`getClients`). */
  readonly clients: readonly string[];
  /** The first message fetched after sending. */
  readonly answer: string;
}

/**
 * ownDetails, getClients, send, then fetch every `pollMs` until a message arrives.
 *
 * @example
 * ```ts ignore
 * import { chat0x } from "./chat_0x.ts";
 * const { answer } = await chat0x("ws://127.0.0.1:9001/mix", "<address>", "hello");
 * console.log(answer);
 * ```
 */
export async function chat0x(
  url: string,
  recipient: string,
  message: string,
  options: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<Chat0xResult> {
  const ws = new WebSocket(url);
  const answers: string[] = [];
  const waiting: ((text: string) => void)[] = [];
  ws.onmessage = (event) => {
    const next = waiting.shift();
    if (next) next(event.data);
    else answers.push(event.data);
  };
  const closed = new Promise<void>((resolve) => ws.onclose = () => resolve());
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
  });
  const request = (json: unknown): Promise<Record<string, unknown>> => {
    ws.send(JSON.stringify(json));
    const ready = answers.shift();
    return ready !== undefined
      ? Promise.resolve(JSON.parse(ready))
      : new Promise((resolve) => waiting.push((text) => resolve(JSON.parse(text))));
  };
  try {
    const details = await request({ type: "ownDetails" });
    const clients = await request({ type: "getClients" });
    const sent = await request({ type: "send", message, recipient_address: recipient });
    if (sent.type !== "send") throw new Error(`send failed: ${JSON.stringify(sent)}`);
    for (;;) {
      options.signal?.throwIfAborted();
      const fetched = await request({ type: "fetch" });
      const messages = fetched.messages as string[];
      if (messages.length > 0) {
        return {
          address: details.address as string,
          clients: clients.clients as string[],
          answer: messages[0],
        };
      }
      // the 0.x API is pull-only: ask again a little later
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
  } finally {
    ws.close();
    await closed;
  }
}

if (import.meta.main) {
  const [url, recipient, message] = Deno.args;
  if (!url || !recipient || message === undefined) {
    console.error("usage: chat_0x.ts <ws://…/mix> <recipient address> <message>");
    Deno.exit(2);
  }
  const result = await chat0x(url, recipient, message);
  console.log(`our address: ${result.address}`);
  console.log(`clients: ${result.clients.join(", ") || "(none listed)"}`);
  console.log(`answer: ${result.answer}`);
}
