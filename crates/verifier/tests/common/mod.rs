//! Shared helpers of the verifier's black-box tests: chains with the CrossL2Inbox predeploy and a log emitter
//! (anvil nodes, or superlink's own chain served over JSON-RPC), sending messages with cast, and a verifier
//! service running in-process.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    path::Path,
    time::{Duration, Instant},
};

pub mod scenarios;

use alloy_primitives::{Address, B256, U256, keccak256};
use jsonrpsee::{
    core::{ClientError, client::ClientT},
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
};
use serde_json::Value;
use superlink_protocol::{DependencySet, Identifier, access_list_keys, predeploys::CROSS_L2_INBOX};
use superlink_testkit::{Anvil, Cast, free_port};
use superlink_verifier::{VerifierConfig, run};
use tokio::{sync::oneshot, task::JoinHandle};

/// Anvil's first dev account.
pub const DEV_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// Where the test log emitter is placed on every chain.
pub const EMITTER: Address = Address::new([0x10; 20]);

/// Runtime code that emits one `LOG0` whose data is the call data:
/// CALLDATASIZE PUSH1 0 PUSH1 0 CALLDATACOPY CALLDATASIZE PUSH1 0 LOG0 STOP.
pub const EMITTER_CODE: &str = "0x366000600037366000a000";

/// The node behind a test chain.
pub enum Node {
    /// An anvil process.
    Anvil(Anvil),
    /// superlink's chain served in this process, as `superlink node` serves it.
    Superlink(superlink_rpc::RpcServerHandle),
}

/// A chain prepared for interop: CrossL2Inbox and the log emitter in place.
pub struct Chain {
    /// The node.
    pub node: Node,
    /// Its chain ID.
    pub id: u64,
}

impl Chain {
    /// Starts anvil with `chain_id` and places the contracts.
    pub fn start(chain_id: u64) -> Self {
        let anvil = Anvil::spawn(chain_id, &[]).unwrap();
        let chain = Chain { node: Node::Anvil(anvil), id: chain_id };
        let inbox_code = superlink_contracts::Contract::CrossL2Inbox.deployed_bytecode();
        chain.rpc(&["anvil_setCode", &CROSS_L2_INBOX.to_string(), &inbox_code.to_string()]);
        chain.rpc(&["anvil_setCode", &EMITTER.to_string(), EMITTER_CODE]);
        chain
    }

    /// Starts superlink's own chain (predeploys from genesis, the dev account funded, a block per
    /// transaction) on a free port and places the log emitter. Call it from a multi-threaded tokio runtime.
    pub fn start_superlink(chain_id: u64) -> Self {
        use superlink_chain::{ChainConfig, Genesis, GenesisAccount};
        let signer: alloy_signer_local::PrivateKeySigner = DEV_KEY.parse().unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let funded = GenesisAccount { balance: U256::from(10u128.pow(22)), ..GenesisAccount::default() };
        let genesis = Genesis::new(chain_id, now)
            .with_alloc(superlink_contracts::genesis::predeploy_allocs(chain_id))
            .with_account(signer.address(), funded);
        let chain = superlink_chain::Chain::new(&genesis, ChainConfig::default());
        let backend = std::sync::Arc::new(superlink_rpc::ChainBackend::new(chain, vec![signer]));
        let handle = tokio::task::block_in_place(|| {
            tokio::runtime::Handle::current().block_on(superlink_rpc::serve("127.0.0.1:0", backend))
        })
        .unwrap();
        let chain = Chain { node: Node::Superlink(handle), id: chain_id };
        chain.rpc(&["anvil_setCode", &EMITTER.to_string(), EMITTER_CODE]);
        chain
    }

    /// The node's URL.
    pub fn url(&self) -> String {
        match &self.node {
            Node::Anvil(anvil) => anvil.url(),
            Node::Superlink(handle) => handle.http_url(),
        }
    }

    /// `cast rpc METHOD PARAMS...` on this chain.
    pub fn rpc(&self, args: &[&str]) -> String {
        let url = self.url();
        let mut all = vec!["rpc", "--rpc-url", url.as_str()];
        all.extend_from_slice(args);
        Cast::new().unwrap().run(all).unwrap()
    }

    /// Sends a transaction with cast and returns its receipt.
    pub fn send(&self, args: &[&str]) -> Value {
        let url = self.url();
        let mut all = vec![
            "send",
            "--json",
            "--rpc-url",
            url.as_str(),
            "--private-key",
            DEV_KEY,
            "--gas-limit",
            "300000",
        ];
        all.extend_from_slice(args);
        let out = Cast::new().unwrap().run(all).unwrap();
        serde_json::from_str(&out).unwrap()
    }

    /// Emits a log with `payload` from the emitter; returns its identifier and msgHash.
    pub fn emit(&self, payload: &[u8]) -> (Identifier, B256) {
        let receipt = self.send(&[&EMITTER.to_string(), &alloy_primitives::hex::encode_prefixed(payload)]);
        assert_eq!(receipt["status"], "0x1", "emitting failed: {receipt}");
        let number = hex_u64(&receipt["blockNumber"]);
        let log_index = hex_u64(&receipt["logs"][0]["logIndex"]) as u32;
        let block: Value =
            serde_json::from_str(&self.rpc(&["eth_getBlockByNumber", &format!("{number:#x}"), "false"]))
                .unwrap();
        let id = Identifier {
            origin: EMITTER,
            block_number: number,
            log_index,
            timestamp: hex_u64(&block["timestamp"]),
            chain_id: U256::from(self.id),
        };
        (id, keccak256(payload))
    }

    /// Executes the message `(id, msg_hash)` through CrossL2Inbox with its access list; returns the receipt.
    pub fn execute(&self, id: &Identifier, msg_hash: B256) -> Value {
        // Two dev nodes keep their own clocks: a node started a second later can be a second ahead of the
        // other. A sequencer never executes a message in a block earlier than the message, so neither do we.
        let latest: Value =
            serde_json::from_str(&self.rpc(&["eth_getBlockByNumber", "latest", "false"])).unwrap();
        if hex_u64(&latest["timestamp"]) < id.timestamp {
            self.rpc(&["evm_setNextBlockTimestamp", &id.timestamp.to_string()]);
        }
        let keys: Vec<String> = access_list_keys(id, msg_hash).iter().map(|k| k.to_string()).collect();
        let access_list = serde_json::json!([{ "address": CROSS_L2_INBOX, "storageKeys": keys }]).to_string();
        let identifier =
            format!("({},{},{},{},{})", id.origin, id.block_number, id.log_index, id.timestamp, id.chain_id);
        self.send(&[
            "--access-list",
            &access_list,
            &CROSS_L2_INBOX.to_string(),
            "validateMessage((address,uint256,uint256,uint256,uint256),bytes32)",
            &identifier,
            &msg_hash.to_string(),
        ])
    }

    /// The output root of `chain`'s last block at or before `timestamp`, read with cast (eth_getBlockByNumber and
    /// eth_getProof of L2ToL1MessagePasser), and that block's number.
    pub fn output_root_at(&self, timestamp: u64) -> (B256, u64) {
        let mut number = self.head();
        loop {
            let block: serde_json::Value =
                serde_json::from_str(&self.rpc(&["eth_getBlockByNumber", &format!("{number:#x}"), "false"]))
                    .unwrap();
            if hex_u64(&block["timestamp"]) <= timestamp {
                let proof: serde_json::Value = serde_json::from_str(&self.rpc(&[
                    "eth_getProof",
                    "0x4200000000000000000000000000000000000016",
                    "[]",
                    &format!("{number:#x}"),
                ]))
                .unwrap();
                let root = superlink_protocol::output_root_v0(
                    block["stateRoot"].as_str().unwrap().parse().unwrap(),
                    proof["storageHash"].as_str().unwrap().parse().unwrap(),
                    block["hash"].as_str().unwrap().parse().unwrap(),
                );
                return (root, number);
            }
            number -= 1;
        }
    }

    /// The number of the block the chain labels `tag` (`safe`, `finalized`).
    pub fn tagged(&self, tag: &str) -> u64 {
        let block: Value = serde_json::from_str(&self.rpc(&["eth_getBlockByNumber", tag, "false"])).unwrap();
        hex_u64(&block["number"])
    }

    /// The chain's latest block number.
    pub fn head(&self) -> u64 {
        self.rpc(&["eth_blockNumber"])
            .trim_matches('"')
            .trim_start_matches("0x")
            .parse::<String>()
            .map_or(0, |h| u64::from_str_radix(&h, 16).unwrap())
    }
}

/// A `0x`-hex JSON string as a number.
pub fn hex_u64(value: &Value) -> u64 {
    u64::from_str_radix(value.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// A dependency set of the given chains.
pub fn dependency_set(chains: &[u64]) -> DependencySet {
    DependencySet::new(chains.iter().map(|c| U256::from(*c))).unwrap()
}

/// A verifier service running in this process.
pub struct Service {
    /// Its RPC address.
    pub addr: SocketAddr,
    /// A client for it.
    pub client: HttpClient,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), superlink_verifier::VerifierError>>>,
}

impl Service {
    /// Starts the verifier over `chains` with its index in `datadir`.
    pub async fn start(chains: &[&Chain], datadir: &Path) -> Self {
        Self::start_with_metrics(chains, datadir, None).await
    }

    /// Starts the verifier, serving Prometheus metrics on `metrics_addr` if given.
    pub async fn start_with_metrics(
        chains: &[&Chain],
        datadir: &Path,
        metrics_addr: Option<SocketAddr>,
    ) -> Self {
        let rpc_urls: BTreeMap<u64, String> = chains.iter().map(|c| (c.id, c.url())).collect();
        let ids: Vec<u64> = chains.iter().map(|c| c.id).collect();
        // A port picked as free can be taken by another test's node before the verifier binds it: when the
        // service stops before answering, try again on another port.
        let mut last_error = String::new();
        for _ in 0..5 {
            let mut config = VerifierConfig::new(dependency_set(&ids), rpc_urls.clone());
            config.datadir = datadir.to_path_buf();
            config.listen_addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            config.poll_interval = Duration::from_millis(100);
            config.metrics_addr = metrics_addr;
            let addr = config.listen_addr;
            let (stop, stopped) = oneshot::channel::<()>();
            let task = tokio::spawn(run(config, async move {
                let _ = stopped.await;
            }));
            let client = HttpClientBuilder::default().build(format!("http://{addr}")).unwrap();
            let service = Service { addr, client, stop: Some(stop), task: Some(task) };
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if !service.sync_status().await.is_null() {
                    return service;
                }
                if service.task.as_ref().is_some_and(|t| t.is_finished()) {
                    break;
                }
                assert!(Instant::now() < deadline, "the verifier's RPC server never answered");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let mut service = service;
            if let Some(task) = service.task.take() {
                last_error.push_str(&format!("{:?}; ", task.await));
            }
        }
        panic!("the verifier did not start: {last_error}");
    }

    /// `supervisor_syncStatus`.
    pub async fn sync_status(&self) -> Value {
        self.client.request("supervisor_syncStatus", rpc_params![]).await.unwrap_or(Value::Null)
    }

    /// Waits until `supervisor_syncStatus` satisfies `done`.
    pub async fn wait_for(&self, done: impl Fn(&Value) -> bool, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let status = self.sync_status().await;
            if done(&status) {
                return status;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; last status {status}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the verifier has indexed `chain` up to `number`.
    pub async fn wait_indexed(&self, chain: u64, number: u64) -> Value {
        self.wait_for(|s| head_of(s, chain, "localUnsafe") >= Some(number), "indexing").await
    }

    /// `interop_checkAccessList` for a message executed on `executing` at `timestamp`: `Ok(())` or the error
    /// code and message.
    pub async fn check(
        &self,
        entries: &[B256],
        min_safety: &str,
        executing: u64,
        timestamp: u64,
    ) -> Result<(), (i32, String)> {
        let descriptor = serde_json::json!({ "chainID": format!("{executing:#x}"), "timestamp": format!("{timestamp:#x}") });
        let answer: Result<Value, ClientError> = self
            .client
            .request("interop_checkAccessList", rpc_params![entries.to_vec(), min_safety, descriptor])
            .await;
        match answer {
            Ok(_) => Ok(()),
            Err(ClientError::Call(e)) => Err((e.code(), e.message().to_string())),
            Err(e) => panic!("transport error: {e}"),
        }
    }

    /// Stops the service and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

/// A chain's head number at `level` in a sync status (`localUnsafe`, `crossUnsafe`, `localSafe`, `safe`,
/// `finalized`).
pub fn head_of(status: &Value, chain: u64, level: &str) -> Option<u64> {
    status["chains"][chain.to_string()][level]["number"].as_u64()
}
