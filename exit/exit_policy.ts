/**
 * A Tor-style exit policy, as Nym's requester applies (`common/exit-policy/src/policy/
 * address_policy.rs`): rules `accept|reject|accept6|reject6 <ip-pattern>:<ports>`, the first
 * matching rule wins, and an address no rule covers is refused. IP patterns are `*`, `*4`,
 * `*6`, an address, or `address/mask` (IPv6 in brackets); ports are `*`, `N` or `N-M`; port 0 of
 * a target matches any port rule (Nym's backwards-compatibility rule).
 *
 * @module
 */
import { type IpAddress, parseIp, prefixMatches } from "./ip_address.ts";

/** What a rule does with a matching address. */
export type ExitPolicyAction = "accept" | "reject" | "accept6" | "reject6";

/** One rule of an {@linkcode ExitPolicy}. */
export interface ExitPolicyRule {
  /** Accept or reject (the `6` forms only match IPv6). */
  readonly action: ExitPolicyAction;
  /** The IP pattern as written (`*`, `*4`, `*6`, `10.0.0.0/8`, `[::1]/128`). */
  readonly ipPattern: string;
  /** First port (1..65535). */
  readonly portStart: number;
  /** Last port. */
  readonly portEnd: number;
}

/** A policy file line that could not be parsed. */
export class ExitPolicyError extends Error {
  /** The 1-based line number. */
  readonly line: number;

  /** Creates the error. */
  constructor(line: number, message: string) {
    super(`exit policy line ${line}: ${message}`);
    this.name = "ExitPolicyError";
    this.line = line;
  }
}

type IpMatcher = { kind: "star" } | { kind: "star4" } | { kind: "star6" } | {
  kind: "prefix";
  ip: IpAddress;
  mask: number;
};

interface CompiledRule {
  rule: ExitPolicyRule;
  ip: IpMatcher;
}

const ACTIONS = new Set(["accept", "reject", "accept6", "reject6"]);

function parseIpPattern(text: string): IpMatcher | string {
  const slash = text.indexOf("/");
  const ipText = slash >= 0 ? text.slice(0, slash) : text;
  const maskText = slash >= 0 ? text.slice(slash + 1) : undefined;
  if (ipText === "*" || ipText === "*4" || ipText === "*6") {
    if (maskText !== undefined) return `a mask with ${ipText}`;
    return { kind: ipText === "*" ? "star" : ipText === "*4" ? "star4" : "star6" };
  }
  const ip = parseIp(ipText);
  if (!ip) return `malformed address ${ipText}`;
  const max = ip.family === 4 ? 32 : 128;
  if (maskText !== undefined && !/^\d{1,3}$/.test(maskText)) return `invalid mask ${maskText}`;
  const mask = maskText === undefined ? max : Number(maskText);
  if (mask > max) return `invalid mask ${mask}`;
  if (mask === 0) return { kind: ip.family === 4 ? "star4" : "star6" };
  return { kind: "prefix", ip, mask };
}

function parsePorts(text: string): [number, number] | string {
  if (text === "*") return [1, 65535];
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) return `invalid ports ${text}`;
  const start = Number(m[1]), end = Number(m[2] ?? m[1]);
  if (start === 0 || start > end || end > 65535) return `invalid port range ${text}`;
  return [start, end];
}

function matches(rule: CompiledRule, ip: IpAddress, port: number): boolean {
  if ((rule.rule.action === "accept6" || rule.rule.action === "reject6") && ip.family !== 6) {
    return false;
  }
  const m = rule.ip;
  const ipOk = m.kind === "star" || (m.kind === "star4" && ip.family === 4) ||
    (m.kind === "star6" && ip.family === 6) ||
    (m.kind === "prefix" && m.ip.family === ip.family &&
      prefixMatches(ip.bytes, m.ip.bytes, m.mask));
  if (!ipOk) return false;
  return port === 0 || (port >= rule.rule.portStart && port <= rule.rule.portEnd);
}

/**
 * An ordered list of accept/reject rules.
 *
 * @example
 * ```ts
 * import { ExitPolicy, parseIp } from "@nym/mixnet/exit";
 * const policy = ExitPolicy.parse("reject 10.0.0.0/8:*\naccept *:80, accept *:443");
 * console.log(policy.allows(parseIp("1.1.1.1")!, 443)); // true
 * ```
 */
export class ExitPolicy {
  readonly #rules: CompiledRule[];

  private constructor(rules: CompiledRule[]) {
    this.#rules = rules;
  }

  /** The rules, in order. */
  get rules(): readonly ExitPolicyRule[] {
    return this.#rules.map((r) => r.rule);
  }

  /** A policy that accepts everything (`accept *:*`, Nym's `new_open`). */
  static open(): ExitPolicy {
    return ExitPolicy.parse("accept *:*");
  }

  /**
   * Parses torrc-style text: one rule per line, an optional `ExitPolicy ` prefix, comma-separated
   * rules on one line, `#` comments and blank lines ignored. Throws {@linkcode ExitPolicyError}.
   */
  static parse(text: string): ExitPolicy {
    const rules: CompiledRule[] = [];
    text.split(/\r?\n/).forEach((raw, index) => {
      let line = raw.replace(/#.*$/, "").trim();
      if (line === "") return;
      if (/^ExitPolicy\s/i.test(line)) line = line.replace(/^ExitPolicy\s+/i, "");
      for (const part of line.split(",")) {
        const item = part.trim();
        if (item === "") continue;
        const space = item.search(/\s/);
        if (space < 0) throw new ExitPolicyError(index + 1, `malformed rule "${item}"`);
        const action = item.slice(0, space);
        const pattern = item.slice(space).trim();
        if (!ACTIONS.has(action)) throw new ExitPolicyError(index + 1, `invalid action ${action}`);
        const colon = pattern.lastIndexOf(":");
        if (colon < 0 || colon === pattern.length - 1) {
          throw new ExitPolicyError(index + 1, `malformed pattern "${pattern}"`);
        }
        const ip = parseIpPattern(pattern.slice(0, colon));
        if (typeof ip === "string") throw new ExitPolicyError(index + 1, ip);
        const ports = parsePorts(pattern.slice(colon + 1));
        if (typeof ports === "string") throw new ExitPolicyError(index + 1, ports);
        rules.push({
          rule: {
            action: action as ExitPolicyAction,
            ipPattern: pattern.slice(0, colon),
            portStart: ports[0],
            portEnd: ports[1],
          },
          ip,
        });
      }
    });
    return new ExitPolicy(rules);
  }

  /** The first matching rule's verdict, or `undefined` when no rule covers the address. */
  allows(ip: IpAddress, port: number): boolean | undefined {
    const rule = this.#rules.find((r) => matches(r, ip, port));
    return rule ? rule.rule.action.startsWith("accept") : undefined;
  }

  /** The policy in torrc form, one rule per line. */
  toString(): string {
    return this.rules.map((r) =>
      `${r.action} ${r.ipPattern}:${
        r.portStart === 1 && r.portEnd === 65535
          ? "*"
          : r.portStart === r.portEnd
          ? r.portStart
          : `${r.portStart}-${r.portEnd}`
      }`
    ).join("\n");
  }
}
