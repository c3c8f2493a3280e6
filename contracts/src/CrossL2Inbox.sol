// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Identifier } from "./Identifier.sol";

/// @title CrossL2Inbox
/// @notice Turns a reference to a log of another chain into an executing message. The transaction must declare
///         the message in its EIP-2930 access list: the checksum of the Identifier and message hash is a storage
///         key of this contract, and this contract accepts the message only when reading that key costs the
///         warm-access price, which is the case exactly when the key was pre-declared (or read before in the same
///         transaction). Deposit transactions carry no access list, so they can never execute a message here.
contract CrossL2Inbox {
    /// @notice Gas above which a single storage read counts as cold. A warm read costs 100 gas, a cold one 2100;
    ///         the measurement also includes a few cheap stack operations, hence a threshold well between both.
    uint256 internal constant WARM_READ_THRESHOLD = 1000;

    /// @notice Type byte that marks a checksum entry of the access list.
    uint256 internal constant CHECKSUM_TYPE = 0x03;

    /// @notice Semantic version of this contract.
    string public constant version = "1.0.0";

    /// @notice Emitted for every accepted executing message.
    /// @param msgHash    Hash of the initiating message's payload (topics then data).
    /// @param identifier Where the initiating message lives.
    event ExecutingMessage(bytes32 indexed msgHash, Identifier identifier);

    /// @notice The checksum of the message was not declared in the transaction's access list.
    error NotInAccessList();
    /// @notice The Identifier's block number does not fit the 64 bits of the access-list encoding.
    error BlockNumberTooHigh();
    /// @notice The Identifier's timestamp does not fit the 64 bits of the access-list encoding.
    error TimestampTooHigh();
    /// @notice The Identifier's log index does not fit the 32 bits of the access-list encoding.
    error LogIndexTooHigh();

    /// @notice Accepts the executing message for `_msgHash` at `_id` and emits `ExecutingMessage`, provided the
    ///         transaction's access list declares its checksum; reverts `NotInAccessList()` otherwise, and with
    ///         the errors of `calculateChecksum` for an Identifier that the access list cannot encode.
    /// @param _id      Where the initiating message lives.
    /// @param _msgHash Hash of the initiating message's payload.
    function validateMessage(Identifier calldata _id, bytes32 _msgHash) external {
        bytes32 slot = calculateChecksum(_id, _msgHash);
        if (!_isWarm(slot)) revert NotInAccessList();
        emit ExecutingMessage(_msgHash, _id);
    }

    /// @notice The access-list checksum entry (type 3) of an executing message. Reverts `BlockNumberTooHigh()`,
    ///         `LogIndexTooHigh()` or `TimestampTooHigh()` (checked in that order) when a field is wider than its
    ///         encoding: u64 block number, u32 log index, u64 timestamp.
    /// @param _id      Where the initiating message lives.
    /// @param _msgHash Hash of the initiating message's payload.
    /// @return checksum_ `0x03` followed by the last 31 bytes of the bare checksum hash.
    function calculateChecksum(Identifier memory _id, bytes32 _msgHash) public pure returns (bytes32 checksum_) {
        if (_id.blockNumber > type(uint64).max) revert BlockNumberTooHigh();
        if (_id.logIndex > type(uint32).max) revert LogIndexTooHigh();
        if (_id.timestamp > type(uint64).max) revert TimestampTooHigh();
        bytes32 logHash = keccak256(abi.encodePacked(_id.origin, _msgHash));
        // 12 zero bytes, then blockNumber (u64), timestamp (u64) and logIndex (u32), big-endian.
        uint256 packedId = (_id.blockNumber << 96) | (_id.timestamp << 32) | _id.logIndex;
        bytes32 idLogHash = keccak256(abi.encodePacked(logHash, packedId));
        bytes32 bare = keccak256(abi.encodePacked(idLogHash, _id.chainId));
        checksum_ = bytes32((uint256(bare) & (type(uint256).max >> 8)) | (CHECKSUM_TYPE << 248));
    }

    /// @notice Whether reading storage slot `_slot` of this contract is priced as a warm access.
    /// @dev The value read takes part in the result so that the optimizer cannot drop the read as unused; this
    ///      contract never writes its storage, so the value is always zero and the answer depends on gas alone.
    function _isWarm(bytes32 _slot) internal view returns (bool warm_) {
        assembly ("memory-safe") {
            let before := gas()
            let value := sload(_slot)
            let spent := sub(before, gas())
            warm_ := and(lt(spent, WARM_READ_THRESHOLD), iszero(value))
        }
    }
}
