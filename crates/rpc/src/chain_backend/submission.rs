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

impl ChainBackend {
    /// The transaction `eth_sendTransaction` sends: missing fields filled like geth's (nonce from the pool,
    /// gas from an estimate, fees from the next base fee).
    fn fill_transaction(
        &self,
        request: &TransactionRequest,
        from: Address,
    ) -> BackendResult<OpTypedTransaction> {
        let chain = self.read();
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
        let to = request.to.unwrap_or(TxKind::Create);
        let value = request.value.unwrap_or_default();
        let input = request.input.input().cloned().unwrap_or_default();
        let chain_id = chain.chain_id();
        if let Some(gas_price) = request.gas_price.filter(|_| request.max_fee_per_gas.is_none()) {
            return Ok(match request.access_list.clone() {
                Some(access_list) => OpTypedTransaction::Eip2930(TxEip2930 {
                    chain_id,
                    nonce,
                    gas_price,
                    gas_limit,
                    to,
                    value,
                    access_list,
                    input,
                }),
                None => OpTypedTransaction::Legacy(TxLegacy {
                    chain_id: Some(chain_id),
                    nonce,
                    gas_price,
                    gas_limit,
                    to,
                    value,
                    input,
                }),
            });
        }
        let tip = request.max_priority_fee_per_gas.unwrap_or_else(|| Self::suggested_tip(&chain));
        let max_fee = request.max_fee_per_gas.unwrap_or_else(|| 2 * u128::from(chain.next_base_fee()) + tip);
        Ok(OpTypedTransaction::Eip1559(TxEip1559 {
            chain_id,
            nonce,
            gas_limit,
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: tip,
            to,
            value,
            access_list: request.access_list.clone().unwrap_or_default(),
            input,
        }))
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
        let typed = self.fill_transaction(&request, from)?;
        let pooled = match signer {
            Some(signer) => PoolTransaction::from_envelope(sign(signer, typed)?),
            None => PoolTransaction::impersonated(typed, from),
        }
        .map_err(|e| BackendError::Rejected(TxRejection::Malformed(e.to_string())))?;
        self.service.submit(pooled).map_err(|e| chain_error(e, None))
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
