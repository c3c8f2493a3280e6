//! The protocol crate's computation of the hashes the contracts compute, to compare the EVM's results against.

use alloy_primitives::{Address, B256, U256};
use superlink_contracts::bindings::CrossL2Inbox::Identifier;

/// The Identifier in the protocol crate's type.
pub fn protocol_id(id: &Identifier) -> superlink_protocol::Identifier {
    superlink_protocol::Identifier {
        origin: id.origin,
        block_number: id.blockNumber.to::<u64>(),
        log_index: id.logIndex.to::<u32>(),
        timestamp: id.timestamp.to::<u64>(),
        chain_id: id.chainId,
    }
}

/// The type-3 access-list entry that declares the executing message `msg_hash` at `id`.
pub fn checksum(id: &Identifier, msg_hash: B256) -> B256 {
    superlink_protocol::checksum(&protocol_id(id), superlink_protocol::log_hash(id.origin, msg_hash))
}

/// Every access-list key (lookup, chain-ID extension if needed, checksum) that declares `msg_hash` at `id`.
pub fn access_list_keys(id: &Identifier, msg_hash: B256) -> Vec<B256> {
    superlink_protocol::access_list_keys(&protocol_id(id), msg_hash)
}

/// The messenger's message hash.
pub fn message_hash(
    destination: U256,
    source: U256,
    nonce: U256,
    sender: Address,
    target: Address,
    message: &[u8],
) -> B256 {
    superlink_protocol::message_hash(destination, source, nonce, sender, target, message)
}
