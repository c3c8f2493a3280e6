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

/// @notice A user operation as ERC-4337 v0.6 passes it: every gas field a full word, `paymasterAndData` the
///         paymaster's address followed by its own data.
struct UserOperation {
    address sender;
    uint256 nonce;
    bytes initCode;
    bytes callData;
    uint256 callGasLimit;
    uint256 verificationGasLimit;
    uint256 preVerificationGas;
    uint256 maxFeePerGas;
    uint256 maxPriorityFeePerGas;
    bytes paymasterAndData;
    bytes signature;
}

/// @title IAccountV06
/// @notice The account side of ERC-4337 v0.6.
interface IAccountV06 {
    /// @notice Checks `userOp` (signed over `userOpHash`), pays `missingAccountFunds` to the entry point, and answers
    ///         its validation data.
    function validateUserOp(UserOperation calldata userOp, bytes32 userOpHash, uint256 missingAccountFunds)
        external
        returns (uint256 validationData);
}

/// @title IPaymasterV06
/// @notice The paymaster side of ERC-4337 v0.6.
interface IPaymasterV06 {
    /// @notice Agrees (or not) to pay up to `maxCost` for `userOp`; answers a context for `postOp` and its validation data.
    function validatePaymasterUserOp(UserOperation calldata userOp, bytes32 userOpHash, uint256 maxCost)
        external
        returns (bytes memory context, uint256 validationData);

    /// @notice Told the outcome of an operation it sponsored with a non-empty context, and what it cost.
    function postOp(PostOpMode mode, bytes calldata context, uint256 actualGasCost) external;
}

/// @title IAggregatorV06
/// @notice A signature aggregator of ERC-4337 v0.6: one signature for many operations.
interface IAggregatorV06 {
    /// @notice Reverts unless `signature` is valid for all of `userOps`.
    function validateSignatures(UserOperation[] calldata userOps, bytes calldata signature) external view;

    /// @notice The signature to put in `userOp` before it is aggregated.
    function validateUserOpSignature(UserOperation calldata userOp) external view returns (bytes memory sigForUserOp);

    /// @notice Aggregates the signatures of `userOps` into one.
    function aggregateSignatures(UserOperation[] calldata userOps)
        external
        view
        returns (bytes memory aggregatedSignature);
}

/// @title EntryPointV06
/// @notice The ERC-4337 v0.6.0 entry point, with the interface of the preinstall at
///         `0x5FF137D4b0FDCD49DcA30c7CF57E578a026d2789` (`specs/protocol/preinstalls.md`): bundles of user operations
///         are validated (account creation through `initCode`, `validateUserOp`, nonces, paymasters), then executed
///         and charged to the account's or the paymaster's deposit, the bundler being paid the total. Failures of
///         validation revert the whole bundle with `FailedOp(opIndex, "AAxx ...")`, the ERC's codes. Also the
///         revert-with-result simulations bundlers call (`simulateValidation`, `simulateHandleOp`,
///         `getSenderAddress`). Runs from its runtime code: the SenderCreator is the v0.6 preinstall.
contract EntryPointV06 is EntryPointStakes, EntryPointNonces, EntryPointGuard {
    /// @notice The validation data (authorizer 1) of an invalid signature.
    uint256 public constant SIG_VALIDATION_FAILED = 1;

    /// @dev The v0.6 SenderCreator preinstall.
    address internal constant SENDER_CREATOR = 0x7fc98430eAEdbb6070B35B39D798725049088348;
    /// @dev How much of a revert reason is kept in events.
    uint256 internal constant REVERT_DATA_CAP = 2048;
    /// @dev What `innerHandleOp` reverts with when the bundle's gas cannot cover the operation's limits.
    bytes32 internal constant INNER_OUT_OF_GAS = 0xdeaddead00000000000000000000000000000000000000000000000000000000;

    /// @notice The operation's fields the execution phase needs, unpacked.
    struct MemoryUserOp {
        address sender;
        uint256 nonce;
        uint256 callGasLimit;
        uint256 verificationGasLimit;
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
        UserOperation[] userOps;
        IAggregatorV06 aggregator;
        bytes signature;
    }

    /// @notice An account's deposit and stake, in v0.6's widths.
    struct DepositInfo {
        uint112 deposit;
        bool staked;
        uint112 stake;
        uint32 unstakeDelaySec;
        uint48 withdrawTime;
    }

    /// @notice A stake, as the simulations report it.
    struct StakeInfo {
        uint256 stake;
        uint256 unstakeDelaySec;
    }

    /// @notice What `simulateValidation` found.
    struct ReturnInfo {
        uint256 preOpGas;
        uint256 prefund;
        bool sigFailed;
        uint48 validAfter;
        uint48 validUntil;
        bytes paymasterContext;
    }

    /// @notice An aggregator and its stake.
    struct AggregatorStakeInfo {
        address aggregator;
        StakeInfo stakeInfo;
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
    /// @notice Validation of the bundle is over; the operations' calls follow.
    event BeforeExecution();
    /// @notice The operations that follow were checked by `aggregator` (zero: none).
    event SignatureAggregatorChanged(address indexed aggregator);

    /// @notice Operation `opIndex` of the bundle failed validation; `reason` starts with its ERC-4337 code.
    error FailedOp(uint256 opIndex, string reason);
    /// @notice `aggregator` refused the signature of its operations.
    error SignatureValidationFailed(address aggregator);
    /// @notice The result of `simulateValidation`.
    error ValidationResult(
        ReturnInfo returnInfo, StakeInfo senderInfo, StakeInfo factoryInfo, StakeInfo paymasterInfo
    );
    /// @notice The result of `simulateValidation` for an operation that names an aggregator.
    error ValidationResultWithAggregation(
        ReturnInfo returnInfo,
        StakeInfo senderInfo,
        StakeInfo factoryInfo,
        StakeInfo paymasterInfo,
        AggregatorStakeInfo aggregatorInfo
    );
    /// @notice The result of `getSenderAddress`.
    error SenderAddressResult(address sender);
    /// @notice The result of `simulateHandleOp`.
    error ExecutionResult(
        uint256 preOpGas, uint256 paid, uint48 validAfter, uint48 validUntil, bool targetSuccess, bytes targetResult
    );

    /// @notice Validates and executes `ops`, then pays the fees they were charged to `beneficiary`.
    function handleOps(UserOperation[] calldata ops, address payable beneficiary) external nonReentrant {
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
            UserOperation[] calldata ops = opsPerAggregator[a].userOps;
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
            UserOperation[] calldata ops = opsPerAggregator[a].userOps;
            for (uint256 i = 0; i < ops.length; i++) {
                collected += _executeOp(index, ops[i], infos[index], contexts[index]);
                index++;
            }
        }
        emit SignatureAggregatorChanged(address(0));
        EntryPointCalls.compensate(beneficiary, collected);
    }

    /// @notice The hash an account signs: keccak256 of (keccak256 of the operation's fields without the signature,
    ///         each `bytes` field by its hash), this entry point, and the chain ID.
    function getUserOpHash(UserOperation calldata userOp) public view returns (bytes32) {
        bytes memory head =
            abi.encode(userOp.sender, userOp.nonce, keccak256(userOp.initCode), keccak256(userOp.callData));
        bytes memory tail = abi.encode(
            userOp.callGasLimit,
            userOp.verificationGasLimit,
            userOp.preVerificationGas,
            userOp.maxFeePerGas,
            userOp.maxPriorityFeePerGas,
            keccak256(userOp.paymasterAndData)
        );
        return keccak256(abi.encode(keccak256(bytes.concat(head, tail)), address(this), block.chainid));
    }

    /// @notice Runs `initCode` through the SenderCreator and reverts with `SenderAddressResult(account)`: the
    ///         address an operation with this `initCode` must name (call it with `eth_call`).
    function getSenderAddress(bytes calldata initCode) public {
        address sender = ISenderCreator(SENDER_CREATOR).createSender(initCode);
        revert SenderAddressResult(sender);
    }

    /// @notice An account's deposit and stake.
    function getDepositInfo(address account) public view returns (DepositInfo memory info) {
        StakeRecord storage record = _records[account];
        info = DepositInfo(
            uint112(record.deposit), record.staked, record.stake, record.unstakeDelaySec, record.withdrawTime
        );
    }

    /// @notice An account's deposit and stake, as separate values.
    function deposits(address account)
        external
        view
        returns (uint112 deposit, bool staked, uint112 stake, uint32 unstakeDelaySec, uint48 withdrawTime)
    {
        DepositInfo memory info = getDepositInfo(account);
        return (info.deposit, info.staked, info.stake, info.unstakeDelaySec, info.withdrawTime);
    }

    /// @notice Validates `userOp` as `handleOps` would, without the signature and time checks, and reverts with
    ///         `ValidationResult` (or `ValidationResultWithAggregation`), or `FailedOp` when validation fails.
    function simulateValidation(UserOperation calldata userOp) external {
        UserOpInfo memory info;
        _simulationChecks(userOp);
        (uint256 accountData, uint256 paymasterData, bytes memory context) = _validateOp(0, userOp, info);
        (address authorizer, uint48 validAfter, uint48 validUntil) =
            EntryPointValidationData.intersect(accountData, paymasterData);
        ReturnInfo memory returnInfo =
            ReturnInfo(info.preOpGas, info.prefund, authorizer == address(1), validAfter, validUntil, context);
        address factory = userOp.initCode.length >= 20 ? address(bytes20(userOp.initCode[0:20])) : address(0);
        StakeInfo memory senderInfo = _stakeInfo(info.mUserOp.sender);
        StakeInfo memory factoryInfo = _stakeInfo(factory);
        StakeInfo memory paymasterInfo = _stakeInfo(info.mUserOp.paymaster);
        if (authorizer != address(0) && authorizer != address(1)) {
            revert ValidationResultWithAggregation(
                returnInfo,
                senderInfo,
                factoryInfo,
                paymasterInfo,
                AggregatorStakeInfo(authorizer, _stakeInfo(authorizer))
            );
        }
        revert ValidationResult(returnInfo, senderInfo, factoryInfo, paymasterInfo);
    }

    /// @notice Validates and executes `op` as `handleOps` would (without the signature and time checks), then
    ///         calls `target` with `targetCallData` if `target` is not zero, and reverts with `ExecutionResult`.
    function simulateHandleOp(UserOperation calldata op, address target, bytes calldata targetCallData) external {
        UserOpInfo memory info;
        _simulationChecks(op);
        (uint256 accountData, uint256 paymasterData, bytes memory context) = _validateOp(0, op, info);
        (, uint48 validAfter, uint48 validUntil) = EntryPointValidationData.intersect(accountData, paymasterData);
        uint256 paid = _executeOp(0, op, info, context);
        bool targetSuccess;
        bytes memory targetResult;
        if (target != address(0)) {
            (targetSuccess, targetResult) = target.call(targetCallData);
        }
        revert ExecutionResult(info.preOpGas, paid, validAfter, validUntil, targetSuccess, targetResult);
    }

    /// @notice The simulations' checks that an operation's account (or its `initCode`) and paymaster exist:
    ///         always reverts, with `AA20 account not deployed`, `AA30 paymaster not deployed`, or an empty reason.
    function _validateSenderAndPaymaster(bytes calldata initCode, address sender, bytes calldata paymasterAndData)
        external
        view
    {
        if (initCode.length == 0 && sender.code.length == 0) {
            revert("AA20 account not deployed");
        }
        if (paymasterAndData.length >= 20 && address(bytes20(paymasterAndData[0:20])).code.length == 0) {
            revert("AA30 paymaster not deployed");
        }
        revert("");
    }

    /// @notice Executes one validated operation: the account's call with `callGasLimit`, the paymaster's `postOp`,
    ///         and the refund of the unused prefund. Only the entry point itself may call it (it runs in a call
    ///         frame of its own so that a failure of the paymaster's `postOp` undoes the operation's call).
    function innerHandleOp(bytes memory callData, UserOpInfo memory opInfo, bytes memory context)
        external
        returns (uint256 actualGasCost)
    {
        uint256 gasAtStart = gasleft();
        require(msg.sender == address(this), "AA92 internal call only");
        MemoryUserOp memory op = opInfo.mUserOp;
        if (gasleft() < op.callGasLimit + op.verificationGasLimit + 5000) {
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
        return _settle(0, mode, opInfo, context, gasAtStart - gasleft() + opInfo.preOpGas);
    }

    function _depositCap() internal pure override returns (uint256) {
        return type(uint112).max;
    }

    function _reentered() internal pure override {
        revert("ReentrancyGuard: reentrant call");
    }

    function _stakeInfo(address account) internal view returns (StakeInfo memory) {
        StakeRecord storage record = _records[account];
        return StakeInfo(record.stake, record.unstakeDelaySec);
    }

    function _simulationChecks(UserOperation calldata op) internal view {
        try this._validateSenderAndPaymaster(op.initCode, op.sender, op.paymasterAndData) { }
        catch Error(string memory reason) {
            if (bytes(reason).length != 0) {
                revert FailedOp(0, reason);
            }
        }
    }

    /// @dev The validation phase of one operation: unpack, hash, create the account, let it validate and pay,
    ///      consume the nonce, let the paymaster validate and lock its prefund. Fills `info`.
    function _validateOp(uint256 opIndex, UserOperation calldata op, UserOpInfo memory info)
        internal
        returns (uint256 accountData, uint256 paymasterData, bytes memory context)
    {
        uint256 gasAtStart = gasleft();
        MemoryUserOp memory m = info.mUserOp;
        _unpack(op, m);
        info.userOpHash = getUserOpHash(op);
        require(
            (m.callGasLimit | m.verificationGasLimit | m.preVerificationGas | m.maxFeePerGas
                    | m.maxPriorityFeePerGas) <= type(uint120).max,
            "AA94 gas values overflow"
        );
        uint256 multiplier = m.paymaster == address(0) ? 1 : 3;
        uint256 prefund =
            (m.callGasLimit + m.verificationGasLimit * multiplier + m.preVerificationGas) * m.maxFeePerGas;
        uint256 accountGas;
        (accountGas, accountData) = _validateAccount(opIndex, op, info, prefund);
        if (!_useNonce(m.sender, m.nonce)) {
            revert FailedOp(opIndex, "AA25 invalid account nonce");
        }
        if (m.paymaster != address(0)) {
            (context, paymasterData) = _validatePaymaster(opIndex, op, info, prefund, accountGas);
        }
        if (gasAtStart - gasleft() > m.verificationGasLimit) {
            revert FailedOp(opIndex, "AA40 over verificationGasLimit");
        }
        info.prefund = prefund;
        info.preOpGas = gasAtStart - gasleft() + m.preVerificationGas;
    }

    function _unpack(UserOperation calldata op, MemoryUserOp memory m) internal pure {
        m.sender = op.sender;
        m.nonce = op.nonce;
        m.callGasLimit = op.callGasLimit;
        m.verificationGasLimit = op.verificationGasLimit;
        m.preVerificationGas = op.preVerificationGas;
        m.maxFeePerGas = op.maxFeePerGas;
        m.maxPriorityFeePerGas = op.maxPriorityFeePerGas;
        bytes calldata paymasterAndData = op.paymasterAndData;
        if (paymasterAndData.length > 0) {
            require(paymasterAndData.length >= 20, "AA93 invalid paymasterAndData");
            m.paymaster = address(bytes20(paymasterAndData[0:20]));
        } else {
            m.paymaster = address(0);
        }
    }

    function _validateAccount(uint256 opIndex, UserOperation calldata op, UserOpInfo memory info, uint256 prefund)
        internal
        returns (uint256 gasUsed, uint256 validationData)
    {
        uint256 gasAtStart = gasleft();
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
        try IAccountV06(m.sender).validateUserOp{ gas: m.verificationGasLimit }(op, info.userOpHash, missing) returns (
            uint256 answer
        ) {
            validationData = answer;
        } catch Error(string memory reason) {
            revert FailedOp(opIndex, string.concat("AA23 reverted: ", reason));
        } catch {
            revert FailedOp(opIndex, "AA23 reverted (or OOG)");
        }
        if (m.paymaster == address(0) && !_debit(m.sender, prefund)) {
            revert FailedOp(opIndex, "AA21 didn't pay prefund");
        }
        gasUsed = gasAtStart - gasleft();
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
        UserOperation calldata op,
        UserOpInfo memory info,
        uint256 prefund,
        uint256 accountGas
    ) internal returns (bytes memory context, uint256 validationData) {
        MemoryUserOp memory m = info.mUserOp;
        require(m.verificationGasLimit > accountGas, "AA41 too little verificationGas");
        if (m.paymaster.code.length == 0) {
            revert FailedOp(opIndex, "AA30 paymaster not deployed");
        }
        if (!_debit(m.paymaster, prefund)) {
            revert FailedOp(opIndex, "AA31 paymaster deposit too low");
        }
        try IPaymasterV06(m.paymaster).validatePaymasterUserOp{ gas: m.verificationGasLimit - accountGas }(
            op, info.userOpHash, prefund
        ) returns (bytes memory answeredContext, uint256 answeredData) {
            context = answeredContext;
            validationData = answeredData;
        } catch Error(string memory reason) {
            revert FailedOp(opIndex, string.concat("AA33 reverted: ", reason));
        } catch {
            revert FailedOp(opIndex, "AA33 reverted (or OOG)");
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

    /// @dev The execution phase of one operation; what it was charged. When `innerHandleOp` reverts (the paymaster's
    ///      `postOp` failed), the operation's call is undone and `postOp` is called once more in `postOpReverted`.
    function _executeOp(uint256 opIndex, UserOperation calldata op, UserOpInfo memory info, bytes memory context)
        internal
        returns (uint256 collected)
    {
        uint256 gasAtStart = gasleft();
        try this.innerHandleOp(op.callData, info, context) returns (uint256 cost) {
            collected = cost;
        } catch {
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
            uint256 gasUsed = gasAtStart - gasleft() + info.preOpGas;
            collected = _settle(opIndex, PostOpMode.postOpReverted, info, context, gasUsed);
        }
    }

    /// @dev Calls the paymaster's `postOp` (when it gave a context), charges the gas used at the operation's gas
    ///      price, credits the rest of the prefund back to whoever paid it, and emits `UserOperationEvent`.
    function _settle(
        uint256 opIndex,
        PostOpMode mode,
        UserOpInfo memory info,
        bytes memory context,
        uint256 gasUsed
    ) internal returns (uint256 actualGasCost) {
        uint256 gasAtStart = gasleft();
        MemoryUserOp memory m = info.mUserOp;
        uint256 price = EntryPointCalls.gasPrice(m.maxFeePerGas, m.maxPriorityFeePerGas);
        address refundTo = m.sender;
        if (m.paymaster != address(0)) {
            refundTo = m.paymaster;
            if (context.length > 0) {
                actualGasCost = gasUsed * price;
                if (mode != PostOpMode.postOpReverted) {
                    IPaymasterV06(m.paymaster).postOp{ gas: m.verificationGasLimit }(mode, context, actualGasCost);
                } else {
                    try IPaymasterV06(m.paymaster).postOp{ gas: m.verificationGasLimit }(mode, context, actualGasCost) { }
                    catch Error(string memory reason) {
                        revert FailedOp(opIndex, string.concat("AA50 postOp reverted: ", reason));
                    } catch {
                        revert FailedOp(opIndex, "AA50 postOp revert");
                    }
                }
            }
        }
        gasUsed += gasAtStart - gasleft();
        actualGasCost = gasUsed * price;
        if (info.prefund < actualGasCost) {
            revert FailedOp(opIndex, "AA51 prefund below actualGasCost");
        }
        _credit(refundTo, info.prefund - actualGasCost);
        emit UserOperationEvent(
            info.userOpHash, m.sender, m.paymaster, m.nonce, mode == PostOpMode.opSucceeded, actualGasCost, gasUsed
        );
    }
}
