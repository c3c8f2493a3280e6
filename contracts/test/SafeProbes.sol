// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title SafeTestProxy
/// @notice The smallest proxy a Safe runs behind: the singleton's address in slot 0 (where the Safe's storage
///         layout keeps it free for the proxy), and every call, its ETH included, delegated to it.
contract SafeTestProxy {
    constructor(address singleton) {
        assembly {
            sstore(0, singleton)
        }
    }

    fallback() external payable {
        assembly {
            let singleton := sload(0)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), singleton, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }
}

/// @title SafeGuardProbe
/// @notice A Safe guard for the tests: refuses transactions to `blocked` with `SafeGuardProbe: blocked`, and records
///         what it was shown and told.
contract SafeGuardProbe {
    /// @notice The destination refused.
    address public blocked;
    /// @notice The submitter named to the last `checkTransaction`.
    address public lastSender;
    /// @notice The hash told to the last `checkAfterExecution`.
    bytes32 public lastTxHash;
    /// @notice The outcome told to the last `checkAfterExecution`.
    bool public lastSuccess;

    /// @notice Sets the destination to refuse.
    function block_(address target) external {
        blocked = target;
    }

    /// @notice Refuses a transaction to `blocked`; records the submitter otherwise.
    function checkTransaction(
        address to,
        uint256,
        bytes memory,
        uint8,
        uint256,
        uint256,
        uint256,
        address,
        address payable,
        bytes memory,
        address msgSender
    ) external {
        require(to != blocked, "SafeGuardProbe: blocked");
        lastSender = msgSender;
    }

    /// @notice Records the outcome of the transaction.
    function checkAfterExecution(bytes32 txHash, bool success) external {
        lastTxHash = txHash;
        lastSuccess = success;
    }
}

/// @title SafeHandlerProbe
/// @notice A Safe fallback handler for the tests: records the calldata it receives (the original call with the
///         Safe's caller appended) and who called it, and answers the word 7.
contract SafeHandlerProbe {
    /// @notice The calldata of the last call.
    bytes public lastCalldata;
    /// @notice The account that made the last call (the Safe).
    address public lastCaller;

    fallback(bytes calldata input) external returns (bytes memory) {
        lastCalldata = input;
        lastCaller = msg.sender;
        return abi.encode(uint256(7));
    }
}

/// @title SafeSignerProbe
/// @notice A contract owner of a Safe for the tests: accepts, in the v1.3.0 contract-signature form, a signature
///         equal to `accepted` of any data whose hash it approved.
contract SafeSignerProbe {
    /// @notice The signature bytes it accepts.
    bytes public constant ACCEPTED = "superlink contract signature";
    /// @notice Hashes of the data it accepts to sign.
    mapping(bytes32 => bool) public approved;

    /// @notice Accepts to sign `data`.
    function approve(bytes calldata data) external {
        approved[keccak256(data)] = true;
    }

    /// @notice `0x20c13b0b` when `data` was approved and `signature` is `ACCEPTED`, zero otherwise.
    function isValidSignature(bytes memory data, bytes memory signature) external view returns (bytes4) {
        if (approved[keccak256(data)] && keccak256(signature) == keccak256(ACCEPTED)) return 0x20c13b0b;
        return 0x00000000;
    }
}
