// Timestamps as nym-api writes them: RFC 3339, and the `time` crate's default
// "YYYY-MM-DD HH:MM:SS.f +HH:MM:SS" form that nym-api uses for `refreshed_at`.

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const HUMAN =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{1,9}) ([+-])(\d{2})(?::(\d{2})(?::(\d{2}))?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function build(
  parts: string[],
  fraction: string | undefined,
  sign: string | undefined,
  offset: [string | undefined, string | undefined, string | undefined],
): Date | undefined {
  const [year, month, day, hour, minute, second] = parts.map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const [oh, om, os] = offset.map((v) => Number(v ?? "0"));
  if (oh > 23 || om > 59 || os > 59) return undefined;
  const offsetMs = (sign === "-" ? -1 : 1) * ((oh * 60 + om) * 60 + os) * 1000;
  const ms = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  const local = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  local.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  const date = new Date(local.getTime() - offsetMs);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Parses an RFC 3339 timestamp (`time::serde::rfc3339`); `undefined` if it is not one. */
export function parseRfc3339(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const sign = m[8] ? "+" : m[9];
  return build(m.slice(1, 7), m[7], sign, [m[10], m[11], undefined]);
}

/**
 * Parses `refreshed_at` as nym-api's deserializer does: RFC 3339 first, then the `time` crate's
 * default display form. `undefined` if neither matches (nym-api then falls back to the epoch).
 */
export function parseNymDateTime(text: string): Date | undefined {
  const rfc = parseRfc3339(text);
  if (rfc) return rfc;
  const m = HUMAN.exec(text);
  if (!m) return undefined;
  return build(m.slice(1, 7), m[7], m[8], [m[9], m[10], m[11]]);
}

/** RFC 3339 in UTC with millisecond precision. */
export function formatRfc3339(date: Date): string {
  return date.toISOString();
}

/** The `time` crate's default display form in UTC, as nym-api writes `refreshed_at`. */
export function formatNymDateTime(date: Date): string {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const millis = iso.slice(20, 23).replace(/0+$/, "") || "0";
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${millis} +00:00:00`;
}
