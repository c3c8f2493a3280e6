// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { ERC20 } from "./ERC20.sol";
import { IERC165 } from "./IERC7802.sol";

/// @title ILegacyMintableERC20
/// @notice The interface the L2 standard bridge first recognised its mintable tokens by.
interface ILegacyMintableERC20 {
    /// @notice The token on the L1.
    function l1Token() external view returns (address);
    /// @notice Mints tokens (the bridge only).
    function mint(address _to, uint256 _amount) external;
    /// @notice Burns tokens (the bridge only).
    function burn(address _from, uint256 _amount) external;
}

/// @title IOptimismMintableERC20
/// @notice The interface a standard bridge recognises its mintable tokens by.
interface IOptimismMintableERC20 {
    /// @notice The token on the other side.
    function remoteToken() external view returns (address);
    /// @notice The bridge that may mint and burn.
    function bridge() external view returns (address);
    /// @notice Mints tokens (the bridge only).
    function mint(address _to, uint256 _amount) external;
    /// @notice Burns tokens (the bridge only).
    function burn(address _from, uint256 _amount) external;
}

/// @title OptimismMintableERC20
/// @notice The representation on this chain of a token of the other side of a standard bridge: the bridge mints
///         it when the token arrives and burns it when it leaves.
contract OptimismMintableERC20 is ERC20, IERC165 {
    /// @notice Semantic version of this contract.
    string public constant version = "1.0.0";

    address internal immutable REMOTE;
    address internal immutable BRIDGE_ADDRESS;
    uint8 internal immutable DECIMALS;

    string internal tokenName;
    string internal tokenSymbol;

    /// @notice The bridge minted tokens.
    event Mint(address indexed account, uint256 amount);
    /// @notice The bridge burned tokens.
    event Burn(address indexed account, uint256 amount);

    /// @notice Only the bridge may mint and burn.
    error OnlyBridge();

    constructor(address _bridge, address _remoteToken, string memory _name, string memory _symbol, uint8 _decimals) {
        BRIDGE_ADDRESS = _bridge;
        REMOTE = _remoteToken;
        tokenName = _name;
        tokenSymbol = _symbol;
        DECIMALS = _decimals;
    }

    /// @notice Mints `_amount` to `_to`; the bridge only.
    function mint(address _to, uint256 _amount) external {
        if (msg.sender != BRIDGE_ADDRESS) revert OnlyBridge();
        _mint(_to, _amount);
        emit Mint(_to, _amount);
    }

    /// @notice Burns `_amount` of `_from`; the bridge only.
    function burn(address _from, uint256 _amount) external {
        if (msg.sender != BRIDGE_ADDRESS) revert OnlyBridge();
        _burn(_from, _amount);
        emit Burn(_from, _amount);
    }

    /// @notice The token on the other side.
    function remoteToken() external view returns (address) {
        return REMOTE;
    }

    /// @notice The token on the other side (the legacy name).
    function REMOTE_TOKEN() external view returns (address) {
        return REMOTE;
    }

    /// @notice The token on the L1 (the legacy name).
    function l1Token() external view returns (address) {
        return REMOTE;
    }

    /// @notice The bridge that mints and burns.
    function bridge() external view returns (address) {
        return BRIDGE_ADDRESS;
    }

    /// @notice The bridge that mints and burns (the legacy name).
    function BRIDGE() external view returns (address) {
        return BRIDGE_ADDRESS;
    }

    /// @notice The bridge that mints and burns (the legacy name).
    function l2Bridge() external view returns (address) {
        return BRIDGE_ADDRESS;
    }

    /// @inheritdoc ERC20
    function name() public view override returns (string memory) {
        return tokenName;
    }

    /// @inheritdoc ERC20
    function symbol() public view override returns (string memory) {
        return tokenSymbol;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return DECIMALS;
    }

    /// @notice ERC-165: ERC-165 itself and both mintable-token interfaces.
    function supportsInterface(bytes4 _interfaceId) external pure returns (bool) {
        return _interfaceId == type(IERC165).interfaceId || _interfaceId == type(ILegacyMintableERC20).interfaceId
            || _interfaceId == type(IOptimismMintableERC20).interfaceId;
    }
}
