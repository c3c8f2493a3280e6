// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Identifier } from "./Identifier.sol";

/// @title ICrossL2Inbox
/// @notice The part of the CrossL2Inbox that other contracts call.
interface ICrossL2Inbox {
    /// @notice Accepts the executing message for `_msgHash` at `_id`, or reverts `NotInAccessList()`.
    function validateMessage(Identifier calldata _id, bytes32 _msgHash) external;

    /// @notice The access-list checksum entry of the executing message for `_msgHash` at `_id`.
    function calculateChecksum(Identifier memory _id, bytes32 _msgHash) external pure returns (bytes32 checksum_);
}
