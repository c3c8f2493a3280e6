// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { MerkleTrie } from "../src/MerkleTrie.sol";

/// @title MerkleTrieProbe
/// @notice Test access to the `MerkleTrie` library.
contract MerkleTrieProbe {
    /// @notice `MerkleTrie.get`.
    function get(bytes calldata _key, bytes[] calldata _proof, bytes32 _root)
        external
        pure
        returns (bool found_, bytes memory value_)
    {
        return MerkleTrie.get(_key, _proof, _root);
    }
}
