//! `superlink devnet`: a local Superchain in one process (an L1, N interop L2 chains, the verifier and the
//! autorelayer), with a start-up banner or one JSON document describing it, until Ctrl-C or SIGTERM.
//! `superlink devnet fault ...` and `superlink devnet status` act on a running one instead
//! ([`super::devnet_control`]).

use std::{
    io::Write,
    net::{IpAddr, Ipv4Addr},
    path::PathBuf,
};

use clap::{Args, builder::BoolishValueParser};
use serde_json::{Value, json};
use superlink_contracts::{
    Contract,
    bridge_addresses::{self, L1Bridge},
};
use superlink_devnet::{Devnet, DevnetConfig, ForkConfig, ForkTarget, accounts, fork::parse_l2_fork};

use super::devnet_control::{self, DevnetCommand};
use crate::{error::CliError, runtime};

/// The example apps placed at genesis on every L2 (the other genesis contracts are the predeploys).
const EXAMPLE_APPS: [Contract; 2] = [Contract::CrossChainCounter, Contract::TestSuperchainERC20];

/// `superlink devnet`: the flags start a devnet; a subcommand acts on a running one instead (and takes none of
/// the start flags, so `superlink devnet --l2-count 3` still starts a devnet).
///
/// supersim's flags are accepted too, so scripts that start supersim start a devnet unchanged: `--l2.count`,
/// `--l1.port`, `--l2.starting.port` and `--admin.port` are aliases of ours, `--l1.host`/`--l2.host`,
/// `--interop.autorelay`, `--interop.delay`, `--logs.directory` and `--dependency.set '[901,902]'` are read as
/// supersim means them, each also from its `SUPERSIM_` environment variable. What the devnet cannot do
/// (`--odyssey.enabled`, `--interop.l2tol2cdm.override`, a non-zero `--interop.delay`, two different hosts) is
/// refused with the reason.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct DevnetArgs {
    #[command(subcommand)]
    command: Option<DevnetCommand>,
    #[command(flatten)]
    flags: DevnetFlags,
}

/// The flags that start a devnet (`superlink devnet` and `superlink devnet fork`).
#[derive(Debug, Args)]
pub struct DevnetFlags {
    /// How many interop L2 chains to run (chain IDs 901, 902, ...).
    #[arg(long, visible_alias = "l2.count", env = "SUPERSIM_L2_COUNT", default_value_t = 2)]
    l2_count: u32,
    /// The L1's JSON-RPC port (chain 900).
    #[arg(long, visible_alias = "l1.port", env = "SUPERSIM_L1_PORT", default_value_t = 8545)]
    l1_port: u16,
    /// The first L2's JSON-RPC port; the next L2s take the following ports.
    #[arg(
        long,
        visible_alias = "l2.starting.port",
        env = "SUPERSIM_L2_STARTING_PORT",
        default_value_t = 9545
    )]
    l2_starting_port: u16,
    /// The verifier's JSON-RPC port: the control port (supervisor API, supersim's admin API, dashboard).
    #[arg(long, visible_alias = "admin.port", env = "SUPERSIM_ADMIN_PORT", default_value_t = 8420)]
    verifier_port: u16,
    /// Seconds between L1 blocks.
    #[arg(long, value_name = "SECS", default_value_t = 12)]
    l1_block_time: u64,
    /// Seconds between L2 blocks (every L2 builds its block at the same timestamp).
    #[arg(long, value_name = "SECS", default_value_t = 2)]
    l2_block_time: u64,
    /// Do not relay messages automatically (relay them with `superlink relay`).
    #[arg(long)]
    no_autorelay: bool,
    /// supersim's autorelay switch. The autorelayer runs by default here (supersim's is off): the flag alone
    /// keeps it on, `--interop.autorelay=false` turns it off like `--no-autorelay`.
    #[arg(
        long = "interop.autorelay",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new(),
        env = "SUPERSIM_INTEROP_AUTORELAY"
    )]
    interop_autorelay: Option<bool>,
    /// supersim's relay delay in seconds; only 0 is supported (messages may be executed as soon as their source
    /// block is indexed).
    #[arg(long = "interop.delay", value_name = "SECS", env = "SUPERSIM_INTEROP_DELAY")]
    interop_delay: Option<u64>,
    /// The L2 chain IDs of the interop dependency set, comma-separated (default: every L2).
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    dependency_set: Option<Vec<u64>>,
    /// The dependency set in supersim's format, a JSON list such as '[901,902]' (the same as --dependency-set).
    #[arg(
        long = "dependency.set",
        value_name = "JSON",
        value_parser = parse_json_chain_list,
        env = "SUPERSIM_DEPENDENCY_SET",
        conflicts_with = "dependency_set"
    )]
    json_dependency_set: Option<ChainList>,
    /// The first L2's rollup-node RPC port (op-node's `optimism_*` methods); the next L2s take the following
    /// ports.
    #[arg(long, default_value_t = 19545)]
    rollup_starting_port: u16,
    /// L1 blocks between two batches of each L2.
    #[arg(long, value_name = "BLOCKS", default_value_t = 1)]
    batch_interval: u64,
    /// One batcher posts every L2's batches in one L1 transaction (a meta-batch), so all chains become
    /// local-safe in the same L1 block.
    #[arg(long)]
    shared_batcher: bool,
    /// L1 blocks within which an L2 block's batch must land, or the block is replaced by a deposits-only block.
    #[arg(long, value_name = "BLOCKS", default_value_t = superlink_devnet::config::DEFAULT_SEQUENCING_WINDOW)]
    sequencing_window: u64,
    /// How many blocks behind the L1 head L1 blocks are finalized.
    #[arg(long, value_name = "BLOCKS", default_value_t = superlink_devnet::config::DEFAULT_L1_FINALITY_DEPTH)]
    l1_finality_depth: u64,
    /// The address every server listens on (an IP address or `localhost`) [default: 127.0.0.1].
    #[arg(long, value_name = "HOST", value_parser = parse_host)]
    host: Option<IpAddr>,
    /// supersim's L1 address; superlink serves every chain on one address, so it must equal --l2.host.
    #[arg(long = "l1.host", value_name = "HOST", value_parser = parse_host, env = "SUPERSIM_L1_HOST")]
    l1_host: Option<IpAddr>,
    /// supersim's L2 address; superlink serves every chain on one address, so it must equal --l1.host.
    #[arg(long = "l2.host", value_name = "HOST", value_parser = parse_host, env = "SUPERSIM_L2_HOST")]
    l2_host: Option<IpAddr>,
    /// Also write the log to `superlink-devnet.log` in this directory (created if missing); supersim's flag.
    #[arg(long = "logs.directory", value_name = "DIR", env = "SUPERSIM_LOGS_DIRECTORY")]
    logs_directory: Option<PathBuf>,
    /// Exists only to test challengers: the L2 CHAIN_ID serves block BLOCK's header with a wrong `stateRoot`
    /// over JSON-RPC (everything inside the devnet sees the true block), so that
    /// `superlink proof check --reexecute` can be seen catching a node that lies.
    #[arg(long, value_name = "CHAIN_ID:BLOCK", hide = true, value_parser = parse_chain_block)]
    fault_tamper_state_root: Option<(u64, u64)>,
    /// supersim's Odyssey switch: not supported (only `=false` is accepted).
    #[arg(
        long = "odyssey.enabled",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        value_parser = BoolishValueParser::new(),
        env = "SUPERSIM_ODYSSEY_ENABLED",
        hide = true
    )]
    odyssey_enabled: Option<bool>,
    /// supersim's replacement of the messenger predeploy: not supported.
    #[arg(
        long = "interop.l2tol2cdm.override",
        value_name = "ARTIFACT",
        env = "SUPERSIM_INTEROP_L2TO2CDM_OVERRIDE",
        hide = true
    )]
    l2tol2cdm_override: Option<String>,
    /// Seconds a withdrawal proof must wait on the L1 before the withdrawal can be finalized (every portal's
    /// proof maturity delay).
    #[arg(long, value_name = "SECS", default_value_t = superlink_devnet::config::DEFAULT_PROOF_MATURITY_DELAY)]
    proof_maturity_delay: u64,
    /// Seconds after its proposal before an output root can be used to finalize a withdrawal (every portal's
    /// dispute game finality delay).
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    dispute_game_finality_delay: u64,
    /// Seconds between two rounds of the proposer, which posts the output root of each L2's safe head to its
    /// DisputeGameFactory on the L1 when it moved (0: no proposer).
    #[arg(long, value_name = "SECS", default_value_t = superlink_devnet::config::DEFAULT_PROPOSAL_INTERVAL)]
    proposal_interval: u64,
    /// Start from the state saved in FILE by `--dump-state`: every chain (blocks, receipts, balances,
    /// storage, pools), so the devnet goes on where it stopped. The other flags must describe the same devnet
    /// (L2 count, dependency set, L2 block time, batcher, sequencing window); another one's file is refused.
    #[arg(long, value_name = "FILE")]
    load_state: Option<PathBuf>,
    /// Save every chain to FILE when the devnet stops (Ctrl-C or SIGTERM), for `--load-state`. Written
    /// atomically: a failed save leaves an existing FILE as it was.
    #[arg(long, value_name = "FILE")]
    dump_state: Option<PathBuf>,
    /// anvil's `--state`: load FILE if it exists, and save to it when the devnet stops.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["load_state", "dump_state"])]
    state: Option<PathBuf>,
    /// Print one JSON document describing the devnet instead of the banner.
    #[arg(long)]
    json: bool,
    /// Fork mode (`superlink devnet fork`): the L1 starts from the state of the chain served at URL, at BLOCK
    /// (else --fork-block, else its latest block), and keeps that chain's ID.
    #[arg(long, value_name = "URL[@BLOCK]", value_parser = ForkTarget::parse)]
    l1_fork_url: Option<ForkTarget>,
    /// Fork mode (`superlink devnet fork`): L2 CHAIN_ID starts from the state of that chain served at URL, at
    /// BLOCK (else --fork-block, else its latest block); repeat for more L2s. The node must serve CHAIN_ID.
    #[arg(long, value_name = "CHAIN_ID=URL[@BLOCK]", value_parser = parse_l2_fork)]
    l2_fork: Vec<(u64, ForkTarget)>,
    /// Fork mode (`superlink devnet fork`): the block every forked chain without its own `@BLOCK` starts from.
    #[arg(long, value_name = "BLOCK", value_parser = crate::parse::u64)]
    fork_block: Option<u64>,
    /// Fork mode (`superlink devnet fork`): how long one request to a forked chain's node may take.
    #[arg(long, value_name = "SECS", default_value_t = superlink_devnet::fork::DEFAULT_FORK_TIMEOUT.as_secs())]
    fork_timeout: u64,
}

/// The address the devnet listens on when none is given.
const DEFAULT_HOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// A list of chain IDs given as a JSON list (supersim's `--dependency.set` format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainList(Vec<u64>);

/// Parses supersim's `'[901,902]'`. supersim's empty list, `'[]'` (no chain may execute another's messages), is
/// refused: superlink's verifier needs at least one chain to follow.
fn parse_json_chain_list(text: &str) -> Result<ChainList, String> {
    let ids: Vec<u64> = serde_json::from_str(text.trim())
        .map_err(|e| format!("expected a JSON list of chain IDs such as '[901,902]': {e}"))?;
    if ids.is_empty() {
        return Err(
            "an empty dependency set ('[]') is not supported: superlink's verifier follows at least one \
                    chain; list the chains that may message each other, such as '[901,902]'"
                .to_string(),
        );
    }
    if ids.contains(&0) {
        return Err("chain ID 0 cannot be in the dependency set".to_string());
    }
    Ok(ChainList(ids))
}

/// Parses a listen address: an IP address, or `localhost` (127.0.0.1), as supersim's scripts give it.
fn parse_host(text: &str) -> Result<IpAddr, String> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(DEFAULT_HOST);
    }
    text.parse().map_err(|_| format!("`{text}` is not an IP address (or `localhost`)"))
}

impl DevnetArgs {
    /// The devnet the flags describe ([`DevnetFlags::config`]).
    #[cfg(test)]
    fn config(&self) -> Result<DevnetConfig, String> {
        self.flags.config()
    }
}

impl DevnetFlags {
    /// The devnet these flags describe, or why supersim's flags among them ask for something it cannot do.
    fn config(&self) -> Result<DevnetConfig, String> {
        if self.odyssey_enabled == Some(true) {
            return Err(
                "--odyssey.enabled is not supported: superlink's chains run the OP Stack without Odyssey's \
                        experimental features"
                    .into(),
            );
        }
        if let Some(path) = self.l2tol2cdm_override.as_deref().filter(|p| !p.is_empty()) {
            return Err(format!(
                "--interop.l2tol2cdm.override {path} is not supported: the L2ToL2CrossDomainMessenger predeploy is \
                 superlink's own and cannot be replaced"
            ));
        }
        if let Some(delay) = self.interop_delay.filter(|d| *d != 0) {
            return Err(format!(
                "--interop.delay {delay} is not supported: superlink executes messages as soon as their source block \
                 is indexed; only --interop.delay 0 is accepted"
            ));
        }
        let autorelay = match (self.no_autorelay, self.interop_autorelay) {
            (true, Some(true)) => {
                return Err("--no-autorelay and --interop.autorelay contradict each other".into());
            }
            (true, _) | (false, Some(false)) => false,
            (false, _) => true,
        };
        let mut hosts = [("--host", self.host), ("--l1.host", self.l1_host), ("--l2.host", self.l2_host)]
            .into_iter()
            .filter_map(|(flag, host)| host.map(|h| (flag, h)));
        let host = match hosts.next() {
            Some((first_flag, first)) => {
                if let Some((flag, other)) = hosts.find(|(_, h)| *h != first) {
                    return Err(format!(
                        "{first_flag} {first} and {flag} {other} differ: superlink serves the L1 and every L2 on one \
                         address"
                    ));
                }
                first
            }
            None => DEFAULT_HOST,
        };
        let dependency_set = self
            .json_dependency_set
            .as_ref()
            .map(|list| list.0.clone())
            .or_else(|| self.dependency_set.clone());
        Ok(DevnetConfig {
            l2_count: self.l2_count,
            l1_port: self.l1_port,
            l2_starting_port: self.l2_starting_port,
            verifier_port: self.verifier_port,
            l1_block_time: self.l1_block_time,
            l2_block_time: self.l2_block_time,
            autorelay,
            dependency_set,
            host,
            rollup_starting_port: self.rollup_starting_port,
            batch_interval: self.batch_interval,
            shared_batcher: self.shared_batcher,
            sequencing_window: self.sequencing_window,
            l1_finality_depth: self.l1_finality_depth,
            logs_directory: self.logs_directory.clone().filter(|d| !d.as_os_str().is_empty()),
            fork: self.fork_config()?,
            proof_maturity_delay: self.proof_maturity_delay,
            dispute_game_finality_delay: self.dispute_game_finality_delay,
            proposal_interval: self.proposal_interval,
            tampered_state_root: self.fault_tamper_state_root,
            load_state: self.load_state.clone().or_else(|| self.state.clone().filter(|path| path.exists())),
            dump_state: self.dump_state.clone().or_else(|| self.state.clone()),
            ..DevnetConfig::default()
        })
    }

    /// The chains to fork (empty without the fork flags).
    fn fork_config(&self) -> Result<ForkConfig, String> {
        let mut fork = ForkConfig {
            l1: self.l1_fork_url.clone(),
            block: self.fork_block,
            timeout: std::time::Duration::from_secs(self.fork_timeout.max(1)),
            ..ForkConfig::default()
        };
        for (chain_id, target) in &self.l2_fork {
            if fork.l2s.insert(*chain_id, target.clone()).is_some() {
                return Err(format!("--l2-fork names chain {chain_id} twice"));
            }
        }
        Ok(fork)
    }

    fn has_fork_flags(&self) -> bool {
        self.l1_fork_url.is_some() || !self.l2_fork.is_empty() || self.fork_block.is_some()
    }
}

/// `superlink devnet fork`: a devnet with forked chains. At least one chain must be forked.
pub fn run_fork(args: DevnetFlags) -> Result<(), CliError> {
    if args.l1_fork_url.is_none() && args.l2_fork.is_empty() {
        return Err(CliError::BadInput(
            "`superlink devnet fork` needs --l1-fork-url URL or --l2-fork CHAIN_ID=URL (or both)".into(),
        ));
    }
    start(args)
}

/// Starts the devnet, describes it on standard output, and runs it until a shutdown signal; or runs the
/// subcommand against a running devnet.
pub fn run(mut args: DevnetArgs) -> Result<(), CliError> {
    if let Some(command) = args.command.take() {
        return devnet_control::run(command);
    }
    if args.flags.has_fork_flags() {
        return Err(CliError::BadInput(
            "the fork flags start a forked devnet: use `superlink devnet fork --l2-fork ...`".into(),
        ));
    }
    start(args.flags)
}

/// Starts the devnet the flags describe and runs it until a shutdown signal.
fn start(args: DevnetFlags) -> Result<(), CliError> {
    let config = args.config().map_err(CliError::BadInput)?;
    config.validate().map_err(|e| CliError::BadInput(e.to_string()))?;
    match &config.logs_directory {
        Some(dir) => runtime::init_logging_to(dir)?,
        None => runtime::init_logging(),
    }
    let rt = runtime::build()?;
    rt.block_on(async move {
        let devnet = Devnet::start(config).await.map_err(|e| CliError::Service(e.to_string()))?;
        let description = describe(&devnet);
        let text = if args.json { serde_json::to_string_pretty(&description)? } else { banner(&devnet) };
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}")?;
        stdout.flush()?;
        drop(stdout);
        runtime::shutdown_signal().await;
        devnet.shutdown().await.map_err(|e| CliError::Service(e.to_string()))
    })
}

fn genesis_contracts(example_apps: bool) -> impl Iterator<Item = (Contract, alloy_primitives::Address)> {
    Contract::ALL
        .into_iter()
        .filter(move |c| EXAMPLE_APPS.contains(c) == example_apps)
        .filter_map(|c| c.genesis_address().map(|address| (c, address)))
}

/// The L1 contracts of one L2's standard bridge, under the names of viem's OP Stack chain definitions.
fn bridge_json(bridge: &L1Bridge) -> Value {
    json!({
        "portal": bridge.portal.to_string(),
        "l1CrossDomainMessenger": bridge.l1_cross_domain_messenger.to_string(),
        "l1StandardBridge": bridge.l1_standard_bridge.to_string(),
        "disputeGameFactory": bridge.dispute_game_factory.to_string(),
        "optimismMintableErc20Factory": bridge.optimism_mintable_erc20_factory.to_string(),
    })
}

/// The L2 side of the standard bridge and supersim's test token, the same on every L2.
fn l2_bridge_contracts() -> [(&'static str, alloy_primitives::Address); 5] {
    [
        ("L2CrossDomainMessenger", bridge_addresses::L2_CROSS_DOMAIN_MESSENGER),
        ("L2StandardBridge", bridge_addresses::L2_STANDARD_BRIDGE),
        ("OptimismMintableERC20Factory", bridge_addresses::OPTIMISM_MINTABLE_ERC20_FACTORY),
        ("L2ToL1MessagePasser", superlink_contracts::addresses::L2_TO_L1_MESSAGE_PASSER),
        ("L2NativeSuperchainERC20", bridge_addresses::L2_NATIVE_SUPERCHAIN_ERC20),
    ]
}

/// The devnet as one JSON document: chains (each L2 with its L1 deposit portal and standard bridge), verifier,
/// contracts, accounts.
fn describe(devnet: &Devnet) -> Value {
    let config = devnet.config();
    let chain = |c: &superlink_devnet::DevnetChain| {
        let mut entry = json!({ "chainId": c.chain_id, "rpcUrl": c.url, "wsUrl": c.ws_url });
        let is_l1 = c.chain_id == devnet.l1().chain_id && c.url == devnet.l1().url;
        let target = if is_l1 { config.fork.l1.as_ref() } else { config.fork.l2s.get(&c.chain_id) };
        if let Some(target) = target {
            let block = c.service.read().first_number();
            entry["forkedFrom"] = json!({ "url": target.url, "block": block });
        }
        entry
    };
    let l2 = |c: &superlink_devnet::DevnetChain| {
        let mut entry = chain(c);
        if let Some(portal) = devnet.deposit_portal(c.chain_id) {
            entry["l1Portal"] = json!(portal.to_string());
        }
        if let Some(bridge) = devnet.l1_bridge(c.chain_id) {
            entry["l1Bridge"] = bridge_json(&bridge);
        }
        if let Some(aliases) = bridge_addresses::l1_bridge_aliases(c.chain_id) {
            entry["l1BridgeSupersimGenesis"] = bridge_json(&aliases);
        }
        if let Some(url) = &c.rollup_url {
            entry["rollupRpcUrl"] = json!(url);
        }
        entry
    };
    let contracts = |apps: bool| {
        genesis_contracts(apps)
            .map(|(c, a)| (c.name().to_string(), json!(a.to_string())))
            .collect::<serde_json::Map<_, _>>()
    };
    let accounts: Vec<Value> = devnet
        .accounts()
        .iter()
        .map(|s| {
            json!({
                "address": s.address().to_string(),
                "privateKey": accounts::private_key_hex(s),
                "balance": accounts::ether(config.balance_ether).to_string(),
            })
        })
        .collect();
    let dependency_set: Vec<String> =
        devnet.dependency_set().chain_ids().iter().map(|id| id.to_string()).collect();
    json!({
        "l1": chain(devnet.l1()),
        "l2s": devnet.l2s().iter().map(l2).collect::<Vec<_>>(),
        "verifier": { "rpcUrl": devnet.verifier_url() },
        "dependencySet": dependency_set,
        "blockTimes": { "l1": config.l1_block_time, "l2": config.l2_block_time },
        "batching": {
            "batchInterval": config.batch_interval,
            "sharedBatcher": config.shared_batcher,
            "sequencingWindow": config.sequencing_window,
            "l1FinalityDepth": config.l1_finality_depth,
        },
        "autorelay": devnet.relayer_account().map(|a| json!({ "account": a.to_string() })),
        "bridge": {
            "proofMaturityDelay": config.proof_maturity_delay,
            "disputeGameFinalityDelay": config.dispute_game_finality_delay,
            "proposalInterval": config.proposal_interval,
            "proposer": accounts::proposer().address().to_string(),
            "l2Contracts": l2_bridge_contracts()
                .into_iter()
                .map(|(name, a)| (name.to_string(), json!(a.to_string())))
                .collect::<serde_json::Map<_, _>>(),
        },
        "predeploys": contracts(false),
        "exampleApps": contracts(true),
        "accounts": accounts,
        "mnemonic": config.mnemonic,
    })
}

/// The start-up banner.
fn banner(devnet: &Devnet) -> String {
    let config = devnet.config();
    let mut text = format!("superlink devnet {}\n\n", env!("CARGO_PKG_VERSION"));
    text.push_str("Chains (JSON-RPC over HTTP and WebSocket on each port)\n==================\n");
    text.push_str(&format!(
        "L1  chain {:<6} {}  (block time {} s)\n",
        devnet.l1().chain_id,
        devnet.l1().url,
        config.l1_block_time
    ));
    for chain in devnet.l2s() {
        text.push_str(&format!(
            "L2  chain {:<6} {}  (block time {} s)\n",
            chain.chain_id, chain.url, config.l2_block_time
        ));
    }
    let forked = config
        .fork
        .l1
        .iter()
        .map(|t| (devnet.l1(), t))
        .chain(devnet.l2s().iter().filter_map(|c| config.fork.l2s.get(&c.chain_id).map(|t| (c, t))));
    for (chain, target) in forked {
        let block = chain.service.read().first_number();
        text.push_str(&format!(
            "    chain {:<6} forked from {} at block {block}\n",
            chain.chain_id, target.url
        ));
    }
    text.push_str("\nRollup nodes (optimism_* RPC: sync status, output roots, safe head per L1 block)\n==================\n");
    for chain in devnet.l2s() {
        if let Some(url) = &chain.rollup_url {
            text.push_str(&format!("L2  chain {:<6} {url}\n", chain.chain_id));
        }
    }
    let batcher =
        if config.shared_batcher { "one shared batcher (meta-batches)" } else { "a batcher per L2" };
    text.push_str(&format!(
        "\nSafety from the L1: {batcher}, a batch every {} L1 block(s), sequencing window {} L1 blocks, L1 \
         finality {} blocks behind the head\n",
        config.batch_interval, config.sequencing_window, config.l1_finality_depth
    ));
    let set: Vec<String> = devnet.dependency_set().chain_ids().iter().map(|id| id.to_string()).collect();
    text.push_str(&format!("\nVerifier (supervisor RPC): {}\n", devnet.verifier_url()));
    text.push_str(&format!("Dashboard: {}/\n", devnet.verifier_url()));
    text.push_str(&format!("Dependency set: {}\n", set.join(", ")));
    match devnet.relayer_account() {
        Some(account) => text.push_str(&format!("Autorelayer: on, paying from {account}\n")),
        None => text.push_str("Autorelayer: off (relay with `superlink relay`)\n"),
    }
    text.push_str("\nDeposit portals on the L1 (send ETH or call depositTransaction to reach the L2)\n==================\n");
    for chain in devnet.l2s() {
        if let Some(portal) = devnet.deposit_portal(chain.chain_id) {
            text.push_str(&format!("{portal}  -> chain {}\n", chain.chain_id));
        }
    }
    let proposer = if config.proposal_interval == 0 {
        "no proposer".to_string()
    } else {
        format!("safe output roots proposed every {} s", config.proposal_interval)
    };
    text.push_str(&format!(
        "\nOP Stack standard bridge on the L1 (proof maturity {} s, game finality {} s, {proposer})\n\
         ==================\n",
        config.proof_maturity_delay, config.dispute_game_finality_delay
    ));
    for chain in devnet.l2s() {
        let Some(bridge) = devnet.l1_bridge(chain.chain_id) else { continue };
        let aliases = bridge_addresses::l1_bridge_aliases(chain.chain_id);
        text.push_str(&format!("chain {}\n", chain.chain_id));
        let names = [
            "OptimismPortal",
            "L1CrossDomainMessenger",
            "L1StandardBridge",
            "DisputeGameFactory",
            "OptimismMintableERC20Factory",
        ];
        for (i, (name, address)) in names.into_iter().zip(bridge.all()).enumerate() {
            let also = aliases.map(|a| format!("  (also {})", a.all()[i])).unwrap_or_default();
            text.push_str(&format!("  {name:<30} {address}{also}\n"));
        }
    }
    text.push_str("\nPredeploys (every L2)\n==================\n");
    for (contract, address) in genesis_contracts(false) {
        text.push_str(&format!("{address}  {contract}\n"));
    }
    for (contract, address) in l2_bridge_contracts() {
        if contract != "L2ToL1MessagePasser" {
            text.push_str(&format!("{address}  {contract}\n"));
        }
    }
    text.push_str("\nExample apps (every L2)\n==================\n");
    for (contract, address) in genesis_contracts(true) {
        text.push_str(&format!("{address}  {contract}\n"));
    }
    text.push('\n');
    text.push_str(&accounts::banner(devnet.accounts(), config.balance_ether));
    text.push_str(&format!("\nMnemonic: {}\n", config.mnemonic));
    text
}

/// Parses `CHAIN_ID:BLOCK`.
fn parse_chain_block(text: &str) -> Result<(u64, u64), String> {
    let (chain, block) =
        text.split_once(':').ok_or_else(|| format!("expected CHAIN_ID:BLOCK, got {text:?}"))?;
    Ok((crate::parse::u64(chain.trim())?, crate::parse::u64(block.trim())?))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;
    use crate::{
        Cli,
        commands::{
            Command,
            devnet_control::{DEFAULT_CONTROL_URL, FaultCommand},
        },
    };

    fn parse(args: &[&str]) -> Result<DevnetArgs, clap::Error> {
        let cli = Cli::try_parse_from(["superlink", "devnet"].iter().chain(args))?;
        match cli.command {
            Command::Devnet(args) => Ok(*args),
            other => panic!("`superlink devnet {args:?}` parsed as {other:?}"),
        }
    }

    fn fault(args: &[&str]) -> FaultCommand {
        match parse(args).unwrap().command {
            Some(DevnetCommand::Fault(fault)) => fault,
            other => panic!("`superlink devnet {args:?}` is no fault: {other:?}"),
        }
    }

    #[test]
    fn fork_takes_the_devnet_flags_and_the_chains_to_fork() {
        let args = [
            "fork",
            "--l2-count",
            "3",
            "--l1-fork-url",
            "http://127.0.0.1:8545",
            "--l2-fork",
            "901=http://127.0.0.1:9545@12",
            "--fork-block",
            "7",
        ];
        let Some(DevnetCommand::Fork(flags)) = parse(&args).unwrap().command else { panic!("not a fork") };
        let config = flags.config().unwrap();
        assert_eq!(config.l2_count, 3);
        assert_eq!(config.fork.block, Some(7));
        assert_eq!(config.fork.l1.unwrap().url, "http://127.0.0.1:8545");
        assert_eq!(config.fork.l2s[&901].block, Some(12));
        assert!(parse(&["--l2-fork", "901=http://127.0.0.1:9545"]).unwrap().flags.has_fork_flags());
        assert!(parse(&["fork", "--l2-fork", "http://127.0.0.1:9545"]).is_err(), "the chain ID is required");
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn devnet_without_a_subcommand_starts_a_devnet_with_its_flags() {
        let args =
            parse(&["--l2-count", "3", "--verifier-port", "9420", "--no-autorelay", "--json"]).unwrap();
        assert!(args.command.is_none());
        assert!(args.flags.json);
        let config = args.config().unwrap();
        assert_eq!((config.l2_count, config.verifier_port, config.autorelay), (3, 9420, false));
        assert!(parse(&[]).unwrap().command.is_none());
    }

    #[test]
    fn supersims_flags_start_the_same_devnet_as_ours() {
        let supersim = parse(&[
            "--l2.count",
            "3",
            "--l1.port",
            "18545",
            "--l2.starting.port",
            "19600",
            "--admin.port",
            "18420",
            "--l1.host",
            "127.0.0.1",
            "--l2.host",
            "localhost",
            "--dependency.set",
            "[901, 903]",
            "--interop.delay",
            "0",
            "--logs.directory",
            "devnet-logs",
        ])
        .unwrap()
        .config()
        .unwrap();
        let ours = parse(&[
            "--l2-count",
            "3",
            "--l1-port",
            "18545",
            "--l2-starting-port",
            "19600",
            "--verifier-port",
            "18420",
            "--host",
            "127.0.0.1",
            "--dependency-set",
            "901,903",
        ])
        .unwrap()
        .config()
        .unwrap();
        assert_eq!(supersim.logs_directory, Some(PathBuf::from("devnet-logs")));
        assert_eq!(DevnetConfig { logs_directory: None, ..supersim }, ours);
    }

    #[test]
    fn state_loads_the_file_when_it_exists_and_always_dumps_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("devnet.json");
        let file = path.to_str().unwrap();
        let config = parse(&["--state", file]).unwrap().config().unwrap();
        assert_eq!((config.load_state, config.dump_state.as_deref()), (None, Some(path.as_path())));
        std::fs::write(&path, b"{}").unwrap();
        let config = parse(&["--state", file]).unwrap().config().unwrap();
        assert_eq!(config.load_state.as_deref(), Some(path.as_path()));
        let config = parse(&["--load-state", "a.json", "--dump-state", "b.json"]).unwrap().config().unwrap();
        assert_eq!(config.load_state, Some(PathBuf::from("a.json")));
        assert_eq!(config.dump_state, Some(PathBuf::from("b.json")));
        assert!(parse(&["--state", file, "--dump-state", "b.json"]).is_err());
    }

    #[test]
    fn the_autorelayer_stays_on_unless_a_flag_turns_it_off() {
        let autorelay = |args: &[&str]| parse(args).unwrap().config().map(|c| c.autorelay);
        assert_eq!(autorelay(&[]), Ok(true));
        assert_eq!(autorelay(&["--interop.autorelay"]), Ok(true));
        assert_eq!(autorelay(&["--interop.autorelay=true"]), Ok(true));
        assert_eq!(autorelay(&["--interop.autorelay=false"]), Ok(false));
        assert_eq!(autorelay(&["--no-autorelay"]), Ok(false));
        assert_eq!(autorelay(&["--no-autorelay", "--interop.autorelay=false"]), Ok(false));
        let error = autorelay(&["--no-autorelay", "--interop.autorelay"]).unwrap_err();
        assert!(error.contains("contradict"), "{error}");
    }

    #[test]
    fn what_the_devnet_cannot_do_is_refused_with_the_reason() {
        let refusal = |args: &[&str]| parse(args).unwrap().config().unwrap_err();
        for (args, reason) in [
            (&["--odyssey.enabled"][..], "--odyssey.enabled is not supported"),
            (&["--odyssey.enabled=true"], "--odyssey.enabled is not supported"),
            (&["--interop.l2tol2cdm.override", "cdm.json"], "cannot be replaced"),
            (&["--interop.delay", "5"], "--interop.delay 5 is not supported"),
            (
                &["--l1.host", "127.0.0.1", "--l2.host", "0.0.0.0"],
                "superlink serves the L1 and every L2 on one",
            ),
            (
                &["--host", "0.0.0.0", "--l1.host", "127.0.0.1"],
                "--host 0.0.0.0 and --l1.host 127.0.0.1 differ",
            ),
        ] {
            let error = refusal(args);
            assert!(error.contains(reason), "{args:?}: {error}");
        }
        assert!(parse(&["--odyssey.enabled=false"]).unwrap().config().is_ok());
        assert_eq!(parse(&["--l2.host", "0.0.0.0"]).unwrap().config().unwrap().host.to_string(), "0.0.0.0");
    }

    #[test]
    fn malformed_supersim_flags_are_usage_errors() {
        for (args, reason) in [
            (&["--dependency.set", "[]"][..], "empty dependency set"),
            (&["--dependency.set", "901,902"], "JSON list of chain IDs"),
            (&["--dependency.set", "[901]", "--dependency-set", "901"], "cannot be used with"),
            (&["--l1.host", "my-laptop"], "not an IP address"),
            (&["--interop.autorelay=maybe"], "invalid value"),
            (&["--chains", "op,base"], "unexpected argument"),
        ] {
            let error = parse(args).unwrap_err();
            assert!(error.use_stderr(), "{args:?} should be an error: {error}");
            assert!(error.to_string().contains(reason), "{args:?}: {error}");
        }
        let list = parse(&["--dependency.set", " [901,902] "]).unwrap().config().unwrap().dependency_set;
        assert_eq!(list, Some(vec![901, 902]));
    }

    #[test]
    fn devnet_help_still_lists_the_start_flags_next_to_the_subcommands() {
        let mut cli = Cli::command();
        let help = cli.find_subcommand_mut("devnet").unwrap().render_long_help().to_string();
        for item in [
            "--l2-count",
            "--l1-port",
            "--verifier-port",
            "--dependency-set",
            "--json",
            "fault",
            "status",
            "l2.count",
            "admin.port",
            "--interop.autorelay",
            "--dependency.set",
        ] {
            assert!(help.contains(item), "`superlink devnet --help` lacks {item}:\n{help}");
        }
    }

    #[test]
    fn fault_commands_take_chain_ids_and_depths_in_decimal_or_hex() {
        match fault(&["fault", "halt-batcher", "901"]) {
            FaultCommand::HaltBatcher(a) => assert_eq!(a.chain_id, 901),
            other => panic!("{other:?}"),
        }
        match fault(&["fault", "resume-batcher", "0x386"]) {
            FaultCommand::ResumeBatcher(a) => assert_eq!(a.chain_id, 902),
            other => panic!("{other:?}"),
        }
        match fault(&["fault", "inject-invalid-message", "901", "--json"]) {
            FaultCommand::InjectInvalidMessage(a) => assert!(a.chain_id == 901 && a.control.json),
            other => panic!("{other:?}"),
        }
        match fault(&["fault", "reorg-l1", "3"]) {
            FaultCommand::ReorgL1(a) => assert_eq!(a.depth, 3),
            other => panic!("{other:?}"),
        }
        match fault(&["fault", "reorg-l2", "902", "2", "--control-url", "http://10.0.0.7:8420"]) {
            FaultCommand::ReorgL2(a) => {
                assert_eq!((a.chain_id, a.depth), (902, 2));
                assert_eq!(a.control.control_url, "http://10.0.0.7:8420");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn status_asks_the_default_control_port_unless_told_otherwise() {
        match parse(&["status"]).unwrap().command {
            Some(DevnetCommand::Status(control)) => {
                assert_eq!(control.control_url, DEFAULT_CONTROL_URL);
                assert!(!control.json);
            }
            other => panic!("{other:?}"),
        }
        match parse(&["status", "--json", "--control-url", "http://127.0.0.1:9999"]).unwrap().command {
            Some(DevnetCommand::Status(control)) => {
                assert_eq!(control.control_url, "http://127.0.0.1:9999");
                assert!(control.json);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_fault_commands_are_usage_errors() {
        for args in [
            &["fault", "halt-batcher"][..],
            &["fault", "halt-batcher", "chain-a"],
            &["fault", "reorg-l2", "902"],
            &["fault", "reorg-l1", "-1"],
            &["fault", "drop-chain", "901"],
            // Start flags belong to starting a devnet, not to the commands that act on a running one.
            &["--l2-count", "3", "status"],
        ] {
            let error = parse(args).unwrap_err();
            assert_ne!(error.exit_code(), 0, "{args:?}");
            assert!(error.use_stderr(), "{args:?} should be an error, not help: {error}");
        }
        let error = parse(&["fault", "halt-batcher", "chain-a"]).unwrap_err().to_string();
        assert!(error.contains("`chain-a` is not a number"), "{error}");
    }
}
