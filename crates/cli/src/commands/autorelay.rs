//! `superlink autorelay`: relays every message sent between the given chains until Ctrl-C or SIGTERM.

use std::{path::PathBuf, time::Duration};

use clap::Args;
use superlink_relayer::{Autorelayer, AutorelayerConfig, StartFrom};

use crate::{
    commands::client::{connect, wallet},
    error::CliError,
    runtime,
};

/// `superlink autorelay`.
#[derive(Debug, Args)]
pub struct AutorelayArgs {
    /// JSON-RPC URL of a chain to follow and relay to (give one per chain, at least two).
    #[arg(long = "rpc", value_name = "URL", required = true)]
    rpcs: Vec<String>,
    /// Private key that pays for the relays (or the SUPERLINK_PRIVATE_KEY environment variable).
    #[arg(long, value_name = "KEY", env = "SUPERLINK_PRIVATE_KEY", hide_env_values = true)]
    private_key: Option<String>,
    /// Relay every message since block 0, not only messages sent from now on.
    #[arg(long)]
    from_genesis: bool,
    /// JSON file keeping, per chain, where to resume scanning after a restart.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Pause between polls of the chains, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 250)]
    poll_interval_ms: u64,
}

/// Runs `superlink autorelay` until a shutdown signal.
pub fn run(args: AutorelayArgs) -> Result<(), CliError> {
    if args.rpcs.len() < 2 {
        return Err(CliError::BadInput("give at least two chains with --rpc".into()));
    }
    let chains = args.rpcs.iter().map(|url| connect(url)).collect::<Result<Vec<_>, _>>()?;
    let wallet = wallet(args.private_key.as_deref())?;
    let config = AutorelayerConfig {
        poll_interval: Duration::from_millis(args.poll_interval_ms.max(1)),
        start: if args.from_genesis { StartFrom::Genesis } else { StartFrom::Latest },
        checkpoint_file: args.checkpoint,
        ..AutorelayerConfig::default()
    };
    runtime::init_logging();
    let rt = runtime::build()?;
    rt.block_on(async move {
        let relayer =
            Autorelayer::new(chains, wallet, config).await.map_err(|e| CliError::Service(e.to_string()))?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let service = tokio::spawn(relayer.run(stopped));
        runtime::shutdown_signal().await;
        let _ = stop.send(true);
        let relayer =
            service.await.map_err(|e| CliError::Service(format!("the relayer task failed: {e}")))?;
        let stats = relayer.stats();
        tracing::info!(
            relayed = stats.relayed,
            transactions = stats.transactions_sent,
            given_up = stats.given_up,
            "autorelay stopped"
        );
        Ok(())
    })
}
