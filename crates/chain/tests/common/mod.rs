//! Shared test setup: a chain with the predeploys and funded dev keys, and helpers to sign transactions.
#![allow(dead_code)]

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEip7702, TxLegacy};
use alloy_eips::eip7702::Authorization;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use op_alloy_consensus::OpTxEnvelope;
use superlink_chain::{Chain, ChainConfig, Genesis, GenesisAccount, L1Attributes};
use superlink_txpool::PoolTransaction;

pub const CHAIN_ID: u64 = 901;
pub const GENESIS_TIME: u64 = 1_700_000_000;

/// A stored value: calldata sets slot 0, empty calldata returns it.
pub const STORE_RUNTIME: &str = "3615600c57600035600055005b60005460005260206000f3";
/// Emits LOG1(topic = caller, data = first calldata word).
pub const LOGGER_RUNTIME: &str = "6000356000523360206000a100";

pub fn bytes(hex_str: &str) -> Bytes {
    hex_str.parse().unwrap()
}

/// Init code that deploys `runtime` (at most 255 bytes).
pub fn init_code(runtime: &str) -> Bytes {
    let runtime = bytes(runtime);
    let len = runtime.len() as u8;
    let mut code = vec![0x60, len, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3];
    code.extend_from_slice(&runtime);
    code.into()
}

pub struct Dev {
    pub signers: Vec<PrivateKeySigner>,
}

impl Dev {
    pub fn new(count: usize) -> Self {
        let signers = (1..=count)
            .map(|i| PrivateKeySigner::from_bytes(&B256::left_padding_from(&[i as u8, 0x11])).unwrap())
            .collect();
        Self { signers }
    }

    pub fn address(&self, i: usize) -> Address {
        self.signers[i].address()
    }
}

pub fn genesis(dev: &Dev, gas_limit: u64) -> Genesis {
    let mut genesis = Genesis::new(CHAIN_ID, GENESIS_TIME)
        .with_alloc(superlink_contracts::genesis::predeploy_allocs(CHAIN_ID));
    genesis.gas_limit = gas_limit;
    for signer in &dev.signers {
        genesis = genesis.with_account(
            signer.address(),
            GenesisAccount { balance: U256::from(10u128.pow(24)), ..GenesisAccount::default() },
        );
    }
    genesis
}

pub fn chain(dev: &Dev) -> Chain {
    let mut chain = Chain::new(&genesis(dev, 30_000_000), ChainConfig::default());
    chain.set_l1_origin(L1Attributes {
        number: 100,
        timestamp: GENESIS_TIME - 12,
        hash: B256::repeat_byte(0xaa),
        ..L1Attributes::default()
    });
    chain
}

pub fn sign(signer: &PrivateKeySigner, tx: impl Into<Unsigned>) -> PoolTransaction {
    let envelope = match tx.into() {
        Unsigned::Legacy(tx) => {
            let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
            OpTxEnvelope::Legacy(tx.into_signed(sig))
        }
        Unsigned::Eip2930(tx) => {
            let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
            OpTxEnvelope::Eip2930(tx.into_signed(sig))
        }
        Unsigned::Eip1559(tx) => {
            let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
            OpTxEnvelope::Eip1559(tx.into_signed(sig))
        }
        Unsigned::Eip7702(tx) => {
            let sig = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
            OpTxEnvelope::Eip7702(tx.into_signed(sig))
        }
    };
    PoolTransaction::from_envelope(envelope).unwrap()
}

pub enum Unsigned {
    Legacy(TxLegacy),
    Eip2930(TxEip2930),
    Eip1559(TxEip1559),
    Eip7702(TxEip7702),
}

impl From<TxLegacy> for Unsigned {
    fn from(tx: TxLegacy) -> Self {
        Self::Legacy(tx)
    }
}
impl From<TxEip2930> for Unsigned {
    fn from(tx: TxEip2930) -> Self {
        Self::Eip2930(tx)
    }
}
impl From<TxEip1559> for Unsigned {
    fn from(tx: TxEip1559) -> Self {
        Self::Eip1559(tx)
    }
}
impl From<TxEip7702> for Unsigned {
    fn from(tx: TxEip7702) -> Self {
        Self::Eip7702(tx)
    }
}

/// A plain EIP-1559 transfer.
pub fn transfer(nonce: u64, to: Address, value: u64) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1_000_000,
        to: TxKind::Call(to),
        value: U256::from(value),
        ..TxEip1559::default()
    }
}

/// An EIP-1559 call with data.
pub fn call_tx(nonce: u64, to: TxKind, input: Bytes, gas_limit: u64) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1_000_000,
        to,
        input,
        ..TxEip1559::default()
    }
}

pub fn authorization(
    signer: &PrivateKeySigner,
    delegate: Address,
    nonce: u64,
) -> alloy_eips::eip7702::SignedAuthorization {
    let auth = Authorization { chain_id: U256::from(CHAIN_ID), address: delegate, nonce };
    let sig = signer.sign_hash_sync(&auth.signature_hash()).unwrap();
    auth.into_signed(sig)
}
