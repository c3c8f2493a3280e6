// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title L2ToL1MessagePasser
/// @notice Records withdrawals from L2 to L1. Each withdrawal's hash is stored in `sentMessages`, so the storage
///         root of this contract (part of the output root) commits to every withdrawal ever initiated.
///         Storage layout: slot 0 `sentMessages`, slot 1 the unversioned nonce. Works from empty storage.
contract L2ToL1MessagePasser {
    /// @notice Version of the withdrawal encoding, carried in the top two bytes of every nonce.
    uint16 public constant MESSAGE_VERSION = 1;

    /// @notice Semantic version of this contract.
    string public constant version = "1.0.0";

    /// @notice Gas limit on L1 of a withdrawal started by plainly sending ETH to this contract.
    uint64 internal constant RECEIVE_DEFAULT_GAS_LIMIT = 100_000;

    /// @notice Hashes of every withdrawal initiated on this chain.
    mapping(bytes32 withdrawalHash => bool sent) public sentMessages;

    /// @notice Number of withdrawals initiated (the unversioned nonce of the next one).
    uint240 internal msgNonce;

    /// @notice Emitted for every withdrawal.
    event MessagePassed(
        uint256 indexed nonce,
        address indexed sender,
        address indexed target,
        uint256 value,
        uint256 gasLimit,
        bytes data,
        bytes32 withdrawalHash
    );

    /// @notice Emitted when the ETH held here is destroyed.
    event WithdrawerBalanceBurnt(uint256 indexed amount);

    /// @notice Sending ETH without calldata withdraws it to the same address on L1.
    receive() external payable {
        initiateWithdrawal(msg.sender, RECEIVE_DEFAULT_GAS_LIMIT, bytes(""));
    }

    /// @notice The versioned nonce of the next withdrawal.
    function messageNonce() public view returns (uint256) {
        return (uint256(MESSAGE_VERSION) << 240) | uint256(msgNonce);
    }

    /// @notice Starts a withdrawal that calls `_target` on L1 with `_data`, `msg.value` and `_gasLimit`.
    function initiateWithdrawal(address _target, uint256 _gasLimit, bytes memory _data) public payable {
        uint256 nonce = messageNonce();
        bytes32 withdrawalHash = keccak256(abi.encode(nonce, msg.sender, _target, msg.value, _gasLimit, _data));
        sentMessages[withdrawalHash] = true;
        emit MessagePassed(nonce, msg.sender, _target, msg.value, _gasLimit, _data, withdrawalHash);
        unchecked {
            ++msgNonce;
        }
    }

    /// @notice Destroys all ETH held here: the withdrawals already moved it to L1.
    function burn() external {
        uint256 balance = address(this).balance;
        new Burner{ value: balance }();
        emit WithdrawerBalanceBurnt(balance);
    }
}

/// @title Burner
/// @notice Destroys the ETH it is created with by self-destructing in favour of itself.
contract Burner {
    constructor() payable {
        selfdestruct(payable(address(this)));
    }
}
