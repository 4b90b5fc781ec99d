// The README's code as a new user copies it: every block that names a file under examples/ is
// that file, byte for byte; the examples run to the end over a localnet and exit cleanly; and
// the documented way to use a local checkout (`links` in deno.json) works from a scratch project.
import { startLocalnet } from "../localnet/mod.ts";
import { assert, assertEquals } from "./_assert.ts";

const root = new URL("..", import.meta.url).pathname;

/** The fenced code blocks of a Markdown text, with their info string. */
function codeBlocks(markdown: string): { info: string; body: string }[] {
  const blocks: { info: string; body: string }[] = [];
  const re = /^```([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(re)) blocks.push({ info: match[1], body: match[2] });
  return blocks;
}

async function runExample(
  file: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "--allow-env", file],
    cwd: root,
    env: { ...env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("each README block that names an example file is identical to that file", async () => {
  const blocks = codeBlocks(await Deno.readTextFile(`${root}README.md`));
  const named = blocks
    .map((b) => ({ ...b, file: b.body.match(/^\/\/ (examples\/[\w/.-]+)/)?.[1] }))
    .filter((b) => b.file !== undefined);
  const files = named.map((b) => b.file);
  for (const wanted of ["examples/using_it.ts", "examples/stream_echo.ts"]) {
    assert(files.includes(wanted), `README shows ${wanted}`);
  }
  for (const block of named) {
    assertEquals(block.body, await Deno.readTextFile(`${root}${block.file}`), block.file);
  }
  // The Node/Bun example is shown whole too (it starts with a comment on how to run it).
  const hello = await Deno.readTextFile(`${root}examples/npm/hello.mjs`);
  assert(blocks.some((b) => b.body === hello), "README shows examples/npm/hello.mjs whole");
});

Deno.test("the README examples run to the end over a localnet and exit cleanly", async () => {
  await using net = await startLocalnet({ logger: "silent" });
  const env = { NYM_API_URL: net.nymApiUrl };

  const using = await runExample("examples/using_it.ts", env);
  assertEquals(using.code, 0, `using_it.ts exited with ${using.code}:\n${using.stderr}`);
  const lines = using.stdout.trim().split("\n").sort();
  assertEquals(lines, [
    "alice got reply got it",
    "bob got plain hello",
    "bob got repliable reply to me",
  ]);

  const echo = await runExample("examples/stream_echo.ts", env);
  assertEquals(echo.code, 0, `stream_echo.ts exited with ${echo.code}:\n${echo.stderr}`);
  assertEquals(echo.stdout, "ping\n");
  for (const run of [using, echo]) {
    assert(!/uncaught|error/i.test(run.stderr), `nothing on stderr: ${run.stderr}`);
  }
});

Deno.test("a scratch project uses a local checkout through links in its deno.json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nym-scratch-" });
  try {
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({
        imports: { "@nym/mixnet": "jsr:@nym/mixnet@^0.1.0" },
        links: [root],
      }),
    );
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      'import { connect, trafficConfig } from "@nym/mixnet";\n' +
        'import { startLocalnet } from "@nym/mixnet/localnet";\n' +
        "await using net = await startLocalnet({ logger: 'silent' });\n" +
        "const me = await connect({ nymApiUrl: net.nymApiUrl, traffic: trafficConfig('noCover') });\n" +
        "await me.send(me.address, 'linked');\n" +
        "const { value } = await me.messages.getReader().read();\n" +
        "console.log(new TextDecoder().decode(value!.data));\n" +
        "await me.disconnect();\n",
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net=127.0.0.1", "--allow-env", "--allow-read", "main.ts"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assertEquals(output.code, 0, stderr);
    assertEquals(new TextDecoder().decode(output.stdout), "linked\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
