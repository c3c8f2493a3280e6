// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { DepositPortal } from "./DepositPortal.sol";
import { DisputeGameFactory, IDisputeGame } from "./DisputeGameFactory.sol";
import { Forwardable } from "./Forwardable.sol";
import { MerkleTrie } from "./MerkleTrie.sol";

/// @title OptimismPortal
/// @notice The L1 side of one L2, with the interface of the OP Stack's fault-proof `OptimismPortal`
///         (`specs/protocol/deposits.md`, `withdrawals.md`, `fault-proof/stage-one/optimism-portal.md`):
///         deposits exactly as `DepositPortal`, and withdrawals, which are proven against an output root of the
///         L2 proposed in the `DisputeGameFactory` and finalized once the proof is older than
///         `proofMaturityDelaySeconds`. The ETH of deposits stays here and pays withdrawals.
///
///         Storage (set at genesis): slot 0 the factory, 1 the forwarder at this contract's second address, 2 the
///         proof maturity delay, 3 the game finality delay, 4 the respected game type; then the withdrawal
///         records. The L2 sender of the withdrawal being finalized lives in transient storage.
contract OptimismPortal is DepositPortal, Forwardable {
    /// @notice A withdrawal as `L2ToL1MessagePasser` recorded it.
    struct WithdrawalTransaction {
        uint256 nonce;
        address sender;
        address target;
        uint256 value;
        uint256 gasLimit;
        bytes data;
    }

    /// @notice The preimage of an output root (version 0).
    struct OutputRootProof {
        bytes32 version;
        bytes32 stateRoot;
        bytes32 messagePasserStorageRoot;
        bytes32 latestBlockhash;
    }

    /// @notice A proof of a withdrawal by one submitter.
    struct ProvenWithdrawal {
        IDisputeGame disputeGameProxy;
        uint64 timestamp;
    }

    /// @notice Semantic version; major version 3 is the fault-proof portal, which clients pick their withdrawal
    ///         flow by.
    string public constant version = "3.0.0";

    /// @notice What `l2Sender()` answers outside a withdrawal.
    address internal constant DEFAULT_L2_SENDER = 0x000000000000000000000000000000000000dEaD;

    /// @notice Transient slot of the L2 sender of the withdrawal being finalized.
    bytes32 internal constant L2_SENDER_SLOT = keccak256("superlink.OptimismPortal.l2Sender");

    /// @notice `GameStatus.CHALLENGER_WINS`.
    uint8 internal constant CHALLENGER_WINS = 1;

    /// @notice `GameStatus.DEFENDER_WINS`.
    uint8 internal constant DEFENDER_WINS = 2;

    /// @notice Where output roots are proposed.
    DisputeGameFactory internal factory;

    /// @notice The forwarder at this contract's second address.
    address internal forwarder;

    /// @notice How long a proof must wait before its withdrawal can be finalized, in seconds.
    uint256 public proofMaturityDelaySeconds;

    /// @notice How long after its resolution a game's claim can be used to finalize, in seconds.
    uint256 public disputeGameFinalityDelaySeconds;

    /// @notice The only game type whose claims withdrawals may be proven against.
    uint256 internal respectedType;

    /// @notice The proof of each withdrawal by each submitter.
    mapping(bytes32 withdrawalHash => mapping(address submitter => ProvenWithdrawal)) public provenWithdrawals;

    /// @notice Everyone who proved a withdrawal, in order.
    mapping(bytes32 withdrawalHash => address[] submitters) public proofSubmitters;

    /// @notice Withdrawals already finalized.
    mapping(bytes32 withdrawalHash => bool finalized) public finalizedWithdrawals;

    /// @notice A withdrawal was proven.
    event WithdrawalProven(bytes32 indexed withdrawalHash, address indexed from, address indexed to);
    /// @notice Who proved it.
    event WithdrawalProvenExtension1(bytes32 indexed withdrawalHash, address indexed proofSubmitter);
    /// @notice A withdrawal was finalized; `success` tells whether its call succeeded.
    event WithdrawalFinalized(bytes32 indexed withdrawalHash, bool success);

    /// @notice A withdrawal may not call the portal itself.
    error OptimismPortal_BadTarget();
    /// @notice The game is not of the respected type.
    error OptimismPortal_InvalidGameType();
    /// @notice The game was resolved against its claim.
    error OptimismPortal_InvalidDisputeGame();
    /// @notice The output root proof does not hash to the game's claim.
    error OptimismPortal_InvalidOutputRootProof();
    /// @notice The storage proof does not show the withdrawal in the message passer.
    error OptimismPortal_InvalidMerkleProof();
    /// @notice The withdrawal was already finalized.
    error OptimismPortal_AlreadyFinalized();
    /// @notice The withdrawal was not proven by this submitter.
    error OptimismPortal_Unproven();
    /// @notice The proof is not newer than its game.
    error OptimismPortal_InvalidProofTimestamp();
    /// @notice The game's claim does not hold.
    error OptimismPortal_InvalidRootClaim();
    /// @notice A withdrawal is already being finalized.
    error OptimismPortal_NoReentrancy();
    /// @notice Not enough gas is left to give the withdrawal its gas limit.
    error OptimismPortal_InsufficientGas();
    /// @notice Only a forwarded plain transfer reaches the fallback.
    error OptimismPortal_UnknownCall();

    /// @notice A plain ETH transfer made at this contract's second address: a deposit, as `receive()`.
    fallback() external payable {
        if (!_isForwardedTransfer()) revert OptimismPortal_UnknownCall();
        address sender = _msgSender();
        _deposit(sender, sender, msg.value, RECEIVE_DEFAULT_GAS_LIMIT, false, bytes(""));
    }

    /// @notice The factory whose games withdrawals are proven against.
    function disputeGameFactory() external view returns (address) {
        return address(factory);
    }

    /// @notice The game type whose claims are respected.
    function respectedGameType() external view returns (uint32) {
        return uint32(respectedType);
    }

    /// @notice Proofs are against output roots, not super roots.
    function superRootsActive() external pure returns (bool) {
        return false;
    }

    /// @notice The L2 sender of the withdrawal being finalized; `0x…dEaD` otherwise.
    function l2Sender() public view returns (address sender_) {
        bytes32 slot = L2_SENDER_SLOT;
        assembly {
            sender_ := tload(slot)
        }
        if (sender_ == address(0)) sender_ = DEFAULT_L2_SENDER;
    }

    /// @notice The number of accounts that proved a withdrawal.
    function numProofSubmitters(bytes32 _withdrawalHash) external view returns (uint256) {
        return proofSubmitters[_withdrawalHash].length;
    }

    /// @notice The hash `L2ToL1MessagePasser` records a withdrawal under.
    function hashWithdrawal(WithdrawalTransaction memory _tx) public pure returns (bytes32) {
        return keccak256(abi.encode(_tx.nonce, _tx.sender, _tx.target, _tx.value, _tx.gasLimit, _tx.data));
    }

    /// @notice Proves that the L2 initiated `_tx`: the game at `_disputeGameIndex` claims the output root of
    ///         `_outputRootProof`, whose message-passer storage root holds `sentMessages[hash] = true` according
    ///         to the storage proof `_withdrawalProof`. Records the proof under the caller; proving again replaces
    ///         the caller's earlier proof.
    function proveWithdrawalTransaction(
        WithdrawalTransaction memory _tx,
        uint256 _disputeGameIndex,
        OutputRootProof calldata _outputRootProof,
        bytes[] calldata _withdrawalProof
    )
        external
    {
        if (_tx.target == address(this)) revert OptimismPortal_BadTarget();
        (uint32 gameType,, address proxy) = factory.gameAtIndex(_disputeGameIndex);
        if (gameType != uint32(respectedType)) revert OptimismPortal_InvalidGameType();
        IDisputeGame game = IDisputeGame(proxy);
        if (game.status() == CHALLENGER_WINS) revert OptimismPortal_InvalidDisputeGame();
        if (_outputRootProof.version != bytes32(0) || keccak256(abi.encode(_outputRootProof)) != game.rootClaim()) {
            revert OptimismPortal_InvalidOutputRootProof();
        }
        bytes32 withdrawalHash = hashWithdrawal(_tx);
        if (finalizedWithdrawals[withdrawalHash]) revert OptimismPortal_AlreadyFinalized();
        bytes32 storageKey = keccak256(abi.encode(withdrawalHash, uint256(0)));
        (bool found, bytes memory value) = MerkleTrie.get(
            abi.encodePacked(keccak256(abi.encode(storageKey))),
            _withdrawalProof,
            _outputRootProof.messagePasserStorageRoot
        );
        if (!found || keccak256(value) != keccak256(hex"01")) revert OptimismPortal_InvalidMerkleProof();

        address submitter = _msgSender();
        if (provenWithdrawals[withdrawalHash][submitter].timestamp == 0) {
            proofSubmitters[withdrawalHash].push(submitter);
        }
        provenWithdrawals[withdrawalHash][submitter] = ProvenWithdrawal(game, uint64(block.timestamp));
        emit WithdrawalProven(withdrawalHash, _tx.sender, _tx.target);
        emit WithdrawalProvenExtension1(withdrawalHash, submitter);
    }

    /// @notice Finalizes `_tx` as proven by the caller.
    function finalizeWithdrawalTransaction(WithdrawalTransaction memory _tx) external {
        finalizeWithdrawalTransactionExternalProof(_tx, _msgSender());
    }

    /// @notice Finalizes `_tx` as proven by `_proofSubmitter`: calls its target with its value, data and gas
    ///         limit, with `l2Sender()` answering its L2 sender. The withdrawal is finalized even if that call
    ///         fails (`WithdrawalFinalized` says whether it succeeded).
    function finalizeWithdrawalTransactionExternalProof(
        WithdrawalTransaction memory _tx,
        address _proofSubmitter
    )
        public
    {
        if (l2Sender() != DEFAULT_L2_SENDER) revert OptimismPortal_NoReentrancy();
        if (_tx.target == address(this)) revert OptimismPortal_BadTarget();
        bytes32 withdrawalHash = hashWithdrawal(_tx);
        checkWithdrawal(withdrawalHash, _proofSubmitter);
        finalizedWithdrawals[withdrawalHash] = true;

        // The call must get at least its gas limit: keep a margin for the 1/64 rule and what follows the call.
        if (gasleft() < (_tx.gasLimit * 64) / 63 + 40_000) revert OptimismPortal_InsufficientGas();
        _setL2Sender(_tx.sender);
        (bool success,) = _tx.target.call{ gas: _tx.gasLimit, value: _tx.value }(_tx.data);
        _setL2Sender(address(0));
        emit WithdrawalFinalized(withdrawalHash, success);
    }

    /// @notice Reverts unless the withdrawal `_withdrawalHash` proven by `_proofSubmitter` can be finalized now:
    ///         `OptimismPortal_AlreadyFinalized`, `OptimismPortal_Unproven`, `OptimismPortal_InvalidProofTimestamp`,
    ///         `OptimismPortal_InvalidRootClaim`, or the reasons "OptimismPortal: proven withdrawal has not matured
    ///         yet" and "OptimismPortal: output proposal has not been finalized yet".
    function checkWithdrawal(bytes32 _withdrawalHash, address _proofSubmitter) public view {
        if (finalizedWithdrawals[_withdrawalHash]) revert OptimismPortal_AlreadyFinalized();
        ProvenWithdrawal memory proven = provenWithdrawals[_withdrawalHash][_proofSubmitter];
        if (proven.timestamp == 0) revert OptimismPortal_Unproven();
        IDisputeGame game = proven.disputeGameProxy;
        if (proven.timestamp <= game.createdAt()) revert OptimismPortal_InvalidProofTimestamp();
        if (block.timestamp - proven.timestamp <= proofMaturityDelaySeconds) {
            revert("OptimismPortal: proven withdrawal has not matured yet");
        }
        if (game.status() != DEFENDER_WINS) revert OptimismPortal_InvalidRootClaim();
        if (block.timestamp - game.resolvedAt() <= disputeGameFinalityDelaySeconds) {
            revert("OptimismPortal: output proposal has not been finalized yet");
        }
    }

    function _setL2Sender(address _sender) internal {
        bytes32 slot = L2_SENDER_SLOT;
        assembly {
            tstore(slot, _sender)
        }
    }

    /// @inheritdoc DepositPortal
    function _caller() internal view override returns (address) {
        return _msgSender();
    }

    /// @inheritdoc Forwardable
    function _forwarder() internal view override returns (address) {
        return forwarder;
    }
}
