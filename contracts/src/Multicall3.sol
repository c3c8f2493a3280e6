// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Multicall3
/// @notice Batched calls with the interface and behaviour of the Multicall3 preinstall (v3.1.0) that clients (viem's
///         `multicall`, ethers' and foundry's helpers, among others) expect at
///         `0xcA11bde05977b3631167028862bE2a173976CA11` (`specs/protocol/preinstalls.md`): the `aggregate` family
///         for reads in one `eth_call` and for several state changes in one transaction, and getters of the block
///         and of balances. A call that may not fail reverts the batch with `Multicall3: call failed`. Works from
///         empty storage: it keeps none.
contract Multicall3 {
    /// @notice One call of `aggregate` and its relatives.
    struct Call {
        address target;
        bytes callData;
    }

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

    /// @notice Makes every call in order, each of which must succeed; returns the block number and their answers.
    function aggregate(Call[] calldata _calls)
        external
        payable
        returns (uint256 blockNumber_, bytes[] memory returnData_)
    {
        blockNumber_ = block.number;
        returnData_ = new bytes[](_calls.length);
        for (uint256 i = 0; i < _calls.length; i++) {
            (bool success, bytes memory data) = _calls[i].target.call(_calls[i].callData);
            require(success, "Multicall3: call failed");
            returnData_[i] = data;
        }
    }

    /// @notice Makes every call in order; when `_requireSuccess`, every call must succeed.
    function tryAggregate(bool _requireSuccess, Call[] calldata _calls)
        public
        payable
        returns (Result[] memory results_)
    {
        results_ = new Result[](_calls.length);
        for (uint256 i = 0; i < _calls.length; i++) {
            (bool success, bytes memory data) = _calls[i].target.call(_calls[i].callData);
            if (_requireSuccess) require(success, "Multicall3: call failed");
            results_[i] = Result(success, data);
        }
    }

    /// @notice As `tryAggregate`, with the block number and hash it ran in.
    function tryBlockAndAggregate(bool _requireSuccess, Call[] calldata _calls)
        public
        payable
        returns (uint256 blockNumber_, bytes32 blockHash_, Result[] memory results_)
    {
        blockNumber_ = block.number;
        blockHash_ = blockhash(block.number);
        results_ = tryAggregate(_requireSuccess, _calls);
    }

    /// @notice As `tryBlockAndAggregate` with every call required to succeed.
    function blockAndAggregate(Call[] calldata _calls)
        external
        payable
        returns (uint256 blockNumber_, bytes32 blockHash_, Result[] memory results_)
    {
        (blockNumber_, blockHash_, results_) = tryBlockAndAggregate(true, _calls);
    }

    /// @notice Makes every call in order; reverts when a call that may not fail fails.
    function aggregate3(Call3[] calldata _calls) external payable returns (Result[] memory results_) {
        results_ = new Result[](_calls.length);
        for (uint256 i = 0; i < _calls.length; i++) {
            (bool success, bytes memory data) = _calls[i].target.call(_calls[i].callData);
            require(success || _calls[i].allowFailure, "Multicall3: call failed");
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
            require(success || _calls[i].allowFailure, "Multicall3: call failed");
            results_[i] = Result(success, data);
        }
        require(total == msg.value, "Multicall3: value mismatch");
    }

    /// @notice The hash of block `_number` (zero beyond the last 256 blocks).
    function getBlockHash(uint256 _number) external view returns (bytes32) {
        return blockhash(_number);
    }

    /// @notice The current block number.
    function getBlockNumber() external view returns (uint256) {
        return block.number;
    }

    /// @notice The current block's fee recipient.
    function getCurrentBlockCoinbase() external view returns (address) {
        return block.coinbase;
    }

    /// @notice The current block's `PREVRANDAO` (the difficulty field before the merge).
    function getCurrentBlockDifficulty() external view returns (uint256) {
        return block.prevrandao;
    }

    /// @notice The current block's gas limit.
    function getCurrentBlockGasLimit() external view returns (uint256) {
        return block.gaslimit;
    }

    /// @notice The current block's timestamp.
    function getCurrentBlockTimestamp() external view returns (uint256) {
        return block.timestamp;
    }

    /// @notice The balance of `_account`.
    function getEthBalance(address _account) external view returns (uint256) {
        return _account.balance;
    }

    /// @notice The hash of the previous block.
    function getLastBlockHash() external view returns (bytes32) {
        unchecked {
            return blockhash(block.number - 1);
        }
    }

    /// @notice The current block's base fee.
    function getBasefee() external view returns (uint256) {
        return block.basefee;
    }

    /// @notice The chain ID.
    function getChainId() external view returns (uint256) {
        return block.chainid;
    }
}
