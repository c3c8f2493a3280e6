// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice What a paymaster's `postOp` is told about the operation it sponsored (ERC-4337, both versions): the
///         account's call succeeded, it reverted, or the first `postOp` call itself reverted and this is the second
///         chance (v0.6; v0.7 has no second call but keeps the value).
enum PostOpMode {
    opSucceeded,
    opReverted,
    postOpReverted
}

/// @title ISenderCreator
/// @notice The factory-calling helper each entry point version runs `initCode` through (the SenderCreator preinstalls).
interface ISenderCreator {
    /// @notice Calls the factory named by the first 20 bytes of `initCode` with the rest; the account or zero.
    function createSender(bytes calldata initCode) external returns (address sender);
}

/// @title EntryPointValidationData
/// @notice The word an account or a paymaster answers from validation (ERC-4337): the low 160 bits name an
///         authorizer (zero: the signature is valid, one: it is not, anything else: the aggregator that checks it),
///         then a 48-bit `validUntil` (zero meaning "no end") and a 48-bit `validAfter`.
library EntryPointValidationData {
    /// @notice Splits `data` into its authorizer and its time range, with an open end as `type(uint48).max`.
    function unpack(uint256 data) internal pure returns (address authorizer, uint48 validAfter, uint48 validUntil) {
        authorizer = address(uint160(data));
        validUntil = uint48(data >> 160);
        if (validUntil == 0) {
            validUntil = type(uint48).max;
        }
        validAfter = uint48(data >> 208);
    }

    /// @notice The authorizer of `data` and whether the current block lies outside its time range.
    function check(uint256 data) internal view returns (address authorizer, bool outOfRange) {
        if (data == 0) {
            return (address(0), false);
        }
        uint48 validAfter;
        uint48 validUntil;
        (authorizer, validAfter, validUntil) = unpack(data);
        outOfRange = block.timestamp > validUntil || block.timestamp < validAfter;
    }

    /// @notice The range both the account's and the paymaster's answers allow, and the account's authorizer unless
    ///         it is zero, then the paymaster's: what the simulations report.
    function intersect(uint256 accountData, uint256 paymasterData)
        internal
        pure
        returns (address authorizer, uint48 validAfter, uint48 validUntil)
    {
        (address accountAuthorizer, uint48 accountAfter, uint48 accountUntil) = unpack(accountData);
        (address paymasterAuthorizer, uint48 paymasterAfter, uint48 paymasterUntil) = unpack(paymasterData);
        authorizer = accountAuthorizer == address(0) ? paymasterAuthorizer : accountAuthorizer;
        validAfter = accountAfter > paymasterAfter ? accountAfter : paymasterAfter;
        validUntil = accountUntil < paymasterUntil ? accountUntil : paymasterUntil;
    }
}

/// @title EntryPointNonces
/// @notice ERC-4337 account nonces: a nonce is a 192-bit key above a 64-bit sequence number, and each (account, key)
///         pair counts its own sequence, so an account may run several independent orderings.
abstract contract EntryPointNonces {
    /// @notice The next sequence number of `key` for `sender`.
    mapping(address => mapping(uint192 => uint256)) public nonceSequenceNumber;

    /// @notice The full nonce the next operation of `sender` with `key` must carry.
    function getNonce(address sender, uint192 key) public view returns (uint256 nonce) {
        return nonceSequenceNumber[sender][key] | (uint256(key) << 64);
    }

    /// @notice Skips one sequence number of `key` for the caller (an account invalidating a signed operation).
    function incrementNonce(uint192 key) public {
        nonceSequenceNumber[msg.sender][key]++;
    }

    /// @dev Consumes `nonce` for `sender`: true when it was the expected one (the sequence moves on either way; a
    ///      wrong nonce reverts the whole bundle).
    function _useNonce(address sender, uint256 nonce) internal returns (bool) {
        uint192 key = uint192(nonce >> 64);
        uint64 sequence = uint64(nonce);
        return nonceSequenceNumber[sender][key]++ == sequence;
    }
}

/// @title EntryPointStakes
/// @notice ERC-4337 deposits and stakes. A deposit pays for user operations (the entry point draws each operation's
///         prefund from it and credits back what was not used) and can be withdrawn at any time; a stake is locked
///         ETH that bundlers' reputation rules look at, withdrawable only `unstakeDelaySec` after `unlockStake`.
abstract contract EntryPointStakes {
    /// @dev One account's deposit and stake. The deposit takes a whole word; each version caps it
    ///      ([`_depositCap`]) and presents it in its own ABI type.
    struct StakeRecord {
        uint256 deposit;
        bool staked;
        uint112 stake;
        uint32 unstakeDelaySec;
        uint48 withdrawTime;
    }

    /// @dev The records, by account.
    mapping(address => StakeRecord) internal _records;

    /// @notice `account`'s deposit grew to `totalDeposit`.
    event Deposited(address indexed account, uint256 totalDeposit);
    /// @notice `amount` of `account`'s deposit went to `withdrawAddress`.
    event Withdrawn(address indexed account, address withdrawAddress, uint256 amount);
    /// @notice `account` staked `totalStaked` with an unstake delay of `unstakeDelaySec`.
    event StakeLocked(address indexed account, uint256 totalStaked, uint256 unstakeDelaySec);
    /// @notice `account` began unstaking; the stake is withdrawable from `withdrawTime`.
    event StakeUnlocked(address indexed account, uint256 withdrawTime);
    /// @notice `account`'s stake of `amount` went to `withdrawAddress`.
    event StakeWithdrawn(address indexed account, address withdrawAddress, uint256 amount);

    /// @notice ETH sent without calldata is a deposit for the sender.
    receive() external payable {
        depositTo(msg.sender);
    }

    /// @notice The deposit of `account`, in wei.
    function balanceOf(address account) public view returns (uint256) {
        return _records[account].deposit;
    }

    /// @notice Adds the call's ETH to `account`'s deposit.
    function depositTo(address account) public payable {
        uint256 total = _credit(account, msg.value);
        emit Deposited(account, total);
    }

    /// @notice Locks the call's ETH, on top of any stake, with an unstake delay no shorter than the current one.
    function addStake(uint32 unstakeDelaySec) public payable {
        StakeRecord storage record = _records[msg.sender];
        require(unstakeDelaySec > 0, "must specify unstake delay");
        require(unstakeDelaySec >= record.unstakeDelaySec, "cannot decrease unstake time");
        uint256 stake = record.stake + msg.value;
        require(stake > 0, "no stake specified");
        require(stake <= type(uint112).max, "stake overflow");
        record.staked = true;
        record.stake = uint112(stake);
        record.unstakeDelaySec = unstakeDelaySec;
        record.withdrawTime = 0;
        emit StakeLocked(msg.sender, stake, unstakeDelaySec);
    }

    /// @notice Starts the unstake delay of the caller's stake; the stake stops counting as staked.
    function unlockStake() external {
        StakeRecord storage record = _records[msg.sender];
        require(record.unstakeDelaySec != 0, "not staked");
        require(record.staked, "already unstaking");
        uint48 withdrawTime = uint48(block.timestamp) + record.unstakeDelaySec;
        record.withdrawTime = withdrawTime;
        record.staked = false;
        emit StakeUnlocked(msg.sender, withdrawTime);
    }

    /// @notice Sends the caller's whole stake to `withdrawAddress`, once its unstake delay has passed.
    function withdrawStake(address payable withdrawAddress) external {
        StakeRecord storage record = _records[msg.sender];
        uint256 stake = record.stake;
        require(stake > 0, "No stake to withdraw");
        require(record.withdrawTime > 0, "must call unlockStake() first");
        require(record.withdrawTime <= block.timestamp, "Stake withdrawal is not due");
        record.unstakeDelaySec = 0;
        record.withdrawTime = 0;
        record.stake = 0;
        emit StakeWithdrawn(msg.sender, withdrawAddress, stake);
        (bool sent,) = withdrawAddress.call{ value: stake }("");
        require(sent, "failed to withdraw stake");
    }

    /// @notice Sends `withdrawAmount` of the caller's deposit to `withdrawAddress`.
    function withdrawTo(address payable withdrawAddress, uint256 withdrawAmount) external {
        StakeRecord storage record = _records[msg.sender];
        require(withdrawAmount <= record.deposit, "Withdraw amount too large");
        record.deposit -= withdrawAmount;
        emit Withdrawn(msg.sender, withdrawAddress, withdrawAmount);
        (bool sent,) = withdrawAddress.call{ value: withdrawAmount }("");
        require(sent, "failed to withdraw");
    }

    /// @dev The largest deposit the version's ABI can present.
    function _depositCap() internal pure virtual returns (uint256);

    /// @dev Adds `amount` to `account`'s deposit; the new total.
    function _credit(address account, uint256 amount) internal returns (uint256 total) {
        total = _records[account].deposit + amount;
        require(total <= _depositCap(), "deposit overflow");
        _records[account].deposit = total;
    }

    /// @dev Takes `amount` from `account`'s deposit if it holds that much; whether it did.
    function _debit(address account, uint256 amount) internal returns (bool) {
        uint256 held = _records[account].deposit;
        if (held < amount) {
            return false;
        }
        _records[account].deposit = held - amount;
        return true;
    }
}

/// @title EntryPointGuard
/// @notice Refuses a call of a guarded function while another guarded call of the same contract runs (a bundle
///         cannot re-enter `handleOps`), in transient storage.
abstract contract EntryPointGuard {
    /// @dev The transient slot that is set while a guarded call runs: keccak256("superlink.entrypoint.guard").
    bytes32 private constant GUARD_SLOT = 0x6225252ab02a09a122390da959de0a31a50f82ea9a853102a472c73da55526c1;

    modifier nonReentrant() {
        bool entered;
        assembly {
            entered := tload(GUARD_SLOT)
        }
        if (entered) {
            _reentered();
        }
        assembly {
            tstore(GUARD_SLOT, 1)
        }
        _;
        assembly {
            tstore(GUARD_SLOT, 0)
        }
    }

    /// @dev Reverts the way the version's original does on re-entry.
    function _reentered() internal pure virtual;
}

/// @title EntryPointCalls
/// @notice Low-level helpers of both entry points.
library EntryPointCalls {
    /// @notice Calls `to` with `data` and at most `gasLimit` gas, no ETH; whether it succeeded.
    function call(address to, bytes memory data, uint256 gasLimit) internal returns (bool success) {
        assembly {
            success := call(gasLimit, to, 0, add(data, 0x20), mload(data), 0, 0)
        }
    }

    /// @notice The last call's return data, cut at `maxLength` bytes (a hostile callee cannot make the entry point
    ///         copy unbounded data).
    function returnData(uint256 maxLength) internal pure returns (bytes memory data) {
        assembly {
            let length := returndatasize()
            if gt(length, maxLength) { length := maxLength }
            data := mload(0x40)
            mstore(data, length)
            returndatacopy(add(data, 0x20), 0, length)
            mstore(0x40, add(add(data, 0x20), and(add(length, 31), not(31))))
        }
    }

    /// @notice The price per gas an operation pays: its `maxFeePerGas` when both fees are equal (no base fee
    ///         lookup), otherwise the lower of that and the priority fee over the block's base fee.
    function gasPrice(uint256 maxFeePerGas, uint256 maxPriorityFeePerGas) internal view returns (uint256) {
        if (maxFeePerGas == maxPriorityFeePerGas) {
            return maxFeePerGas;
        }
        uint256 offered = maxPriorityFeePerGas + block.basefee;
        return offered < maxFeePerGas ? offered : maxFeePerGas;
    }

    /// @notice Sends the bundle's collected fees to `beneficiary`.
    function compensate(address payable beneficiary, uint256 amount) internal {
        require(beneficiary != address(0), "AA90 invalid beneficiary");
        (bool sent,) = beneficiary.call{ value: amount }("");
        require(sent, "AA91 failed send to beneficiary");
    }
}
