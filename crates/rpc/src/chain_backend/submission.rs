//! Transactions into the pool: raw ones as they come, and `eth_sendTransaction` filled like geth's and
//! signed with a dev key (or sent unsigned from an impersonated account); the dev accounts' signatures.

use std::sync::Arc;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxLegacy};
use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, Signature, TxKind};
use alloy_rpc_types_eth::TransactionRequest;
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use op_alloy_consensus::{OpTxEnvelope, OpTypedTransaction};
use superlink_txpool::PoolTransaction;

use super::{ChainBackend, chain_error};
use crate::{
    backend::{BackendResult, DevAccounts, PoolTransactions, TransactionSubmitter},
    chain_convert::unmined_transaction,
    error::{BackendError, TxRejection},
    types::RpcTransaction,
};

/// The transaction type a request asks for, from its `type` and its fee fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestedType {
    /// Type 0: `gasPrice`, no access list.
    Legacy,
    /// Type 1 (EIP-2930): `gasPrice` and an access list.
    AccessList,
    /// Type 2 (EIP-1559): `maxFeePerGas` and `maxPriorityFeePerGas`.
    DynamicFee,
}

fn invalid(message: impl Into<String>) -> BackendError {
    BackendError::InvalidParams(message.into())
}

/// The type `request` asks for, refusing what cannot be filled here (blobs, EIP-7702 authorizations, deposits)
/// and fee fields that contradict each other or the type, in geth's words where geth has them. Checked before
/// anything is estimated, so the client learns what is wrong with its request rather than how the estimate
/// failed.
fn requested_type(request: &TransactionRequest) -> BackendResult<RequestedType> {
    if request.sidecar.is_some()
        || request.blob_versioned_hashes.is_some()
        || request.max_fee_per_blob_gas.is_some()
    {
        return Err(invalid("blob transactions (type 3) cannot be filled: an OP chain does not take them"));
    }
    if request.authorization_list.is_some() {
        return Err(invalid(
            "transactions with an authorization list (type 4) cannot be filled here: sign them yourself and send \
             them with eth_sendRawTransaction",
        ));
    }
    let dynamic_fees = request.max_fee_per_gas.is_some() || request.max_priority_fee_per_gas.is_some();
    if request.gas_price.is_some() && dynamic_fees {
        return Err(invalid("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified"));
    }
    if let (Some(max_fee), Some(tip)) = (request.max_fee_per_gas, request.max_priority_fee_per_gas)
        && max_fee < tip
    {
        return Err(invalid(format!("maxFeePerGas ({max_fee}) < maxPriorityFeePerGas ({tip})")));
    }
    match request.transaction_type {
        None if request.gas_price.is_none() => Ok(RequestedType::DynamicFee),
        None if request.access_list.is_some() => Ok(RequestedType::AccessList),
        None => Ok(RequestedType::Legacy),
        Some(0) if request.access_list.is_some() => {
            Err(invalid("a legacy transaction (type 0) has no access list: use type 1 or 2"))
        }
        Some(0 | 1) if dynamic_fees => Err(invalid(
            "maxFeePerGas and maxPriorityFeePerGas need an EIP-1559 transaction (type 2); types 0 and 1 take \
             gasPrice",
        )),
        Some(0) => Ok(RequestedType::Legacy),
        Some(1) => Ok(RequestedType::AccessList),
        Some(2) if request.gas_price.is_some() => Err(invalid(
            "an EIP-1559 transaction (type 2) takes maxFeePerGas and maxPriorityFeePerGas, not gasPrice",
        )),
        Some(2) => Ok(RequestedType::DynamicFee),
        Some(other) => Err(invalid(format!(
            "transaction type {other} cannot be filled: use 0 (legacy), 1 (EIP-2930) or 2 (EIP-1559)"
        ))),
    }
}

impl ChainBackend {
    /// The unsigned transaction `request` describes, its missing fields filled as geth fills them: the nonce
    /// from the pool (the next one after the sender's pending transactions), the gas from an estimate against
    /// the pending block, the fees from the next block's base fee and the suggested tip, the chain ID, and the
    /// type from the fee fields given. `eth_sendTransaction` signs what this returns; `eth_fillTransaction`
    /// hands it back to the client to sign.
    fn fill_unsigned(&self, request: &TransactionRequest) -> BackendResult<OpTypedTransaction> {
        let kind = requested_type(request)?;
        let input = request
            .input
            .clone()
            .try_into_unique_input()
            .map_err(|e| invalid(e.to_string()))?
            .unwrap_or_default();
        let to = request.to.unwrap_or(TxKind::Create);
        if to.is_create() && input.is_empty() {
            return Err(invalid("contract creation without any data provided"));
        }
        let chain = self.read();
        let chain_id = chain.chain_id();
        if let Some(have) = request.chain_id.filter(|have| *have != chain_id) {
            return Err(invalid(format!("chainId does not match node's (have={have}, want={chain_id})")));
        }
        let from = request.from.unwrap_or_default();
        let nonce = match request.nonce {
            Some(nonce) => nonce,
            None => {
                chain.nonce(from, BlockId::latest()).map_err(|e| chain_error(e, None))?;
                chain.pending_nonce(from)
            }
        };
        let gas_limit = match request.gas {
            Some(gas) => gas,
            None => chain
                .estimate_gas(request, BlockId::Number(BlockNumberOrTag::Pending), None, None)
                .map_err(|e| chain_error(e, None))?,
        };
        let value = request.value.unwrap_or_default();
        let tip = Self::suggested_tip(&chain);
        let gas_price =
            || request.gas_price.unwrap_or_else(|| u128::from(chain.next_base_fee()).saturating_add(tip));
        Ok(match kind {
            RequestedType::Legacy => OpTypedTransaction::Legacy(TxLegacy {
                chain_id: Some(chain_id),
                nonce,
                gas_price: gas_price(),
                gas_limit,
                to,
                value,
                input,
            }),
            RequestedType::AccessList => OpTypedTransaction::Eip2930(TxEip2930 {
                chain_id,
                nonce,
                gas_price: gas_price(),
                gas_limit,
                to,
                value,
                access_list: request.access_list.clone().unwrap_or_default(),
                input,
            }),
            RequestedType::DynamicFee => {
                let (max_fee, tip) = match (request.max_fee_per_gas, request.max_priority_fee_per_gas) {
                    (Some(max_fee), Some(tip)) => (max_fee, tip),
                    // A fee cap below the suggested tip caps the tip too, rather than refusing.
                    (Some(max_fee), None) => (max_fee, tip.min(max_fee)),
                    (None, given) => {
                        let tip = given.unwrap_or(tip);
                        ((2 * u128::from(chain.next_base_fee())).saturating_add(tip), tip)
                    }
                };
                OpTypedTransaction::Eip1559(TxEip1559 {
                    chain_id,
                    nonce,
                    gas_limit,
                    max_fee_per_gas: max_fee,
                    max_priority_fee_per_gas: tip,
                    to,
                    value,
                    access_list: request.access_list.clone().unwrap_or_default(),
                    input,
                })
            }
        })
    }
}

/// A pooled transaction as the RPC shows it (no block fields yet).
pub(super) fn pooled_transaction(pooled: &PoolTransaction) -> RpcTransaction {
    unmined_transaction(pooled.tx().clone(), pooled.sender())
}

fn sign(signer: &PrivateKeySigner, tx: OpTypedTransaction) -> BackendResult<OpTxEnvelope> {
    fn signature(signer: &PrivateKeySigner, hash: B256) -> BackendResult<Signature> {
        signer.sign_hash_sync(&hash).map_err(|e| BackendError::Internal(format!("signing: {e}")))
    }
    Ok(match tx {
        OpTypedTransaction::Legacy(tx) => {
            let sig = signature(signer, tx.signature_hash())?;
            OpTxEnvelope::Legacy(tx.into_signed(sig))
        }
        OpTypedTransaction::Eip2930(tx) => {
            let sig = signature(signer, tx.signature_hash())?;
            OpTxEnvelope::Eip2930(tx.into_signed(sig))
        }
        OpTypedTransaction::Eip1559(tx) => {
            let sig = signature(signer, tx.signature_hash())?;
            OpTxEnvelope::Eip1559(tx.into_signed(sig))
        }
        other => {
            return Err(BackendError::InvalidParams(format!(
                "cannot sign a transaction of type {}",
                alloy_eips::Typed2718::ty(&other)
            )));
        }
    })
}

impl TransactionSubmitter for ChainBackend {
    fn send_raw_transaction(&self, raw: Bytes) -> BackendResult<B256> {
        let tx = superlink_txpool::decode_raw_transaction(&raw)
            .map_err(|e| BackendError::Rejected(TxRejection::Malformed(e.to_string())))?;
        self.service.submit(tx).map_err(|e| chain_error(e, None))
    }

    fn send_transaction(&self, request: TransactionRequest) -> BackendResult<B256> {
        let from = request.from.ok_or_else(|| BackendError::InvalidParams("missing `from`".to_string()))?;
        let signer = self.signers.iter().find(|s| s.address() == from);
        if signer.is_none() && !self.read().is_impersonated(&from) {
            return Err(BackendError::UnknownAccount(from));
        }
        let typed = self.fill_unsigned(&request)?;
        let pooled = match signer {
            Some(signer) => PoolTransaction::from_envelope(sign(signer, typed)?),
            None => PoolTransaction::impersonated(typed, from),
        }
        .map_err(|e| BackendError::Rejected(TxRejection::Malformed(e.to_string())))?;
        self.service.submit(pooled).map_err(|e| chain_error(e, None))
    }

    fn fill_transaction(&self, request: TransactionRequest) -> BackendResult<OpTypedTransaction> {
        self.fill_unsigned(&request)
    }

    fn pool_transactions(&self) -> BackendResult<PoolTransactions> {
        let content = self.read().pool().content();
        let shape = |by_sender: std::collections::BTreeMap<Address, Vec<Arc<PoolTransaction>>>| {
            by_sender.values().flatten().map(|tx| pooled_transaction(tx)).collect::<Vec<_>>()
        };
        Ok(PoolTransactions { pending: shape(content.pending), queued: shape(content.queued) })
    }
}

impl DevAccounts for ChainBackend {
    fn accounts(&self) -> BackendResult<Vec<Address>> {
        Ok(self.signers.iter().map(|s| s.address()).collect())
    }

    fn sign_message(&self, address: Address, message: Bytes) -> BackendResult<Bytes> {
        let signer = self
            .signers
            .iter()
            .find(|s| s.address() == address)
            .ok_or(BackendError::UnknownAccount(address))?;
        let signature = signer
            .sign_message_sync(&message)
            .map_err(|e| BackendError::Internal(format!("signing: {e}")))?;
        Ok(Bytes::copy_from_slice(&signature.as_bytes()))
    }

    fn sign_hash(&self, address: Address, hash: B256) -> BackendResult<Bytes> {
        let signer = self
            .signers
            .iter()
            .find(|s| s.address() == address)
            .ok_or(BackendError::UnknownAccount(address))?;
        let signature =
            signer.sign_hash_sync(&hash).map_err(|e| BackendError::Internal(format!("signing: {e}")))?;
        Ok(Bytes::copy_from_slice(&signature.as_bytes()))
    }
}
