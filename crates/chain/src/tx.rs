//! A transaction ready for execution: the envelope, its sender (recovered, or given for impersonated
//! transactions and deposits), its hash, and its translation into op-revm's transaction environment.

use alloy_consensus::{Transaction as _, transaction::SignerRecoverable};
use alloy_eips::{Typed2718, eip2718::Encodable2718};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use op_alloy_consensus::{OpTxEnvelope, TxDeposit};
use op_revm::{OpTransaction, transaction::deposit::DepositTransactionParts};
use revm::context::TxEnv;
use revm::context_interface::either::Either;

use crate::error::TxError;

/// A transaction with its sender and hash, as the pool holds it and the block builder executes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutableTx {
    /// The transaction as it goes into the block.
    pub envelope: OpTxEnvelope,
    /// The account that pays and whose nonce is used.
    pub sender: Address,
    /// The transaction hash reported everywhere (for impersonated transactions, the signing hash is mixed
    /// with the sender so that the same body from two senders gets two hashes).
    pub hash: B256,
    /// Whether the sender was given rather than recovered from a signature.
    pub impersonated: bool,
}

impl ExecutableTx {
    /// Recovers the sender of a signed transaction (or takes `from` of a deposit).
    pub fn recover(envelope: OpTxEnvelope) -> Result<Self, TxError> {
        let sender = match &envelope {
            OpTxEnvelope::Deposit(deposit) => deposit.from,
            OpTxEnvelope::PostExec(_) => return Err(TxError::UnsupportedType(envelope.ty())),
            _ => envelope.recover_signer().map_err(|error| TxError::InvalidSignature(error.to_string()))?,
        };
        let hash = envelope.tx_hash();
        Ok(Self { envelope, sender, hash, impersonated: false })
    }

    /// A transaction whose sender is taken on trust (its signature is not checked).
    pub fn impersonated(envelope: OpTxEnvelope, sender: Address) -> Self {
        let mut preimage = envelope.encoded_2718();
        preimage.extend_from_slice(sender.as_slice());
        let hash = keccak256(preimage);
        Self { envelope, sender, hash, impersonated: true }
    }

    /// A deposit transaction created by the node.
    pub fn deposit(deposit: TxDeposit) -> Self {
        let sender = deposit.from;
        let envelope = OpTxEnvelope::Deposit(alloy_primitives::Sealed::new(deposit));
        let hash = envelope.tx_hash();
        Self { envelope, sender, hash, impersonated: false }
    }

    /// Whether this is a deposit (type 0x7e).
    pub fn is_deposit(&self) -> bool {
        self.envelope.is_deposit()
    }

    /// The sender's nonce the transaction uses (deposits do not carry one).
    pub fn nonce(&self) -> u64 {
        self.envelope.nonce()
    }

    /// Gas limit.
    pub fn gas_limit(&self) -> u64 {
        self.envelope.gas_limit()
    }

    /// Max fee per gas (the gas price of legacy and EIP-2930 transactions).
    pub fn max_fee_per_gas(&self) -> u128 {
        self.envelope.max_fee_per_gas()
    }

    /// The tip per gas paid to the sequencer at `base_fee`; `None` when the fee cap is below it.
    pub fn effective_tip(&self, base_fee: u64) -> Option<u128> {
        self.envelope.effective_tip_per_gas(base_fee)
    }

    /// The gas price actually paid at `base_fee`.
    pub fn effective_gas_price(&self, base_fee: u64) -> u128 {
        if self.is_deposit() {
            return 0;
        }
        self.envelope.effective_gas_price(Some(base_fee))
    }

    /// The most the transaction can cost the sender: `gas_limit * max_fee + value`.
    pub fn max_cost(&self) -> U256 {
        U256::from(self.gas_limit())
            .saturating_mul(U256::from(self.max_fee_per_gas()))
            .saturating_add(self.envelope.value())
    }

    /// The EIP-2718 encoding (what the L1 data fee is computed from).
    pub fn encoded(&self) -> Bytes {
        self.envelope.encoded_2718().into()
    }

    /// op-revm's transaction environment for this transaction.
    pub fn to_evm(&self) -> OpTransaction<TxEnv> {
        let tx = &self.envelope;
        let (gas_price, gas_priority_fee) = match tx {
            OpTxEnvelope::Legacy(_) | OpTxEnvelope::Eip2930(_) => (tx.max_fee_per_gas(), None),
            _ => (tx.max_fee_per_gas(), tx.max_priority_fee_per_gas()),
        };
        let base = TxEnv {
            tx_type: tx.ty(),
            caller: self.sender,
            gas_limit: tx.gas_limit(),
            gas_price,
            kind: tx.kind(),
            value: tx.value(),
            data: tx.input().clone(),
            nonce: tx.nonce(),
            chain_id: tx.chain_id(),
            access_list: tx.access_list().cloned().unwrap_or_default(),
            gas_priority_fee,
            authorization_list: tx
                .authorization_list()
                .map(|list| list.iter().cloned().map(Either::Left).collect())
                .unwrap_or_default(),
            ..TxEnv::default()
        };
        let deposit = match tx {
            OpTxEnvelope::Deposit(deposit) => DepositTransactionParts {
                source_hash: deposit.source_hash,
                mint: Some(deposit.mint),
                is_system_transaction: deposit.is_system_transaction,
            },
            _ => DepositTransactionParts::default(),
        };
        OpTransaction { base, enveloped_tx: Some(self.encoded()), deposit }
    }
}
