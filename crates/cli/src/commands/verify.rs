//! `superlink verify`: run the verifier against the chains' execution nodes.

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, time::Duration};

use clap::Args;
use superlink_dashboard::{Dashboard, DashboardConfig};
use superlink_protocol::DependencySet;
use superlink_verifier::{ChainId, DEFAULT_MAX_LAG_BLOCKS, MemoryOptions, ReadinessPolicy, VerifierConfig};

use crate::{error::CliError, parse, runtime};

/// Where the dependency set, the nodes and the index are, and where to serve.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The dependency set JSON: `{"dependencies": {"901": {}, "902": {}}, "overrideMessageExpiryWindow": 0}`.
    #[arg(long, value_name = "FILE")]
    deps: PathBuf,
    /// A chain's execution node, as `CHAIN_ID=URL`; one per chain of the dependency set.
    #[arg(long = "rpc", value_name = "CHAIN_ID=URL", required = true, value_parser = parse_rpc)]
    rpcs: Vec<(ChainId, String)>,
    /// Where the durable log index lives; a restart resumes from it.
    #[arg(long, default_value = "superlink-verifier")]
    datadir: PathBuf,
    /// The address the supervisor RPC listens on.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// The supervisor RPC port (HTTP and WebSocket); the dashboard is at `/` on the same port.
    #[arg(long, default_value_t = 8420)]
    port: u16,
    /// Serve Prometheus metrics on this port (same host).
    #[arg(long)]
    metrics_port: Option<u16>,
    /// Start indexing a chain at this block instead of genesis, as `CHAIN_ID=NUMBER`.
    #[arg(long = "start-block", value_name = "CHAIN_ID=NUMBER", value_parser = parse_start)]
    start_blocks: Vec<(ChainId, u64)>,
    /// Milliseconds between head polls once a chain is caught up.
    #[arg(long, default_value_t = 500)]
    poll_interval_ms: u64,
    /// A chain's rollup node (op-node's RPC, or a devnet L2's rollup port), as `CHAIN_ID=URL`: local-safe blocks,
    /// the L1 blocks they derive from and L1 finality come from it. Without one, a chain's node's `safe` and
    /// `finalized` tags are used.
    #[arg(long = "rollup-rpc", value_name = "CHAIN_ID=URL", value_parser = parse_rpc)]
    rollup_rpcs: Vec<(ChainId, String)>,
    /// Ready (`GET /ready` 200, checks answered) only while every chain's index is at most this many blocks
    /// behind the head its node reports, after a first pass up to that head.
    #[arg(long, default_value_t = DEFAULT_MAX_LAG_BLOCKS, value_name = "BLOCKS")]
    ready_max_lag: u64,
    /// Not ready when a chain's node has not answered a head poll for this long (such as 10s or 500ms).
    #[arg(long, default_value = "10s", value_parser = parse::duration, value_name = "DURATION")]
    ready_max_silence: Duration,
    /// Keep only this much of each chain below its heads in memory (such as 10m or 1h), instead of the whole
    /// message expiry window plus an hour; a message initiated before it is read from the durable index. For
    /// high message rates: memory holds the window's logs, and 7 days of 100,000 messages per second do not
    /// fit in memory.
    #[arg(long, value_parser = parse::duration, value_name = "DURATION")]
    memory_window: Option<Duration>,
}

fn chain_id(text: &str) -> Result<ChainId, String> {
    let id = parse::u256(text)?;
    ChainId::try_from(id)
        .map_err(|_| format!("chain ID `{text}` is larger than the verifier supports (64 bits)"))
}

fn parse_rpc(text: &str) -> Result<(ChainId, String), String> {
    let (chain, url) = text.split_once('=').ok_or_else(|| format!("`{text}` is not CHAIN_ID=URL"))?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!("`{url}` is not an http(s) URL"));
    }
    Ok((chain_id(chain)?, url.to_string()))
}

fn parse_start(text: &str) -> Result<(ChainId, u64), String> {
    let (chain, number) = text.split_once('=').ok_or_else(|| format!("`{text}` is not CHAIN_ID=NUMBER"))?;
    Ok((chain_id(chain)?, parse::u64(number)?))
}

/// Runs the verifier until Ctrl-C or SIGTERM.
pub fn run(args: VerifyArgs) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.deps)
        .map_err(|e| CliError::BadInput(format!("reading {}: {e}", args.deps.display())))?;
    let dependencies = DependencySet::from_json(&text)
        .map_err(|e| CliError::BadInput(format!("{}: {e}", args.deps.display())))?;
    let mut rpc_urls = BTreeMap::new();
    for (chain, url) in args.rpcs {
        if rpc_urls.insert(chain, url).is_some() {
            return Err(CliError::BadInput(format!("--rpc given twice for chain {chain}")));
        }
    }
    let mut rollup_rpc_urls = BTreeMap::new();
    for (chain, url) in args.rollup_rpcs {
        if !rpc_urls.contains_key(&chain) {
            return Err(CliError::BadInput(format!("--rollup-rpc names chain {chain}, which has no --rpc")));
        }
        if rollup_rpc_urls.insert(chain, url).is_some() {
            return Err(CliError::BadInput(format!("--rollup-rpc given twice for chain {chain}")));
        }
    }
    let mut config = VerifierConfig::new(dependencies, rpc_urls);
    config.rollup_rpc_urls = rollup_rpc_urls;
    config.datadir = args.datadir;
    config.listen_addr = SocketAddr::new(args.host, args.port);
    config.metrics_addr = args.metrics_port.map(|port| SocketAddr::new(args.host, port));
    config.start_blocks = args.start_blocks.into_iter().collect();
    config.poll_interval = Duration::from_millis(args.poll_interval_ms.max(1));
    config.readiness =
        ReadinessPolicy { max_lag_blocks: args.ready_max_lag, max_silence: args.ready_max_silence };
    config.memory = MemoryOptions { window: args.memory_window.map(|w| w.as_secs()) };
    let dashboard = DashboardConfig { rpc_urls: config.rpc_urls.clone(), ..DashboardConfig::default() };
    config.http_extension = Some(Dashboard::extension(dashboard));

    runtime::init_logging();
    let rt = runtime::build()?;
    rt.block_on(superlink_verifier::run(config, runtime::shutdown_signal()))
        .map_err(|e| CliError::Service(e.to_string()))
}
