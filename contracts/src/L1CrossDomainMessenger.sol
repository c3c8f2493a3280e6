// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { CrossDomainMessenger } from "./CrossDomainMessenger.sol";
import { Forwardable } from "./Forwardable.sol";
import { OptimismPortal } from "./OptimismPortal.sol";
import { Predeploys } from "./Predeploys.sol";

/// @title L1CrossDomainMessenger
/// @notice The L1 messenger of one L2: messages go out as deposits through the L2's `OptimismPortal` to the
///         `L2CrossDomainMessenger` predeploy; messages from the L2 arrive as finalized withdrawals of that
///         predeploy. Storage (set at genesis): slots 0-2 as `CrossDomainMessenger`, slot 3 the portal, slot 4 the
///         forwarder at this contract's second address.
contract L1CrossDomainMessenger is CrossDomainMessenger, Forwardable {
    /// @notice Semantic version of this contract.
    string public constant version = "2.0.0";

    /// @notice The L2's portal.
    OptimismPortal public portal;

    /// @notice The forwarder at this contract's second address.
    address internal forwarder;

    /// @notice The L2's portal (the legacy name).
    function PORTAL() external view returns (address) {
        return address(portal);
    }

    /// @inheritdoc CrossDomainMessenger
    function otherMessenger() public pure override returns (address) {
        return Predeploys.L2_CROSS_DOMAIN_MESSENGER;
    }

    /// @inheritdoc CrossDomainMessenger
    function _sendToOther(uint64 _gasLimit, uint256 _value, bytes memory _data) internal override {
        portal.depositTransaction{ value: _value }(otherMessenger(), _value, _gasLimit, false, _data);
    }

    /// @inheritdoc CrossDomainMessenger
    function _isOtherMessenger() internal view override returns (bool) {
        return msg.sender == address(portal) && portal.l2Sender() == otherMessenger();
    }

    /// @inheritdoc CrossDomainMessenger
    function _isTransport(address _target) internal view override returns (bool) {
        return _target == address(portal);
    }

    /// @inheritdoc CrossDomainMessenger
    function _caller() internal view override returns (address) {
        return _msgSender();
    }

    /// @inheritdoc Forwardable
    function _forwarder() internal view override returns (address) {
        return forwarder;
    }
}
