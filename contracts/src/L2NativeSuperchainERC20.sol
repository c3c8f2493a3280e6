// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ERC20 } from "./ERC20.sol";
import { SuperchainERC20 } from "./SuperchainERC20.sol";

/// @title L2NativeSuperchainERC20
/// @notice The open-mint test token every L2 of a supersim-compatible devnet carries at
///         `0x420beeF000000000000000000000000000000001`, with supersim's interface: anyone may `mint` and `burn`
///         any amount, and the SuperchainTokenBridge moves it between chains (ERC-7802). Works from empty storage.
contract L2NativeSuperchainERC20 is SuperchainERC20 {
    /// @notice Tokens were minted with `mint`.
    event Mint(address indexed account, uint256 amount);
    /// @notice Tokens were burned with `burn`.
    event Burn(address indexed account, uint256 amount);

    /// @notice Minting to the zero address.
    error ZeroAddress();

    /// @inheritdoc ERC20
    function name() public pure override returns (string memory) {
        return "L2NativeSuperchainERC20";
    }

    /// @inheritdoc ERC20
    function symbol() public pure override returns (string memory) {
        return "MOCK";
    }

    /// @notice Mints `_amount` tokens to `_to`. Open to everyone.
    function mint(address _to, uint256 _amount) external {
        if (_to == address(0)) revert ZeroAddress();
        _mint(_to, _amount);
        emit Mint(_to, _amount);
    }

    /// @notice Burns `_amount` tokens of `_from`. Open to everyone, as in supersim: a test token only.
    function burn(address _from, uint256 _amount) external {
        _burn(_from, _amount);
        emit Burn(_from, _amount);
    }
}
