// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { CrossDomainMessenger } from "./CrossDomainMessenger.sol";
import { IERC165 } from "./IERC7802.sol";
import { IERC20 } from "./IERC20.sol";
import { ILegacyMintableERC20, IOptimismMintableERC20 } from "./OptimismMintableERC20.sol";

/// @title StandardBridge
/// @notice What the L1 and L2 standard bridges share (`specs/protocol/bridges.md`): ETH and ERC-20 tokens go to
///         the other side as a message to the other bridge, which alone may finalize them. A token that is an
///         `OptimismMintableERC20` of the remote token is burned on the way out and minted on the way in; any
///         other token is locked here on the way out (counted in `deposits`) and released on the way back.
///
///         Storage: slot 0 `deposits`; the bridge's configuration follows.
abstract contract StandardBridge {
    /// @notice Gas limit on the other side of ETH sent by a plain transfer.
    uint32 internal constant RECEIVE_DEFAULT_GAS_LIMIT = 200_000;

    /// @notice Tokens locked here, per local token and remote token.
    mapping(address localToken => mapping(address remoteToken => uint256 amount)) public deposits;

    /// @notice ETH left for the other side.
    event ETHBridgeInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData);
    /// @notice ETH arrived from the other side.
    event ETHBridgeFinalized(address indexed from, address indexed to, uint256 amount, bytes extraData);
    /// @notice Tokens left for the other side.
    event ERC20BridgeInitiated(
        address indexed localToken,
        address indexed remoteToken,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );
    /// @notice Tokens arrived from the other side.
    event ERC20BridgeFinalized(
        address indexed localToken,
        address indexed remoteToken,
        address indexed from,
        address to,
        uint256 amount,
        bytes extraData
    );

    /// @notice The function is for accounts without code only.
    error OnlyEOA();
    /// @notice Only the other bridge, through the messenger, may finalize.
    error OnlyOtherBridge();
    /// @notice The ETH sent does not match the amount.
    error ValueMismatch();
    /// @notice ETH may not be sent to the bridge or the messenger.
    error InvalidRecipient();
    /// @notice The recipient refused the ETH.
    error ETHTransferFailed();
    /// @notice The local token is a mintable token of another remote token.
    error WrongRemoteToken();
    /// @notice The token refused a transfer.
    error TokenTransferFailed();

    modifier onlyEOA() {
        if (_caller() != tx.origin) revert OnlyEOA();
        _;
    }

    modifier onlyOtherBridge() {
        CrossDomainMessenger m = messenger();
        if (msg.sender != address(m) || m.xDomainMessageSender() != otherBridge()) revert OnlyOtherBridge();
        _;
    }

    /// @notice Sending ETH without calldata bridges it to the sender's address on the other side.
    receive() external payable onlyEOA {
        address sender = _caller();
        _initiateETH(sender, sender, msg.value, RECEIVE_DEFAULT_GAS_LIMIT, bytes(""));
    }

    /// @notice The messenger this bridge sends through.
    function messenger() public view virtual returns (CrossDomainMessenger);

    /// @notice The bridge on the other side.
    function otherBridge() public view virtual returns (address);

    /// @notice The messenger this bridge sends through (the legacy name).
    function MESSENGER() external view returns (address) {
        return address(messenger());
    }

    /// @notice The bridge on the other side (the legacy name).
    function OTHER_BRIDGE() external view returns (address) {
        return otherBridge();
    }

    /// @notice Bridges `msg.value` to the caller's address on the other side.
    function bridgeETH(uint32 _minGasLimit, bytes calldata _extraData) external payable onlyEOA {
        address sender = _caller();
        _initiateETH(sender, sender, msg.value, _minGasLimit, _extraData);
    }

    /// @notice Bridges `msg.value` to `_to` on the other side.
    function bridgeETHTo(address _to, uint32 _minGasLimit, bytes calldata _extraData) external payable {
        _initiateETH(_caller(), _to, msg.value, _minGasLimit, _extraData);
    }

    /// @notice Bridges `_amount` of `_localToken` to the caller's address on the other side as `_remoteToken`.
    function bridgeERC20(
        address _localToken,
        address _remoteToken,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    )
        external
        onlyEOA
    {
        address sender = _caller();
        _initiateERC20(_localToken, _remoteToken, sender, sender, _amount, _minGasLimit, _extraData);
    }

    /// @notice Bridges `_amount` of `_localToken` to `_to` on the other side as `_remoteToken`.
    function bridgeERC20To(
        address _localToken,
        address _remoteToken,
        address _to,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes calldata _extraData
    )
        external
    {
        _initiateERC20(_localToken, _remoteToken, _caller(), _to, _amount, _minGasLimit, _extraData);
    }

    /// @notice Pays out ETH bridged from the other side; the other bridge only.
    function finalizeBridgeETH(
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    )
        public
        payable
        onlyOtherBridge
    {
        if (msg.value != _amount) revert ValueMismatch();
        if (_to == address(this) || _to == address(messenger())) revert InvalidRecipient();
        _emitETHBridgeFinalized(_from, _to, _amount, _extraData);
        (bool success,) = _to.call{ value: _amount }("");
        if (!success) revert ETHTransferFailed();
    }

    /// @notice Pays out tokens bridged from the other side (mints a mintable token, releases a locked one); the
    ///         other bridge only.
    function finalizeBridgeERC20(
        address _localToken,
        address _remoteToken,
        address _from,
        address _to,
        uint256 _amount,
        bytes calldata _extraData
    )
        public
        onlyOtherBridge
    {
        if (_isMintableOf(_localToken, _remoteToken)) {
            IOptimismMintableERC20(_localToken).mint(_to, _amount);
        } else {
            deposits[_localToken][_remoteToken] -= _amount;
            _transferOut(_localToken, _to, _amount);
        }
        _emitERC20BridgeFinalized(_localToken, _remoteToken, _from, _to, _amount, _extraData);
    }

    function _initiateETH(
        address _from,
        address _to,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes memory _extraData
    )
        internal
    {
        _emitETHBridgeInitiated(_from, _to, _amount, _extraData);
        messenger().sendMessage{ value: _amount }(
            otherBridge(), abi.encodeCall(this.finalizeBridgeETH, (_from, _to, _amount, _extraData)), _minGasLimit
        );
    }

    function _initiateERC20(
        address _localToken,
        address _remoteToken,
        address _from,
        address _to,
        uint256 _amount,
        uint32 _minGasLimit,
        bytes memory _extraData
    )
        internal
    {
        if (_isMintableOf(_localToken, _remoteToken)) {
            IOptimismMintableERC20(_localToken).burn(_from, _amount);
        } else {
            _transferIn(_localToken, _from, _amount);
            deposits[_localToken][_remoteToken] += _amount;
        }
        _emitERC20BridgeInitiated(_localToken, _remoteToken, _from, _to, _amount, _extraData);
        messenger().sendMessage(
            otherBridge(),
            abi.encodeCall(this.finalizeBridgeERC20, (_remoteToken, _localToken, _from, _to, _amount, _extraData)),
            _minGasLimit
        );
    }

    /// @notice Whether `_token` is a mintable token (either interface) and, if so, of `_remoteToken`; a mintable
    ///         token of another remote token is refused.
    function _isMintableOf(address _token, address _remoteToken) internal view returns (bool) {
        address remote;
        if (_supports(_token, type(IOptimismMintableERC20).interfaceId)) {
            remote = IOptimismMintableERC20(_token).remoteToken();
        } else if (_supports(_token, type(ILegacyMintableERC20).interfaceId)) {
            remote = ILegacyMintableERC20(_token).l1Token();
        } else {
            return false;
        }
        if (remote != _remoteToken) revert WrongRemoteToken();
        return true;
    }

    /// @notice ERC-165 support, false for a contract without it (or an account without code).
    function _supports(address _token, bytes4 _interfaceId) internal view returns (bool) {
        if (_token.code.length == 0) return false;
        try IERC165(_token).supportsInterface{ gas: 30_000 }(_interfaceId) returns (bool supported) {
            return supported;
        } catch {
            return false;
        }
    }

    /// @notice Takes `_amount` of `_token` from `_from` into this bridge.
    function _transferIn(address _token, address _from, uint256 _amount) internal virtual {
        _checkTokenCall(_token, abi.encodeCall(IERC20.transferFrom, (_from, address(this), _amount)));
    }

    /// @notice Sends `_amount` of `_token` to `_to`.
    function _transferOut(address _token, address _to, uint256 _amount) internal {
        _checkTokenCall(_token, abi.encodeCall(IERC20.transfer, (_to, _amount)));
    }

    /// @notice Calls a token; a revert, or a return of false, fails.
    function _checkTokenCall(address _token, bytes memory _data) internal {
        if (_token.code.length == 0) revert TokenTransferFailed();
        (bool success, bytes memory result) = _token.call(_data);
        if (!success || (result.length != 0 && (result.length != 32 || abi.decode(result, (uint256)) != 1))) {
            revert TokenTransferFailed();
        }
    }

    /// @notice The account making the current call.
    function _caller() internal view virtual returns (address) {
        return msg.sender;
    }

    function _emitETHBridgeInitiated(address _from, address _to, uint256 _amount, bytes memory _extraData)
        internal
        virtual
    {
        emit ETHBridgeInitiated(_from, _to, _amount, _extraData);
    }

    function _emitETHBridgeFinalized(address _from, address _to, uint256 _amount, bytes memory _extraData)
        internal
        virtual
    {
        emit ETHBridgeFinalized(_from, _to, _amount, _extraData);
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
        virtual
    {
        emit ERC20BridgeInitiated(_localToken, _remoteToken, _from, _to, _amount, _extraData);
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
        virtual
    {
        emit ERC20BridgeFinalized(_localToken, _remoteToken, _from, _to, _amount, _extraData);
    }
}
