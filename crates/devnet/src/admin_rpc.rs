//! supersim's admin interface on the devnet's control port, so that scripts and tests written against supersim
//! (whose admin server listens on the same default port, 8420) run against the devnet unchanged:
//!
//! | request | answer |
//! |---|---|
//! | `GET /ready` | `200` with the text `OK` once the devnet is up (`503` while it is still starting) |
//! | `admin_getConfig` | the devnet in the JSON shape of supersim's `NetworkConfig` ([`NetworkConfig`]) |
//! | `admin_getL1Addresses` | `chainId` → an L2's L1 contracts under supersim's nine names ([`L1Addresses`]) |
//! | `admin_getL2ToL2MessageByMsgHash` | `msgHash` → a sent message: `Destination`, `Source`, `Nonce`, `Sender`, `Target`, `Message` |
//! | `admin_getAccessListForIdentifier` | `{origin, blockNumber, logIndex, timestamp, chainId, payload}` → `{accessList}` |
//! | `admin_getAccessListByMsgHash` | `msgHash` → `{accessList}` declaring the execution of that sent message |
//!
//! The JSON keys, value encodings and error codes are supersim's: Go's untagged (capitalised) field names in
//! `admin_getConfig` and the message, lowercase hex addresses in JSON objects and checksummed ones in
//! `admin_getL1Addresses`; `-32602` for an unknown chain, a malformed parameter, or (in
//! `admin_getAccessListByMsgHash`) an unknown message; `-32603` for an unknown message in
//! `admin_getL2ToL2MessageByMsgHash`. Numbers are taken as JSON numbers, `0x` hex strings or decimal strings.
//!
//! Where the devnet differs from supersim, the answers say what the devnet does rather than pretend:
//! - the L1 holds one deposit portal per L2, not the OP Stack bridge contracts: `OptimismPortalProxy` is that
//!   portal (`depositTransaction` and plain ETH transfers to it arrive on the L2), the other eight addresses are the
//!   zero address ([`L1Addresses::of`]);
//! - `GenesisJSON` is `null`: the chains are built in process from their allocations, with no geth genesis file;
//! - `Port` is the port each chain is bound to, also when it was asked for with port 0;
//! - `InteropDelay` is always 0: messages may be relayed as soon as their source block is indexed.
//!
//! Messages are found by their `L2ToL2CrossDomainMessenger` message hash: first in the dashboard's tracker (which
//! knows every message the verifier indexed, where it was sent), else by scanning the L2s' `SentMessage` logs,
//! newest blocks first.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use alloy_primitives::{Address, B256, Bytes, U256};
use jsonrpsee::{
    RpcModule,
    core::RegisterMethodError,
    types::{ErrorObjectOwned, Params},
};
use serde::Serialize;
use serde_json::{Value, json, value::RawValue};
use superlink_chain::LogFilter;
use superlink_contracts::bridge_addresses::l1_bridge;
use superlink_dashboard::Dashboard;
use superlink_node::ChainService;
use superlink_protocol::{
    DependencySet, Identifier, SentMessage, access_list_keys, messenger::SENT_MESSAGE_TOPIC,
    payload_from_log, payload_hash, predeploys::CROSS_L2_INBOX, predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER,
};
use superlink_verifier::{HttpLayer, INVALID_PARAMS, ReadyProbe, ready_layer};
use tracing::{debug, warn};

use crate::{
    config::{DEV_ACCOUNT_COUNT, DevnetConfig},
    control_rpc::number_param,
    error::DevnetError,
};

/// The JSON-RPC code supersim answers when a message lookup fails inside the server
/// (`admin_getL2ToL2MessageByMsgHash` of an unknown hash).
pub const INTERNAL_ERROR: i32 = -32603;

/// The names of the methods [`admin_module`] serves.
pub const METHODS: [&str; 5] = [
    "admin_getConfig",
    "admin_getL1Addresses",
    "admin_getL2ToL2MessageByMsgHash",
    "admin_getAccessListForIdentifier",
    "admin_getAccessListByMsgHash",
];

/// The path of the readiness probe.
pub use superlink_verifier::READY_PATH;

/// The derivation path of the development accounts (each account appends its index), as supersim reports it.
const DERIVATION_PATH: &str = "m/44'/60'/0'/0";

/// How many blocks one step of a `SentMessage` scan reads under the chain's read lock.
const SCAN_CHUNK: u64 = 1024;

/// The L1 contracts of one L2 under the nine names supersim's `admin_getL1Addresses` answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1Addresses {
    /// `AddressManager`.
    pub address_manager: Address,
    /// `L1CrossDomainMessengerProxy`.
    pub l1_cross_domain_messenger_proxy: Address,
    /// `L1ERC721BridgeProxy`.
    pub l1_erc721_bridge_proxy: Address,
    /// `L1StandardBridgeProxy`.
    pub l1_standard_bridge_proxy: Address,
    /// `L2OutputOracleProxy` (the zero address on supersim too: its chains use fault proofs).
    pub l2_output_oracle_proxy: Address,
    /// `OptimismMintableERC20FactoryProxy`.
    pub optimism_mintable_erc20_factory_proxy: Address,
    /// `OptimismPortalProxy`: where deposits to the L2 are sent on the L1.
    pub optimism_portal_proxy: Address,
    /// `SystemConfigProxy`.
    pub system_config_proxy: Address,
    /// `ProxyAdmin`.
    pub proxy_admin: Address,
}

impl L1Addresses {
    /// The devnet's L1 contracts for L2 `l2_chain_id`: its standard bridge's `OptimismPortal`,
    /// `L1CrossDomainMessenger`, `L1StandardBridge` and `OptimismMintableERC20Factory` at the addresses that hold
    /// their state ([`l1_bridge`]: for 901 to 905 those of `@eth-optimism/viem`'s supersim chains, which app code
    /// imports; supersim's current genesis addresses forward to them). The devnet deploys none of the other five
    /// contracts (supersim's `L2OutputOracleProxy` is the zero address too, its chains use fault proofs), so they
    /// are the zero address, which a script sees at once instead of calling an address with no code behind it.
    pub fn of(l2_chain_id: u64) -> Self {
        let bridge = l1_bridge(l2_chain_id);
        Self {
            address_manager: Address::ZERO,
            l1_cross_domain_messenger_proxy: bridge.l1_cross_domain_messenger,
            l1_erc721_bridge_proxy: Address::ZERO,
            l1_standard_bridge_proxy: bridge.l1_standard_bridge,
            l2_output_oracle_proxy: Address::ZERO,
            optimism_mintable_erc20_factory_proxy: bridge.optimism_mintable_erc20_factory,
            optimism_portal_proxy: bridge.portal,
            system_config_proxy: Address::ZERO,
            proxy_admin: Address::ZERO,
        }
    }

    /// The nine names with their addresses, in the order of supersim's Go struct.
    pub fn entries(&self) -> [(&'static str, Address); 9] {
        [
            ("AddressManager", self.address_manager),
            ("L1CrossDomainMessengerProxy", self.l1_cross_domain_messenger_proxy),
            ("L1ERC721BridgeProxy", self.l1_erc721_bridge_proxy),
            ("L1StandardBridgeProxy", self.l1_standard_bridge_proxy),
            ("L2OutputOracleProxy", self.l2_output_oracle_proxy),
            ("OptimismMintableERC20FactoryProxy", self.optimism_mintable_erc20_factory_proxy),
            ("OptimismPortalProxy", self.optimism_portal_proxy),
            ("SystemConfigProxy", self.system_config_proxy),
            ("ProxyAdmin", self.proxy_admin),
        ]
    }

    /// `admin_getL1Addresses`' answer: each name with its EIP-55 checksummed address.
    pub fn checksummed(&self) -> serde_json::Map<String, Value> {
        self.entries().into_iter().map(|(name, a)| (name.to_string(), json!(a.to_checksum(None)))).collect()
    }

    /// The `L1Addresses` object of `admin_getConfig`: each name with its lowercase hex address, as Go encodes an
    /// address inside a JSON object.
    pub fn lowercase(&self) -> serde_json::Map<String, Value> {
        self.entries().into_iter().map(|(name, a)| (name.to_string(), json!(lower_hex(a)))).collect()
    }
}

/// An address as Go's JSON encoder writes one: `0x` and 40 lowercase hex digits.
fn lower_hex(address: Address) -> String {
    format!("{address:#x}")
}

/// supersim's `NetworkConfig`, with Go's field names (untagged, so capitalised) as `admin_getConfig` answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkConfig {
    /// The L1.
    #[serde(rename = "L1Config")]
    pub l1_config: ChainConfig,
    /// The first L2's port as configured (0: any free port).
    #[serde(rename = "L2StartingPort")]
    pub l2_starting_port: u64,
    /// The L2s, by ascending chain ID.
    #[serde(rename = "L2Configs")]
    pub l2_configs: Vec<ChainConfig>,
    /// Always true: the interop predeploys are live from genesis.
    #[serde(rename = "InteropEnabled")]
    pub interop_enabled: bool,
    /// Whether the autorelayer runs.
    #[serde(rename = "InteropAutoRelay")]
    pub interop_auto_relay: bool,
    /// Seconds a message waits before it may be executed: always 0 on the devnet.
    #[serde(rename = "InteropDelay")]
    pub interop_delay: u64,
}

/// One chain of [`NetworkConfig`] (supersim's `ChainConfig`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChainConfig {
    /// supersim's name for the chain: `Local` for the L1, `OPChainA`, `OPChainB`, ... for the L2s.
    #[serde(rename = "Name")]
    pub name: String,
    /// The address the chain's JSON-RPC server listens on.
    #[serde(rename = "Host")]
    pub host: String,
    /// The port it is bound to.
    #[serde(rename = "Port")]
    pub port: u64,
    /// The chain ID.
    #[serde(rename = "ChainID")]
    pub chain_id: u64,
    /// Seconds between blocks.
    #[serde(rename = "BlockTime")]
    pub block_time: u64,
    /// supersim's geth genesis file: always `null`, the devnet builds its chains in process.
    #[serde(rename = "GenesisJSON")]
    pub genesis_json: Option<String>,
    /// The development accounts.
    #[serde(rename = "SecretsConfig")]
    pub secrets_config: SecretsConfig,
    /// supersim's fork settings (`RPCUrl`, `BlockNumber`) for a chain forked from a remote
    /// node (`superlink devnet fork`); `null` for a chain started from its own genesis.
    #[serde(rename = "ForkConfig")]
    pub fork_config: Option<Value>,
    /// The L2 settings; `null` for the L1.
    #[serde(rename = "L2Config")]
    pub l2_config: Option<L2Config>,
    /// The genesis timestamp of every chain.
    #[serde(rename = "StartingTimestamp")]
    pub starting_timestamp: u64,
    /// Where the logs are written (empty when only to standard error).
    #[serde(rename = "LogsDirectory")]
    pub logs_directory: String,
    /// Always false: Odyssey's experimental features are not part of the devnet.
    #[serde(rename = "OdysseyEnabled")]
    pub odyssey_enabled: bool,
    /// Always empty: the messenger predeploy cannot be replaced.
    #[serde(rename = "InteropL2ToL2CDMOverrideArtifactPath")]
    pub interop_l2_to_l2_cdm_override_artifact_path: String,
}

/// The development accounts of a chain (supersim's `SecretsConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretsConfig {
    /// How many accounts are funded.
    #[serde(rename = "Accounts")]
    pub accounts: u64,
    /// The mnemonic they derive from.
    #[serde(rename = "Mnemonic")]
    pub mnemonic: String,
    /// The derivation path the account index is appended to.
    #[serde(rename = "DerivationPath")]
    pub derivation_path: String,
}

/// The L2 part of a [`ChainConfig`] (supersim's `L2Config`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct L2Config {
    /// The L1's chain ID.
    #[serde(rename = "L1ChainID")]
    pub l1_chain_id: u64,
    /// The L2's L1 contracts ([`L1Addresses::lowercase`]).
    #[serde(rename = "L1Addresses")]
    pub l1_addresses: serde_json::Map<String, Value>,
    /// The other chains whose messages this one may execute: the rest of the dependency set, or none when the
    /// chain is outside it (supersim leaves the chain itself out).
    #[serde(rename = "DependencySet")]
    pub dependency_set: Vec<u64>,
}

/// supersim's name for L2 number `index` (0-based): `OPChainA` to `OPChainZ`, then `OPChain27`, ... .
fn l2_name(index: usize) -> String {
    match u8::try_from(index).ok().filter(|i| *i < 26) {
        Some(i) => format!("OPChain{}", char::from(b'A' + i)),
        None => format!("OPChain{}", index + 1),
    }
}

/// One served chain of the devnet, as the admin methods see it.
#[derive(Debug, Clone)]
pub struct ServedChain {
    /// The chain ID.
    pub chain_id: u64,
    /// Where its JSON-RPC server is bound.
    pub addr: SocketAddr,
    /// The running chain.
    pub service: Arc<ChainService>,
}

/// supersim's `ForkConfig` of `served` (the L1 when `is_l1`): the remote it was forked from and the fork block
/// (the chain's first block), or `None` when the chain was not forked.
fn fork_config(config: &DevnetConfig, served: &ServedChain, is_l1: bool) -> Option<Value> {
    let target = if is_l1 { config.fork.l1.as_ref() } else { config.fork.l2s.get(&served.chain_id) }?;
    let block = served.service.read().first_number();
    Some(json!({ "RPCUrl": target.url, "BlockNumber": block }))
}

impl NetworkConfig {
    /// The devnet that `config` describes, with its chains bound at `l1` and `l2s` and every genesis at
    /// `starting_timestamp`.
    pub fn new(
        config: &DevnetConfig,
        dependencies: &DependencySet,
        starting_timestamp: u64,
        l1: &ServedChain,
        l2s: &[ServedChain],
    ) -> Self {
        let logs_directory =
            config.logs_directory.as_ref().map(|d| d.display().to_string()).unwrap_or_default();
        let secrets = SecretsConfig {
            accounts: u64::from(DEV_ACCOUNT_COUNT),
            mnemonic: config.mnemonic.clone(),
            derivation_path: DERIVATION_PATH.to_string(),
        };
        let members: Vec<u64> =
            dependencies.chain_ids().iter().filter_map(|id| u64::try_from(*id).ok()).collect();
        let chain =
            |name: String, served: &ServedChain, block_time: u64, l2_config: Option<L2Config>| ChainConfig {
                name,
                host: served.addr.ip().to_string(),
                port: u64::from(served.addr.port()),
                chain_id: served.chain_id,
                block_time,
                genesis_json: None,
                secrets_config: secrets.clone(),
                fork_config: fork_config(config, served, l2_config.is_none()),
                l2_config,
                starting_timestamp,
                logs_directory: logs_directory.clone(),
                odyssey_enabled: false,
                interop_l2_to_l2_cdm_override_artifact_path: String::new(),
            };
        let l2_configs = l2s
            .iter()
            .enumerate()
            .map(|(index, served)| {
                let dependency_set = if members.contains(&served.chain_id) {
                    members.iter().copied().filter(|id| *id != served.chain_id).collect()
                } else {
                    Vec::new()
                };
                let l2 = L2Config {
                    // A forked L1 keeps its remote's chain ID.
                    l1_chain_id: l1.chain_id,
                    l1_addresses: L1Addresses::of(served.chain_id).lowercase(),
                    dependency_set,
                };
                chain(l2_name(index), served, config.l2_block_time, Some(l2))
            })
            .collect();
        Self {
            l1_config: chain("Local".to_string(), l1, config.l1_block_time, None),
            l2_starting_port: u64::from(config.l2_starting_port),
            l2_configs,
            interop_enabled: true,
            interop_auto_relay: config.autorelay && dependencies.len() > 1,
            interop_delay: 0,
        }
    }
}

/// Whether the devnet is up, for `GET /ready`. Cheap to clone; every clone sees [`Readiness::set_ready`].
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// Marks the devnet as up: `GET /ready` answers `200 OK` from now on.
    pub fn set_ready(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Whether the devnet is up.
    pub fn is_ready(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// What supersim's admin interface answers from: the devnet's configuration, its L2s (where sent messages are
/// looked up), and whether the devnet is up.
#[derive(Debug, Clone)]
pub struct SupersimAdmin {
    network: NetworkConfig,
    l2s: Vec<ServedChain>,
    ready: Readiness,
}

impl SupersimAdmin {
    /// The admin interface of the devnet `config` describes, its chains bound at `l1` and `l2s`.
    pub fn new(
        config: &DevnetConfig,
        dependencies: &DependencySet,
        starting_timestamp: u64,
        l1: &ServedChain,
        l2s: Vec<ServedChain>,
    ) -> Self {
        let network = NetworkConfig::new(config, dependencies, starting_timestamp, l1, &l2s);
        Self { network, l2s, ready: Readiness::default() }
    }

    /// The flag `GET /ready` answers from; set it once the devnet is up.
    pub fn readiness(&self) -> Readiness {
        self.ready.clone()
    }

    /// `admin_getConfig`'s answer.
    pub fn network_config(&self) -> &NetworkConfig {
        &self.network
    }

    /// `http` with `GET /ready` answered in front of it: `OK` once the devnet is up, `starting` before.
    pub fn http_layer(&self, http: HttpLayer) -> HttpLayer {
        let ready = self.ready.clone();
        ready_layer(
            Some(http),
            ReadyProbe::new(move || if ready.is_ready() { Ok(()) } else { Err("starting".into()) }),
        )
    }

    /// Finds the message with `L2ToL2CrossDomainMessenger` hash `hash`: where the dashboard saw it sent, else in
    /// the L2s' `SentMessage` logs. Blocking (it reads the chains under their locks).
    pub fn find_message(&self, dashboard: Option<&Dashboard>, hash: B256) -> Option<FoundMessage> {
        if let Some(tracked) = dashboard.and_then(|d| d.message(&hash)) {
            let place = tracked.sent;
            let found = self
                .l2s
                .iter()
                .find(|c| c.chain_id == place.chain)
                .and_then(|c| read_sent_message(c, place.block, place.block_hash, place.log_index))
                .filter(|found| found.message_hash() == hash);
            if found.is_some() {
                return found;
            }
        }
        self.l2s.iter().find_map(|chain| scan_sent_messages(chain, hash))
    }
}

/// A `SentMessage` found on its source chain: the message and the identifier of its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundMessage {
    /// The decoded message.
    pub message: SentMessage,
    /// The identifier of its `SentMessage` log (the origin is the messenger, the chain ID the source chain's).
    pub identifier: Identifier,
}

impl FoundMessage {
    /// The source chain's ID.
    pub fn source(&self) -> U256 {
        self.identifier.chain_id
    }

    /// The `L2ToL2CrossDomainMessenger` message hash.
    pub fn message_hash(&self) -> B256 {
        self.message.message_hash(self.source())
    }

    /// The hash of the log's payload (its topics, then its data): what an executing message names.
    pub fn payload_hash(&self) -> B256 {
        let (topics, data) = self.message.encode_log();
        payload_hash(&topics, &data)
    }

    /// The log's payload, as `relayMessage` takes it.
    pub fn payload(&self) -> Vec<u8> {
        let (topics, data) = self.message.encode_log();
        payload_from_log(&topics, &data)
    }
}

/// The `SentMessage` at block `number` (if it still has hash `block_hash`) and log `log_index` of `chain`.
fn read_sent_message(
    chain: &ServedChain,
    number: u64,
    block_hash: B256,
    log_index: u32,
) -> Option<FoundMessage> {
    let block = chain.service.read().block_by_number(number)?;
    if block.hash() != block_hash {
        return None;
    }
    let (_, _, log) = block.logs().find(|(index, _, _)| *index == u64::from(log_index))?;
    let message = SentMessage::decode_log(log.address, log.topics(), &log.data.data).ok().flatten()?;
    let identifier = Identifier {
        origin: log.address,
        block_number: number,
        log_index,
        timestamp: block.timestamp(),
        chain_id: U256::from(chain.chain_id),
    };
    Some(FoundMessage { message, identifier })
}

/// Looks for the `SentMessage` with message hash `hash` in every block of `chain`, newest first, a chunk of blocks
/// at a time so the sequencer is never held up for long.
fn scan_sent_messages(chain: &ServedChain, hash: B256) -> Option<FoundMessage> {
    let source = U256::from(chain.chain_id);
    let mut to = chain.service.read().head_number();
    loop {
        let from = to.saturating_sub(SCAN_CHUNK - 1);
        let filter = LogFilter::range(from, to)
            .address(L2_TO_L2_CROSS_DOMAIN_MESSENGER)
            .topic(0, vec![SENT_MESSAGE_TOPIC]);
        let logs = chain.service.read().logs(&filter);
        for log in logs.iter().rev() {
            let Ok(Some(message)) =
                SentMessage::decode_log(log.address(), log.topics(), log.data().data.as_ref())
            else {
                continue;
            };
            if message.message_hash(source) != hash {
                continue;
            }
            let (Some(block_number), Some(index), Some(timestamp)) =
                (log.block_number, log.log_index, log.block_timestamp)
            else {
                continue;
            };
            let Ok(log_index) = u32::try_from(index) else { continue };
            let identifier =
                Identifier { origin: log.address(), block_number, log_index, timestamp, chain_id: source };
            return Some(FoundMessage { message, identifier });
        }
        if from == 0 {
            return None;
        }
        to = from - 1;
    }
}

/// A number written as Go writes a `*big.Int` (or a `uint64`): a bare JSON number with as many digits as it needs,
/// which serde's own numbers cannot hold beyond 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BigNumber(pub U256);

impl Serialize for BigNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match u64::try_from(self.0) {
            Ok(small) => serializer.serialize_u64(small),
            Err(_) => RawValue::from_string(self.0.to_string())
                .map_err(serde::ser::Error::custom)?
                .serialize(serializer),
        }
    }
}

/// `admin_getL2ToL2MessageByMsgHash`'s answer: a sent message with Go's field names (supersim's
/// `JSONL2ToL2Message`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct L2ToL2MessageJson {
    /// The destination chain.
    #[serde(rename = "Destination")]
    pub destination: BigNumber,
    /// The source chain.
    #[serde(rename = "Source")]
    pub source: BigNumber,
    /// The versioned nonce.
    #[serde(rename = "Nonce")]
    pub nonce: BigNumber,
    /// Who sent it, in lowercase hex.
    #[serde(rename = "Sender")]
    pub sender: String,
    /// Whom it calls, in lowercase hex.
    #[serde(rename = "Target")]
    pub target: String,
    /// The calldata for the target.
    #[serde(rename = "Message")]
    pub message: Bytes,
}

impl From<&FoundMessage> for L2ToL2MessageJson {
    fn from(found: &FoundMessage) -> Self {
        Self {
            destination: BigNumber(found.message.destination),
            source: BigNumber(found.source()),
            nonce: BigNumber(found.message.nonce),
            sender: lower_hex(found.message.sender),
            target: lower_hex(found.message.target),
            message: found.message.message.clone(),
        }
    }
}

/// The `{accessList}` answer declaring the execution of the message with payload hash `msg_hash` from the log
/// `identifier`: one `CrossL2Inbox` entry with the lookup, chain-ID extension (when needed) and checksum keys.
pub fn access_list_json(identifier: &Identifier, msg_hash: B256) -> Value {
    let keys = access_list_keys(identifier, msg_hash);
    json!({ "accessList": [{ "address": lower_hex(CROSS_L2_INBOX), "storageKeys": keys }] })
}

fn invalid_params(message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(INVALID_PARAMS, message.into(), None::<()>)
}

/// The first positional parameter (or the parameters themselves when they are not an array).
fn first_param(params: &Params<'_>, what: &str) -> Result<Value, ErrorObjectOwned> {
    let value: Value = if params.as_str().is_some() { params.parse()? } else { Value::Null };
    let first = match value {
        Value::Array(mut values) if !values.is_empty() => values.swap_remove(0),
        Value::Array(_) | Value::Null => Value::Null,
        other => other,
    };
    if first.is_null() {
        return Err(invalid_params(format!("missing parameter: {what}")));
    }
    Ok(first)
}

/// Reads a 32-byte message hash given as hex.
fn hash_param(value: &Value) -> Result<B256, ErrorObjectOwned> {
    value.as_str().and_then(|s| s.parse::<B256>().ok()).ok_or_else(|| {
        invalid_params(format!("Valid msg hash not provided: {value} is not 32 bytes of 0x hex"))
    })
}

/// Reads a number given as a JSON number, a `0x` hex string or a decimal string, up to 256 bits.
fn u256_value(value: &Value) -> Option<U256> {
    match value {
        Value::Number(n) => {
            n.as_u64().map(U256::from).or_else(|| U256::from_str_radix(&n.to_string(), 10).ok())
        }
        Value::String(s) => match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            Some(hex) if !hex.is_empty() => U256::from_str_radix(hex, 16).ok(),
            Some(_) => None,
            None if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                U256::from_str_radix(s, 10).ok()
            }
            None => None,
        },
        _ => None,
    }
}

/// `value` as the narrower integer an identifier field holds, or an invalid-params error naming the field.
fn narrow<T: TryFrom<U256>>(name: &str, value: U256) -> Result<T, ErrorObjectOwned> {
    T::try_from(value).map_err(|_| invalid_params(format!("{name} {value} is too large for an identifier")))
}

const IDENTIFIER_REQUIRED: &str = "Invalid parameters: all identifier fields and payload are required";

/// Reads `admin_getAccessListForIdentifier`'s parameter: the identifier's fields (numbers as JSON numbers, hex or
/// decimal strings) and the log's payload as hex. Returns the identifier and the payload's hash.
pub fn identifier_param(value: &Value) -> Result<(Identifier, B256), ErrorObjectOwned> {
    let Value::Object(fields) = value else {
        return Err(invalid_params(format!("{IDENTIFIER_REQUIRED}: expected an object, got {value}")));
    };
    let field = |name: &str| fields.get(name).filter(|v| !v.is_null());
    let missing = |name: &str| invalid_params(format!("{IDENTIFIER_REQUIRED} (`{name}` is missing)"));
    let number = |name: &str| -> Result<U256, ErrorObjectOwned> {
        let value = field(name).ok_or_else(|| missing(name))?;
        u256_value(value).ok_or_else(|| {
            invalid_params(format!(
                "invalid {name} {value}: expected a number (JSON number, 0x hex or decimal)"
            ))
        })
    };
    let origin_value = field("origin").ok_or_else(|| missing("origin"))?;
    let origin = origin_value.as_str().and_then(|s| s.parse::<Address>().ok()).ok_or_else(|| {
        invalid_params(format!("invalid origin {origin_value}: expected a 20-byte 0x hex address"))
    })?;
    if origin == Address::ZERO {
        return Err(invalid_params(format!("{IDENTIFIER_REQUIRED} (`origin` is the zero address)")));
    }
    let block_number = narrow::<u64>("blockNumber", number("blockNumber")?)?;
    let log_index = narrow::<u32>("logIndex", number("logIndex")?)?;
    let timestamp = narrow::<u64>("timestamp", number("timestamp")?)?;
    let chain_id = number("chainId")?;
    let payload_value = field("payload").ok_or_else(|| missing("payload"))?;
    let payload = payload_value
        .as_str()
        .and_then(|s| s.parse::<Bytes>().ok())
        .ok_or_else(|| invalid_params(format!("invalid payload {payload_value}: expected 0x hex bytes")))?;
    if payload.is_empty() {
        return Err(invalid_params(format!("{IDENTIFIER_REQUIRED} (`payload` is empty)")));
    }
    let identifier = Identifier { origin, block_number, log_index, timestamp, chain_id };
    Ok((identifier, alloy_primitives::keccak256(&payload)))
}

/// What the methods read, shared by every call.
#[derive(Debug)]
struct AdminState {
    admin: SupersimAdmin,
    dashboard: Option<Dashboard>,
}

impl AdminState {
    /// Finds a message on the blocking pool (the lookup reads the chains under their locks).
    async fn find(self: &Arc<Self>, hash: B256) -> Result<Option<FoundMessage>, ErrorObjectOwned> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || state.admin.find_message(state.dashboard.as_ref(), hash))
            .await
            .map_err(|e| {
                warn!(%hash, error = %e, "message lookup ended abnormally");
                ErrorObjectOwned::owned(
                    INTERNAL_ERROR,
                    format!("looking up message {hash} failed: {e}"),
                    None::<()>,
                )
            })
    }

    fn not_found(&self, hash: B256) -> String {
        let chains: Vec<String> = self.admin.l2s.iter().map(|c| c.chain_id.to_string()).collect();
        format!(
            "Failed to get message: no L2ToL2CrossDomainMessenger SentMessage on chains {} has message hash {hash}",
            chains.join(", ")
        )
    }
}

/// supersim's `admin_*` methods over `admin`, to merge into the control port's server; messages are looked up in
/// `dashboard`'s tracker first when one is given.
pub fn admin_module(admin: SupersimAdmin, dashboard: Option<Dashboard>) -> RpcModule<()> {
    let mut module = RpcModule::new(());
    // Every name is registered once in a fresh module: registration cannot clash, but a failure is still
    // reported rather than assumed away.
    if let Err(e) = register(&mut module, Arc::new(AdminState { admin, dashboard })) {
        warn!(error = %e, "supersim admin methods not registered");
    }
    module
}

/// Adds [`admin_module`] to `module` (the control port's extra methods). A name `module` already serves is
/// refused as a clash, so no method is shadowed by accident.
pub fn merge_admin_module(
    module: &mut RpcModule<()>,
    admin: SupersimAdmin,
    dashboard: Option<Dashboard>,
) -> Result<(), DevnetError> {
    module.merge(admin_module(admin, dashboard)).map_err(|e| match e {
        RegisterMethodError::AlreadyRegistered(method) => {
            DevnetError::Verifier(superlink_verifier::VerifierError::MethodClash { method })
        }
        other => DevnetError::Config(format!("serving supersim's admin methods: {other}")),
    })
}

fn register(module: &mut RpcModule<()>, state: Arc<AdminState>) -> Result<(), RegisterMethodError> {
    let s = state.clone();
    module.register_method("admin_getConfig", move |_, _, _| {
        debug!("admin_getConfig");
        Ok::<_, ErrorObjectOwned>(s.admin.network.clone())
    })?;
    let s = state.clone();
    module.register_method("admin_getL1Addresses", move |params, _, _| {
        let chain_id = number_param(&first_param(&params, "chain ID")?, "chain ID")?;
        debug!(chain_id, "admin_getL1Addresses");
        if !s.admin.l2s.iter().any(|c| c.chain_id == chain_id) {
            return Err(invalid_params("chain not found"));
        }
        Ok::<_, ErrorObjectOwned>(L1Addresses::of(chain_id).checksummed())
    })?;
    let s = state.clone();
    module.register_async_method("admin_getL2ToL2MessageByMsgHash", move |params, _, _| {
        let state = s.clone();
        async move {
            let hash = hash_param(&first_param(&params, "message hash")?)?;
            debug!(%hash, "admin_getL2ToL2MessageByMsgHash");
            match state.find(hash).await? {
                Some(found) => Ok(L2ToL2MessageJson::from(&found)),
                None => Err(ErrorObjectOwned::owned(INTERNAL_ERROR, state.not_found(hash), None::<()>)),
            }
        }
    })?;
    module.register_method("admin_getAccessListForIdentifier", |params, _, _| {
        let (identifier, msg_hash) = identifier_param(&first_param(&params, "identifier")?)?;
        debug!(chain_id = %identifier.chain_id, block = identifier.block_number, "admin_getAccessListForIdentifier");
        Ok::<_, ErrorObjectOwned>(access_list_json(&identifier, msg_hash))
    })?;
    module.register_async_method("admin_getAccessListByMsgHash", move |params, _, _| {
        let state = state.clone();
        async move {
            let hash = hash_param(&first_param(&params, "message hash")?)?;
            debug!(%hash, "admin_getAccessListByMsgHash");
            match state.find(hash).await? {
                Some(found) => Ok(access_list_json(&found.identifier, found.payload_hash())),
                None => Err(invalid_params(state.not_found(hash))),
            }
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use superlink_chain::{Chain, ChainConfig as ChainRunConfig, Genesis};

    use super::*;
    use crate::config::L1_CHAIN_ID;

    fn served(chain_id: u64, port: u16) -> ServedChain {
        let chain = Chain::new(&Genesis::new(chain_id, 1_700_000_000), ChainRunConfig::default());
        ServedChain {
            chain_id,
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
            service: Arc::new(ChainService::new(chain)),
        }
    }

    fn admin(config: &DevnetConfig) -> SupersimAdmin {
        let dependencies = config.validate().unwrap();
        let l2s = config.l2_chain_ids().into_iter().zip(9545..).map(|(id, port)| served(id, port)).collect();
        SupersimAdmin::new(config, &dependencies, 1_700_000_000, &served(L1_CHAIN_ID, 8545), l2s)
    }

    async fn call(module: &RpcModule<()>, method: &str, params: Value) -> Value {
        let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
        let (response, _) = module.raw_json_request(&request, 1).await.unwrap();
        serde_json::from_str(response.get()).unwrap()
    }

    #[test]
    fn a_forked_devnet_reports_the_forked_l1s_chain_id_and_each_chains_remote() {
        let mut config = DevnetConfig::default();
        config.fork.l1 = Some(crate::ForkTarget::parse("http://127.0.0.1:7545").unwrap());
        config.fork.l2s.insert(901, crate::ForkTarget::parse("http://127.0.0.1:7546").unwrap());
        let dependencies = config.validate().unwrap();
        let l2s = config.l2_chain_ids().into_iter().zip(9545..).map(|(id, port)| served(id, port)).collect();
        let admin = SupersimAdmin::new(&config, &dependencies, 1_700_000_000, &served(11_155_111, 8545), l2s);
        let value = serde_json::to_value(admin.network_config()).unwrap();
        let l2s = value["L2Configs"].as_array().unwrap();
        for l2 in l2s {
            assert_eq!(l2["L2Config"]["L1ChainID"], 11_155_111u64);
        }
        assert_eq!(value["L1Config"]["ChainID"], 11_155_111u64);
        assert_eq!(value["L1Config"]["ForkConfig"]["RPCUrl"], "http://127.0.0.1:7545");
        assert_eq!(l2s[0]["ForkConfig"]["RPCUrl"], "http://127.0.0.1:7546");
        assert_eq!(l2s[0]["ForkConfig"]["BlockNumber"], 0);
        // Chain 902 starts from its own genesis.
        assert!(l2s[1]["ForkConfig"].is_null());
    }

    #[test]
    fn the_config_has_supersims_field_names_and_the_devnets_values() {
        let config =
            DevnetConfig { l2_count: 3, dependency_set: Some(vec![901, 903]), ..DevnetConfig::default() };
        let value = serde_json::to_value(admin(&config).network_config()).unwrap();
        let keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        for key in
            ["L1Config", "L2StartingPort", "L2Configs", "InteropEnabled", "InteropAutoRelay", "InteropDelay"]
        {
            assert!(keys.contains(&key), "{key} missing from {value}");
        }
        let l1 = &value["L1Config"];
        assert_eq!(
            (l1["Name"].as_str(), l1["ChainID"].as_u64(), l1["Port"].as_u64()),
            (Some("Local"), Some(900), Some(8545))
        );
        assert_eq!(l1["BlockTime"], 12);
        assert!(l1["L2Config"].is_null() && l1["GenesisJSON"].is_null() && l1["ForkConfig"].is_null());
        assert_eq!(l1["SecretsConfig"]["Accounts"], 10);
        assert_eq!(l1["SecretsConfig"]["DerivationPath"], "m/44'/60'/0'/0");
        assert_eq!(l1["SecretsConfig"]["Mnemonic"], config.mnemonic);
        let l2s = value["L2Configs"].as_array().unwrap();
        let names: Vec<&str> = l2s.iter().map(|c| c["Name"].as_str().unwrap()).collect();
        assert_eq!(names, ["OPChainA", "OPChainB", "OPChainC"]);
        assert_eq!(l2s[1]["Port"], 9546);
        assert_eq!(l2s[0]["Host"], "127.0.0.1");
        assert_eq!(l2s[0]["StartingTimestamp"], 1_700_000_000u64);
        assert_eq!(l2s[0]["L2Config"]["L1ChainID"], 900);
        // The dependency set of each chain is the rest of the set; a chain outside it has none.
        assert_eq!(l2s[0]["L2Config"]["DependencySet"], json!([903]));
        assert_eq!(l2s[1]["L2Config"]["DependencySet"], json!([]));
        assert_eq!(l2s[2]["L2Config"]["DependencySet"], json!([901]));
        assert_eq!(
            l2s[0]["L2Config"]["L1Addresses"]["OptimismPortalProxy"],
            "0x6cd0121a4eeedb8f07007773e46b1aaac17e5e07"
        );
        assert_eq!(
            (value["InteropEnabled"].as_bool(), value["InteropAutoRelay"].as_bool()),
            (Some(true), Some(true))
        );
        assert_eq!(value["InteropDelay"], 0);
    }

    #[test]
    fn l1_addresses_name_the_bridge_and_zero_for_what_the_devnet_does_not_deploy() {
        let addresses = L1Addresses::of(902).checksummed();
        assert_eq!(addresses.len(), 9);
        let bridge = l1_bridge(902);
        let deployed = [
            ("OptimismPortalProxy", bridge.portal),
            ("L1CrossDomainMessengerProxy", bridge.l1_cross_domain_messenger),
            ("L1StandardBridgeProxy", bridge.l1_standard_bridge),
            ("OptimismMintableERC20FactoryProxy", bridge.optimism_mintable_erc20_factory),
        ];
        for (name, value) in &addresses {
            let expected = deployed.iter().find(|(n, _)| n == name).map_or(Address::ZERO, |(_, a)| *a);
            assert_eq!(value, &json!(expected.to_checksum(None)), "{name}");
        }
        // A chain beyond supersim's five gets the ruled addresses.
        assert_eq!(
            L1Addresses::of(906).optimism_portal_proxy,
            alloy_primitives::address!("0xb1d9e0010000000000000000000000000000038a")
        );
    }

    #[test]
    fn identifiers_take_hex_and_decimal_numbers_and_give_the_protocols_access_list() {
        let payload = Bytes::from_static(b"\x01\x02\x03");
        let param = json!({
            "origin": "0x4200000000000000000000000000000000000023",
            "blockNumber": "0x10",
            "logIndex": 2,
            "timestamp": "1700000000",
            "chainId": "0x385",
            "payload": payload,
        });
        let (identifier, msg_hash) = identifier_param(&param).unwrap();
        let expected = Identifier {
            origin: L2_TO_L2_CROSS_DOMAIN_MESSENGER,
            block_number: 16,
            log_index: 2,
            timestamp: 1_700_000_000,
            chain_id: U256::from(901),
        };
        assert_eq!(identifier, expected);
        assert_eq!(msg_hash, alloy_primitives::keccak256(&payload));
        let list = access_list_json(&identifier, msg_hash);
        assert_eq!(list["accessList"][0]["address"], "0x4200000000000000000000000000000000000022");
        assert_eq!(list["accessList"][0]["storageKeys"], json!(access_list_keys(&expected, msg_hash)));
    }

    #[test]
    fn incomplete_identifiers_are_refused() {
        let complete = json!({
            "origin": "0x4200000000000000000000000000000000000023",
            "blockNumber": 1, "logIndex": 0, "timestamp": 2, "chainId": 901, "payload": "0x01",
        });
        assert!(identifier_param(&complete).is_ok());
        for (field, bad) in [
            ("origin", Value::Null),
            ("origin", json!("0x0000000000000000000000000000000000000000")),
            ("blockNumber", Value::Null),
            ("logIndex", json!("0x100000000")),
            ("timestamp", json!("soon")),
            ("chainId", Value::Null),
            ("payload", json!("0x")),
        ] {
            let mut param = complete.clone();
            param[field] = bad.clone();
            let error = identifier_param(&param).unwrap_err();
            assert_eq!(error.code(), INVALID_PARAMS, "{field} = {bad}");
        }
    }

    #[test]
    fn big_numbers_stay_numbers() {
        assert_eq!(serde_json::to_string(&BigNumber(U256::from(7))).unwrap(), "7");
        let big = U256::from(1) << 200;
        assert_eq!(serde_json::to_string(&BigNumber(big)).unwrap(), big.to_string());
    }

    #[tokio::test]
    async fn the_methods_answer_with_supersims_codes() {
        let module = admin_module(admin(&DevnetConfig::default()), None);
        let answer = call(&module, "admin_getL1Addresses", json!([901])).await;
        assert_eq!(answer["result"]["OptimismPortalProxy"], l1_bridge(901).portal.to_checksum(None));
        let answer = call(&module, "admin_getL1Addresses", json!([903])).await;
        assert_eq!(
            (answer["error"]["code"].as_i64(), answer["error"]["message"].as_str()),
            (Some(-32602), Some("chain not found"))
        );
        let answer = call(&module, "admin_getConfig", json!([])).await;
        assert_eq!(answer["result"]["L2Configs"].as_array().unwrap().len(), 2);
        let unknown = B256::repeat_byte(0x42);
        let answer = call(&module, "admin_getL2ToL2MessageByMsgHash", json!([unknown])).await;
        assert_eq!(answer["error"]["code"], -32603, "{answer}");
        let answer = call(&module, "admin_getAccessListByMsgHash", json!([unknown])).await;
        assert_eq!(answer["error"]["code"], -32602, "{answer}");
        let answer = call(&module, "admin_getL2ToL2MessageByMsgHash", json!(["0x1234"])).await;
        assert_eq!(answer["error"]["code"], -32602, "{answer}");
        let answer = call(&module, "admin_getAccessListForIdentifier", json!([{ "origin": "0x01" }])).await;
        assert_eq!(answer["error"]["code"], -32602, "{answer}");
    }

    #[test]
    fn the_readiness_flag_is_shared_between_clones() {
        let readiness = Readiness::default();
        let probe = readiness.clone();
        assert!(!probe.is_ready());
        readiness.set_ready();
        assert!(probe.is_ready());
    }
}
