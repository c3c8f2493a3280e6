// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IL2ToL2CrossDomainMessenger } from "./IL2ToL2CrossDomainMessenger.sol";
import { Predeploys } from "./Predeploys.sol";

/// @title CrossChainCounter
/// @notice Example application of cross-chain messaging. Deployed at the same address on every chain,
///         `incrementRemote` asks the counter on another chain to count one more; the relayed call `increment`
///         accepts only messages that the messenger delivers and that a CrossChainCounter sent, so nobody can
///         count on its behalf. Works from empty storage.
contract CrossChainCounter {
    /// @notice Increments received on this chain.
    uint256 public count;
    /// @notice Source chain of the last increment received.
    uint256 public lastSource;
    /// @notice Account that asked for the last increment received, on its source chain.
    address public lastRequester;

    /// @notice Emitted when an increment arrives from chain `source`, asked for by `requester`.
    event Incremented(uint256 indexed source, address indexed requester, uint256 count);

    /// @notice `increment` was not called by the messenger.
    error CallerNotMessenger();
    /// @notice The relayed message was not sent by a CrossChainCounter.
    error InvalidCrossDomainSender();

    /// @notice Asks the counter on chain `_destination` to count one more.
    /// @return messageHash_ The messenger's hash of the message.
    function incrementRemote(uint256 _destination) external returns (bytes32 messageHash_) {
        bytes memory message = abi.encodeCall(this.increment, (msg.sender));
        messageHash_ = IL2ToL2CrossDomainMessenger(Predeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER).sendMessage(
            _destination, address(this), message
        );
    }

    /// @notice Counts one more; only through a relayed message of a CrossChainCounter on another chain.
    function increment(address _requester) external returns (uint256 count_) {
        address messenger = Predeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER;
        if (msg.sender != messenger) revert CallerNotMessenger();
        (address sender, uint256 source) = IL2ToL2CrossDomainMessenger(messenger).crossDomainMessageContext();
        if (sender != address(this)) revert InvalidCrossDomainSender();

        count_ = ++count;
        lastSource = source;
        lastRequester = _requester;
        emit Incremented(source, _requester, count_);
    }
}
