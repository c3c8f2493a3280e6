//! The verifier service the `superlink verify` command runs: open the index, serve RPC (with `GET /ready`) and
//! metrics, follow every chain until shutdown, then stop cleanly. The service tracks readiness
//! ([`ReadinessPolicy`]): it refuses checks until it has caught up with every chain.

use std::{collections::BTreeMap, future::Future, net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use superlink_protocol::DependencySet;
use tokio::{sync::watch, task::JoinSet};
use tracing::{error, info, warn};

use crate::{
    chain_data::ChainId,
    error::VerifierError,
    follower::{FollowConfig, follow_chain},
    metrics::install_exporter,
    observe::HttpExtension,
    readiness::ReadinessPolicy,
    ready_probe::{ReadyProbe, ready_layer},
    rollup::{RollupRpcSource, follow_derivation},
    rpc_source::RpcChainSource,
    server::serve_with,
    state::chain_ids,
    verifier::{MemoryOptions, Verifier},
};

/// How long one request to a rollup node may take.
const ROLLUP_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything the verifier service needs.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// The dependency set: the chains to follow.
    pub dependencies: DependencySet,
    /// The JSON-RPC URL of each chain's node.
    pub rpc_urls: BTreeMap<ChainId, String>,
    /// Where the durable index lives.
    pub datadir: PathBuf,
    /// The RPC listen address (HTTP and WebSocket).
    pub listen_addr: SocketAddr,
    /// The Prometheus listen address, if metrics are wanted.
    pub metrics_addr: Option<SocketAddr>,
    /// The first block to index per chain (default 0).
    pub start_blocks: BTreeMap<ChainId, u64>,
    /// Pause between head polls once caught up.
    pub poll_interval: Duration,
    /// Extra HTTP routes on the RPC port (the dashboard), built once the index is open.
    pub http_extension: Option<HttpExtension>,
    /// When the verifier counts as caught up: until then it refuses checks with "not ready" and `GET /ready`
    /// answers `503`.
    pub readiness: ReadinessPolicy,
    /// Each chain's rollup node (op-node's `optimism_` RPC): where local-safe blocks come from, L1 finality, and
    /// L1 reorgs. A chain without one falls back to its node's `safe` and `finalized` tags.
    pub rollup_rpc_urls: BTreeMap<ChainId, String>,
    /// How much of the chains stays in memory (default: the whole message expiry window).
    pub memory: MemoryOptions,
}

impl VerifierConfig {
    /// A configuration with defaults: datadir `superlink-verifier`, port 8420 on localhost, no metrics, start at
    /// genesis, poll every 500 ms, the default readiness policy.
    pub fn new(dependencies: DependencySet, rpc_urls: BTreeMap<ChainId, String>) -> Self {
        Self {
            dependencies,
            rpc_urls,
            datadir: PathBuf::from("superlink-verifier"),
            listen_addr: SocketAddr::from(([127, 0, 0, 1], 8420)),
            metrics_addr: None,
            start_blocks: BTreeMap::new(),
            poll_interval: Duration::from_millis(500),
            http_extension: None,
            rollup_rpc_urls: BTreeMap::new(),
            readiness: ReadinessPolicy::default(),
            memory: MemoryOptions::default(),
        }
    }
}

/// Runs the verifier until `shutdown` completes: serves RPC on `listen_addr` (and metrics on `metrics_addr`),
/// follows every chain, and flushes the index on the way out.
pub async fn run(config: VerifierConfig, shutdown: impl Future<Output = ()>) -> Result<(), VerifierError> {
    let chains = chain_ids(&config.dependencies)?;
    let mut sources = BTreeMap::new();
    for chain in &chains {
        let url = config.rpc_urls.get(chain).ok_or_else(|| {
            VerifierError::Config(format!("no RPC URL for chain {chain} of the dependency set"))
        })?;
        sources.insert(*chain, Arc::new(RpcChainSource::new(*chain, url)?));
    }
    for (chain, url) in &config.rpc_urls {
        if !chains.contains(chain) {
            warn!(chain, url, "RPC URL given for a chain outside the dependency set; ignored");
        }
    }
    for (chain, source) in &sources {
        match source.remote_chain_id().await {
            Ok(remote) if remote != *chain => {
                return Err(VerifierError::Config(format!(
                    "the node configured for chain {chain} serves chain {remote}"
                )));
            }
            Ok(_) => {}
            Err(e) => warn!(chain, error = %e, "node not reachable yet; will retry"),
        }
    }
    let verifier = open_index(&config).await?;
    info!(datadir = %config.datadir.display(), chains = ?chains, "index opened");
    if let Some(addr) = config.metrics_addr {
        install_exporter(addr)?;
        info!(%addr, "serving Prometheus metrics");
    }
    verifier.require_readiness(config.readiness);
    let http = config.http_extension.as_ref().map(|extension| extension.layer(&verifier));
    let probed = verifier.clone();
    let probe = ReadyProbe::new(move || probed.readiness().map_err(|e| e.to_string()));
    let http = ready_layer(http, probe);
    let (server, bound) =
        serve_with(verifier.clone(), sources.clone(), config.listen_addr, Some(http)).await?;
    info!(addr = %bound, "serving supervisor RPC (HTTP and WebSocket)");

    let (stop, stopped) = watch::channel(false);
    let mut followers = JoinSet::new();
    for (chain, source) in sources {
        let follow = FollowConfig {
            start_block: config.start_blocks.get(&chain).copied().unwrap_or(0),
            poll_interval: config.poll_interval,
            read_safety_tags: !config.rollup_rpc_urls.contains_key(&chain),
            ..FollowConfig::default()
        };
        followers.spawn(follow_chain(verifier.clone(), source, follow, stopped.clone()));
    }
    let mut derivations = JoinSet::new();
    for chain in verifier.chains() {
        match config.rollup_rpc_urls.get(&chain) {
            Some(url) => {
                let source = RollupRpcSource::new(chain, url, ROLLUP_REQUEST_TIMEOUT)?;
                info!(chain, url = %url, "local-safe, cross-safe and finality from the rollup node's derivation");
                derivations.spawn(follow_derivation(
                    verifier.clone(),
                    source,
                    config.poll_interval,
                    stopped.clone(),
                ));
            }
            None => warn!(
                chain,
                "no rollup RPC: local-safe and finality come from the node's safe and finalized tags, and the L1 \
                 blocks they derive from are not known (--rollup-rpc CHAIN_ID=URL)"
            ),
        }
    }

    let mut failure = None;
    tokio::pin!(shutdown);
    tokio::select! {
        () = &mut shutdown => info!("shutting down"),
        Some(joined) = followers.join_next() => {
            match joined {
                Ok(Err(e)) => { error!(error = %e, "a chain follower failed"); failure = Some(e); }
                Ok(Ok(())) => {}
                Err(e) => { error!(error = %e, "a chain follower panicked"); }
            }
        }
    }
    let _ = stop.send(true);
    while let Some(joined) = followers.join_next().await {
        if let Ok(Err(e)) = joined {
            failure.get_or_insert(e);
        }
    }
    while derivations.join_next().await.is_some() {}
    let _ = server.stop();
    server.stopped().await;
    verifier.flush_async().await?;
    info!("verifier stopped");
    failure.map_or(Ok(()), Err)
}

/// Opens the durable index on the blocking thread pool: reading it is disk work.
async fn open_index(config: &VerifierConfig) -> Result<Verifier, VerifierError> {
    let (dependencies, datadir, start_blocks, memory) =
        (config.dependencies.clone(), config.datadir.clone(), config.start_blocks.clone(), config.memory);
    tokio::task::spawn_blocking(move || Verifier::open_with(dependencies, &datadir, &start_blocks, memory))
        .await
        .unwrap_or_else(|e| {
            if e.is_panic() {
                std::panic::resume_unwind(e.into_panic())
            }
            Err(VerifierError::Config(format!("opening the index did not run: {e}")))
        })
}
