/**
 * A Nym mixnode for the local test network, plus its parts: a bounded replay filter and a
 * pool of reused outbound connections (also usable by a local gateway).
 *
 * Wire behaviour follows nym-node (`nym-node/src/node/mixnet/{handler,shared}.rs`,
 * `common/nymsphinx/framing/src/processing.rs`): plain TCP carrying {@link ../framing/mod.ts
 * Nym frames}, Sphinx processing with replay detection, per-hop delays capped at 10 s, and
 * forwarding with 3-byte version 7 frame headers by default. Not implemented: the Noise
 * upgrade of node links, Sphinx key rotation (one key; the rotation byte is passed on
 * unchanged), Outfox processing.
 *
 * @example
 * ```ts
 * import { startMixnode } from "./mod.ts";
 * const node = await startMixnode();
 * console.log(node.stats.framesReceived); // 0
 * await node.close();
 * ```
 *
 * @module
 */
export {
  type Mixnode,
  type MixnodeFaults,
  type MixnodeOptions,
  type MixnodeSphinxKey,
  type MixnodeStats,
  startMixnode,
} from "./mixnode.ts";
export {
  type BloomSizing,
  ReplayFilter,
  type ReplayFilterOptions,
  replayFilterSizing,
} from "./replay_filter.ts";
export {
  ConnectionPool,
  type ConnectionPoolOptions,
  type ConnectionPoolStats,
  type Connector,
} from "./connection_pool.ts";
export { consoleLogger, type LogEntry, type Logger, type LogLevel, silentLogger } from "./log.ts";
