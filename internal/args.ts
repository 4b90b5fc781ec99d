// A small command-line flag parser: `--name value`, `--name=value`, boolean `--name`, repeated
// flags collected into lists, `--` ends the flags. Unknown flags are errors.

/** Bad command-line arguments; the message is meant for the user. */
export class ArgsError extends Error {
  /** Always `usage`. */
  readonly kind = "usage" as const;

  constructor(message: string) {
    super(message);
    this.name = "ArgsError";
  }
}

/** Which flags a command takes. */
export interface ArgSpec {
  /** Flags with one value (the last one given wins). */
  readonly string?: readonly string[];
  /** Flags with values that may repeat (and may be comma-separated). */
  readonly list?: readonly string[];
  /** Flags without a value. */
  readonly boolean?: readonly string[];
}

/** Parsed arguments. */
export interface ParsedArgs {
  readonly strings: Readonly<Record<string, string>>;
  readonly lists: Readonly<Record<string, readonly string[]>>;
  readonly booleans: Readonly<Record<string, boolean>>;
  readonly positional: readonly string[];
}

export function parseArgs(args: readonly string[], spec: ArgSpec): ParsedArgs {
  const strings: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const booleans: Record<string, boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "--") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    if (spec.boolean?.includes(name)) {
      if (inline === undefined || inline === "true") booleans[name] = true;
      else if (inline === "false") booleans[name] = false;
      else throw new ArgsError(`--${name} takes no value`);
      continue;
    }
    const isList = spec.list?.includes(name) ?? false;
    if (!isList && !spec.string?.includes(name)) throw new ArgsError(`unknown flag --${name}`);
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= args.length) throw new ArgsError(`--${name} needs a value`);
      value = args[++i];
    }
    if (isList) (lists[name] ??= []).push(...value.split(",").filter((v) => v !== ""));
    else strings[name] = value;
  }
  return { strings, lists, booleans, positional };
}

/** A flag's value as a port number (0–65535), or undefined if absent. */
export function portFlag(args: ParsedArgs, name: string): number | undefined {
  return intFlag(args, name, 0, 65535);
}

/** A flag's value as an integer in [min, max], or undefined if absent. */
export function intFlag(
  args: ParsedArgs,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const text = args.strings[name];
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new ArgsError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
}
