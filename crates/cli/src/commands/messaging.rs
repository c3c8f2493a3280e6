//! `superlink send-message`, `superlink relay` and `superlink message status`: sending a cross-chain message
//! through `L2ToL2CrossDomainMessenger`, relaying it on its destination, and following it.

use alloy_primitives::{Address, B256, Bytes, U64, U256};
use clap::{Args, Subcommand};
use serde_json::json;
use superlink_protocol::{
    SafetyLevel, SentMessage, messenger::send_message_calldata, payload_hash,
    predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER,
};
use superlink_relayer::{
    CallRequest, ChainClient, ChainError, DeliveryStatus, RelayError, RelayableMessage, delivery_status,
    messages_in_transaction, relay_message, verify_against_source,
};

use crate::{
    commands::client::{
        RECEIPT_TIMEOUT, address, block_on, connect, destination, failed, message_json, print_sent,
        send_and_read_messages, wallet,
    },
    error::CliError,
    parse,
};

/// `superlink send-message`: sends `sendMessage(destination, target, data)` on the source chain.
#[derive(Debug, Args)]
pub struct SendMessageArgs {
    /// JSON-RPC URL of the source chain.
    #[arg(long, value_name = "URL")]
    from_rpc: String,
    /// Chain ID of the destination chain.
    #[arg(long, value_name = "N", value_parser = parse::u256)]
    to_chain: U256,
    /// Account called on the destination chain.
    #[arg(long, value_name = "ADDR", value_parser = address)]
    target: Address,
    /// Calldata for the target, in hex.
    #[arg(long, value_name = "HEX", value_parser = parse::bytes)]
    data: Bytes,
    /// Private key of the sender (or the SUPERLINK_PRIVATE_KEY environment variable).
    #[arg(long, value_name = "KEY", env = "SUPERLINK_PRIVATE_KEY", hide_env_values = true)]
    private_key: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `superlink relay`: relays the messages of a source transaction on their destination chain.
#[derive(Debug, Args)]
pub struct RelayArgs {
    /// JSON-RPC URL of the source chain.
    #[arg(long, value_name = "URL")]
    from_rpc: String,
    /// JSON-RPC URL of the destination chain.
    #[arg(long, value_name = "URL")]
    to_rpc: String,
    /// Hash of the source transaction that sent the message.
    #[arg(long, value_name = "HASH", value_parser = parse::b256)]
    tx: B256,
    /// Relay only the message whose SentMessage log has this index in its block.
    #[arg(long, value_name = "N", value_parser = parse::u32)]
    log_index: Option<u32>,
    /// Relay this payload (topics then data of a SentMessage log) instead of the one read from the source:
    /// it is checked against the source chain first and refused if that chain holds no such log.
    #[arg(long, value_name = "HEX", value_parser = parse::bytes)]
    payload: Option<Bytes>,
    /// Private key of the relayer (or the SUPERLINK_PRIVATE_KEY environment variable).
    #[arg(long, value_name = "KEY", env = "SUPERLINK_PRIVATE_KEY", hide_env_values = true)]
    private_key: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `superlink message ...`: following messages.
#[derive(Debug, Subcommand)]
pub enum MessageCommand {
    /// Show whether the messages of a source transaction are sent, relayed or failing on their destination,
    /// and how safe their source block is when a verifier is given.
    Status(StatusArgs),
}

/// `superlink message status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// JSON-RPC URL of the source chain.
    #[arg(long, value_name = "URL")]
    from_rpc: String,
    /// JSON-RPC URL of the destination chain.
    #[arg(long, value_name = "URL")]
    to_rpc: String,
    /// Hash of the source transaction that sent the messages.
    #[arg(long, value_name = "HASH", value_parser = parse::b256)]
    tx: B256,
    /// URL of a verifier (supervisor RPC), to report the safety of the source block.
    #[arg(long, value_name = "URL")]
    verifier_url: Option<String>,
    /// Wait up to this many seconds for every message to be relayed before reporting; exits with an error if
    /// one is still not relayed by then.
    #[arg(long, value_name = "SECS")]
    wait: Option<u64>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Pause between two looks at the destination while `message status --wait` waits.
const STATUS_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs `superlink send-message`.
pub fn send_message(args: SendMessageArgs) -> Result<(), CliError> {
    let chain = connect(&args.from_rpc)?;
    let wallet = wallet(args.private_key.as_deref())?;
    let to_chain = destination(args.to_chain)?;
    block_on(async move {
        let call = CallRequest {
            to: L2_TO_L2_CROSS_DOMAIN_MESSENGER,
            input: send_message_calldata(to_chain, args.target, &args.data),
            ..Default::default()
        };
        let (tx, messages) = send_and_read_messages(&chain, &wallet, &call).await?;
        print_sent(tx, &messages, args.json)
    })
}

/// Runs `superlink relay`.
pub fn relay(args: RelayArgs) -> Result<(), CliError> {
    let source = connect(&args.from_rpc)?;
    let dest = connect(&args.to_rpc)?;
    let wallet = wallet(args.private_key.as_deref())?;
    block_on(async move {
        let dest_id = dest.chain_id().await.map_err(failed)?;
        let mut messages = select(&source, args.tx, args.log_index, dest_id).await?;
        if let Some(payload) = &args.payload {
            let [only] = messages.as_mut_slice() else {
                return Err(CliError::BadInput(
                    "--payload needs a single message: add --log-index to pick one".into(),
                ));
            };
            *only = with_payload(only, payload)?;
            verify_against_source(&source, only).await.map_err(failed)?;
        }
        let mut receipts = Vec::new();
        for message in &messages {
            let receipt = relay_message(&dest, &wallet, message, RECEIPT_TIMEOUT).await.map_err(failed)?;
            if !args.json {
                println!("relayed message {}", receipt.message_hash);
                println!("  transaction   {}", receipt.transaction_hash);
                println!(
                    "  status        success (block {}, gas used {})",
                    receipt.block_number, receipt.gas_used
                );
            }
            receipts.push(receipt);
        }
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({ "relays": receipts, "status": "success" }))?
            );
        }
        Ok(())
    })
}

/// The messages of `tx` to relay on chain `dest_id`: the one at `log_index` if given, else every message for
/// that chain. A clear error when there is none.
async fn select<C: ChainClient>(
    source: &C,
    tx: B256,
    log_index: Option<u32>,
    dest_id: U256,
) -> Result<Vec<RelayableMessage>, CliError> {
    let all = messages_in_transaction(source, tx).await.map_err(failed)?;
    let picked: Vec<RelayableMessage> = match log_index {
        Some(index) => {
            let m = all
                .iter()
                .find(|m| m.identifier.log_index == index)
                .ok_or_else(|| failed(RelayError::NoSentMessageAtIndex { tx, log_index: index }))?;
            vec![m.clone()]
        }
        None => all.iter().filter(|m| m.destination() == dest_id).cloned().collect(),
    };
    let misaddressed =
        if picked.is_empty() { all.first() } else { picked.iter().find(|m| m.destination() != dest_id) };
    if let Some(other) = misaddressed {
        return Err(failed(RelayError::WrongDestination {
            message_hash: other.message_hash,
            destination: other.destination(),
            chain_id: dest_id,
        }));
    }
    Ok(picked)
}

/// `message` with its payload replaced by `payload` (which must decode as a `SentMessage` log).
fn with_payload(message: &RelayableMessage, payload: &Bytes) -> Result<RelayableMessage, CliError> {
    let bad =
        || CliError::BadInput("--payload is not a SentMessage payload (4 topics, then the data)".into());
    if payload.len() < 128 {
        return Err(bad());
    }
    let topics: Vec<B256> = payload[..128].chunks(32).map(B256::from_slice).collect();
    let sent = SentMessage::decode_log(L2_TO_L2_CROSS_DOMAIN_MESSENGER, &topics, &payload[128..])
        .ok()
        .flatten()
        .ok_or_else(bad)?;
    Ok(RelayableMessage {
        payload_hash: payload_hash(&topics, &payload[128..]),
        message_hash: sent.message_hash(message.source()),
        sent,
        payload: payload.clone(),
        ..message.clone()
    })
}

/// Runs `superlink message status`.
pub fn status(args: StatusArgs) -> Result<(), CliError> {
    let source = connect(&args.from_rpc)?;
    let dest = connect(&args.to_rpc)?;
    block_on(async move {
        let messages = messages_in_transaction(&source, args.tx).await.map_err(failed)?;
        let dest_id = dest.chain_id().await.map_err(failed)?;
        let deadline = args.wait.map(|secs| std::time::Instant::now() + std::time::Duration::from_secs(secs));
        let mut states = Vec::new();
        loop {
            states.clear();
            for message in &messages {
                states.push(if message.destination() == dest_id {
                    delivery_status(&dest, message).await.map_err(failed)?
                } else {
                    DeliveryStatus::Failing {
                        reason: format!(
                            "the message is for chain {}, the --to-rpc node is chain {dest_id}",
                            message.destination()
                        ),
                    }
                });
            }
            let all_relayed = states.iter().all(|s| matches!(s, DeliveryStatus::Relayed { .. }));
            match deadline {
                Some(deadline) if !all_relayed && std::time::Instant::now() < deadline => {
                    tokio::time::sleep(STATUS_POLL).await
                }
                _ => break,
            }
        }
        let mut rows = Vec::new();
        for (message, state) in messages.iter().zip(states) {
            let safety = match &args.verifier_url {
                Some(url) => Some(source_safety(url, &dest, message).await?),
                None => None,
            };
            rows.push((message, state, safety));
        }
        let unrelayed =
            rows.iter().filter(|(_, state, _)| !matches!(state, DeliveryStatus::Relayed { .. })).count();
        let outcome = match args.wait {
            Some(secs) if unrelayed > 0 => Err(CliError::Service(format!(
                "{unrelayed} message(s) still not relayed after waiting {secs} s"
            ))),
            _ => Ok(()),
        };
        if args.json {
            let doc: Vec<_> = rows
                .iter()
                .map(|(m, state, safety)| {
                    let mut v = message_json(m);
                    v["delivery"] = serde_json::to_value(state).unwrap_or_default();
                    v["status"] = json!(status_word(state));
                    if let Some(s) = safety {
                        v["sourceSafety"] = json!(s);
                    }
                    v
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&json!({ "transactionHash": args.tx, "messages": doc }))?
            );
            return outcome;
        }
        for (m, state, safety) in &rows {
            println!("message {}  chain {} -> chain {}", m.message_hash, m.source(), m.destination());
            match state {
                DeliveryStatus::Sent => println!("  status   sent (not relayed yet)"),
                DeliveryStatus::Relayed { transaction: Some(tx), block_number } => println!(
                    "  status   relayed in {tx}{}",
                    block_number.map(|b| format!(" (block {b})")).unwrap_or_default()
                ),
                DeliveryStatus::Relayed { transaction: None, .. } => println!("  status   relayed"),
                DeliveryStatus::Failing { reason } => println!("  status   failed: {reason}"),
            }
            if let Some(s) = safety {
                println!("  source   {s}");
            }
        }
        outcome
    })
}

fn status_word(state: &DeliveryStatus) -> &'static str {
    match state {
        DeliveryStatus::Sent => "sent",
        DeliveryStatus::Relayed { .. } => "relayed",
        DeliveryStatus::Failing { .. } => "failed",
    }
}

/// The safety of the message's source block, as the verifier at `url` judges its access-list entries for an
/// execution in the destination's next block.
async fn source_safety<C: ChainClient>(
    url: &str,
    dest: &C,
    message: &RelayableMessage,
) -> Result<String, CliError> {
    let latest = dest.latest_block_number().await.map_err(failed)?;
    let now = dest.block(latest).await.map_err(failed)?.map(|b| b.timestamp).unwrap_or_default();
    // A relay sent now lands in the destination's next block, after its latest one and after the message.
    let timestamp = U64::from(now.max(message.identifier.timestamp).saturating_add(1));
    supervisor_safety(url, &message.access_list_keys(), timestamp, message.destination()).await
}

/// The strongest level at which the verifier at `url` accepts `keys` (`supervisor_checkAccessList`, tried from
/// `finalized` downwards), or a note with the verifier's last reason when it accepts them at none.
async fn supervisor_safety(
    url: &str,
    keys: &[B256],
    timestamp: U64,
    destination: U256,
) -> Result<String, CliError> {
    let verifier = connect(url)?;
    let descriptor = json!({ "timestamp": timestamp, "chainID": destination });
    let levels = [
        SafetyLevel::Finalized,
        SafetyLevel::Safe,
        SafetyLevel::LocalSafe,
        SafetyLevel::CrossUnsafe,
        SafetyLevel::Unsafe,
    ];
    let mut last_error = String::new();
    for level in levels {
        let params = vec![json!(keys), json!(level.as_str()), descriptor.clone()];
        match verifier.request_json("supervisor_checkAccessList", params).await {
            Ok(_) => return Ok(level.to_string()),
            Err(ChainError::Rpc { message, .. }) => last_error = message,
            Err(e) => return Err(CliError::Service(format!("verifier: {e}"))),
        }
    }
    Ok(format!("not accepted at any level ({last_error})"))
}
