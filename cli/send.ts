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
  /** Messages that arrive while connected. */
  readonly onMessage?: (message: ReceivedMessage) => void;
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
    const outcome = await Promise.race([handle.delivered.then(() => "delivered"), interrupted]);
    if (outcome !== "delivered") {
      throw new CliError(
        "interrupted",
        `interrupted after ${handle.acknowledged} of ${handle.fragments} packet(s) were acknowledged`,
      );
    }
    return { address: client.address, fragments: handle.fragments };
  } finally {
    await client.disconnect({ timeoutMs: options.signal?.aborted ? 0 : undefined });
    await reading;
  }
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
    replySurbs: intFlag(parsed, "reply-surbs", 0, 10_000),
    nymApiUrls: apis.length > 0 ? apis : undefined,
    noCover: parsed.booleans["no-cover"],
    env: io.env,
    signal: io.signal,
    onMessage: (message) => {
      const text = new TextDecoder().decode(message.data);
      io.print(
        `received (${message.kind}${
          message.senderTag ? ` from ${message.senderTag}` : ""
        }): ${text}`,
      );
    },
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
