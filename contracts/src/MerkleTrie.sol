// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title MerkleTrie
/// @notice Reads one value out of a Merkle-Patricia trie (the trie of Ethereum's state and storage, see the
///         yellow paper, appendix D) from an inclusion proof: the RLP-encoded nodes on the path from the root to the
///         key's leaf, in order. A child that is a 32-byte string is referenced by the keccak-256 hash of its
///         encoding, and must be the next proof element; a child whose encoding is shorter than 32 bytes is
///         embedded in its parent as a list, and is read in place (a proof may still repeat it as its next element,
///         as some clients do). Every proof element must be used.
library MerkleTrie {
    /// @notice Where one RLP item sits inside a byte string.
    struct Item {
        uint256 start; // first byte of the item's encoding
        uint256 payload; // first byte of its payload
        uint256 length; // payload length
        uint256 end; // one past its last byte
        bool isList; // a list, or a string
    }

    /// @notice The value at `_key` (the raw key: a storage trie's key is the hash of the slot), or `found_` false
    ///         when the proof is malformed, does not match `_root`, or proves nothing at `_key`.
    function get(
        bytes memory _key,
        bytes[] memory _proof,
        bytes32 _root
    )
        internal
        pure
        returns (bool found_, bytes memory value_)
    {
        bytes memory path = _nibbles(_key);
        uint256 depth = 0; // nibbles of `path` consumed
        uint256 used = 0; // proof elements consumed
        bytes memory childRef = abi.encodePacked(_root);
        bool byHash = true;
        while (true) {
            bytes memory node;
            if (byHash) {
                if (used == _proof.length) return (false, "");
                node = _proof[used++];
                if (keccak256(node) != bytes32(childRef)) return (false, "");
            } else {
                node = childRef;
                if (used < _proof.length && keccak256(_proof[used]) == keccak256(node)) used++;
            }
            (bool ok, Item[17] memory items, uint256 count) = _split(node);
            if (!ok) return (false, "");
            if (count == 17) {
                if (depth == path.length) {
                    if (items[16].isList || items[16].length == 0) return (false, "");
                    value_ = _copy(node, items[16].payload, items[16].length);
                    break;
                }
                Item memory child = items[uint8(path[depth])];
                depth++;
                (ok, childRef, byHash) = _childReference(node, child);
                if (!ok) return (false, "");
            } else if (count == 2) {
                if (items[0].isList || items[0].length == 0) return (false, "");
                bytes memory encoded = _nibbles(_copy(node, items[0].payload, items[0].length));
                uint8 flag = uint8(encoded[0]);
                if (flag > 3) return (false, "");
                uint256 skip = (flag & 1) == 1 ? 1 : 2;
                if (skip == 2 && encoded[1] != 0) return (false, "");
                uint256 length = encoded.length - skip;
                if (depth + length > path.length) return (false, "");
                for (uint256 i = 0; i < length; i++) {
                    if (encoded[skip + i] != path[depth + i]) return (false, "");
                }
                depth += length;
                if (flag >= 2) {
                    // A leaf: the key must end here.
                    if (depth != path.length || items[1].isList) return (false, "");
                    value_ = _copy(node, items[1].payload, items[1].length);
                    break;
                }
                (ok, childRef, byHash) = _childReference(node, items[1]);
                if (!ok) return (false, "");
            } else {
                return (false, "");
            }
        }
        if (used != _proof.length) return (false, "");
        found_ = true;
    }

    /// @notice How a branch or extension refers to a child: a 32-byte hash, or an embedded node.
    function _childReference(
        bytes memory _node,
        Item memory _child
    )
        private
        pure
        returns (bool ok_, bytes memory reference_, bool byHash_)
    {
        if (_child.isList) {
            if (_child.end - _child.start >= 32) return (false, "", false);
            return (true, _copy(_node, _child.start, _child.end - _child.start), false);
        }
        if (_child.length != 32) return (false, "", false); // empty (absent) or malformed
        return (true, _copy(_node, _child.payload, 32), true);
    }

    /// @notice The items of the RLP list `_node` (a branch has 17, a leaf or extension 2).
    function _split(bytes memory _node) private pure returns (bool ok_, Item[17] memory items_, uint256 count_) {
        Item memory list;
        (ok_, list) = _item(_node, 0);
        if (!ok_ || !list.isList || list.end != _node.length) return (false, items_, 0);
        uint256 at = list.payload;
        while (at < list.end) {
            if (count_ == 17) return (false, items_, 0);
            Item memory item;
            (ok_, item) = _item(_node, at);
            if (!ok_ || item.end > list.end) return (false, items_, 0);
            items_[count_++] = item;
            at = item.end;
        }
        ok_ = true;
    }

    /// @notice The RLP item whose encoding starts at `_at` in `_data`.
    function _item(bytes memory _data, uint256 _at) private pure returns (bool ok_, Item memory item_) {
        if (_at >= _data.length) return (false, item_);
        uint256 prefix = uint8(_data[_at]);
        item_.start = _at;
        if (prefix < 0x80) {
            (item_.payload, item_.length) = (_at, 1);
        } else if (prefix <= 0xb7) {
            (item_.payload, item_.length) = (_at + 1, prefix - 0x80);
        } else if (prefix <= 0xbf) {
            (ok_, item_.length) = _bigEndian(_data, _at + 1, prefix - 0xb7);
            if (!ok_) return (false, item_);
            item_.payload = _at + 1 + prefix - 0xb7;
        } else if (prefix <= 0xf7) {
            (item_.payload, item_.length, item_.isList) = (_at + 1, prefix - 0xc0, true);
        } else {
            (ok_, item_.length) = _bigEndian(_data, _at + 1, prefix - 0xf7);
            if (!ok_) return (false, item_);
            (item_.payload, item_.isList) = (_at + 1 + prefix - 0xf7, true);
        }
        item_.end = item_.payload + item_.length;
        ok_ = item_.end <= _data.length;
    }

    /// @notice The big-endian number in `_size` bytes of `_data` from `_at` (at most 8 bytes).
    function _bigEndian(
        bytes memory _data,
        uint256 _at,
        uint256 _size
    )
        private
        pure
        returns (bool ok_, uint256 value_)
    {
        if (_size > 8 || _at + _size > _data.length) return (false, 0);
        for (uint256 i = 0; i < _size; i++) {
            value_ = (value_ << 8) | uint8(_data[_at + i]);
        }
        ok_ = true;
    }

    /// @notice `_length` bytes of `_data` from `_from`.
    function _copy(bytes memory _data, uint256 _from, uint256 _length) private pure returns (bytes memory out_) {
        out_ = new bytes(_length);
        assembly {
            mcopy(add(out_, 0x20), add(add(_data, 0x20), _from), _length)
        }
    }

    /// @notice Each byte of `_bytes` as two nibbles, high one first.
    function _nibbles(bytes memory _bytes) private pure returns (bytes memory out_) {
        out_ = new bytes(_bytes.length * 2);
        for (uint256 i = 0; i < _bytes.length; i++) {
            out_[2 * i] = bytes1(uint8(_bytes[i]) >> 4);
            out_[2 * i + 1] = bytes1(uint8(_bytes[i]) & 0x0f);
        }
    }
}
