//! `superlink proof reexecute`: re-execute blocks of a node statelessly, from each parent's state root and
//! the node's `debug_executionWitness`, and compare the roots the node serves with the recomputed ones.

use std::fmt::Display;

use clap::Args;
use superlink_client::NodeClient;
use superlink_stateless::{BlockCheck, FieldCheck, check::REQUEST_TIMEOUT, check_block_with};

use crate::{error::CliError, runtime};

/// The node and the blocks to re-execute.
#[derive(Debug, Args)]
pub struct ReexecuteArgs {
    /// The node's JSON-RPC URL (it must serve `debug_executionWitness`).
    #[arg(long, value_name = "URL")]
    rpc: String,
    /// The first block to re-execute (at least 1: the genesis block is not executed).
    #[arg(long, value_name = "N")]
    block: u64,
    /// The last block to re-execute (default: only `--block`).
    #[arg(long, value_name = "M")]
    to: Option<u64>,
}

fn line<T: PartialEq + Display>(out: &mut String, name: &str, field: &FieldCheck<T>) {
    let verdict = if field.matches() { "ok" } else { "MISMATCH" };
    out.push_str(&format!(
        "  {name:<14} served {}  recomputed {}  {verdict}\n",
        field.served, field.recomputed
    ));
}

/// The report of one block.
fn report(check: &BlockCheck) -> String {
    let mut out = format!("block {} ({}) on chain {}\n", check.number, check.block_hash, check.chain_id);
    line(&mut out, "state root", &check.state_root);
    line(&mut out, "receipts root", &check.receipts_root);
    line(&mut out, "gas used", &check.gas_used);
    line(&mut out, "withdrawals", &check.message_passer_storage_root);
    line(&mut out, "output root", &check.output_root);
    if check.impersonated_senders > 0 {
        out.push_str(&format!(
            "  note: {} transactions have an impersonated sender, taken on the node's word\n",
            check.impersonated_senders
        ));
    }
    out
}

/// Re-executes every block of the range; exits 1 at the first block whose roots differ or that cannot be
/// re-executed.
pub fn run(args: ReexecuteArgs) -> Result<(), CliError> {
    let to = args.to.unwrap_or(args.block);
    if args.block == 0 {
        return Err(CliError::BadInput(
            "--block must be at least 1: the genesis block is not executed".into(),
        ));
    }
    if to < args.block {
        return Err(CliError::BadInput(format!("--to {to} is below --block {}", args.block)));
    }
    let client =
        NodeClient::new(&args.rpc, REQUEST_TIMEOUT).map_err(|e| CliError::BadInput(format!("--rpc: {e}")))?;
    let rt = runtime::build()?;
    rt.block_on(async move {
        for number in args.block..=to {
            let check =
                check_block_with(&client, number).await.map_err(|e| CliError::Service(e.to_string()))?;
            print!("{}", report(&check));
            if !check.all_match() {
                return Err(CliError::Service(format!(
                    "block {number}: {} differ from the re-execution (state root served {}, recomputed {})",
                    check.mismatches().join(", "),
                    check.state_root.served,
                    check.state_root.recomputed
                )));
            }
        }
        let count = to - args.block + 1;
        println!("all {count} blocks re-execute to the roots the node serves");
        Ok(())
    })
}
