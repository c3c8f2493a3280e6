// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title MultiSendBatch
/// @notice The batch format of the Safe's MultiSend libraries (v1.3.0), read from calldata: transactions packed one
///         after another, each `uint8 operation ‖ address to ‖ uint256 value ‖ uint256 dataLength ‖ bytes data`
///         (85 bytes and the data). Operation 0 is a call with `value`, operation 1 a delegatecall (where allowed).
///         The batch stops at the first failing transaction and reverts without data, undoing all of them.
abstract contract MultiSendBatch {
    /// @notice Runs every transaction of `_transactions` in order; operation 1 only when `_allowDelegateCall`.
    function _runBatch(bytes calldata _transactions, bool _allowDelegateCall) internal {
        uint256 offset = 0;
        while (offset < _transactions.length) {
            // A truncated header, or data past the end, makes the slices below revert.
            uint8 operation = uint8(_transactions[offset]);
            address to = address(bytes20(_transactions[offset + 1:offset + 21]));
            uint256 value = uint256(bytes32(_transactions[offset + 21:offset + 53]));
            uint256 dataLength = uint256(bytes32(_transactions[offset + 53:offset + 85]));
            bytes calldata data = _transactions[offset + 85:offset + 85 + dataLength];
            bool success = false;
            assembly {
                let input := mload(0x40)
                calldatacopy(input, data.offset, data.length)
                switch operation
                case 0 { success := call(gas(), to, value, input, data.length, 0, 0) }
                case 1 {
                    if _allowDelegateCall { success := delegatecall(gas(), to, input, data.length, 0, 0) }
                }
            }
            if (!success) {
                assembly {
                    revert(0, 0)
                }
            }
            offset += 85 + dataLength;
        }
    }
}

/// @title MultiSend
/// @notice The batching library of the MultiSend preinstall at `0x998739BFdAAdde7C933B942a68053933098f9EDa`
///         (`specs/protocol/preinstalls.md`), for a Safe to delegatecall: `multiSend(transactions)` runs calls and
///         delegatecalls in the context of the caller. A direct call reverts, since its transactions would run
///         as this library.
contract MultiSend is MultiSendBatch {
    /// @notice The address the genesis places this library at; the runtime code is placed there without a
    ///         constructor, so the address is a constant rather than an immutable.
    address internal constant SELF = 0x998739BFdAAdde7C933B942a68053933098f9EDa;

    /// @notice Runs the packed transactions `_transactions` (see `MultiSendBatch`), only through a delegatecall.
    function multiSend(bytes calldata _transactions) external payable {
        require(address(this) != SELF, "MultiSend should only be called via delegatecall");
        _runBatch(_transactions, true);
    }
}

/// @title MultiSendCallOnly
/// @notice The batching library of the MultiSendCallOnly preinstall at `0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B`
///         (`specs/protocol/preinstalls.md`): as `MultiSend`, but a delegatecall transaction fails the batch, and it
///         may be called directly as well as through a delegatecall.
contract MultiSendCallOnly is MultiSendBatch {
    /// @notice Runs the packed transactions `_transactions` (see `MultiSendBatch`); calls only.
    function multiSend(bytes calldata _transactions) external payable {
        _runBatch(_transactions, false);
    }
}
