// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title CreateX
/// @notice The contract factory with the interface of the CreateX preinstall at
///         `0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed` (`specs/protocol/preinstalls.md`): CREATE, CREATE2 and
///         CREATE3 deployments, each alone, followed by an initialisation call ("AndInit"), or of an EIP-1167 clone,
///         and the address predictions for all three schemes.
///
///         Salts carry two opt-in protections, as CreateX defines them, so that addresses predicted by CreateX tooling
///         hold here too. The first 20 bytes equal to the caller make the deployment the caller's alone (permissioned
///         deploy protection); the 21st byte set to 0x01 mixes the chain ID in (cross-chain redeploy protection), 0x00
///         leaves it out, and any other value is refused when the first 20 bytes name the caller or the zero address,
///         so that a protection is always chosen explicitly. The salt actually used ("guarded") is:
///           caller ‖ 0x01 ‖ …    keccak256(abi.encode(caller, chainid, salt))
///           caller ‖ 0x00 ‖ …    keccak256(abi.encode(caller, salt))
///           zero   ‖ 0x01 ‖ …    keccak256(abi.encode(chainid, salt))
///           otherwise            keccak256(abi.encode(salt)), so that no salt can imitate a protected one, except
///                                the pseudo-random salt of the salt-less overloads, used as it is.
///         `computeCreate2Address` and `computeCreate3Address` take the guarded salt.
///
///         CREATE3 deploys a tiny proxy with CREATE2 (init code `0x67363d3d37363d34f03d5260086018f3`, whose runtime
///         creates its calldata with CREATE and the call's ETH) and has it create the contract, so the address
///         depends on the factory and the salt alone.
///
///         Every function may be reentered by the contracts it creates or calls; the factory keeps no state, so there
///         is nothing for a reentrant call to corrupt. The "AndInit" functions send whatever ETH the factory holds
///         after the initialisation call to the refund address.
contract CreateX {
    /// @notice The ETH to send along: to the constructor, then with the initialisation call.
    struct Values {
        uint256 constructorAmount;
        uint256 initCallAmount;
    }

    /// @notice A contract was created with CREATE2 under the guarded salt `salt`.
    event ContractCreation(address indexed newContract, bytes32 indexed salt);
    /// @notice A contract was created with CREATE, or by a CREATE3 proxy.
    event ContractCreation(address indexed newContract);
    /// @notice A CREATE3 proxy was created under the guarded salt `salt`.
    event Create3ProxyContractCreation(address indexed newContract, bytes32 indexed salt);

    /// @notice The creation failed, or left no code behind.
    error FailedContractCreation(address emitter);
    /// @notice The initialisation call reverted with `revertData`, or its target has no code.
    error FailedContractInitialisation(address emitter, bytes revertData);
    /// @notice The salt names the caller or the zero address but chooses no cross-chain protection (21st byte > 1).
    error InvalidSalt(address emitter);
    /// @notice The nonce is beyond what an account's nonce can reach (EIP-2681: at most 2^64 - 2).
    error InvalidNonceValue(address emitter);
    /// @notice The refund of the leftover ETH failed with `revertData`.
    error FailedEtherTransfer(address emitter, bytes revertData);

    /// @notice The init code of the CREATE3 proxy. It returns the 8-byte runtime `CALLDATASIZE RETURNDATASIZE
    ///         RETURNDATASIZE CALLDATACOPY CALLDATASIZE RETURNDATASIZE CALLVALUE CREATE` (RETURNDATASIZE being zero
    ///         there), which creates its calldata as init code with the call's ETH.
    bytes internal constant CREATE3_PROXY_INIT_CODE = hex"67363d3d37363d34f03d5260086018f3";

    /// @notice The hash of `CREATE3_PROXY_INIT_CODE`, the CREATE2 input of every proxy address.
    bytes32 internal constant CREATE3_PROXY_INIT_CODE_HASH = keccak256(CREATE3_PROXY_INIT_CODE);

    /// @notice The highest nonce an account can use to create (EIP-2681 caps nonces at 2^64 - 1, exclusive).
    uint256 internal constant MAX_NONCE = type(uint64).max - 1;

    // ---------------------------------------------------------------------------------------------------------------
    // CREATE
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Creates `initCode` with CREATE, sending it the call's ETH.
    function deployCreate(bytes memory initCode) external payable returns (address newContract) {
        newContract = _create(msg.value, initCode);
        _requireCode(newContract);
        emit ContractCreation(newContract);
    }

    /// @notice Creates `initCode` with CREATE and `values.constructorAmount` wei, calls it with `data` and
    ///         `values.initCallAmount` wei, then sends the factory's leftover ETH to `refundAddress`.
    function deployCreateAndInit(
        bytes memory initCode,
        bytes memory data,
        Values memory values,
        address refundAddress
    ) public payable returns (address newContract) {
        newContract = _create(values.constructorAmount, initCode);
        _requireCode(newContract);
        emit ContractCreation(newContract);
        _initialise(newContract, data, values.initCallAmount, refundAddress);
    }

    /// @notice `deployCreateAndInit` refunding the caller.
    function deployCreateAndInit(bytes memory initCode, bytes memory data, Values memory values)
        external
        payable
        returns (address newContract)
    {
        newContract = deployCreateAndInit(initCode, data, values, msg.sender);
    }

    /// @notice Creates an EIP-1167 clone of `implementation` with CREATE and calls it with `data` and the call's ETH.
    function deployCreateClone(address implementation, bytes memory data) external payable returns (address proxy) {
        proxy = _create(0, _cloneInitCode(implementation));
        if (proxy == address(0)) revert FailedContractCreation(address(this));
        emit ContractCreation(proxy);
        _callClone(proxy, implementation, data);
    }

    /// @notice The address a CREATE by `deployer` with account nonce `nonce` gives: the last 20 bytes of
    ///         `keccak256(rlp([deployer, nonce]))`.
    function computeCreateAddress(address deployer, uint256 nonce) public view returns (address computedAddress) {
        if (nonce > MAX_NONCE) revert InvalidNonceValue(address(this));
        bytes memory encodedNonce;
        if (nonce == 0) {
            encodedNonce = hex"80";
        } else if (nonce < 0x80) {
            encodedNonce = abi.encodePacked(uint8(nonce));
        } else {
            uint256 length = 0;
            for (uint256 rest = nonce; rest != 0; rest >>= 8) {
                length++;
            }
            encodedNonce = abi.encodePacked(uint8(0x80 + length));
            for (uint256 i = length; i > 0; i--) {
                encodedNonce = abi.encodePacked(encodedNonce, uint8(nonce >> (8 * (i - 1))));
            }
        }
        // The list holds the 21-byte address item (0x94 ‖ address) and the nonce item.
        bytes memory list = abi.encodePacked(uint8(0xc0 + 21 + encodedNonce.length), uint8(0x94), deployer, encodedNonce);
        computedAddress = address(uint160(uint256(keccak256(list))));
    }

    /// @notice The address this factory's CREATE gives at account nonce `nonce`.
    function computeCreateAddress(uint256 nonce) external view returns (address computedAddress) {
        computedAddress = computeCreateAddress(address(this), nonce);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // CREATE2
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Creates `initCode` with CREATE2 under the guarded `salt`, sending it the call's ETH.
    function deployCreate2(bytes32 salt, bytes memory initCode) external payable returns (address newContract) {
        newContract = _deployCreate2(salt, initCode);
    }

    /// @notice `deployCreate2` under a pseudo-random salt.
    function deployCreate2(bytes memory initCode) external payable returns (address newContract) {
        newContract = _deployCreate2(_generateSalt(), initCode);
    }

    /// @notice Creates `initCode` with CREATE2 under the guarded `salt` and `values.constructorAmount` wei, calls it
    ///         with `data` and `values.initCallAmount` wei, then sends the leftover ETH to `refundAddress`.
    function deployCreate2AndInit(
        bytes32 salt,
        bytes memory initCode,
        bytes memory data,
        Values memory values,
        address refundAddress
    ) external payable returns (address newContract) {
        newContract = _deployCreate2AndInit(salt, initCode, data, values, refundAddress);
    }

    /// @notice `deployCreate2AndInit` refunding the caller.
    function deployCreate2AndInit(bytes32 salt, bytes memory initCode, bytes memory data, Values memory values)
        external
        payable
        returns (address newContract)
    {
        newContract = _deployCreate2AndInit(salt, initCode, data, values, msg.sender);
    }

    /// @notice `deployCreate2AndInit` under a pseudo-random salt.
    function deployCreate2AndInit(
        bytes memory initCode,
        bytes memory data,
        Values memory values,
        address refundAddress
    ) external payable returns (address newContract) {
        newContract = _deployCreate2AndInit(_generateSalt(), initCode, data, values, refundAddress);
    }

    /// @notice `deployCreate2AndInit` under a pseudo-random salt, refunding the caller.
    function deployCreate2AndInit(bytes memory initCode, bytes memory data, Values memory values)
        external
        payable
        returns (address newContract)
    {
        newContract = _deployCreate2AndInit(_generateSalt(), initCode, data, values, msg.sender);
    }

    /// @notice Creates an EIP-1167 clone of `implementation` with CREATE2 under the guarded `salt` and calls it with
    ///         `data` and the call's ETH.
    function deployCreate2Clone(bytes32 salt, address implementation, bytes memory data)
        external
        payable
        returns (address proxy)
    {
        proxy = _deployCreate2Clone(salt, implementation, data);
    }

    /// @notice `deployCreate2Clone` under a pseudo-random salt.
    function deployCreate2Clone(address implementation, bytes memory data) external payable returns (address proxy) {
        proxy = _deployCreate2Clone(_generateSalt(), implementation, data);
    }

    /// @notice The address a CREATE2 by `deployer` of init code hashing to `initCodeHash` under `salt` gives.
    function computeCreate2Address(bytes32 salt, bytes32 initCodeHash, address deployer)
        public
        pure
        returns (address computedAddress)
    {
        computedAddress =
            address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), deployer, salt, initCodeHash)))));
    }

    /// @notice The address this factory's CREATE2 gives under the (already guarded) `salt`.
    function computeCreate2Address(bytes32 salt, bytes32 initCodeHash)
        external
        view
        returns (address computedAddress)
    {
        computedAddress = computeCreate2Address(salt, initCodeHash, address(this));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // CREATE3
    // ---------------------------------------------------------------------------------------------------------------

    /// @notice Creates `initCode` through a CREATE3 proxy under the guarded `salt`, sending it the call's ETH.
    function deployCreate3(bytes32 salt, bytes memory initCode) external payable returns (address newContract) {
        newContract = _deployCreate3(_guard(salt), initCode, msg.value);
    }

    /// @notice `deployCreate3` under a pseudo-random salt.
    function deployCreate3(bytes memory initCode) external payable returns (address newContract) {
        newContract = _deployCreate3(_guard(_generateSalt()), initCode, msg.value);
    }

    /// @notice Creates `initCode` through a CREATE3 proxy under the guarded `salt` with `values.constructorAmount`
    ///         wei, calls it with `data` and `values.initCallAmount` wei, then sends the leftover ETH to
    ///         `refundAddress`.
    function deployCreate3AndInit(
        bytes32 salt,
        bytes memory initCode,
        bytes memory data,
        Values memory values,
        address refundAddress
    ) external payable returns (address newContract) {
        newContract = _deployCreate3AndInit(salt, initCode, data, values, refundAddress);
    }

    /// @notice `deployCreate3AndInit` refunding the caller.
    function deployCreate3AndInit(bytes32 salt, bytes memory initCode, bytes memory data, Values memory values)
        external
        payable
        returns (address newContract)
    {
        newContract = _deployCreate3AndInit(salt, initCode, data, values, msg.sender);
    }

    /// @notice `deployCreate3AndInit` under a pseudo-random salt.
    function deployCreate3AndInit(
        bytes memory initCode,
        bytes memory data,
        Values memory values,
        address refundAddress
    ) external payable returns (address newContract) {
        newContract = _deployCreate3AndInit(_generateSalt(), initCode, data, values, refundAddress);
    }

    /// @notice `deployCreate3AndInit` under a pseudo-random salt, refunding the caller.
    function deployCreate3AndInit(bytes memory initCode, bytes memory data, Values memory values)
        external
        payable
        returns (address newContract)
    {
        newContract = _deployCreate3AndInit(_generateSalt(), initCode, data, values, msg.sender);
    }

    /// @notice The address a CREATE3 deployment by `deployer` under the (already guarded) `salt` gives: what the
    ///         proxy at the CREATE2 address of (`deployer`, `salt`, proxy init code) creates with its first CREATE
    ///         (account nonce 1).
    function computeCreate3Address(bytes32 salt, address deployer) public pure returns (address computedAddress) {
        address proxy = computeCreate2Address(salt, CREATE3_PROXY_INIT_CODE_HASH, deployer);
        // rlp([proxy, 1]) = 0xd6 ‖ 0x94 ‖ proxy ‖ 0x01
        computedAddress = address(uint160(uint256(keccak256(abi.encodePacked(hex"d694", proxy, hex"01")))));
    }

    /// @notice The address this factory's CREATE3 gives under the (already guarded) `salt`.
    function computeCreate3Address(bytes32 salt) external view returns (address computedAddress) {
        computedAddress = computeCreate3Address(salt, address(this));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------------------------

    function _deployCreate2(bytes32 salt, bytes memory initCode) internal returns (address newContract) {
        bytes32 guardedSalt = _guard(salt);
        newContract = _create2(msg.value, initCode, guardedSalt);
        _requireCode(newContract);
        emit ContractCreation(newContract, guardedSalt);
    }

    function _deployCreate2AndInit(
        bytes32 salt,
        bytes memory initCode,
        bytes memory data,
        Values memory values,
        address refundAddress
    ) internal returns (address newContract) {
        bytes32 guardedSalt = _guard(salt);
        newContract = _create2(values.constructorAmount, initCode, guardedSalt);
        _requireCode(newContract);
        emit ContractCreation(newContract, guardedSalt);
        _initialise(newContract, data, values.initCallAmount, refundAddress);
    }

    function _deployCreate2Clone(bytes32 salt, address implementation, bytes memory data)
        internal
        returns (address proxy)
    {
        bytes32 guardedSalt = _guard(salt);
        proxy = _create2(0, _cloneInitCode(implementation), guardedSalt);
        if (proxy == address(0)) revert FailedContractCreation(address(this));
        emit ContractCreation(proxy, guardedSalt);
        _callClone(proxy, implementation, data);
    }

    /// @notice Creates the CREATE3 proxy under `guardedSalt` and has it create `initCode` with `value` wei.
    function _deployCreate3(bytes32 guardedSalt, bytes memory initCode, uint256 value)
        internal
        returns (address newContract)
    {
        address proxy = _create2(0, CREATE3_PROXY_INIT_CODE, guardedSalt);
        if (proxy == address(0)) revert FailedContractCreation(address(this));
        emit Create3ProxyContractCreation(proxy, guardedSalt);
        newContract = computeCreate3Address(guardedSalt, address(this));
        (bool success,) = proxy.call{value: value}(initCode);
        if (!success) revert FailedContractCreation(address(this));
        _requireCode(newContract);
        emit ContractCreation(newContract);
    }

    function _deployCreate3AndInit(
        bytes32 salt,
        bytes memory initCode,
        bytes memory data,
        Values memory values,
        address refundAddress
    ) internal returns (address newContract) {
        newContract = _deployCreate3(_guard(salt), initCode, values.constructorAmount);
        _initialise(newContract, data, values.initCallAmount, refundAddress);
    }

    /// @notice Calls the new contract with `data` and `value` wei, then refunds the factory's whole balance.
    function _initialise(address newContract, bytes memory data, uint256 value, address refundAddress) internal {
        (bool success, bytes memory returnData) = newContract.call{value: value}(data);
        if (!success) revert FailedContractInitialisation(address(this), returnData);
        uint256 leftover = address(this).balance;
        if (leftover != 0) {
            (success, returnData) = refundAddress.call{value: leftover}("");
            if (!success) revert FailedEtherTransfer(address(this), returnData);
        }
    }

    /// @notice Calls a fresh clone with `data` and the call's ETH; a clone of an account without code is refused,
    ///         since every call to it would succeed without doing anything.
    function _callClone(address proxy, address implementation, bytes memory data) internal {
        (bool success, bytes memory returnData) = proxy.call{value: msg.value}(data);
        if (!success || implementation.code.length == 0) {
            revert FailedContractInitialisation(address(this), returnData);
        }
    }

    /// @notice The salt a deployment under `salt` uses, by the rules in the contract's description.
    function _guard(bytes32 salt) internal view returns (bytes32 guardedSalt) {
        address named = address(bytes20(salt));
        uint8 flag = uint8(salt[20]);
        if (named == msg.sender) {
            if (flag == 1) return keccak256(abi.encode(msg.sender, block.chainid, salt));
            if (flag == 0) return keccak256(abi.encode(msg.sender, salt));
            revert InvalidSalt(address(this));
        }
        if (named == address(0)) {
            if (flag == 1) return keccak256(abi.encode(block.chainid, salt));
            if (flag != 0) revert InvalidSalt(address(this));
        }
        guardedSalt = salt == _generateSalt() ? salt : keccak256(abi.encode(salt));
    }

    /// @notice The salt of the salt-less overloads: a hash of block properties and the caller, unpredictable enough
    ///         to keep two callers (or one caller in two blocks) apart, but not a source of randomness. The block
    ///         hash 32 blocks back is used rather than the latest, as a chain may keep few recent hashes; before
    ///         block 32 it is zero, which still gives a usable salt.
    function _generateSalt() internal view returns (bytes32 salt) {
        uint256 past;
        unchecked {
            past = block.number - 32;
        }
        salt = keccak256(
            abi.encode(
                blockhash(past),
                block.coinbase,
                block.number,
                block.timestamp,
                block.prevrandao,
                block.chainid,
                msg.sender
            )
        );
    }

    /// @notice The EIP-1167 init code of a minimal proxy delegating every call to `implementation`.
    function _cloneInitCode(address implementation) internal pure returns (bytes memory) {
        return abi.encodePacked(
            hex"3d602d80600a3d3981f3363d3d373d3d3d363d73", implementation, hex"5af43d82803e903d91602b57fd5bf3"
        );
    }

    /// @notice Reverts unless `newContract` is an account with code (a failed creation answers the zero address).
    function _requireCode(address newContract) internal view {
        if (newContract == address(0) || newContract.code.length == 0) {
            revert FailedContractCreation(address(this));
        }
    }

    function _create(uint256 value, bytes memory initCode) internal returns (address created) {
        assembly ("memory-safe") {
            created := create(value, add(initCode, 0x20), mload(initCode))
        }
    }

    function _create2(uint256 value, bytes memory initCode, bytes32 salt) internal returns (address created) {
        assembly ("memory-safe") {
            created := create2(value, add(initCode, 0x20), mload(initCode), salt)
        }
    }
}
