// Helpers shared by the bench scripts that run each side in its own process: CPU time and RSS
// of a process from /proc (Linux), a child Deno process speaking one JSON object per line, a
// median, a markdown table. Bench-only (Deno APIs): never imported by library code.

const decoder = new TextDecoder();
const encoder = new TextEncoder();

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`, 100 on every Linux seen). */
export function ticksPerSecond(): number {
  if (clockTicks !== undefined) return clockTicks;
  try {
    const out = new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).outputSync();
    clockTicks = Number(decoder.decode(out.stdout).trim()) || 100;
  } catch {
    clockTicks = 100;
  }
  return clockTicks;
}

/** User + system CPU seconds a process has used so far (all its threads), from /proc/<pid>/stat. */
export function cpuSeconds(pid: number | "self"): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after "(comm)": state is field 3, utime field 14, stime field 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number | "self"): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : NaN;
}

/** The median of a list of numbers (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A percentile (0–100) of a list of numbers, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))];
}

/** A markdown table. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Writes one JSON line to stdout (the parent reads it), bypassing a muted console. */
export function report(value: Record<string, unknown>): void {
  Deno.stdout.writeSync(encoder.encode(`@bench ${JSON.stringify(value)}\n`));
}

/** Silences console output (the official wasm client logs every message it sends). */
export function muteConsole(): void {
  const nothing = () => {};
  console.log =
    console.info =
    console.debug =
    console.warn =
    console.trace =
      nothing;
}

/** Reads lines from stdin; resolves each `next()` with the next line (or undefined at EOF). */
export function stdinLines(): { next(): Promise<string | undefined> } {
  return lineReader(Deno.stdin.readable);
}

function lineReader(stream: ReadableStream<Uint8Array>): { next(): Promise<string | undefined> } {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  return {
    async next() {
      while (true) {
        const newline = buffer.indexOf("\n");
        if (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          return line;
        }
        const { value, done } = await reader.read();
        if (done) {
          const rest = buffer;
          buffer = "";
          return rest.length ? rest : undefined;
        }
        buffer += value;
      }
    },
  };
}

/** A child Deno process running `script` with `args`, speaking `@bench {json}` lines. */
export class Child {
  readonly pid: number;
  #process: Deno.ChildProcess;
  #lines: { next(): Promise<string | undefined> };
  #stdin: WritableStreamDefaultWriter<Uint8Array>;
  #stderr: Promise<string>;

  constructor(script: URL, args: string[], options: { v8Flags?: string[] } = {}) {
    const config = new URL("../deno.json", import.meta.url).pathname;
    const v8 = options.v8Flags?.length ? [`--v8-flags=${options.v8Flags.join(",")}`] : [];
    this.#process = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", "--config", config, ...v8, script.pathname, ...args],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.pid = this.#process.pid;
    this.#lines = lineReader(this.#process.stdout);
    this.#stdin = this.#process.stdin.getWriter();
    this.#stderr = new Response(this.#process.stderr).text();
  }

  /** The next `@bench` object the child reports (other output is ignored). */
  async read(): Promise<Record<string, unknown>> {
    while (true) {
      const line = await this.#lines.next();
      if (line === undefined) {
        const status = await this.#process.status;
        throw new Error(
          `child exited (${status.code}) early:\n${(await this.#stderr).slice(-3000)}`,
        );
      }
      if (line.startsWith("@bench ")) return JSON.parse(line.slice(7));
    }
  }

  /** Sends one line to the child's stdin. */
  async send(line: string): Promise<void> {
    await this.#stdin.write(encoder.encode(line + "\n"));
  }

  /** CPU seconds the child has used so far. */
  cpu(): number {
    return cpuSeconds(this.pid);
  }

  /** The child's resident set size in bytes. */
  rss(): number {
    return rssBytes(this.pid);
  }

  /** Closes stdin (the child exits on EOF) and waits; kills it after `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#process.kill("SIGKILL");
      } catch {
        // already gone
      }
    }, graceMs);
    await this.#process.status;
    clearTimeout(timer);
    await this.#stderr.catch(() => "");
  }
}

/** Sleeps. Bench scripts only (tests never sleep to wait). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
