// `deno task build:npm`: an npm package of the library for Node.js and Bun, built from this
// checkout, in dist/npm/ and packed as dist/nym-mixnet-<version>.tgz.
//
// - JavaScript: one ESM bundle per entry point (`deno bundle`, code splitting, `@noble/*` and
//   `@scure/base` bundled in, so the package has no dependencies);
// - types: `.d.ts` per module from TypeScript's `tsc` (installed from npm into a temporary folder
//   at build time only), relative `.ts` imports rewritten to `.js`;
// - package.json with `exports` for every entry that runs outside Deno (not `localnet`, `cli`).
//
// Usage: deno run --allow-run --allow-read --allow-write --allow-env scripts/build_npm.ts
//   Prints the tarball's path on its last line.

const TYPESCRIPT_VERSION = "5.9.3";
const root = new URL("..", import.meta.url).pathname;
const out = `${root}dist/npm`;
const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
const denoOnly = new Set(["./localnet", "./cli"]);
const entries = (Object.entries(config.exports) as [string, string][])
  .filter(([name]) => !denoOnly.has(name));

async function run(command: string, args: string[], cwd = root): Promise<string> {
  const result = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  if (!result.success) throw new Error(`${command} ${args.join(" ")} failed:\n${text}`);
  return text;
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else yield path;
  }
}

await Deno.remove(`${root}dist`, { recursive: true }).catch(() => {});
await Deno.mkdir(out, { recursive: true });

// 1. JavaScript.
await run(Deno.execPath(), [
  "bundle",
  "--quiet",
  "--platform",
  "browser",
  "--format",
  "esm",
  "--code-splitting",
  "--outdir",
  `${out}/esm`,
  ...entries.map(([, file]) => file),
]);

// 2. Declarations, with the import map's npm packages resolved from a throwaway install.
const tools = await Deno.makeTempDir({ prefix: "nym-build-npm-" });
try {
  const imports = config.imports as Record<string, string>;
  const npmPackages = Object.values(imports).map((spec) =>
    spec.replace(/^npm:\/?/, "").replace(/\/$/, "")
  );
  await run("npm", [
    "install",
    "--prefix",
    tools,
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    `typescript@${TYPESCRIPT_VERSION}`,
    ...npmPackages,
  ]);
  const paths: Record<string, string[]> = {};
  for (const [name, spec] of Object.entries(imports)) {
    const pkg = spec.replace(/^npm:\/?/, "").replace(/@[^@/]*\/?$/, "");
    paths[name.endsWith("/") ? `${name}*` : name] = [
      `${tools}/node_modules/${pkg}${name.endsWith("/") ? "/*" : ""}`,
    ];
  }
  await Deno.writeTextFile(
    `${tools}/tsconfig.json`,
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "bundler",
        lib: ["ESNext", "DOM", "DOM.Iterable"],
        declaration: true,
        emitDeclarationOnly: true,
        allowImportingTsExtensions: true,
        skipLibCheck: true,
        strict: true,
        rootDir: root,
        outDir: `${out}/types`,
        paths,
      },
      files: entries.map(([, file]) => `${root}${file.replace(/^\.\//, "")}`),
    }),
  );
  await run(`${tools}/node_modules/.bin/tsc`, ["-p", `${tools}/tsconfig.json`]);
} finally {
  await Deno.remove(tools, { recursive: true });
}
for await (const file of walk(`${out}/types`)) {
  const text = await Deno.readTextFile(file);
  await Deno.writeTextFile(
    file,
    text.replace(/(from\s+["']|import\(["'])(\.{1,2}\/[^"']+)\.ts(["'])/g, "$1$2.js$3"),
  );
}

// 3. package.json, README, LICENSE; then pack.
const exportsField: Record<string, { types: string; default: string }> = {};
for (const [name, file] of entries) {
  const base = file.replace(/^\.\//, "").replace(/\.ts$/, "");
  exportsField[name] = { types: `./types/${base}.d.ts`, default: `./esm/${base}.js` };
}
await Deno.writeTextFile(
  `${out}/package.json`,
  JSON.stringify(
    {
      name: config.name,
      version: config.version,
      description: "A pure-TypeScript client for the Nym mixnet (built from the Deno sources)",
      license: config.license,
      type: "module",
      sideEffects: false,
      engines: { node: ">=20" },
      exports: exportsField,
      types: exportsField["."].types,
      files: ["esm", "types", "README.md", "LICENSE"],
    },
    null,
    2,
  ) + "\n",
);
await Deno.copyFile(`${root}README.md`, `${out}/README.md`);
await Deno.copyFile(`${root}LICENSE`, `${out}/LICENSE`);
const packed = await run("npm", ["pack", "--silent", "--pack-destination", `${root}dist`], out);
const tarball = `${root}dist/${packed.trim().split("\n").pop()}`;
const size = (await Deno.stat(tarball)).size;
console.log(`packed ${entries.length} entry points, ${(size / 1024).toFixed(1)} KiB`);
console.log(tarball);
