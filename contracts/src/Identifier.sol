// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice Points at one log of one block of one chain: the initiating message an executing message consumes.
/// @param origin      The account that emitted the log.
/// @param blockNumber The number of the block that holds the log.
/// @param logIndex    The position of the log among all logs of that block.
/// @param timestamp   The timestamp of that block.
/// @param chainId     The chain the block belongs to.
struct Identifier {
    address origin;
    uint256 blockNumber;
    uint256 logIndex;
    uint256 timestamp;
    uint256 chainId;
}
