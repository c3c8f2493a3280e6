//! End to end against two anvil chains: messages are sent with cast, the verifier follows both nodes over
//! JSON-RPC, and its answers are read over its own JSON-RPC. `superlink_e2e.rs` runs the same scenarios on
//! superlink's own chains.

mod common;

use alloy_primitives::{B256, U256};
use common::{
    Chain, Service,
    scenarios::{source_revert_demotes_dependent, valid_message_and_bad_claims},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_message_is_accepted_and_its_block_becomes_cross_unsafe_while_bad_claims_get_their_errors() {
    valid_message_and_bad_claims(Chain::start(901), Chain::start(902), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverting_the_source_block_takes_cross_unsafe_status_from_the_dependent_block() {
    source_revert_demotes_dependent(Chain::start(901), Chain::start(902)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn super_roots_combine_the_output_roots_of_every_chain_at_the_timestamp() {
    let a = Chain::start(901);
    let b = Chain::start(902);
    let datadir = tempfile::tempdir().unwrap();
    let service = Service::start(&[&a, &b], datadir.path()).await;
    let (id, msg_hash) = a.emit(b"state before the super root");
    assert_eq!(b.execute(&id, msg_hash)["status"], "0x1");
    let timestamp = id.timestamp;
    // Anvil's safe tag trails its head: mine enough blocks on both chains for it to pass the timestamp.
    a.rpc(&["anvil_mine", "0x80"]);
    b.rpc(&["anvil_mine", "0x80"]);
    let (root_a, _) = a.output_root_at(timestamp);
    let (root_b, _) = b.output_root_at(timestamp);
    let expected = superlink_protocol::SuperV1::new(
        timestamp,
        vec![
            superlink_protocol::OutputRootWithChain { chain_id: U256::from(901), output_root: root_a },
            superlink_protocol::OutputRootWithChain { chain_id: U256::from(902), output_root: root_b },
        ],
    )
    .unwrap()
    .hash();

    service.wait_indexed(901, a.head()).await;
    service.wait_indexed(902, b.head()).await;
    // Both super-root methods answer over cross-safe blocks only.
    service
        .wait_for(|s| s["safeTimestamp"].as_u64() >= Some(timestamp), "cross-safe past the timestamp")
        .await;
    let response: serde_json::Value = jsonrpsee::core::client::ClientT::request(
        &service.client,
        "supervisor_superRootAtTimestamp",
        jsonrpsee::rpc_params![format!("{timestamp:#x}")],
    )
    .await
    .unwrap();
    assert_eq!(response["superRoot"].as_str().unwrap().parse::<B256>().unwrap(), expected, "{response}");
    assert_eq!(response["chains"][0]["canonical"].as_str().unwrap().parse::<B256>().unwrap(), root_a);

    let response: serde_json::Value = jsonrpsee::core::client::ClientT::request(
        &service.client,
        "superroot_atTimestamp",
        jsonrpsee::rpc_params![format!("{timestamp:#x}")],
    )
    .await
    .unwrap();
    assert_eq!(
        response["data"]["super_root"].as_str().unwrap().parse::<B256>().unwrap(),
        expected,
        "{response}"
    );
    assert_eq!(response["chain_ids"], serde_json::json!(["901", "902"]));
    let optimistic = &response["optimistic_at_timestamp"]["902"]["output_root"];
    assert_eq!(optimistic.as_str().unwrap().parse::<B256>().unwrap(), root_b);

    // The same port speaks WebSocket.
    let ws = jsonrpsee::ws_client::WsClientBuilder::default()
        .build(format!("ws://{}", service.addr))
        .await
        .unwrap();
    let deps: serde_json::Value = jsonrpsee::core::client::ClientT::request(
        &ws,
        "supervisor_dependencySetV1",
        jsonrpsee::rpc_params![],
    )
    .await
    .unwrap();
    let expected_deps: serde_json::Value =
        serde_json::from_str(&common::dependency_set(&[901, 902]).to_json()).unwrap();
    assert_eq!(deps, expected_deps);
    service.stop().await;
}
