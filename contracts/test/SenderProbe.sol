// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IXDomainSender
/// @notice The getter of the L1 ↔ L2 messengers that names a relayed message's sender.
interface IXDomainSender {
    /// @notice The sender of the message being relayed.
    function xDomainMessageSender() external view returns (address);
}

/// @title SenderProbe
/// @notice Test target of L1 ↔ L2 messages: records the relaying messenger, the sender it names and the ETH, or
///         reverts while `refusing` is set.
contract SenderProbe {
    /// @notice The caller of the last `record`.
    address public lastMessenger;
    /// @notice `xDomainMessageSender()` of that caller during the last `record`.
    address public lastSender;
    /// @notice ETH received by the last `record`.
    uint256 public lastValue;
    /// @notice Whether `record` reverts.
    bool public refusing;

    /// @notice `record` refused the message.
    error Refused();

    /// @notice Sets whether `record` reverts.
    function setRefusing(bool _refusing) external {
        refusing = _refusing;
    }

    /// @notice Records who relayed the call and for whom.
    function record() external payable {
        if (refusing) revert Refused();
        lastMessenger = msg.sender;
        lastSender = IXDomainSender(msg.sender).xDomainMessageSender();
        lastValue = msg.value;
    }
}
