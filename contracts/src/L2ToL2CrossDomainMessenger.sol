// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Identifier } from "./Identifier.sol";
import { ICrossL2Inbox } from "./ICrossL2Inbox.sol";
import { Predeploys } from "./Predeploys.sol";

/// @notice A context getter was called while no message is being relayed.
error NotEntered();
/// @notice The relayed log was not emitted by the messenger itself.
error IdOriginNotL2ToL2CrossDomainMessenger();
/// @notice The relayed log is not a `SentMessage` event.
error EventPayloadNotSentMessage();
/// @notice A message may not be sent to the chain it is sent from.
error MessageDestinationSameChain();
/// @notice The relayed message is addressed to another chain.
error MessageDestinationNotRelayChain();
/// @notice Messages may not target the messenger itself.
error MessageTargetL2ToL2CrossDomainMessenger();
/// @notice The message was relayed successfully before.
error MessageAlreadyRelayed();
/// @notice `relayMessage` was entered again while a relay is in progress.
error ReentrantCall();
/// @notice `resendMessage` was asked for a message this chain never sent.
error InvalidMessage();

/// @title L2ToL2CrossDomainMessenger
/// @notice General message passing between interop chains, built on the CrossL2Inbox. A message sent here is a
///         `SentMessage` log; anyone relays it on the destination chain by handing the log's Identifier and payload
///         to `relayMessage`, which validates it as an executing message, binds it to the destination chain,
///         protects against replay by its hash and calls the target with the sender and source chain available
///         through the context getters. A target that reverts makes the relay revert with the target's own
///         revert data, and the message can be relayed again later. Works from empty storage: every variable
///         starts at zero.
contract L2ToL2CrossDomainMessenger {
    /// @notice Version of the message encoding, carried in the top two bytes of every nonce.
    uint16 public constant messageVersion = 0;

    /// @notice Semantic version of this contract.
    string public constant version = "1.0.0";

    /// @notice Hashes of the messages relayed successfully on this chain.
    mapping(bytes32 messageHash => bool relayed) public successfulMessages;

    /// @notice Number of messages sent from this chain (the unversioned nonce of the next message).
    uint240 internal msgNonce;

    /// @notice Hash of the message sent from this chain with each (versioned) nonce.
    mapping(uint256 nonce => bytes32 messageHash) public sentMessages;

    /// @notice Whether a relay is in progress in this transaction.
    bool internal transient relaying;
    /// @notice Source-chain sender of the message being relayed.
    address internal transient relaySender;
    /// @notice Source chain of the message being relayed.
    uint256 internal transient relaySource;

    /// @notice Emitted for every message sent; its topics and data are the payload relayed on the destination.
    event SentMessage(
        uint256 indexed destination, address indexed target, uint256 indexed messageNonce, address sender, bytes message
    );

    /// @notice Emitted for every message relayed successfully.
    /// @param returnDataHash keccak256 of the data the target returned.
    event RelayedMessage(
        uint256 indexed source, uint256 indexed messageNonce, bytes32 indexed messageHash, bytes32 returnDataHash
    );

    /// @notice The versioned nonce the next message sent from this chain will carry.
    function messageNonce() public view returns (uint256) {
        return (uint256(messageVersion) << 240) | uint256(msgNonce);
    }

    /// @notice The source-chain sender of the message being relayed; reverts `NotEntered()` outside a relay.
    function crossDomainMessageSender() external view returns (address sender_) {
        if (!relaying) revert NotEntered();
        sender_ = relaySender;
    }

    /// @notice The source chain of the message being relayed; reverts `NotEntered()` outside a relay.
    function crossDomainMessageSource() external view returns (uint256 source_) {
        if (!relaying) revert NotEntered();
        source_ = relaySource;
    }

    /// @notice Sender and source chain of the message being relayed; reverts `NotEntered()` outside a relay.
    function crossDomainMessageContext() external view returns (address sender_, uint256 source_) {
        if (!relaying) revert NotEntered();
        sender_ = relaySender;
        source_ = relaySource;
    }

    /// @notice Sends `_message` to be called on `_target` on chain `_destination`.
    /// @return messageHash_ The hash that identifies the message on both chains.
    function sendMessage(uint256 _destination, address _target, bytes calldata _message)
        external
        returns (bytes32 messageHash_)
    {
        if (_destination == block.chainid) revert MessageDestinationSameChain();
        if (_target == address(this)) revert MessageTargetL2ToL2CrossDomainMessenger();

        uint256 nonce = messageNonce();
        messageHash_ = _hashMessage(_destination, block.chainid, nonce, msg.sender, _target, _message);
        sentMessages[nonce] = messageHash_;
        msgNonce++;

        emit SentMessage(_destination, _target, nonce, msg.sender, _message);
    }

    /// @notice Emits again the `SentMessage` event of a message this chain sent, so that it can be relayed with a
    ///         fresh Identifier (for instance after the first one expired). The source of the message is this
    ///         chain; reverts `InvalidMessage()` unless this chain sent exactly this message with `_nonce`.
    /// @return messageHash_ The hash of the message.
    function resendMessage(
        uint256 _destination,
        uint256 _nonce,
        address _sender,
        address _target,
        bytes calldata _message
    ) external returns (bytes32 messageHash_) {
        messageHash_ = _hashMessage(_destination, block.chainid, _nonce, _sender, _target, _message);
        if (sentMessages[_nonce] != messageHash_) revert InvalidMessage();
        emit SentMessage(_destination, _target, _nonce, _sender, _message);
    }

    /// @notice Relays a message sent to this chain: `_id` points at its `SentMessage` log on the source chain and
    ///         `_sentMessage` is that log's payload (four topics, then the ABI-encoded data). The transaction must
    ///         declare the message in its access list (see CrossL2Inbox). When the target reverts, this reverts
    ///         with the target's revert data.
    /// @return returnData_ What the target returned.
    function relayMessage(Identifier calldata _id, bytes calldata _sentMessage)
        external
        payable
        returns (bytes memory returnData_)
    {
        if (relaying) revert ReentrantCall();
        if (_id.origin != address(this)) revert IdOriginNotL2ToL2CrossDomainMessenger();
        ICrossL2Inbox(Predeploys.CROSS_L2_INBOX).validateMessage(_id, keccak256(_sentMessage));

        if (_sentMessage.length < 128) revert EventPayloadNotSentMessage();
        (bytes32 selector, uint256 destination, address target, uint256 nonce) =
            abi.decode(_sentMessage[:128], (bytes32, uint256, address, uint256));
        if (selector != SentMessage.selector) revert EventPayloadNotSentMessage();
        if (destination != block.chainid) revert MessageDestinationNotRelayChain();
        if (target == address(this)) revert MessageTargetL2ToL2CrossDomainMessenger();

        (address sender, bytes memory message) = abi.decode(_sentMessage[128:], (address, bytes));
        uint256 source = _id.chainId;
        bytes32 messageHash = _hashMessage(destination, source, nonce, sender, target, message);
        if (successfulMessages[messageHash]) revert MessageAlreadyRelayed();

        relaying = true;
        relaySender = sender;
        relaySource = source;
        bool success;
        (success, returnData_) = target.call{ value: msg.value }(message);
        relaying = false;
        relaySender = address(0);
        relaySource = 0;

        if (!success) {
            assembly ("memory-safe") {
                revert(add(returnData_, 32), mload(returnData_))
            }
        }
        successfulMessages[messageHash] = true;
        emit RelayedMessage(source, nonce, messageHash, keccak256(returnData_));
    }

    /// @notice The hash that identifies a message: keccak256 of the ABI encoding of all its fields.
    function _hashMessage(
        uint256 _destination,
        uint256 _source,
        uint256 _nonce,
        address _sender,
        address _target,
        bytes memory _message
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(_destination, _source, _nonce, _sender, _target, _message));
    }
}
