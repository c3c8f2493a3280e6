//! Our Rust computation of the hashes the contracts compute, written from the protocol's definitions, to compare
//! the EVM's results against.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolValue;
use superlink_contracts::bindings::CrossL2Inbox::Identifier;

/// `keccak256(origin ++ msgHash)`.
pub fn log_hash(origin: Address, msg_hash: B256) -> B256 {
    let mut preimage = [0u8; 52];
    preimage[..20].copy_from_slice(origin.as_slice());
    preimage[20..].copy_from_slice(msg_hash.as_slice());
    keccak256(preimage)
}

/// The type-3 access-list entry of an executing message, from its log hash.
pub fn checksum_of_log_hash(id: &Identifier, log_hash: B256) -> B256 {
    let mut id_preimage = [0u8; 64];
    id_preimage[..32].copy_from_slice(log_hash.as_slice());
    id_preimage[44..52].copy_from_slice(&id.blockNumber.to::<u64>().to_be_bytes());
    id_preimage[52..60].copy_from_slice(&id.timestamp.to::<u64>().to_be_bytes());
    id_preimage[60..64].copy_from_slice(&id.logIndex.to::<u32>().to_be_bytes());
    let id_log_hash = keccak256(id_preimage);
    let mut bare_preimage = [0u8; 64];
    bare_preimage[..32].copy_from_slice(id_log_hash.as_slice());
    bare_preimage[32..].copy_from_slice(&id.chainId.to_be_bytes::<32>());
    let mut checksum = keccak256(bare_preimage);
    checksum[0] = 0x03;
    checksum
}

/// The type-3 access-list entry that declares the executing message `msg_hash` at `id`.
pub fn checksum(id: &Identifier, msg_hash: B256) -> B256 {
    checksum_of_log_hash(id, log_hash(id.origin, msg_hash))
}

/// The messenger's message hash: keccak256 of the ABI encoding of all fields.
pub fn message_hash(
    destination: U256,
    source: U256,
    nonce: U256,
    sender: Address,
    target: Address,
    message: &[u8],
) -> B256 {
    keccak256(
        (destination, source, nonce, sender, target, Bytes::copy_from_slice(message)).abi_encode_params(),
    )
}
