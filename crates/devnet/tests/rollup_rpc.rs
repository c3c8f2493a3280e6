//! A devnet L2's rollup-node RPC over HTTP, read as op-node's clients read it: `optimism_syncStatus`,
//! `optimism_outputAtBlock`, `optimism_safeHeadAtL1Block`, `optimism_rollupConfig` and `optimism_version` with
//! op-node's key names and number encodings, the values a user or an OP Stack tool checks, and errors for what the
//! node does not have. The verifier's rollup-node client reads the same derivation from the server as the
//! in-process source reads from the log, and the embedded verifier follows the log through an L1 reorg.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use alloy_eips::BlockId as EthBlockId;
use alloy_primitives::{Address, B256, U256, keccak256};
use jsonrpsee::{
    core::{ClientError, client::ClientT},
    http_client::{HttpClient, HttpClientBuilder},
    server::ServerHandle,
};
use serde_json::{Value, json};
use superlink_chain::{Chain, ChainConfig, L1Attributes, StoredBlock};
use superlink_devnet::{
    genesis::l2_genesis,
    rollup_log::{RollupLog, RollupParams, RollupState},
    rollup_rpc::{ROLLUP_RPC_VERSION, serve_rollup_rpc},
    rollup_source::InProcessDerivation,
    source::InProcessSource,
};
use superlink_node::ChainService;
use superlink_protocol::{DependencySet, predeploys::L2_TO_L1_MESSAGE_PASSER};
use superlink_verifier::{
    BlockId, BlockRef, DerivationSource, FollowConfig, RollupRpcSource, Round, Verifier,
    follow_derivation_once, follow_once,
};

const CHAIN: u64 = 901;
const GENESIS_TIME: u64 = 1_000;

/// L1 block `n` of `branch`; the L2 starts after block 10.
fn l1_on(branch: &str, n: u64) -> BlockRef {
    let hash = |n: u64| keccak256([branch.as_bytes(), &n.to_be_bytes()].concat());
    BlockRef { hash: hash(n), number: n, parent_hash: hash(n.wrapping_sub(1)), timestamp: 880 + 12 * n }
}

fn l1(n: u64) -> BlockRef {
    l1_on("l1", n)
}

/// A served L2 with blocks 1..=8 on L1 origins 11, 11, 12, 12, 13, 13, 14, 14; its derivation read L1 blocks
/// 11..=13 (local-safe heads 2, 4, 6), sees L1 head 15 and L1 block `finalized` finalized; the embedded verifier
/// followed the chain and the derivation.
struct Fixture {
    _dir: tempfile::TempDir,
    verifier: Verifier,
    service: Arc<ChainService>,
    log: RollupLog,
    server: ServerHandle,
    url: String,
    client: HttpClient,
}

impl Fixture {
    async fn new(finalized: u64) -> Self {
        let mut chain = Chain::new(&l2_genesis(CHAIN, GENESIS_TIME, &[], 1), ChainConfig::default());
        for number in 1..=8u64 {
            let origin = l1(11 + (number - 1) / 2);
            chain.set_l1_origin(L1Attributes {
                number: origin.number,
                hash: origin.hash,
                timestamp: origin.timestamp,
                ..L1Attributes::default()
            });
            chain.mine(GENESIS_TIME + 2 * number).unwrap();
        }
        let service = Arc::new(ChainService::new(chain).with_automine(false));
        let dir = tempfile::tempdir().unwrap();
        let deps = DependencySet::new([U256::from(CHAIN)]).unwrap();
        let verifier = Verifier::open(deps, dir.path(), &BTreeMap::new()).unwrap();
        let source = InProcessSource::new(CHAIN, service.clone());
        while follow_once(&verifier, &source, &FollowConfig::default())
            .await
            .map_err(|e| format!("{e:?}"))
            .unwrap()
            != Round::AtHead
        {}

        let params = RollupParams {
            l2_chain_id: CHAIN,
            l1_chain_id: 900,
            genesis_l1: l1(10).id(),
            genesis_l2: id(&service, 0),
            genesis_time: GENESIS_TIME,
            block_time: 2,
            sequencing_window: 8,
            channel_timeout: 50,
            max_sequencer_drift: 1800,
            batch_inbox: Address::repeat_byte(0xff),
            batcher: Address::repeat_byte(0xba),
            deposit_contract: Address::repeat_byte(0xde),
        };
        let log = RollupLog::new(RollupState::new(params, l1(10)));
        let derivation = InProcessDerivation::new(log.clone());
        for (l1_number, safe) in [(11, 2), (12, 4), (13, 6)] {
            log.write().push(l1(l1_number), id(&service, safe));
            follow_derivation_once(&verifier, &derivation).await.unwrap();
        }
        {
            let mut state = log.write();
            state.head_l1 = l1(15);
            state.finalize_l1(l1(finalized));
        }
        follow_derivation_once(&verifier, &derivation).await.unwrap();

        let (server, addr) =
            serve_rollup_rpc("127.0.0.1:0".parse().unwrap(), log.clone(), service.clone(), verifier.clone())
                .await
                .unwrap();
        let url = format!("http://{addr}");
        let client = HttpClientBuilder::default().build(&url).unwrap();
        Self { _dir: dir, verifier, service, log, server, url, client }
    }

    async fn call(&self, method: &str, params: Vec<Value>) -> Result<Value, (i32, String)> {
        let mut builder = jsonrpsee::core::params::ArrayParams::new();
        for param in params {
            builder.insert(param).unwrap();
        }
        self.client.request::<Value, _>(method, builder).await.map_err(|e| match e {
            ClientError::Call(error) => (error.code(), error.message().to_string()),
            other => panic!("{method}: not a JSON-RPC error: {other}"),
        })
    }

    fn block(&self, number: u64) -> Arc<StoredBlock> {
        self.service.read().block_by_number(number).unwrap()
    }
}

fn id(service: &ChainService, number: u64) -> BlockId {
    let block = service.read().block_by_number(number).unwrap();
    BlockId::new(number, block.hash())
}

/// Asserts that `value` is an object with exactly `keys`.
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

/// `eth.BlockID`: `{hash, number}` with the number a JSON number.
fn assert_block_id(value: &Value, hash: B256, number: u64) {
    assert_keys(value, &["hash", "number"]);
    assert_eq!(value["hash"], json!(hash), "{value}");
    assert_eq!(value["number"], json!(number), "{value}");
}

/// `eth.L1BlockRef`: `{hash, number, parentHash, timestamp}`, numbers as JSON numbers.
fn assert_l1_ref(value: &Value, block: BlockRef) {
    assert_keys(value, &["hash", "number", "parentHash", "timestamp"]);
    assert_eq!(value["hash"], json!(block.hash), "{value}");
    assert_eq!(value["number"], json!(block.number), "{value}");
    assert_eq!(value["parentHash"], json!(block.parent_hash), "{value}");
    assert_eq!(value["timestamp"], json!(block.timestamp), "{value}");
}

/// `eth.L2BlockRef` of a stored block: the L1 reference fields plus `l1origin` and `sequenceNumber`.
fn assert_l2_ref(value: &Value, block: &StoredBlock, genesis_l1: BlockRef) {
    assert_keys(value, &["hash", "number", "parentHash", "timestamp", "l1origin", "sequenceNumber"]);
    assert_eq!(value["hash"], json!(block.hash()), "{value}");
    assert_eq!(value["number"], json!(block.number()), "{value}");
    assert_eq!(value["parentHash"], json!(block.header.parent_hash), "{value}");
    assert_eq!(value["timestamp"], json!(block.timestamp()), "{value}");
    match &block.attributes {
        Some(attributes) => {
            assert_block_id(&value["l1origin"], attributes.l1.hash, attributes.l1.number);
            assert_eq!(value["sequenceNumber"], json!(attributes.sequence_number), "{value}");
        }
        None => {
            assert_block_id(&value["l1origin"], genesis_l1.hash, genesis_l1.number);
            assert_eq!(value["sequenceNumber"], json!(0), "{value}");
        }
    }
}

const SYNC_STATUS_KEYS: [&str; 11] = [
    "current_l1",
    "current_l1_finalized",
    "head_l1",
    "safe_l1",
    "finalized_l1",
    "unsafe_l2",
    "cross_unsafe_l2",
    "local_safe_l2",
    "safe_l2",
    "finalized_l2",
    "pending_safe_l2",
];

#[tokio::test]
async fn the_sync_status_has_op_node_s_shape_with_the_log_s_l1_and_the_verifier_s_l2_heads() {
    let fixture = Fixture::new(12).await;
    let status = fixture.call("optimism_syncStatus", vec![]).await.unwrap();
    assert_keys(&status, &SYNC_STATUS_KEYS);
    assert_l1_ref(&status["current_l1"], l1(13));
    assert_l1_ref(&status["current_l1_finalized"], l1(12));
    assert_l1_ref(&status["head_l1"], l1(15));
    assert_l1_ref(&status["safe_l1"], l1(12));
    assert_l1_ref(&status["finalized_l1"], l1(12));
    let genesis_l1 = l1(10);
    // The chain's head; everything followed by the verifier is cross-unsafe; derivation reached block 6, which
    // is cross-safe too (no interop message waits on another chain); the L1 finalized block 12 derived block 4.
    for (key, number) in [
        ("unsafe_l2", 8),
        ("cross_unsafe_l2", 8),
        ("local_safe_l2", 6),
        ("pending_safe_l2", 6),
        ("safe_l2", 6),
        ("finalized_l2", 4),
    ] {
        assert_l2_ref(&status[key], &fixture.block(number), genesis_l1);
    }
    let heads = fixture.verifier.heads(CHAIN).unwrap();
    assert_eq!(status["safe_l2"]["hash"], json!(heads.cross_safe.unwrap().hash));
    assert_eq!(status["finalized_l2"]["hash"], json!(heads.finalized.unwrap().hash));
    // Blocks of one L1 origin count up within its epoch.
    assert_eq!(status["unsafe_l2"]["l1origin"]["number"], json!(14));
    assert_eq!(status["unsafe_l2"]["sequenceNumber"], json!(1));
    fixture.server.stop().unwrap();
}

#[tokio::test]
async fn an_output_commits_to_the_block_s_state_message_passer_storage_and_hash() {
    let fixture = Fixture::new(12).await;
    let output = fixture.call("optimism_outputAtBlock", vec![json!("0x5")]).await.unwrap();
    assert_keys(
        &output,
        &["version", "outputRoot", "blockRef", "withdrawalStorageRoot", "stateRoot", "syncStatus"],
    );
    let block = fixture.block(5);
    assert_eq!(output["version"], json!(B256::ZERO));
    assert_eq!(output["stateRoot"], json!(block.header.state_root));
    // The message passer's storage root, as eth_getProof reports it.
    let proof = fixture.service.read().proof(L2_TO_L1_MESSAGE_PASSER, &[], EthBlockId::number(5)).unwrap();
    assert_eq!(output["withdrawalStorageRoot"], json!(proof.storage_hash));
    let preimage = [
        B256::ZERO.as_slice(),
        block.header.state_root.as_slice(),
        proof.storage_hash.as_slice(),
        block.hash().as_slice(),
    ]
    .concat();
    assert_eq!(output["outputRoot"], json!(keccak256(preimage)));
    assert_l2_ref(&output["blockRef"], &block, l1(10));
    assert_keys(&output["syncStatus"], &SYNC_STATUS_KEYS);
    assert_eq!(output["syncStatus"]["local_safe_l2"]["number"], json!(6));

    // Genesis has an output too, with the rollup's genesis L1 block as origin.
    let genesis = fixture.call("optimism_outputAtBlock", vec![json!("0x0")]).await.unwrap();
    assert_l2_ref(&genesis["blockRef"], &fixture.block(0), l1(10));
    assert_ne!(genesis["outputRoot"], output["outputRoot"]);
    fixture.server.stop().unwrap();
}

#[tokio::test]
async fn unknown_blocks_and_malformed_parameters_are_json_rpc_errors() {
    let fixture = Fixture::new(12).await;
    let (code, message) = fixture.call("optimism_outputAtBlock", vec![json!("0x63")]).await.unwrap_err();
    assert_eq!(code, -32000);
    assert!(message.contains("not found") && message.contains("99"), "{message}");
    for params in [vec![], vec![json!("5")], vec![json!(5)], vec![json!("0xzz")], vec![json!(null)]] {
        let (code, message) =
            fixture.call("optimism_outputAtBlock", params.clone()).await.expect_err(&format!("{params:?}"));
        assert_eq!(code, -32602, "{params:?}: {message}");
        assert!(message.contains("L2 block number"), "{message}");
        let (code, _) = fixture.call("optimism_safeHeadAtL1Block", params.clone()).await.unwrap_err();
        assert_eq!(code, -32602, "{params:?}");
    }
    // The server keeps answering.
    assert!(fixture.call("optimism_syncStatus", vec![]).await.is_ok());
    fixture.server.stop().unwrap();
}

#[tokio::test]
async fn the_safe_head_at_an_l1_block_is_the_record_of_the_highest_l1_block_read_at_or_below_it() {
    let fixture = Fixture::new(12).await;
    let answer = fixture.call("optimism_safeHeadAtL1Block", vec![json!("0xc")]).await.unwrap();
    assert_keys(&answer, &["l1Block", "safeHead"]);
    assert_block_id(&answer["l1Block"], l1(12).hash, 12);
    assert_block_id(&answer["safeHead"], fixture.block(4).hash(), 4);
    let genesis = fixture.call("optimism_safeHeadAtL1Block", vec![json!("0xa")]).await.unwrap();
    assert_block_id(&genesis["l1Block"], l1(10).hash, 10);
    assert_block_id(&genesis["safeHead"], fixture.block(0).hash(), 0);
    // Below the first record, and above the last L1 block read: op-node's "not found".
    for number in ["0x9", "0xe"] {
        let (code, message) =
            fixture.call("optimism_safeHeadAtL1Block", vec![json!(number)]).await.unwrap_err();
        assert_eq!(code, -32000, "{number}");
        assert!(message.contains("not found"), "{message}");
    }
    fixture.server.stop().unwrap();
}

#[tokio::test]
async fn the_rollup_config_is_op_node_s_rollup_json_of_the_chain() {
    let fixture = Fixture::new(12).await;
    let config = fixture.call("optimism_rollupConfig", vec![]).await.unwrap();
    let forks = [
        "regolith_time",
        "canyon_time",
        "delta_time",
        "ecotone_time",
        "fjord_time",
        "granite_time",
        "holocene_time",
        "isthmus_time",
        "interop_time",
    ];
    let mut keys = vec![
        "genesis",
        "block_time",
        "max_sequencer_drift",
        "seq_window_size",
        "channel_timeout",
        "l1_chain_id",
        "l2_chain_id",
        "batch_inbox_address",
        "deposit_contract_address",
        "l1_system_config_address",
        "chain_op_config",
    ];
    keys.extend(forks);
    assert_keys(&config, &keys);
    for fork in forks {
        assert_eq!(config[fork], json!(0), "{fork}");
    }
    let genesis = &config["genesis"];
    assert_keys(genesis, &["l1", "l2", "l2_time", "system_config"]);
    assert_block_id(&genesis["l1"], l1(10).hash, 10);
    assert_block_id(&genesis["l2"], fixture.block(0).hash(), 0);
    assert_eq!(genesis["l2_time"], json!(GENESIS_TIME));
    let system = &genesis["system_config"];
    assert_keys(
        system,
        &["batcherAddr", "overhead", "scalar", "gasLimit", "eip1559Params", "operatorFeeParams"],
    );
    assert_eq!(system["batcherAddr"], json!(Address::repeat_byte(0xba)));
    assert_eq!(system["gasLimit"], json!(fixture.service.read().gas_limit()));
    assert_eq!(system["eip1559Params"], json!("0x0000003200000006"));
    assert_eq!(config["chain_op_config"]["eip1559Elasticity"], json!(6));
    assert_eq!(config["chain_op_config"]["eip1559Denominator"], json!(50));
    for (key, value) in [
        ("block_time", 2),
        ("max_sequencer_drift", 1800),
        ("seq_window_size", 8),
        ("channel_timeout", 50),
        ("l1_chain_id", 900),
        ("l2_chain_id", 901),
    ] {
        assert_eq!(config[key], json!(value), "{key}");
    }
    assert_eq!(config["batch_inbox_address"], json!(Address::repeat_byte(0xff)));
    assert_eq!(config["deposit_contract_address"], json!(Address::repeat_byte(0xde)));

    let version = fixture.call("optimism_version", vec![]).await.unwrap();
    assert_eq!(version, json!(ROLLUP_RPC_VERSION));
    fixture.server.stop().unwrap();
}

#[tokio::test]
async fn the_rollup_node_client_reads_from_the_server_what_the_in_process_source_reads_from_the_log() {
    let fixture = Fixture::new(12).await;
    let remote = RollupRpcSource::new(CHAIN, &fixture.url, Duration::from_secs(5)).unwrap();
    let local = InProcessDerivation::new(fixture.log.clone());
    assert_eq!(remote.chain_id(), local.chain_id());
    let status = local.status().await.unwrap();
    assert_eq!(remote.status().await.unwrap(), status);
    assert_eq!((status.current_l1, status.finalized_l1), (l1(13), l1(12)));
    assert_eq!(status.safe_l2.hash, fixture.block(6).hash());
    for l1_number in 8..=16 {
        assert_eq!(
            remote.safe_head_at(l1_number).await.unwrap(),
            local.safe_head_at(l1_number).await.unwrap(),
            "L1 block {l1_number}"
        );
    }
    assert_eq!(local.safe_head_at(12).await.unwrap(), Some((l1(12).id(), id(&fixture.service, 4))));
    fixture.server.stop().unwrap();
}

#[tokio::test]
async fn the_embedded_verifier_follows_the_log_through_an_l1_reorg() {
    let fixture = Fixture::new(11).await;
    assert_eq!(fixture.verifier.heads(CHAIN).unwrap().finalized.map(|b| b.number), Some(2));
    // L1 blocks 12 and 13 are replaced by a branch forked after 11, from which derivation reads less.
    let fork = |n: u64| {
        let block = l1_on("fork", n);
        if n == 12 { BlockRef { parent_hash: l1(11).hash, ..block } } else { block }
    };
    {
        let mut state = fixture.log.write();
        state.rewind_l1(11);
        state.push(fork(12), id(&fixture.service, 3));
        state.push(fork(13), id(&fixture.service, 5));
    }
    follow_derivation_once(&fixture.verifier, &InProcessDerivation::new(fixture.log.clone())).await.unwrap();
    {
        let state = fixture.verifier.read();
        assert_eq!(state.derived_from(CHAIN, 2).map(|l1| l1.hash), Some(l1(11).hash));
        assert_eq!(state.derived_from(CHAIN, 3).map(|l1| l1.hash), Some(fork(12).hash));
        assert_eq!(state.derived_from(CHAIN, 5).map(|l1| l1.hash), Some(fork(13).hash));
        assert_eq!(state.derived_from(CHAIN, 6), None, "block 6 is not derived on the new branch");
    }

    let status = fixture.call("optimism_syncStatus", vec![]).await.unwrap();
    assert_l1_ref(&status["current_l1"], fork(13));
    assert_eq!(status["local_safe_l2"]["number"], json!(5));
    assert_eq!(status["safe_l2"]["number"], json!(5), "cross-safe went back with local-safe");
    assert_eq!(status["finalized_l2"]["number"], json!(2));
    let record = fixture.call("optimism_safeHeadAtL1Block", vec![json!("0xc")]).await.unwrap();
    assert_block_id(&record["l1Block"], fork(12).hash, 12);
    assert_block_id(&record["safeHead"], fixture.block(3).hash(), 3);
    fixture.server.stop().unwrap();
}
