// The entry `scripts/size.ts` measures: only `connect()` and what it pulls in.
export { connect } from "../mod.ts";
