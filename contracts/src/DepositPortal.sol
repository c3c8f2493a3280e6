// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title DepositPortal
/// @notice The L1 entry point of deposits into one L2, after the deposit contract of the OP Stack deposits spec
///         (`specs/protocol/deposits.md`). Every deposit emits `TransactionDeposited`; the L2 turns each such
///         log into a deposit transaction (type 0x7e) that its next block executes right after the L1 attributes
///         deposit. The ETH sent along stays locked here and is minted to the sender on the L2.
///         A call from a contract deposits from the contract's L1 → L2 alias (the address plus
///         `0x1111000000000000000000000000000000001111`, modulo 2^160), so an L2 contract at the same address
///         cannot be impersonated by unrelated L1 code; a call from the transaction's origin keeps its address.
///         There is no gas market: the L2 gas of a deposit is free within the limits below.
///         Works from empty storage: it keeps none. `OptimismPortal` extends it with withdrawals.
contract DepositPortal {
    /// @notice Version of the `opaqueData` encoding in `TransactionDeposited`.
    uint256 public constant DEPOSIT_VERSION = 0;

    /// @notice L2 gas limit of a deposit made by sending ETH without calldata.
    uint64 public constant RECEIVE_DEFAULT_GAS_LIMIT = 100_000;

    /// @notice Largest L2 gas limit a single deposit may ask for.
    uint64 public constant MAX_GAS_LIMIT = 20_000_000;

    /// @notice Largest calldata (or init code) a deposit may carry, in bytes.
    uint256 public constant MAX_DATA_LENGTH = 120_000;

    /// @notice What the L1 → L2 alias adds to a contract's address.
    uint160 internal constant ALIAS_OFFSET = uint160(0x1111000000000000000000000000000000001111);

    /// @notice Emitted for every deposit. `opaqueData` is the packed
    ///         `(uint256 mint, uint256 value, uint64 gasLimit, bool isCreation, bytes data)`.
    event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData);

    /// @notice A contract creation named a target; creations must pass the zero address.
    error CreationWithTarget();

    /// @notice The gas limit is below what the deposit's data needs (`minimumGasLimit`).
    error GasLimitTooLow(uint64 gasLimit, uint64 minimum);

    /// @notice The gas limit is above `MAX_GAS_LIMIT`.
    error GasLimitTooHigh(uint64 gasLimit, uint64 maximum);

    /// @notice The calldata is longer than `MAX_DATA_LENGTH`.
    error DataTooLarge(uint256 length, uint256 maximum);

    /// @notice Sending ETH without calldata deposits it to the same address on the L2: `msg.value` is minted to
    ///         the sender (or its alias) there and sent on to the sender's address.
    receive() external payable {
        address sender = _caller();
        _deposit(sender, sender, msg.value, RECEIVE_DEFAULT_GAS_LIMIT, false, bytes(""));
    }

    /// @notice Deposits a transaction into the L2: `msg.value` is minted to the sender there, then the sender
    ///         calls `_to` with `_value` and `_data` (or creates a contract from `_data`) with `_gasLimit` gas.
    /// @param _to         The L2 account called; must be the zero address for a creation.
    /// @param _value      Wei sent along on the L2 (from the sender's L2 balance, which `msg.value` tops up).
    /// @param _gasLimit   L2 gas limit, at least `minimumGasLimit(_data.length)`, at most `MAX_GAS_LIMIT`.
    /// @param _isCreation Whether `_data` is init code of a contract to create.
    /// @param _data       Calldata, or init code.
    function depositTransaction(
        address _to,
        uint256 _value,
        uint64 _gasLimit,
        bool _isCreation,
        bytes memory _data
    )
        public
        payable
        virtual
    {
        _deposit(_caller(), _to, _value, _gasLimit, _isCreation, _data);
    }

    /// @notice The smallest L2 gas limit accepted for a deposit with `_dataLength` bytes of data: 21000 plus 40
    ///         per byte.
    function minimumGasLimit(uint64 _dataLength) public pure returns (uint64) {
        return 21_000 + _dataLength * 40;
    }

    /// @notice The L2 address that deposits made by the L1 contract `_l1Address` come from.
    function l1ToL2Alias(address _l1Address) public pure returns (address) {
        unchecked {
            return address(uint160(_l1Address) + ALIAS_OFFSET);
        }
    }

    /// @notice The account that makes the current deposit (`msg.sender` here; a contract reached through a
    ///         second address names the original caller).
    function _caller() internal view virtual returns (address) {
        return msg.sender;
    }

    /// @notice Emits the deposit of `_sender` after checking it; the sender's alias is used unless the sender is
    ///         the transaction's origin.
    function _deposit(
        address _sender,
        address _to,
        uint256 _value,
        uint64 _gasLimit,
        bool _isCreation,
        bytes memory _data
    )
        internal
    {
        if (_isCreation && _to != address(0)) revert CreationWithTarget();
        if (_data.length > MAX_DATA_LENGTH) revert DataTooLarge(_data.length, MAX_DATA_LENGTH);
        uint64 minimum = minimumGasLimit(uint64(_data.length));
        if (_gasLimit < minimum) revert GasLimitTooLow(_gasLimit, minimum);
        if (_gasLimit > MAX_GAS_LIMIT) revert GasLimitTooHigh(_gasLimit, MAX_GAS_LIMIT);

        address from = _sender == tx.origin ? _sender : l1ToL2Alias(_sender);
        bytes memory opaqueData = abi.encodePacked(msg.value, _value, _gasLimit, _isCreation, _data);
        emit TransactionDeposited(from, _to, DEPOSIT_VERSION, opaqueData);
    }
}
