//! Addresses of the predeploys, the system accounts they trust and the example apps.
//!
//! Predeploys sit at the same address on every OP Stack chain (the `0x4200…` namespace). The example apps are
//! superlink's own and sit at fixed addresses outside that namespace, identical on every chain of a devnet, as
//! cross-chain apps built on the messenger and the token bridge must be.

use alloy_primitives::{Address, U256, address};

/// `L1Block`: the L1 attributes set by the first deposit of every block; the EVM reads it for the L1 data fee.
pub const L1_BLOCK: Address = address!("0x4200000000000000000000000000000000000015");
/// `L2ToL1MessagePasser`: records withdrawals; its storage root is part of the output root.
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("0x4200000000000000000000000000000000000016");
/// `CrossL2Inbox`: validates executing messages against the transaction's access list.
pub const CROSS_L2_INBOX: Address = address!("0x4200000000000000000000000000000000000022");
/// `L2ToL2CrossDomainMessenger`: sends and relays messages between interop chains.
pub const L2_TO_L2_CROSS_DOMAIN_MESSENGER: Address = address!("0x4200000000000000000000000000000000000023");
/// `SuperchainETHBridge`: moves native ETH between interop chains.
pub const SUPERCHAIN_ETH_BRIDGE: Address = address!("0x4200000000000000000000000000000000000024");
/// `ETHLiquidity`: the pool the ETH bridge burns into and mints out of.
pub const ETH_LIQUIDITY: Address = address!("0x4200000000000000000000000000000000000025");
/// `SuperchainTokenBridge`: moves SuperchainERC20 tokens between interop chains.
pub const SUPERCHAIN_TOKEN_BRIDGE: Address = address!("0x4200000000000000000000000000000000000028");

/// The account that sends the L1-attributes deposit of every block (the only caller `L1Block` accepts).
pub const DEPOSITOR_ACCOUNT: Address = address!("0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001");

/// `CrossChainCounter`, the example app of cross-chain messaging.
pub const CROSS_CHAIN_COUNTER: Address = address!("0x5111000000000000000000000000000000000001");
/// `TestSuperchainERC20`, a freely mintable SuperchainERC20 for bridging examples.
pub const TEST_SUPERCHAIN_ERC20: Address = address!("0x5111000000000000000000000000000000000002");

/// Balance `ETHLiquidity` starts with: `type(uint248).max` wei, far above all ETH in existence.
pub const ETH_LIQUIDITY_INITIAL_BALANCE: U256 =
    U256::from_limbs([u64::MAX, u64::MAX, u64::MAX, u64::MAX >> 8]);
