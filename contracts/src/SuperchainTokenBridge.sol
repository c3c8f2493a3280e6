// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { IERC7802 } from "./IERC7802.sol";
import { IL2ToL2CrossDomainMessenger } from "./IL2ToL2CrossDomainMessenger.sol";
import { Predeploys } from "./Predeploys.sol";

/// @title SuperchainTokenBridge
/// @notice Moves SuperchainERC20 tokens between interop chains: `sendERC20` burns on the source chain and sends a
///         message through the L2ToL2CrossDomainMessenger; its relay calls `relayERC20` on the destination, which
///         mints the same amount. Stateless: works from empty storage.
contract SuperchainTokenBridge {
    /// @notice Semantic version of this contract.
    string public constant version = "1.0.0";

    /// @notice Emitted on the source chain when tokens leave it.
    event SentERC20(
        address indexed token, address indexed from, address indexed to, uint256 amount, uint256 destination
    );

    /// @notice Emitted on the destination chain when tokens arrive.
    event RelayedERC20(address indexed token, address indexed from, address indexed to, uint256 amount, uint256 source);

    /// @notice Tokens cannot be sent to the zero address.
    error ZeroAddress();
    /// @notice `relayERC20` was not called by the messenger.
    error Unauthorized();
    /// @notice The relayed message was not sent by the SuperchainTokenBridge of the source chain.
    error InvalidCrossDomainSender();
    /// @notice The token does not declare ERC-7802 support through ERC-165.
    error InvalidERC7802();

    /// @notice Burns `_amount` of `_token` from the caller and sends them to `_to` on chain `_chainId`.
    /// @return msgHash_ The messenger's hash of the message that mints them on the destination.
    function sendERC20(address _token, address _to, uint256 _amount, uint256 _chainId)
        external
        returns (bytes32 msgHash_)
    {
        if (_to == address(0)) revert ZeroAddress();
        if (!_supportsERC7802(_token)) revert InvalidERC7802();

        IERC7802(_token).crosschainBurn(msg.sender, _amount);
        bytes memory message = abi.encodeCall(this.relayERC20, (_token, msg.sender, _to, _amount));
        msgHash_ = IL2ToL2CrossDomainMessenger(Predeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER).sendMessage(
            _chainId, address(this), message
        );

        emit SentERC20(_token, msg.sender, _to, _amount, _chainId);
    }

    /// @notice Mints `_amount` of `_token` to `_to`; only reachable through a relayed message that the
    ///         SuperchainTokenBridge of the source chain sent.
    function relayERC20(address _token, address _from, address _to, uint256 _amount) external {
        address messenger = Predeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER;
        if (msg.sender != messenger) revert Unauthorized();
        (address sender, uint256 source) = IL2ToL2CrossDomainMessenger(messenger).crossDomainMessageContext();
        if (sender != address(this)) revert InvalidCrossDomainSender();

        IERC7802(_token).crosschainMint(_to, _amount);

        emit RelayedERC20(_token, _from, _to, _amount, source);
    }

    /// @notice Whether `_token` declares ERC-7802 support; false for accounts without code or that revert.
    function _supportsERC7802(address _token) internal view returns (bool) {
        if (_token.code.length == 0) return false;
        try IERC7802(_token).supportsInterface(type(IERC7802).interfaceId) returns (bool supported) {
            return supported;
        } catch {
            return false;
        }
    }
}
