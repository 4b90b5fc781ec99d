// The accept loop shared by the localnet's listeners (gateway WebSocket, mixnode TCP). An accept
// error (descriptor exhaustion, a connection reset before it was accepted) is logged and retried
// after a short backoff instead of ending the loop: only closing the listener ends it.

/** The part of a `Deno.Listener` the loop uses. */
export interface Acceptor<C> {
  accept(): Promise<C>;
}

/** Options of {@linkcode runAcceptLoop}. */
export interface AcceptLoopOptions {
  /** Aborted when the server closes: the loop ends (also during a backoff). */
  readonly signal: AbortSignal;
  /** Told of every accept error that did not end the loop. */
  readonly onError: (error: unknown, consecutive: number) => void;
  /** First wait after an accept error, doubled per consecutive error; 10 ms by default. */
  readonly initialBackoffMs?: number;
  /** Longest wait between retries; 1 000 ms by default. */
  readonly maxBackoffMs?: number;
}

/** True for the errors a closed listener gives. */
function listenerClosed(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted;
}

/**
 * Accepts connections until `signal` aborts or the listener is closed, handing each to
 * `onConnection`; any other accept error waits a backoff and tries again.
 */
export async function runAcceptLoop<C>(
  listener: Acceptor<C>,
  onConnection: (conn: C) => void,
  options: AcceptLoopOptions,
): Promise<void> {
  const initial = options.initialBackoffMs ?? 10;
  const max = options.maxBackoffMs ?? 1000;
  let consecutive = 0;
  while (!options.signal.aborted) {
    let conn: C;
    try {
      conn = await listener.accept();
    } catch (error) {
      if (options.signal.aborted || listenerClosed(error)) return;
      consecutive++;
      options.onError(error, consecutive);
      await backoff(Math.min(max, initial * 2 ** (consecutive - 1)), options.signal);
      continue;
    }
    consecutive = 0;
    onConnection(conn);
  }
}

function backoff(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
