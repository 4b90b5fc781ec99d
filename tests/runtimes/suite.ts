// The test files every runtime runs. `deno test` runs them as they are; `deno task
// test:runtimes` bundles this module (`deno bundle --platform browser`, the JavaScript a browser
// or edge build ships) and runs the bundle under Node's and Bun's own test runners, with
// `Deno.test` mapped onto theirs by `_deno_test_shim.mjs`. One bundle keeps one copy of every
// class, so `instanceof` works across files.
//
// A test file belongs here when it needs no Deno API besides `Deno.test` and `Deno.env` (the
// shim provides those): `portability_test.ts` fails when a file that could run everywhere is
// missing, or when a listed file calls a Deno API itself.
import "../assert_test.ts";
import "../blake2b_test.ts";
import "../client_core_test.ts";
import "../client_surb_rotation_test.ts";
import "../cover_test.ts";
import "../crypto_native_paths_test.ts";
import "../crypto_polyval_test.ts";
import "../crypto_test.ts";
import "../exit_client_side_test.ts";
import "../exit_protocol_test.ts";
import "../exit_requester_test.ts";
import "../framing_test.ts";
import "../gateway_frames_test.ts";
import "../gateway_handshake_test.ts";
import "../gateway_link_test.ts";
import "../gateway_messages_test.ts";
import "../loop_cover_keys_test.ts";
import "../message_encryption_test.ts";
import "../message_fragment_test.ts";
import "../message_inbox_test.ts";
import "../message_nym_message_test.ts";
import "../message_official_test.ts";
import "../message_packet_plaintext_test.ts";
import "../message_reassembly_test.ts";
import "../message_recipient_test.ts";
import "../node_address_test.ts";
import "../packet_builder_prefix_test.ts";
import "../queue_test.ts";
import "../replies_surb_rotation_test.ts";
import "../replies_test.ts";
import "../sphinx_golden_test.ts";
import "../sphinx_key_derivation_test.ts";
import "../sphinx_legacy_test.ts";
import "../sphinx_malformed_test.ts";
import "../sphinx_roundtrip_test.ts";
import "../sphinx_route_prefix_test.ts";
import "../sphinx_surb_test.ts";
import "../sphinx_vectors_test.ts";
import "../stream_frame_test.ts";
import "../stream_limits_test.ts";
import "../stream_multiplexer_test.ts";
import "../stream_reorder_buffer_test.ts";
import "../topology_decode_test.ts";
import "../when_quiet_test.ts";
import "./localnet_round_trip_test.ts";
