/**
 * A whole Nym network on loopback: a directory speaking nym-api, three layers of mixnodes and
 * one or more gateways, each gateway being both the client WebSocket endpoint and the final
 * Sphinx hop of its clients' packets.
 *
 * @module
 */
import { fromHex, toHex } from "../internal/bytes.ts";
import { toBase58 } from "../internal/encoding.ts";
import { decodeNodeAddress, type FinalHop } from "../sphinx/mod.ts";
import { handleFinalHop } from "./final_hop.ts";
import type { MixPacket } from "../gateway/mod.ts";
import { defaultCrypto } from "../crypto/mod.ts";
import { KeyRotationSchedule } from "./_key_rotation.ts";
import { resolveKeyRotation } from "./directory/mod.ts";
import { type Directory, startDirectory } from "./directory/mod.ts";
import { toWasmFriendlyTopology, type WasmFriendlyNymTopology } from "./directory/mod.ts";
import type { Frame } from "./framing/mod.ts";
import {
  type ClientStore,
  type GatewayLogger,
  type GatewayServer,
  JsonFileClientStore,
  MemoryClientStore,
  MessageInbox,
  startGatewayServer,
} from "./gateway/mod.ts";
import {
  consoleLogger,
  type Logger,
  type Mixnode,
  type MixnodeFaults,
  type MixnodeSphinxKey,
  silentLogger,
  startMixnode,
} from "./mixnode/mod.ts";

/**
 * How a localnet gateway behaves, modelling the real network's variety:
 * - `current`: the newest nym-node (protocol 6);
 * - `nym-node-1.22`: an older generation, handshake at protocol 3, `register` at the proposal,
 *   no upgrade-mode fields (the gateway server's `generation` option);
 * - `enforce-credentials`: refuses the free bandwidth claim with Nym's `OnlyCoconutCredentials`
 *   error (`enforce_zk_nyms = true`, which nym-api does not show);
 * - `unresolvable-hostname`: announces a hostname that does not resolve
 *   (`gateway-<n>.localnet.invalid`); its IP address works;
 * - `backlog`: pushes stored messages slowly before answering `authenticate` (a large backlog
 *   read from its database), `backlogDelayMs` apart.
 */
export type LocalnetGatewayKind =
  | "current"
  | "nym-node-1.22"
  | "enforce-credentials"
  | "unresolvable-hostname"
  | "backlog";

/**
 * Every {@linkcode LocalnetGatewayKind}, in the order of its documentation.
 *
 * @example
 * ```ts
 * import { LOCALNET_GATEWAY_KINDS } from "./mod.ts";
 * console.log(LOCALNET_GATEWAY_KINDS.includes("nym-node-1.22")); // true
 * ```
 */
export const LOCALNET_GATEWAY_KINDS: readonly LocalnetGatewayKind[] = Object.freeze([
  "current",
  "nym-node-1.22",
  "enforce-credentials",
  "unresolvable-hostname",
  "backlog",
]);

/** Options of {@linkcode startLocalnet}. */
export interface LocalnetOptions {
  /** Mixnodes in each of the three layers (default 1). */
  readonly mixnodesPerLayer?: number;
  /** Gateways (default 1, or the length of `gatewayKinds`). */
  readonly gateways?: number;
  /** The kind of each gateway by index; gateways beyond the list are `current`. */
  readonly gatewayKinds?: readonly LocalnetGatewayKind[];
  /** Pause between stored messages a `backlog` gateway pushes, in ms (default 50). */
  readonly backlogDelayMs?: number;
  /** Interface every node binds (default `127.0.0.1`). */
  readonly hostname?: string;
  /** Port of the nym-api directory (default: the one saved in `dataDir`, else a free port). */
  readonly apiPort?: number;
  /**
   * The longest a mixnode holds a packet, in ms (default 10 000, as nym-node). Clients choose
   * the delays; set 0 to forward at once in tests that measure our own overhead.
   */
  readonly maxPerHopDelayMs?: number;
  /** Replay protection at the mixnodes (default true). */
  readonly replayProtection?: boolean;
  /**
   * Folder that keeps node keys, gateway registrations and the nym-api and gateway ports across
   * runs (default: none, so a fresh network each time). With it, gateway identities, client
   * registrations and addresses survive a restart; a saved port found in use is replaced by a
   * free one (with a warning), and clients find the new one in the directory.
   */
  readonly dataDir?: string;
  /**
   * WebSocket port of the first gateway; gateway `i` listens on `gatewayPort + i` (default: the
   * ports saved in `dataDir` by the previous run, else free ports). A port in use is an error.
   */
  readonly gatewayPort?: number;
  /** Log lines of every node (default: warnings and errors to stderr; `"silent"` for none). */
  readonly logger?: Logger | "silent";
  /** Faults applied to every mixnode from the start. */
  readonly faults?: MixnodeFaults;
  /**
   * Sphinx key rotation (default: none, every node keeps one key). Each node holds two keys
   * around a rotation, the old one purged one epoch after it (nym-node's schedule), and the
   * directory's epoch, rotation id and node keys advance. `epochMs` advances the epoch on a
   * timer; without it only {@linkcode Localnet.advanceEpoch} does.
   */
  readonly keyRotation?: LocalnetKeyRotationOptions;
}

/** Options of the localnet's Sphinx key rotation. */
export interface LocalnetKeyRotationOptions {
  /** Epoch length in ms (short ones for tests); no timer when absent. */
  readonly epochMs?: number;
  /** Epochs per rotation (default 2; nym-api's `validity_epochs`). */
  readonly validityEpochs?: number;
  /** Told after each epoch change, once nodes and directory follow it. */
  readonly onEpoch?: (epoch: { readonly epochId: number; readonly keyRotationId: number }) => void;
}

/** A mixnode of the local network. */
export interface LocalnetMixnode {
  /** Node id in the directory. */
  readonly nodeId: number;
  /** Its layer, 1 to 3. */
  readonly layer: 1 | 2 | 3;
  /** Ed25519 identity, base58. */
  readonly identity: string;
  /** `ip:port` of its mix listener. */
  readonly hostPort: string;
  /** The running node (replaced by {@linkcode Localnet.restartMixnode}). */
  readonly node: Mixnode;
}

/** A gateway of the local network. */
export interface LocalnetGateway {
  /** Node id in the directory. */
  readonly nodeId: number;
  /** How it behaves. */
  readonly kind: LocalnetGatewayKind;
  /** Ed25519 identity, base58 (what clients pass as `gateway`). */
  readonly identity: string;
  /** `ws://…` URL of the client WebSocket endpoint. */
  readonly wsUrl: string;
  /** `ip:port` of its mix (final-hop) listener. */
  readonly mixHost: string;
  /** The running WebSocket server. */
  readonly server: GatewayServer;
  /** Its mix-side node. */
  readonly node: Mixnode;
}

/** A running local network. */
export interface Localnet {
  /** Base URL of the nym-api directory: pass it as `nymApiUrl`. */
  readonly nymApiUrl: string;
  /** The mixnodes, layer by layer. */
  readonly mixnodes: readonly LocalnetMixnode[];
  /** The gateways. */
  readonly gateways: readonly LocalnetGateway[];
  /** Applies faults (drop rate, added latency) to every mixnode. */
  setFaults(faults: MixnodeFaults): void;
  /** Stops a mixnode (its address stays in the directory, as a crashed node's would). */
  killMixnode(index: number): Promise<void>;
  /** Starts a stopped (or running) mixnode again with the same keys and port. */
  restartMixnode(index: number): Promise<void>;
  /** Stops a gateway's WebSocket server and mix listener. */
  killGateway(index: number): Promise<void>;
  /** Starts a gateway again with the same keys, ports and client registrations. */
  restartGateway(index: number): Promise<void>;
  /**
   * Stalls a gateway (connections stay open, nothing is answered, processed or pushed) or
   * resumes it.
   */
  stallGateway(index: number, stalled: boolean): void;
  /** The topology as the official client's `NymNodeTester` takes it. */
  wasmTopology(): WasmFriendlyNymTopology;
  /** The directory's current epoch and key rotation id. */
  readonly epoch: { readonly epochId: number; readonly keyRotationId: number };
  /**
   * Moves to the next epoch: with `keyRotation`, nodes pre-announce, rotate or purge keys and
   * the directory follows. Throws without `keyRotation`.
   */
  advanceEpoch(): void;
  /** Stops every node and the directory. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

interface NodeKeys {
  identity: string;
  sphinx: string;
}

interface SavedKeys {
  mixnodes: NodeKeys[];
  gateways: NodeKeys[];
}

const KEY_FILE = "localnet-keys.json";

function newKeys(): NodeKeys {
  const random = () => toHex(crypto.getRandomValues(new Uint8Array(32)));
  return { identity: random(), sphinx: random() };
}

async function loadKeys(dataDir: string | undefined, mixnodes: number, gateways: number) {
  let saved: SavedKeys = { mixnodes: [], gateways: [] };
  const path = dataDir ? `${dataDir}/${KEY_FILE}` : undefined;
  if (path) {
    try {
      saved = JSON.parse(await Deno.readTextFile(path));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  const keys: SavedKeys = {
    mixnodes: Array.from({ length: mixnodes }, (_, i) => saved.mixnodes?.[i] ?? newKeys()),
    gateways: Array.from({ length: gateways }, (_, i) => saved.gateways?.[i] ?? newKeys()),
  };
  if (path) {
    await Deno.mkdir(dataDir!, { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(keys, null, 1), { mode: 0o600 });
  }
  return keys;
}

/**
 * Starts a local Nym network and returns its endpoints. Every port is free by default.
 *
 * @example
 * ```ts
 * import { startLocalnet } from "@nym/mixnet/localnet";
 * await using net = await startLocalnet({ mixnodesPerLayer: 1, gateways: 1, logger: "silent" });
 * console.log(net.nymApiUrl, net.gateways[0].identity, net.gateways[0].wsUrl);
 * ```
 */
export async function startLocalnet(options: LocalnetOptions = {}): Promise<Localnet> {
  const perLayer = options.mixnodesPerLayer ?? 1;
  const gatewayCount = options.gateways ?? Math.max(1, options.gatewayKinds?.length ?? 0);
  const kinds = options.gatewayKinds ?? [];
  for (const kind of kinds) {
    if (!LOCALNET_GATEWAY_KINDS.includes(kind)) {
      throw new RangeError(`unknown gateway kind ${kind}`);
    }
  }
  if (kinds.length > gatewayCount) throw new RangeError("more gatewayKinds than gateways");
  const kindOf = (index: number): LocalnetGatewayKind => kinds[index] ?? "current";
  if (!Number.isInteger(perLayer) || perLayer < 1) throw new RangeError("mixnodesPerLayer ≥ 1");
  if (!Number.isInteger(gatewayCount) || gatewayCount < 1) throw new RangeError("gateways ≥ 1");
  const hostname = options.hostname ?? "127.0.0.1";
  const logger: Logger = options.logger === "silent"
    ? silentLogger
    : options.logger ?? consoleLogger("[localnet]");
  const gatewayLogger: GatewayLogger = {
    debug: (message) => logger({ level: "debug", event: "gateway", message }),
    info: (message) => logger({ level: "info", event: "gateway", message }),
    warn: (message) => logger({ level: "warn", event: "gateway", message }),
    error: (message) => logger({ level: "error", event: "gateway", message }),
  };
  const keys = await loadKeys(options.dataDir, 3 * perLayer, gatewayCount);
  const started: { close(): Promise<void> }[] = [];
  // Nodes forward only to the nodes of this network's topology (filled in as they start).
  const known = new Set<string>();
  const isKnownNode = (hostPort: string) => known.has(hostPort);

  try {
    // Mixnodes: node ids 1..3N, layer by layer.
    const mixnodes: LocalnetMixnode[] = [];
    for (let i = 0; i < 3 * perLayer; i++) {
      const node = await startMixnode({
        identity: fromHex(keys.mixnodes[i].identity),
        sphinxSecretKey: fromHex(keys.mixnodes[i].sphinx),
        hostname,
        maxDelayMs: options.maxPerHopDelayMs,
        replayProtection: options.replayProtection ?? true,
        logger,
        faults: options.faults,
        isKnownNode,
      });
      known.add(node.hostPort);
      started.push(node);
      mixnodes.push({
        nodeId: i + 1,
        layer: (Math.floor(i / perLayer) + 1) as 1 | 2 | 3,
        identity: toBase58(node.identityKey),
        hostPort: node.hostPort,
        node,
      });
    }

    // Gateways: a mix-side listener that is the final hop, and the client WebSocket server.
    const gateways: LocalnetGateway[] = [];
    const stores: ClientStore[] = [];
    // Kept across restarts, as a Nym gateway keeps stored messages in its database.
    const inboxes: MessageInbox[] = [];
    const startGateway = async (index: number, ports?: { ws: number; mix: number }) => {
      const k = keys.gateways[index];
      // The final-hop handler needs the server, which needs the node: break the cycle by reference.
      const ref: { server?: GatewayServer } = {};
      const node: Mixnode = await startMixnode({
        identity: fromHex(k.identity),
        sphinxSecretKey: fromHex(k.sphinx),
        hostname,
        port: ports?.mix ?? 0,
        maxDelayMs: 0, // the final hop delivers at once, as Nym's gateways
        replayProtection: options.replayProtection ?? true,
        logger,
        onFinalHop: (hop, frame) => finalHop(hop, frame),
        isKnownNode,
      });
      known.add(node.hostPort);
      const finalHop = (hop: FinalHop, frame: Frame) => {
        const server = ref.server;
        if (!server) return;
        const outcome = handleFinalHop(hop, frame, {
          deliver: (client, message) => server.deliver(client, message),
          sendAck: (hostPort, packet, keyRotation) => node.send(hostPort, packet, keyRotation),
        });
        if (outcome === "malformed") {
          logger({ level: "warn", event: "surb_ack.malformed", message: "bad SURB-ACK address" });
        }
      };
      stores[index] ??= options.dataDir
        ? await JsonFileClientStore.open(`${options.dataDir}/gateway-${index}`)
        : new MemoryClientStore();
      inboxes[index] ??= new MessageInbox({
        onDrop: (client, dropped) =>
          gatewayLogger.warn(
            `${dropped} message(s) for ${toBase58(client).slice(0, 10)} expired unread`,
          ),
        onRefuse: (client, reason) =>
          gatewayLogger.warn(`inbox of ${toBase58(client).slice(0, 10)} is full (${reason})`),
      });
      const server = await startGatewayServer({
        identitySecretKey: fromHex(k.identity),
        hostname,
        port: ports?.ws ?? 0,
        store: stores[index],
        inbox: inboxes[index],
        logger: gatewayLogger,
        generation: kindOf(index) === "nym-node-1.22" ? "nym-node-1.22" : "current",
        enforceCredentials: kindOf(index) === "enforce-credentials",
        storedMessageDelayMs: kindOf(index) === "backlog" ? options.backlogDelayMs ?? 50 : 0,
        forward: (packet: MixPacket) => {
          node.send(decodeNodeAddress(packet.nextHop).hostPort, packet.packet, packet.keyRotation);
        },
      }).catch(async (error) => {
        await node.close();
        throw error;
      });
      ref.server = server;
      const gateway: LocalnetGateway = {
        nodeId: 3 * perLayer + index + 1,
        kind: kindOf(index),
        identity: toBase58(server.identityKey),
        wsUrl: server.url,
        mixHost: node.hostPort,
        server,
        node,
      };
      gateways[index] = gateway;
      return gateway;
    };
    const savedPorts = await loadPorts(options.dataDir);
    for (let i = 0; i < gatewayCount; i++) {
      await startGatewayAt(i, startGateway, {
        explicit: options.gatewayPort === undefined ? undefined : options.gatewayPort + i,
        saved: savedPorts.gateways[i],
        logger,
      });
      started.push({ close: () => closeGateway(gateways[i]) });
    }

    // Sphinx key rotation: node slots 0..3N-1 are the mixnodes, then the gateways' mix sides.
    const rotation = options.keyRotation
      ? new KeyRotationSchedule(
        options.keyRotation.validityEpochs ?? 2,
        100,
        [...keys.mixnodes, ...keys.gateways].map((k) => fromHex(k.sphinx)),
        (n) => crypto.getRandomValues(new Uint8Array(n)),
      )
      : undefined;
    const slots = new Map<number, MixnodeSphinxKey[]>();
    const applyKeys = () => {
      if (!rotation) return;
      const nodes = [...mixnodes.map((m) => m.node), ...gateways.map((g) => g.node)];
      nodes.forEach((node, i) => {
        const held = rotation.slots(i);
        slots.set(i, held);
        node.setSphinxKeys(held);
      });
    };
    const sphinxPublic = (slot: number, node: Mixnode): Uint8Array => {
      const held = slots.get(slot);
      return held ? defaultCrypto().x25519PublicKey(held[0].secretKey) : node.sphinxPublicKey;
    };
    const directoryData = () => ({
      nodes: [
        ...mixnodes.map((m, i) => ({
          nodeId: m.nodeId,
          identityKey: m.node.identityKey,
          sphinxKey: sphinxPublic(i, m.node),
          ipAddresses: [m.node.hostname],
          mixPort: m.node.port,
          entry: null,
          supportedRoles: { mixnode: true, entry: false, exitNr: false, exitIpr: false },
          performance: "1",
        })),
        ...gateways.map((g, j) => ({
          nodeId: g.nodeId,
          identityKey: g.server.identityKey,
          sphinxKey: sphinxPublic(3 * perLayer + j, g.node),
          ipAddresses: [g.node.hostname],
          mixPort: g.node.port,
          entry: {
            hostname: g.kind === "unresolvable-hostname"
              ? `gateway-${g.nodeId}.localnet.invalid`
              : null,
            wsPort: g.server.port,
            wssPort: null,
          },
          supportedRoles: { mixnode: false, entry: true, exitNr: true, exitIpr: false },
          performance: "1",
        })),
      ],
      rewardedSet: {
        epochId: rotation?.epoch ?? 100,
        entryGateways: gateways.map((g) => g.nodeId),
        exitGateways: gateways.map((g) => g.nodeId),
        layer1: mixnodes.filter((m) => m.layer === 1).map((m) => m.nodeId),
        layer2: mixnodes.filter((m) => m.layer === 2).map((m) => m.nodeId),
        layer3: mixnodes.filter((m) => m.layer === 3).map((m) => m.nodeId),
        standby: [],
      },
    });
    const rotationClock = () =>
      rotation && {
        currentAbsoluteEpochId: rotation.epoch,
        validityEpochs: rotation.validityEpochs,
        initialEpochId: rotation.initialEpochId,
        currentEpochStart: new Date(),
        epochDurationSecs: (options.keyRotation?.epochMs ?? 3_600_000) / 1000,
      };
    applyKeys();
    const directoryAt = (port: number) =>
      startDirectory({ ...directoryData(), keyRotation: rotationClock(), hostname, port });
    let directory: Directory;
    try {
      directory = directoryAt(options.apiPort ?? savedPorts.api ?? 0);
    } catch (error) {
      if (options.apiPort !== undefined || !(error instanceof Deno.errors.AddrInUse)) throw error;
      logger({
        level: "warn",
        event: "directory.port_taken",
        message: `nym-api: its previous port ${savedPorts.api} is in use; listening on a free port`,
      });
      directory = directoryAt(0);
    }
    started.push(directory);
    await savePorts(options.dataDir, directory.port, gateways);
    const advanceEpoch = () => {
      if (!rotation) throw new Error("the localnet was started without keyRotation");
      rotation.epoch++;
      applyKeys();
      directory.update({ ...directoryData(), keyRotation: rotationClock() });
      options.keyRotation?.onEpoch?.({
        epochId: rotation.epoch,
        keyRotationId: rotation.rotationId,
      });
    };
    const epochTimer = options.keyRotation?.epochMs
      ? setInterval(advanceEpoch, options.keyRotation.epochMs)
      : undefined;
    started.push({ close: () => Promise.resolve(clearInterval(epochTimer)) });

    let closing: Promise<void> | undefined;
    const net: Localnet = {
      nymApiUrl: directory.url,
      mixnodes,
      gateways,
      setFaults(faults) {
        for (const m of mixnodes) m.node.setFaults(faults);
      },
      async killMixnode(index) {
        await mixnodes[index].node.close();
      },
      async restartMixnode(index) {
        const m = mixnodes[index];
        const node = await m.node.restart();
        mixnodes[index] = { ...m, node };
        applyKeys();
      },
      async killGateway(index) {
        await closeGateway(gateways[index]);
      },
      async restartGateway(index) {
        const g = gateways[index];
        await closeGateway(g);
        await startGateway(index, { ws: g.server.port, mix: g.node.port });
        applyKeys();
      },
      stallGateway(index, stalled) {
        gateways[index].server.setStalled(stalled);
      },
      wasmTopology() {
        return toWasmFriendlyTopology(directory.data);
      },
      get epoch() {
        return {
          epochId: rotation?.epoch ?? 100,
          keyRotationId: rotation?.rotationId ??
            resolveKeyRotation(directory.data.rewardedSet, directory.data.keyRotation)
              .rotationId,
        };
      },
      advanceEpoch,
      close() {
        closing ??= (async () => {
          clearInterval(epochTimer);
          await directory.close();
          await Promise.all(mixnodes.map((m) => m.node.close()));
          await Promise.all(gateways.map(closeGateway));
        })();
        return closing;
      },
      [Symbol.asyncDispose]() {
        return net.close();
      },
    };
    return net;
  } catch (error) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw error;
  }
}

async function closeGateway(gateway: LocalnetGateway | undefined): Promise<void> {
  if (!gateway) return;
  // The mix side first: a packet that arrives while the WebSocket side closes would have its
  // SURB-ACK sent (its sender stops retransmitting) and then be lost with the session.
  await gateway.node.close();
  await gateway.server.close();
}

const PORTS_FILE = "ports.json";

interface SavedPorts {
  readonly api?: number;
  readonly gateways: ({ ws: number; mix: number } | undefined)[];
}

const isPort = (p: unknown): p is number =>
  Number.isInteger(p) && (p as number) > 0 && (p as number) < 65536;

/**
 * The nym-api and gateway ports of the previous run with this `dataDir` (none without one, the
 * first time, or when the file is unreadable: then free ports, as before).
 */
async function loadPorts(dataDir: string | undefined): Promise<SavedPorts> {
  if (!dataDir) return { gateways: [] };
  let saved: { api?: unknown; gateways?: unknown };
  try {
    saved = JSON.parse(await Deno.readTextFile(`${dataDir}/${PORTS_FILE}`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) {
      return { gateways: [] };
    }
    throw error;
  }
  const gateways = Array.isArray(saved?.gateways) ? saved.gateways : [];
  return {
    api: isPort(saved?.api) ? saved.api : undefined,
    gateways: gateways.map((p: { ws?: unknown; mix?: unknown } | null) =>
      isPort(p?.ws) && isPort(p?.mix) ? { ws: p.ws, mix: p.mix } : undefined
    ),
  };
}

async function savePorts(
  dataDir: string | undefined,
  api: number,
  gateways: readonly LocalnetGateway[],
): Promise<void> {
  if (!dataDir) return;
  const ports = { api, gateways: gateways.map((g) => ({ ws: g.server.port, mix: g.node.port })) };
  await Deno.writeTextFile(`${dataDir}/${PORTS_FILE}`, JSON.stringify(ports) + "\n");
}

/**
 * Starts gateway `index` on an explicit port (in use: an error naming it), else on the ports it
 * had in the previous run (in use: free ones, with a warning; clients find the new port in the
 * directory), else on free ports.
 */
async function startGatewayAt(
  index: number,
  start: (index: number, ports?: { ws: number; mix: number }) => Promise<LocalnetGateway>,
  where: {
    explicit?: number;
    saved?: { ws: number; mix: number };
    logger: Logger;
  },
): Promise<void> {
  if (where.explicit !== undefined) {
    try {
      await start(index, { ws: where.explicit, mix: where.saved?.mix ?? 0 });
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
      // The saved mix port may be the one taken: try once more with a free one.
      try {
        await start(index, { ws: where.explicit, mix: 0 });
        return;
      } catch (again) {
        if (!(again instanceof Deno.errors.AddrInUse)) throw again;
        throw new Deno.errors.AddrInUse(
          `gateway ${index}: port ${where.explicit} is already in use; choose another gateway port`,
        );
      }
    }
  }
  if (where.saved) {
    try {
      await start(index, where.saved);
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse)) throw error;
      where.logger({
        level: "warn",
        event: "gateway.port_taken",
        message: `gateway ${index}: its previous port ${where.saved.ws} (or mix port ` +
          `${where.saved.mix}) is in use; listening on a free port instead`,
      });
    }
  }
  await start(index);
}
