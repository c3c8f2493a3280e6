//! What the client commands (send-message, relay, message status, bridge) share: connecting to nodes, the
//! signing key, running async work, sending a transaction and reading back the message it sent, and printing
//! messages.

use std::{future::Future, time::Duration};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolInterface;
use serde_json::{Value, json};
use superlink_contracts::bindings::{
    L2ToL2CrossDomainMessenger::L2ToL2CrossDomainMessengerErrors,
    SuperchainETHBridge::SuperchainETHBridgeErrors, SuperchainTokenBridge::SuperchainTokenBridgeErrors,
};
use superlink_relayer::{
    CallRequest, ChainError, RelayError, RelayableMessage, RpcChain, Wallet, messages_in_transaction,
    wait_for_receipt,
};

use crate::error::CliError;

/// How long a command waits for its transaction to be mined.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `work` to completion on a small tokio runtime.
pub fn block_on<T>(work: impl Future<Output = Result<T, CliError>>) -> Result<T, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Service(format!("starting the async runtime: {e}")))?;
    runtime.block_on(work)
}

/// A JSON-RPC client of `url`; a malformed URL is bad input.
pub fn connect(url: &str) -> Result<RpcChain, CliError> {
    RpcChain::new(url).map_err(|e| CliError::BadInput(e.to_string()))
}

/// The wallet of `--private-key` (or `SUPERLINK_PRIVATE_KEY`); never echoes the key.
pub fn wallet(key: Option<&str>) -> Result<Wallet, CliError> {
    let key = key.ok_or_else(|| {
        CliError::BadInput("a private key is needed: pass --private-key or set SUPERLINK_PRIVATE_KEY".into())
    })?;
    Wallet::from_private_key(key)
        .map_err(|_| CliError::BadInput("the private key is not 32 bytes of hex".into()))
}

/// Parses a 20-byte address in hex.
pub fn address(text: &str) -> Result<Address, String> {
    text.trim().parse::<Address>().map_err(|_| format!("`{text}` is not a 20-byte hex address"))
}

/// Maps a relaying error to the command's error: all of them are failures (exit 1), reported in one line.
pub fn failed(error: impl std::fmt::Display) -> CliError {
    let text = error.to_string();
    CliError::Service(text.lines().next().unwrap_or_default().to_string())
}

/// The name of a known revert of the messenger or the bridges, else the raw data.
pub fn describe_revert(data: &[u8]) -> String {
    if let Ok(e) = L2ToL2CrossDomainMessengerErrors::abi_decode(data) {
        return format!("{e:?}").split(['(', ' ', '{']).next().unwrap_or_default().to_string();
    }
    if let Ok(e) = SuperchainTokenBridgeErrors::abi_decode(data) {
        return format!("{e:?}").split(['(', ' ', '{']).next().unwrap_or_default().to_string();
    }
    if let Ok(e) = SuperchainETHBridgeErrors::abi_decode(data) {
        return format!("{e:?}").split(['(', ' ', '{']).next().unwrap_or_default().to_string();
    }
    if data.is_empty() {
        "no revert data".into()
    } else {
        format!("revert data 0x{}", alloy_primitives::hex::encode(data))
    }
}

/// Sends `call` from `wallet` on `chain`, waits for it to be mined and returns the transaction hash with the
/// messages it sent. A transaction that would revert is refused before sending, with the revert's name.
pub async fn send_and_read_messages(
    chain: &RpcChain,
    wallet: &Wallet,
    call: &CallRequest,
) -> Result<(B256, Vec<RelayableMessage>), CliError> {
    let tx = match wallet.send(chain, call).await {
        Ok(tx) => tx,
        Err(RelayError::Chain(ChainError::Reverted { data, .. })) => {
            return Err(CliError::Service(format!(
                "the transaction would revert: {}",
                describe_revert(&data)
            )));
        }
        Err(e) => return Err(failed(e)),
    };
    let receipt = wait_for_receipt(chain, tx, RECEIPT_TIMEOUT).await.map_err(failed)?;
    if !receipt.success {
        return Err(CliError::Service(format!("transaction {tx} reverted (gas used {})", receipt.gas_used)));
    }
    let messages = messages_in_transaction(chain, tx).await.map_err(failed)?;
    Ok((tx, messages))
}

/// The JSON form of a message: its hashes, nonce and chains in decimal, its identifier, payload and the access
/// list that declares it.
pub fn message_json(message: &RelayableMessage) -> Value {
    json!({
        "messageHash": message.message_hash,
        "nonce": message.sent.nonce.to_string(),
        "source": message.source().to_string(),
        "destination": message.destination().to_string(),
        "sender": message.sent.sender,
        "target": message.sent.target,
        "message": message.sent.message,
        "identifier": message.identifier,
        "payload": message.payload,
        "payloadHash": message.payload_hash,
        "accessList": message.access_list(),
    })
}

/// Prints the messages a transaction sent, for people: one block per message.
pub fn print_sent(tx: B256, messages: &[RelayableMessage], json: bool) -> Result<(), CliError> {
    if json {
        let doc = json!({
            "transactionHash": tx,
            "messageHash": messages.first().map(|m| m.message_hash),
            "nonce": messages.first().map(|m| m.sent.nonce.to_string()),
            "messages": messages.iter().map(message_json).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    println!("transaction   {tx}");
    for m in messages {
        println!("message hash  {}", m.message_hash);
        println!("nonce         {}", m.sent.nonce);
        println!(
            "route         chain {} -> chain {} (block {}, log index {})",
            m.source(),
            m.destination(),
            m.identifier.block_number,
            m.identifier.log_index
        );
    }
    println!("relay with    superlink relay --from-rpc <this chain> --to-rpc <destination chain> --tx {tx}");
    Ok(())
}

/// The chain ID a destination argument names, checked against the source chain.
pub fn destination(chain: U256) -> Result<U256, CliError> {
    if chain.is_zero() {
        return Err(CliError::BadInput("--to-chain 0 is not a chain".into()));
    }
    Ok(chain)
}
