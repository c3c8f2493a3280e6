//! The running devnet: starts the L1, the L2s, the embedded verifier, the sequencer and the autorelayer, and stops
//! every one of them again.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use alloy_primitives::Address;
use alloy_signer_local::PrivateKeySigner;
use jsonrpsee::server::ServerHandle;
use superlink_chain::{Chain, ChainConfig, Genesis};
use superlink_dashboard::{Dashboard, DashboardConfig, FailedRelay};
use superlink_node::{ChainService, TimeSource};
use superlink_protocol::DependencySet;
use superlink_relayer::{Autorelayer, AutorelayerConfig, GivenUp, RpcChain, StartFrom, Wallet};
use superlink_rpc::{ChainBackend, RpcServerHandle};
use superlink_verifier::{FollowConfig, Verifier, VerifierError, follow_chain};
use tokio::{
    sync::watch,
    task::{JoinHandle, JoinSet},
};
use tracing::{Instrument, info, info_span, warn};

use crate::{
    accounts,
    admission::{InteropAdmission, NextBlockTime},
    config::{DEV_ACCOUNT_COUNT, DevnetConfig, L1_CHAIN_ID, RELAYER_ACCOUNT_INDEX},
    error::DevnetError,
    genesis::{l1_genesis, l2_genesis},
    replacement::run_replacements,
    sequencer::{Schedule, SequencedChain, run_sequencer},
    source::InProcessSource,
};

/// How often the embedded verifier asks each local L2 for new blocks.
const VERIFIER_POLL: Duration = Duration::from_millis(100);
/// How many given-up messages may wait for the dashboard before newer ones are dropped.
const GIVEN_UP_BUFFER: usize = 256;

/// How often the autorelayer scans the L2s for new messages.
const RELAYER_POLL: Duration = Duration::from_millis(100);

/// One chain of the devnet, as users reach it.
#[derive(Debug, Clone)]
pub struct DevnetChain {
    /// The chain ID.
    pub chain_id: u64,
    /// The HTTP JSON-RPC URL (with the bound port).
    pub url: String,
    /// The WebSocket URL (same port).
    pub ws_url: String,
    /// The running chain, for in-process callers (tests, tools).
    pub service: Arc<ChainService>,
}

#[derive(Debug)]
struct RunningChain {
    chain: DevnetChain,
    sequenced: SequencedChain,
    server: RpcServerHandle,
}

/// A running devnet. Stop it with [`Devnet::shutdown`].
#[derive(Debug)]
pub struct Devnet {
    config: DevnetConfig,
    dependencies: DependencySet,
    accounts: Vec<PrivateKeySigner>,
    relayer_account: Option<Address>,
    genesis_timestamp: u64,
    l1: RunningChain,
    l2s: Vec<RunningChain>,
    l2_infos: Vec<DevnetChain>,
    verifier: Verifier,
    verifier_url: String,
    verifier_server: ServerHandle,
    stop: watch::Sender<bool>,
    sequencer: JoinHandle<()>,
    replacements: JoinHandle<()>,
    followers: JoinSet<Result<(), VerifierError>>,
    relayer: Option<JoinHandle<Autorelayer<RpcChain>>>,
    dashboard: Dashboard,
    _datadir: tempfile::TempDir,
}

/// Serves one chain with automine off (the sequencer builds its blocks). Blocks mined by hand count their time
/// from `hand_mined_time` when given (the L2s: the sequencer's next round, so they fall in step with the other L2s), else
/// from the wall clock.
async fn serve_chain(
    genesis: &Genesis,
    signers: &[PrivateKeySigner],
    addr: SocketAddr,
    next_block: NextBlockTime,
    admission: Option<InteropAdmission>,
    hand_mined_time: Option<TimeSource>,
) -> Result<RunningChain, DevnetError> {
    let chain_id = genesis.chain_id;
    let mut chain = Chain::new(genesis, ChainConfig::default());
    if let Some(check) = admission {
        chain.set_admission_check(Arc::new(check));
    }
    let mut service = ChainService::new(chain).with_automine(false);
    if let Some(now) = hand_mined_time {
        service = service.with_time_source(now);
    }
    let service = Arc::new(service);
    let backend = Arc::new(ChainBackend::over(service.clone(), signers.to_vec()));
    let server = superlink_rpc::serve(addr, backend).await.map_err(|e| DevnetError::Serve {
        chain_id,
        addr,
        reason: e.to_string(),
    })?;
    info!(chain_id, url = %server.http_url(), "serving JSON-RPC");
    let chain =
        DevnetChain { chain_id, url: server.http_url(), ws_url: server.ws_url(), service: service.clone() };
    Ok(RunningChain { chain, sequenced: SequencedChain { chain_id, service, next_block }, server })
}

async fn stop_all(chains: Vec<RunningChain>) {
    for chain in chains {
        chain.server.stop().await;
    }
}

impl Devnet {
    /// Starts everything `config` describes and returns once every server is listening.
    pub async fn start(config: DevnetConfig) -> Result<Devnet, DevnetError> {
        let dependencies = config.validate()?;
        let signers = accounts::derive(&config.mnemonic, DEV_ACCOUNT_COUNT)?;
        let addresses = accounts::addresses(&signers);
        let genesis_timestamp =
            SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();

        let datadir =
            tempfile::Builder::new().prefix("superlink-devnet-").tempdir().map_err(DevnetError::Datadir)?;
        let verifier = Verifier::open(dependencies.clone(), datadir.path(), &BTreeMap::new())?;

        let l1_next = NextBlockTime::new(genesis_timestamp + config.l1_block_time);
        let l1_genesis = l1_genesis(
            L1_CHAIN_ID,
            genesis_timestamp,
            &config.l2_chain_ids(),
            &addresses,
            config.balance_ether,
        );
        let l1 = serve_chain(&l1_genesis, &signers, config.l1_addr(), l1_next, None, None).await?;

        let mut l2s = Vec::new();
        for (index, chain_id) in (0u32..).zip(config.l2_chain_ids()) {
            let next = NextBlockTime::new(genesis_timestamp + config.l2_block_time);
            let genesis = l2_genesis(chain_id, genesis_timestamp, &addresses, config.balance_ether);
            let admission = InteropAdmission::new(chain_id, verifier.clone(), next.clone());
            let served = match config.l2_addr(index) {
                Ok(addr) => {
                    let in_step = Some(next.time_source());
                    serve_chain(&genesis, &signers, addr, next, Some(admission), in_step).await
                }
                Err(e) => Err(e),
            };
            match served {
                Ok(chain) => l2s.push(chain),
                Err(e) => {
                    stop_all(l2s).await;
                    stop_all(vec![l1]).await;
                    return Err(e);
                }
            }
        }

        let started = Self::start_services(&config, &dependencies, &verifier, &l2s).await;
        let (verifier_server, bound, dashboard) = match started {
            Ok(served) => served,
            Err(e) => {
                stop_all(l2s).await;
                stop_all(vec![l1]).await;
                return Err(e);
            }
        };
        let verifier_url = format!("http://{bound}");
        info!(url = %verifier_url, "serving the verifier's supervisor RPC");

        let (stop, stopped) = watch::channel(false);
        let mut followers = JoinSet::new();
        for chain in &l2s {
            let chain_id = chain.chain.chain_id;
            if !dependencies.contains(alloy_primitives::U256::from(chain_id)) {
                continue;
            }
            let source = Arc::new(InProcessSource::new(chain_id, chain.chain.service.clone()));
            let follow = FollowConfig { poll_interval: VERIFIER_POLL, ..FollowConfig::default() };
            followers.spawn(
                follow_chain(verifier.clone(), source, follow, stopped.clone())
                    .instrument(info_span!("verifier", chain_id)),
            );
        }

        let schedule = Schedule {
            genesis_timestamp,
            l1_block_time: config.l1_block_time,
            l2_block_time: config.l2_block_time,
        };
        let sequenced: Vec<SequencedChain> = l2s.iter().map(|c| c.sequenced.clone()).collect();
        let sequencer = tokio::spawn(
            run_sequencer(l1.sequenced.clone(), sequenced, schedule, stopped.clone())
                .instrument(info_span!("sequencer")),
        );

        let services = l2s.iter().map(|c| (c.chain.chain_id, c.chain.service.clone())).collect();
        let replacements = tokio::spawn(
            run_replacements(verifier.clone(), services, stopped.clone())
                .instrument(info_span!("replacement")),
        );

        let mut devnet = Devnet {
            l2_infos: l2s.iter().map(|c| c.chain.clone()).collect(),
            config,
            dependencies,
            relayer_account: None,
            genesis_timestamp,
            l1,
            l2s,
            verifier,
            verifier_url,
            verifier_server,
            stop,
            sequencer,
            replacements,
            followers,
            relayer: None,
            dashboard,
            accounts: signers,
            _datadir: datadir,
        };
        if devnet.config.autorelay
            && devnet.dependencies.len() > 1
            && let Err(e) = devnet.start_relayer(stopped).await
        {
            let _ = devnet.shutdown().await;
            return Err(e);
        }
        Ok(devnet)
    }

    async fn start_services(
        config: &DevnetConfig,
        dependencies: &DependencySet,
        verifier: &Verifier,
        l2s: &[RunningChain],
    ) -> Result<(ServerHandle, SocketAddr, Dashboard), DevnetError> {
        let mut sources = BTreeMap::new();
        for chain in l2s {
            let chain_id = chain.chain.chain_id;
            if dependencies.contains(alloy_primitives::U256::from(chain_id)) {
                let source = InProcessSource::new(chain_id, chain.chain.service.clone());
                sources.insert(chain_id, Arc::new(source));
            }
        }
        // The dashboard answers GET / and its API on the verifier's port; JSON-RPC passes through.
        let rpc_urls = l2s.iter().map(|c| (c.chain.chain_id, c.chain.url.clone())).collect();
        let dashboard =
            Dashboard::start(verifier, DashboardConfig { rpc_urls, ..DashboardConfig::default() });
        let http = Some(dashboard.http_layer());
        let (handle, bound) =
            superlink_verifier::serve_with(verifier.clone(), sources, config.verifier_addr(), http).await?;
        Ok((handle, bound, dashboard))
    }

    async fn start_relayer(&mut self, stopped: watch::Receiver<bool>) -> Result<(), DevnetError> {
        let signer = self
            .accounts
            .get(RELAYER_ACCOUNT_INDEX as usize)
            .cloned()
            .ok_or_else(|| DevnetError::Relayer("no development account left for the relayer".into()))?;
        let address = signer.address();
        // Chains outside the dependency set can neither send nor execute interop messages.
        let chains = self
            .l2s
            .iter()
            .filter(|c| self.dependencies.contains(alloy_primitives::U256::from(c.chain.chain_id)))
            .map(|c| RpcChain::new(&c.chain.url))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| DevnetError::Relayer(e.to_string()))?;
        // Messages the relayer gives up show as failed relays on the dashboard.
        let (given_up_sink, mut given_up) = tokio::sync::mpsc::channel::<GivenUp>(GIVEN_UP_BUFFER);
        let dashboard = self.dashboard.clone();
        tokio::spawn(async move {
            while let Some(failed) = given_up.recv().await {
                dashboard.report_failed_relay(FailedRelay {
                    message: failed.message.message_hash,
                    transaction: None,
                    reason: failed.reason,
                });
            }
        });
        let config = AutorelayerConfig {
            poll_interval: RELAYER_POLL,
            start: StartFrom::Genesis,
            given_up_sink: Some(given_up_sink),
            ..AutorelayerConfig::default()
        };
        let relayer = Autorelayer::new(chains, Wallet::new(signer), config)
            .await
            .map_err(|e| DevnetError::Relayer(e.to_string()))?;
        self.relayer = Some(tokio::spawn(relayer.run(stopped).instrument(info_span!("autorelayer"))));
        self.relayer_account = Some(address);
        info!(relayer = %address, "autorelayer running");
        Ok(())
    }

    /// The configuration the devnet runs with.
    pub fn config(&self) -> &DevnetConfig {
        &self.config
    }

    /// The interop dependency set the verifier follows.
    pub fn dependency_set(&self) -> &DependencySet {
        &self.dependencies
    }

    /// The L1.
    pub fn l1(&self) -> &DevnetChain {
        &self.l1.chain
    }

    /// The L2s, by ascending chain ID.
    pub fn l2s(&self) -> &[DevnetChain] {
        &self.l2_infos
    }

    /// The L2 with `chain_id`, if the devnet runs it.
    pub fn l2(&self, chain_id: u64) -> Option<&DevnetChain> {
        self.l2_infos.iter().find(|c| c.chain_id == chain_id)
    }

    /// The address of the L1 deposit portal of the L2 `l2_chain_id`, if the devnet runs that L2: ETH and
    /// `depositTransaction` calls sent to it on the L1 arrive on the L2 as deposit transactions.
    pub fn deposit_portal(&self, l2_chain_id: u64) -> Option<Address> {
        self.l2(l2_chain_id).map(|_| superlink_contracts::addresses::deposit_portal(l2_chain_id))
    }

    /// The embedded verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The verifier's JSON-RPC URL (supervisor API).
    pub fn verifier_url(&self) -> &str {
        &self.verifier_url
    }

    /// The funded development accounts (the same on every chain).
    pub fn accounts(&self) -> &[PrivateKeySigner] {
        &self.accounts
    }

    /// The account the autorelayer pays relays from, when it runs.
    pub fn relayer_account(&self) -> Option<Address> {
        self.relayer_account
    }

    /// The timestamp of every chain's genesis block.
    pub fn genesis_timestamp(&self) -> u64 {
        self.genesis_timestamp
    }

    /// Stops the sequencer, the autorelayer, the verifier's followers and every server, then flushes the verifier's
    /// index. Returns the first error a background task ended with.
    pub async fn shutdown(mut self) -> Result<(), DevnetError> {
        let _ = self.stop.send(true);
        let mut failure = None;
        if let Err(e) = (&mut self.sequencer).await {
            failure.get_or_insert(DevnetError::Task { task: "sequencer", reason: e.to_string() });
        }
        if let Err(e) = (&mut self.replacements).await {
            failure.get_or_insert(DevnetError::Task { task: "replacement", reason: e.to_string() });
        }
        if let Some(relayer) = self.relayer.take() {
            match relayer.await {
                Ok(relayer) => {
                    let stats = relayer.stats();
                    info!(relayed = stats.relayed, given_up = stats.given_up, "autorelayer stopped");
                }
                Err(e) => {
                    failure.get_or_insert(DevnetError::Task { task: "autorelayer", reason: e.to_string() });
                }
            }
        }
        while let Some(joined) = self.followers.join_next().await {
            match joined {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    warn!(error = %e, "a verifier follower failed");
                    failure.get_or_insert(DevnetError::Verifier(e));
                }
                Err(e) => {
                    failure.get_or_insert(DevnetError::Task {
                        task: "verifier follower",
                        reason: e.to_string(),
                    });
                }
            }
        }
        let _ = self.verifier_server.stop();
        self.verifier_server.stopped().await;
        stop_all(self.l2s).await;
        stop_all(vec![self.l1]).await;
        if let Err(e) = self.verifier.flush() {
            failure.get_or_insert(DevnetError::Verifier(e));
        }
        info!("devnet stopped");
        failure.map_or(Ok(()), Err)
    }
}
