//! Addresses of the predeploys the chain and the interop protocol use, and of the system account that sends the
//! L1-attributes deposit: the same on every OP Stack chain of a dependency set.

use alloy_primitives::{Address, address};

/// `CrossL2Inbox`: validates executing messages against the transaction's access list and emits
/// `ExecutingMessage`.
pub const CROSS_L2_INBOX: Address = address!("0x4200000000000000000000000000000000000022");

/// `L2ToL2CrossDomainMessenger`: replay-protected, destination-bound messages on top of the inbox.
pub const L2_TO_L2_CROSS_DOMAIN_MESSENGER: Address = address!("0x4200000000000000000000000000000000000023");

/// `SuperchainETHBridge`: sends native ETH between chains of the dependency set.
pub const SUPERCHAIN_ETH_BRIDGE: Address = address!("0x4200000000000000000000000000000000000024");

/// `ETHLiquidity`: the pool of native ETH the ETH bridge burns into and mints from.
pub const ETH_LIQUIDITY: Address = address!("0x4200000000000000000000000000000000000025");

/// `SuperchainTokenBridge`: moves SuperchainERC20 (ERC-7802) tokens between chains.
pub const SUPERCHAIN_TOKEN_BRIDGE: Address = address!("0x4200000000000000000000000000000000000028");

/// `L1Block`: the L1 attributes of the current L2 block.
pub const L1_BLOCK: Address = address!("0x4200000000000000000000000000000000000015");

/// `L2ToL1MessagePasser`: its storage root is committed to in every output root.
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("0x4200000000000000000000000000000000000016");

/// `SequencerFeeVault`: receives the priority fees of every block the sequencer builds.
pub const SEQUENCER_FEE_VAULT: Address = address!("0x4200000000000000000000000000000000000011");

/// The system account that sends the L1-attributes deposit opening every L2 block (not a contract).
pub const L1_INFO_DEPOSITOR: Address = address!("0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001");

#[cfg(test)]
mod tests {
    use super::*;

    /// Every predeploy lives in the `0x4200…00XX` namespace, at the index the specs assign it.
    #[test]
    fn predeploys_sit_at_their_spec_index_in_the_0x4200_namespace() {
        let expected = [
            (CROSS_L2_INBOX, 0x22u8),
            (L2_TO_L2_CROSS_DOMAIN_MESSENGER, 0x23),
            (SUPERCHAIN_ETH_BRIDGE, 0x24),
            (ETH_LIQUIDITY, 0x25),
            (SUPERCHAIN_TOKEN_BRIDGE, 0x28),
            (L1_BLOCK, 0x15),
            (L2_TO_L1_MESSAGE_PASSER, 0x16),
            (SEQUENCER_FEE_VAULT, 0x11),
        ];
        for (address, index) in expected {
            let mut bytes = [0u8; 20];
            bytes[0] = 0x42;
            bytes[19] = index;
            assert_eq!(address, Address::from(bytes));
        }
    }
}
