// The exit from the command line, as a user runs it: `deno task localnet --network-requester`
// (same flags as the task), `cli init`, `cli socks5`, then Debian's curl --socks5-hostname
// through it to loopback origins over http and https, byte-identical. Separate processes; every
// port is chosen by the OS and read from the processes' output.
import { assert, assertEquals } from "./_assert.ts";
import { body, handler, sameBytes } from "./_exit_harness.ts";
import { makeTestCerts } from "./_exit_tls.ts";

const root = new URL("..", import.meta.url).pathname;

/** A child process whose stdout lines can be awaited. */
class Child {
  readonly process: Deno.ChildProcess;
  readonly lines: string[] = [];
  #waiters: { prefix: string; resolve: (rest: string) => void }[] = [];
  readonly #done: Promise<void>;
  readonly #stderr: Promise<string>;

  constructor(args: string[], env: Record<string, string>) {
    const process = this.process = new Deno.Command(Deno.execPath(), {
      args,
      cwd: root,
      env,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#stderr = new Response(process.stderr).text();
    this.#done = (async () => {
      const decoder = new TextDecoderStream();
      let rest = "";
      for await (const text of process.stdout.pipeThrough(decoder)) {
        rest += text;
        const parts = rest.split("\n");
        rest = parts.pop()!;
        for (const line of parts) {
          this.lines.push(line);
          for (const w of this.#waiters.filter((w) => line.startsWith(w.prefix))) {
            w.resolve(line.slice(w.prefix.length));
          }
        }
      }
    })();
  }

  line(prefix: string): Promise<string> {
    const found = this.lines.find((l) => l.startsWith(prefix));
    if (found !== undefined) return Promise.resolve(found.slice(prefix.length));
    return new Promise((resolve) => this.#waiters.push({ prefix, resolve }));
  }

  /** SIGTERM, then the exit status and stderr. */
  async stop(): Promise<{ code: number; stderr: string }> {
    try {
      this.process.kill("SIGTERM");
    } catch {
      // exited already
    }
    const status = await this.process.status;
    await this.#done;
    return { code: status.code, stderr: await this.#stderr };
  }
}

async function hasTool(name: string): Promise<boolean> {
  try {
    return (await new Deno.Command(name, { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

Deno.test("localnet --network-requester and the socks5 command carry curl over http and https", async () => {
  if (!(await hasTool("curl"))) {
    console.log("SKIPPING: curl is not installed (.ci/run installs it)");
    return;
  }
  const certs = await makeTestCerts();
  const home = await Deno.makeTempDir({ prefix: "exit-cli-" });
  const env = { NYM_HOME: home, NO_COLOR: "1" };
  const origin = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  const secure = certs
    ? Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: certs.cert,
      key: certs.key,
      onListen() {},
    }, handler)
    : undefined;
  // The flags of `deno task localnet` and `deno task cli` in deno.json.
  const localnet = new Child(
    [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "localnet/main.ts",
      "--network-requester",
    ],
    env,
  );
  let socks5: Child | undefined;
  try {
    const api = await localnet.line("nym-api ");
    const requester = await localnet.line("network-requester ");
    const cli = [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "cli/main.ts",
    ];
    const init = await new Deno.Command(Deno.execPath(), {
      args: [...cli, "init", "--id", "curl-user", "--nym-api", api],
      cwd: root,
      env,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert(init.success, new TextDecoder().decode(init.stderr));
    socks5 = new Child(
      [...cli, "socks5", "--id", "curl-user", "--provider", requester, "--port", "0", "--no-cover"],
      env,
    );
    const listening = await socks5.line("SOCKS5 proxy listening on ");
    const curl = async (url: string, extra: string[] = []) => {
      const out = await new Deno.Command("curl", {
        args: ["-sS", "--max-time", "120", "--socks5-hostname", listening, ...extra, url],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return { code: out.code, body: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
    };
    const plain = await curl(`http://localhost:${origin.addr.port}/bytes/1000000`);
    assertEquals(plain.code, 0, plain.stderr);
    assert(sameBytes(plain.body, body(1_000_000)), "http body differs");
    if (secure && certs) {
      const tls = await curl(`https://localhost:${secure.addr.port}/bytes/1000000`, [
        "--cacert",
        certs.caFile,
      ]);
      assertEquals(tls.code, 0, tls.stderr);
      assert(sameBytes(tls.body, body(1_000_000)), "https body differs");
    }
  } finally {
    const s = await socks5?.stop();
    const l = await localnet.stop();
    await origin.shutdown();
    await secure?.shutdown();
    await certs?.cleanup();
    await Deno.remove(home, { recursive: true });
    if (s) assertEquals(s.code, 0, s.stderr);
    assertEquals(l.code, 0, l.stderr);
  }
});

Deno.test("the exit commands check their flags and the policy file before connecting", async () => {
  const { main } = await import("../cli/main.ts");
  const out: string[] = [], err: string[] = [];
  const io = {
    print: (line: string) => void out.push(line),
    writeError: (text: string) => void err.push(text),
    isTerminal: false,
    env: () => undefined,
    signal: new AbortController().signal,
  };
  assertEquals(await main(["socks5", "--id", "a"], io), 2);
  assert(err.join("").includes("--provider is required"));
  assertEquals(await main(["socks5", "--id", "a", "--provider", "x", "--host", "0.0.0.0"], io), 2);
  assertEquals(await main(["network-requester"], io), 2);
  const policy = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(policy, "accept *:80\nallow *:443\n");
    err.length = 0;
    assertEquals(await main(["network-requester", "--id", "a", "--exit-policy", policy], io), 1);
    assert(err.join("").includes("exit policy line 2"), err.join(""));
  } finally {
    await Deno.remove(policy);
  }
  out.length = 0;
  assertEquals(await main(["help"], io), 0);
  assert(out.some((l) => l.includes("socks5")) && out.some((l) => l.includes("network-requester")));
});
