// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Forwardable } from "./Forwardable.sol";

/// @title IDisputeGame
/// @notice What the portal and clients read from a dispute game (the OP Stack's `IDisputeGame`).
interface IDisputeGame {
    /// @notice The game's type.
    function gameType() external view returns (uint32);
    /// @notice The output root the game asserts.
    function rootClaim() external view returns (bytes32);
    /// @notice When the game was created.
    function createdAt() external view returns (uint64);
    /// @notice When the game was resolved (zero while in progress).
    function resolvedAt() external view returns (uint64);
    /// @notice 0 in progress, 1 challenger wins, 2 defender wins.
    function status() external view returns (uint8);
}

/// @title OutputRootGame
/// @notice One output-root proposal of the devnet's proposer: an L2 block number and the output root of that
///         block. There is no dispute: the game is resolved in favour of its claim when it is created. It answers
///         the getters of the OP Stack's dispute games that clients and the portal read.
contract OutputRootGame is IDisputeGame {
    /// @notice `GameStatus.DEFENDER_WINS`.
    uint8 internal constant DEFENDER_WINS = 2;

    uint32 internal immutable GAME_TYPE;
    bytes32 internal immutable ROOT_CLAIM;
    uint256 internal immutable L2_BLOCK_NUMBER;
    uint64 internal immutable CREATED_AT;
    address internal immutable CREATOR;

    constructor(uint32 _gameType, bytes32 _rootClaim, uint256 _l2BlockNumber, address _creator) {
        GAME_TYPE = _gameType;
        ROOT_CLAIM = _rootClaim;
        L2_BLOCK_NUMBER = _l2BlockNumber;
        CREATED_AT = uint64(block.timestamp);
        CREATOR = _creator;
    }

    /// @inheritdoc IDisputeGame
    function gameType() external view returns (uint32) {
        return GAME_TYPE;
    }

    /// @inheritdoc IDisputeGame
    function rootClaim() external view returns (bytes32) {
        return ROOT_CLAIM;
    }

    /// @notice The L2 block whose output root is claimed.
    function l2BlockNumber() external view returns (uint256) {
        return L2_BLOCK_NUMBER;
    }

    /// @notice The L2 block whose output root is claimed (the newer name of `l2BlockNumber`).
    function l2SequenceNumber() external view returns (uint256) {
        return L2_BLOCK_NUMBER;
    }

    /// @notice The extra data of the proposal: the L2 block number, as 32 bytes.
    function extraData() public view returns (bytes memory) {
        return abi.encodePacked(L2_BLOCK_NUMBER);
    }

    /// @notice Type, root claim and extra data at once.
    function gameData() external view returns (uint32 gameType_, bytes32 rootClaim_, bytes memory extraData_) {
        return (GAME_TYPE, ROOT_CLAIM, extraData());
    }

    /// @notice The proposer that created the game.
    function gameCreator() external view returns (address) {
        return CREATOR;
    }

    /// @inheritdoc IDisputeGame
    function createdAt() external view returns (uint64) {
        return CREATED_AT;
    }

    /// @inheritdoc IDisputeGame
    function resolvedAt() external view returns (uint64) {
        return CREATED_AT;
    }

    /// @inheritdoc IDisputeGame
    function status() external pure returns (uint8) {
        return DEFENDER_WINS;
    }

    /// @notice Resolves the game: it already is, for its claim.
    function resolve() external pure returns (uint8) {
        return DEFENDER_WINS;
    }

    /// @notice The portal's respected game type did not change under this game.
    function wasRespectedGameTypeWhenCreated() external pure returns (bool) {
        return true;
    }
}

/// @title DisputeGameFactory
/// @notice The registry of output-root proposals of one L2 on the L1, with the OP Stack factory's interface
///         (`create`, `gameCount`, `gameAtIndex`, `findLatestGames`, `games`, `DisputeGameCreated`). Each proposal
///         is an `OutputRootGame` that is resolved for its claim at creation. Only the proposer may create games
///         (anyone when no proposer is set). Storage (set at genesis): slot 0 the proposer, slot 1 the forwarder
///         at this contract's second address.
contract DisputeGameFactory is Forwardable {
    /// @notice One game found by `findLatestGames`.
    struct GameSearchResult {
        uint256 index;
        bytes32 metadata;
        uint64 timestamp;
        bytes32 rootClaim;
        bytes extraData;
    }

    /// @notice Semantic version of this contract.
    string public constant version = "1.0.0";

    /// @notice The only account that may create games; anyone when zero.
    address public proposer;

    /// @notice The forwarder at this contract's second address.
    address internal forwarder;

    /// @notice Every game, packed as `gameType << 224 | createdAt << 160 | address`.
    bytes32[] internal gameIds;

    /// @notice The game of each (type, root claim, extra data), by the hash of the three.
    mapping(bytes32 uuid => bytes32 gameId) internal gameByUuid;

    /// @notice A game was created.
    event DisputeGameCreated(address indexed disputeProxy, uint32 indexed gameType, bytes32 indexed rootClaim);

    /// @notice The caller is not the proposer.
    error NotProposer(address caller);
    /// @notice The extra data is not a 32-byte L2 block number.
    error InvalidExtraData();
    /// @notice Games carry no bond here.
    error IncorrectBondAmount();
    /// @notice The same proposal was already made.
    error GameAlreadyExists(bytes32 uuid);

    /// @notice Proposes `_rootClaim` as the output root of the L2 block `_extraData` (32 bytes, big-endian).
    function create(
        uint32 _gameType,
        bytes32 _rootClaim,
        bytes calldata _extraData
    )
        external
        payable
        returns (address proxy_)
    {
        address caller = _msgSender();
        address allowed = proposer;
        if (allowed != address(0) && caller != allowed) revert NotProposer(caller);
        if (msg.value != 0) revert IncorrectBondAmount();
        if (_extraData.length != 32) revert InvalidExtraData();
        bytes32 uuid = keccak256(abi.encode(_gameType, _rootClaim, _extraData));
        if (gameByUuid[uuid] != bytes32(0)) revert GameAlreadyExists(uuid);
        proxy_ = address(new OutputRootGame(_gameType, _rootClaim, uint256(bytes32(_extraData)), caller));
        bytes32 id =
            bytes32((uint256(_gameType) << 224) | (uint256(block.timestamp) << 160) | uint256(uint160(proxy_)));
        gameIds.push(id);
        gameByUuid[uuid] = id;
        emit DisputeGameCreated(proxy_, _gameType, _rootClaim);
    }

    /// @notice The number of games created.
    function gameCount() external view returns (uint256) {
        return gameIds.length;
    }

    /// @notice The game at `_index` (in creation order).
    function gameAtIndex(uint256 _index)
        external
        view
        returns (uint32 gameType_, uint64 timestamp_, address proxy_)
    {
        return _unpack(gameIds[_index]);
    }

    /// @notice The game of a proposal, or zeros.
    function games(
        uint32 _gameType,
        bytes32 _rootClaim,
        bytes calldata _extraData
    )
        external
        view
        returns (address proxy_, uint64 timestamp_)
    {
        bytes32 id = gameByUuid[keccak256(abi.encode(_gameType, _rootClaim, _extraData))];
        (, timestamp_, proxy_) = _unpack(id);
    }

    /// @notice Up to `_n` games of type `_gameType`, newest first, searching back from index `_start`.
    function findLatestGames(
        uint32 _gameType,
        uint256 _start,
        uint256 _n
    )
        external
        view
        returns (GameSearchResult[] memory games_)
    {
        uint256 count = gameIds.length;
        if (_start >= count || _n == 0) return games_;
        games_ = new GameSearchResult[](_n);
        uint256 found = 0;
        for (uint256 i = _start + 1; i > 0 && found < _n; i--) {
            bytes32 id = gameIds[i - 1];
            (uint32 gameType, uint64 timestamp, address proxy) = _unpack(id);
            if (gameType != _gameType) continue;
            OutputRootGame game = OutputRootGame(proxy);
            games_[found++] = GameSearchResult(i - 1, id, timestamp, game.rootClaim(), game.extraData());
        }
        assembly {
            mstore(games_, found)
        }
    }

    function _unpack(bytes32 _id) internal pure returns (uint32 gameType_, uint64 timestamp_, address proxy_) {
        uint256 id = uint256(_id);
        gameType_ = uint32(id >> 224);
        timestamp_ = uint64(id >> 160);
        proxy_ = address(uint160(id));
    }

    /// @inheritdoc Forwardable
    function _forwarder() internal view override returns (address) {
        return forwarder;
    }
}
