// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Multicall3
/// @notice Batches read calls into one, with the interface of the Multicall3 preinstall that clients (viem's
///         `multicall`, among others) expect at `0xcA11bde05977b3631167028862bE2a173976CA11`
///         (`specs/protocol/preinstalls.md`). Works from empty storage: it keeps none.
contract Multicall3 {
    /// @notice One call of `aggregate3`.
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    /// @notice One call of `aggregate3Value`.
    struct Call3Value {
        address target;
        bool allowFailure;
        uint256 value;
        bytes callData;
    }

    /// @notice The outcome of one call.
    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice A call that may not fail failed; carries its index.
    error CallFailed(uint256 index);
    /// @notice The ETH sent does not match the values of the calls.
    error ValueMismatch();

    /// @notice Makes every call in order; reverts when a call that may not fail fails.
    function aggregate3(Call3[] calldata _calls) external payable returns (Result[] memory results_) {
        results_ = new Result[](_calls.length);
        for (uint256 i = 0; i < _calls.length; i++) {
            (bool success, bytes memory data) = _calls[i].target.call(_calls[i].callData);
            if (!success && !_calls[i].allowFailure) revert CallFailed(i);
            results_[i] = Result(success, data);
        }
    }

    /// @notice As `aggregate3`, with ETH sent along each call; the values must add up to `msg.value`.
    function aggregate3Value(Call3Value[] calldata _calls) external payable returns (Result[] memory results_) {
        results_ = new Result[](_calls.length);
        uint256 total = 0;
        for (uint256 i = 0; i < _calls.length; i++) {
            total += _calls[i].value;
            (bool success, bytes memory data) = _calls[i].target.call{ value: _calls[i].value }(_calls[i].callData);
            if (!success && !_calls[i].allowFailure) revert CallFailed(i);
            results_[i] = Result(success, data);
        }
        if (total != msg.value) revert ValueMismatch();
    }

    /// @notice The current block number.
    function getBlockNumber() external view returns (uint256) {
        return block.number;
    }

    /// @notice The current block's timestamp.
    function getCurrentBlockTimestamp() external view returns (uint256) {
        return block.timestamp;
    }

    /// @notice The chain ID.
    function getChainId() external view returns (uint256) {
        return block.chainid;
    }

    /// @notice The balance of `_account`.
    function getEthBalance(address _account) external view returns (uint256) {
        return _account.balance;
    }

    /// @notice The hash of block `_number` (zero beyond the last 256 blocks).
    function getBlockHash(uint256 _number) external view returns (bytes32) {
        return blockhash(_number);
    }
}
