// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ERC20 } from "./ERC20.sol";
import { IERC20 } from "./IERC20.sol";
import { IERC165, IERC7802 } from "./IERC7802.sol";
import { Predeploys } from "./Predeploys.sol";

/// @title SuperchainERC20
/// @notice An ERC-20 token that moves between interop chains through the SuperchainTokenBridge: the bridge burns
///         tokens on the source chain and mints them on the destination (ERC-7802). Deploy it at the same address
///         on every chain. Concrete tokens provide the name, symbol and any way of minting outside the bridge; the
///         balances, allowances, transfers, mint and burn are the plain `ERC20`'s.
abstract contract SuperchainERC20 is ERC20, IERC7802 {
    /// @notice The caller of a cross-chain mint or burn is not the SuperchainTokenBridge.
    error Unauthorized();

    /// @notice Semantic version of this contract.
    function version() external view virtual returns (string memory) {
        return "1.0.0";
    }

    /// @notice The number of decimals of an amount: 18.
    function decimals() public view virtual override returns (uint8) {
        return 18;
    }

    /// @notice Mints `_amount` tokens to `_to`; only the SuperchainTokenBridge may call it.
    function crosschainMint(address _to, uint256 _amount) external {
        if (msg.sender != Predeploys.SUPERCHAIN_TOKEN_BRIDGE) revert Unauthorized();
        _mint(_to, _amount);
        emit CrosschainMint(_to, _amount, msg.sender);
    }

    /// @notice Burns `_amount` tokens from `_from`; only the SuperchainTokenBridge may call it.
    function crosschainBurn(address _from, uint256 _amount) external {
        if (msg.sender != Predeploys.SUPERCHAIN_TOKEN_BRIDGE) revert Unauthorized();
        _burn(_from, _amount);
        emit CrosschainBurn(_from, _amount, msg.sender);
    }

    /// @notice ERC-165: ERC-7802, ERC-20 and ERC-165 itself.
    function supportsInterface(bytes4 _interfaceId) public view virtual returns (bool) {
        return _interfaceId == type(IERC7802).interfaceId || _interfaceId == type(IERC165).interfaceId
            || _interfaceId == type(IERC20).interfaceId;
    }
}
