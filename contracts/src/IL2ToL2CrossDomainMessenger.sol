// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IL2ToL2CrossDomainMessenger
/// @notice The part of the L2ToL2CrossDomainMessenger that applications call.
interface IL2ToL2CrossDomainMessenger {
    /// @notice Sends `_message` to `_target` on chain `_destination`; returns the message hash.
    function sendMessage(uint256 _destination, address _target, bytes calldata _message) external returns (bytes32);

    /// @notice The source-chain sender of the message being relayed; reverts outside a relay.
    function crossDomainMessageSender() external view returns (address);

    /// @notice The source chain of the message being relayed; reverts outside a relay.
    function crossDomainMessageSource() external view returns (uint256);

    /// @notice Sender and source chain of the message being relayed; reverts outside a relay.
    function crossDomainMessageContext() external view returns (address sender_, uint256 source_);
}
