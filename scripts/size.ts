// `deno task size`: what a browser downloads for `connect()`. Bundles scripts/_size_entry.ts
// (only `connect`) and the whole root module, minified for the browser, and prints raw and gzip
// sizes (CompressionStream); compares them with the official client's wasm
// (@nymproject/nym-client-wasm 1.4.1) when that package is in Deno's npm cache. Exits non-zero
// when `connect()` exceeds the budget.
//
// Usage: deno run --allow-run --allow-read scripts/size.ts [--budget-kb 80]
const BUDGET_FLAG = Deno.args.indexOf("--budget-kb");
const BUDGET_KB = BUDGET_FLAG >= 0 ? Number(Deno.args[BUDGET_FLAG + 1]) : 80;
const OFFICIAL = "@nymproject/nym-client-wasm/1.4.1";
const OFFICIAL_WASM_BYTES_FROM_SPEC = 3_700_404;
const root = new URL("..", import.meta.url).pathname;

async function run(args: string[]): Promise<Uint8Array> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`deno ${args[0]} failed: ${new TextDecoder().decode(stderr)}`);
  return stdout;
}

async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`.padStart(10);
}

async function row(label: string, bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const gz = await gzipSize(bytes);
  console.log(`${label.padEnd(50)} ${kb(bytes.length)} raw ${kb(gz)} gzip`);
  return gz;
}

async function minified(entry: string): Promise<Uint8Array<ArrayBuffer>> {
  const out = await run(["bundle", "--quiet", "--platform", "browser", "--minify", entry]);
  return new Uint8Array(out);
}

const connectGz = await row(
  "connect() (minified browser bundle)",
  await minified("scripts/_size_entry.ts"),
);
await row("everything in mod.ts (minified)", await minified("mod.ts"));

const info = JSON.parse(new TextDecoder().decode(await run(["info", "--json"])));
const dir = `${info.npmCache}/registry.npmjs.org/${OFFICIAL}`;
let wasmGz: number | undefined;
let wasmRaw = OFFICIAL_WASM_BYTES_FROM_SPEC;
try {
  const wasm = await Deno.readFile(`${dir}/nym_client_wasm_bg.wasm`);
  wasmRaw = wasm.length;
  wasmGz = await row(`official nym-client-wasm 1.4.1 .wasm`, wasm);
  await row(
    `official nym-client-wasm 1.4.1 JS glue`,
    await Deno.readFile(`${dir}/nym_client_wasm.js`),
  );
} catch (error) {
  if (!(error instanceof Deno.errors.NotFound)) throw error;
  console.log(`official ${OFFICIAL} .wasm: ${kb(wasmRaw)} raw (not in the npm cache; spec figure)`);
}
const ratio = (wasmGz ?? wasmRaw) / connectGz;
console.log(
  `\nconnect() ships ${(connectGz / 1000).toFixed(1)} kB gzip: ${ratio.toFixed(0)}x less than ` +
    `the official client's wasm (${wasmGz ? "gzip to gzip" : "its raw size"}).`,
);
if (connectGz > BUDGET_KB * 1000) {
  console.error(`over budget: ${(connectGz / 1000).toFixed(1)} kB > ${BUDGET_KB} kB gzip`);
  Deno.exit(1);
}
console.log(`within the ${BUDGET_KB} kB gzip budget.`);
