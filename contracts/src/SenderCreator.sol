// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title SenderCreator
/// @notice The ERC-4337 helper with the interface of the SenderCreator preinstalls (EntryPoint v0.6.0 at
///         `0x7fc98430eaedbb6070b35b39d798725049088348`, v0.7.0 at `0xEFC2c1444eBCC4Db75e7613d20C6a62fF67A167C`;
///         `specs/protocol/preinstalls.md`): it runs a user operation's `initCode` from an address that is not the
///         entry point. `initCode` is the factory's 20-byte address followed by the calldata for it; the answer is the
///         address the factory returns, or zero when the factory call fails or returns less than a word.
contract SenderCreator {
    /// @notice Calls the factory named by the first 20 bytes of `_initCode` with the rest; returns the account it
    ///         created (the first word of its answer, as an address), or zero when it failed.
    function createSender(bytes calldata _initCode) external returns (address sender_) {
        address factory = address(bytes20(_initCode[0:20]));
        (bool success, bytes memory result) = factory.call(_initCode[20:]);
        if (success && result.length >= 32) {
            sender_ = address(uint160(uint256(bytes32(result))));
        }
    }
}
