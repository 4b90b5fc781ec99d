/**
 * Durations as Nym's config.toml writes them (the `humantime` crate): `"200ms"`, `"1s 500ms"`,
 * `"5m"`, `"1day"`. Values are milliseconds (fractions for µs and ns).
 *
 * @module
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 2_630_016 * SECOND; // 30.44 days, as humantime
const YEAR = 31_557_600 * SECOND; // 365.25 days, as humantime

const UNITS: Record<string, number> = {};
for (
  const [names, ms] of [
    [["nanos", "nsec", "ns"], 1e-6],
    [["micros", "usec", "us", "µs"], 1e-3],
    [["millis", "msec", "ms"], 1],
    [["seconds", "second", "secs", "sec", "s"], SECOND],
    [["minutes", "minute", "mins", "min", "m"], MINUTE],
    [["hours", "hour", "hrs", "hr", "h"], HOUR],
    [["days", "day", "d"], DAY],
    [["weeks", "week", "w"], 7 * DAY],
    [["months", "month", "M"], MONTH],
    [["years", "year", "y"], YEAR],
  ] as const
) {
  for (const name of names) UNITS[name] = ms;
}

/** Parses a humantime duration into milliseconds; `undefined` if it is not one. */
export function parseHumantime(text: string): number | undefined {
  if (typeof text !== "string") return undefined;
  const items = /^\s*(?:\d+\s*[a-zA-Zµ]+\s*)+$/.test(text)
    ? text.matchAll(/(\d+)\s*([a-zA-Zµ]+)/g)
    : [];
  let total = 0;
  let count = 0;
  for (const [, value, unit] of items) {
    const scale = UNITS[unit];
    if (scale === undefined) return undefined;
    total += Number(value) * scale;
    count++;
  }
  return count > 0 && Number.isFinite(total) ? total : undefined;
}

/** Formats milliseconds as humantime does (`1500` → `"1s 500ms"`, `0` → `"0s"`). */
export function formatHumantime(ms: number): string {
  let nanos = BigInt(Math.round(ms * 1e6));
  if (nanos <= 0n) return "0s";
  const parts: string[] = [];
  const take = (unitNanos: bigint): bigint => {
    const n = nanos / unitNanos;
    nanos -= n * unitNanos;
    return n;
  };
  const plural = (n: bigint, name: string) => {
    if (n > 0n) parts.push(`${n}${name}${n > 1n ? "s" : ""}`);
  };
  const plain = (n: bigint, name: string) => {
    if (n > 0n) parts.push(`${n}${name}`);
  };
  const ns = (msUnit: number) => BigInt(msUnit) * 1_000_000n;
  plural(take(ns(YEAR)), "year");
  plural(take(ns(MONTH)), "month");
  plural(take(ns(DAY)), "day");
  plain(take(ns(HOUR)), "h");
  plain(take(ns(MINUTE)), "m");
  plain(take(ns(SECOND)), "s");
  plain(take(1_000_000n), "ms");
  plain(take(1_000n), "us");
  plain(nanos, "ns");
  return parts.join(" ");
}
