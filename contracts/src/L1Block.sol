// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import { Predeploys } from "./Predeploys.sol";

/// @title L1Block
/// @notice The attributes of the L1 block the current L2 block derives from, set by the first transaction of
///         every L2 block: a deposit from the depositor account whose calldata is a selector followed by the
///         values packed back to back (no ABI encoding). The storage layout is fixed by the protocol, since the
///         execution engine reads these slots directly to charge the L1 data fee and the operator fee:
///         slot 0: number (u64, bytes 24..32) | timestamp (u64, bytes 16..24)
///         slot 1: basefee, slot 2: hash
///         slot 3: sequenceNumber (u64, bytes 24..32) | blobBaseFeeScalar (u32, bytes 20..24)
///                 | baseFeeScalar (u32, bytes 16..20)
///         slot 4: batcherHash, slot 5: l1FeeOverhead, slot 6: l1FeeScalar, slot 7: blobBaseFee
///         slot 8: operatorFeeConstant (u64, bytes 24..32) | operatorFeeScalar (u32, bytes 20..24)
///                 | daFootprintGasScalar (u16, bytes 18..20)
///         (byte ranges counted from the most significant byte of the 32-byte slot value).
contract L1Block {
    /// @notice Number of the L1 origin block.
    uint64 public number;
    /// @notice Timestamp of the L1 origin block.
    uint64 public timestamp;
    /// @notice Base fee of the L1 origin block.
    uint256 public basefee;
    /// @notice Hash of the L1 origin block.
    bytes32 public hash;
    /// @notice Position of this L2 block in its epoch (0 for the first block of an L1 origin).
    uint64 public sequenceNumber;
    /// @notice Scalar applied to the L1 blob base fee in the L1 data fee.
    uint32 public blobBaseFeeScalar;
    /// @notice Scalar applied to the L1 base fee in the L1 data fee.
    uint32 public baseFeeScalar;
    /// @notice Versioned hash of the batch submitter's address.
    bytes32 public batcherHash;
    /// @notice Fee overhead of the pre-Ecotone L1 data fee formula.
    uint256 public l1FeeOverhead;
    /// @notice Fee scalar of the pre-Ecotone L1 data fee formula.
    uint256 public l1FeeScalar;
    /// @notice Blob base fee of the L1 origin block.
    uint256 public blobBaseFee;
    /// @notice Constant part of the operator fee.
    uint64 public operatorFeeConstant;
    /// @notice Scalar of the operator fee.
    uint32 public operatorFeeScalar;
    /// @notice Scalar of the data-availability footprint of a transaction.
    uint16 public daFootprintGasScalar;

    /// @notice Semantic version of this contract.
    string public constant version = "1.0.0";

    /// @notice The caller is not the depositor account.
    error NotDepositor();

    /// @notice The account allowed to set the attributes.
    function DEPOSITOR_ACCOUNT() external pure returns (address) {
        return Predeploys.DEPOSITOR_ACCOUNT;
    }

    /// @notice Sets the Ecotone attributes from 160 packed bytes after the selector: baseFeeScalar (u32),
    ///         blobBaseFeeScalar (u32), sequenceNumber (u64), timestamp (u64), number (u64), basefee,
    ///         blobBaseFee, hash, batcherHash (32 bytes each).
    function setL1BlockValuesEcotone() external {
        _checkDepositor();
        _setEcotoneValues();
    }

    /// @notice Sets the Isthmus attributes: the Ecotone ones, then operatorFeeScalar (u32) and
    ///         operatorFeeConstant (u64).
    function setL1BlockValuesIsthmus() external {
        _checkDepositor();
        _setEcotoneValues();
        _setOperatorFeeValues();
    }

    /// @notice Sets the Jovian attributes: the Isthmus ones, then daFootprintGasScalar (u16).
    function setL1BlockValuesJovian() external {
        _checkDepositor();
        _setEcotoneValues();
        _setOperatorFeeValues();
        daFootprintGasScalar = uint16(bytes2(_word(176)));
    }

    /// @notice Requires the depositor account as caller.
    function _checkDepositor() internal view {
        if (msg.sender != Predeploys.DEPOSITOR_ACCOUNT) revert NotDepositor();
    }

    /// @notice The 32 calldata bytes from `_offset` on; bytes past the end of the calldata read as zero, as the
    ///         `CALLDATALOAD` opcode defines.
    function _word(uint256 _offset) internal pure returns (bytes32 word_) {
        assembly ("memory-safe") {
            word_ := calldataload(_offset)
        }
    }

    /// @notice Stores the attributes of calldata bytes 4..164.
    function _setEcotoneValues() internal {
        baseFeeScalar = uint32(bytes4(_word(4)));
        blobBaseFeeScalar = uint32(bytes4(_word(8)));
        sequenceNumber = uint64(bytes8(_word(12)));
        timestamp = uint64(bytes8(_word(20)));
        number = uint64(bytes8(_word(28)));
        basefee = uint256(_word(36));
        blobBaseFee = uint256(_word(68));
        hash = _word(100);
        batcherHash = _word(132);
    }

    /// @notice Stores the attributes of calldata bytes 164..176.
    function _setOperatorFeeValues() internal {
        operatorFeeScalar = uint32(bytes4(_word(164)));
        operatorFeeConstant = uint64(bytes8(_word(168)));
    }
}
