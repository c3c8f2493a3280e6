// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IERC20 } from "./IERC20.sol";
import { IERC165, IERC7802 } from "./IERC7802.sol";
import { Predeploys } from "./Predeploys.sol";

/// @title SuperchainERC20
/// @notice An ERC-20 token that moves between interop chains through the SuperchainTokenBridge: the bridge burns
///         tokens on the source chain and mints them on the destination (ERC-7802). Deploy it at the same address
///         on every chain. Concrete tokens provide the name, symbol and any way of minting outside the bridge.
abstract contract SuperchainERC20 is IERC20, IERC7802 {
    /// @notice Balance of every holder.
    mapping(address holder => uint256 amount) public override balanceOf;

    /// @notice Amount a spender may still transfer on behalf of an owner.
    mapping(address owner => mapping(address spender => uint256 amount)) public override allowance;

    /// @notice Tokens in existence on this chain.
    uint256 public override totalSupply;

    /// @notice The caller of a cross-chain mint or burn is not the SuperchainTokenBridge.
    error Unauthorized();
    /// @notice The holder's balance is below the amount to move.
    error InsufficientBalance();
    /// @notice The spender's allowance is below the amount to move.
    error InsufficientAllowance();

    /// @notice Semantic version of this contract.
    function version() external view virtual returns (string memory) {
        return "1.0.0";
    }

    /// @notice The token's name.
    function name() public view virtual returns (string memory);

    /// @notice The token's symbol.
    function symbol() public view virtual returns (string memory);

    /// @notice The number of decimals of an amount.
    function decimals() public view virtual returns (uint8) {
        return 18;
    }

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

    /// @notice Creates `_amount` tokens for `_to`.
    function _mint(address _to, uint256 _amount) internal {
        totalSupply += _amount;
        unchecked {
            // Cannot overflow: every balance is at most the total supply, which did not overflow.
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
