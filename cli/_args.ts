// The flag parser moved to internal/args.ts (localnet/ uses it too, and must not import the CLI).
export * from "../internal/args.ts";
