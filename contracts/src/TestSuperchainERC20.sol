// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ERC20 } from "./ERC20.sol";
import { SuperchainERC20 } from "./SuperchainERC20.sol";

/// @title TestSuperchainERC20
/// @notice A SuperchainERC20 for examples and tests: anyone may mint any amount. Its name and symbol are
///         constants, so it works from runtime code placed at genesis with empty storage.
contract TestSuperchainERC20 is SuperchainERC20 {
    /// @inheritdoc ERC20
    function name() public pure override returns (string memory) {
        return "Superlink Test Token";
    }

    /// @inheritdoc ERC20
    function symbol() public pure override returns (string memory) {
        return "SLT";
    }

    /// @notice Mints `_amount` tokens to `_to`. Open to everyone: this token has no value.
    function mint(address _to, uint256 _amount) external {
        _mint(_to, _amount);
    }
}
