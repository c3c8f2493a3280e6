//! The pool's view of one transaction: the envelope, who sends it, its hash and its encoding.

use alloy_consensus::{SignableTransaction, Transaction, transaction::SignerRecoverable};
use alloy_eips::eip2718::{Encodable2718, Typed2718};
use alloy_primitives::{Address, B256, Bytes, Signature, U256, keccak256};
use op_alloy_consensus::{OpTxEnvelope, OpTypedTransaction};

use crate::decode::DecodeError;

/// Signature placed on impersonated transactions (`r = 1`, `s = 1`, even parity). It is not a valid
/// signature of anything; it only gives the envelope a well-defined encoding.
pub const IMPERSONATION_SIGNATURE: Signature =
    Signature::new(U256::from_limbs([1, 0, 0, 0]), U256::from_limbs([1, 0, 0, 0]), false);

/// A transaction the pool holds: a non-deposit [`OpTxEnvelope`] together with its sender, hash and EIP-2718
/// encoding (which op-revm needs for the L1 data fee).
///
/// Two origins:
/// - **signed**: the sender was recovered from the signature ([`PoolTransaction::from_envelope`], or
///   [`decode_raw_transaction`](crate::decode_raw_transaction) for `eth_sendRawTransaction`); the hash is the
///   usual `keccak256` of the EIP-2718 encoding.
/// - **impersonated** ([`PoolTransaction::impersonated`]): unsigned, the sender given by the caller (for
///   `anvil_impersonateAccount` and `eth_sendTransaction` from unlocked dev accounts). The envelope carries
///   [`IMPERSONATION_SIGNATURE`], and its hash is
///   `keccak256(eip2718_encoding_with_that_signature ++ sender)`: stable (same inputs, same hash) and unique
///   (the same unsigned transaction sent as two different accounts gets two hashes, and it can never collide
///   with the hash of a signed transaction's encoding). The envelope stores this hash, so
///   `tx().tx_hash()` and [`PoolTransaction::hash`] agree and blocks report it.
///
/// The executor must take the sender from [`PoolTransaction::sender`], never recover it from the envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolTransaction {
    tx: OpTxEnvelope,
    sender: Address,
    hash: B256,
    encoded: Bytes,
    impersonated: bool,
}

impl PoolTransaction {
    /// Takes a signed envelope and recovers its sender. Refuses deposits and other types that only the
    /// node creates, and signatures that do not recover (including high-`s` ones).
    pub fn from_envelope(tx: OpTxEnvelope) -> Result<Self, DecodeError> {
        refuse_node_only(&tx)?;
        // alloy's recovery (built with libsecp256k1) refuses `s` in the upper half of the curve order (EIP-2),
        // and `r` or `s` of zero or not below the order.
        let sender = tx.recover_signer().map_err(|err| DecodeError::InvalidSignature(err.to_string()))?;
        let encoded = Bytes::from(tx.encoded_2718());
        let hash = tx.tx_hash();
        Ok(Self { tx, sender, hash, encoded, impersonated: false })
    }

    /// Builds an impersonated transaction: `tx` is unsigned and `sender` pays for it. See the type's docs
    /// for how its hash is derived.
    pub fn impersonated(tx: OpTypedTransaction, sender: Address) -> Result<Self, DecodeError> {
        let placeholder = match tx {
            OpTypedTransaction::Legacy(tx) => OpTxEnvelope::Legacy(tx.into_signed(IMPERSONATION_SIGNATURE)),
            OpTypedTransaction::Eip2930(tx) => OpTxEnvelope::Eip2930(tx.into_signed(IMPERSONATION_SIGNATURE)),
            OpTypedTransaction::Eip1559(tx) => OpTxEnvelope::Eip1559(tx.into_signed(IMPERSONATION_SIGNATURE)),
            OpTypedTransaction::Eip7702(tx) => OpTxEnvelope::Eip7702(tx.into_signed(IMPERSONATION_SIGNATURE)),
            OpTypedTransaction::Deposit(_) => return Err(DecodeError::DepositNotAllowed),
            other => return Err(DecodeError::UnsupportedType(other.ty())),
        };
        let encoded = Bytes::from(placeholder.encoded_2718());
        let hash = impersonated_hash(&encoded, sender);
        let tx = match placeholder {
            OpTxEnvelope::Legacy(signed) => {
                let (tx, sig, _) = signed.into_parts();
                OpTxEnvelope::Legacy(alloy_consensus::Signed::new_unchecked(tx, sig, hash))
            }
            OpTxEnvelope::Eip2930(signed) => {
                let (tx, sig, _) = signed.into_parts();
                OpTxEnvelope::Eip2930(alloy_consensus::Signed::new_unchecked(tx, sig, hash))
            }
            OpTxEnvelope::Eip1559(signed) => {
                let (tx, sig, _) = signed.into_parts();
                OpTxEnvelope::Eip1559(alloy_consensus::Signed::new_unchecked(tx, sig, hash))
            }
            OpTxEnvelope::Eip7702(signed) => {
                let (tx, sig, _) = signed.into_parts();
                OpTxEnvelope::Eip7702(alloy_consensus::Signed::new_unchecked(tx, sig, hash))
            }
            other => return Err(DecodeError::UnsupportedType(other.ty())),
        };
        Ok(Self { tx, sender, hash, encoded, impersonated: true })
    }

    /// Rebuilds a pool transaction from parts the node already trusts, without recovering the sender: for
    /// transactions taken out of a block (reorgs), whose sender the block's executor already knew. The hash
    /// is the one the envelope stores. Deposits are still refused.
    pub fn from_trusted_parts(
        tx: OpTxEnvelope,
        sender: Address,
        impersonated: bool,
    ) -> Result<Self, DecodeError> {
        refuse_node_only(&tx)?;
        let encoded = Bytes::from(tx.encoded_2718());
        let hash = tx.tx_hash();
        Ok(Self { tx, sender, hash, encoded, impersonated })
    }

    /// The envelope.
    pub fn tx(&self) -> &OpTxEnvelope {
        &self.tx
    }

    /// The account that pays for and sends the transaction.
    pub fn sender(&self) -> Address {
        self.sender
    }

    /// The transaction hash (for impersonated transactions, the derived hash described on the type).
    pub fn hash(&self) -> B256 {
        self.hash
    }

    /// The EIP-2718 encoding (for impersonated transactions, with the placeholder signature).
    pub fn encoded(&self) -> &Bytes {
        &self.encoded
    }

    /// Whether the sender was given by the caller rather than recovered from a signature.
    pub fn is_impersonated(&self) -> bool {
        self.impersonated
    }

    /// The transaction's nonce.
    pub fn nonce(&self) -> u64 {
        self.tx.nonce()
    }

    /// The transaction's gas limit.
    pub fn gas_limit(&self) -> u64 {
        self.tx.gas_limit()
    }

    /// The fee cap: `max_fee_per_gas`, or the gas price for legacy and EIP-2930 transactions.
    pub fn max_fee_per_gas(&self) -> u128 {
        self.tx.max_fee_per_gas()
    }

    /// The tip cap: `max_priority_fee_per_gas`, or the gas price for legacy and EIP-2930 transactions.
    pub fn max_priority_fee_per_gas(&self) -> u128 {
        self.tx.max_priority_fee_per_gas().unwrap_or_else(|| self.tx.max_fee_per_gas())
    }

    /// The tip per gas the block producer earns at `base_fee`; `None` when the fee cap is below `base_fee`.
    pub fn effective_tip(&self, base_fee: u64) -> Option<u128> {
        self.tx.effective_tip_per_gas(base_fee)
    }

    /// The most the sender can be charged for execution: `gas_limit * fee_cap + value` (saturating at
    /// `U256::MAX`). The pool adds the L1 data fee reported by [`AccountReader::l1_data_fee`](crate::AccountReader::l1_data_fee).
    pub fn cost(&self) -> U256 {
        U256::from(self.gas_limit())
            .saturating_mul(U256::from(self.max_fee_per_gas()))
            .saturating_add(self.tx.value())
    }

    /// Splits into the envelope and the sender.
    pub fn into_parts(self) -> (OpTxEnvelope, Address) {
        (self.tx, self.sender)
    }
}

/// The hash of an impersonated transaction: `keccak256(encoding ++ sender)`.
fn impersonated_hash(encoded: &[u8], sender: Address) -> B256 {
    let mut preimage = Vec::with_capacity(encoded.len() + Address::len_bytes());
    preimage.extend_from_slice(encoded);
    preimage.extend_from_slice(sender.as_slice());
    keccak256(preimage)
}

/// Refuses envelopes that only the node itself creates: deposits (0x7e) and post-execution (0x7d).
fn refuse_node_only(tx: &OpTxEnvelope) -> Result<(), DecodeError> {
    match tx {
        OpTxEnvelope::Deposit(_) => Err(DecodeError::DepositNotAllowed),
        OpTxEnvelope::PostExec(_) => Err(DecodeError::UnsupportedType(tx.ty())),
        _ => Ok(()),
    }
}
