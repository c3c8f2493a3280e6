// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ETHLiquidity } from "./ETHLiquidity.sol";
import { IL2ToL2CrossDomainMessenger } from "./IL2ToL2CrossDomainMessenger.sol";
import { Predeploys } from "./Predeploys.sol";
import { SafeSend } from "./SafeSend.sol";

/// @title SuperchainETHBridge
/// @notice Moves native ETH between interop chains: `sendETH` burns the value into ETHLiquidity and sends a
///         message through the L2ToL2CrossDomainMessenger; its relay calls `relayETH` on the destination, which
///         mints the same amount out of ETHLiquidity to the recipient. Stateless: works from empty storage.
contract SuperchainETHBridge {
    /// @notice Semantic version of this contract.
    string public constant version = "1.0.0";

    /// @notice Emitted on the source chain when ETH leaves it.
    event SendETH(address indexed from, address indexed to, uint256 amount, uint256 destination);

    /// @notice Emitted on the destination chain when ETH arrives.
    event RelayETH(address indexed from, address indexed to, uint256 amount, uint256 source);

    /// @notice ETH cannot be sent to the zero address.
    error ZeroAddress();
    /// @notice `relayETH` was not called by the messenger.
    error Unauthorized();
    /// @notice The relayed message was not sent by the SuperchainETHBridge of the source chain.
    error InvalidCrossDomainSender();

    /// @notice Sends `msg.value` wei to `_to` on chain `_chainId`.
    /// @return msgHash_ The messenger's hash of the message that delivers it on the destination.
    function sendETH(address _to, uint256 _chainId) external payable returns (bytes32 msgHash_) {
        if (_to == address(0)) revert ZeroAddress();

        ETHLiquidity(Predeploys.ETH_LIQUIDITY).burn{ value: msg.value }();
        bytes memory message = abi.encodeCall(this.relayETH, (msg.sender, _to, msg.value));
        msgHash_ = IL2ToL2CrossDomainMessenger(Predeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER).sendMessage(
            _chainId, address(this), message
        );

        emit SendETH(msg.sender, _to, msg.value, _chainId);
    }

    /// @notice Delivers `_amount` wei to `_to`; only reachable through a relayed message that the
    ///         SuperchainETHBridge of the source chain sent.
    function relayETH(address _from, address _to, uint256 _amount) external {
        address messenger = Predeploys.L2_TO_L2_CROSS_DOMAIN_MESSENGER;
        if (msg.sender != messenger) revert Unauthorized();
        (address sender, uint256 source) = IL2ToL2CrossDomainMessenger(messenger).crossDomainMessageContext();
        if (sender != address(this)) revert InvalidCrossDomainSender();

        ETHLiquidity(Predeploys.ETH_LIQUIDITY).mint(_amount);
        new SafeSend{ value: _amount }(payable(_to));

        emit RelayETH(_from, _to, _amount, source);
    }
}
