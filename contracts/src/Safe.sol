// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice How a Safe runs a transaction: a plain call (0) or a delegatecall in the Safe's own context (1). The ABI
///         carries it as a `uint8`, as the Safe v1.3.0 interface does.
enum SafeOperation {
    Call,
    DelegateCall
}

/// @title SafeTransactionGuard
/// @notice The guard interface of Safe v1.3.0: a contract set with `setGuard` that sees every multisig transaction
///         before it runs (and may refuse it by reverting) and is told its outcome afterwards.
interface SafeTransactionGuard {
    /// @notice Called before a multisig transaction runs, with its parameters, its signatures and the account that
    ///         submitted it; a revert refuses the transaction.
    function checkTransaction(
        address to,
        uint256 value,
        bytes memory data,
        SafeOperation operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address payable refundReceiver,
        bytes memory signatures,
        address msgSender
    ) external;

    /// @notice Called after a multisig transaction ran, with its hash and whether its call succeeded.
    function checkAfterExecution(bytes32 txHash, bool success) external;
}

/// @title SafeLegacySignatureValidator
/// @notice The contract-signature interface Safe v1.3.0 calls for an owner that is a contract (EIP-1271 in its
///         early form): it is handed the signed bytes themselves, not their hash, and accepts by answering
///         `0x20c13b0b` (the selector of `isValidSignature(bytes,bytes)`).
interface SafeLegacySignatureValidator {
    /// @notice Answers `0x20c13b0b` when `signature` is this contract's valid signature of `data`.
    function isValidSignature(bytes memory data, bytes memory signature) external view returns (bytes4);
}

/// @title SafeStorage
/// @notice The storage of a Safe, declared in one place so that its layout is exactly Safe v1.3.0's: proxies keep
///         their singleton in slot 0, and Safe tooling reads owners, threshold and nonce from the slots below.
///         The guard and the fallback handler live at hashed slots (see `SafeCore`).
abstract contract SafeStorage {
    /// @notice Slot 0: the singleton a proxy delegates to (written by the proxy, never by the Safe's code).
    address internal singletonSlot;
    /// @notice Slot 1: the modules, a linked list from and back to the sentinel `address(1)`.
    mapping(address => address) internal modules;
    /// @notice Slot 2: the owners, a linked list from and back to the sentinel `address(1)`.
    mapping(address => address) internal owners;
    /// @notice Slot 3: how many owners the list holds.
    uint256 internal ownerCount;
    /// @notice Slot 4: how many owners must sign a transaction; zero until `setup` ran.
    uint256 internal threshold;
    /// @notice Slot 5: the nonce the next multisig transaction must be signed with.
    uint256 public nonce;
    /// @notice Slot 6: kept free, as in v1.3.0, where it held a cached domain separator of earlier versions.
    bytes32 internal deprecatedDomainSeparator;
    /// @notice Slot 7: messages the Safe signed (set by a signing library run through a delegatecall); non-zero
    ///         means signed.
    mapping(bytes32 => uint256) public signedMessages;
    /// @notice Slot 8: hashes an owner approved on chain with `approveHash` (non-zero means approved), owner first.
    mapping(address => mapping(bytes32 => uint256)) public approvedHashes;
}

/// @title SafeCore
/// @notice Everything Safe and SafeL2 share: a multisig wallet with the interface, storage layout, events and revert
///         strings (`GS0xx`, …) of Safe v1.3.0, so that Safe tooling and existing proxies work with it unchanged.
///         Owners sign the EIP-712 hash of a `SafeTx`; signatures are concatenated 65-byte entries sorted by
///         owner, each an ECDSA signature, an `eth_sign` signature (v + 4), an on-chain approval (v = 1) or a
///         pointer to a contract owner's signature (v = 0). Modules may run transactions without signatures; a
///         guard may veto multisig transactions; calls to unknown functions go to the fallback handler with the
///         caller appended.
abstract contract SafeCore is SafeStorage {
    /// @notice The version Safe tooling reads to pick the contract's interface.
    string public constant VERSION = "1.3.0";

    /// @notice Start and end of the owner and module lists.
    address internal constant SENTINEL = address(0x1);

    /// @notice keccak256("EIP712Domain(uint256 chainId,address verifyingContract)").
    bytes32 internal constant DOMAIN_SEPARATOR_TYPEHASH =
        0x47e79534a245952e8b16893a336b85a3d9ea9fa8c573f3d803afb92a79469218;

    /// @notice keccak256 of the `SafeTx` type string of v1.3.0: "SafeTx(address to,uint256 value,bytes data,
    ///         uint8 operation,uint256 safeTxGas,uint256 baseGas,uint256 gasPrice,address gasToken,
    ///         address refundReceiver,uint256 nonce)".
    bytes32 internal constant SAFE_TX_TYPEHASH = 0xbb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8;

    /// @notice The slot of the guard: keccak256("guard_manager.guard.address").
    bytes32 internal constant GUARD_STORAGE_SLOT = 0x4a204f620c8c5ccdca3fd54d003badd85ba500436a431f0cbda4f558c93c34c8;

    /// @notice The slot of the fallback handler: keccak256("fallback_manager.handler.address").
    bytes32 internal constant FALLBACK_HANDLER_STORAGE_SLOT =
        0x6c9a6c4a39284e37ed1cf53d337577d14212a4870fb976a4366c693b939918d5;

    /// @notice The answer of a contract owner that accepts a signature: `isValidSignature(bytes,bytes)`'s selector.
    bytes4 internal constant LEGACY_EIP1271_MAGIC_VALUE = 0x20c13b0b;

    /// @notice `setup` initialised the Safe, called by `initiator`; `initializer` is the delegatecall target.
    event SafeSetup(
        address indexed initiator, address[] owners, uint256 threshold, address initializer, address fallbackHandler
    );
    /// @notice `owner` approved `approvedHash` on chain.
    event ApproveHash(bytes32 indexed approvedHash, address indexed owner);
    /// @notice The Safe signed a message (emitted by a signing library the Safe delegatecalls).
    event SignMsg(bytes32 indexed msgHash);
    /// @notice A multisig transaction's call failed; `payment` is the refund paid for it.
    event ExecutionFailure(bytes32 txHash, uint256 payment);
    /// @notice A multisig transaction's call succeeded; `payment` is the refund paid for it.
    event ExecutionSuccess(bytes32 txHash, uint256 payment);
    /// @notice `owner` joined the owners.
    event AddedOwner(address owner);
    /// @notice `owner` left the owners.
    event RemovedOwner(address owner);
    /// @notice The threshold is now `threshold`.
    event ChangedThreshold(uint256 threshold);
    /// @notice `module` may now run transactions.
    event EnabledModule(address module);
    /// @notice `module` may no longer run transactions.
    event DisabledModule(address module);
    /// @notice A transaction `module` asked for succeeded.
    event ExecutionFromModuleSuccess(address indexed module);
    /// @notice A transaction `module` asked for failed.
    event ExecutionFromModuleFailure(address indexed module);
    /// @notice The fallback handler is now `handler`.
    event ChangedFallbackHandler(address handler);
    /// @notice The guard is now `guard`.
    event ChangedGuard(address guard);
    /// @notice The Safe received `value` wei from `sender` by a plain transfer.
    event SafeReceived(address indexed sender, uint256 value);

    /// @notice Restricts a function to the Safe itself, i.e. to a transaction its owners or a module ran.
    modifier authorized() {
        require(msg.sender == address(this), "GS031");
        _;
    }

    /// @notice The singleton deployed by a constructor is locked as the preinstall is (by its genesis storage): a
    ///         non-zero threshold makes `setup` refuse, so only proxies become wallets.
    constructor() {
        threshold = 1;
    }

    // ----------------------------------------------------------------------------------------------------------
    // Setup
    // ----------------------------------------------------------------------------------------------------------

    /// @notice Initialises a fresh Safe (a proxy): its owners and threshold, then the fallback handler, then an
    ///         optional delegatecall of `data` to `to` (a setup library), then an optional payment of `payment`
    ///         (in `paymentToken`, or ETH when zero) to `paymentReceiver` (or `tx.origin` when zero).
    function setup(
        address[] calldata _owners,
        uint256 _threshold,
        address to,
        bytes calldata data,
        address fallbackHandler,
        address paymentToken,
        uint256 payment,
        address payable paymentReceiver
    ) external {
        _setupOwners(_owners, _threshold);
        if (fallbackHandler != address(0)) _writeAddress(FALLBACK_HANDLER_STORAGE_SLOT, fallbackHandler);
        _setupModules(to, data);
        if (payment > 0) {
            // The refund rule of a transaction with gas used `payment` at gas price 1 (so ETH pays at most
            // `payment` times the transaction's gas price, as in v1.3.0).
            _payRefund(payment, 0, 1, paymentToken, paymentReceiver);
        }
        emit SafeSetup(msg.sender, _owners, _threshold, to, fallbackHandler);
    }

    // ----------------------------------------------------------------------------------------------------------
    // Multisig transactions
    // ----------------------------------------------------------------------------------------------------------

    /// @notice Runs a transaction the owners signed: checks `signatures` over the transaction's hash at the
    ///         current nonce (and increments it), lets the guard check it, runs it with `safeTxGas` gas (all
    ///         available gas when `gasPrice` is zero), and refunds `(gas used + baseGas) * gasPrice` to
    ///         `refundReceiver` (or `tx.origin`) in `gasToken` (ETH, at most the transaction's gas price, when
    ///         zero) when `gasPrice` is non-zero. A failing call reverts only when neither `safeTxGas` nor
    ///         `gasPrice` is set; otherwise it is recorded by `ExecutionFailure` and the refund is still paid.
    function execTransaction(
        address to,
        uint256 value,
        bytes calldata data,
        SafeOperation operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address payable refundReceiver,
        bytes memory signatures
    ) public payable virtual returns (bool success) {
        bytes32 txHash;
        {
            bytes memory txHashData = encodeTransactionData(
                to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver, nonce
            );
            nonce = nonce + 1;
            txHash = keccak256(txHashData);
            checkSignatures(txHash, txHashData, signatures);
        }
        address guard = _readAddress(GUARD_STORAGE_SLOT);
        if (guard != address(0)) {
            SafeTransactionGuard(guard).checkTransaction(
                to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver, signatures, msg.sender
            );
        }
        success = _runSigned(txHash, to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver);
        if (guard != address(0)) SafeTransactionGuard(guard).checkAfterExecution(txHash, success);
    }

    /// @notice The call of a multisig transaction, its refund and its event (the middle of `execTransaction`).
    function _runSigned(
        bytes32 txHash,
        address to,
        uint256 value,
        bytes calldata data,
        SafeOperation operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address payable refundReceiver
    ) private returns (bool success) {
        {
            // Enough gas must be left to give the call `safeTxGas` after the 63/64 rule, and to finish afterwards.
            uint256 needed = (safeTxGas * 64) / 63;
            if (needed < safeTxGas + 2500) needed = safeTxGas + 2500;
            require(gasleft() >= needed + 500, "GS010");
        }
        uint256 gasUsed = gasleft();
        success = _execute(to, value, data, operation, gasPrice == 0 ? gasleft() - 2500 : safeTxGas);
        gasUsed = gasUsed - gasleft();
        // Without a gas limit or a refund, nobody is owed anything for a failed call, so it reverts.
        require(success || safeTxGas != 0 || gasPrice != 0, "GS013");
        _settle(txHash, success, gasPrice > 0 ? _payRefund(gasUsed, baseGas, gasPrice, gasToken, refundReceiver) : 0);
    }

    /// @notice Emits the outcome of a multisig transaction with the refund paid.
    function _settle(bytes32 txHash, bool success, uint256 payment) private {
        if (success) emit ExecutionSuccess(txHash, payment);
        else emit ExecutionFailure(txHash, payment);
    }

    /// @notice Pays the refund of a transaction and answers its amount: in ETH `(gasUsed + baseGas)` times the
    ///         lower of `gasPrice` and the transaction's gas price, in a token `(gasUsed + baseGas) * gasPrice`.
    function _payRefund(uint256 gasUsed, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver)
        private
        returns (uint256 payment)
    {
        address payable receiver = payable(refundReceiver == address(0) ? tx.origin : refundReceiver);
        if (gasToken == address(0)) {
            uint256 price = gasPrice < tx.gasprice ? gasPrice : tx.gasprice;
            payment = (gasUsed + baseGas) * price;
            require(receiver.send(payment), "GS011");
        } else {
            payment = (gasUsed + baseGas) * gasPrice;
            require(_transferToken(gasToken, receiver, payment), "GS012");
        }
    }

    /// @notice ERC-20 `transfer(receiver, amount)` that accepts tokens answering nothing as well as `true`.
    function _transferToken(address token, address receiver, uint256 amount) private returns (bool transferred) {
        (bool called, bytes memory answer) = token.call(abi.encodeWithSelector(0xa9059cbb, receiver, amount));
        if (!called) return false;
        if (answer.length == 0) return true;
        if (answer.length != 32) return false;
        return abi.decode(answer, (uint256)) != 0;
    }

    /// @notice Runs `data` on `to` as a call with `value` or as a delegatecall, with at most `txGas` gas.
    function _execute(address to, uint256 value, bytes memory data, SafeOperation operation, uint256 txGas)
        internal
        returns (bool success)
    {
        if (operation == SafeOperation.DelegateCall) {
            assembly ("memory-safe") {
                success := delegatecall(txGas, to, add(data, 0x20), mload(data), 0, 0)
            }
        } else {
            assembly ("memory-safe") {
                success := call(txGas, to, value, add(data, 0x20), mload(data), 0, 0)
            }
        }
    }

    /// @notice Checks that `signatures` hold `threshold` valid owner signatures of `dataHash` (the hash of `data`).
    function checkSignatures(bytes32 dataHash, bytes memory data, bytes memory signatures) public view {
        uint256 required = threshold;
        require(required > 0, "GS001");
        checkNSignatures(dataHash, data, signatures, required);
    }

    /// @notice Checks that the first `requiredSignatures` entries of `signatures` are valid signatures of
    ///         `dataHash` by distinct owners in ascending address order. Each entry is `r ‖ s ‖ v` (65 bytes):
    ///         v = 0: contract owner `r`, whose signature bytes lie at offset `s` of `signatures` (a 32-byte length,
    ///         then the bytes), checked with its `isValidSignature(data, signature)`; v = 1: owner `r` approved
    ///         `dataHash` with `approveHash` or is the caller; v > 30: `eth_sign` signature of `dataHash` with v + 4;
    ///         otherwise an ECDSA signature of `dataHash`.
    function checkNSignatures(bytes32 dataHash, bytes memory data, bytes memory signatures, uint256 requiredSignatures)
        public
        view
    {
        require(signatures.length >= requiredSignatures * 65, "GS020");
        address previous = address(0);
        for (uint256 i = 0; i < requiredSignatures; i++) {
            (uint8 v, bytes32 r, bytes32 s) = _signatureAt(signatures, i);
            address signer;
            if (v == 0) {
                signer = address(uint160(uint256(r)));
                _checkContractSignature(signer, data, signatures, uint256(s), requiredSignatures);
            } else if (v == 1) {
                signer = address(uint160(uint256(r)));
                require(msg.sender == signer || approvedHashes[signer][dataHash] != 0, "GS025");
            } else if (v > 30) {
                bytes32 prefixed = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", dataHash));
                signer = ecrecover(prefixed, v - 4, r, s);
            } else {
                signer = ecrecover(dataHash, v, r, s);
            }
            require(signer > previous && owners[signer] != address(0) && signer != SENTINEL, "GS026");
            previous = signer;
        }
    }

    /// @notice The `index`-th 65-byte entry of `signatures`, split into v, r and s.
    function _signatureAt(bytes memory signatures, uint256 index)
        private
        pure
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        assembly ("memory-safe") {
            let entry := add(add(signatures, 0x20), mul(index, 65))
            r := mload(entry)
            s := mload(add(entry, 0x20))
            v := byte(0, mload(add(entry, 0x40)))
        }
    }

    /// @notice Checks the signature of contract owner `signer` found at `offset` of `signatures`: past the entries
    ///         being checked, with its length and its bytes inside `signatures`, and accepted by the contract.
    function _checkContractSignature(
        address signer,
        bytes memory data,
        bytes memory signatures,
        uint256 offset,
        uint256 requiredSignatures
    ) private view {
        require(offset >= requiredSignatures * 65, "GS021");
        require(offset + 32 <= signatures.length, "GS022");
        uint256 length;
        assembly ("memory-safe") {
            length := mload(add(add(signatures, 0x20), offset))
        }
        require(offset + 32 + length <= signatures.length, "GS023");
        // The signature is read in place: its length word and bytes already have the layout of a `bytes`.
        bytes memory signature;
        assembly ("memory-safe") {
            signature := add(add(signatures, 0x20), offset)
        }
        require(
            SafeLegacySignatureValidator(signer).isValidSignature(data, signature) == LEGACY_EIP1271_MAGIC_VALUE,
            "GS024"
        );
    }

    /// @notice Approves `hashToApprove` on behalf of the calling owner, so that a v = 1 entry naming the owner
    ///         counts as its signature of that hash.
    function approveHash(bytes32 hashToApprove) external {
        require(owners[msg.sender] != address(0), "GS030");
        approvedHashes[msg.sender][hashToApprove] = 1;
        emit ApproveHash(hashToApprove, msg.sender);
    }

    /// @notice The chain ID the domain separator commits to.
    function getChainId() public view returns (uint256) {
        return block.chainid;
    }

    /// @notice The EIP-712 domain separator: `EIP712Domain(uint256 chainId,address verifyingContract)` of this
    ///         chain and this Safe (the proxy's address when called through one).
    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_SEPARATOR_TYPEHASH, block.chainid, address(this)));
    }

    /// @notice The bytes the owners sign the hash of: `0x19 ‖ 0x01 ‖ domainSeparator() ‖ hashStruct(SafeTx)`.
    function encodeTransactionData(
        address to,
        uint256 value,
        bytes calldata data,
        SafeOperation operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address refundReceiver,
        uint256 _nonce
    ) public view returns (bytes memory) {
        bytes32 structHash = _safeTxStructHash(
            to, value, keccak256(data), operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver, _nonce
        );
        return abi.encodePacked(bytes1(0x19), bytes1(0x01), domainSeparator(), structHash);
    }

    /// @notice The EIP-712 hash of a `SafeTx` at `_nonce`: what the owners sign.
    function getTransactionHash(
        address to,
        uint256 value,
        bytes calldata data,
        SafeOperation operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address refundReceiver,
        uint256 _nonce
    ) public view returns (bytes32) {
        return keccak256(
            encodeTransactionData(
                to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver, _nonce
            )
        );
    }

    /// @notice hashStruct of a `SafeTx`, written word by word into free memory to stay within the stack.
    function _safeTxStructHash(
        address to,
        uint256 value,
        bytes32 dataHash,
        SafeOperation operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address refundReceiver,
        uint256 _nonce
    ) private pure returns (bytes32 structHash) {
        bytes32 typeHash = SAFE_TX_TYPEHASH;
        assembly ("memory-safe") {
            let words := mload(0x40)
            mstore(words, typeHash)
            mstore(add(words, 0x20), and(to, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(words, 0x40), value)
            mstore(add(words, 0x60), dataHash)
            mstore(add(words, 0x80), operation)
            mstore(add(words, 0xa0), safeTxGas)
            mstore(add(words, 0xc0), baseGas)
            mstore(add(words, 0xe0), gasPrice)
            mstore(add(words, 0x100), and(gasToken, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(words, 0x120), and(refundReceiver, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(words, 0x140), _nonce)
            structHash := keccak256(words, 0x160)
        }
    }

    /// @notice Deprecated estimate of a transaction's gas, kept for tooling of v1.3.0, which calls it from the Safe's
    ///         own address in an `eth_call`: runs the transaction and always reverts, with `Error(string)` whose 32
    ///         bytes are the gas it used (or empty when it failed).
    function requiredTxGas(address to, uint256 value, bytes calldata data, SafeOperation operation)
        external
        authorized
        returns (uint256)
    {
        uint256 gasBefore = gasleft();
        require(_execute(to, value, data, operation, gasleft()));
        uint256 used = gasBefore - gasleft();
        _revertWithWord(used);
    }

    /// @notice Reverts with `Error(string)` holding the 32 bytes of `word`.
    function _revertWithWord(uint256 word) private pure {
        revert(string(abi.encodePacked(word)));
    }

    // ----------------------------------------------------------------------------------------------------------
    // Owners
    // ----------------------------------------------------------------------------------------------------------

    /// @notice Writes the owner list and threshold of a fresh Safe.
    function _setupOwners(address[] calldata _owners, uint256 _threshold) private {
        require(threshold == 0, "GS200");
        require(_threshold <= _owners.length, "GS201");
        require(_threshold >= 1, "GS202");
        address last = SENTINEL;
        for (uint256 i = 0; i < _owners.length; i++) {
            address owner = _owners[i];
            require(owner != address(0) && owner != SENTINEL && owner != address(this) && owner != last, "GS203");
            require(owners[owner] == address(0), "GS204");
            owners[last] = owner;
            last = owner;
        }
        owners[last] = SENTINEL;
        ownerCount = _owners.length;
        threshold = _threshold;
    }

    /// @notice Adds `owner` at the head of the list and sets the threshold to `_threshold`.
    function addOwnerWithThreshold(address owner, uint256 _threshold) public authorized {
        require(owner != address(0) && owner != SENTINEL && owner != address(this), "GS203");
        require(owners[owner] == address(0), "GS204");
        owners[owner] = owners[SENTINEL];
        owners[SENTINEL] = owner;
        ownerCount++;
        emit AddedOwner(owner);
        if (threshold != _threshold) changeThreshold(_threshold);
    }

    /// @notice Removes `owner`, which follows `prevOwner` in the list, and sets the threshold to `_threshold`.
    function removeOwner(address prevOwner, address owner, uint256 _threshold) public authorized {
        require(ownerCount - 1 >= _threshold, "GS201");
        require(owner != address(0) && owner != SENTINEL, "GS203");
        require(owners[prevOwner] == owner, "GS205");
        owners[prevOwner] = owners[owner];
        owners[owner] = address(0);
        ownerCount--;
        emit RemovedOwner(owner);
        if (threshold != _threshold) changeThreshold(_threshold);
    }

    /// @notice Replaces `oldOwner`, which follows `prevOwner` in the list, by `newOwner` at the same place.
    function swapOwner(address prevOwner, address oldOwner, address newOwner) public authorized {
        require(newOwner != address(0) && newOwner != SENTINEL && newOwner != address(this), "GS203");
        require(owners[newOwner] == address(0), "GS204");
        require(oldOwner != address(0) && oldOwner != SENTINEL, "GS203");
        require(owners[prevOwner] == oldOwner, "GS205");
        owners[newOwner] = owners[oldOwner];
        owners[prevOwner] = newOwner;
        owners[oldOwner] = address(0);
        emit RemovedOwner(oldOwner);
        emit AddedOwner(newOwner);
    }

    /// @notice Sets the number of owner signatures a transaction needs: at least one, at most the owner count.
    function changeThreshold(uint256 _threshold) public authorized {
        require(_threshold <= ownerCount, "GS201");
        require(_threshold >= 1, "GS202");
        threshold = _threshold;
        emit ChangedThreshold(_threshold);
    }

    /// @notice How many owner signatures a transaction needs.
    function getThreshold() public view returns (uint256) {
        return threshold;
    }

    /// @notice Whether `owner` is an owner.
    function isOwner(address owner) public view returns (bool) {
        return owner != SENTINEL && owners[owner] != address(0);
    }

    /// @notice The owners, most recently added first (setup's order for the initial ones).
    function getOwners() public view returns (address[] memory list) {
        list = new address[](ownerCount);
        uint256 count = 0;
        address current = owners[SENTINEL];
        while (current != SENTINEL && current != address(0)) {
            list[count] = current;
            current = owners[current];
            count++;
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Modules
    // ----------------------------------------------------------------------------------------------------------

    /// @notice Starts the (empty) module list and runs the setup delegatecall of `data` to `to`, if any.
    function _setupModules(address to, bytes calldata data) private {
        require(modules[SENTINEL] == address(0), "GS100");
        modules[SENTINEL] = SENTINEL;
        if (to != address(0)) require(_execute(to, 0, data, SafeOperation.DelegateCall, gasleft()), "GS000");
    }

    /// @notice Lets `module` run transactions without signatures.
    function enableModule(address module) public authorized {
        require(module != address(0) && module != SENTINEL, "GS101");
        require(modules[module] == address(0), "GS102");
        modules[module] = modules[SENTINEL];
        modules[SENTINEL] = module;
        emit EnabledModule(module);
    }

    /// @notice Removes `module`, which follows `prevModule` in the list.
    function disableModule(address prevModule, address module) public authorized {
        require(module != address(0) && module != SENTINEL, "GS101");
        require(modules[prevModule] == module, "GS103");
        modules[prevModule] = modules[module];
        modules[module] = address(0);
        emit DisabledModule(module);
    }

    /// @notice Runs a transaction for an enabled module (the caller), without signatures or guard; answers whether
    ///         its call succeeded.
    function execTransactionFromModule(address to, uint256 value, bytes memory data, SafeOperation operation)
        public
        virtual
        returns (bool success)
    {
        success = _moduleTransaction(to, value, data, operation);
    }

    /// @notice As `execTransactionFromModule`, also answering the call's return (or revert) data.
    function execTransactionFromModuleReturnData(
        address to,
        uint256 value,
        bytes memory data,
        SafeOperation operation
    ) public returns (bool success, bytes memory returnData) {
        success = _moduleTransaction(to, value, data, operation);
        assembly ("memory-safe") {
            let size := returndatasize()
            returnData := mload(0x40)
            mstore(returnData, size)
            returndatacopy(add(returnData, 0x20), 0, size)
            mstore(0x40, add(add(returnData, 0x20), and(add(size, 0x1f), not(0x1f))))
        }
    }

    /// @notice The checks, hook, call and event of a module transaction.
    function _moduleTransaction(address to, uint256 value, bytes memory data, SafeOperation operation)
        private
        returns (bool success)
    {
        require(msg.sender != SENTINEL && modules[msg.sender] != address(0), "GS104");
        _announceModuleTransaction(to, value, data, operation);
        success = _execute(to, value, data, operation, gasleft());
        if (success) emit ExecutionFromModuleSuccess(msg.sender);
        else emit ExecutionFromModuleFailure(msg.sender);
        // The events above clobber no return data: the caller reads the call's return data next.
    }

    /// @notice Hook run before a module transaction: nothing here, SafeL2 emits `SafeModuleTransaction`.
    function _announceModuleTransaction(address to, uint256 value, bytes memory data, SafeOperation operation)
        internal
        virtual
    {}

    /// @notice Whether `module` is enabled.
    function isModuleEnabled(address module) public view returns (bool) {
        return module != SENTINEL && modules[module] != address(0);
    }

    /// @notice Up to `pageSize` modules following `start` (the sentinel `address(1)` for the first page), and the
    ///         module to start the next page from (the sentinel once the list is exhausted).
    function getModulesPaginated(address start, uint256 pageSize)
        external
        view
        returns (address[] memory array, address next)
    {
        array = new address[](pageSize);
        uint256 count = 0;
        address current = modules[start];
        while (current != address(0) && current != SENTINEL && count < pageSize) {
            array[count] = current;
            current = modules[current];
            count++;
        }
        next = current;
        // Shrink the page to what was found.
        assembly ("memory-safe") {
            mstore(array, count)
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Guard, fallback handler, plain transfers
    // ----------------------------------------------------------------------------------------------------------

    /// @notice Sets the guard that checks every multisig transaction (zero removes it).
    function setGuard(address guard) external authorized {
        _writeAddress(GUARD_STORAGE_SLOT, guard);
        emit ChangedGuard(guard);
    }

    /// @notice Sets the contract that answers calls of functions the Safe does not have (zero removes it).
    function setFallbackHandler(address handler) public authorized {
        _writeAddress(FALLBACK_HANDLER_STORAGE_SLOT, handler);
        emit ChangedFallbackHandler(handler);
    }

    function _readAddress(bytes32 slot) private view returns (address value) {
        assembly ("memory-safe") {
            value := sload(slot)
        }
    }

    function _writeAddress(bytes32 slot, address value) private {
        assembly ("memory-safe") {
            sstore(slot, value)
        }
    }

    /// @notice A plain ETH transfer to the Safe.
    receive() external payable {
        emit SafeReceived(msg.sender, msg.value);
    }

    /// @notice Any other call goes to the fallback handler with the caller's 20 bytes appended to the calldata, and
    ///         its answer (or revert) is passed back; without a handler the call succeeds with no answer.
    fallback() external {
        bytes32 slot = FALLBACK_HANDLER_STORAGE_SLOT;
        // This frame never returns to Solidity code, so it may use memory from zero.
        assembly {
            let handler := sload(slot)
            if iszero(handler) { return(0, 0) }
            calldatacopy(0, 0, calldatasize())
            mstore(calldatasize(), shl(96, caller()))
            let ok := call(gas(), handler, 0, 0, add(calldatasize(), 20), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Storage access for tooling
    // ----------------------------------------------------------------------------------------------------------

    /// @notice `length` storage words from slot `offset` on, concatenated.
    function getStorageAt(uint256 offset, uint256 length) public view returns (bytes memory words) {
        words = new bytes(length * 32);
        for (uint256 i = 0; i < length; i++) {
            assembly ("memory-safe") {
                mstore(add(add(words, 0x20), mul(i, 0x20)), sload(add(offset, i)))
            }
        }
    }

    /// @notice Delegatecalls `targetContract` with `calldataPayload` and always reverts, with
    ///         `abi.encode(bool success, uint256 length) ‖ returnData`, so that a caller can simulate code in the
    ///         Safe's context without changing it.
    function simulateAndRevert(address targetContract, bytes memory calldataPayload) external {
        assembly {
            let ok := delegatecall(gas(), targetContract, add(calldataPayload, 0x20), mload(calldataPayload), 0, 0)
            mstore(0x00, ok)
            mstore(0x20, returndatasize())
            returndatacopy(0x40, 0, returndatasize())
            revert(0, add(returndatasize(), 0x40))
        }
    }
}

/// @title Safe
/// @notice The Safe (v1.3.0) preinstall at `0x69f4D1788e39c87893C980c06EdF4b7f686e2938`
///         (`specs/protocol/preinstalls.md`): the singleton that Safe proxies delegate to (`SafeCore`). Its genesis
///         storage holds threshold 1, so the singleton itself cannot be set up.
contract Safe is SafeCore {}

/// @title SafeL2
/// @notice The SafeL2 (v1.3.0) preinstall at `0xfb1bffC9d739B8D520DaF37dF666da4C687191EA`: the Safe, also emitting
///         every transaction's parameters (`SafeMultiSigTransaction`, `SafeModuleTransaction`) so that an indexer
///         can follow the Safe from logs alone, without tracing calls.
contract SafeL2 is SafeCore {
    /// @notice A multisig transaction was submitted with these parameters; `additionalInfo` is
    ///         `abi.encode(nonce, msg.sender, threshold)` with the nonce it was signed for.
    event SafeMultiSigTransaction(
        address to,
        uint256 value,
        bytes data,
        SafeOperation operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address payable refundReceiver,
        bytes signatures,
        bytes additionalInfo
    );

    /// @notice `module` ran a transaction with these parameters.
    event SafeModuleTransaction(address module, address to, uint256 value, bytes data, SafeOperation operation);

    /// @inheritdoc SafeCore
    function execTransaction(
        address to,
        uint256 value,
        bytes calldata data,
        SafeOperation operation,
        uint256 safeTxGas,
        uint256 baseGas,
        uint256 gasPrice,
        address gasToken,
        address payable refundReceiver,
        bytes memory signatures
    ) public payable override returns (bool) {
        emit SafeMultiSigTransaction(
            to,
            value,
            data,
            operation,
            safeTxGas,
            baseGas,
            gasPrice,
            gasToken,
            refundReceiver,
            signatures,
            abi.encode(nonce, msg.sender, threshold)
        );
        return super.execTransaction(
            to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver, signatures
        );
    }

    /// @notice Emits `SafeModuleTransaction` for the calling module.
    function _announceModuleTransaction(address to, uint256 value, bytes memory data, SafeOperation operation)
        internal
        override
    {
        emit SafeModuleTransaction(msg.sender, to, value, data, operation);
    }
}
