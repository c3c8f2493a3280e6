// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IERC20 } from "./IERC20.sol";

/// @title ERC20
/// @notice A plain ERC-20 token: balances, allowances (an allowance of `type(uint256).max` is never spent) and the
///         internal mint and burn its concrete tokens build on.
abstract contract ERC20 is IERC20 {
    /// @notice Balance of every holder.
    mapping(address holder => uint256 amount) public override balanceOf;

    /// @notice Amount a spender may still transfer on behalf of an owner.
    mapping(address owner => mapping(address spender => uint256 amount)) public override allowance;

    /// @notice Tokens in existence.
    uint256 public override totalSupply;

    /// @notice The holder's balance is below the amount to move.
    error InsufficientBalance();
    /// @notice The spender's allowance is below the amount to move.
    error InsufficientAllowance();

    /// @notice The token's name.
    function name() public view virtual returns (string memory);

    /// @notice The token's symbol.
    function symbol() public view virtual returns (string memory);

    /// @notice The number of decimals of an amount.
    function decimals() public view virtual returns (uint8);

    /// @notice Moves `_amount` tokens from the caller to `_to`.
    function transfer(address _to, uint256 _amount) external returns (bool) {
        _move(msg.sender, _to, _amount);
        return true;
    }

    /// @notice Lets `_spender` move up to `_amount` of the caller's tokens.
    function approve(address _spender, uint256 _amount) external returns (bool) {
        allowance[msg.sender][_spender] = _amount;
        emit Approval(msg.sender, _spender, _amount);
        return true;
    }

    /// @notice Moves `_amount` tokens from `_from` to `_to` using the caller's allowance.
    function transferFrom(address _from, address _to, uint256 _amount) external returns (bool) {
        uint256 allowed = allowance[_from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < _amount) revert InsufficientAllowance();
            allowance[_from][msg.sender] = allowed - _amount;
        }
        _move(_from, _to, _amount);
        return true;
    }

    /// @notice Creates `_amount` tokens for `_to`.
    function _mint(address _to, uint256 _amount) internal {
        totalSupply += _amount;
        unchecked {
            balanceOf[_to] += _amount;
        }
        emit Transfer(address(0), _to, _amount);
    }

    /// @notice Destroys `_amount` tokens of `_from`.
    function _burn(address _from, uint256 _amount) internal {
        uint256 balance = balanceOf[_from];
        if (balance < _amount) revert InsufficientBalance();
        unchecked {
            balanceOf[_from] = balance - _amount;
            totalSupply -= _amount;
        }
        emit Transfer(_from, address(0), _amount);
    }

    /// @notice Moves `_amount` tokens from `_from` to `_to`.
    function _move(address _from, address _to, uint256 _amount) internal {
        uint256 balance = balanceOf[_from];
        if (balance < _amount) revert InsufficientBalance();
        unchecked {
            balanceOf[_from] = balance - _amount;
            balanceOf[_to] += _amount;
        }
        emit Transfer(_from, _to, _amount);
    }
}
