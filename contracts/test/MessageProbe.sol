// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IL2ToL2CrossDomainMessenger } from "../src/IL2ToL2CrossDomainMessenger.sol";
import { Predeploys } from "../src/Predeploys.sol";

/// @title MessageProbe
/// @notice Test target of relayed messages: records who called it and what the messenger's context getters
///         answered during the call, returns data derived from its input, or reverts on demand.
contract MessageProbe {
    /// @notice The caller of the last `record`.
    address public lastCaller;
    /// @notice `crossDomainMessageSender()` during the last `record`.
    address public lastSender;
    /// @notice `crossDomainMessageSource()` during the last `record`.
    uint256 public lastSource;
    /// @notice ETH received by the last `record`.
    uint256 public lastValue;
    /// @notice The payload of the last `record`.
    bytes public lastPayload;

    /// @notice What the messenger answered the last `callMessenger`: revert data when it reverted.
    bytes public lastMessengerResult;
    /// @notice Whether the last `callMessenger` succeeded.
    bool public lastMessengerSuccess;

    /// @notice The call was asked to fail.
    error ProbeFailed(bytes payload);

    /// @notice Records the call and the relay context; returns keccak256 of `_payload` and the payload itself.
    function record(bytes calldata _payload) external payable returns (bytes32 payloadHash_, bytes memory echo_) {
        IL2ToL2CrossDomainMessenger messenger = IL2ToL2CrossDomainMessenger(Predeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER);
        lastCaller = msg.sender;
        lastSender = messenger.crossDomainMessageSender();
        lastSource = messenger.crossDomainMessageSource();
        lastValue = msg.value;
        lastPayload = _payload;
        payloadHash_ = keccak256(_payload);
        echo_ = _payload;
    }

    /// @notice Calls the messenger with `_calldata` (for instance to re-enter `relayMessage` during a relay) and
    ///         records the outcome without reverting.
    function callMessenger(bytes calldata _calldata) external payable {
        (lastMessengerSuccess, lastMessengerResult) = Predeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER.call(_calldata);
    }

    /// @notice Always reverts.
    function fail(bytes calldata _payload) external pure {
        revert ProbeFailed(_payload);
    }
}
