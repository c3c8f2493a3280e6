// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Predeploys } from "./Predeploys.sol";
import { SafeSend } from "./SafeSend.sol";

/// @title ETHLiquidity
/// @notice The pool of native ETH that cross-chain ETH transfers burn into on the source chain and mint out of
///         on the destination. The genesis gives it a balance of `type(uint248).max` wei, far above all ETH in
///         existence, so minting never runs dry. Only the SuperchainETHBridge may burn or mint.
contract ETHLiquidity {
    /// @notice Semantic version of this contract.
    string public constant version = "1.0.0";

    /// @notice Emitted when `value` wei leave the pool to `caller`.
    event LiquidityMinted(address indexed caller, uint256 value);

    /// @notice Emitted when `caller` puts `value` wei into the pool.
    event LiquidityBurned(address indexed caller, uint256 value);

    /// @notice The caller is not the SuperchainETHBridge.
    error Unauthorized();

    /// @notice Locks `msg.value` into the pool.
    function burn() external payable {
        if (msg.sender != Predeploys.SUPERCHAIN_ETH_BRIDGE) revert Unauthorized();
        emit LiquidityBurned(msg.sender, msg.value);
    }

    /// @notice Sends `_amount` wei from the pool to the caller.
    function mint(uint256 _amount) external {
        if (msg.sender != Predeploys.SUPERCHAIN_ETH_BRIDGE) revert Unauthorized();
        new SafeSend{ value: _amount }(payable(msg.sender));
        emit LiquidityMinted(msg.sender, _amount);
    }
}
