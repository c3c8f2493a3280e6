//! Signing and sending transactions: EIP-1559 transactions with access lists, signed with a local key,
//! nonces tracked per chain so that several transactions can be in flight.

use std::{
    collections::HashMap,
    str::FromStr,
    sync::Mutex,
    time::{Duration, Instant},
};

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;

use crate::{
    chain::{CallRequest, ChainClient, ReceiptInfo},
    error::{ChainError, RelayError},
};

/// A private key that does not parse.
#[derive(Debug, Clone, thiserror::Error)]
#[error("not a private key (expected 32 bytes of hex): {0}")]
pub struct BadPrivateKey(String);

/// An account that signs and sends transactions on any chain.
#[derive(Debug)]
pub struct Wallet {
    signer: PrivateKeySigner,
    /// Next nonce to use, per chain ID, once learned from the chain.
    nonces: Mutex<HashMap<U256, u64>>,
}

impl Wallet {
    /// A wallet of the key `hex` (with or without `0x`).
    pub fn from_private_key(hex: &str) -> Result<Self, BadPrivateKey> {
        let signer = PrivateKeySigner::from_str(hex.trim())
            .map_err(|e| BadPrivateKey(e.to_string().lines().next().unwrap_or_default().to_string()))?;
        Ok(Self::new(signer))
    }

    /// A wallet of `signer`.
    pub fn new(signer: PrivateKeySigner) -> Self {
        Self { signer, nonces: Mutex::new(HashMap::new()) }
    }

    /// The account's address.
    pub fn address(&self) -> Address {
        self.signer.address()
    }

    fn cached_nonce(&self, chain: U256) -> Option<u64> {
        self.nonces.lock().ok().and_then(|n| n.get(&chain).copied())
    }

    fn store_nonce(&self, chain: U256, next: u64) {
        if let Ok(mut n) = self.nonces.lock() {
            n.insert(chain, next);
        }
    }

    /// Forgets the nonce of `chain`: the next transaction asks the chain again (after a nonce conflict).
    pub fn reset_nonce(&self, chain: U256) {
        if let Ok(mut n) = self.nonces.lock() {
            n.remove(&chain);
        }
    }

    /// Signs and submits `call` (from this wallet) on `chain`; returns the transaction hash without waiting.
    /// The gas limit is the node's estimate plus a margin; an estimate that reverts is returned as
    /// [`ChainError::Reverted`].
    pub async fn send<C: ChainClient>(&self, chain: &C, call: &CallRequest) -> Result<B256, RelayError> {
        let chain_id = chain.chain_id().await?;
        let call = CallRequest { from: Some(self.address()), ..call.clone() };
        let estimate = chain.estimate_gas(&call).await?;
        let gas_limit = estimate.saturating_add(estimate / 5).saturating_add(20_000);
        let fees = chain.fees().await?;
        let nonce = match self.cached_nonce(chain_id) {
            Some(n) => n,
            None => chain.pending_nonce(self.address()).await?,
        };
        let chain_id_u64 = u64::try_from(chain_id)
            .map_err(|_| RelayError::Signing(format!("chain ID {chain_id} does not fit a transaction")))?;
        let tx = TxEip1559 {
            chain_id: chain_id_u64,
            nonce,
            gas_limit,
            max_fee_per_gas: fees.max_fee_per_gas,
            max_priority_fee_per_gas: fees.max_priority_fee_per_gas,
            to: TxKind::Call(call.to),
            value: call.value,
            access_list: call.access_list.clone(),
            input: call.input.clone(),
        };
        let signature = self
            .signer
            .sign_hash_sync(&tx.signature_hash())
            .map_err(|e| RelayError::Signing(e.to_string()))?;
        let envelope = TxEnvelope::from(tx.into_signed(signature));
        let raw = Bytes::from(envelope.encoded_2718());
        match chain.send_raw_transaction(raw).await {
            Ok(hash) => {
                self.store_nonce(chain_id, nonce + 1);
                Ok(hash)
            }
            Err(e) => {
                if e.is_nonce_conflict() {
                    self.reset_nonce(chain_id);
                }
                Err(e.into())
            }
        }
    }

    /// [`Self::send`], then waits up to `timeout` for the receipt.
    pub async fn send_and_wait<C: ChainClient>(
        &self,
        chain: &C,
        call: &CallRequest,
        timeout: Duration,
    ) -> Result<ReceiptInfo, RelayError> {
        let tx = self.send(chain, call).await?;
        wait_for_receipt(chain, tx, timeout).await
    }
}

/// Polls `chain` for the receipt of `tx` until it is mined or `timeout` passes. Polls quickly at first (a
/// local chain mines at once) and more slowly later.
pub async fn wait_for_receipt<C: ChainClient>(
    chain: &C,
    tx: B256,
    timeout: Duration,
) -> Result<ReceiptInfo, RelayError> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        match chain.receipt(tx).await {
            Ok(Some(receipt)) => return Ok(receipt),
            Ok(None) => {}
            Err(e @ ChainError::Unreachable { .. }) if started.elapsed() >= timeout => return Err(e.into()),
            Err(ChainError::Unreachable { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        if started.elapsed() >= timeout {
            return Err(RelayError::ReceiptTimeout { tx, waited_ms: started.elapsed().as_millis() });
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_with_or_without_prefix_and_bad_ones_are_refused() {
        let key = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
        let a = Wallet::from_private_key(key).unwrap();
        let b = Wallet::from_private_key(&format!("0x{key}")).unwrap();
        assert_eq!(a.address(), b.address());
        // anvil's first dev account, as every Ethereum tool derives it.
        assert_eq!(a.address().to_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assert!(Wallet::from_private_key("0x1234").is_err());
        assert!(Wallet::from_private_key("not a key").is_err());
    }
}
