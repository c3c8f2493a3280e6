//! Price comparisons: the replacement rule and the order in which the pool evicts when full.

use alloy_primitives::U256;

use crate::transaction::PoolTransaction;

/// Whether `new` may replace `old` (same sender and nonce): like geth, both its fee cap and its tip must be
/// strictly higher than `old`'s and at least `bump_percent` percent higher.
pub fn is_sufficient_replacement(old: &PoolTransaction, new: &PoolTransaction, bump_percent: u128) -> bool {
    let bumped = |value: u128| U256::from(value) * U256::from(100u128 + bump_percent) / U256::from(100u128);
    let (old_cap, new_cap) = (old.max_fee_per_gas(), new.max_fee_per_gas());
    let (old_tip, new_tip) = (old.max_priority_fee_per_gas(), new.max_priority_fee_per_gas());
    new_cap > old_cap
        && new_tip > old_tip
        && U256::from(new_cap) >= bumped(old_cap)
        && U256::from(new_tip) >= bumped(old_tip)
}

/// How much a transaction pays at a base fee, for eviction: the effective tip (0 when the fee cap is below
/// the base fee), then the fee cap. Larger is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PriceKey {
    /// Effective tip per gas at the base fee.
    pub effective_tip: u128,
    /// Fee cap per gas.
    pub fee_cap: u128,
}

impl PriceKey {
    /// The price of `tx` at `base_fee`.
    pub fn of(tx: &PoolTransaction, base_fee: u64) -> Self {
        Self { effective_tip: tx.effective_tip(base_fee).unwrap_or(0), fee_cap: tx.max_fee_per_gas() }
    }
}
