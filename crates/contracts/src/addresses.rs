//! Addresses of the predeploys, the system accounts they trust and the example apps.
//!
//! Predeploys sit at the same address on every OP Stack chain (the `0x4200…` namespace). The example apps are
//! superlink's own and sit at fixed addresses outside that namespace, identical on every chain of a devnet, as
//! cross-chain apps built on the messenger and the token bridge must be.

use alloy_primitives::{Address, U256, address};

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
