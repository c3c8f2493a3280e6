// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { CrossDomainMessenger } from "./CrossDomainMessenger.sol";
import { L2ToL1MessagePasser } from "./L2ToL1MessagePasser.sol";
import { Predeploys } from "./Predeploys.sol";

/// @title L2CrossDomainMessenger
/// @notice The L2 messenger towards the L1 (predeploy `0x4200…0007`): messages from the L1 arrive as deposits
///         sent by the L1 messenger's alias; messages to the L1 go out as withdrawals through
///         `L2ToL1MessagePasser`. Storage (set at genesis): slots 0-2 as `CrossDomainMessenger`, slot 3 the L1
///         messenger of this chain.
contract L2CrossDomainMessenger is CrossDomainMessenger {
    /// @notice Semantic version of this contract.
    string public constant version = "2.0.0";

    /// @notice What the L1 → L2 alias adds to an address.
    uint160 internal constant ALIAS_OFFSET = uint160(0x1111000000000000000000000000000000001111);

    /// @notice The L1 messenger of this chain.
    address internal l1Messenger;

    /// @notice The L1 messenger of this chain (the legacy name).
    function l1CrossDomainMessenger() external view returns (address) {
        return l1Messenger;
    }

    /// @inheritdoc CrossDomainMessenger
    function otherMessenger() public view override returns (address) {
        return l1Messenger;
    }

    /// @inheritdoc CrossDomainMessenger
    function _sendToOther(uint64 _gasLimit, uint256 _value, bytes memory _data) internal override {
        L2ToL1MessagePasser(payable(Predeploys.L2_TO_L1_MESSAGE_PASSER)).initiateWithdrawal{ value: _value }(
            l1Messenger, _gasLimit, _data
        );
    }

    /// @inheritdoc CrossDomainMessenger
    function _isOtherMessenger() internal view override returns (bool) {
        unchecked {
            return msg.sender == address(uint160(l1Messenger) + ALIAS_OFFSET);
        }
    }

    /// @inheritdoc CrossDomainMessenger
    function _isTransport(address _target) internal pure override returns (bool) {
        return _target == Predeploys.L2_TO_L1_MESSAGE_PASSER;
    }
}
