// The client path runs anywhere Web APIs exist: the browser bundles of the published client entry
// points, the chat app and the edge handler contain no `Deno.` reference and no static `node:`
// import (`node:crypto` is reached only through `process.getBuiltinModule`, when present).
import { assert, assertEquals } from "../_assert.ts";

async function bundle(entry: string): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "browser", "--format", "esm", entry],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

/** Every runtime-specific reference found in bundled code. */
function runtimeSpecific(code: string): string[] {
  const patterns = [
    /\bDeno\.[A-Za-z]+/g,
    /\bimport\s*(?:[\w$*{}\s,]+\s*from\s*)?["']node:[\w/]+["']/g,
    /\bexport\s*[\w$*{}\s,]*from\s*["']node:[\w/]+["']/g,
    /\brequire\(\s*["']node:[\w/]+["']\s*\)/g,
    /\bimport\(\s*["']node:[\w/]+["']\s*\)/g,
  ];
  return patterns.flatMap((p) => code.match(p) ?? []);
}

const CLIENT_ENTRIES = [
  "mod.ts",
  "sphinx/mod.ts",
  "crypto/mod.ts",
  "message/mod.ts",
  "queue/mod.ts",
  "replies/mod.ts",
  "topology/mod.ts",
  "gateway/mod.ts",
  "websocket/mod.ts",
  "examples/edge/handler.ts",
  "examples/chat/app.ts",
];

for (const entry of CLIENT_ENTRIES) {
  Deno.test(`the browser bundle of ${entry} uses no Deno API and imports no node: module`, async () => {
    const code = await bundle(entry);
    assert(code.length > 1000, `${entry} bundled to ${code.length} bytes`);
    assertEquals(runtimeSpecific(code), []);
  });
}

Deno.test("the check finds Deno APIs and node: imports where they are (localnet, a probe)", async () => {
  const localnet = runtimeSpecific(await bundle("localnet/mod.ts"));
  assert(localnet.some((hit) => hit.startsWith("Deno.")), "localnet uses Deno.listen and more");
  assertEquals(
    runtimeSpecific(
      'import { createHash } from "node:crypto";\nexport * from "node:fs";\n' +
        'const os = require("node:os"); await import("node:path");',
    ),
    [
      'import { createHash } from "node:crypto"',
      'export * from "node:fs"',
      'require("node:os")',
      'import("node:path")',
    ],
  );
});

/** The local modules `file` reaches through static imports (itself included). */
async function staticGraph(
  file: URL,
  seen = new Map<string, string>(),
): Promise<Map<string, string>> {
  if (seen.has(file.href) || !file.pathname.endsWith(".ts")) return seen;
  const source = await Deno.readTextFile(file);
  seen.set(file.href, source);
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (
    const [, spec] of code.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^"';]*?["'](\.{1,2}\/[^"']+)["']/g,
    )
  ) {
    await staticGraph(new URL(spec, file), seen);
  }
  return seen;
}

/** The first Deno API besides `Deno.test` and `Deno.env` that `file` reaches, if any. */
async function denoOnly(file: URL): Promise<string | undefined> {
  for (const [href, source] of await staticGraph(file)) {
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const hit = /\bDeno\.(?!test\b|env\b)[A-Za-z]+/.exec(code);
    if (hit) return `${hit[0]} in ${href.slice(new URL("../..", import.meta.url).href.length)}`;
  }
  return undefined;
}

Deno.test("the Node/Bun suite lists every test file that needs no Deno API, and uses none itself", async () => {
  const tests = new URL("..", import.meta.url);
  const suite = await Deno.readTextFile(new URL("suite.ts", import.meta.url));
  const listed = new Set(
    [...suite.matchAll(/^import "(\.{1,2}\/[^"]+)";$/gm)].map((m) =>
      new URL(m[1], import.meta.url).href
    ),
  );
  const files: URL[] = [];
  for (const dir of [tests, new URL("runtimes/", tests)]) {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith("_test.ts")) files.push(new URL(entry.name, dir));
    }
  }
  // A listed file may import a module that has Deno APIs without calling them (the Node and Bun
  // runs prove it does not); it must not use one itself.
  const missing: string[] = [], wrong: string[] = [];
  for (const file of files) {
    const name = file.href.slice(tests.href.length);
    if (!listed.has(file.href)) {
      if (!(await denoOnly(file))) missing.push(name);
      continue;
    }
    const own = (await Deno.readTextFile(file)).replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const hit = /\bDeno\.(?!test\b|env\b)[A-Za-z]+/.exec(own);
    if (hit) wrong.push(`${name} (${hit[0]})`);
  }
  assertEquals({ missing, wrong }, { missing: [], wrong: [] });
  assert(listed.size >= 25, `${listed.size} files listed`);
});
