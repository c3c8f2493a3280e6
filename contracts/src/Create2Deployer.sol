// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ERC1820Implementer
/// @notice The ERC-1820 implementer that `Create2Deployer.deployERC1820Implementer` creates: it answers the
///         registry's `canImplementInterfaceForAddress` query, and since nothing registers an interface with it, it
///         answers "no" (zero) for every interface and account.
contract ERC1820Implementer {
    /// @notice The answer that means "this contract implements the interface for the account".
    bytes32 internal constant ACCEPT_MAGIC = keccak256("ERC1820_ACCEPT_MAGIC");

    /// @notice Which interfaces this contract implements for which accounts.
    mapping(bytes32 => mapping(address => bool)) internal supportedInterfaces;

    /// @notice `ERC1820_ACCEPT_MAGIC` when this contract implements `_interfaceHash` for `_account`, zero otherwise.
    function canImplementInterfaceForAddress(bytes32 _interfaceHash, address _account)
        external
        view
        returns (bytes32)
    {
        return supportedInterfaces[_interfaceHash][_account] ? ACCEPT_MAGIC : bytes32(0);
    }
}

/// @title Create2Deployer
/// @notice The CREATE2 factory with the interface of the Create2Deployer preinstall at
///         `0x13b0D85CcB8bf860b6b79AF3029fCA081AE9beF2` (`specs/protocol/preinstalls.md`): `deploy(value, salt, code)`
///         creates `code` with CREATE2, paying `value` out of this contract's own balance (fund it with a plain
///         transfer); `computeAddress` and `computeAddressWithDeployer` predict the address.
///         The preinstall is ownable and pausable, and its genesis storage names no owner: no one can pause it.
///         This contract keeps that observable state (`owner()` is zero, `paused()` is false, every owner-only
///         function reverts) without the storage.
contract Create2Deployer {
    /// @notice Deploys `_code` with CREATE2 and salt `_salt`, sending it `_value` wei of this contract's balance.
    ///         Reverts when the balance is short, the code is empty or the creation fails.
    function deploy(uint256 _value, bytes32 _salt, bytes memory _code) external {
        _deploy(_value, _salt, _code);
    }

    /// @notice Deploys an `ERC1820Implementer` with CREATE2 and salt `_salt`, sending it `_value` wei.
    function deployERC1820Implementer(uint256 _value, bytes32 _salt) external {
        _deploy(_value, _salt, type(ERC1820Implementer).creationCode);
    }

    /// @notice The address `deploy` gives init code with hash `_codeHash` under salt `_salt`.
    function computeAddress(bytes32 _salt, bytes32 _codeHash) external view returns (address) {
        return _create2Address(_salt, _codeHash, address(this));
    }

    /// @notice The address a CREATE2 by `_deployer` gives init code with hash `_codeHash` under salt `_salt`.
    function computeAddressWithDeployer(bytes32 _salt, bytes32 _codeHash, address _deployer)
        external
        pure
        returns (address)
    {
        return _create2Address(_salt, _codeHash, _deployer);
    }

    /// @notice The owner: none, as in the preinstall's genesis storage.
    function owner() external pure returns (address) {
        return address(0);
    }

    /// @notice Whether deployments are paused: never, since no owner can pause them.
    function paused() external pure returns (bool) {
        return false;
    }

    /// @notice Owner only: reverts for every caller.
    function pause() external pure {
        _notOwner();
    }

    /// @notice Owner only: reverts for every caller.
    function unpause() external pure {
        _notOwner();
    }

    /// @notice Owner only: reverts for every caller.
    function killCreate2Deployer(address payable) external pure {
        _notOwner();
    }

    /// @notice Owner only: reverts for every caller.
    function transferOwnership(address) external pure {
        _notOwner();
    }

    /// @notice Owner only: reverts for every caller.
    function renounceOwnership() external pure {
        _notOwner();
    }

    /// @notice Accepts ETH, which `deploy` can pass on to the contracts it creates.
    receive() external payable { }

    function _deploy(uint256 _value, bytes32 _salt, bytes memory _code) internal {
        require(address(this).balance >= _value, "Create2: insufficient balance");
        require(_code.length != 0, "Create2: bytecode length is zero");
        address created;
        assembly {
            created := create2(_value, add(_code, 0x20), mload(_code), _salt)
        }
        require(created != address(0), "Create2: Failed on deploy");
    }

    function _create2Address(bytes32 _salt, bytes32 _codeHash, address _deployer) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), _deployer, _salt, _codeHash)))));
    }

    function _notOwner() internal pure {
        revert("Ownable: caller is not the owner");
    }
}
