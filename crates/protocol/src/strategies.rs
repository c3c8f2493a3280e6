//! Proptest strategies shared by the unit tests of several modules.

use crate::identifier::Identifier;
use alloy_primitives::{Address, U256};
use proptest::prelude::*;

/// A chain ID over the whole `U256` range; half of the cases fit in a `u64`, the common case.
pub(crate) fn any_chain_id() -> impl Strategy<Value = U256> {
    (any::<[u8; 32]>(), any::<bool>()).prop_map(|(bytes, small)| {
        let chain_id = U256::from_be_bytes(bytes);
        if small { U256::from(chain_id.as_limbs()[0]) } else { chain_id }
    })
}

/// An identifier over the whole range of every field, chain IDs above `u64` included.
pub(crate) fn any_identifier() -> impl Strategy<Value = Identifier> {
    (any::<[u8; 20]>(), any::<u64>(), any::<u32>(), any::<u64>(), any_chain_id()).prop_map(
        |(origin, block_number, log_index, timestamp, chain_id)| Identifier {
            origin: Address::from(origin),
            block_number,
            log_index,
            timestamp,
            chain_id,
        },
    )
}
