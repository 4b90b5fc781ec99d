/**
 * The public shape of a listener: the streams peers open to this client, in arrival order.
 *
 * @module
 */
import type { MixnetStream } from "./mixnet_stream.ts";

/**
 * Streams opened to this client by peers. Only one listener is active per client at a time;
 * `close()` it (or leave the `for await` loop) to stop accepting.
 *
 * An incoming stream is registered (and its `OpenAck` sent) as soon as its `Open` arrives, so
 * its data is buffered while it waits here to be accepted.
 *
 * @example
 * ```ts ignore
 * import { connect } from "@nym/mixnet";
 * import { listen } from "@nym/mixnet/stream";
 * const client = await connect({ nymApiUrl: "http://127.0.0.1:8080/" });
 * using listener = listen(client);
 * const stream = await listener.accept();
 * ```
 */
export interface StreamListener extends AsyncIterable<MixnetStream> {
  /** The next incoming stream; undefined once the listener is closed. */
  accept(): Promise<MixnetStream | undefined>;
  /** Streams that arrived and wait to be accepted. */
  readonly pending: number;
  /** True once closed. */
  readonly closed: boolean;
  /** Stops accepting: streams not yet accepted are reset, waiting `accept()` calls get undefined. */
  close(): void;
  /** Same as {@linkcode StreamListener.close}, for `using`. */
  [Symbol.dispose](): void;
}
