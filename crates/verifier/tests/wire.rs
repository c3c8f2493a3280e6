//! The verifier's JSON-RPC answers, checked field by field against the shapes the reference clients decode
//! (the Go types of op-service `eth`, op-interop-filter's API as op-reth calls it): key names, which values are
//! JSON numbers and which hex strings, decimal chain-ID strings, and keys that must be absent.
//!
//! The chains are held in memory and served to the verifier through its chain-source interface; the verifier
//! follows them exactly as it follows a node.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use alloy_primitives::{B256, U256, keccak256};
use jsonrpsee::{
    RpcModule,
    core::{ClientError, client::ClientT},
    http_client::HttpClientBuilder,
    rpc_params,
};
use serde_json::{Value, json};
use superlink_protocol::{
    DependencySet, OutputRootWithChain, OutputV0, SafetyLevel, SuperV1, access_list_keys,
};
use superlink_verifier::{
    BlockId, BlockRef, CheckError, DerivationSource, ErrorCode, ExecutingDescriptor, FollowConfig,
    MessageChecker, RemoteChecker, RollupStatus, Round, RpcContext, SourceError, Verifier, VerifierError,
    follow_derivation_once, follow_once, remember_invalid_outputs, rpc_module, serve, serve_with_extra,
};

mod memory_chain;

use memory_chain::MemoryChain;

const A: u64 = 901;
const B: u64 = 902;

/// Two chains of six blocks (timestamps 100..=110), followed by a verifier.
struct Fixture {
    _dir: tempfile::TempDir,
    verifier: Verifier,
    sources: BTreeMap<u64, Arc<MemoryChain>>,
}

impl Fixture {
    async fn new() -> Self {
        let (a, b) = (MemoryChain::new(A), MemoryChain::new(B));
        for _ in 0..6 {
            a.push(0, None);
            b.push(0, None);
        }
        let dir = tempfile::tempdir().unwrap();
        let deps = DependencySet::new([U256::from(A), U256::from(B)]).unwrap();
        let verifier = Verifier::open(deps, dir.path(), &BTreeMap::new()).unwrap();
        let fixture = Self { _dir: dir, verifier, sources: BTreeMap::from([(A, a), (B, b)]) };
        fixture.follow().await;
        fixture
    }

    /// Follows every chain to its head.
    async fn follow(&self) {
        for source in self.sources.values() {
            while follow_once(&self.verifier, source.as_ref(), &FollowConfig::default())
                .await
                .map_err(|e| format!("{e:?}"))
                .unwrap()
                != Round::AtHead
            {}
        }
    }

    /// Labels block `safe` of `chain` local-safe and `finalized` locally finalized.
    fn label(&self, chain: u64, safe: u64, finalized: Option<u64>) {
        self.verifier.set_local_tags(chain, Some(safe), finalized).unwrap();
    }

    fn module(&self) -> RpcModule<RpcContext<MemoryChain>> {
        rpc_module(RpcContext { verifier: self.verifier.clone(), sources: self.sources.clone() }).unwrap()
    }

    fn chain(&self, chain: u64) -> &MemoryChain {
        &self.sources[&chain]
    }
}

/// Calls `method` in process; the JSON answer, or the error's code and message.
async fn call(
    module: &RpcModule<RpcContext<MemoryChain>>,
    method: &str,
    params: Value,
) -> Result<Value, (i32, String)> {
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let (response, _) = module.raw_json_request(&request, 1).await.unwrap();
    let response: Value = serde_json::from_str(response.get()).unwrap();
    match response.get("error") {
        Some(error) => {
            Err((error["code"].as_i64().unwrap() as i32, error["message"].as_str().unwrap().to_string()))
        }
        None => Ok(response["result"].clone()),
    }
}

/// Asserts that `value` has exactly `keys`.
fn assert_keys(value: &Value, keys: &[&str]) {
    let mut actual: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    actual.sort_unstable();
    let mut expected = keys.to_vec();
    expected.sort_unstable();
    assert_eq!(actual, expected, "{value}");
}

/// `BlockID`: `{"hash": "0x…32 bytes", "number": <JSON number>}`.
fn assert_block_id(value: &Value, hash: B256, number: u64) {
    assert_keys(value, &["hash", "number"]);
    assert_eq!(value["hash"], json!(hash.to_string()), "{value}");
    assert_eq!(value["number"], json!(number), "{value}");
}

/// `BlockRef` / `L1BlockRef`: `{hash, number, parentHash, timestamp}`, numbers as JSON numbers.
fn assert_block_ref(value: &Value, block: &BlockRef) {
    assert_keys(value, &["hash", "number", "parentHash", "timestamp"]);
    assert_eq!(value["hash"], json!(block.hash.to_string()));
    assert_eq!(value["number"], json!(block.number));
    assert_eq!(value["parentHash"], json!(block.parent_hash.to_string()));
    assert_eq!(value["timestamp"], json!(block.timestamp));
}

fn zero_block_ref() -> BlockRef {
    BlockRef::default()
}

#[tokio::test]
async fn sync_status_and_heads_have_the_supervisor_shapes() {
    let fixture = Fixture::new().await;
    fixture.label(A, 3, Some(2));
    let module = fixture.module();
    let status = call(&module, "supervisor_syncStatus", json!([])).await.unwrap();
    // SupervisorSyncStatus: L1BlockRef, JSON-number timestamps, chains keyed by decimal chain IDs.
    assert_keys(&status, &["minSyncedL1", "safeTimestamp", "finalizedTimestamp", "chains"]);
    assert_block_ref(&status["minSyncedL1"], &zero_block_ref());
    assert_eq!(status["safeTimestamp"], json!(0), "chain 902 has no cross-safe block: {status}");
    assert_eq!(status["finalizedTimestamp"], json!(0));
    assert_keys(&status["chains"], &["901", "902"]);
    let a = &status["chains"]["901"];
    assert_keys(a, &["localUnsafe", "localSafe", "crossUnsafe", "safe", "finalized"]);
    let block = |chain: u64, n: u64| fixture.verifier.block(chain, n).unwrap();
    assert_block_ref(&a["localUnsafe"], &block(A, 5));
    assert_block_id(&a["localSafe"], block(A, 3).hash, 3);
    assert_block_id(&a["crossUnsafe"], block(A, 5).hash, 5);
    assert_block_id(&a["safe"], block(A, 3).hash, 3);
    assert_block_id(&a["finalized"], block(A, 2).hash, 2);
    // No head yet: the all-zero hash and number 0.
    assert_block_id(&status["chains"]["902"]["safe"], B256::ZERO, 0);

    let head = call(&module, "supervisor_localUnsafe", json!(["901"])).await.unwrap();
    assert_block_id(&head, block(A, 5).hash, 5);
    let head = call(&module, "supervisor_crossUnsafe", json!(["0x385"])).await.unwrap();
    assert_block_id(&head, block(A, 5).hash, 5);
    // DerivedIDPair: `source` (L1, not tracked: zero) and `derived`.
    let pair = call(&module, "supervisor_crossSafe", json!([901])).await.unwrap();
    assert_keys(&pair, &["source", "derived"]);
    assert_block_id(&pair["source"], B256::ZERO, 0);
    assert_block_id(&pair["derived"], block(A, 3).hash, 3);
    let pair = call(&module, "supervisor_localSafe", json!(["901"])).await.unwrap();
    assert_block_id(&pair["derived"], block(A, 3).hash, 3);
    let err = call(&module, "supervisor_localSafe", json!(["7"])).await.unwrap_err();
    assert_eq!(err.0, ErrorCode::UnknownChain.code(), "{err:?}");
}

/// The expected `superroot_atTimestamp` answer at `timestamp`, written from the reference shape, given each
/// chain's block there, the optimistic outputs and whether the super root is verified.
fn expected_superroot(
    timestamp: u64,
    safe_timestamp: u64,
    local_safe_timestamp: u64,
    optimistic: &[(u64, OutputV0)],
    verified: Option<&[(u64, OutputV0)]>,
) -> Value {
    let zero_id = json!({"hash": B256::ZERO.to_string(), "number": 0});
    let optimistic: serde_json::Map<String, Value> = optimistic
        .iter()
        .map(|(chain, output)| {
            let entry = json!({
                "output": {
                    "stateRoot": output.state_root.to_string(),
                    "messagePasserStorageRoot": output.message_passer_storage_root.to_string(),
                    "blockHash": output.block_hash.to_string(),
                },
                "output_root": output.root().to_string(),
                "required_l1": zero_id,
            });
            (chain.to_string(), entry)
        })
        .collect();
    let mut answer = json!({
        "current_l1": zero_id,
        "safe_timestamp": safe_timestamp,
        "local_safe_timestamp": local_safe_timestamp,
        "finalized_timestamp": 0,
        "chain_ids": ["901", "902"],
        "optimistic_at_timestamp": optimistic,
    });
    if let Some(verified) = verified {
        let outputs: Vec<OutputRootWithChain> = verified
            .iter()
            .map(|(chain, output)| OutputRootWithChain {
                chain_id: U256::from(*chain),
                output_root: output.root(),
            })
            .collect();
        let super_root = SuperV1::new(timestamp, outputs.clone()).unwrap().hash();
        let chains: Vec<Value> = outputs
            .iter()
            .map(|o| json!({"ChainID": o.chain_id.to_string(), "Output": o.output_root.to_string()}))
            .collect();
        answer["data"] = json!({
            "verified_required_l1": zero_id,
            "super": {"timestamp": format!("{timestamp:#x}"), "chains": chains},
            "super_root": super_root.to_string(),
        });
    }
    answer
}

#[tokio::test]
async fn superroot_at_timestamp_has_the_reference_shape_with_data_absent_until_verified() {
    let fixture = Fixture::new().await;
    // 901 is local-safe and cross-safe up to block 4 (timestamp 108), 902 up to block 2 (timestamp 104).
    fixture.label(A, 4, None);
    fixture.label(B, 2, None);
    let module = fixture.module();
    let (a, b) = (fixture.chain(A), fixture.chain(B));

    // At 106 chain 902 has no local-safe block yet: it is left out, and there is no `data` key at all.
    let answer = call(&module, "superroot_atTimestamp", json!(["0x6a"])).await.unwrap();
    assert_eq!(answer, expected_superroot(106, 104, 104, &[(A, a.output(3))], None));
    assert!(answer.get("data").is_none(), "{answer}");

    // At 104 both are cross-safe: `data` holds the super root; the timestamp may be a JSON number too.
    let answer = call(&module, "superroot_atTimestamp", json!([104])).await.unwrap();
    let outputs = [(A, a.output(2)), (B, b.output(2))];
    assert_eq!(answer, expected_superroot(104, 104, 104, &outputs, Some(&outputs)));
    assert_eq!(call(&module, "superroot_atTimestamp", json!(["0x68"])).await.unwrap(), answer);
    // Between blocks, a chain's last block at or before the timestamp counts once its head has passed it.
    let answer = call(&module, "superroot_atTimestamp", json!([103])).await.unwrap();
    let before = [(A, a.output(1)), (B, b.output(1))];
    assert_eq!(answer, expected_superroot(103, 104, 104, &before, Some(&before)));
}

#[tokio::test]
async fn the_legacy_super_root_answers_only_over_cross_safe_blocks() {
    let fixture = Fixture::new().await;
    fixture.label(A, 4, None);
    fixture.label(B, 2, None);
    let module = fixture.module();
    // Every block is indexed and cross-unsafe up to 110, but chain 902 is cross-safe only up to 104.
    for timestamp in [json!("0x6a"), json!(110)] {
        let err = call(&module, "supervisor_superRootAtTimestamp", json!([timestamp])).await.unwrap_err();
        assert_eq!(err.0, ErrorCode::FutureData.code(), "{err:?}");
        assert!(err.1.contains("not found"), "{err:?}");
    }
    let answer = call(&module, "supervisor_superRootAtTimestamp", json!(["0x68"])).await.unwrap();
    let (a, b) = (fixture.chain(A).output(2), fixture.chain(B).output(2));
    let super_root = SuperV1::new(
        104,
        vec![
            OutputRootWithChain { chain_id: U256::from(A), output_root: a.root() },
            OutputRootWithChain { chain_id: U256::from(B), output_root: b.root() },
        ],
    )
    .unwrap()
    .hash();
    let chain = |id: u64, output: OutputV0| {
        json!({
            "chainID": id.to_string(),
            "canonical": output.root().to_string(),
            "pending": alloy_primitives::hex::encode_prefixed(output.encode()),
        })
    };
    // SuperRootResponse: hex `timestamp`, one-byte hex `version`, decimal chain IDs.
    let expected = json!({
        "crossSafeDerivedFrom": {"hash": B256::ZERO.to_string(), "number": 0},
        "timestamp": "0x68",
        "superRoot": super_root.to_string(),
        "version": "0x01",
        "chains": [chain(A, a), chain(B, b)],
    });
    assert_eq!(answer, expected);
    assert_eq!(call(&module, "supervisor_superRootAtTimestamp", json!([104])).await.unwrap(), expected);
}

#[tokio::test]
async fn a_replaced_blocks_optimistic_output_is_the_original_blocks() {
    let fixture = Fixture::new().await;
    let (a, b) = (fixture.chain(A), fixture.chain(B));
    // Block 6 of 902 executes a forged message of 901: it is invalid once local-safe.
    let (id, _) = a.message(3);
    let original = b.push(0, Some((id, keccak256(b"forged"))));
    a.push(0, None);
    fixture.follow().await;
    fixture.label(A, 6, None);
    fixture.label(B, 6, None);
    let invalid = fixture.verifier.read().invalid_blocks();
    assert!(invalid.iter().any(|i| i.chain == B && i.block.hash == original.hash), "{invalid:?}");
    // The server reads the invalid block's output while its chain still serves it.
    remember_invalid_outputs(&fixture.verifier, &fixture.sources).await;
    let original_output = b.output(6);

    // The chain replaces it with a deposits-only block at the same height and timestamp.
    b.reorg_to(5);
    let replacement = b.push_deposits_only(1);
    assert_eq!((replacement.number, replacement.timestamp), (original.number, original.timestamp));
    fixture.follow().await;
    fixture.label(B, 6, None);
    assert_eq!(fixture.verifier.block(B, 6).map(|b| b.hash), Some(replacement.hash));

    let module = fixture.module();
    let answer = call(&module, "superroot_atTimestamp", json!([original.timestamp])).await.unwrap();
    let optimistic = [(A, a.output(6)), (B, original_output)];
    let verified = [(A, a.output(6)), (B, b.output(6))];
    assert_eq!(answer, expected_superroot(112, 112, 112, &optimistic, Some(&verified)));
    assert_ne!(original_output, b.output(6));
}

#[tokio::test]
async fn get_block_hash_by_number_answers_numbers_and_latest_only() {
    let fixture = Fixture::new().await;
    let module = fixture.module();
    let hash = |n| json!(fixture.verifier.block(A, n).unwrap().hash.to_string());
    assert_eq!(call(&module, "interop_getBlockHashByNumber", json!(["901", "0x2"])).await.unwrap(), hash(2));
    assert_eq!(call(&module, "interop_getBlockHashByNumber", json!(["0x385", 3])).await.unwrap(), hash(3));
    assert_eq!(call(&module, "interop_getBlockHashByNumber", json!([901, "latest"])).await.unwrap(), hash(5));
    let err = call(&module, "interop_getBlockHashByNumber", json!(["901", "safe"])).await.unwrap_err();
    assert!(err.1.contains("unsupported block tag"), "{err:?}");
    let err = call(&module, "interop_getBlockHashByNumber", json!(["7", "0x1"])).await.unwrap_err();
    assert!(err.1.contains("unknown chain"), "{err:?}");
    assert_eq!(err.0, ErrorCode::UnknownChain.code());
    let err = call(&module, "interop_getBlockHashByNumber", json!(["901", "0x64"])).await.unwrap_err();
    assert!(err.1.contains("not found"), "{err:?}");
    assert_eq!(call(&module, "admin_getFailsafeEnabled", json!([])).await.unwrap(), json!(false));
}

#[tokio::test]
async fn check_access_list_takes_the_reference_descriptor_under_both_namespaces() {
    let fixture = Fixture::new().await;
    let module = fixture.module();
    let (id, msg_hash) = fixture.chain(A).message(2);
    let keys = json!(access_list_keys(&id, msg_hash));
    let forged = json!(access_list_keys(&id, keccak256(b"forged")));
    for method in ["interop_checkAccessList", "supervisor_checkAccessList"] {
        // As op-reth sends it: hex chainID, timestamp and timeout.
        let descriptor = json!({"chainID": "0x386", "timestamp": "0x6e", "timeout": "0x2"});
        assert_eq!(
            call(&module, method, json!([keys, "cross-unsafe", descriptor])).await.unwrap(),
            Value::Null
        );
        // The timeout is optional and the chain ID may be decimal.
        let descriptor = json!({"chainID": "902", "timestamp": "0x6e"});
        assert_eq!(call(&module, method, json!([keys, "unsafe", descriptor])).await.unwrap(), Value::Null);
        let err = call(&module, method, json!([forged, "unsafe", descriptor])).await.unwrap_err();
        assert_eq!(err.0, ErrorCode::ConflictingData.code(), "{err:?}");
        // The executing chain is required, and an unknown key is an error rather than ignored.
        let err = call(&module, method, json!([keys, "unsafe", {"timestamp": "0x6e"}])).await.unwrap_err();
        assert_eq!(err.0, -32602, "{err:?}");
        assert!(err.1.contains("chainID"), "{err:?}");
        let typo = json!({"chainID": "0x386", "timestamp": "0x6e", "timeOut": "0x2"});
        let err = call(&module, method, json!([keys, "unsafe", typo])).await.unwrap_err();
        assert_eq!(err.0, -32602, "{err:?}");
        // An executing chain outside the dependency set.
        let outsider = json!({"chainID": "0x7", "timestamp": "0x6e"});
        let err = call(&module, method, json!([keys, "unsafe", outsider])).await.unwrap_err();
        assert_eq!(err.0, ErrorCode::UnknownChain.code(), "{err:?}");
    }
}

#[tokio::test]
async fn the_remote_checker_calls_interop_check_access_list_and_maps_the_codes_back() {
    let fixture = Fixture::new().await;
    let (server, addr) =
        serve(fixture.verifier.clone(), fixture.sources.clone(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
    let remote = RemoteChecker::new(&format!("http://{addr}")).unwrap();
    let (id, msg_hash) = fixture.chain(A).message(2);
    let descriptor = ExecutingDescriptor { timestamp: 110, timeout: Some(2), chain_id: U256::from(B) };
    let check = |keys: Vec<B256>, level, descriptor| {
        let remote = remote.clone();
        async move { remote.check_access_list(&keys, level, descriptor).await }
    };
    check(access_list_keys(&id, msg_hash), SafetyLevel::CrossUnsafe, descriptor).await.unwrap();
    let err = check(access_list_keys(&id, keccak256(b"forged")), SafetyLevel::Unsafe, descriptor)
        .await
        .unwrap_err();
    assert!(matches!(err, CheckError::Refused { code: ErrorCode::ConflictingData, .. }), "{err:?}");
    assert!(err.is_invalid());
    let err = check(access_list_keys(&id, msg_hash), SafetyLevel::Safe, descriptor).await.unwrap_err();
    assert!(matches!(err, CheckError::Refused { code: ErrorCode::FutureData, .. }), "{err:?}");
    assert!(!err.is_invalid());
    let outsider = ExecutingDescriptor { chain_id: U256::from(7), ..descriptor };
    let err = check(access_list_keys(&id, msg_hash), SafetyLevel::Unsafe, outsider).await.unwrap_err();
    assert!(matches!(err, CheckError::Refused { code: ErrorCode::UnknownChain, .. }), "{err:?}");
    let err = check(access_list_keys(&id, msg_hash)[1..].to_vec(), SafetyLevel::Unsafe, descriptor)
        .await
        .unwrap_err();
    assert!(matches!(err, CheckError::InvalidRequest(_)), "{err:?}");
    // The method the remote checker calls is the one op-reth calls.
    let client = HttpClientBuilder::default().build(format!("http://{addr}")).unwrap();
    let params = rpc_params![
        access_list_keys(&id, msg_hash),
        "cross-unsafe",
        json!({"chainID": "0x386", "timestamp": "0x6e"})
    ];
    let answer: Result<Value, ClientError> = client.request("interop_checkAccessList", params).await;
    assert_eq!(answer.unwrap(), Value::Null);
    server.stop().unwrap();
}

#[tokio::test]
async fn extra_methods_are_served_next_to_the_verifiers_and_a_name_clash_is_refused() {
    let fixture = Fixture::new().await;
    let addr = "127.0.0.1:0".parse().unwrap();
    let mut extra = RpcModule::new(());
    extra.register_method("devnet_ping", |_, _, _| "pong").unwrap();
    let (server, bound) =
        serve_with_extra(fixture.verifier.clone(), fixture.sources.clone(), addr, None, Some(extra))
            .await
            .unwrap();
    let client = HttpClientBuilder::default().build(format!("http://{bound}")).unwrap();
    let pong: String = client.request("devnet_ping", rpc_params![]).await.unwrap();
    assert_eq!(pong, "pong");
    let failsafe: bool = client.request("admin_getFailsafeEnabled", rpc_params![]).await.unwrap();
    assert!(!failsafe);
    server.stop().unwrap();

    let mut clash = RpcModule::new(());
    clash.register_method("devnet_ping", |_, _, _| "pong").unwrap();
    clash.register_method("supervisor_syncStatus", |_, _, _| "shadowed").unwrap();
    let err = serve_with_extra(fixture.verifier.clone(), fixture.sources.clone(), addr, None, Some(clash))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, VerifierError::MethodClash { method } if method == "supervisor_syncStatus"),
        "{err:?}"
    );
}

/// L1 block `n` of the test's L1 chain.
fn l1_block(n: u64) -> BlockRef {
    let hash = |n: u64| keccak256([b"l1".as_slice(), &n.to_be_bytes()].concat());
    BlockRef { hash: hash(n), number: n, parent_hash: hash(n.wrapping_sub(1)), timestamp: 1_000 + 12 * n }
}

#[tokio::test]
async fn derivation_data_fills_the_l1_fields_of_every_answer() {
    let fixture = Fixture::new().await;
    // A's blocks 0..=2 come from L1 block 20 and 3..=5 from 21; B's 0..=5 from 20.
    fixture.verifier.record_derived(A, l1_block(20), Some(2)).unwrap();
    fixture.verifier.record_derived(B, l1_block(20), Some(5)).unwrap();
    fixture.verifier.record_derived(A, l1_block(21), Some(5)).unwrap();
    fixture.verifier.set_finalized_l1(l1_block(20)).unwrap();
    let module = fixture.module();
    let block = |chain: u64, n: u64| fixture.verifier.block(chain, n).unwrap();

    let pair = call(&module, "supervisor_localSafe", json!(["901"])).await.unwrap();
    assert_block_id(&pair["source"], l1_block(21).hash, 21);
    assert_block_id(&pair["derived"], block(A, 5).hash, 5);
    let pair = call(&module, "supervisor_crossSafe", json!(["902"])).await.unwrap();
    assert_block_id(&pair["source"], l1_block(20).hash, 20);
    let source = call(
        &module,
        "supervisor_crossDerivedToSource",
        json!(["901", {"hash": block(A, 2).hash, "number": 2}]),
    )
    .await
    .unwrap();
    assert_eq!(source["number"], json!(20), "{source}");
    assert_eq!(source["hash"], json!(l1_block(20).hash));
    let err =
        call(&module, "supervisor_crossDerivedToSource", json!(["901", {"hash": B256::ZERO, "number": 2}]))
            .await
            .unwrap_err();
    assert_eq!(err.0, ErrorCode::ConflictingData.code(), "{err:?}");

    // Every chain has processed L1 block 20; only A has processed 21.
    let status = call(&module, "supervisor_syncStatus", json!([])).await.unwrap();
    assert_eq!(status["minSyncedL1"]["number"], json!(20), "{status}");
    assert_eq!(status["chains"]["901"]["finalized"]["number"], json!(2));
    let all =
        call(&module, "supervisor_allSafeDerivedAt", json!([{"hash": l1_block(20).hash, "number": 20}]))
            .await
            .unwrap();
    assert_keys(&all, &["901", "902"]);
    assert_block_id(&all["901"], block(A, 2).hash, 2);
    assert_block_id(&all["902"], block(B, 5).hash, 5);
    let err =
        call(&module, "supervisor_allSafeDerivedAt", json!([{"hash": l1_block(21).hash, "number": 21}]))
            .await
            .unwrap_err();
    assert_eq!(err.0, ErrorCode::FutureData.code(), "{err:?}");
    // One chain's local-safe head as derived at an L1 block.
    let at = |n: u64| json!(["901", {"hash": l1_block(n).hash, "number": n}]);
    let derived = call(&module, "supervisor_localSafeDerivedAt", at(20)).await.unwrap();
    assert_block_id(&derived, block(A, 2).hash, 2);
    let derived = call(&module, "supervisor_localSafeDerivedAt", at(21)).await.unwrap();
    assert_block_id(&derived, block(A, 5).hash, 5);
    let err = call(&module, "supervisor_localSafeDerivedAt", at(22)).await.unwrap_err();
    assert_eq!(err.0, ErrorCode::FutureData.code(), "{err:?}");
    let other_branch = json!(["901", {"hash": B256::repeat_byte(7), "number": 21}]);
    let err = call(&module, "supervisor_localSafeDerivedAt", other_branch).await.unwrap_err();
    assert_eq!(err.0, ErrorCode::ConflictingData.code(), "{err:?}");
    let finalized_l1 = call(&module, "supervisor_finalizedL1", json!([])).await.unwrap();
    assert_eq!(finalized_l1["number"], json!(20));

    let root = call(&module, "superroot_atTimestamp", json!([104])).await.unwrap();
    assert_eq!(root["current_l1"]["number"], json!(20), "{root}");
    assert_eq!(root["optimistic_at_timestamp"]["901"]["required_l1"]["number"], json!(20));
    assert_eq!(root["data"]["verified_required_l1"]["number"], json!(20));
    let root = call(&module, "superroot_atTimestamp", json!([108])).await.unwrap();
    assert_eq!(root["optimistic_at_timestamp"]["901"]["required_l1"]["number"], json!(21), "{root}");
    assert_eq!(root["data"]["verified_required_l1"]["number"], json!(21));
    let legacy = call(&module, "supervisor_superRootAtTimestamp", json!(["0x6c"])).await.unwrap();
    assert_eq!(legacy["crossSafeDerivedFrom"]["number"], json!(21), "{legacy}");
}

/// A rollup node held in memory: its status, and the safe head recorded per L1 block.
struct MemoryRollup {
    chain: u64,
    status: Mutex<RollupStatus>,
    safe_heads: Mutex<BTreeMap<u64, u64>>,
}

impl MemoryRollup {
    /// The rollup node of `chain` has processed L1 blocks up to `current` (safe heads per L1 block as given)
    /// and sees L1 block `finalized` finalized.
    fn at(&self, current: BlockRef, finalized: Option<BlockRef>, safe_heads: &[(u64, u64)]) {
        let mut heads = self.safe_heads.lock().unwrap();
        heads.extend(safe_heads.iter().copied());
        let safe = heads.range(..=current.number).next_back().map_or(0, |(_, l2)| *l2);
        *self.status.lock().unwrap() = RollupStatus {
            current_l1: current,
            finalized_l1: finalized.unwrap_or_default(),
            safe_l2: BlockRef { number: safe, ..BlockRef::default() },
        };
    }
}

impl DerivationSource for MemoryRollup {
    fn chain_id(&self) -> u64 {
        self.chain
    }

    async fn status(&self) -> Result<RollupStatus, SourceError> {
        Ok(*self.status.lock().unwrap())
    }

    async fn safe_head_at(&self, l1_number: u64) -> Result<Option<(BlockId, BlockId)>, SourceError> {
        let heads = self.safe_heads.lock().unwrap();
        Ok(heads.range(..=l1_number).next_back().map(|(l1, l2)| {
            (BlockId { hash: l1_block(*l1).hash, number: *l1 }, BlockId { hash: B256::ZERO, number: *l2 })
        }))
    }
}

#[tokio::test]
async fn a_rollup_node_s_derivation_drives_local_safe_finality_and_l1_reorgs() {
    let fixture = Fixture::new().await;
    let rollup = |chain| MemoryRollup {
        chain,
        status: Mutex::new(RollupStatus {
            current_l1: BlockRef::default(),
            finalized_l1: BlockRef::default(),
            safe_l2: BlockRef::default(),
        }),
        safe_heads: Mutex::new(BTreeMap::new()),
    };
    let (a, b) = (rollup(A), rollup(B));
    a.at(l1_block(10), None, &[(10, 1)]);
    b.at(l1_block(10), None, &[(10, 5)]);
    for source in [&a, &b] {
        follow_derivation_once(&fixture.verifier, source).await.unwrap();
    }
    // Three L1 blocks later: one record per L1 block, so each block's own source is known.
    a.at(l1_block(13), Some(l1_block(11)), &[(11, 2), (12, 4), (13, 5)]);
    b.at(l1_block(13), Some(l1_block(11)), &[]);
    for source in [&a, &b] {
        follow_derivation_once(&fixture.verifier, source).await.unwrap();
    }
    {
        let state = fixture.verifier.read();
        assert_eq!(
            state.derived_from(A, 2),
            Some(BlockRef { hash: l1_block(11).hash, number: 11, ..BlockRef::default() })
        );
        assert_eq!(state.derived_from(A, 4).map(|l1| l1.number), Some(12));
        assert_eq!(state.derived_from(A, 5), Some(l1_block(13)));
        assert_eq!(
            state.heads(A).unwrap().finalized.map(|b| b.number),
            Some(2),
            "derived from L1 11 or earlier"
        );
        assert_eq!(state.finalized_l1(), Some(l1_block(11)));
    }

    // The L1 reorgs below block 13: the rollup node is back at L1 block 12 on another branch.
    let fork = BlockRef { hash: keccak256(b"fork 12"), ..l1_block(12) };
    *a.status.lock().unwrap() = RollupStatus {
        current_l1: fork,
        finalized_l1: l1_block(11),
        safe_l2: BlockRef { number: 3, ..BlockRef::default() },
    };
    follow_derivation_once(&fixture.verifier, &a).await.unwrap();
    let state = fixture.verifier.read();
    assert_eq!(state.heads(A).unwrap().local_safe.map(|b| b.number), Some(3));
    assert_eq!(state.derived_from(A, 3), Some(fork));
    assert_eq!(state.derived_from(A, 2).map(|l1| l1.number), Some(11));
}

/// A rollup node served over HTTP with op-node's JSON shapes: `optimism_syncStatus` at L1 block 21 (safe L2 head
/// 4, finalized L1 20), and safe-head records for L1 blocks 20 (head 2) and 21 (head 4); any other L1 block is an
/// error, as op-node answers when it has no record.
async fn serve_rollup_node() -> (jsonrpsee::server::ServerHandle, std::net::SocketAddr) {
    let block_ref = |b: BlockRef| json!({"hash": b.hash, "number": b.number, "parentHash": b.parent_hash, "timestamp": b.timestamp});
    let status = json!({
        "current_l1": block_ref(l1_block(21)),
        "current_l1_finalized": block_ref(l1_block(20)),
        "head_l1": block_ref(l1_block(21)),
        "safe_l1": block_ref(l1_block(21)),
        "finalized_l1": block_ref(l1_block(20)),
        "unsafe_l2": {"hash": B256::ZERO, "number": 5, "parentHash": B256::ZERO, "timestamp": 110,
            "l1origin": {"hash": B256::ZERO, "number": 21}, "sequenceNumber": 0},
        "safe_l2": {"hash": B256::ZERO, "number": 4, "parentHash": B256::ZERO, "timestamp": 108,
            "l1origin": {"hash": B256::ZERO, "number": 21}, "sequenceNumber": 0},
        "finalized_l2": {"hash": B256::ZERO, "number": 0, "parentHash": B256::ZERO, "timestamp": 100,
            "l1origin": {"hash": B256::ZERO, "number": 20}, "sequenceNumber": 0},
    });
    let mut module = RpcModule::new(());
    module.register_method("optimism_syncStatus", move |_, _, _| status.clone()).unwrap();
    module
        .register_method("optimism_safeHeadAtL1Block", |params, _, _| {
            let (number,): (String,) = params.parse()?;
            let heads = [(20u64, 2u64), (21, 4)];
            let number = u64::from_str_radix(number.trim_start_matches("0x"), 16).unwrap_or(u64::MAX);
            match heads.iter().find(|(l1, _)| *l1 == number) {
                Some((l1, l2)) => Ok(json!({
                    "l1Block": {"hash": l1_block(*l1).hash, "number": l1},
                    "safeHead": {"hash": B256::ZERO, "number": l2},
                })),
                None => Err(jsonrpsee::types::ErrorObjectOwned::owned(-32000, "not found", None::<()>)),
            }
        })
        .unwrap();
    let server = jsonrpsee::server::Server::builder().build("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr().unwrap();
    (server.start(module), addr)
}

#[tokio::test]
async fn a_rollup_node_is_followed_over_its_json_rpc() {
    let fixture = Fixture::new().await;
    let (handle, addr) = serve_rollup_node().await;
    let source = superlink_verifier::RollupRpcSource::new(
        A,
        &format!("http://{addr}"),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    // A record the rollup node lacks is no failure; the status drives local-safe, its source and finality.
    assert_eq!(source.safe_head_at(19).await.unwrap(), None, "no record is an answer, not a failure");
    follow_derivation_once(&fixture.verifier, &source).await.unwrap();
    {
        let state = fixture.verifier.read();
        assert_eq!(state.heads(A).unwrap().local_safe.map(|b| b.number), Some(4));
        assert_eq!(state.derived_from(A, 4), Some(l1_block(21)));
        assert_eq!(state.finalized_l1(), Some(l1_block(20)));
    }
    handle.stop().unwrap();
    handle.stopped().await;
    let err = source.status().await.unwrap_err();
    assert!(matches!(err, SourceError::Rpc { method: "optimism_syncStatus", .. }), "{err}");
}
