// Nym's `Performance` (`Percent`, a cosmwasm `Decimal` string in 0..=1) and its
// `round_to_integer` (truncation of value × 100), computed exactly on the digits.
import { TopologyError } from "./topology_error.ts";

const DECIMAL = /^([0-9]+)(?:\.([0-9]{1,18}))?$/;

/** The whole percentage (0..100) of a performance decimal string, or a `shape` error. */
export function performancePercent(text: string, path: string): number {
  const m = DECIMAL.exec(text);
  if (!m) {
    throw new TopologyError("shape", `${path} must be a decimal string in 0..1, got "${text}"`);
  }
  const whole = m[1].replace(/^0+(?=.)/, "");
  const fraction = m[2] ?? "";
  const overOne = whole !== "0" && (whole !== "1" || /[1-9]/.test(fraction));
  if (overOne) {
    throw new TopologyError("shape", `${path} must not exceed 1, got "${text}"`);
  }
  return whole === "1" ? 100 : Number(fraction.padEnd(2, "0").slice(0, 2));
}
