// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Forwardable
/// @notice Lets an L1 bridge contract be reached at a second address. A `BridgeForwarder` at that address calls
///         the contract with the original calldata followed by the original caller's 20-byte address; the
///         contract trusts that suffix only when the call comes from its own forwarder, and so sees the same
///         caller at either address while keeping one state.
abstract contract Forwardable {
    /// @notice The `BridgeForwarder` whose calls carry their original caller, or the zero address for none.
    function _forwarder() internal view virtual returns (address);

    /// @notice Whether this call came through the forwarder, with the original caller appended.
    function _isForwarded() internal view returns (bool) {
        return msg.sender == _forwarder() && msg.sender != address(0) && msg.data.length >= 20;
    }

    /// @notice The account that made this call: the forwarder's original caller, or `msg.sender`.
    function _msgSender() internal view returns (address sender_) {
        if (!_isForwarded()) return msg.sender;
        sender_ = address(bytes20(msg.data[msg.data.length - 20:]));
    }

    /// @notice Whether this call is a plain ETH transfer made through the forwarder (20 bytes of calldata:
    ///         only the appended caller).
    function _isForwardedTransfer() internal view returns (bool) {
        return _isForwarded() && msg.data.length == 20;
    }
}
