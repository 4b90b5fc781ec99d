// A throwaway CA and a server certificate for 127.0.0.1/localhost, made with openssl at test
// time (skipped with a message when openssl is absent).

/** PEM texts of a test CA and of a server key and certificate it signed. */
export interface TestCerts {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly caFile: string;
  cleanup(): Promise<void>;
}

async function run(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(out.stderr)}`);
}

/** Makes the CA and certificate, or returns undefined when openssl is not installed. */
export async function makeTestCerts(): Promise<TestCerts | undefined> {
  try {
    await new Deno.Command("openssl", { args: ["version"], stdout: "null" }).output();
  } catch {
    console.log("SKIPPING https cases: openssl is not installed");
    return undefined;
  }
  const dir = await Deno.makeTempDir({ prefix: "exit-tls-" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await run([
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "2",
    "-subj",
    "/CN=exit test CA",
  ], dir);
  await run(
    ["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
    dir,
  );
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
  );
  await run([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  ], dir);
  return {
    ca: await Deno.readTextFile(`${dir}/ca.pem`),
    cert: await Deno.readTextFile(`${dir}/server.pem`),
    key: await Deno.readTextFile(`${dir}/server.key`),
    caFile: `${dir}/ca.pem`,
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}
