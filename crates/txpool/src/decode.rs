//! Decoding of raw transaction bytes (`eth_sendRawTransaction`): an EIP-2718 envelope, signer recovered.

use alloy_eips::eip2718::{Decodable2718, Eip2718Error};
use op_alloy_consensus::OpTxEnvelope;

use crate::transaction::PoolTransaction;

/// Type bytes that may follow from outside: EIP-2930, EIP-1559, EIP-7702, and deposits (decoded only to be
/// refused with [`DecodeError::DepositNotAllowed`]). Blob (0x03), tagged legacy (0x00) and other types are not.
const ACCEPTED_TYPES: [u8; 4] = [0x01, 0x02, 0x04, 0x7e];

/// Why raw bytes are not a transaction the pool can take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// No bytes at all.
    #[error("empty transaction data")]
    Empty,
    /// The bytes are not valid RLP for the announced type (or bytes follow the transaction).
    #[error("bad RLP: {0}")]
    Rlp(alloy_rlp::Error),
    /// A type byte this chain does not accept (blob transactions, unknown or node-only types).
    #[error("transaction type not supported: {0:#04x}")]
    UnsupportedType(u8),
    /// A deposit transaction (0x7e): only the node creates those.
    #[error("deposit transactions are not accepted from outside the node")]
    DepositNotAllowed,
    /// The signature does not recover a sender (malformed, or `s` in the upper half of the curve order).
    #[error("invalid signature: {0}")]
    InvalidSignature(String),
}

/// Decodes raw `eth_sendRawTransaction` bytes: a legacy RLP list or a type byte followed by the typed payload,
/// with nothing after it, then recovers the sender.
pub fn decode_raw_transaction(raw: &[u8]) -> Result<PoolTransaction, DecodeError> {
    let Some(&first) = raw.first() else { return Err(DecodeError::Empty) };
    // EIP-2718: a first byte up to 0x7f is a type; from 0xc0 it starts a legacy RLP list.
    if first <= 0x7f && !ACCEPTED_TYPES.contains(&first) {
        return Err(DecodeError::UnsupportedType(first));
    }
    let envelope = OpTxEnvelope::decode_2718_exact(raw).map_err(|err| match err {
        Eip2718Error::RlpError(err) => DecodeError::Rlp(err),
        // Bytes from 0x80 on are a legacy transaction's RLP: a failure there is malformed RLP, not a type.
        Eip2718Error::UnexpectedType(_) if first > 0x7f => {
            DecodeError::Rlp(alloy_rlp::Error::Custom("legacy transaction is not a well-formed RLP list"))
        }
        Eip2718Error::UnexpectedType(ty) => DecodeError::UnsupportedType(ty),
        // The error enum may grow; anything else is still a malformed encoding.
        _ => DecodeError::Rlp(alloy_rlp::Error::Custom("undecodable transaction envelope")),
    })?;
    PoolTransaction::from_envelope(envelope)
}
