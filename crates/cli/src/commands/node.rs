//! `superlink node`: one OP Stack chain with interop predeploys, served on a standard Ethereum JSON-RPC port;
//! with `--interop-rpc`, its pool and builder check executing messages with a separate verifier.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use clap::Args;
use superlink_chain::{Chain, ChainConfig, Genesis, GenesisAccount};
use superlink_contracts::genesis::predeploy_allocs;
use superlink_node::{BlockSchedule, ChainService, clock::wall_clock, run_block_loop};
use superlink_rpc::ChainBackend;
use superlink_verifier::{ExecutionTime, InteropAdmission, RemoteChecker, RemoteTimeouts};
use tokio::{runtime::Runtime, sync::watch};
use tracing::{info, warn};

use crate::{dev_accounts, error::CliError, parse, runtime};

/// The chain and where to serve it.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The chain ID.
    #[arg(long, default_value_t = 901)]
    chain_id: u64,
    /// The JSON-RPC port (HTTP and WebSocket).
    #[arg(long, default_value_t = 8545)]
    port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Seconds between blocks; without it, a block is mined for every transaction.
    #[arg(long, value_name = "SECS")]
    block_time: Option<u64>,
    /// How many development accounts to fund.
    #[arg(long, default_value_t = 10)]
    accounts: u32,
    /// The balance of each development account, in ether.
    #[arg(long, default_value_t = 10_000)]
    balance: u64,
    /// The mnemonic the development accounts derive from.
    #[arg(long, default_value = dev_accounts::DEV_MNEMONIC)]
    mnemonic: String,
    /// The verifier that checks executing messages over `interop_checkAccessList` (op-reth:
    /// `--rollup.interop-http`, formerly `--rollup.supervisor-http`).
    ///
    /// `superlink verify` or op-interop-filter. Every transaction declaring `CrossL2Inbox` entries is checked
    /// at submission, after each block and while building, and refused while the verifier does not answer.
    /// Without it nothing is checked.
    #[arg(long, value_name = "URL")]
    interop_rpc: Option<String>,
    /// How long a check waits for the verifier before refusing the transaction (`2s`, `500ms`).
    ///
    /// While the chain is locked (the re-checks after a block, building) a check waits at most 250 ms.
    #[arg(long, value_name = "DURATION", default_value = "2s", value_parser = parse::duration)]
    interop_timeout: Duration,
    /// Exists only to test challengers: serve block BLOCK's header with a wrong `stateRoot` (every byte
    /// inverted) while its hash, its state and `eth_getProof` stay the real ones, so that a stateless
    /// re-execution of the block (`superlink proof reexecute`) catches the node lying.
    #[arg(long, value_name = "BLOCK", hide = true)]
    fault_tamper_state_root: Option<u64>,
}

/// A runtime of its own for the calls to the verifier: the pool waits for them on its own thread, so they
/// never compete with the JSON-RPC server's tasks for a worker.
fn interop_runtime() -> Result<Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("interop-check")
        .enable_all()
        .build()
        .map_err(CliError::Output)
}

/// Installs the pool's check of executing messages against the verifier at `url`. A transaction is checked
/// for the block it can next be included in: the dev clock's time, plus a block time with a block loop.
fn install_interop_check(
    service: &Arc<ChainService>,
    args: &NodeArgs,
    url: &str,
    runtime: &Runtime,
) -> Result<(), CliError> {
    let checker = RemoteChecker::with_timeout(url, args.interop_timeout)
        .map_err(|e| CliError::BadInput(format!("--interop-rpc {url}: {e}")))?;
    let wait = args.block_time.unwrap_or(0);
    let node = Arc::downgrade(service);
    let execution_time: ExecutionTime =
        Arc::new(move || node.upgrade().map_or_else(wall_clock, |node| node.expected_block_time(wait)));
    let timeouts = RemoteTimeouts::new(args.interop_timeout);
    let admission =
        InteropAdmission::remote(args.chain_id, checker, execution_time, runtime.handle().clone(), timeouts);
    service.write().set_admission_check(Arc::new(admission));
    Ok(())
}

/// Builds the chain, serves it, and mines until Ctrl-C or SIGTERM.
pub fn run(args: NodeArgs) -> Result<(), CliError> {
    if args.block_time == Some(0) {
        return Err(CliError::BadInput(
            "--block-time must be at least 1 second (omit it to mine per transaction)".into(),
        ));
    }
    if args.interop_timeout.is_zero() {
        return Err(CliError::BadInput("--interop-timeout must be longer than zero".into()));
    }
    let signers = dev_accounts::derive(&args.mnemonic, args.accounts)?;
    let genesis_timestamp =
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let mut genesis =
        Genesis::new(args.chain_id, genesis_timestamp).with_alloc(predeploy_allocs(args.chain_id));
    genesis = genesis.with_alloc(superlink_contracts::preinstall_allocs());
    for address in dev_accounts::addresses(&signers) {
        genesis = genesis.with_account(
            address,
            GenesisAccount { balance: dev_accounts::ether(args.balance), ..GenesisAccount::default() },
        );
    }
    let chain = Chain::new(&genesis, ChainConfig::default());
    let banner = dev_accounts::banner(&signers, args.balance);
    let service = Arc::new(ChainService::new(chain).with_automine(args.block_time.is_none()));
    let interop = match &args.interop_rpc {
        Some(url) => {
            let runtime = interop_runtime()?;
            install_interop_check(&service, &args, url, &runtime)?;
            Some((url.clone(), runtime))
        }
        None => None,
    };
    let mut backend = ChainBackend::over(service.clone(), signers);
    if let Some(number) = args.fault_tamper_state_root {
        warn!(block = number, "fault: serving a tampered stateRoot for this block");
        backend = backend.with_tampered_state_root(number);
    }
    let backend = Arc::new(backend);

    runtime::init_logging();
    let rt = runtime::build()?;
    let interop_url = interop.as_ref().map(|(url, _)| url.clone());
    let served = rt.block_on(async move {
        let addr = SocketAddr::new(args.host, args.port);
        let server = superlink_rpc::serve(addr, backend.clone())
            .await
            .map_err(|e| CliError::Service(format!("serving JSON-RPC on {addr}: {e}")))?;
        println!("superlink node {}\n", env!("CARGO_PKG_VERSION"));
        println!("{banner}");
        println!("Chain ID: {}", args.chain_id);
        println!("Listening on {} (HTTP and WebSocket)", server.http_url());
        if let Some(url) = &interop_url {
            println!("Executing messages checked with {url} (timeout {:?})", args.interop_timeout);
            info!(chain_id = args.chain_id, verifier = %url, "checking executing messages with the verifier");
        }
        info!(chain_id = args.chain_id, url = %server.http_url(), "serving JSON-RPC");

        // With a block time, one block per period on the dev clock (`evm_increaseTime` moves it ahead).
        let (stop_miner, miner_stopped) = watch::channel(false);
        let miner_service = service.clone();
        let miner = args.block_time.map(|block_time| {
            let service = miner_service;
            let schedule = BlockSchedule { start: genesis_timestamp, block_time };
            tokio::spawn(run_block_loop(schedule, miner_stopped, move |_scheduled| {
                match service.mine_block() {
                    Ok(block) => {
                        info!(number = block.number(), txs = block.transactions.len(), "mined block")
                    }
                    Err(e) => warn!(error = %e, "mining a block failed"),
                }
            }))
        });
        runtime::shutdown_signal().await;
        service.begin_shutdown();
        let _ = stop_miner.send(true);
        if let Some(miner) = miner {
            let _ = miner.await;
        }
        server.stop().await;
        info!("node stopped");
        Ok(())
    });
    // Outside any runtime: a check still under way is abandoned, not waited for.
    if let Some((_, runtime)) = interop {
        runtime.shutdown_background();
    }
    served
}
