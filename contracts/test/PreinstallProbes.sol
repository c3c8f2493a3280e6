// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title DeployProbe
/// @notice Test contract for the CreateX preinstall: records who created it and with how much ETH, and what its
///         initialisation call carried; `refuse` reverts with data, for failed initialisations.
contract DeployProbe {
    /// @notice The creator (`msg.sender` of the constructor).
    address public creator;
    /// @notice ETH the constructor received.
    uint256 public constructorValue;
    /// @notice The argument of the last `initialise`.
    uint256 public initArgument;
    /// @notice ETH the last `initialise` received.
    uint256 public initValue;

    /// @notice `refuse` was called.
    error Refused(uint256 code);

    /// @notice Records the creator and the ETH sent along.
    constructor() payable {
        creator = msg.sender;
        constructorValue = msg.value;
    }

    /// @notice Records `argument` and the ETH sent along.
    function initialise(uint256 argument) external payable {
        initArgument = argument;
        initValue = msg.value;
    }

    /// @notice Always reverts with `Refused(7)`.
    function refuse() external payable {
        revert Refused(7);
    }
}

/// @title SilentToken
/// @notice Test ERC-20 whose `transfer` and `transferFrom` return nothing (as some deployed tokens do), for Permit2's
///         transfers; anyone may `mint`. `transferFrom` reverts when the balance or allowance is short.
contract SilentToken {
    /// @notice Balance of every holder.
    mapping(address holder => uint256 amount) public balanceOf;
    /// @notice Amount a spender may move on behalf of an owner.
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    /// @notice Creates `amount` tokens for `to`.
    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    /// @notice Lets `spender` move up to `amount` of the caller's tokens.
    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    /// @notice Moves `amount` of `from`'s tokens to `to`, returning nothing.
    function transferFrom(address from, address to, uint256 amount) external {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }
}

/// @title FalseToken
/// @notice Test ERC-20 whose `transferFrom` answers `false` without moving anything, which Permit2 must refuse.
contract FalseToken {
    /// @notice Answers `false`.
    function transferFrom(address, address, uint256) external pure returns (bool) {
        return false;
    }
}

/// @title HashApprovingWallet
/// @notice Test EIP-1271 wallet: it accepts a signature of any hash it approved beforehand with `approveHash`, and
///         runs calls for anyone with `execute` (so a test can have it approve tokens).
contract HashApprovingWallet {
    /// @notice The hashes the wallet accepts.
    mapping(bytes32 hash => bool approved) public approvedHashes;

    /// @notice Accepts `hash` from now on.
    function approveHash(bytes32 hash) external {
        approvedHashes[hash] = true;
    }

    /// @notice Calls `target` with `data`, bubbling a revert up.
    function execute(address target, bytes calldata data) external {
        (bool success, bytes memory answer) = target.call(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(answer, 0x20), mload(answer))
            }
        }
    }

    /// @notice The EIP-1271 answer: the magic value for an approved hash, zero otherwise.
    function isValidSignature(bytes32 hash, bytes memory) external view returns (bytes4) {
        return approvedHashes[hash] ? bytes4(0x1626ba7e) : bytes4(0);
    }
}
