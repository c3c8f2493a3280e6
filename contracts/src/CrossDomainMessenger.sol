// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title CrossDomainMessenger
/// @notice What the L1 and L2 messengers between an L2 and its L1 share (`specs/protocol/messengers.md`): a
///         message sent on one side is relayed on the other by the other messenger, which calls the target with
///         the message, its ETH and at least its minimum gas limit while `xDomainMessageSender()` names the
///         sender. A relay that fails (or gets too little gas) is recorded, and anyone may replay it later without
///         ETH; a relayed message can never be relayed again. Nonces carry the message version (1) in their top
///         two bytes, and a message is identified by the hash of its version-1 `relayMessage` calldata.
///
///         Storage: slot 0 `successfulMessages`, 1 `failedMessages`, 2 the unversioned nonce; the messenger's
///         configuration follows. The sender of the message being relayed lives in transient storage.
abstract contract CrossDomainMessenger {
    /// @notice Version of the messages this messenger sends and relays.
    uint16 public constant MESSAGE_VERSION = 1;

    /// @notice Gas every relay needs besides the target's own.
    uint64 public constant RELAY_CONSTANT_OVERHEAD = 200_000;
    /// @notice Gas of the call to the target beyond its minimum gas limit.
    uint64 public constant RELAY_CALL_OVERHEAD = 40_000;
    /// @notice Gas kept back during the call to the target, to finish the relay.
    uint64 public constant RELAY_RESERVED_GAS = 40_000;
    /// @notice Gas between the relay's gas check and its call.
    uint64 public constant RELAY_GAS_CHECK_BUFFER = 5_000;
    /// @notice Gas per byte of the relay calldata (what the L1 portal charges per deposit data byte).
    uint64 internal constant GAS_PER_RELAY_BYTE = 40;
    /// @notice Bytes of `relayMessage` calldata besides the message itself (selector, six words, padding).
    uint64 internal constant RELAY_ENCODING_OVERHEAD = 260;

    /// @notice What `xDomainMessageSender()` is set to outside a relay.
    address internal constant DEFAULT_XDOMAIN_SENDER = 0x000000000000000000000000000000000000dEaD;

    /// @notice Transient slot of the sender of the message being relayed.
    bytes32 internal constant XDOMAIN_SENDER_SLOT = keccak256("superlink.CrossDomainMessenger.sender");

    /// @notice Messages relayed successfully, by hash.
    mapping(bytes32 msgHash => bool relayed) public successfulMessages;

    /// @notice Messages whose relay failed, which anyone may replay, by hash.
    mapping(bytes32 msgHash => bool failed) public failedMessages;

    /// @notice Number of messages sent (the unversioned nonce of the next one).
    uint240 internal msgNonce;

    /// @notice A message was sent to the other side.
    event SentMessage(address indexed target, address sender, bytes message, uint256 messageNonce, uint256 gasLimit);
    /// @notice The ETH sent along with the message just sent.
    event SentMessageExtension1(address indexed sender, uint256 value);
    /// @notice A message was relayed.
    event RelayedMessage(bytes32 indexed msgHash);
    /// @notice A message's relay failed; it can be replayed.
    event FailedRelayedMessage(bytes32 indexed msgHash);

    /// @notice The message's nonce carries a version other than 1.
    error UnsupportedMessageVersion(uint16 version);
    /// @notice The ETH sent does not match the message's value.
    error ValueMismatch();
    /// @notice A replay must not send ETH, and only a failed message can be replayed.
    error MessageCannotBeReplayed();
    /// @notice The message was already relayed.
    error MessageAlreadyRelayed();
    /// @notice The message targets the messenger or the transport under it.
    error UnsafeTarget();

    /// @notice Sends `_message` to `_target` on the other side, with `msg.value` and at least `_minGasLimit` gas.
    function sendMessage(address _target, bytes calldata _message, uint32 _minGasLimit) external payable {
        address sender = _caller();
        uint256 nonce = messageNonce();
        bytes memory relay = abi.encodeCall(
            CrossDomainMessenger.relayMessage, (nonce, sender, _target, msg.value, _minGasLimit, _message)
        );
        _sendToOther(baseGas(_message, _minGasLimit), msg.value, relay);
        emit SentMessage(_target, sender, _message, nonce, _minGasLimit);
        emit SentMessageExtension1(sender, msg.value);
        unchecked {
            ++msgNonce;
        }
    }

    /// @notice Relays a message sent on the other side (called by the other messenger through the transport), or
    ///         replays a failed one (anyone, without ETH).
    function relayMessage(
        uint256 _nonce,
        address _sender,
        address _target,
        uint256 _value,
        uint256 _minGasLimit,
        bytes calldata _message
    )
        external
        payable
    {
        uint16 messageVersion = uint16(_nonce >> 240);
        if (messageVersion != MESSAGE_VERSION) revert UnsupportedMessageVersion(messageVersion);
        bytes32 msgHash = keccak256(
            abi.encodeCall(
                CrossDomainMessenger.relayMessage, (_nonce, _sender, _target, _value, _minGasLimit, _message)
            )
        );
        if (_isOtherMessenger()) {
            if (msg.value != _value) revert ValueMismatch();
        } else if (msg.value != 0 || !failedMessages[msgHash]) {
            revert MessageCannotBeReplayed();
        }
        if (_target == address(this) || _isTransport(_target)) revert UnsafeTarget();
        if (successfulMessages[msgHash]) revert MessageAlreadyRelayed();

        // Too little gas for the target, or a relay inside a relay: record the message for a replay.
        bool enoughGas = gasleft() >= (_minGasLimit * 64) / 63 + RELAY_RESERVED_GAS + RELAY_GAS_CHECK_BUFFER;
        if (!enoughGas || _relayingSender() != address(0)) {
            failedMessages[msgHash] = true;
            emit FailedRelayedMessage(msgHash);
            return;
        }
        _setRelayingSender(_sender);
        (bool success,) = _target.call{ gas: gasleft() - RELAY_RESERVED_GAS, value: _value }(_message);
        _setRelayingSender(address(0));
        if (success) {
            successfulMessages[msgHash] = true;
            emit RelayedMessage(msgHash);
        } else {
            failedMessages[msgHash] = true;
            emit FailedRelayedMessage(msgHash);
        }
    }

    /// @notice The sender of the message being relayed; reverts outside a relay.
    function xDomainMessageSender() external view returns (address) {
        address sender = _relayingSender();
        require(sender != address(0), "CrossDomainMessenger: xDomainMessageSender is not set");
        return sender;
    }

    /// @notice The versioned nonce of the next message.
    function messageNonce() public view returns (uint256) {
        return (uint256(MESSAGE_VERSION) << 240) | uint256(msgNonce);
    }

    /// @notice The gas limit on the other side of a message of `_message` with `_minGasLimit`: the relay's
    ///         overheads, the minimum gas limit plus 1/63 of it (what a call keeps back), and 40 gas per byte of
    ///         relay calldata.
    function baseGas(bytes calldata _message, uint32 _minGasLimit) public pure returns (uint64) {
        return RELAY_CONSTANT_OVERHEAD + RELAY_CALL_OVERHEAD + RELAY_RESERVED_GAS + RELAY_GAS_CHECK_BUFFER
            + (uint64(_minGasLimit) * 64) / 63
            + GAS_PER_RELAY_BYTE * (uint64(_message.length) + RELAY_ENCODING_OVERHEAD);
    }

    /// @notice The messenger on the other side.
    function otherMessenger() public view virtual returns (address);

    /// @notice The messenger on the other side (the legacy name).
    function OTHER_MESSENGER() external view returns (address) {
        return otherMessenger();
    }

    /// @notice Hands the relay calldata to the transport towards the other messenger.
    function _sendToOther(uint64 _gasLimit, uint256 _value, bytes memory _data) internal virtual;

    /// @notice Whether the current call is the other messenger's, through the transport.
    function _isOtherMessenger() internal view virtual returns (bool);

    /// @notice Whether `_target` is the transport, which a message must not call.
    function _isTransport(address _target) internal view virtual returns (bool);

    /// @notice The account sending a message.
    function _caller() internal view virtual returns (address) {
        return msg.sender;
    }

    function _relayingSender() internal view returns (address sender_) {
        bytes32 slot = XDOMAIN_SENDER_SLOT;
        assembly {
            sender_ := tload(slot)
        }
    }

    function _setRelayingSender(address _sender) internal {
        bytes32 slot = XDOMAIN_SENDER_SLOT;
        assembly {
            tstore(slot, _sender)
        }
    }
}
