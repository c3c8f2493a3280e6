// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Predeploys
/// @notice Addresses of the OP Stack system contracts that live at the same address on every interop chain.
library Predeploys {
    /// @notice Sends messages to and relays messages from the L1.
    address internal constant L2_CROSS_DOMAIN_MESSENGER = 0x4200000000000000000000000000000000000007;
    /// @notice Bridges ETH and ERC-20 tokens to and from the L1.
    address internal constant L2_STANDARD_BRIDGE = 0x4200000000000000000000000000000000000010;
    /// @notice Creates the L2 representations of L1 tokens.
    address internal constant OPTIMISM_MINTABLE_ERC20_FACTORY = 0x4200000000000000000000000000000000000012;
    /// @notice The token address that stands for ETH in the L2 bridge's legacy functions.
    address internal constant LEGACY_ERC20_ETH = 0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000;
    /// @notice Holds the L1 attributes that every block's first deposit sets.
    address internal constant L1_BLOCK = 0x4200000000000000000000000000000000000015;
    /// @notice Records L2-to-L1 withdrawals; its storage root is part of the output root.
    address internal constant L2_TO_L1_MESSAGE_PASSER = 0x4200000000000000000000000000000000000016;
    /// @notice Validates executing messages against the transaction's access list.
    address internal constant CROSS_L2_INBOX = 0x4200000000000000000000000000000000000022;
    /// @notice Sends and relays messages between interop chains.
    address internal constant L2_TO_L2_CROSS_DOMAIN_MESSENGER = 0x4200000000000000000000000000000000000023;
    /// @notice Moves native ETH between interop chains.
    address internal constant SUPERCHAIN_ETH_BRIDGE = 0x4200000000000000000000000000000000000024;
    /// @notice Holds the ETH that the ETH bridge burns into and mints out of.
    address internal constant ETH_LIQUIDITY = 0x4200000000000000000000000000000000000025;
    /// @notice Moves SuperchainERC20 tokens between interop chains.
    address internal constant SUPERCHAIN_TOKEN_BRIDGE = 0x4200000000000000000000000000000000000028;
    /// @notice The account that sends the L1-attributes deposit of every block.
    address internal constant DEPOSITOR_ACCOUNT = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;
}
