//! EIP-1559 base fee with OP Stack parameters, and the Holocene `extraData` that carries them in every
//! block header (`0x00 ++ denominator u32 BE ++ elasticity u32 BE`).

use alloy_eips::eip1559::BaseFeeParams;
use alloy_primitives::Bytes;

/// The EIP-1559 parameters of a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eip1559Params {
    /// Base fee max change denominator: the base fee moves by at most `1/denominator` per block.
    pub denominator: u32,
    /// Elasticity multiplier: the gas target is `gas_limit / elasticity`.
    pub elasticity: u32,
}

impl Default for Eip1559Params {
    /// OP Stack parameters: denominator 50, elasticity 6.
    fn default() -> Self {
        Self { denominator: 50, elasticity: 6 }
    }
}

impl Eip1559Params {
    /// The gas a block should use for the base fee to stay put.
    pub fn gas_target(&self, gas_limit: u64) -> u64 {
        gas_limit / u64::from(self.elasticity.max(1))
    }

    /// The base fee of the child of a block with these gas figures.
    pub fn next_base_fee(&self, parent_gas_used: u64, parent_gas_limit: u64, parent_base_fee: u64) -> u64 {
        BaseFeeParams::new(u128::from(self.denominator.max(1)), u128::from(self.elasticity.max(1)))
            .next_block_base_fee(parent_gas_used, parent_gas_limit, parent_base_fee)
    }

    /// The Holocene `extraData` encoding of these parameters: version 0, denominator, elasticity.
    pub fn holocene_extra_data(&self) -> Bytes {
        let mut out = Vec::with_capacity(9);
        out.push(0u8);
        out.extend_from_slice(&self.denominator.to_be_bytes());
        out.extend_from_slice(&self.elasticity.to_be_bytes());
        out.into()
    }

    /// Decodes Holocene `extraData`; `None` when it is not version 0 of length 9.
    pub fn from_holocene_extra_data(extra: &[u8]) -> Option<Self> {
        if extra.len() != 9 || extra[0] != 0 {
            return None;
        }
        let denominator = u32::from_be_bytes([extra[1], extra[2], extra[3], extra[4]]);
        let elasticity = u32::from_be_bytes([extra[5], extra[6], extra[7], extra[8]]);
        Some(Self { denominator, elasticity })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holocene_extra_data_round_trips() {
        let params = Eip1559Params { denominator: 250, elasticity: 6 };
        let extra = params.holocene_extra_data();
        assert_eq!(extra.len(), 9);
        assert_eq!(Eip1559Params::from_holocene_extra_data(&extra), Some(params));
        assert_eq!(Eip1559Params::from_holocene_extra_data(&[1u8; 9]), None);
    }

    #[test]
    fn base_fee_follows_usage_against_target() {
        let params = Eip1559Params::default();
        let limit = 30_000_000;
        let target = params.gas_target(limit);
        assert_eq!(params.next_base_fee(target, limit, 1_000_000), 1_000_000);
        assert!(params.next_base_fee(limit, limit, 1_000_000) > 1_000_000);
        assert!(params.next_base_fee(0, limit, 1_000_000) < 1_000_000);
        // A full block raises the fee by (elasticity - 1) / denominator.
        let full = params.next_base_fee(limit, limit, 1_000_000);
        assert_eq!(full, 1_000_000 + 1_000_000 * 5 / 50);
    }
}
