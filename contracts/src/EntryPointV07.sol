// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {
    EntryPointCalls,
    EntryPointGuard,
    EntryPointNonces,
    EntryPointStakes,
    EntryPointValidationData,
    ISenderCreator,
    PostOpMode
} from "./EntryPointCommon.sol";

/// @notice A user operation as ERC-4337 v0.7 passes it. `accountGasLimits` packs `verificationGasLimit` (high 128
///         bits) and `callGasLimit` (low 128 bits); `gasFees` packs `maxPriorityFeePerGas` (high) and
///         `maxFeePerGas` (low); a non-empty `paymasterAndData` is the paymaster's address, its 16-byte validation
///         gas limit, its 16-byte `postOp` gas limit, then its own data.
struct PackedUserOperation {
    address sender;
    uint256 nonce;
    bytes initCode;
    bytes callData;
    bytes32 accountGasLimits;
    uint256 preVerificationGas;
    bytes32 gasFees;
    bytes paymasterAndData;
    bytes signature;
}

/// @title IAccountV07
/// @notice The account side of ERC-4337 v0.7.
interface IAccountV07 {
    /// @notice Checks `userOp` (signed over `userOpHash`), pays `missingAccountFunds` to the entry point, and answers
    ///         its validation data.
    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash, uint256 missingAccountFunds)
        external
        returns (uint256 validationData);
}

/// @title IAccountExecuteV07
/// @notice Accounts that want the whole operation at execution: an operation whose `callData` starts with this
///         function's selector is executed as `executeUserOp(userOp, userOpHash)`.
interface IAccountExecuteV07 {
    /// @notice Executes `userOp`.
    function executeUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash) external;
}

/// @title IPaymasterV07
/// @notice The paymaster side of ERC-4337 v0.7.
interface IPaymasterV07 {
    /// @notice Agrees (or not) to pay up to `maxCost` for `userOp`; answers a context for `postOp` and its validation data.
    function validatePaymasterUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash, uint256 maxCost)
        external
        returns (bytes memory context, uint256 validationData);

    /// @notice Told the outcome of an operation it sponsored with a non-empty context, what it cost, and the gas
    ///         price it was charged at.
    function postOp(PostOpMode mode, bytes calldata context, uint256 actualGasCost, uint256 actualUserOpFeePerGas)
        external;
}

/// @title IAggregatorV07
/// @notice A signature aggregator of ERC-4337 v0.7: one signature for many operations.
interface IAggregatorV07 {
    /// @notice Reverts unless `signature` is valid for all of `userOps`.
    function validateSignatures(PackedUserOperation[] calldata userOps, bytes calldata signature) external view;

    /// @notice The signature to put in `userOp` before it is aggregated.
    function validateUserOpSignature(PackedUserOperation calldata userOp)
        external
        view
        returns (bytes memory sigForUserOp);

    /// @notice Aggregates the signatures of `userOps` into one.
    function aggregateSignatures(PackedUserOperation[] calldata userOps)
        external
        view
        returns (bytes memory aggregatedSignature);
}

/// @title EntryPointV07
/// @notice The ERC-4337 v0.7.0 entry point, with the interface of the preinstall at
///         `0x0000000071727De22E5E9d8BAf0edAc6f37da032` (`specs/protocol/preinstalls.md`): bundles of packed user
///         operations are validated (account creation through `initCode`, `validateUserOp`, nonces, paymasters with
///         their own gas limits), then executed (`executeUserOp` for accounts that ask for it), charged to the
///         account's or the paymaster's deposit with v0.7's 10% penalty on unused execution gas, the bundler being
///         paid the total. Validation failures revert the bundle with `FailedOp`/`FailedOpWithRevert` and the ERC's
///         codes. v0.7 has no on-chain simulations (bundlers run them off-chain); `delegateAndRevert` serves them.
///         Runs from its runtime code: the SenderCreator is the v0.7 preinstall.
contract EntryPointV07 is EntryPointStakes, EntryPointNonces, EntryPointGuard {
    /// @dev The v0.7 SenderCreator preinstall.
    address internal constant SENDER_CREATOR = 0xEFC2c1444eBCC4Db75e7613d20C6a62fF67A167C;
    /// @dev How much of a revert reason is kept.
    uint256 internal constant REVERT_DATA_CAP = 2048;
    /// @dev Gas `innerHandleOp` keeps for itself on top of the operation's execution limits.
    uint256 internal constant INNER_GAS_OVERHEAD = 10000;
    /// @dev The share of unused execution gas (`callGasLimit` + `postOp` limit) an operation pays for anyway.
    uint256 internal constant PENALTY_PERCENT = 10;
    /// @dev What `innerHandleOp` reverts with when the bundle's gas cannot cover the operation's limits.
    bytes32 internal constant INNER_OUT_OF_GAS = 0xdeaddead00000000000000000000000000000000000000000000000000000000;
    /// @dev What `innerHandleOp` reverts with when the cost exceeds the prefund.
    bytes32 internal constant INNER_REVERT_LOW_PREFUND =
        0xdeadaa5100000000000000000000000000000000000000000000000000000000;

    /// @notice The operation's fields the execution phase needs, unpacked.
    struct MemoryUserOp {
        address sender;
        uint256 nonce;
        uint256 verificationGasLimit;
        uint256 callGasLimit;
        uint256 paymasterVerificationGasLimit;
        uint256 paymasterPostOpGasLimit;
        uint256 preVerificationGas;
        address paymaster;
        uint256 maxFeePerGas;
        uint256 maxPriorityFeePerGas;
    }

    /// @notice What validation learned about an operation. `contextOffset` is part of the ABI of `innerHandleOp`;
    ///         this implementation passes the paymaster's context separately and leaves it zero.
    struct UserOpInfo {
        MemoryUserOp mUserOp;
        bytes32 userOpHash;
        uint256 prefund;
        uint256 contextOffset;
        uint256 preOpGas;
    }

    /// @notice Operations whose signatures one aggregator checks together.
    struct UserOpsPerAggregator {
        PackedUserOperation[] userOps;
        IAggregatorV07 aggregator;
        bytes signature;
    }

    /// @notice An account's deposit and stake.
    struct DepositInfo {
        uint256 deposit;
        bool staked;
        uint112 stake;
        uint32 unstakeDelaySec;
        uint48 withdrawTime;
    }

    /// @notice An operation was executed (or its call reverted: `success` false) and charged `actualGasCost`.
    event UserOperationEvent(
        bytes32 indexed userOpHash,
        address indexed sender,
        address indexed paymaster,
        uint256 nonce,
        bool success,
        uint256 actualGasCost,
        uint256 actualGasUsed
    );
    /// @notice An operation's `initCode` created its account.
    event AccountDeployed(bytes32 indexed userOpHash, address indexed sender, address factory, address paymaster);
    /// @notice An operation's call reverted with `revertReason` (cut at 2048 bytes).
    event UserOperationRevertReason(
        bytes32 indexed userOpHash, address indexed sender, uint256 nonce, bytes revertReason
    );
    /// @notice The paymaster's `postOp` reverted with `revertReason`; the operation's call was undone.
    event PostOpRevertReason(bytes32 indexed userOpHash, address indexed sender, uint256 nonce, bytes revertReason);
    /// @notice The operation cost more than its prefund; the whole prefund was charged.
    event UserOperationPrefundTooLow(bytes32 indexed userOpHash, address indexed sender, uint256 nonce);
    /// @notice Validation of the bundle is over; the operations' calls follow.
    event BeforeExecution();
    /// @notice The operations that follow were checked by `aggregator` (zero: none).
    event SignatureAggregatorChanged(address indexed aggregator);

    /// @notice Operation `opIndex` of the bundle failed validation; `reason` starts with its ERC-4337 code.
    error FailedOp(uint256 opIndex, string reason);
    /// @notice Operation `opIndex` failed validation because a call reverted with `inner`.
    error FailedOpWithRevert(uint256 opIndex, string reason, bytes inner);
    /// @notice The paymaster's `postOp` reverted with `returnData`.
    error PostOpReverted(bytes returnData);
    /// @notice `aggregator` refused the signature of its operations.
    error SignatureValidationFailed(address aggregator);
    /// @notice The result of `getSenderAddress`.
    error SenderAddressResult(address sender);
    /// @notice The result of `delegateAndRevert`.
    error DelegateAndRevert(bool success, bytes ret);
    /// @notice A guarded function was re-entered.
    error ReentrancyGuardReentrantCall();

    /// @notice Validates and executes `ops`, then pays the fees they were charged to `beneficiary`.
    function handleOps(PackedUserOperation[] calldata ops, address payable beneficiary) external nonReentrant {
        uint256 count = ops.length;
        UserOpInfo[] memory infos = new UserOpInfo[](count);
        bytes[] memory contexts = new bytes[](count);
        for (uint256 i = 0; i < count; i++) {
            (uint256 accountData, uint256 paymasterData, bytes memory context) = _validateOp(i, ops[i], infos[i]);
            contexts[i] = context;
            _checkValidationData(i, accountData, paymasterData, address(0));
        }
        emit BeforeExecution();
        uint256 collected = 0;
        for (uint256 i = 0; i < count; i++) {
            collected += _executeOp(i, ops[i], infos[i], contexts[i]);
        }
        EntryPointCalls.compensate(beneficiary, collected);
    }

    /// @notice `handleOps` for operations grouped by aggregator: each group's aggregated signature is checked
    ///         with `validateSignatures`, and each operation's account must name that aggregator.
    function handleAggregatedOps(UserOpsPerAggregator[] calldata opsPerAggregator, address payable beneficiary)
        external
        nonReentrant
    {
        uint256 total = 0;
        for (uint256 a = 0; a < opsPerAggregator.length; a++) {
            UserOpsPerAggregator calldata group = opsPerAggregator[a];
            address aggregator = address(group.aggregator);
            require(aggregator != address(1), "AA96 invalid aggregator");
            if (aggregator != address(0)) {
                try group.aggregator.validateSignatures(group.userOps, group.signature) { }
                catch {
                    revert SignatureValidationFailed(aggregator);
                }
            }
            total += group.userOps.length;
        }
        UserOpInfo[] memory infos = new UserOpInfo[](total);
        bytes[] memory contexts = new bytes[](total);
        uint256 index = 0;
        for (uint256 a = 0; a < opsPerAggregator.length; a++) {
            PackedUserOperation[] calldata ops = opsPerAggregator[a].userOps;
            address aggregator = address(opsPerAggregator[a].aggregator);
            for (uint256 i = 0; i < ops.length; i++) {
                (uint256 accountData, uint256 paymasterData, bytes memory context) =
                    _validateOp(index, ops[i], infos[index]);
                contexts[index] = context;
                _checkValidationData(index, accountData, paymasterData, aggregator);
                index++;
            }
        }
        emit BeforeExecution();
        uint256 collected = 0;
        index = 0;
        for (uint256 a = 0; a < opsPerAggregator.length; a++) {
            emit SignatureAggregatorChanged(address(opsPerAggregator[a].aggregator));
            PackedUserOperation[] calldata ops = opsPerAggregator[a].userOps;
            for (uint256 i = 0; i < ops.length; i++) {
                collected += _executeOp(index, ops[i], infos[index], contexts[index]);
                index++;
            }
        }
        emit SignatureAggregatorChanged(address(0));
        EntryPointCalls.compensate(beneficiary, collected);
    }

    /// @notice The hash an account signs: keccak256 of (keccak256 of the packed operation's fields without the
    ///         signature, each `bytes` field by its hash), this entry point, and the chain ID.
    function getUserOpHash(PackedUserOperation calldata userOp) public view returns (bytes32) {
        bytes memory head =
            abi.encode(userOp.sender, userOp.nonce, keccak256(userOp.initCode), keccak256(userOp.callData));
        bytes memory tail = abi.encode(
            userOp.accountGasLimits, userOp.preVerificationGas, userOp.gasFees, keccak256(userOp.paymasterAndData)
        );
        return keccak256(abi.encode(keccak256(bytes.concat(head, tail)), address(this), block.chainid));
    }

    /// @notice Runs `initCode` through the SenderCreator and reverts with `SenderAddressResult(account)`: the
    ///         address an operation with this `initCode` must name (call it with `eth_call`).
    function getSenderAddress(bytes calldata initCode) public {
        address sender = ISenderCreator(SENDER_CREATOR).createSender(initCode);
        revert SenderAddressResult(sender);
    }

    /// @notice Delegatecalls `target` with `data` and reverts with `DelegateAndRevert(success, returnData)`: how
    ///         off-chain simulations run code in the entry point's context.
    function delegateAndRevert(address target, bytes calldata data) external {
        (bool success, bytes memory ret) = target.delegatecall(data);
        revert DelegateAndRevert(success, ret);
    }

    /// @notice An account's deposit and stake.
    function getDepositInfo(address account) public view returns (DepositInfo memory info) {
        StakeRecord storage record = _records[account];
        info = DepositInfo(record.deposit, record.staked, record.stake, record.unstakeDelaySec, record.withdrawTime);
    }

    /// @notice An account's deposit and stake, as separate values.
    function deposits(address account)
        external
        view
        returns (uint256 deposit, bool staked, uint112 stake, uint32 unstakeDelaySec, uint48 withdrawTime)
    {
        StakeRecord storage record = _records[account];
        return (record.deposit, record.staked, record.stake, record.unstakeDelaySec, record.withdrawTime);
    }

    /// @notice ERC-165: the entry point's interface (`handleOps`, `handleAggregatedOps`, `getUserOpHash`,
    ///         `getSenderAddress`, `delegateAndRevert`), the stake manager's, the nonce manager's, the three
    ///         together, and ERC-165 itself.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        bytes4 entryPoint = this.handleOps.selector ^ this.handleAggregatedOps.selector
            ^ this.getUserOpHash.selector ^ this.getSenderAddress.selector ^ this.delegateAndRevert.selector;
        bytes4 stakes = this.getDepositInfo.selector ^ this.balanceOf.selector ^ this.depositTo.selector
            ^ this.addStake.selector ^ this.unlockStake.selector ^ this.withdrawStake.selector
            ^ this.withdrawTo.selector;
        bytes4 nonces = this.getNonce.selector ^ this.incrementNonce.selector;
        return interfaceId == (entryPoint ^ stakes ^ nonces) || interfaceId == entryPoint || interfaceId == stakes
            || interfaceId == nonces || interfaceId == this.supportsInterface.selector;
    }

    /// @notice Executes one validated operation: the account's call with `callGasLimit`, the paymaster's `postOp`,
    ///         and the refund of the unused prefund. Only the entry point itself may call it (it runs in a call
    ///         frame of its own so that a failure of the paymaster's `postOp` undoes the operation's call).
    function innerHandleOp(bytes memory callData, UserOpInfo memory opInfo, bytes calldata context)
        external
        returns (uint256 actualGasCost)
    {
        uint256 gasAtStart = gasleft();
        require(msg.sender == address(this), "AA92 internal call only");
        MemoryUserOp memory op = opInfo.mUserOp;
        if ((gasleft() * 63) / 64 < op.callGasLimit + op.paymasterPostOpGasLimit + INNER_GAS_OVERHEAD) {
            assembly {
                mstore(0, INNER_OUT_OF_GAS)
                revert(0, 32)
            }
        }
        PostOpMode mode = PostOpMode.opSucceeded;
        if (callData.length > 0 && !EntryPointCalls.call(op.sender, callData, op.callGasLimit)) {
            bytes memory reason = EntryPointCalls.returnData(REVERT_DATA_CAP);
            if (reason.length > 0) {
                emit UserOperationRevertReason(opInfo.userOpHash, op.sender, op.nonce, reason);
            }
            mode = PostOpMode.opReverted;
        }
        return _settle(mode, opInfo, context, gasAtStart - gasleft() + opInfo.preOpGas);
    }

    function _depositCap() internal pure override returns (uint256) {
        return type(uint256).max;
    }

    function _reentered() internal pure override {
        revert ReentrancyGuardReentrantCall();
    }

    /// @dev The validation phase of one operation: unpack, hash, create the account, let it validate and pay,
    ///      consume the nonce, let the paymaster validate and lock its prefund. Fills `info`.
    function _validateOp(uint256 opIndex, PackedUserOperation calldata op, UserOpInfo memory info)
        internal
        returns (uint256 accountData, uint256 paymasterData, bytes memory context)
    {
        uint256 gasAtStart = gasleft();
        MemoryUserOp memory m = info.mUserOp;
        _unpack(op, m);
        info.userOpHash = getUserOpHash(op);
        require(
            (m.preVerificationGas | m.verificationGasLimit | m.callGasLimit | m.paymasterVerificationGasLimit
                    | m.paymasterPostOpGasLimit | m.maxFeePerGas | m.maxPriorityFeePerGas) <= type(uint120).max,
            "AA94 gas values overflow"
        );
        uint256 prefund = (
            m.verificationGasLimit + m.callGasLimit + m.paymasterVerificationGasLimit + m.paymasterPostOpGasLimit
                + m.preVerificationGas
        ) * m.maxFeePerGas;
        accountData = _validateAccount(opIndex, op, info, prefund);
        if (!_useNonce(m.sender, m.nonce)) {
            revert FailedOp(opIndex, "AA25 invalid account nonce");
        }
        if (gasAtStart - gasleft() > m.verificationGasLimit) {
            revert FailedOp(opIndex, "AA26 over verificationGasLimit");
        }
        if (m.paymaster != address(0)) {
            (context, paymasterData) = _validatePaymaster(opIndex, op, info, prefund);
        }
        info.prefund = prefund;
        info.preOpGas = gasAtStart - gasleft() + m.preVerificationGas;
    }

    function _unpack(PackedUserOperation calldata op, MemoryUserOp memory m) internal pure {
        m.sender = op.sender;
        m.nonce = op.nonce;
        m.verificationGasLimit = uint128(uint256(op.accountGasLimits) >> 128);
        m.callGasLimit = uint128(uint256(op.accountGasLimits));
        m.preVerificationGas = op.preVerificationGas;
        m.maxPriorityFeePerGas = uint128(uint256(op.gasFees) >> 128);
        m.maxFeePerGas = uint128(uint256(op.gasFees));
        bytes calldata paymasterAndData = op.paymasterAndData;
        if (paymasterAndData.length > 0) {
            require(paymasterAndData.length >= 52, "AA93 invalid paymasterAndData");
            m.paymaster = address(bytes20(paymasterAndData[0:20]));
            m.paymasterVerificationGasLimit = uint128(bytes16(paymasterAndData[20:36]));
            m.paymasterPostOpGasLimit = uint128(bytes16(paymasterAndData[36:52]));
        } else {
            m.paymaster = address(0);
            m.paymasterVerificationGasLimit = 0;
            m.paymasterPostOpGasLimit = 0;
        }
    }

    function _validateAccount(
        uint256 opIndex,
        PackedUserOperation calldata op,
        UserOpInfo memory info,
        uint256 prefund
    ) internal returns (uint256 validationData) {
        MemoryUserOp memory m = info.mUserOp;
        _createSender(opIndex, info, op.initCode);
        if (m.sender.code.length == 0) {
            revert FailedOp(opIndex, "AA20 account not deployed");
        }
        uint256 missing = 0;
        if (m.paymaster == address(0)) {
            uint256 held = balanceOf(m.sender);
            missing = held > prefund ? 0 : prefund - held;
        }
        try IAccountV07(m.sender).validateUserOp{ gas: m.verificationGasLimit }(op, info.userOpHash, missing) returns (
            uint256 answer
        ) {
            validationData = answer;
        } catch {
            revert FailedOpWithRevert(opIndex, "AA23 reverted", EntryPointCalls.returnData(REVERT_DATA_CAP));
        }
        if (m.paymaster == address(0) && !_debit(m.sender, prefund)) {
            revert FailedOp(opIndex, "AA21 didn't pay prefund");
        }
    }

    function _createSender(uint256 opIndex, UserOpInfo memory info, bytes calldata initCode) internal {
        if (initCode.length == 0) {
            return;
        }
        MemoryUserOp memory m = info.mUserOp;
        if (m.sender.code.length != 0) {
            revert FailedOp(opIndex, "AA10 sender already constructed");
        }
        address created = address(0);
        if (initCode.length >= 20) {
            created = ISenderCreator(SENDER_CREATOR).createSender{ gas: m.verificationGasLimit }(initCode);
        }
        if (created == address(0)) {
            revert FailedOp(opIndex, "AA13 initCode failed or OOG");
        }
        if (created != m.sender) {
            revert FailedOp(opIndex, "AA14 initCode must return sender");
        }
        if (created.code.length == 0) {
            revert FailedOp(opIndex, "AA15 initCode must create sender");
        }
        emit AccountDeployed(info.userOpHash, created, address(bytes20(initCode[0:20])), m.paymaster);
    }

    function _validatePaymaster(
        uint256 opIndex,
        PackedUserOperation calldata op,
        UserOpInfo memory info,
        uint256 prefund
    ) internal returns (bytes memory context, uint256 validationData) {
        uint256 gasAtStart = gasleft();
        MemoryUserOp memory m = info.mUserOp;
        if (m.paymaster.code.length == 0) {
            revert FailedOp(opIndex, "AA30 paymaster not deployed");
        }
        if (!_debit(m.paymaster, prefund)) {
            revert FailedOp(opIndex, "AA31 paymaster deposit too low");
        }
        try IPaymasterV07(m.paymaster).validatePaymasterUserOp{ gas: m.paymasterVerificationGasLimit }(
            op, info.userOpHash, prefund
        ) returns (bytes memory answeredContext, uint256 answeredData) {
            context = answeredContext;
            validationData = answeredData;
        } catch {
            revert FailedOpWithRevert(opIndex, "AA33 reverted", EntryPointCalls.returnData(REVERT_DATA_CAP));
        }
        if (gasAtStart - gasleft() > m.paymasterVerificationGasLimit) {
            revert FailedOp(opIndex, "AA36 over paymasterVerificationGasLimit");
        }
    }

    /// @dev The checks `handleOps` makes of the validation answers: the account's authorizer must be the expected
    ///      aggregator (zero without one) and the paymaster's zero, and both time ranges must include this block.
    function _checkValidationData(uint256 opIndex, uint256 accountData, uint256 paymasterData, address aggregator)
        internal
        view
    {
        (address authorizer, bool outOfRange) = EntryPointValidationData.check(accountData);
        if (authorizer != aggregator) {
            revert FailedOp(opIndex, "AA24 signature error");
        }
        if (outOfRange) {
            revert FailedOp(opIndex, "AA22 expired or not due");
        }
        (authorizer, outOfRange) = EntryPointValidationData.check(paymasterData);
        if (authorizer != address(0)) {
            revert FailedOp(opIndex, "AA34 signature error");
        }
        if (outOfRange) {
            revert FailedOp(opIndex, "AA32 paymaster expired or not due");
        }
    }

    /// @dev The calldata of the inner call: the operation's `callData`, or `executeUserOp(op, hash)` when the
    ///      `callData` starts with that function's selector.
    function _innerCallData(PackedUserOperation calldata op, UserOpInfo memory info, bytes memory context)
        internal
        view
        returns (bytes memory)
    {
        bytes calldata callData = op.callData;
        if (callData.length >= 4 && bytes4(callData[0:4]) == IAccountExecuteV07.executeUserOp.selector) {
            bytes memory execute = abi.encodeCall(IAccountExecuteV07.executeUserOp, (op, info.userOpHash));
            return abi.encodeCall(this.innerHandleOp, (execute, info, context));
        }
        return abi.encodeCall(this.innerHandleOp, (callData, info, context));
    }

    /// @dev The execution phase of one operation; what it was charged. When `innerHandleOp` reverts because the
    ///      paymaster's `postOp` failed, the operation's call is undone and it is charged in `postOpReverted` mode
    ///      (`postOp` is not called again); when it reverts because the cost exceeded the prefund, the whole
    ///      prefund is charged.
    function _executeOp(
        uint256 opIndex,
        PackedUserOperation calldata op,
        UserOpInfo memory info,
        bytes memory context
    ) internal returns (uint256 collected) {
        uint256 gasAtStart = gasleft();
        bytes memory inner = _innerCallData(op, info, context);
        bool success;
        assembly {
            success := call(gas(), address(), 0, add(inner, 0x20), mload(inner), 0, 32)
            collected := mload(0)
        }
        if (success) {
            return collected;
        }
        bytes32 code;
        assembly {
            if eq(returndatasize(), 32) {
                returndatacopy(0, 0, 32)
                code := mload(0)
            }
        }
        if (code == INNER_OUT_OF_GAS) {
            revert FailedOp(opIndex, "AA95 out of gas");
        }
        MemoryUserOp memory m = info.mUserOp;
        if (code == INNER_REVERT_LOW_PREFUND) {
            emit UserOperationPrefundTooLow(info.userOpHash, m.sender, m.nonce);
            _emitOperationEvent(info, false, info.prefund, gasAtStart - gasleft() + info.preOpGas);
            return info.prefund;
        }
        emit PostOpRevertReason(info.userOpHash, m.sender, m.nonce, EntryPointCalls.returnData(REVERT_DATA_CAP));
        collected = _settle(PostOpMode.postOpReverted, info, context, gasAtStart - gasleft() + info.preOpGas);
    }

    /// @dev Calls the paymaster's `postOp` (when it gave a context, and not after it reverted), charges the gas
    ///      used plus the unused-gas penalty at the operation's gas price, credits the rest of the prefund back to
    ///      whoever paid it, and emits `UserOperationEvent`.
    function _settle(PostOpMode mode, UserOpInfo memory info, bytes memory context, uint256 gasUsed)
        internal
        returns (uint256 actualGasCost)
    {
        uint256 gasAtStart = gasleft();
        MemoryUserOp memory m = info.mUserOp;
        uint256 price = EntryPointCalls.gasPrice(m.maxFeePerGas, m.maxPriorityFeePerGas);
        if (m.paymaster != address(0) && context.length > 0 && mode != PostOpMode.postOpReverted) {
            try IPaymasterV07(m.paymaster).postOp{ gas: m.paymasterPostOpGasLimit }(
                mode, context, gasUsed * price, price
            ) { }
            catch {
                revert PostOpReverted(EntryPointCalls.returnData(REVERT_DATA_CAP));
            }
        }
        gasUsed += gasAtStart - gasleft();
        gasUsed += _unusedGasPenalty(m, gasUsed - info.preOpGas);
        actualGasCost = gasUsed * price;
        if (info.prefund < actualGasCost) {
            if (mode != PostOpMode.postOpReverted) {
                assembly {
                    mstore(0, INNER_REVERT_LOW_PREFUND)
                    revert(0, 32)
                }
            }
            emit UserOperationPrefundTooLow(info.userOpHash, m.sender, m.nonce);
            _emitOperationEvent(info, false, info.prefund, gasUsed);
            return info.prefund;
        }
        _credit(m.paymaster == address(0) ? m.sender : m.paymaster, info.prefund - actualGasCost);
        _emitOperationEvent(info, mode == PostOpMode.opSucceeded, actualGasCost, gasUsed);
    }

    /// @dev The 10% of the execution gas limits (`callGasLimit` and the `postOp` limit) left unused.
    function _unusedGasPenalty(MemoryUserOp memory m, uint256 executionUsed) internal pure returns (uint256) {
        uint256 executionLimit = m.callGasLimit + m.paymasterPostOpGasLimit;
        if (executionLimit <= executionUsed) {
            return 0;
        }
        return ((executionLimit - executionUsed) * PENALTY_PERCENT) / 100;
    }

    function _emitOperationEvent(UserOpInfo memory info, bool success, uint256 actualGasCost, uint256 actualGasUsed)
        internal
    {
        MemoryUserOp memory m = info.mUserOp;
        emit UserOperationEvent(
            info.userOpHash, m.sender, m.paymaster, m.nonce, success, actualGasCost, actualGasUsed
        );
    }
}
