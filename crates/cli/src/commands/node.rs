//! `superlink node`: one OP Stack chain with interop predeploys, served on a standard Ethereum JSON-RPC port.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use clap::Args;
use superlink_chain::{Chain, ChainConfig, Genesis, GenesisAccount};
use superlink_contracts::genesis::predeploy_allocs;
use superlink_rpc::ChainBackend;
use tracing::{info, warn};

use crate::{dev_accounts, error::CliError, runtime};

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
}

/// Builds the chain, serves it, and mines until Ctrl-C or SIGTERM.
pub fn run(args: NodeArgs) -> Result<(), CliError> {
    if args.block_time == Some(0) {
        return Err(CliError::BadInput(
            "--block-time must be at least 1 second (omit it to mine per transaction)".into(),
        ));
    }
    let signers = dev_accounts::derive(&args.mnemonic, args.accounts)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let mut genesis = Genesis::new(args.chain_id, now).with_alloc(predeploy_allocs(args.chain_id));
    for address in dev_accounts::addresses(&signers) {
        genesis = genesis.with_account(
            address,
            GenesisAccount { balance: dev_accounts::ether(args.balance), ..GenesisAccount::default() },
        );
    }
    let chain = Chain::new(&genesis, ChainConfig::default());
    let banner = dev_accounts::banner(&signers, args.balance);
    let backend = Arc::new(ChainBackend::new(chain, signers).with_automine(args.block_time.is_none()));

    runtime::init_logging();
    let rt = runtime::build()?;
    rt.block_on(async move {
        let addr = SocketAddr::new(args.host, args.port);
        let server = superlink_rpc::serve(addr, backend.clone())
            .await
            .map_err(|e| CliError::Service(format!("serving JSON-RPC on {addr}: {e}")))?;
        println!("superlink node {}\n", env!("CARGO_PKG_VERSION"));
        println!("{banner}");
        println!("Chain ID: {}", args.chain_id);
        println!("Listening on {} (HTTP and WebSocket)", server.http_url());
        info!(chain_id = args.chain_id, url = %server.http_url(), "serving JSON-RPC");

        let miner = args.block_time.map(|secs| {
            let backend = backend.clone();
            tokio::spawn(async move {
                let mut ticker = tokio::time::interval(Duration::from_secs(secs));
                ticker.tick().await;
                loop {
                    ticker.tick().await;
                    match backend.mine_block() {
                        Ok(block) => {
                            info!(number = block.number(), txs = block.transactions.len(), "mined block")
                        }
                        Err(e) => warn!(error = %e, "mining a block failed"),
                    }
                }
            })
        });
        runtime::shutdown_signal().await;
        if let Some(miner) = miner {
            miner.abort();
        }
        server.stop().await;
        info!("node stopped");
        Ok(())
    })
}
