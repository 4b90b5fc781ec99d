/**
 * A command that cannot do what it was asked, with a message meant for the user.
 *
 * @module
 */

/** Why a command failed. */
export type CliErrorKind =
  | "already-initialised"
  | "not-initialised"
  | "not-registered"
  | "input"
  | "interrupted"
  | "address-in-use";

/**
 * A command failure the user can act on.
 *
 * @example
 * ```ts
 * import { CliError } from "./cli_error.ts";
 * console.log(new CliError("not-initialised", "run init first").kind); // "not-initialised"
 * ```
 */
export class CliError extends Error {
  /** The category of the failure. */
  readonly kind: CliErrorKind;

  /** Builds an error of `kind`. */
  constructor(kind: CliErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CliError";
    this.kind = kind;
  }
}
