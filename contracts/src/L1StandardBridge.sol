// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { BridgeForwarder } from "./BridgeForwarder.sol";
import { CrossDomainMessenger } from "./CrossDomainMessenger.sol";
import { Forwardable } from "./Forwardable.sol";
import { IERC20 } from "./IERC20.sol";
import { Predeploys } from "./Predeploys.sol";
import { StandardBridge } from "./StandardBridge.sol";

/// @title L1StandardBridge
/// @notice The L1 standard bridge of one L2, paired with the `L2StandardBridge` predeploy, with the legacy
///         deposit functions and events besides the generic ones. Storage (set at genesis): slot 0 as
///         `StandardBridge`, slot 1 the L1 messenger of the L2, slot 2 the forwarder at this contract's second
///         address. Tokens approved to either address can be deposited through that address.
contract L1StandardBridge is StandardBridge, Forwardable {
    /// @notice Semantic version of this contract.
    string public constant version = "2.0.0";

    /// @notice The L1 messenger of the L2.
    CrossDomainMessenger internal l1Messenger;

    /// @notice The forwarder at this contract's second address.
    address internal forwarder;

    /// @notice ETH deposited into the L2.
    event ETHDepositInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData);
    /// @notice ETH withdrawn from the L2 was paid out.
    event ETHWithdrawalFinalized(address indexed from, address indexed to, uint256 amount, bytes extraData);
    /// @notice Tokens deposited into the L2.
    event ERC20DepositInitiated(
        address indexed l1Token,
        address indexed l2Token,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );
    /// @notice Tokens withdrawn from the L2 were paid out.
    event ERC20WithdrawalFinalized(
        address indexed l1Token,
        address indexed l2Token,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );

    /// @notice Only a forwarded plain transfer reaches the fallback.
    error UnknownCall();

    /// @notice A plain ETH transfer made at this contract's second address: a deposit, as `receive()`.
    fallback() external payable {
        if (!_isForwardedTransfer()) revert UnknownCall();
        address sender = _caller();
        if (sender != tx.origin) revert OnlyEOA();
        _initiateETH(sender, sender, msg.value, RECEIVE_DEFAULT_GAS_LIMIT, bytes(""));
    }

    /// @inheritdoc StandardBridge
    function messenger() public view override returns (CrossDomainMessenger) {
        return l1Messenger;
    }

    /// @inheritdoc StandardBridge
    function otherBridge() public pure override returns (address) {
        return Predeploys.L2_STANDARD_BRIDGE;
    }

    /// @notice The L2 bridge (the legacy name).
    function l2TokenBridge() external pure returns (address) {
        return Predeploys.L2_STANDARD_BRIDGE;
    }

    /// @notice Deposits `msg.value` to the caller's address on the L2.
    function depositETH(uint32 _minGasLimit, bytes calldata _extraData) external payable onlyEOA {
        address sender = _caller();
        _initiateETH(sender, sender, msg.value, _minGasLimit, _extraData);
    }

    /// @notice Deposits `msg.value` to `_to` on the L2.
    function depositETHTo(address _to, uint32 _minGasLimit, bytes calldata _extraData) external payable {
        _initiateETH(_caller(), _to, msg.value, _minGasLimit, _extraData);
    }

    /// @notice Deposits `_amount` of `_l1Token` to the caller's address on the L2 as `_l2Token`.
    function depositERC20(
        address _l1Token,
        address _l2Token,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    )
        external
        onlyEOA
    {
        address sender = _caller();
        _initiateERC20(_l1Token, _l2Token, sender, sender, _amount, _minGasLimit, _extraData);
    }

    /// @notice Deposits `_amount` of `_l1Token` to `_to` on the L2 as `_l2Token`.
    function depositERC20To(
        address _l1Token,
        address _l2Token,
        address _to,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    )
        external
    {
        _initiateERC20(_l1Token, _l2Token, _caller(), _to, _amount, _minGasLimit, _extraData);
    }

    /// @notice Pays out ETH withdrawn from the L2 (the legacy name of `finalizeBridgeETH`).
    function finalizeETHWithdrawal(
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    )
        external
        payable
    {
        finalizeBridgeETH(_from, _to, _amount, _extraData);
    }

    /// @notice Pays out tokens withdrawn from the L2 (the legacy name of `finalizeBridgeERC20`).
    function finalizeERC20Withdrawal(
        address _l1Token,
        address _l2Token,
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    )
        external
    {
        finalizeBridgeERC20(_l1Token, _l2Token, _from, _to, _amount, _extraData);
    }

    /// @notice Through the second address, the tokens come with that address's allowance when it suffices.
    function _transferIn(address _token, address _from, uint256 _amount) internal override {
        if (_isForwarded() && IERC20(_token).allowance(_from, msg.sender) >= _amount) {
            BridgeForwarder(payable(msg.sender)).pullERC20(_token, _from, _amount);
        } else {
            super._transferIn(_token, _from, _amount);
        }
    }

    /// @inheritdoc StandardBridge
    function _caller() internal view override returns (address) {
        return _msgSender();
    }

    /// @inheritdoc Forwardable
    function _forwarder() internal view override returns (address) {
        return forwarder;
    }

    function _emitETHBridgeInitiated(address _from, address _to, uint256 _amount, bytes memory _extraData)
        internal
        override
    {
        emit ETHDepositInitiated(_from, _to, _amount, _extraData);
        super._emitETHBridgeInitiated(_from, _to, _amount, _extraData);
    }

    function _emitETHBridgeFinalized(address _from, address _to, uint256 _amount, bytes memory _extraData)
        internal
        override
    {
        emit ETHWithdrawalFinalized(_from, _to, _amount, _extraData);
        super._emitETHBridgeFinalized(_from, _to, _amount, _extraData);
    }

    function _emitERC20BridgeInitiated(
        address _localToken,
        address _remoteToken,
        address _from,
        address _to,
        uint256 _amount,
        bytes memory _extraData
    )
        internal
        override
    {
        emit ERC20DepositInitiated(_localToken, _remoteToken, _from, _to, _amount, _extraData);
        super._emitERC20BridgeInitiated(_localToken, _remoteToken, _from, _to, _amount, _extraData);
    }

    function _emitERC20BridgeFinalized(
        address _localToken,
        address _remoteToken,
        address _from,
        address _to,
        uint256 _amount,
        bytes memory _extraData
    )
        internal
        override
    {
        emit ERC20WithdrawalFinalized(_localToken, _remoteToken, _from, _to, _amount, _extraData);
        super._emitERC20BridgeFinalized(_localToken, _remoteToken, _from, _to, _amount, _extraData);
    }
}
