// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IERC165
/// @notice Interface detection (ERC-165).
interface IERC165 {
    /// @notice Whether the contract implements the interface `_interfaceId`.
    function supportsInterface(bytes4 _interfaceId) external view returns (bool);
}

/// @title IERC7802
/// @notice Cross-chain mint and burn (ERC-7802), called by a bridge that the token trusts.
interface IERC7802 is IERC165 {
    /// @notice Emitted when `_amount` tokens are minted to `_to` by `_sender` for a cross-chain transfer.
    event CrosschainMint(address indexed _to, uint256 _amount, address indexed _sender);

    /// @notice Emitted when `_amount` tokens are burnt from `_from` by `_sender` for a cross-chain transfer.
    event CrosschainBurn(address indexed _from, uint256 _amount, address indexed _sender);

    /// @notice Mints `_amount` tokens to `_to`.
    function crosschainMint(address _to, uint256 _amount) external;

    /// @notice Burns `_amount` tokens from `_from`.
    function crosschainBurn(address _from, uint256 _amount) external;
}
