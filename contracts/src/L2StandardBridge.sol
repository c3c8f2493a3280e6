// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { CrossDomainMessenger } from "./CrossDomainMessenger.sol";
import { ILegacyMintableERC20 } from "./OptimismMintableERC20.sol";
import { Predeploys } from "./Predeploys.sol";
import { StandardBridge } from "./StandardBridge.sol";

/// @title L2StandardBridge
/// @notice The L2 standard bridge (predeploy `0x4200…0010`), paired with this chain's `L1StandardBridge`, with
///         the legacy withdrawal functions and events besides the generic ones; ETH is named by the token address
///         `0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000` in them. Storage (set at genesis): slot 0 as
///         `StandardBridge`, slot 1 the L1 bridge of this chain.
contract L2StandardBridge is StandardBridge {
    /// @notice Semantic version of this contract.
    string public constant version = "2.0.0";

    /// @notice The L1 bridge of this chain.
    address internal l1Bridge;

    /// @notice A withdrawal to the L1 started (ETH as the legacy ETH token, from L1 token zero).
    event WithdrawalInitiated(
        address indexed l1Token,
        address indexed l2Token,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );
    /// @notice A deposit from the L1 was paid out.
    event DepositFinalized(
        address indexed l1Token,
        address indexed l2Token,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );

    /// @inheritdoc StandardBridge
    function messenger() public pure override returns (CrossDomainMessenger) {
        return CrossDomainMessenger(Predeploys.L2_CROSS_DOMAIN_MESSENGER);
    }

    /// @inheritdoc StandardBridge
    function otherBridge() public view override returns (address) {
        return l1Bridge;
    }

    /// @notice The L1 bridge (the legacy name).
    function l1TokenBridge() external view returns (address) {
        return l1Bridge;
    }

    /// @notice Withdraws `_amount` of `_l2Token` (or ETH, as the legacy ETH token with `msg.value`) to the
    ///         caller's address on the L1.
    function withdraw(
        address _l2Token,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    )
        external
        payable
        onlyEOA
    {
        _withdraw(_l2Token, msg.sender, _amount, _minGasLimit, _extraData);
    }

    /// @notice Withdraws `_amount` of `_l2Token` (or ETH, as the legacy ETH token with `msg.value`) to `_to` on
    ///         the L1.
    function withdrawTo(
        address _l2Token,
        address _to,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    )
        external
        payable
    {
        _withdraw(_l2Token, _to, _amount, _minGasLimit, _extraData);
    }

    /// @notice Pays out a deposit from the L1 (the legacy name of `finalizeBridgeETH`/`finalizeBridgeERC20`).
    function finalizeDeposit(
        address _l1Token,
        address _l2Token,
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    )
        external
        payable
    {
        if (_l1Token == address(0) && _l2Token == Predeploys.LEGACY_ERC20_ETH) {
            finalizeBridgeETH(_from, _to, _amount, _extraData);
        } else {
            finalizeBridgeERC20(_l2Token, _l1Token, _from, _to, _amount, _extraData);
        }
    }

    function _withdraw(
        address _l2Token,
        address _to,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    )
        internal
    {
        if (_l2Token == Predeploys.LEGACY_ERC20_ETH) {
            if (msg.value != _amount) revert ValueMismatch();
            _initiateETH(msg.sender, _to, _amount, _minGasLimit, _extraData);
        } else {
            if (msg.value != 0) revert ValueMismatch();
            address l1Token = ILegacyMintableERC20(_l2Token).l1Token();
            _initiateERC20(_l2Token, l1Token, msg.sender, _to, _amount, _minGasLimit, _extraData);
        }
    }

    function _emitETHBridgeInitiated(address _from, address _to, uint256 _amount, bytes memory _extraData)
        internal
        override
    {
        emit WithdrawalInitiated(address(0), Predeploys.LEGACY_ERC20_ETH, _from, _to, _amount, _extraData);
        super._emitETHBridgeInitiated(_from, _to, _amount, _extraData);
    }

    function _emitETHBridgeFinalized(address _from, address _to, uint256 _amount, bytes memory _extraData)
        internal
        override
    {
        emit DepositFinalized(address(0), Predeploys.LEGACY_ERC20_ETH, _from, _to, _amount, _extraData);
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
        emit WithdrawalInitiated(_remoteToken, _localToken, _from, _to, _amount, _extraData);
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
        emit DepositFinalized(_remoteToken, _localToken, _from, _to, _amount, _extraData);
        super._emitERC20BridgeFinalized(_localToken, _remoteToken, _from, _to, _amount, _extraData);
    }
}
