//! The running devnet: starts the L1, the L2s, the embedded verifier, the sequencer and the autorelayer, and stops
//! every one of them again.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use alloy_primitives::Address;
use alloy_signer_local::PrivateKeySigner;
use jsonrpsee::server::ServerHandle;
use superlink_chain::{Chain, Genesis};
use superlink_dashboard::{Dashboard, DashboardConfig, FailedRelay};
use superlink_node::{ChainService, TimeSource};
use superlink_protocol::DependencySet;
use superlink_relayer::{Autorelayer, AutorelayerConfig, GivenUp, RpcChain, StartFrom, Wallet};
use superlink_rpc::{ChainBackend, RpcServerHandle};
use superlink_verifier::{FollowConfig, Verifier, VerifierError, follow_chain, follow_derivation};
use tokio::{
    sync::watch,
    task::{JoinHandle, JoinSet},
};
use tracing::{Instrument, info, info_span, warn};

use crate::{
    accounts,
    admin_rpc::{ServedChain, SupersimAdmin, merge_admin_module},
    admission::{InteropAdmission, NextBlockTime},
    config::{DEV_ACCOUNT_COUNT, DevnetConfig, L1_CHAIN_ID, RELAYER_ACCOUNT_INDEX},
    control::Control,
    control_rpc::control_module,
    deposits::DepositPortals,
    error::DevnetError,
    faults::DevnetControl,
    fork,
    genesis::{L1Bridges, l1_genesis, l2_genesis},
    pipeline::{L1Pipeline, PipelineConfig},
    proposer::{Proposer, run_proposer},
    replacement::run_replacements,
    rollup_log::RollupLog,
    rollup_rpc::serve_rollup_rpc,
    rollup_source::InProcessDerivation,
    sequencer::{L1Origins, Schedule, SequencedChain, run_sequencer},
    source::InProcessSource,
    state_file::{self, SavedSettings, build_chains, read_state_file, write_state_file},
};

/// How often the embedded verifier asks each local L2 for new blocks.
const VERIFIER_POLL: Duration = Duration::from_millis(100);
/// How often the L1 pipeline looks for new L1 blocks (and posts batches when due).
const PIPELINE_POLL: Duration = Duration::from_millis(100);
/// How many given-up messages may wait for the dashboard before newer ones are dropped.
const GIVEN_UP_BUFFER: usize = 256;

/// How long a loaded devnet waits for its verifier and derivation to follow the restored chains again before it
/// reports ready anyway.
const RESTORE_PATIENCE: Duration = Duration::from_secs(300);

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
    /// The rollup-node RPC URL (`optimism_*`), for an L2.
    pub rollup_url: Option<String>,
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
    pipeline: Arc<Mutex<L1Pipeline>>,
    pipeline_task: JoinHandle<()>,
    proposer_task: Option<JoinHandle<()>>,
    rollup_servers: Vec<ServerHandle>,
    control: Arc<Control>,
    followers: JoinSet<Result<(), VerifierError>>,
    relayer: Option<JoinHandle<Autorelayer<RpcChain>>>,
    dashboard: Dashboard,
    _datadir: tempfile::TempDir,
}

/// Serves one chain with automine off (the sequencer builds its blocks). Blocks mined by hand count their time
/// from `hand_mined_time` when given (the L2s: the sequencer's next round, so they fall in step with the other L2s), else
/// from the wall clock.
async fn serve_chain(
    mut chain: Chain,
    signers: &[PrivateKeySigner],
    addr: SocketAddr,
    next_block: NextBlockTime,
    admission: Option<InteropAdmission>,
    hand_mined_time: Option<TimeSource>,
    tampered_state_root: Option<u64>,
) -> Result<RunningChain, DevnetError> {
    let chain_id = chain.chain_id();
    if let Some(check) = admission {
        chain.set_admission_check(Arc::new(check));
    }
    let mut service = ChainService::new(chain).with_automine(false);
    if let Some(now) = hand_mined_time {
        service = service.with_time_source(now);
    }
    let service = Arc::new(service);
    let mut backend = ChainBackend::over(service.clone(), signers.to_vec());
    if let Some(number) = tampered_state_root {
        warn!(chain_id, block = number, "fault: serving a tampered stateRoot for this block");
        backend = backend.with_tampered_state_root(number);
    }
    let backend = Arc::new(backend);
    let server = superlink_rpc::serve(addr, backend).await.map_err(|e| DevnetError::Serve {
        chain_id,
        addr,
        reason: e.to_string(),
    })?;
    info!(chain_id, url = %server.http_url(), "serving JSON-RPC");
    let chain = DevnetChain {
        chain_id,
        url: server.http_url(),
        ws_url: server.ws_url(),
        rollup_url: None,
        service: service.clone(),
    };
    Ok(RunningChain { chain, sequenced: SequencedChain { chain_id, service, next_block }, server })
}

/// Runs the L1 pipeline every [`PIPELINE_POLL`] until `shutdown` turns true, and after each step labels every
/// L2's `safe` and `finalized` blocks with the verifier's cross-safe and finalized heads (as an interop op-node
/// does with its supervisor's).
async fn run_pipeline(
    pipeline: Arc<Mutex<L1Pipeline>>,
    verifier: Verifier,
    l2s: Vec<(u64, Arc<ChainService>)>,
    mut shutdown: watch::Receiver<bool>,
) {
    let l2s = Arc::new(l2s);
    let logs = Arc::new(pipeline.lock().unwrap_or_else(PoisonError::into_inner).logs());
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(PIPELINE_POLL) => {}
        }
        let (pipeline, verifier, l2s, logs) = (pipeline.clone(), verifier.clone(), l2s.clone(), logs.clone());
        let step = tokio::task::spawn_blocking(move || {
            pipeline.lock().unwrap_or_else(PoisonError::into_inner).step();
            label_from_verifier(&verifier, &l2s, &logs);
        });
        if let Err(e) = step.await {
            warn!(error = %e, "a step of the L1 pipeline failed");
        }
    }
}

/// Labels each L2's `safe` and `finalized` blocks with the verifier's cross-safe and finalized heads, where the
/// chain still has those blocks. A chain outside the dependency set has no cross-chain dependencies: its labels
/// are its own derivation's local-safe head and the head derived from finalized L1 blocks.
fn label_from_verifier(verifier: &Verifier, l2s: &[(u64, Arc<ChainService>)], logs: &[(u64, RollupLog)]) {
    for (chain_id, service) in l2s {
        let derived = logs.iter().find(|(id, _)| id == chain_id).map(|(_, log)| {
            let log = log.read();
            (log.local_safe, log.finalized_l2)
        });
        let mut heads = match verifier.heads(*chain_id) {
            Some(heads) => (heads.cross_safe.map(|b| b.id()), heads.finalized.map(|b| b.id())),
            None => match derived {
                Some((local_safe, finalized)) => (Some(local_safe), Some(finalized)),
                None => continue,
            },
        };
        // The verifier learns of an L1 reorg on its next round; until then its cross-safe head may rest on L1
        // blocks that are gone. Never label above what derivation holds now.
        if let Some((local_safe, finalized)) = derived {
            if heads.0.is_some_and(|b| b.number > local_safe.number) {
                heads.0 = Some(local_safe);
            }
            if heads.1.is_some_and(|b| b.number > finalized.number) {
                heads.1 = Some(finalized);
            }
        }
        let on_chain = |block: Option<superlink_verifier::BlockId>| {
            let block = block?;
            service
                .read()
                .block_by_number(block.number)
                .filter(|b| b.hash() == block.hash)
                .map(|_| block.number)
        };
        // A head the chain no longer has (a reorg the verifier has not seen yet) leaves the label as it is.
        let (Some(safe), finalized) = (on_chain(heads.0), on_chain(heads.1)) else { continue };
        let finalized = finalized.unwrap_or(0).min(safe);
        let current = {
            let chain = service.read();
            (chain.safe_number(), chain.finalized_number())
        };
        if current != (safe, finalized) {
            let mut chain = service.write();
            let labelled = chain.set_safe(safe).and_then(|()| chain.set_finalized(finalized));
            if let Err(e) = labelled {
                warn!(chain_id, error = %e, "labelling safe and finalized blocks failed");
            }
        }
    }
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
        let dependency_ids: Vec<u64> =
            dependencies.chain_ids().iter().map(|id| id.saturating_to::<u64>()).collect();
        if let Some(path) = &config.dump_state {
            state_file::check_target(path)?;
        }
        // Fork mode: every remote is checked before anything starts (`validate` has refused state files).
        let remotes = fork::connect_all(&config.fork, &config.l2_chain_ids()).await?;
        let l1_chain_id = remotes.l1.as_ref().map_or(L1_CHAIN_ID, |remote| remote.chain_id);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        let loaded = match &config.load_state {
            Some(path) => {
                let ours = SavedSettings::of(&config, dependency_ids.clone(), now);
                Some(read_state_file(path.clone(), ours).await?)
            }
            None => None,
        };
        // A forked devnet's schedule starts after every fork block, in step with the forked L2s' blocks.
        let genesis_timestamp = match &loaded {
            Some(state) => state.settings.genesis_timestamp,
            None => remotes.schedule_start(now, config.l2_block_time),
        };

        let datadir =
            tempfile::Builder::new().prefix("superlink-devnet-").tempdir().map_err(DevnetError::Datadir)?;
        // The verifier indexes a forked L2 from the block it was forked at.
        let start_blocks = remotes.l2_start_blocks();
        let verifier = Verifier::open(dependencies.clone(), datadir.path(), &start_blocks)?;

        // The batchers pay for their L1 transactions; the fault injector signs forged messages on the L2s.
        let mut l1_funded = addresses.clone();
        l1_funded.extend(config.l2_chain_ids().into_iter().map(|id| accounts::batcher(id).address()));
        l1_funded.push(accounts::shared_batcher().address());
        // The proposer posts output roots to the dispute game factories.
        l1_funded.push(accounts::proposer().address());
        let mut l2_funded = addresses.clone();
        l2_funded.push(accounts::fault_injector().address());
        // Each portal holds the ETH its L2's genesis gives the accounts, so withdrawing it pays out on the L1.
        let bridges = L1Bridges {
            config: config.bridge_config(),
            portal_balance: accounts::ether(config.balance_ether)
                * alloy_primitives::U256::from(l2_funded.len()),
        };
        let l1_genesis = l1_genesis(
            l1_chain_id,
            genesis_timestamp,
            &config.l2_chain_ids(),
            &l1_funded,
            config.balance_ether,
            &bridges,
        );
        let l2_geneses: Vec<Genesis> = config
            .l2_chain_ids()
            .into_iter()
            .map(|chain_id| l2_genesis(chain_id, genesis_timestamp, &l2_funded, config.balance_ether))
            .collect();
        let (l1_chain, l2_chains) = if config.fork.is_empty() {
            build_chains(l1_genesis, l2_geneses, loaded, config.load_state.clone()).await?
        } else {
            let l1 = (l1_genesis, l1_funded);
            let l2s = l2_geneses.into_iter().map(|genesis| (genesis, l2_funded.clone())).collect();
            fork::build_chains(&remotes, l1, l2s, config.balance_ether).await?
        };
        // The targets the verifier and derivation must reach again before a loaded devnet is ready.
        let restored: Option<Vec<(u64, u64, u64)>> = config
            .load_state
            .as_ref()
            .map(|_| l2_chains.iter().map(|c| (c.chain_id(), c.head_number(), c.safe_number())).collect());
        let restored_l1_head = l1_chain.head_number();
        // Each chain's next block follows its head (a loaded chain's time goes on from where it stopped), and
        // a forked chain's (the remote's fork block) follows the schedule's start.
        let head_time = |chain: &Chain| chain.head().timestamp().max(genesis_timestamp);
        let l1_next = NextBlockTime::new(head_time(&l1_chain) + config.l1_block_time);
        let schedule_start = l2_chains.iter().map(head_time).max().unwrap_or(genesis_timestamp);
        let l1 = serve_chain(l1_chain, &signers, config.l1_addr(), l1_next, None, None, None).await?;

        let mut l2s = Vec::new();
        for (index, chain) in (0u32..).zip(l2_chains) {
            let chain_id = chain.chain_id();
            let next = NextBlockTime::new(head_time(&chain) + config.l2_block_time);
            let admission = InteropAdmission::in_process(chain_id, verifier.clone(), next.time_source());
            let served = match config.l2_addr(index) {
                Ok(addr) => {
                    let in_step = Some(next.time_source());
                    let tampered = config
                        .tampered_state_root
                        .and_then(|(id, number)| (id == chain_id).then_some(number));
                    serve_chain(chain, &signers, addr, next, Some(admission), in_step, tampered).await
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

        let l2_services: Vec<(u64, Arc<ChainService>)> =
            l2s.iter().map(|c| (c.chain.chain_id, c.chain.service.clone())).collect();
        let pipeline_config = PipelineConfig {
            l1_chain_id,
            l2_block_time: config.l2_block_time,
            batch_interval: config.batch_interval,
            shared_batcher: config.shared_batcher,
            sequencing_window: config.sequencing_window,
            l1_finality_depth: config.l1_finality_depth,
        };
        let pipeline = match L1Pipeline::new(pipeline_config, l1.chain.service.clone(), &l2_services) {
            Ok(pipeline) => Arc::new(Mutex::new(pipeline)),
            Err(e) => {
                stop_all(l2s).await;
                stop_all(vec![l1]).await;
                return Err(e);
            }
        };
        let logs = pipeline.lock().unwrap_or_else(PoisonError::into_inner).logs();
        let l1_genesis_id = pipeline.lock().unwrap_or_else(PoisonError::into_inner).l1_genesis().id();
        let origins = L1Origins {
            l1: l1.chain.service.clone(),
            genesis: alloy_eips::BlockNumHash { number: l1_genesis_id.number, hash: l1_genesis_id.hash },
            portals: DepositPortals::new(config.l2_chain_ids()),
            shared_batcher: config.shared_batcher.then(|| accounts::shared_batcher().address()),
        };
        let control = Arc::new(Control {
            l1: l1.sequenced.clone(),
            l2s: l2s.iter().map(|c| c.sequenced.clone()).collect(),
            origins: origins.clone(),
            pipeline: pipeline.clone(),
            verifier: verifier.clone(),
            dependencies: dependencies.clone(),
            l2_block_time: config.l2_block_time,
        });

        // supersim's admin interface on the control port; `GET /ready` turns OK once everything below is up.
        let served = |c: &RunningChain| ServedChain {
            chain_id: c.chain.chain_id,
            addr: c.server.local_addr(),
            service: c.chain.service.clone(),
        };
        let admin = SupersimAdmin::new(
            &config,
            &dependencies,
            genesis_timestamp,
            &served(&l1),
            l2s.iter().map(served).collect(),
        );
        let ready = admin.readiness();
        let started =
            Self::start_services(&config, &dependencies, &verifier, &l2s, control.clone(), admin).await;
        let (verifier_server, bound, dashboard) = match started {
            Ok(served) => served,
            Err(e) => {
                stop_all(l2s).await;
                stop_all(vec![l1]).await;
                return Err(e);
            }
        };
        let mut rollup_servers = Vec::new();
        for (index, chain) in (0u32..).zip(l2s.iter_mut()) {
            let Some((_, log)) = logs.iter().find(|(id, _)| *id == chain.chain.chain_id) else { continue };
            let served = match config.rollup_addr(index) {
                Ok(addr) => {
                    serve_rollup_rpc(addr, log.clone(), chain.chain.service.clone(), verifier.clone())
                        .await
                        .map_err(|e| DevnetError::Serve {
                            chain_id: chain.chain.chain_id,
                            addr,
                            reason: e.to_string(),
                        })
                }
                Err(e) => Err(e),
            };
            match served {
                Ok((handle, addr)) => {
                    let url = format!("http://{addr}");
                    info!(chain_id = chain.chain.chain_id, url = %url, "serving the rollup-node RPC");
                    chain.chain.rollup_url = Some(url);
                    rollup_servers.push(handle);
                }
                Err(e) => {
                    for server in rollup_servers {
                        let _ = server.stop();
                    }
                    let _ = verifier_server.stop();
                    stop_all(l2s).await;
                    stop_all(vec![l1]).await;
                    return Err(e);
                }
            }
        }
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
            // Safety comes from the chain's derivation, read like a rollup node's, not from the node's labels.
            let follow = FollowConfig {
                poll_interval: VERIFIER_POLL,
                read_safety_tags: false,
                start_block: start_blocks.get(&chain_id).copied().unwrap_or(0),
                ..FollowConfig::default()
            };
            followers.spawn(
                follow_chain(verifier.clone(), source, follow, stopped.clone())
                    .instrument(info_span!("verifier", chain_id)),
            );
            if let Some((_, log)) = logs.iter().find(|(id, _)| *id == chain_id) {
                let derivation = InProcessDerivation::new(log.clone());
                let follow = follow_derivation(verifier.clone(), derivation, VERIFIER_POLL, stopped.clone());
                followers.spawn(
                    async move {
                        follow.await;
                        Ok(())
                    }
                    .instrument(info_span!("derivation", chain_id)),
                );
            }
        }
        let pipeline_task = tokio::spawn(
            run_pipeline(pipeline.clone(), verifier.clone(), l2_services.clone(), stopped.clone())
                .instrument(info_span!("l1")),
        );

        let proposer_task = (config.proposal_interval > 0).then(|| {
            let proposer = Proposer::new(
                l1_chain_id,
                l1.chain.service.clone(),
                l2_services.clone(),
                accounts::proposer(),
                bridges.config,
            );
            let interval = Duration::from_secs(config.proposal_interval);
            tokio::spawn(run_proposer(proposer, interval, stopped.clone()).instrument(info_span!("proposer")))
        });

        // The rounds count from the newest L2 head: the genesis, or where a loaded devnet stopped.
        let schedule = Schedule {
            genesis_timestamp: schedule_start,
            l1_block_time: config.l1_block_time,
            l2_block_time: config.l2_block_time,
        };
        let sequenced: Vec<SequencedChain> = l2s.iter().map(|c| c.sequenced.clone()).collect();
        let sequencer = tokio::spawn(
            run_sequencer(l1.sequenced.clone(), sequenced, origins, schedule, stopped.clone())
                .instrument(info_span!("sequencer")),
        );

        let services = l2s.iter().map(|c| (c.chain.chain_id, c.chain.service.clone())).collect();
        let replacements = tokio::spawn(
            run_replacements(verifier.clone(), services, pipeline.clone(), stopped.clone())
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
            pipeline,
            pipeline_task,
            proposer_task,
            rollup_servers,
            control,
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
            // A devnet that never started saves nothing: an existing state file stays as it is.
            devnet.config.dump_state = None;
            let _ = devnet.shutdown().await;
            return Err(e);
        }
        if let Some(targets) = restored {
            devnet.wait_until_followed_again(&targets, restored_l1_head).await;
        }
        ready.set_ready();
        Ok(devnet)
    }

    async fn start_services(
        config: &DevnetConfig,
        dependencies: &DependencySet,
        verifier: &Verifier,
        l2s: &[RunningChain],
        control: Arc<Control>,
        admin: SupersimAdmin,
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
        let http = Some(admin.http_layer(dashboard.http_layer()));
        // The control port: the verifier's methods, the devnet's faults, supersim's admin methods, and the dashboard.
        let control: Arc<dyn DevnetControl> = control;
        let mut extra = control_module(control);
        merge_admin_module(&mut extra, admin, Some(dashboard.clone()))?;
        let extra = Some(extra);
        let (handle, bound) = superlink_verifier::serve_with_extra(
            verifier.clone(),
            sources,
            config.verifier_addr(),
            http,
            extra,
        )
        .await?;
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
        // A forked chain's earlier messages are the remote's business (and its history is not here): the relayer
        // starts after the blocks the devnet starts with, which on a fresh devnet is every block.
        let start = if self.config.fork.is_empty() { StartFrom::Genesis } else { StartFrom::Latest };
        let config = AutorelayerConfig {
            poll_interval: RELAYER_POLL,
            start,
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

    /// After a load: waits until the verifier has indexed every restored L2 block again and its cross-safe heads
    /// are back where the restored `safe` labels were, and the L1 derivation has read every restored L1 block,
    /// so the devnet reports ready with its progress restored. `targets` are `(chain, head, safe)`. Waits at most
    /// [`RESTORE_PATIENCE`]; past that the devnet starts anyway (the followers keep catching up) and says so.
    async fn wait_until_followed_again(&self, targets: &[(u64, u64, u64)], l1_head: u64) {
        let started = Instant::now();
        let logs = self.pipeline.lock().unwrap_or_else(PoisonError::into_inner).logs();
        let caught_up = || {
            let chains = targets.iter().all(|(chain_id, head, safe)| {
                if !self.dependencies.contains(alloy_primitives::U256::from(*chain_id)) {
                    return true;
                }
                self.verifier.heads(*chain_id).is_some_and(|heads| {
                    heads.local_unsafe.is_some_and(|b| b.number >= *head)
                        && heads.cross_safe.is_some_and(|b| b.number >= *safe)
                })
            });
            chains && logs.iter().all(|(_, log)| log.read().head_l1.number >= l1_head)
        };
        while !caught_up() {
            if started.elapsed() > RESTORE_PATIENCE {
                warn!(
                    waited_s = started.elapsed().as_secs(),
                    "the verifier and derivation are still following the loaded chains; starting anyway"
                );
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        info!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "the loaded chains are indexed and derived again"
        );
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

    /// The L1 contracts of the OP Stack standard bridge of the L2 `l2_chain_id` (where their state lives), if the
    /// devnet runs that L2. For 901 to 905 they answer as well at supersim's current genesis addresses
    /// ([`superlink_contracts::bridge_addresses::l1_bridge_aliases`]).
    pub fn l1_bridge(&self, l2_chain_id: u64) -> Option<superlink_contracts::bridge_addresses::L1Bridge> {
        self.l2(l2_chain_id).map(|_| superlink_contracts::bridge_addresses::l1_bridge(l2_chain_id))
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

    /// The devnet's faults and status, as the control port's `devnet_*` methods reach them.
    pub fn control(&self) -> Arc<dyn DevnetControl> {
        self.control.clone()
    }

    /// The rollup-node RPC URL of L2 `chain_id`.
    pub fn rollup_url(&self, chain_id: u64) -> Option<&str> {
        self.l2(chain_id).and_then(|c| c.rollup_url.as_deref())
    }

    /// The batches, derivation and finality of the L2s.
    pub fn pipeline(&self) -> Arc<Mutex<L1Pipeline>> {
        self.pipeline.clone()
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
        if let Err(e) = (&mut self.pipeline_task).await {
            failure.get_or_insert(DevnetError::Task { task: "L1 pipeline", reason: e.to_string() });
        }
        if let Some(proposer) = self.proposer_task.take()
            && let Err(e) = proposer.await
        {
            failure.get_or_insert(DevnetError::Task { task: "proposer", reason: e.to_string() });
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
        for server in self.rollup_servers.drain(..) {
            let _ = server.stop();
            server.stopped().await;
        }
        let services: Vec<Arc<ChainService>> =
            std::iter::once(&self.l1).chain(self.l2s.iter()).map(|c| c.chain.service.clone()).collect();
        stop_all(self.l2s).await;
        stop_all(vec![self.l1]).await;
        if let Some(path) = self.config.dump_state.clone() {
            let dependency_ids =
                self.dependencies.chain_ids().iter().map(|id| id.saturating_to::<u64>()).collect();
            let settings = SavedSettings::of(&self.config, dependency_ids, self.genesis_timestamp);
            if let Err(e) = write_state_file(path, settings, services).await {
                warn!(error = %e, "saving the devnet's state failed");
                failure.get_or_insert(e);
            }
        }
        if let Err(e) = self.verifier.flush() {
            failure.get_or_insert(DevnetError::Verifier(e));
        }
        info!("devnet stopped");
        failure.map_or(Ok(()), Err)
    }
}
