// curl (Debian's) through our SOCKS5 proxy, the mixnet and our network requester to loopback
// origins: 1 MB over http and https (self-signed CA, --cacert) byte-identical, 8 parallel
// connections, and a refused target answered with a SOCKS error.
import { ExitPolicy } from "../exit/mod.ts";
import { serveSocks5 } from "../cli/socks5.ts";
import { assert, assertEquals } from "./_assert.ts";
import { body, handler, sameBytes, startExitNet, startOrigin } from "./_exit_harness.ts";
import { makeTestCerts } from "./_exit_tls.ts";

async function hasCurl(): Promise<boolean> {
  try {
    return (await new Deno.Command("curl", { args: ["--version"], stdout: "null" }).output())
      .success;
  } catch {
    console.log("SKIPPING curl cases: curl is not installed (.ci/run installs it)");
    return false;
  }
}

async function curl(
  proxyPort: number,
  url: string,
  extra: string[] = [],
): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  const out = await new Deno.Command("curl", {
    args: [
      "-sS",
      "--max-time",
      "120",
      "--socks5-hostname",
      `127.0.0.1:${proxyPort}`,
      ...extra,
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("curl --socks5-hostname downloads 1 MB byte-identical over http and https", async () => {
  if (!(await hasCurl())) return;
  const certs = await makeTestCerts();
  await using exit = await startExitNet();
  const origin = startOrigin();
  const tlsServer = certs
    ? Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: certs.cert,
      key: certs.key,
      onListen() {},
    }, handler)
    : undefined;
  await using proxy = serveSocks5({
    client: exit.users[0],
    provider: exit.exitClient.address,
    port: 0,
  });
  try {
    const plain = await curl(proxy.port, `http://127.0.0.1:${origin.port}/bytes/1000000`);
    assertEquals(plain.code, 0, plain.stderr);
    assert(sameBytes(plain.stdout, body(1_000_000)), "http body differs");
    if (tlsServer && certs) {
      // The name is resolved by the requester (--socks5-hostname), and checked against the cert.
      const secure = await curl(
        proxy.port,
        `https://localhost:${tlsServer.addr.port}/bytes/1000000`,
        ["--cacert", certs.caFile],
      );
      assertEquals(secure.code, 0, secure.stderr);
      assert(sameBytes(secure.stdout, body(1_000_000)), "https body differs");
      // Without the CA, curl refuses the certificate: TLS really is end to end.
      const untrusted = await curl(proxy.port, `https://localhost:${tlsServer.addr.port}/`);
      assertEquals(untrusted.code, 60, untrusted.stderr);
    }
  } finally {
    await origin.close();
    await tlsServer?.shutdown();
    await certs?.cleanup();
  }
});

Deno.test("8 parallel curl connections through the proxy all complete", async () => {
  if (!(await hasCurl())) return;
  await using exit = await startExitNet();
  const origin = startOrigin();
  await using proxy = serveSocks5({
    client: exit.users[0],
    provider: exit.exitClient.address,
    port: 0,
  });
  try {
    const results = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) => curl(proxy.port, `http://127.0.0.1:${origin.port}/bytes/${50_000 + i}`),
      ),
    );
    results.forEach((r, i) => {
      assertEquals(r.code, 0, r.stderr);
      assert(sameBytes(r.stdout, body(50_000 + i)), `connection ${i} differs`);
    });
  } finally {
    await origin.close();
  }
});

Deno.test("a target the exit policy refuses gets a SOCKS error, and the proxy keeps working", async () => {
  if (!(await hasCurl())) return;
  const origin = startOrigin();
  await using exit = await startExitNet(1, {
    exitPolicy: ExitPolicy.parse(`accept 127.0.0.1:${origin.port}\nreject *:*`),
  });
  const events: string[] = [];
  await using proxy = serveSocks5({
    client: exit.users[0],
    provider: exit.exitClient.address,
    port: 0,
    onEvent: (event) => events.push(event.type),
  });
  try {
    const refused = await curl(proxy.port, "http://127.0.0.1:9/");
    // curl 97: "proxy handshake error"; the SOCKS reply was 02 (not allowed by ruleset).
    assertEquals(refused.code, 97, refused.stderr);
    assert(/SOCKS/i.test(refused.stderr), refused.stderr);
    assert(events.includes("refused"));
    const allowed = await curl(proxy.port, `http://127.0.0.1:${origin.port}/`);
    assertEquals(allowed.code, 0, allowed.stderr);
    assertEquals(new TextDecoder().decode(allowed.stdout), "hello through the mixnet\n");
  } finally {
    await origin.close();
  }
});
