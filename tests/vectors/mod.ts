/**
 * Test vectors kept in the repository, loaded as JSON modules so every runtime (Deno, and Node
 * and Bun through the bundled suite) reads them without file-system access. Where each came from
 * is in `tests/vectors/README.md`.
 *
 * @example
 * ```ts
 * import { officialTesterPacket } from "./mod.ts";
 * console.log(officialTesterPacket.mix_hosts.mix1); // "127.0.0.1:1791"
 * ```
 * @module
 */
import packet from "./official-tester-packet.json" with { type: "json" };

/** Secret and public keys of one node of the captured route (hex secrets, base58 publics). */
export interface VectorNode {
  /** Ed25519 identity secret key, hex. */
  readonly ed25519_sk: string;
  /** Ed25519 identity public key, base58. */
  readonly ed25519_pk_bs58: string;
  /** X25519 Sphinx secret key, hex. */
  readonly x25519_sk: string;
  /** X25519 Sphinx public key, base58. */
  readonly x25519_pk_bs58: string;
}

/** The packet the official client (nym-client-wasm 1.4.1) built, with every key involved. */
export interface OfficialTesterPacket {
  /** How it was captured. */
  readonly note: string;
  /** The three mixnodes and the gateway: `mix1`, `mix2`, `mix3`, `gw`. */
  readonly nodes: Readonly<Record<string, VectorNode>>;
  /** `host:port` each node was known by in the topology (and in the Sphinx routing info). */
  readonly mix_hosts: Readonly<Record<string, string>>;
  /** The tester client's keys (hex). */
  readonly client: {
    readonly ed25519_sk: string;
    readonly ed25519_pk: string;
    readonly x25519_sk: string;
    readonly x25519_pk: string;
    readonly ack_key_aes128: string;
    readonly gateway_shared_key_aes256gcmsiv: string;
  };
  /** `packet_type ‖ key_rotation ‖ next_hop(7) ‖ sphinx(2413)`, hex. */
  readonly forward_sphinx_v2_plaintext_hex: string;
}

/**
 * A ForwardSphinxV2 plaintext captured from `@nymproject/nym-client-wasm@1.4.1`'s
 * `NymNodeTester.test_node(mix2)`, route mix1 → mix2 → mix3 → gateway, Sphinx version 258.
 *
 * @example
 * ```ts
 * import { officialTesterPacket } from "./mod.ts";
 * console.log(officialTesterPacket.forward_sphinx_v2_plaintext_hex.length / 2); // 2422
 * ```
 */
export const officialTesterPacket: OfficialTesterPacket = packet;
