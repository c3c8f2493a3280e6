//! Load generator of the autorelayer: two anvil chains (901, 902) with the interop predeploys, the
//! autorelayer following both, and the example counter app sending messages from 901 to 902.
//!
//! Phase 1 (latency): one message at a time, the time from submitting `incrementRemote` to seeing the counter
//! move on 902. Phase 2 (throughput): a burst of messages submitted back to back, the time until all are
//! delivered. Prints the figures and the relayer's gas per relay.
//!
//! `cargo run -p superlink-benches --bin relay_load -- [--latency N] [--burst N]`

use std::time::{Duration, Instant};

use alloy_primitives::U256;
use superlink_benches::counter::{count, increment_remote};
use superlink_contracts::predeploy_allocs;
use superlink_relayer::{Autorelayer, AutorelayerConfig, RpcChain, StartFrom, Wallet, wait_for_receipt};
use superlink_testkit::Anvil;

const USER_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const RELAYER_KEY: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

type Failure = Box<dyn std::error::Error>;

fn arg(name: &str, default: usize) -> Result<usize, Failure> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => Ok(args.get(i + 1).ok_or(format!("{name} needs a value"))?.parse()?),
        None => Ok(default),
    }
}

async fn place_predeploys(chain: &RpcChain, id: u64) -> Result<(), Failure> {
    for (address, account) in predeploy_allocs(id) {
        if let Some(code) = &account.code {
            chain
                .request_json("anvil_setCode", vec![address.to_string().into(), code.to_string().into()])
                .await?;
        }
        if account.balance != U256::ZERO {
            let balance = format!("{:#x}", account.balance);
            chain.request_json("anvil_setBalance", vec![address.to_string().into(), balance.into()]).await?;
        }
    }
    Ok(())
}

async fn wait_for_count(chain: &RpcChain, target: U256, timeout: Duration) -> Result<(), Failure> {
    let deadline = Instant::now() + timeout;
    while count(chain).await? < target {
        if Instant::now() > deadline {
            return Err(format!("counter did not reach {target} in {timeout:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Failure> {
    let latency_rounds = arg("--latency", 20)?;
    let burst = arg("--burst", 200)?;
    let (a, b) = (Anvil::spawn(901, &[])?, Anvil::spawn(902, &[])?);
    let (source, dest) = (RpcChain::new(&a.url())?, RpcChain::new(&b.url())?);
    place_predeploys(&source, 901).await?;
    place_predeploys(&dest, 902).await?;

    let config = AutorelayerConfig {
        poll_interval: Duration::from_millis(10),
        start: StartFrom::Genesis,
        ..AutorelayerConfig::default()
    };
    let chains = vec![RpcChain::new(&a.url())?, RpcChain::new(&b.url())?];
    let relayer = Autorelayer::new(chains, Wallet::from_private_key(RELAYER_KEY)?, config).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(relayer.run(stopped));
    let user = Wallet::from_private_key(USER_KEY)?;

    let mut latencies = Vec::with_capacity(latency_rounds);
    for round in 1..=latency_rounds {
        let started = Instant::now();
        let tx = user.send(&source, &increment_remote(902)).await?;
        wait_for_receipt(&source, tx, Duration::from_secs(30)).await?;
        wait_for_count(&dest, U256::from(round), Duration::from_secs(60)).await?;
        latencies.push(started.elapsed());
    }
    latencies.sort();
    let pick = |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q).round() as usize).copied();

    let before = count(&dest).await?;
    let started = Instant::now();
    for _ in 0..burst {
        user.send(&source, &increment_remote(902)).await?;
    }
    let submitted = started.elapsed();
    wait_for_count(&dest, before + U256::from(burst), Duration::from_secs(600)).await?;
    let delivered = started.elapsed();

    stop.send(true)?;
    let relayer = running.await?;
    let stats = relayer.stats();
    println!("latency, send to delivery, {latency_rounds} messages one at a time:");
    println!(
        "  median {:?}  p90 {:?}  max {:?}",
        pick(0.5).unwrap_or_default(),
        pick(0.9).unwrap_or_default(),
        pick(1.0).unwrap_or_default()
    );
    println!("burst of {burst} messages: submitted in {submitted:?}, all delivered after {delivered:?}");
    println!("  {:.1} messages/s delivered", burst as f64 / delivered.as_secs_f64());
    println!(
        "relayer: {} relayed, {} transactions, {} retries, {} given up, {} gas per relay on average",
        stats.relayed,
        stats.transactions_sent,
        stats.retries,
        stats.given_up,
        stats.gas_used / stats.relayed.max(1)
    );
    Ok(())
}
