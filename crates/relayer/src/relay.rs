//! Relaying one message: reading it from the source chain, checking and simulating the relay on the
//! destination, sending `relayMessage` with the access list that declares it, and confirming the result.

use std::time::Duration;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use serde::Serialize;
use superlink_protocol::{
    messenger::{SENT_MESSAGE_TOPIC, abi::successfulMessagesCall},
    predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER,
};

use crate::{
    chain::{CallRequest, ChainClient, LogFilter},
    error::{ChainError, RelayError},
    message::{RelayableMessage, messages_in_block},
    revert::RelayRevert,
    wallet::{Wallet, wait_for_receipt},
};

/// The messages sent by transaction `tx` on `source`, in log order. An error when the transaction is unknown
/// or sent no message.
pub async fn messages_in_transaction<C: ChainClient>(
    source: &C,
    tx: B256,
) -> Result<Vec<RelayableMessage>, RelayError> {
    let receipt = source.receipt(tx).await?.ok_or(RelayError::TransactionNotFound { tx })?;
    let chain_id = source.chain_id().await?;
    let block = source.block(receipt.block_number).await?.ok_or_else(|| {
        RelayError::InconsistentSource(format!("block {} of the receipt is unknown", receipt.block_number))
    })?;
    if block.hash != receipt.block_hash {
        return Err(RelayError::InconsistentSource(format!(
            "block {} is now {}, the receipt says {} (reorganised?)",
            block.number, block.hash, receipt.block_hash
        )));
    }
    let messages = messages_in_block(chain_id, &block, &receipt.logs)?;
    if messages.is_empty() {
        return Err(RelayError::NoSentMessage { tx });
    }
    Ok(messages)
}

/// Checks that the source chain holds, at the place `message.identifier` points at, a `SentMessage` log of the
/// messenger whose payload is `message.payload`, in a block with the identifier's timestamp: the check a
/// destination's verifier makes. An error naming the place when it does not.
pub async fn verify_against_source<C: ChainClient>(
    source: &C,
    message: &RelayableMessage,
) -> Result<(), RelayError> {
    let id = message.identifier;
    let mismatch = || RelayError::PayloadMismatch {
        chain_id: id.chain_id,
        block_number: id.block_number,
        log_index: id.log_index,
    };
    let block = source.block(id.block_number).await?.ok_or_else(mismatch)?;
    let filter = LogFilter {
        from_block: id.block_number,
        to_block: id.block_number,
        address: id.origin,
        topic0: SENT_MESSAGE_TOPIC,
        topic3: None,
    };
    let logs = source.logs(&filter).await?;
    let found = logs.iter().find(|l| l.log_index == id.log_index).ok_or_else(mismatch)?;
    let genuine = RelayableMessage::from_log(found, block.timestamp, id.chain_id)?.ok_or_else(mismatch)?;
    if genuine.payload != message.payload
        || block.timestamp != id.timestamp
        || id.chain_id != message.source()
    {
        return Err(mismatch());
    }
    Ok(())
}

/// The `relayMessage` call that delivers `message`, with its access list.
pub fn relay_call(message: &RelayableMessage) -> CallRequest {
    CallRequest {
        from: None,
        to: L2_TO_L2_CROSS_DOMAIN_MESSENGER,
        value: U256::ZERO,
        input: message.relay_calldata(),
        access_list: message.access_list(),
    }
}

/// Whether the messenger on `destination` has relayed the message `message_hash` (`successfulMessages`).
pub async fn is_relayed<C: ChainClient>(destination: &C, message_hash: B256) -> Result<bool, ChainError> {
    let call = CallRequest {
        to: L2_TO_L2_CROSS_DOMAIN_MESSENGER,
        input: successfulMessagesCall { _msgHash: message_hash }.abi_encode().into(),
        ..Default::default()
    };
    let out = destination.call(&call).await?;
    successfulMessagesCall::abi_decode_returns(&out).map_err(|e| ChainError::Decode {
        endpoint: destination.endpoint().to_string(),
        method: "eth_call",
        reason: format!(
            "successfulMessages returned {out} ({e}); is the L2ToL2CrossDomainMessenger predeploy on this chain?"
        ),
    })
}

/// Checks that `message` can be relayed on `destination` by `relayer` now: it is addressed to that chain, not
/// relayed yet, and a simulation of the relay succeeds.
pub async fn check_relay<C: ChainClient>(
    destination: &C,
    relayer: Address,
    message: &RelayableMessage,
) -> Result<(), RelayError> {
    let chain_id = destination.chain_id().await?;
    if message.destination() != chain_id {
        return Err(RelayError::WrongDestination {
            message_hash: message.message_hash,
            destination: message.destination(),
            chain_id,
        });
    }
    if is_relayed(destination, message.message_hash).await? {
        return Err(RelayError::AlreadyRelayed { message_hash: message.message_hash, chain_id });
    }
    let call = CallRequest { from: Some(relayer), ..relay_call(message) };
    match destination.call(&call).await {
        Ok(_) => Ok(()),
        Err(ChainError::Reverted { data, .. }) => Err(refusal(message, chain_id, &data)),
        Err(e) => Err(e.into()),
    }
}

fn refusal(message: &RelayableMessage, chain_id: U256, revert_data: &[u8]) -> RelayError {
    match RelayRevert::from_revert_data(revert_data) {
        RelayRevert::AlreadyRelayed => {
            RelayError::AlreadyRelayed { message_hash: message.message_hash, chain_id }
        }
        reason => RelayError::Refused { message_hash: message.message_hash, reason },
    }
}

/// What a successful relay produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelayReceipt {
    /// The message relayed.
    pub message_hash: B256,
    /// The relay transaction on the destination chain.
    pub transaction_hash: B256,
    /// The block that holds it.
    pub block_number: u64,
    /// Gas it used.
    pub gas_used: u64,
}

/// Relays `message` on `destination` from `wallet`: checks and simulates it ([`check_relay`]), sends
/// `relayMessage` with the message's access list, waits up to `timeout` for the receipt and confirms with
/// `successfulMessages` that the message is now relayed.
pub async fn relay_message<C: ChainClient>(
    destination: &C,
    wallet: &Wallet,
    message: &RelayableMessage,
    timeout: Duration,
) -> Result<RelayReceipt, RelayError> {
    check_relay(destination, wallet.address(), message).await?;
    let tx = send_relay(destination, wallet, message).await?;
    let receipt = wait_for_receipt(destination, tx, timeout).await?;
    confirm_relay(destination, message, tx, receipt.success, receipt.gas_used, receipt.block_number).await
}

/// Signs and submits the relay of `message` without waiting for it to be mined. A gas estimate that reverts
/// is reported as [`RelayError::Refused`] (or [`RelayError::AlreadyRelayed`]).
pub async fn send_relay<C: ChainClient>(
    destination: &C,
    wallet: &Wallet,
    message: &RelayableMessage,
) -> Result<B256, RelayError> {
    match wallet.send(destination, &relay_call(message)).await {
        Err(RelayError::Chain(ChainError::Reverted { data, .. })) => {
            let chain_id = destination.chain_id().await?;
            Err(refusal(message, chain_id, &data))
        }
        other => other,
    }
}

/// Interprets the mined relay transaction `tx` of `message`: success only if the transaction succeeded and
/// the destination's messenger now records the message as relayed.
pub async fn confirm_relay<C: ChainClient>(
    destination: &C,
    message: &RelayableMessage,
    tx: B256,
    success: bool,
    gas_used: u64,
    block_number: u64,
) -> Result<RelayReceipt, RelayError> {
    let relayed = is_relayed(destination, message.message_hash).await?;
    if success && relayed {
        return Ok(RelayReceipt {
            message_hash: message.message_hash,
            transaction_hash: tx,
            block_number,
            gas_used,
        });
    }
    if relayed {
        let chain_id = destination.chain_id().await?;
        return Err(RelayError::AlreadyRelayed { message_hash: message.message_hash, chain_id });
    }
    Err(RelayError::RevertedOnChain { message_hash: message.message_hash, tx, gas_used })
}
