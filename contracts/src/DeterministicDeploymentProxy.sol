// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title DeterministicDeploymentProxy
/// @notice A CREATE2 factory with the calling convention of the deterministic deployment proxy preinstall at
///         `0x4e59b44847b379578588920cA78FbF26c0B4956C` and of the Safe singleton factory at
///         `0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7` (`specs/protocol/preinstalls.md`): the calldata is a 32-byte
///         salt followed by the init code; the call's ETH goes to the new contract; the answer is the new contract's
///         20-byte address, unpadded. A failed creation (the init code reverts, or the address is taken) reverts
///         with no data. So `forge script` deployments with a salt, and `cast create2` predictions with this
///         address as deployer, work unchanged. Keeps no storage.
contract DeterministicDeploymentProxy {
    /// @notice Deploys `msg.data[32:]` with CREATE2 and salt `msg.data[0:32]`; returns the 20-byte address.
    fallback() external payable {
        assembly {
            // Fewer than 32 bytes carry no complete salt.
            if lt(calldatasize(), 32) { revert(0, 0) }
            let length := sub(calldatasize(), 32)
            calldatacopy(0, 32, length)
            let created := create2(callvalue(), 0, length, calldataload(0))
            if iszero(created) { revert(0, 0) }
            mstore(0, created)
            return(12, 20)
        }
    }
}
