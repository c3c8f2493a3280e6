// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IERC20 } from "./IERC20.sol";

/// @title BridgeForwarder
/// @notice A second address of an L1 bridge contract. Every call (with its ETH) is passed on to the target stored
///         in slot 0, with the caller's address appended to the calldata; the target's return data or revert is
///         passed back. The target (a `Forwardable`) reads the appended caller when the call comes from its
///         forwarder, so both addresses share one state. Events are emitted by the target, at its own address.
///         For ERC-20 allowances given to this address, the target may have the forwarder pull the tokens.
contract BridgeForwarder {
    /// @notice The contract every call is passed on to (set in genesis storage).
    address public forwardTarget;

    /// @notice Only the target may pull tokens.
    error NotTarget();
    /// @notice The token refused the transfer.
    error PullFailed();

    /// @notice Moves `_amount` of `_token` from `_from` to the target, spending the allowance `_from` gave this
    ///         address; the target only.
    function pullERC20(address _token, address _from, uint256 _amount) external {
        address target = forwardTarget;
        if (msg.sender != target) revert NotTarget();
        bytes memory pull = abi.encodeCall(IERC20.transferFrom, (_from, target, _amount));
        (bool success, bytes memory result) = _token.call(pull);
        if (!success || (result.length != 0 && (result.length != 32 || abi.decode(result, (uint256)) != 1))) {
            revert PullFailed();
        }
    }

    /// @notice Passes a plain ETH transfer on to `forwardTarget`.
    receive() external payable {
        _forward();
    }

    /// @notice Passes any other call on to `forwardTarget`.
    fallback() external payable {
        _forward();
    }

    function _forward() internal {
        address target = forwardTarget;
        bytes memory data = abi.encodePacked(msg.data, msg.sender);
        (bool success, bytes memory result) = target.call{ value: msg.value }(data);
        assembly {
            switch success
            case 0 { revert(add(result, 0x20), mload(result)) }
            default { return(add(result, 0x20), mload(result)) }
        }
    }
}
