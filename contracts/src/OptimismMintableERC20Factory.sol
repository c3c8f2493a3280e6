// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Forwardable } from "./Forwardable.sol";
import { OptimismMintableERC20 } from "./OptimismMintableERC20.sol";
import { Predeploys } from "./Predeploys.sol";

/// @title OptimismMintableERC20Factory
/// @notice Creates the local representation of a token of the other side of a standard bridge: an
///         `OptimismMintableERC20` that the bridge mints and burns, at a CREATE2 address determined by the remote
///         token, name, symbol and decimals. On an L2 (predeploy `0x4200…0012`) it works from empty storage and
///         its bridge is the L2 standard bridge; on the L1 (one per L2) storage slot 1 names the L1 standard bridge
///         and slot 2 the forwarder at its second address (slot 0 is `deployments`).
contract OptimismMintableERC20Factory is Forwardable {
    /// @notice Semantic version of this contract.
    string public constant version = "1.0.0";

    /// @notice The remote token of every token created here.
    mapping(address localToken => address remoteToken) public deployments;

    /// @notice The bridge of the created tokens when it is not the L2 standard bridge (set at genesis on the L1).
    address internal configuredBridge;

    /// @notice The forwarder at this contract's second address (on the L1).
    address internal forwarder;

    /// @notice A token was created.
    event OptimismMintableERC20Created(address indexed localToken, address indexed remoteToken, address deployer);
    /// @notice A token was created (the legacy event).
    event StandardL2TokenCreated(address indexed remoteToken, address indexed localToken);

    /// @notice The remote token must not be the zero address.
    error ZeroRemoteToken();

    /// @notice The bridge of the created tokens.
    function bridge() public view returns (address) {
        address configured = configuredBridge;
        return configured == address(0) ? Predeploys.L2_STANDARD_BRIDGE : configured;
    }

    /// @notice The bridge of the created tokens (the legacy name).
    function BRIDGE() external view returns (address) {
        return bridge();
    }

    /// @notice Creates a token for `_remoteToken` with 18 decimals (the legacy name).
    function createStandardL2Token(
        address _remoteToken,
        string memory _name,
        string memory _symbol
    )
        external
        returns (address)
    {
        return createOptimismMintableERC20WithDecimals(_remoteToken, _name, _symbol, 18);
    }

    /// @notice Creates a token for `_remoteToken` with 18 decimals.
    function createOptimismMintableERC20(
        address _remoteToken,
        string memory _name,
        string memory _symbol
    )
        external
        returns (address)
    {
        return createOptimismMintableERC20WithDecimals(_remoteToken, _name, _symbol, 18);
    }

    /// @notice Creates a token for `_remoteToken` with `_decimals` decimals.
    function createOptimismMintableERC20WithDecimals(
        address _remoteToken,
        string memory _name,
        string memory _symbol,
        uint8 _decimals
    )
        public
        returns (address token_)
    {
        if (_remoteToken == address(0)) revert ZeroRemoteToken();
        bytes32 salt = keccak256(abi.encode(_remoteToken, _name, _symbol, _decimals));
        token_ = address(new OptimismMintableERC20{ salt: salt }(bridge(), _remoteToken, _name, _symbol, _decimals));
        deployments[token_] = _remoteToken;
        emit StandardL2TokenCreated(_remoteToken, token_);
        emit OptimismMintableERC20Created(token_, _remoteToken, _msgSender());
    }

    /// @inheritdoc Forwardable
    function _forwarder() internal view override returns (address) {
        return forwarder;
    }
}
