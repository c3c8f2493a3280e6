//! Addresses of the predeploys, the system accounts they trust and the example apps.
//!
//! Predeploys sit at the same address on every OP Stack chain (the `0x4200…` namespace). The example apps are
//! superlink's own and sit at fixed addresses outside that namespace, identical on every chain of a devnet, as
//! cross-chain apps built on the messenger and the token bridge must be. The L1 deposit portals sit on the L1,
//! one per L2, at an address derived from the L2's chain ID ([`deposit_portal`]).

use alloy_primitives::{Address, U160, U256, address};

// The predeploy addresses are protocol facts; the protocol crate holds them once.
pub use superlink_protocol::predeploys::{
    CROSS_L2_INBOX, ETH_LIQUIDITY, L1_BLOCK, L2_TO_L1_MESSAGE_PASSER, L2_TO_L2_CROSS_DOMAIN_MESSENGER,
    SUPERCHAIN_ETH_BRIDGE, SUPERCHAIN_TOKEN_BRIDGE,
};

/// The account that sends the L1-attributes deposit of every block (the only caller `L1Block` accepts).
pub const DEPOSITOR_ACCOUNT: Address = address!("0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001");

/// `CrossChainCounter`, the example app of cross-chain messaging.
pub const CROSS_CHAIN_COUNTER: Address = address!("0x5111000000000000000000000000000000000001");
/// `TestSuperchainERC20`, a freely mintable SuperchainERC20 for bridging examples.
pub const TEST_SUPERCHAIN_ERC20: Address = address!("0x5111000000000000000000000000000000000002");

/// Balance `ETHLiquidity` starts with: `type(uint248).max` wei, far above all ETH in existence.
pub const ETH_LIQUIDITY_INITIAL_BALANCE: U256 =
    U256::from_limbs([u64::MAX, u64::MAX, u64::MAX, u64::MAX >> 8]);

/// The first four bytes of every L1 deposit portal's address (`de905170`, to be read as "deposit").
pub const DEPOSIT_PORTAL_PREFIX: [u8; 4] = [0xde, 0x90, 0x51, 0x70];

/// The address of the L1 deposit portal of the L2 with `l2_chain_id`: [`DEPOSIT_PORTAL_PREFIX`], eight zero bytes,
/// then the chain ID as a big-endian `u64`. The portal of chain 901 (`0x385`) is
/// `0xde90517000000000000000000000000000000385`.
pub fn deposit_portal(l2_chain_id: u64) -> Address {
    let mut bytes = [0u8; 20];
    bytes[..4].copy_from_slice(&DEPOSIT_PORTAL_PREFIX);
    bytes[12..].copy_from_slice(&l2_chain_id.to_be_bytes());
    Address::from(bytes)
}

/// The L2 chain ID whose deposit portal sits at `address`, or `None` when `address` is not a portal address.
pub fn deposit_portal_chain(address: Address) -> Option<u64> {
    let bytes = address.as_slice();
    if bytes[..4] != DEPOSIT_PORTAL_PREFIX || bytes[4..12].iter().any(|b| *b != 0) {
        return None;
    }
    let mut id = [0u8; 8];
    id.copy_from_slice(&bytes[12..]);
    Some(u64::from_be_bytes(id))
}

/// What the L1 → L2 alias adds to an address (deposits spec, "Address Aliasing").
pub const L1_TO_L2_ALIAS_OFFSET: Address = address!("0x1111000000000000000000000000000000001111");

/// The L2 address that deposits made by the L1 contract `l1_address` come from: the address plus
/// [`L1_TO_L2_ALIAS_OFFSET`], modulo 2^160.
pub fn l1_to_l2_alias(l1_address: Address) -> Address {
    let sum = U160::from_be_slice(l1_address.as_slice())
        .wrapping_add(U160::from_be_slice(L1_TO_L2_ALIAS_OFFSET.as_slice()));
    Address::from(sum.to_be_bytes::<20>())
}

/// The L1 address behind the L2 alias `l2_alias` (the inverse of [`l1_to_l2_alias`]).
pub fn undo_l1_to_l2_alias(l2_alias: Address) -> Address {
    let difference = U160::from_be_slice(l2_alias.as_slice())
        .wrapping_sub(U160::from_be_slice(L1_TO_L2_ALIAS_OFFSET.as_slice()));
    Address::from(difference.to_be_bytes::<20>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_portal_address_carries_its_chain_id() {
        for id in [0, 901, 902, 0x1234_5678_9abc, u64::MAX] {
            let portal = deposit_portal(id);
            assert_eq!(portal.as_slice()[..4], DEPOSIT_PORTAL_PREFIX);
            assert_eq!(deposit_portal_chain(portal), Some(id));
        }
        assert_ne!(deposit_portal(901), deposit_portal(902));
        assert_eq!(
            deposit_portal(901).to_string().to_lowercase(),
            "0xde90517000000000000000000000000000000385"
        );
    }

    #[test]
    fn other_addresses_are_not_portals() {
        assert_eq!(deposit_portal_chain(CROSS_CHAIN_COUNTER), None);
        assert_eq!(deposit_portal_chain(Address::ZERO), None);
        let mut bytes = deposit_portal(901).0;
        bytes[5] = 1;
        assert_eq!(deposit_portal_chain(Address::from(bytes)), None);
    }

    #[test]
    fn the_alias_adds_the_offset_and_wraps_around() {
        assert_eq!(l1_to_l2_alias(Address::ZERO), L1_TO_L2_ALIAS_OFFSET);
        assert_eq!(
            l1_to_l2_alias(address!("0x0000000000000000000000000000000000000001")),
            address!("0x1111000000000000000000000000000000001112")
        );
        // 0xffff…ff + offset wraps to offset - 1.
        assert_eq!(
            l1_to_l2_alias(Address::repeat_byte(0xff)),
            address!("0x1111000000000000000000000000000000001110")
        );
        for a in [Address::ZERO, Address::repeat_byte(0xee), CROSS_CHAIN_COUNTER, DEPOSITOR_ACCOUNT] {
            assert_eq!(undo_l1_to_l2_alias(l1_to_l2_alias(a)), a);
            assert_ne!(l1_to_l2_alias(a), a);
        }
    }
}
