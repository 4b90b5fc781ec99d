/**
 * `send`: one message from an initialised client, then exit: connect with the stored identity,
 * send, wait until every fragment is acknowledged, disconnect. Messages that arrive meanwhile
 * (the gateway pushes what it stored for us) are printed, not lost.
 *
 * A gateway allows one session per client: while `run` is active for the same id, `send` is
 * refused as a duplicate connection. Send through the running client's WebSocket API instead.
 *
 * @module
 */
import type { ReceivedMessage } from "../client/mixnet_client.ts";
import { Recipient } from "../message/mod.ts";
import { ArgsError, intFlag, parseArgs } from "./_args.ts";
import { connectStored, loadClient } from "./_client_files.ts";
import { CliError } from "./cli_error.ts";
import { aborted, type CliIo } from "./cli_io.ts";
import { trafficFromConfig, withOverrides } from "./config.ts";
import { mainnetNotice } from "./_hints.ts";
import { MAX_REPLY_SURBS } from "../client/_validate.ts";

/** Options of {@linkcode sendOnce}. */
export interface SendOnceOptions {
  /** The client id given to `init`. */
  readonly id: string;
  /** The recipient's Nym address. */
  readonly to: string;
  /** The message. */
  readonly data: Uint8Array;
  /** Attach reply SURBs (an anonymous message) instead of sending a plain one. */
  readonly replySurbs?: number;
  /** nym-api URLs (override the config). */
  readonly nymApiUrls?: readonly string[];
  /** No cover traffic and no Poisson delay. */
  readonly noCover?: boolean;
  /** Environment (for `NYM_HOME`, `NYM_HOME_DIR`, `HOME`). */
  readonly env: (name: string) => string | undefined;
  /** Told, before connecting, when the client goes to Nym mainnet (no `--nym-api`). */
  readonly onNotice?: (line: string) => void;
  /** Messages that arrive while connected. */
  readonly onMessage?: (message: ReceivedMessage) => void;
  /**
   * Called with the fragments acknowledged so far and the total, every `progressMs` (default
   * 250) while the delivery is awaited, and once at the end.
   */
  readonly onProgress?: (acknowledged: number, total: number) => void;
  /** Interval of `onProgress` in ms. */
  readonly progressMs?: number;
  /** Stops waiting for the delivery (the send is then reported as interrupted). */
  readonly signal?: AbortSignal;
}

/** What {@linkcode sendOnce} did. */
export interface SendOnceResult {
  /** Our address. */
  readonly address: string;
  /** Sphinx packets the message needed (all acknowledged). */
  readonly fragments: number;
}

/**
 * Sends one message and waits for its delivery; rejects with a `DeliveryError` if it failed.
 *
 * @example
 * ```ts ignore
 * import { sendOnce } from "./send.ts";
 * await sendOnce({ id: "alice", to: "…", data: new TextEncoder().encode("hi"), env: Deno.env.get });
 * ```
 */
export async function sendOnce(options: SendOnceOptions): Promise<SendOnceResult> {
  let recipient: Recipient;
  try {
    recipient = Recipient.parse(options.to);
  } catch (cause) {
    throw new CliError("input", `--to: ${(cause as Error).message}`, { cause });
  }
  const loaded = await loadClient(options.id, options.env);
  const config = withOverrides(loaded.config, {
    nymApiUrls: options.nymApiUrls,
    noCover: options.noCover,
  });
  const debug = trafficFromConfig(config);
  const notice = mainnetNotice(config.client.nym_api_urls);
  if (notice) options.onNotice?.(notice);
  const client = await connectStored({
    nymApiUrl: config.client.nym_api_urls,
    storage: loaded.storage,
    traffic: { preset: "default", ...debug.traffic },
    signal: options.signal,
  });
  const reading = (async () => {
    for await (const message of client.messages) options.onMessage?.(message);
  })();
  try {
    const handle = client.send(recipient, options.data, {
      ...(options.replySurbs ? { replySurbs: options.replySurbs } : {}),
    });
    const interrupted = options.signal ? aborted(options.signal) : new Promise<void>(() => {});
    const progress = options.onProgress;
    const timer = progress
      ? setInterval(
        () => progress(handle.acknowledged, handle.fragments),
        options.progressMs ?? 250,
      )
      : undefined;
    let outcome: unknown;
    try {
      outcome = await Promise.race([handle.delivered.then(() => "delivered"), interrupted]);
    } finally {
      clearInterval(timer);
      progress?.(handle.acknowledged, handle.fragments);
    }
    if (outcome !== "delivered") throw interruptedError(handle, options.data.length);
    return { address: client.address, fragments: handle.fragments };
  } finally {
    await client.disconnect({ timeoutMs: options.signal?.aborted ? 0 : undefined });
    await reading;
  }
}

/** What an interrupted send got across: a message arrives only once all its fragments have. */
function interruptedError(
  handle: { readonly acknowledged: number; readonly fragments: number },
  bytes: number,
): CliError {
  const { acknowledged, fragments } = handle;
  const percent = fragments > 0 ? Math.floor((100 * acknowledged) / fragments) : 0;
  return new CliError(
    "interrupted",
    `interrupted: ${acknowledged} of ${fragments} fragment(s) acknowledged (${percent} %), the ` +
      `message (${bytes} bytes) was not delivered: the recipient reassembles it only when every ` +
      "fragment arrives, so send it again",
  );
}

/** Usage of `send`. */
export const SEND_USAGE = `Usage: nym-client send --id <id> --to <address> <text | @file | @->

Sends one message (text, a file's bytes, or stdin with @-), waits for its delivery, exits.

Options:
  --id <id>             client id given to init (not running: one session per client)
  --to <address>        recipient Nym address
  --reply-surbs <n>     send anonymously with n reply SURBs
  --nym-api <url>       nym-api endpoint (overrides the config)
  --no-cover            no cover traffic and no Poisson delay`;

/**
 * The `send` command.
 *
 * @example
 * ```ts ignore
 * import { sendCommand } from "./send.ts";
 * import { denoIo } from "./cli_io.ts";
 * await sendCommand(["--id", "alice", "--to", "…", "hello"], denoIo(new AbortController().signal));
 * ```
 */
export async function sendCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseArgs(args, {
    string: ["id", "to", "reply-surbs"],
    list: ["nym-api", "nym-apis"],
    boolean: ["no-cover"],
  });
  const { id, to } = parsed.strings;
  if (id === undefined) throw new ArgsError("--id is required");
  if (to === undefined) throw new ArgsError("--to is required");
  if (parsed.positional.length !== 1) throw new ArgsError("give exactly one message");
  const data = await messageBytes(parsed.positional[0]);
  const apis = [...(parsed.lists["nym-api"] ?? []), ...(parsed.lists["nym-apis"] ?? [])];
  const started = performance.now();
  const result = await sendOnce({
    id,
    to,
    data,
    replySurbs: intFlag(parsed, "reply-surbs", 0, MAX_REPLY_SURBS),
    nymApiUrls: apis.length > 0 ? apis : undefined,
    noCover: parsed.booleans["no-cover"],
    env: io.env,
    signal: io.signal,
    onNotice: (line) => io.writeError(`${line}\n`),
    // On a terminal, one line rewritten in place: fragments acknowledged / total.
    onProgress: io.isTerminal
      ? (acknowledged, total) =>
        io.writeError(
          `\r\x1b[2Ksending: ${acknowledged}/${total} fragments acknowledged (${
            Math.floor((100 * acknowledged) / Math.max(1, total))
          } %)${acknowledged === total ? "\n" : ""}`,
        )
      : undefined,
    onMessage: (message) => {
      const text = new TextDecoder().decode(message.data);
      io.print(
        `received (${message.kind}${
          message.senderTag ? ` from ${message.senderTag}` : ""
        }): ${text}`,
      );
    },
  }).catch((error) => {
    if (io.isTerminal) io.writeError("\n"); // end the progress line
    throw error;
  });
  io.writeError(
    `delivered ${data.length} bytes in ${result.fragments} packet(s) in ${
      Math.round(performance.now() - started)
    } ms\n`,
  );
  return 0;
}

async function messageBytes(arg: string): Promise<Uint8Array> {
  if (!arg.startsWith("@")) return new TextEncoder().encode(arg);
  const path = arg.slice(1);
  try {
    if (path === "-") return new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
    return await Deno.readFile(path);
  } catch (cause) {
    throw new CliError("input", `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}
