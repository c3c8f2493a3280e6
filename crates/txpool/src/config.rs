//! Pool configuration: the chain's rules the pool enforces and its size limits.

use revm::primitives::hardfork::SpecId;

/// Largest accepted transaction, in bytes of its EIP-2718 encoding (128 KiB, as geth).
pub const DEFAULT_MAX_TX_SIZE: usize = 128 * 1024;

/// Default fee bump, in percent, that a replacement must offer on both the fee cap and the tip.
pub const DEFAULT_PRICE_BUMP_PERCENT: u128 = 10;

/// Gas kept free in every block for the system deposits (L1 attributes, and with interop the deposit-context
/// closing transaction): the interop tx-pool spec's "effective gas limit" is the block gas limit minus this.
pub const SYSTEM_DEPOSITS_GAS_MARGIN: u64 = 100_000;

/// Default cap on the transactions one sender may hold in the pool (pending and queued together).
pub const DEFAULT_MAX_TXS_PER_SENDER: usize = 64;

/// Default cap on all transactions held by the pool.
pub const DEFAULT_MAX_TXS: usize = 8192;

/// What the pool enforces.
///
/// Limits:
/// - `max_txs_per_sender` counts a sender's pending and queued transactions together. A sender at the cap may
///   still replace a transaction, and may fill a nonce below its highest one: the pool then evicts that
///   sender's highest-nonce transaction to make room (it could not execute before the new one anyway).
///   Otherwise the new transaction is refused with [`InsertError::SenderFull`](crate::InsertError::SenderFull).
/// - `max_txs` caps the whole pool. When it is full, the cheapest *tail* transaction (the highest nonce of
///   some sender, so no gap opens in anyone's pending run) is evicted if the newcomer pays a strictly better
///   price; queued tails go before pending ones. Price is the effective tip at the pool's current base fee,
///   then the fee cap. If nothing is cheaper the newcomer is refused with
///   [`InsertError::PoolFull`](crate::InsertError::PoolFull).
///
/// Fee cap below the base fee: like geth, the pool accepts a transaction whose fee cap is below the current
/// base fee (the base fee moves every block); it is listed as pending if its nonce is executable, but
/// [`TxPool::best_transactions`](crate::TxPool::best_transactions) does not yield it (nor the sender's later
/// nonces) while the base fee stays above its cap. Only a tip below `min_priority_fee` is refused at
/// submission ([`InsertError::Underpriced`](crate::InsertError::Underpriced)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolConfig {
    /// The chain ID every transaction must sign for.
    pub chain_id: u64,
    /// Accept legacy transactions signed without a chain ID (pre-EIP-155). Default `true`, as anvil: the
    /// keyless CREATE2 deployer that forge and many tools rely on is such a transaction. Geth refuses them
    /// over RPC unless started with `--rpc.allow-unprotected-txs`; set `false` for that behaviour.
    pub allow_unprotected_legacy: bool,
    /// Block gas limit.
    pub block_gas_limit: u64,
    /// Gas kept free for system deposits: no transaction may ask for more than
    /// [`PoolConfig::effective_gas_limit`] (block gas limit minus this margin).
    pub system_gas_margin: u64,
    /// The Ethereum hardfork whose intrinsic-gas rules apply (Isthmus runs Prague rules: EIP-7623 floor).
    pub spec: SpecId,
    /// Largest accepted EIP-2718 encoding, in bytes.
    pub max_tx_size: usize,
    /// Smallest accepted priority fee (for legacy and EIP-2930 transactions, the gas price), in wei.
    pub min_priority_fee: u128,
    /// Fee bump (percent) a replacement needs on both its fee cap and its tip.
    pub price_bump_percent: u128,
    /// Cap on one sender's transactions (pending and queued together).
    pub max_txs_per_sender: usize,
    /// Cap on all transactions in the pool.
    pub max_txs: usize,
}

impl PoolConfig {
    /// Defaults for the given chain and block gas limit: Prague rules, 100,000 gas kept for system deposits,
    /// 128 KiB size limit, no minimum tip, 10% replacement bump, 64 transactions per sender, 8192 in total,
    /// unprotected legacy allowed.
    pub fn new(chain_id: u64, block_gas_limit: u64) -> Self {
        Self {
            chain_id,
            allow_unprotected_legacy: true,
            block_gas_limit,
            system_gas_margin: SYSTEM_DEPOSITS_GAS_MARGIN,
            spec: SpecId::PRAGUE,
            max_tx_size: DEFAULT_MAX_TX_SIZE,
            min_priority_fee: 0,
            price_bump_percent: DEFAULT_PRICE_BUMP_PERCENT,
            max_txs_per_sender: DEFAULT_MAX_TXS_PER_SENDER,
            max_txs: DEFAULT_MAX_TXS,
        }
    }

    /// The most gas one transaction may use: the block gas limit minus the system-deposit margin.
    pub fn effective_gas_limit(&self) -> u64 {
        self.block_gas_limit.saturating_sub(self.system_gas_margin)
    }
}
