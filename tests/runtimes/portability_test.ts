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
