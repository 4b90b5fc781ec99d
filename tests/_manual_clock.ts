// Kept for the files that import it by this name: the one ManualClock lives in tests/_fixtures/.
export { ManualClock } from "./_fixtures/clock.ts";
