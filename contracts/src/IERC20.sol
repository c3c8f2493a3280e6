// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IERC20
/// @notice The fungible token standard (ERC-20).
interface IERC20 {
    /// @notice Tokens moved from `from` to `to` (the zero address on either side for mints and burns).
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// @notice `owner` allowed `spender` to move `value` of its tokens.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice Tokens in existence.
    function totalSupply() external view returns (uint256);

    /// @notice Balance of `_holder`.
    function balanceOf(address _holder) external view returns (uint256);

    /// @notice Amount `_spender` may still move on behalf of `_owner`.
    function allowance(address _owner, address _spender) external view returns (uint256);

    /// @notice Moves `_amount` tokens from the caller to `_to`.
    function transfer(address _to, uint256 _amount) external returns (bool);

    /// @notice Lets `_spender` move up to `_amount` of the caller's tokens.
    function approve(address _spender, uint256 _amount) external returns (bool);

    /// @notice Moves `_amount` tokens from `_from` to `_to` using the caller's allowance.
    function transferFrom(address _from, address _to, uint256 _amount) external returns (bool);
}
