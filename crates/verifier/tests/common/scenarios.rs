//! Scenarios run against more than one kind of node (anvil, superlink's own chain).

use std::net::SocketAddr;

use alloy_primitives::{B256, U256, keccak256};
use superlink_protocol::{Identifier, SafetyLevel, access_list_keys};
use superlink_testkit::free_port;
use superlink_verifier::{CheckError, ErrorCode, ExecutingDescriptor, MessageChecker, RemoteChecker};

use super::{Chain, Service, head_of, hex_u64};

fn keys(id: &Identifier, msg_hash: B256) -> Vec<B256> {
    access_list_keys(id, msg_hash)
}

/// A valid message is accepted and its executing block becomes cross-unsafe, while every kind of bad claim gets
/// its error code; with `metrics`, the Prometheus endpoint reports heads and checks.
pub async fn valid_message_and_bad_claims(a: Chain, b: Chain, metrics: bool) {
    let datadir = tempfile::tempdir().unwrap();
    let metrics_addr = metrics.then(|| SocketAddr::from(([127, 0, 0, 1], free_port())));
    let service = Service::start_with_metrics(&[&a, &b], datadir.path(), metrics_addr).await;

    let (id, msg_hash) = a.emit(b"hello from 901");
    service.wait_indexed(901, id.block_number).await;
    let later = id.timestamp + 2;

    // The initiating message exists: accepted at unsafe and, once resolved, at cross-unsafe.
    service.check(&keys(&id, msg_hash), "unsafe", 902, later).await.unwrap();
    service
        .wait_for(|s| head_of(s, 901, "crossUnsafe") >= Some(id.block_number), "cross-unsafe source")
        .await;
    service.check(&keys(&id, msg_hash), "cross-unsafe", 902, later).await.unwrap();

    // Executing it on 902 makes a block whose message is valid: it becomes cross-unsafe.
    let receipt = b.execute(&id, msg_hash);
    assert_eq!(receipt["status"], "0x1", "validateMessage reverted: {receipt}");
    let exec_block = hex_u64(&receipt["blockNumber"]);
    service
        .wait_for(|s| head_of(s, 902, "crossUnsafe") >= Some(exec_block), "cross-unsafe executing block")
        .await;
    let invalid: serde_json::Value = jsonrpsee::core::client::ClientT::request(
        &service.client,
        "superlink_invalidBlocks",
        jsonrpsee::rpc_params![],
    )
    .await
    .unwrap();
    assert_eq!(invalid, serde_json::json!([]));

    // A forged payload: the checksum does not match the log.
    let forged = service.check(&keys(&id, keccak256(b"forged")), "unsafe", 902, later).await.unwrap_err();
    assert_eq!(forged.0, -320600, "{forged:?}");
    assert!(forged.1.contains("checksum"), "{forged:?}");

    // A wrong timestamp.
    let wrong_ts = Identifier { timestamp: id.timestamp - 1, ..id };
    let err = service.check(&keys(&wrong_ts, msg_hash), "unsafe", 902, later).await.unwrap_err();
    assert_eq!(err.0, -320600, "{err:?}");
    assert!(err.1.contains("timestamp"), "{err:?}");

    // A chain outside the dependency set.
    let foreign = Identifier { chain_id: U256::from(999), ..id };
    let err = service.check(&keys(&foreign, msg_hash), "unsafe", 902, later).await.unwrap_err();
    assert_eq!(err.0, -320501, "{err:?}");

    // An expired message: executing more than 7 days after the initiating timestamp.
    let err = service.check(&keys(&id, msg_hash), "unsafe", 902, id.timestamp + 604_801).await.unwrap_err();
    assert_eq!(err.0, -320600, "{err:?}");
    assert!(err.1.contains("expires"), "{err:?}");

    // Executing at or before the initiating timestamp.
    let err = service.check(&keys(&id, msg_hash), "unsafe", 902, id.timestamp).await.unwrap_err();
    assert_eq!(err.0, -320600, "{err:?}");

    // A block the verifier has not seen yet.
    let future = Identifier { block_number: id.block_number + 1000, ..id };
    let err = service.check(&keys(&future, msg_hash), "unsafe", 902, later).await.unwrap_err();
    assert_eq!(err.0, -321401, "{err:?}");

    // A level not reached: anvil's blocks are not yet local-safe... unless its safe tag covers them.
    let status = service.sync_status().await;
    if head_of(&status, 901, "safe") < Some(id.block_number) {
        let err = service.check(&keys(&id, msg_hash), "safe", 902, later).await.unwrap_err();
        assert_eq!(err.0, -321401, "{err:?}");
    }

    // Malformed entries: a checksum without its lookup.
    let err = service.check(&keys(&id, msg_hash)[1..], "unsafe", 902, later).await.unwrap_err();
    assert_eq!(err.0, -32602, "{err:?}");

    // The same answers through the remote message checker a tx-pool would use.
    let remote = RemoteChecker::new(&format!("http://{}", service.addr)).unwrap();
    let descriptor = ExecutingDescriptor { timestamp: later, timeout: Some(60), chain_id: U256::from(902) };
    remote.check_access_list(&keys(&id, msg_hash), SafetyLevel::CrossUnsafe, descriptor).await.unwrap();
    let err = remote
        .check_access_list(&keys(&id, keccak256(b"forged")), SafetyLevel::Unsafe, descriptor)
        .await
        .unwrap_err();
    assert!(matches!(err, CheckError::Refused { code: ErrorCode::ConflictingData, .. }), "{err:?}");
    let outsider = ExecutingDescriptor { chain_id: U256::from(7), ..descriptor };
    let err =
        remote.check_access_list(&keys(&id, msg_hash), SafetyLevel::Unsafe, outsider).await.unwrap_err();
    assert!(matches!(err, CheckError::Refused { code: ErrorCode::UnknownChain, .. }), "{err:?}");

    // Prometheus metrics: heads per chain and level, checks counted.
    if let Some(metrics_addr) = metrics_addr {
        let metrics = std::process::Command::new("curl")
            .args(["-s", "-m", "5", &format!("http://{metrics_addr}/metrics")])
            .output()
            .unwrap();
        let metrics = String::from_utf8_lossy(&metrics.stdout);
        let expected_head = "superlink_verifier_head_block{chain=\"902\",level=\"cross-unsafe\"}";
        assert!(metrics.contains(expected_head), "{metrics}");
        assert!(metrics.contains("superlink_verifier_access_list_checks_total"), "{metrics}");
    }

    service.stop().await;
}

/// Reverting the source chain below an initiating message takes cross-unsafe status from the block that
/// executed it, and the message is rejected afterwards.
pub async fn source_revert_demotes_dependent(a: Chain, b: Chain) {
    let datadir = tempfile::tempdir().unwrap();
    let service = Service::start(&[&a, &b], datadir.path()).await;

    let snapshot = a.rpc(&["evm_snapshot"]);
    let (id, msg_hash) = a.emit(b"soon reorged");
    let receipt = b.execute(&id, msg_hash);
    assert_eq!(receipt["status"], "0x1", "validateMessage reverted: {receipt}");
    let exec_block = hex_u64(&receipt["blockNumber"]);
    service
        .wait_for(|s| head_of(s, 902, "crossUnsafe") >= Some(exec_block), "cross-unsafe executing block")
        .await;

    // Revert the source chain and build a different block at the same height.
    a.rpc(&["evm_revert", snapshot.trim_matches('"')]);
    a.rpc(&["evm_mine"]);
    service
        .wait_for(|s| head_of(s, 902, "crossUnsafe") < Some(exec_block), "the dependent block to be demoted")
        .await;
    // The source chain itself keeps its blocks below the reorged one: once the rewind settles, its
    // cross-unsafe head is back at (at least) the common ancestor.
    service
        .wait_for(
            |s| head_of(s, 901, "crossUnsafe") >= Some(id.block_number - 1),
            "the source chain's cross-unsafe head at the common ancestor",
        )
        .await;
    // Once the replacement block is indexed, the old message is known to be gone.
    service.wait_indexed(901, id.block_number).await;
    let err = service.check(&keys(&id, msg_hash), "unsafe", 902, id.timestamp + 2).await.unwrap_err();
    assert_eq!(err.0, -320600, "the reorged message must now be rejected: {err:?}");

    // The dependent block stays out of cross-unsafe: its message points at a log that no longer exists.
    let invalid: serde_json::Value = jsonrpsee::core::client::ClientT::request(
        &service.client,
        "superlink_invalidBlocks",
        jsonrpsee::rpc_params![],
    )
    .await
    .unwrap();
    assert!(
        invalid.as_array().unwrap().iter().any(|b| b["block"]["number"].as_u64() == Some(exec_block)),
        "{invalid}"
    );
    service.stop().await;
}
