// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title SafeSend
/// @notice Delivers the ETH it is created with to a recipient without running any of the recipient's code: the
///         constructor self-destructs in favour of the recipient (created and destroyed in one transaction, so the
///         account is removed and the whole balance moves).
contract SafeSend {
    /// @param _recipient Receives the value sent with the creation.
    constructor(address payable _recipient) payable {
        selfdestruct(_recipient);
    }
}
