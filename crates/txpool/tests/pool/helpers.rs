//! Keys, transaction builders and a funded state shared by the tests.

use alloy_consensus::{SignableTransaction, Signed, TxEip1559, TxEip2930, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, Signature, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use op_alloy_consensus::{OpTxEnvelope, OpTypedTransaction};
use superlink_txpool::{InMemoryAccounts, PoolConfig, PoolTransaction, TxPool};

pub const CHAIN_ID: u64 = 901;
pub const BLOCK_GAS_LIMIT: u64 = 30_000_000;
pub const BASE_FEE: u64 = 1_000_000_000;
pub const GWEI: u128 = 1_000_000_000;

/// A deterministic key.
pub fn key(index: u8) -> PrivateKeySigner {
    let mut bytes = [0u8; 32];
    bytes[31] = index;
    bytes[0] = 0x11;
    PrivateKeySigner::from_bytes(&bytes.into()).unwrap()
}

/// A plain value transfer paying `max_fee` / `tip` per gas.
pub fn transfer(nonce: u64, max_fee: u128, tip: u128) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tip,
        to: TxKind::Call(Address::repeat_byte(0xbb)),
        value: U256::from(1),
        access_list: Default::default(),
        input: Bytes::new(),
    }
}

/// A legacy transfer with the given gas price and chain ID (None: pre-EIP-155).
pub fn legacy(nonce: u64, gas_price: u128, chain_id: Option<u64>) -> TxLegacy {
    TxLegacy {
        chain_id,
        nonce,
        gas_price,
        gas_limit: 21_000,
        to: TxKind::Call(Address::repeat_byte(0xbb)),
        value: U256::from(1),
        input: Bytes::new(),
    }
}

/// An EIP-2930 transfer.
pub fn eip2930(nonce: u64, gas_price: u128) -> TxEip2930 {
    TxEip2930 {
        chain_id: CHAIN_ID,
        nonce,
        gas_price,
        gas_limit: 21_000,
        to: TxKind::Call(Address::repeat_byte(0xbb)),
        value: U256::from(1),
        access_list: Default::default(),
        input: Bytes::new(),
    }
}

/// Signs `tx` with `key` into an envelope.
pub fn sign_envelope<T>(key: &PrivateKeySigner, tx: T) -> OpTxEnvelope
where
    T: SignableTransaction<Signature>,
    OpTxEnvelope: From<Signed<T>>,
{
    let signature = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    tx.into_signed(signature).into()
}

/// Signs `tx` with `key` and recovers it into a pool transaction.
pub fn sign<T>(key: &PrivateKeySigner, tx: T) -> PoolTransaction
where
    T: SignableTransaction<Signature>,
    OpTxEnvelope: From<Signed<T>>,
{
    PoolTransaction::from_envelope(sign_envelope(key, tx)).unwrap()
}

/// Signs `tx` with `key` and returns the raw `eth_sendRawTransaction` bytes.
pub fn sign_raw<T>(key: &PrivateKeySigner, tx: T) -> Vec<u8>
where
    T: SignableTransaction<Signature>,
    OpTxEnvelope: From<Signed<T>>,
{
    sign_envelope(key, tx).encoded_2718()
}

/// An impersonated transfer from `sender` (no signing: fast, for bulk tests).
pub fn impersonated(sender: Address, nonce: u64, max_fee: u128, tip: u128) -> PoolTransaction {
    PoolTransaction::impersonated(OpTypedTransaction::Eip1559(transfer(nonce, max_fee, tip)), sender).unwrap()
}

/// An address for impersonated senders.
pub fn account(index: u8) -> Address {
    Address::repeat_byte(index)
}

/// A state where every given address holds 1000 ether at nonce 0.
pub fn funded(addresses: &[Address]) -> InMemoryAccounts {
    let mut state = InMemoryAccounts::new();
    for address in addresses {
        state.set(*address, 0, U256::from(10u64).pow(U256::from(21)));
    }
    state
}

/// The default configuration of the test chain.
pub fn config() -> PoolConfig {
    PoolConfig::new(CHAIN_ID, BLOCK_GAS_LIMIT)
}

/// An empty pool with the default configuration.
pub fn pool() -> TxPool {
    TxPool::new(config(), BASE_FEE)
}
