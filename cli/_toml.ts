/**
 * The one place that touches the TOML library: config.toml is read and written through here.
 *
 * @module
 */
import { parse, stringify } from "smol-toml";

/** A TOML document as plain values (tables are plain objects). */
export type TomlTable = Record<string, unknown>;

/** Parses TOML text; throws the library's error (with line and column) on bad syntax. */
export function parseToml(text: string): TomlTable {
  return plain(parse(text)) as TomlTable;
}

/** Writes a table as TOML text. */
export function stringifyToml(table: TomlTable): string {
  return stringify(table);
}

/** The library builds tables without a prototype; give them the ordinary one. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
