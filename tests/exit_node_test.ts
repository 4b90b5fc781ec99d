// mixFetch under Node and Bun: the browser-platform bundle (`deno bundle --platform browser`, so
// node:tls is loaded only at run time) fetches over http and https through a localnet and our
// network requester hosted by this test. Skipped when `node` (or Bun, from PATH or npm) is missing.
import { assertEquals } from "./_assert.ts";
import { body, handler, startExitNet } from "./_exit_harness.ts";
import { makeTestCerts } from "./_exit_tls.ts";

const root = new URL("..", import.meta.url).pathname;

async function nodeVersion(): Promise<number | undefined> {
  try {
    const out = await new Deno.Command("node", { args: ["--version"], stdout: "piped" }).output();
    return out.success
      ? Number(/^v(\d+)/.exec(new TextDecoder().decode(out.stdout))?.[1])
      : undefined;
  } catch {
    return undefined;
  }
}

async function hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Bun from PATH, or installed from the npm registry into `dir` (as the runtimes suite does). */
async function bunCommand(dir: string): Promise<string | undefined> {
  for (const candidate of ["bun", `${dir}/node_modules/.bin/bun`]) {
    try {
      const out = await new Deno.Command(candidate, { args: ["--version"], stdout: "null" })
        .output();
      if (out.success) return candidate;
    } catch { /* not there */ }
    if (candidate !== "bun") break;
    const installed = await new Deno.Command("npm", {
      args: [
        "install",
        "--prefix",
        dir,
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "bun@1.3.14",
      ],
      stdout: "null",
      stderr: "null",
    }).output().catch(() => undefined);
    if (!installed?.success) return undefined;
  }
  return undefined;
}

Deno.test("mixFetch runs under Node over http and https", () => mixFetchUnder("node"));

Deno.test("mixFetch runs under Bun over http and https", () => mixFetchUnder("bun"));

async function mixFetchUnder(runtime: "node" | "bun"): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: `exit-${runtime}-` });
  const major = runtime === "node" ? await nodeVersion() : 0;
  const command = runtime === "node" ? "node" : await bunCommand(dir);
  const certs = await makeTestCerts();
  if (major === undefined || command === undefined || !certs) {
    console.log(`SKIPPING: ${runtime} or openssl is not installed`);
    await certs?.cleanup();
    await Deno.remove(dir, { recursive: true });
    return;
  }
  await using exit = await startExitNet(0);
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  const https = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: certs.cert, key: certs.key, onListen() {} },
    handler,
  );
  try {
    const entry = `${dir}/entry.ts`;
    await Deno.writeTextFile(
      entry,
      `export { connect } from "${root}mod.ts";\nexport { createMixFetch } from "${root}exit/mod.ts";\n`,
    );
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--config",
        `${root}deno.json`,
        "-o",
        `${dir}/exit.mjs`,
        entry,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(bundled.code, 0, new TextDecoder().decode(bundled.stderr));
    const input = JSON.stringify({
      bundle: `${dir}/exit.mjs`,
      api: exit.net.nymApiUrl,
      requester: exit.exitClient.address,
      http: http.addr.port,
      https: https.addr.port,
      ca: certs.ca,
    });
    // Node 20 has WebSocket behind a flag; 22 and later by default.
    const flags = runtime === "node" && major < 22
      ? ["--experimental-websocket", "--no-warnings"]
      : [];
    const run = await new Deno.Command(command, {
      args: [...flags, `${root}tests/exit_fixtures/node_mix_fetch.mjs`, input],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assertEquals(run.code, 0, stderr);
    const result = JSON.parse(new TextDecoder().decode(run.stdout).trim().split("\n").pop()!);
    assertEquals(result.get, [200, 100_000, await hex(body(100_000))]);
    assertEquals(result.post, [200, "from node"]);
    assertEquals(result.https, [200, 50_000, await hex(body(50_000))]);
  } finally {
    await http.shutdown();
    await https.shutdown();
    await certs.cleanup();
    await Deno.remove(dir, { recursive: true });
  }
}
