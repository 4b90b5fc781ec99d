// A sampling CPU profile of the current process through node:inspector (works in Deno 2), with
// self time summed per function and per file. Bench-only.
import { Session } from "node:inspector";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One line of a profile summary. */
export interface ProfileEntry {
  /** `function (file:line)` or a file path. */
  name: string;
  /** Self time, ms. */
  selfMs: number;
  /** Share of all sampled time, percent. */
  percent: number;
}

/** Self time per function and per file, and inclusive time of the project's own functions. */
export interface ProfileSummary {
  byFunction: ProfileEntry[];
  byFile: ProfileEntry[];
  /** Time spent in a project function or anything it called (each sample counted once). */
  inclusive: ProfileEntry[];
  /** All sampled time, ms (idle included). */
  totalMs: number;
  /** Sampled time not idle, ms. */
  busyMs: number;
}

/** A running profile; `stop()` ends it and summarises. */
export interface RunningProfile {
  stop(): Promise<ProfileSummary>;
}

function post<T>(session: Session, method: string, params?: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    // deno-lint-ignore no-explicit-any
    session.post(method, params as any, (error: Error | null, result: unknown) => {
      if (error) reject(error);
      else resolve(result as T);
    });
  });
}

/** The repository root as a file URL, e.g. `file:///…/mixnet/`. */
const ROOT = new URL("..", import.meta.url).href;

function shortUrl(url: string): string {
  if (!url) return "(native)";
  if (url.startsWith(ROOT)) return url.slice(ROOT.length);
  const npm = url.indexOf("/npm/registry.npmjs.org/");
  if (npm >= 0) return "npm:" + url.slice(npm + "/npm/registry.npmjs.org/".length);
  return url.replace(/^file:\/\//, "");
}

/** Starts sampling every `intervalUs` microseconds. */
export async function startProfile(intervalUs = 200): Promise<RunningProfile> {
  const session = new Session();
  session.connect();
  await post(session, "Profiler.enable");
  await post(session, "Profiler.setSamplingInterval", { interval: intervalUs });
  await post(session, "Profiler.start");
  return {
    async stop() {
      const { profile } = await post<{ profile: Profile }>(session, "Profiler.stop");
      session.disconnect();
      // BENCH_PROFILE_OUT=file.cpuprofile keeps the raw profile (Chrome DevTools can open it).
      const out = Deno.env.get("BENCH_PROFILE_OUT");
      if (out) Deno.writeTextFileSync(out, JSON.stringify(profile));
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      const parent = new Map<number, number>();
      for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const nameOf = (n: ProfileNode) => {
        const { functionName, url, lineNumber } = n.callFrame;
        return url
          ? `${functionName || "(anonymous)"} (${shortUrl(url)}:${lineNumber + 1})`
          : functionName || "(native)";
      };
      const inclusive = new Map<string, number>();
      const self = new Map<number, number>();
      for (let i = 0; i < profile.samples.length; i++) {
        const id = profile.samples[i];
        self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
      }
      const fn = new Map<string, number>();
      const file = new Map<string, number>();
      let total = 0;
      let idle = 0;
      for (const [id, ms] of self) {
        const node = byId.get(id)!;
        const where = shortUrl(node.callFrame.url);
        const name = nameOf(node);
        fn.set(name, (fn.get(name) ?? 0) + ms);
        if (name === "(idle)" || name === "(program)") idle += ms;
        else file.set(where, (file.get(where) ?? 0) + ms);
        total += ms;
        const seen = new Set<string>();
        for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
          const frame = byId.get(at)!;
          if (!frame.callFrame.url.startsWith(ROOT)) continue;
          const own = nameOf(frame);
          if (seen.has(own)) continue;
          seen.add(own);
          inclusive.set(own, (inclusive.get(own) ?? 0) + ms);
        }
      }
      const list = (m: Map<string, number>) =>
        [...m].map(([name, selfMs]) => ({ name, selfMs, percent: 100 * selfMs / total }))
          .sort((a, b) => b.selfMs - a.selfMs);
      return {
        byFunction: list(fn),
        byFile: list(file),
        inclusive: list(inclusive),
        totalMs: total,
        busyMs: total - idle,
      };
    },
  };
}
