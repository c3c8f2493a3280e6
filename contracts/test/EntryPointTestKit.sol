// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { PostOpMode } from "../src/EntryPointCommon.sol";
import { UserOperation } from "../src/EntryPointV06.sol";
import { PackedUserOperation } from "../src/EntryPointV07.sol";

/// @title TestAccount4337
/// @notice Test account of both ERC-4337 entry point versions, owned by one ECDSA key. A valid signature is the
///         owner's 65-byte `r ‖ s ‖ v` signature of the user operation hash as an Ethereum signed message (EIP-191);
///         12 more bytes, `validUntil ‖ validAfter` (6 bytes each), set the validation time range.
contract TestAccount4337 {
    /// @notice The only entry point the account answers.
    address public immutable entryPoint;
    /// @notice The key that signs its operations.
    address public immutable owner;
    /// @notice The operation hash the last `executeUserOp` received.
    bytes32 public lastExecutedHash;

    constructor(address entryPoint_, address owner_) {
        entryPoint = entryPoint_;
        owner = owner_;
    }

    receive() external payable { }

    /// @notice v0.6 validation.
    function validateUserOp(UserOperation calldata userOp, bytes32 userOpHash, uint256 missingAccountFunds)
        external
        returns (uint256)
    {
        return _validate(userOp.signature, userOpHash, missingAccountFunds);
    }

    /// @notice v0.7 validation.
    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash, uint256 missingAccountFunds)
        external
        returns (uint256)
    {
        return _validate(userOp.signature, userOpHash, missingAccountFunds);
    }

    /// @notice Calls `target` with `value` and `data`, for the entry point or the owner; bubbles a revert.
    function execute(address target, uint256 value, bytes calldata data) external {
        require(msg.sender == entryPoint || msg.sender == owner, "not allowed");
        _call(target, value, data);
    }

    /// @notice v0.7's whole-operation execution: the operation's `callData` after this selector is
    ///         `(target, value, data)`; records the hash it received.
    function executeUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash) external {
        require(msg.sender == entryPoint, "not allowed");
        lastExecutedHash = userOpHash;
        (address target, uint256 value, bytes memory data) = abi.decode(userOp.callData[4:], (address, uint256, bytes));
        _call(target, value, data);
    }

    function _call(address target, uint256 value, bytes memory data) internal {
        (bool success, bytes memory result) = target.call{ value: value }(data);
        if (!success) {
            assembly {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    function _validate(bytes calldata signature, bytes32 userOpHash, uint256 missingAccountFunds)
        internal
        returns (uint256 validationData)
    {
        require(msg.sender == entryPoint, "not from entry point");
        require(signature.length >= 65, "short signature");
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", userOpHash));
        address signer = ecrecover(digest, uint8(signature[64]), bytes32(signature[0:32]), bytes32(signature[32:64]));
        validationData = signer == owner && signer != address(0) ? 0 : 1;
        if (signature.length >= 77) {
            validationData |= (uint256(uint48(bytes6(signature[65:71]))) << 160)
                | (uint256(uint48(bytes6(signature[71:77]))) << 208);
        }
        if (missingAccountFunds > 0) {
            (bool paid,) = payable(msg.sender).call{ value: missingAccountFunds }("");
            paid;
        }
    }
}

/// @title TestAccountFactory4337
/// @notice Creates `TestAccount4337`s with CREATE2, at addresses that depend on the entry point, the owner and a salt.
contract TestAccountFactory4337 {
    /// @notice Creates the account (or answers it when it exists).
    function createAccount(address entryPoint, address owner, uint256 salt) external returns (address account) {
        account = getAddress(entryPoint, owner, salt);
        if (account.code.length == 0) {
            new TestAccount4337{ salt: bytes32(salt) }(entryPoint, owner);
        }
    }

    /// @notice Where `createAccount` puts the account.
    function getAddress(address entryPoint, address owner, uint256 salt) public view returns (address) {
        bytes32 codeHash =
            keccak256(abi.encodePacked(type(TestAccount4337).creationCode, abi.encode(entryPoint, owner)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, codeHash)))));
    }
}

/// @title TestPaymaster4337
/// @notice Test paymaster of both entry point versions. The first byte of its data (after the version's
///         `paymasterAndData` header) says what to do: none or 0 sponsor, 1 answer a signature failure, 2 revert in
///         validation, 3 revert in `postOp` unless the mode is `postOpReverted`. Records the last `postOp`.
contract TestPaymaster4337 {
    /// @notice How many `postOp` calls completed.
    uint256 public postOpCount;
    /// @notice The mode of the last one.
    uint8 public lastMode;
    /// @notice The cost it was told.
    uint256 public lastCost;
    /// @notice The operation's account, from the context.
    address public lastSender;

    /// @notice v0.6 validation.
    function validatePaymasterUserOp(UserOperation calldata userOp, bytes32, uint256)
        external
        pure
        returns (bytes memory context, uint256 validationData)
    {
        return _validate(userOp.sender, userOp.paymasterAndData[20:]);
    }

    /// @notice v0.7 validation.
    function validatePaymasterUserOp(PackedUserOperation calldata userOp, bytes32, uint256)
        external
        pure
        returns (bytes memory context, uint256 validationData)
    {
        return _validate(userOp.sender, userOp.paymasterAndData[52:]);
    }

    /// @notice v0.6 `postOp`.
    function postOp(PostOpMode mode, bytes calldata context, uint256 actualGasCost) external {
        _record(mode, context, actualGasCost);
    }

    /// @notice v0.7 `postOp`.
    function postOp(PostOpMode mode, bytes calldata context, uint256 actualGasCost, uint256) external {
        _record(mode, context, actualGasCost);
    }

    function _validate(address sender, bytes calldata data)
        internal
        pure
        returns (bytes memory context, uint256 validationData)
    {
        uint8 flag = data.length > 0 ? uint8(data[0]) : 0;
        require(flag != 2, "paymaster refuses");
        return (abi.encode(sender, flag), flag == 1 ? 1 : 0);
    }

    function _record(PostOpMode mode, bytes calldata context, uint256 actualGasCost) internal {
        (address sender, uint8 flag) = abi.decode(context, (address, uint8));
        require(flag != 3 || mode == PostOpMode.postOpReverted, "postOp refuses");
        postOpCount++;
        lastMode = uint8(mode);
        lastCost = actualGasCost;
        lastSender = sender;
    }
}
