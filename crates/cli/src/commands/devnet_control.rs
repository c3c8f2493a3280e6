//! `superlink devnet fault ...` and `superlink devnet status`: the faults and the status of a running devnet,
//! through the `devnet_*` methods of its control port (the verifier's port). Each command is one JSON-RPC
//! request with the shared node client; the answer is summed up in a line (or a table), or printed as it came
//! with `--json`.

use std::time::Duration;

use alloy_primitives::B256;
use clap::{Args, Subcommand};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use superlink_client::{ClientError, NodeClient};
use superlink_devnet::faults::{
    BatcherReport, ChainStatus, DerivedHead, DevnetStatus, InjectedMessage, L1Reorg, L2Reorg,
};
use superlink_verifier::BlockId;

use crate::{commands::client, error::CliError, parse};

/// Where a devnet started with the default flags serves its control port.
pub const DEFAULT_CONTROL_URL: &str = "http://127.0.0.1:8420";

/// How long a control request may take: a fault builds blocks, an L1 reorg many of them.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(60);

/// JSON-RPC "method not found": the port answers, but serves no `devnet_*` methods.
const METHOD_NOT_FOUND: i64 = -32601;
/// JSON-RPC "invalid params": the devnet refused what was asked (unknown chain, depth out of range, ...).
const INVALID_PARAMS: i64 = -32602;

/// What `superlink devnet` does instead of starting a devnet.
#[derive(Debug, Subcommand)]
pub enum DevnetCommand {
    /// Inject a fault into a running devnet (through its control port).
    #[command(subcommand)]
    Fault(FaultCommand),
    /// Show a running devnet's safety heads per chain, what they were derived from, its batchers and its L1.
    Status(ControlArgs),
    /// Start a devnet whose L1 and L2s start from existing chains' state at a block (fork mode): state is
    /// read from the remote nodes as it is needed, the devnet's contracts go on top, and the forked chains
    /// keep their chain IDs. Takes every flag of `superlink devnet`, plus --l1-fork-url, --l2-fork and
    /// --fork-block.
    Fork(Box<super::devnet::DevnetFlags>),
}

/// A fault to inject.
#[derive(Debug, Subcommand)]
pub enum FaultCommand {
    /// Stop the chain's batcher: its blocks stay unsafe until it is resumed (or the sequencing window ends).
    HaltBatcher(ChainArgs),
    /// Start the chain's batcher again: it posts every block not yet safe.
    ResumeBatcher(ChainArgs),
    /// Make the chain's sequencer include an executing message whose initiating message does not exist
    /// (bypassing its own pool check), to watch the block be found invalid and replaced.
    InjectInvalidMessage(ChainArgs),
    /// Replace the L1's last DEPTH blocks with a branch of as many empty blocks.
    ReorgL1(ReorgL1Args),
    /// Make the chain's sequencer equivocate: its last DEPTH unsafe blocks are rebuilt differently.
    ReorgL2(ReorgL2Args),
}

/// Where the running devnet is, and how to print its answer.
#[derive(Debug, Args)]
pub struct ControlArgs {
    /// The running devnet's control port: its verifier URL (`--verifier-port` of `superlink devnet`).
    #[arg(long, value_name = "URL", env = "SUPERLINK_CONTROL_URL", default_value = DEFAULT_CONTROL_URL)]
    pub(crate) control_url: String,
    /// Print the JSON result as the control port returned it.
    #[arg(long)]
    pub(crate) json: bool,
}

/// A fault on one chain.
#[derive(Debug, Args)]
pub struct ChainArgs {
    /// The L2 chain ID (decimal or 0x hex).
    #[arg(value_name = "CHAIN_ID", value_parser = parse::u64)]
    pub(crate) chain_id: u64,
    #[command(flatten)]
    pub(crate) control: ControlArgs,
}

/// `superlink devnet fault reorg-l1`.
#[derive(Debug, Args)]
pub struct ReorgL1Args {
    /// How many L1 blocks to replace, counted back from the head.
    #[arg(value_name = "DEPTH", value_parser = parse::u64)]
    pub(crate) depth: u64,
    #[command(flatten)]
    pub(crate) control: ControlArgs,
}

/// `superlink devnet fault reorg-l2`.
#[derive(Debug, Args)]
pub struct ReorgL2Args {
    /// The L2 chain ID (decimal or 0x hex).
    #[arg(value_name = "CHAIN_ID", value_parser = parse::u64)]
    pub(crate) chain_id: u64,
    /// How many unsafe blocks to rebuild, counted back from the chain's head.
    #[arg(value_name = "DEPTH", value_parser = parse::u64)]
    pub(crate) depth: u64,
    #[command(flatten)]
    pub(crate) control: ControlArgs,
}

/// Runs one command against the running devnet and prints its answer.
pub fn run(command: DevnetCommand) -> Result<(), CliError> {
    match command {
        DevnetCommand::Fork(args) => super::devnet::run_fork(*args),
        DevnetCommand::Status(control) => {
            let status = answer::<DevnetStatus>(&control, "devnet_status", vec![])?;
            print(&control, &status, status_table)
        }
        DevnetCommand::Fault(FaultCommand::HaltBatcher(args)) => {
            let params = vec![json!(args.chain_id)];
            let report = answer::<BatcherReport>(&args.control, "devnet_haltBatcher", params)?;
            print(&args.control, &report, |r| halted_line(args.chain_id, r))
        }
        DevnetCommand::Fault(FaultCommand::ResumeBatcher(args)) => {
            let params = vec![json!(args.chain_id)];
            let report = answer::<BatcherReport>(&args.control, "devnet_resumeBatcher", params)?;
            print(&args.control, &report, |r| resumed_line(args.chain_id, r))
        }
        DevnetCommand::Fault(FaultCommand::InjectInvalidMessage(args)) => {
            let params = vec![json!(args.chain_id)];
            let injected = answer::<InjectedMessage>(&args.control, "devnet_injectInvalidMessage", params)?;
            print(&args.control, &injected, injected_line)
        }
        DevnetCommand::Fault(FaultCommand::ReorgL1(args)) => {
            let reorg = answer::<L1Reorg>(&args.control, "devnet_reorgL1", vec![json!(args.depth)])?;
            print(&args.control, &reorg, l1_reorg_line)
        }
        DevnetCommand::Fault(FaultCommand::ReorgL2(args)) => {
            let params = vec![json!(args.chain_id), json!(args.depth)];
            let reorg = answer::<L2Reorg>(&args.control, "devnet_reorgL2", params)?;
            print(&args.control, &reorg, l2_reorg_lines)
        }
    }
}

/// An answer of the control port: as it came (for `--json`) and decoded, so a malformed answer is reported
/// either way.
struct Answer<T> {
    raw: Value,
    value: T,
}

/// Calls `method` on the control port and decodes its answer.
fn answer<T: DeserializeOwned>(
    control: &ControlArgs,
    method: &'static str,
    params: Vec<Value>,
) -> Result<Answer<T>, CliError> {
    let url = control.control_url.as_str();
    let node = NodeClient::new(url, CONTROL_TIMEOUT).map_err(|e| control_error(url, e))?;
    let raw = client::block_on(async {
        node.request_json(method, params).await.map_err(|e| control_error(url, e))
    })?;
    let value = serde_json::from_value(raw.clone())
        .map_err(|e| CliError::Service(format!("unexpected answer to {method} from {url}: {e}")))?;
    Ok(Answer { raw, value })
}

/// Prints the answer as it came with `--json`, else the summary `text` makes of it.
fn print<T>(
    control: &ControlArgs,
    answer: &Answer<T>,
    text: impl FnOnce(&T) -> String,
) -> Result<(), CliError> {
    if control.json {
        println!("{}", serde_json::to_string_pretty(&answer.raw)?);
    } else {
        println!("{}", text(&answer.value));
    }
    Ok(())
}

/// The command's error for a failed control request: a devnet that is not running is named as such, a port
/// without `devnet_*` methods too, and a refusal keeps the devnet's own message.
fn control_error(url: &str, error: ClientError) -> CliError {
    match error {
        ClientError::BadEndpoint { .. } => CliError::BadInput(error.to_string()),
        ClientError::Unreachable { reason, .. } => CliError::Service(format!(
            "no devnet control port at {url}: {reason} (is `superlink devnet` running? its control port is the \
             verifier port; pass --control-url or set SUPERLINK_CONTROL_URL)"
        )),
        ClientError::Rpc { code: METHOD_NOT_FOUND, method, .. } => CliError::Service(format!(
            "{url} serves no {method}: it is not the control port of a devnet (a `superlink verify` verifier \
             serves no devnet_ methods)"
        )),
        ClientError::Rpc { code: INVALID_PARAMS, method, message, .. } => {
            CliError::BadInput(format!("{method} refused: {message}"))
        }
        ClientError::Rpc { method, message, .. } => CliError::Service(format!("{method} failed: {message}")),
        ClientError::Decode { .. } => CliError::Service(error.to_string()),
    }
}

fn block(id: &BlockId) -> String {
    format!("{} ({})", id.number, id.hash)
}

fn batcher_details(report: &BatcherReport) -> String {
    let posted = match report.posted {
        Some(n) => format!("last posted L2 block {n}"),
        None => "no L2 block posted yet".to_string(),
    };
    let included = match report.last_inclusion {
        Some(n) => format!(", last included in L1 block {n}"),
        None => String::new(),
    };
    format!("{posted}{included}, {} batcher transactions sent", report.transactions)
}

fn halted_line(chain_id: u64, report: &BatcherReport) -> String {
    format!(
        "halted the batcher of chain {chain_id} ({}): its blocks stay unsafe until \
         `superlink devnet fault resume-batcher {chain_id}`",
        batcher_details(report)
    )
}

fn resumed_line(chain_id: u64, report: &BatcherReport) -> String {
    format!("resumed the batcher of chain {chain_id} ({})", batcher_details(report))
}

fn injected_line(injected: &InjectedMessage) -> String {
    format!(
        "injected an invalid message on chain {} in block {} ({}), transaction {}",
        injected.chain_id, injected.block_number, injected.block_hash, injected.transaction_hash
    )
}

fn l1_reorg_line(reorg: &L1Reorg) -> String {
    format!(
        "reorganised the L1 after block {}: head {} replaced by {}",
        block(&reorg.fork),
        block(&reorg.old_head),
        block(&reorg.new_head)
    )
}

fn l2_reorg_lines(reorg: &L2Reorg) -> String {
    let mut text = format!(
        "reorganised chain {} after block {}: {} blocks rebuilt",
        reorg.chain_id,
        block(&reorg.fork),
        reorg.replacements.len()
    );
    let zero = B256::ZERO;
    let heights = reorg.replaced.len().max(reorg.replacements.len());
    for i in 0..heights {
        let old = reorg.replaced.get(i);
        let new = reorg.replacements.get(i);
        let number = old.or(new).map_or(0, |b| b.number);
        text.push_str(&format!(
            "\n  block {number}: {} -> {}",
            old.map_or(zero, |b| b.hash),
            new.map_or(zero, |b| b.hash)
        ));
    }
    text
}

/// `number ← L1 n`, or the number alone before any L1 block.
fn derived(head: &DerivedHead) -> String {
    match head.derived_from {
        Some(l1) => format!("{} ← L1 {}", head.derived.number, l1.number),
        None => head.derived.number.to_string(),
    }
}

fn chain_row(chain: &ChainStatus) -> Vec<String> {
    vec![
        chain.chain_id.to_string(),
        chain.unsafe_head.number.to_string(),
        chain.cross_unsafe.number.to_string(),
        derived(&chain.local_safe),
        derived(&chain.cross_safe),
        derived(&chain.finalized),
        if chain.batcher.halted { "halted" } else { "on" }.to_string(),
        chain.batcher.posted.map_or_else(|| "-".to_string(), |n| n.to_string()),
    ]
}

/// Lays out rows in columns two spaces apart, each as wide as its widest cell.
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|cell| cell.chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = String::new();
    for row in rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(&widths) {
            line.push_str(cell);
            line.push_str(&" ".repeat(width - cell.chars().count() + 2));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// `superlink devnet status` for people: the L1's heads, the batching parameters, then one row per L2.
fn status_table(status: &DevnetStatus) -> String {
    let l1 = |name: &str, id: &BlockId| vec![name.to_string(), id.number.to_string(), id.hash.to_string()];
    let mut text = table(&[
        l1("L1 head", &status.l1.head),
        l1("L1 safe", &status.l1.safe),
        l1("L1 finalized", &status.l1.finalized),
    ]);
    let batcher = if status.shared_batcher { "one batcher for every chain" } else { "one batcher per chain" };
    text.push_str(&format!(
        "{batcher}; batch interval {}, sequencing window {}, finality depth {} (L1 blocks)\n\n",
        status.batch_interval, status.sequencing_window, status.l1_finality_depth
    ));
    let header =
        ["chain", "unsafe", "cross-unsafe", "local-safe", "cross-safe", "finalized", "batcher", "posted"];
    let mut rows = vec![header.map(String::from).to_vec()];
    rows.extend(status.chains.iter().map(chain_row));
    text.push_str(&table(&rows));
    text.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use superlink_devnet::faults::L1Status;

    use super::*;

    /// The cells of a table row (cells are two or more spaces apart).
    fn words(line: &str) -> Vec<&str> {
        line.split("  ").map(str::trim).filter(|w| !w.is_empty()).collect()
    }

    fn id(number: u64, byte: u8) -> BlockId {
        BlockId::new(number, B256::repeat_byte(byte))
    }

    fn head(number: u64, l1: Option<u64>) -> DerivedHead {
        DerivedHead { derived: id(number, 1), derived_from: l1.map(|n| id(n, 2)) }
    }

    fn status() -> DevnetStatus {
        let chain = |chain_id, halted, posted| ChainStatus {
            chain_id,
            unsafe_head: id(57, 1),
            cross_unsafe: id(56, 1),
            local_safe: head(40, Some(19)),
            cross_safe: head(38, Some(18)),
            finalized: head(0, None),
            batcher: BatcherReport { halted, posted, last_inclusion: None, transactions: 0 },
        };
        DevnetStatus {
            l1: L1Status { head: id(20, 0xaa), safe: id(18, 0xbb), finalized: id(16, 0xcc) },
            chains: vec![chain(901, false, Some(45)), chain(902, true, None)],
            shared_batcher: false,
            batch_interval: 1,
            sequencing_window: 12,
            l1_finality_depth: 4,
        }
    }

    #[test]
    fn status_shows_the_l1_heads_and_a_row_per_chain_with_each_heads_l1_origin() {
        let text = status_table(&status());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(words(lines[0]), ["L1 head", "20", B256::repeat_byte(0xaa).to_string().as_str()]);
        assert_eq!(words(lines[1]), ["L1 safe", "18", B256::repeat_byte(0xbb).to_string().as_str()]);
        assert_eq!(words(lines[2]), ["L1 finalized", "16", B256::repeat_byte(0xcc).to_string().as_str()]);
        assert_eq!(
            lines[3],
            "one batcher per chain; batch interval 1, sequencing window 12, finality depth 4 (L1 blocks)"
        );
        let header = lines.iter().position(|l| l.starts_with("chain")).unwrap();
        assert_eq!(
            words(lines[header]),
            ["chain", "unsafe", "cross-unsafe", "local-safe", "cross-safe", "finalized", "batcher", "posted"]
        );
        assert_eq!(
            words(lines[header + 1]),
            ["901", "57", "56", "40 ← L1 19", "38 ← L1 18", "0", "on", "45"]
        );
        assert_eq!(
            words(lines[header + 2]),
            ["902", "57", "56", "40 ← L1 19", "38 ← L1 18", "0", "halted", "-"]
        );
        // Columns line up: every row's third column starts where the header's does.
        let column = |line: &str| line.find("56").unwrap();
        assert_eq!(lines[header].find("cross-unsafe").unwrap(), column(lines[header + 1]));
        assert_eq!(column(lines[header + 1]), column(lines[header + 2]));
    }

    #[test]
    fn fault_lines_carry_the_fields_the_devnet_returned() {
        let injected = InjectedMessage {
            chain_id: 901,
            block_number: 57,
            block_hash: B256::repeat_byte(0xab),
            transaction_hash: B256::repeat_byte(0xcd),
        };
        assert_eq!(
            injected_line(&injected),
            format!(
                "injected an invalid message on chain 901 in block 57 ({}), transaction {}",
                B256::repeat_byte(0xab),
                B256::repeat_byte(0xcd)
            )
        );
        let report =
            BatcherReport { halted: true, posted: Some(40), last_inclusion: Some(19), transactions: 7 };
        let halted = halted_line(902, &report);
        assert!(halted.starts_with("halted the batcher of chain 902 (last posted L2 block 40"), "{halted}");
        assert!(halted.contains("last included in L1 block 19, 7 batcher transactions"), "{halted}");
        assert!(halted.contains("superlink devnet fault resume-batcher 902"), "{halted}");
        let fresh = BatcherReport { halted: false, posted: None, last_inclusion: None, transactions: 0 };
        assert!(resumed_line(901, &fresh).contains("no L2 block posted yet"));

        let l1 = L1Reorg { fork: id(17, 1), old_head: id(20, 2), new_head: id(20, 3) };
        let line = l1_reorg_line(&l1);
        assert!(line.starts_with("reorganised the L1 after block 17 (0x0101"), "{line}");
        assert!(line.contains(&format!(
            "head 20 ({}) replaced by 20 ({})",
            B256::repeat_byte(2),
            B256::repeat_byte(3)
        )));

        let l2 = L2Reorg {
            chain_id: 902,
            fork: id(48, 1),
            replaced: vec![id(49, 2), id(50, 2)],
            replacements: vec![id(49, 3), id(50, 3)],
        };
        let text = l2_reorg_lines(&l2);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("reorganised chain 902 after block 48"), "{text}");
        assert!(lines[0].ends_with("2 blocks rebuilt"), "{text}");
        assert_eq!(lines[2], format!("  block 50: {} -> {}", B256::repeat_byte(2), B256::repeat_byte(3)));
    }

    #[test]
    fn an_absent_devnet_and_a_port_without_devnet_methods_are_named_as_such() {
        let url = "http://127.0.0.1:1";
        let unreachable = ClientError::Unreachable {
            endpoint: url.into(),
            method: "devnet_status",
            reason: "connection refused".into(),
        };
        let error = control_error(url, unreachable);
        assert_eq!(error.exit_code(), 1);
        assert!(
            error.to_string().starts_with("no devnet control port at http://127.0.0.1:1: connection refused")
        );

        let missing = ClientError::Rpc {
            endpoint: url.into(),
            method: "devnet_status",
            code: METHOD_NOT_FOUND,
            message: "Method not found".into(),
            data: None,
        };
        assert!(control_error(url, missing).to_string().contains("not the control port of a devnet"));

        let refused = ClientError::Rpc {
            endpoint: url.into(),
            method: "devnet_haltBatcher",
            code: INVALID_PARAMS,
            message: "the devnet runs no L2 with chain ID 999".into(),
            data: None,
        };
        let error = control_error(url, refused);
        assert_eq!(error.exit_code(), 2);
        assert_eq!(error.to_string(), "devnet_haltBatcher refused: the devnet runs no L2 with chain ID 999");

        let failed = ClientError::Rpc {
            endpoint: url.into(),
            method: "devnet_reorgL2",
            code: -32000,
            message: "the devnet is shutting down".into(),
            data: None,
        };
        let error = control_error(url, failed);
        assert_eq!(
            (error.exit_code(), error.to_string()),
            (1, "devnet_reorgL2 failed: the devnet is shutting down".into())
        );
    }
}
