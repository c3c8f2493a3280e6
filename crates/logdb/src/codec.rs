//! Byte encoding of a block record (a block's seal and all its logs packed in one value), and of the small
//! fixed-size records (block references). Pure: no I/O.
//!
//! # Block record
//!
//! A block record is the value stored under the block's number. All integers of fixed width are big-endian.
//!
//! ```text
//! offset        size   field
//! 0             32     block hash
//! 32            32     parent hash
//! 64            8      timestamp, u64
//! 72            4      log count n, u32
//! 76            32*n   log hashes, in log order (log i at 76 + 32*i)
//! 76+32n        var    executing-message count m, varint
//!               ...    m executing messages, strictly ascending by log index:
//!                        varint  log index of the executing log within this block (< n)
//!                        32      msgHash
//!                        20      identifier origin
//!                        word    identifier chainId
//!                        word    identifier blockNumber
//!                        word    identifier logIndex
//!                        word    identifier timestamp
//! ```
//!
//! A *varint* is an unsigned LEB128 integer (7 bits per byte, low group first, high bit set on every byte but
//! the last, at most 5 bytes for a u32, no redundant trailing zero groups). A *word* is a `uint256` as one
//! length byte `L` (0..=32) followed by the `L` low-order big-endian bytes of the value, with no leading zero
//! byte (zero is `L = 0`). The record ends exactly after the last executing message.
//!
//! A plain log costs 32 bytes; an executing message adds about 60 to 70 bytes (a typical identifier's words
//! take 2 to 5 bytes each); a block adds 77 bytes.
//!
//! # Block reference
//!
//! A [`BlockId`] is 40 bytes: number u64 big-endian, then the 32-byte hash.

use alloy_primitives::{Address, B256, U256};

use crate::types::{BlockId, BlockSeal, ExecMessage, IndexedExecMessage, LogEntry, MessageIdentifier};

/// Size of the fixed part of a block record, before the log hashes.
pub const BLOCK_HEADER_LEN: usize = 76;
/// Size of an encoded [`BlockId`].
pub const BLOCK_ID_LEN: usize = 40;

/// A malformed record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The record ends before the named field.
    #[error("record truncated while reading {field}")]
    Truncated {
        /// The field that could not be read.
        field: &'static str,
    },
    /// A varint is longer than its type allows or has a redundant trailing group.
    #[error("malformed varint while reading {field}")]
    BadVarint {
        /// The field being read.
        field: &'static str,
    },
    /// A word's length byte exceeds 32 or the word has a leading zero byte.
    #[error("malformed uint256 word while reading {field}")]
    BadWord {
        /// The field being read.
        field: &'static str,
    },
    /// An executing message names a log index outside the block, or indices are not strictly ascending.
    #[error(
        "executing message at log index {log_index} is out of order or outside the block's {log_count} logs"
    )]
    BadExecIndex {
        /// The log index recorded.
        log_index: u32,
        /// Number of logs of the block.
        log_count: u32,
    },
    /// Bytes remain after the last field.
    #[error("{extra} unexpected bytes after the record")]
    TrailingBytes {
        /// Number of unexpected bytes.
        extra: usize,
    },
}

/// Appends the block record of `seal` and `logs` to `out`.
///
/// Panics never; a block with more than `u32::MAX` logs is impossible on any chain (the gas limit bounds it far
/// lower), so the count is saturated rather than checked.
pub fn encode_block(seal: &BlockSeal, logs: &[LogEntry], out: &mut Vec<u8>) {
    let log_count = u32::try_from(logs.len()).unwrap_or(u32::MAX);
    let exec_count = logs.iter().filter(|l| l.exec.is_some()).count();
    out.reserve(BLOCK_HEADER_LEN + 32 * logs.len() + 1 + exec_count * 72);
    out.extend_from_slice(seal.hash.as_slice());
    out.extend_from_slice(seal.parent_hash.as_slice());
    out.extend_from_slice(&seal.timestamp.to_be_bytes());
    out.extend_from_slice(&log_count.to_be_bytes());
    for log in logs.iter().take(log_count as usize) {
        out.extend_from_slice(log.log_hash.as_slice());
    }
    put_varint(out, exec_count as u64);
    for (index, log) in logs.iter().take(log_count as usize).enumerate() {
        if let Some(exec) = &log.exec {
            put_varint(out, index as u64);
            out.extend_from_slice(exec.msg_hash.as_slice());
            out.extend_from_slice(exec.identifier.origin.as_slice());
            put_word(out, &exec.identifier.chain_id);
            put_word(out, &exec.identifier.block_number);
            put_word(out, &exec.identifier.log_index);
            put_word(out, &exec.identifier.timestamp);
        }
    }
}

/// Encodes a block reference (40 bytes).
pub fn encode_block_id(id: &BlockId) -> [u8; BLOCK_ID_LEN] {
    let mut out = [0u8; BLOCK_ID_LEN];
    out[..8].copy_from_slice(&id.number.to_be_bytes());
    out[8..].copy_from_slice(id.hash.as_slice());
    out
}

/// Decodes a block reference.
pub fn decode_block_id(bytes: &[u8; BLOCK_ID_LEN]) -> BlockId {
    let mut number = [0u8; 8];
    number.copy_from_slice(&bytes[..8]);
    BlockId { number: u64::from_be_bytes(number), hash: B256::from_slice(&bytes[8..]) }
}

/// A read-only view over an encoded block record, decoding fields on demand.
#[derive(Debug, Clone, Copy)]
pub struct BlockRecordView<'a> {
    bytes: &'a [u8],
    log_count: u32,
}

impl<'a> BlockRecordView<'a> {
    /// Checks the fixed part of `bytes` (header and log hashes) and returns a view. The executing-message
    /// section is checked when read (see [`BlockRecordView::validate`] for a full check).
    pub fn new(bytes: &'a [u8]) -> Result<Self, CodecError> {
        if bytes.len() < BLOCK_HEADER_LEN {
            return Err(CodecError::Truncated { field: "block header" });
        }
        let log_count = u32::from_be_bytes([bytes[72], bytes[73], bytes[74], bytes[75]]);
        if bytes.len() < BLOCK_HEADER_LEN + 32 * log_count as usize {
            return Err(CodecError::Truncated { field: "log hashes" });
        }
        Ok(Self { bytes, log_count })
    }

    /// The block's seal; `number` is the key the record was stored under.
    pub fn seal(&self, number: u64) -> BlockSeal {
        let mut ts = [0u8; 8];
        ts.copy_from_slice(&self.bytes[64..72]);
        BlockSeal {
            number,
            hash: B256::from_slice(&self.bytes[0..32]),
            parent_hash: B256::from_slice(&self.bytes[32..64]),
            timestamp: u64::from_be_bytes(ts),
        }
    }

    /// The block hash.
    pub fn hash(&self) -> B256 {
        B256::from_slice(&self.bytes[0..32])
    }

    /// Number of logs in the block.
    pub const fn log_count(&self) -> u32 {
        self.log_count
    }

    /// The hash of log `index`, if the block has it.
    pub fn log_hash(&self, index: u32) -> Option<B256> {
        if index >= self.log_count {
            return None;
        }
        let start = BLOCK_HEADER_LEN + 32 * index as usize;
        Some(B256::from_slice(&self.bytes[start..start + 32]))
    }

    /// The log at `index` with its executing message, if the block has that log.
    pub fn log(&self, index: u32) -> Result<Option<LogEntry>, CodecError> {
        let Some(log_hash) = self.log_hash(index) else { return Ok(None) };
        Ok(Some(LogEntry { log_hash, exec: self.exec_message_at(index)? }))
    }

    /// The executing message carried by log `index`, if any. Skips the other messages without decoding them.
    pub fn exec_message_at(&self, index: u32) -> Result<Option<ExecMessage>, CodecError> {
        let mut messages = self.exec_messages()?;
        while messages.remaining > 0 {
            let c = &mut messages.cursor;
            let start = c.pos;
            let log_index = c.varint("executing log index")?;
            if log_index == u64::from(index) {
                c.pos = start;
                return messages.next().transpose().map(|m| m.map(|m| m.exec));
            }
            if log_index > u64::from(index) {
                return Ok(None);
            }
            c.take(32 + 20, "executing message")?;
            for field in ["chainId", "blockNumber", "logIndex", "timestamp"] {
                let len = c.take(1, field)?[0] as usize;
                c.take(len, field)?;
            }
            messages.remaining -= 1;
        }
        Ok(None)
    }

    /// Every log of the block, in order.
    pub fn logs(&self) -> Result<Vec<LogEntry>, CodecError> {
        let mut logs: Vec<LogEntry> =
            (0..self.log_count).filter_map(|i| self.log_hash(i)).map(LogEntry::plain).collect();
        for item in self.exec_messages()? {
            let item = item?;
            if let Some(log) = logs.get_mut(item.log_index as usize) {
                log.exec = Some(item.exec);
            }
        }
        Ok(logs)
    }

    /// An iterator over the executing messages of the block, ascending by log index.
    pub fn exec_messages(&self) -> Result<ExecMessages<'a>, CodecError> {
        let mut cursor = Cursor { bytes: self.bytes, pos: BLOCK_HEADER_LEN + 32 * self.log_count as usize };
        let remaining = cursor.varint("executing-message count")?;
        Ok(ExecMessages { cursor, remaining, log_count: self.log_count, next_min: 0 })
    }

    /// Decodes the whole record, checking every field and that nothing follows the last one.
    pub fn validate(&self) -> Result<(), CodecError> {
        let mut messages = self.exec_messages()?;
        for item in messages.by_ref() {
            item?;
        }
        let extra = self.bytes.len() - messages.cursor.pos;
        if extra != 0 {
            return Err(CodecError::TrailingBytes { extra });
        }
        Ok(())
    }
}

/// Iterator over the executing messages of a block record.
#[derive(Debug, Clone)]
pub struct ExecMessages<'a> {
    cursor: Cursor<'a>,
    remaining: u64,
    log_count: u32,
    next_min: u64,
}

impl ExecMessages<'_> {
    fn read_one(&mut self) -> Result<IndexedExecMessage, CodecError> {
        let c = &mut self.cursor;
        let raw_index = c.varint("executing log index")?;
        let log_index =
            u32::try_from(raw_index).map_err(|_| CodecError::BadVarint { field: "executing log index" })?;
        if raw_index < self.next_min || log_index >= self.log_count {
            return Err(CodecError::BadExecIndex { log_index, log_count: self.log_count });
        }
        self.next_min = raw_index + 1;
        let msg_hash = B256::from_slice(c.take(32, "msgHash")?);
        let origin = Address::from_slice(c.take(20, "origin")?);
        let chain_id = c.word("chainId")?;
        let block_number = c.word("blockNumber")?;
        let id_log_index = c.word("logIndex")?;
        let timestamp = c.word("timestamp")?;
        Ok(IndexedExecMessage {
            log_index,
            exec: ExecMessage {
                msg_hash,
                identifier: MessageIdentifier {
                    origin,
                    chain_id,
                    block_number,
                    log_index: id_log_index,
                    timestamp,
                },
            },
        })
    }
}

impl Iterator for ExecMessages<'_> {
    type Item = Result<IndexedExecMessage, CodecError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let item = self.read_one();
        if item.is_err() {
            self.remaining = 0;
        }
        Some(item)
    }
}

#[derive(Debug, Clone)]
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize, field: &'static str) -> Result<&'a [u8], CodecError> {
        let end = self.pos.checked_add(len).filter(|end| *end <= self.bytes.len());
        let end = end.ok_or(CodecError::Truncated { field })?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn varint(&mut self, field: &'static str) -> Result<u64, CodecError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1, field)?[0];
            let group = u64::from(byte & 0x7f);
            if shift == 63 && group > 1 {
                return Err(CodecError::BadVarint { field });
            }
            value |= group << shift;
            if byte & 0x80 == 0 {
                if byte == 0 && shift > 0 {
                    return Err(CodecError::BadVarint { field });
                }
                return Ok(value);
            }
        }
        Err(CodecError::BadVarint { field })
    }

    fn word(&mut self, field: &'static str) -> Result<U256, CodecError> {
        let len = self.take(1, field)?[0] as usize;
        if len > 32 {
            return Err(CodecError::BadWord { field });
        }
        let bytes = self.take(len, field)?;
        if bytes.first() == Some(&0) {
            return Err(CodecError::BadWord { field });
        }
        U256::try_from_be_slice(bytes).ok_or(CodecError::BadWord { field })
    }
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_word(out: &mut Vec<u8>, value: &U256) {
    let bytes = value.to_be_bytes::<32>();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    out.push((32 - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arb_b256() -> impl Strategy<Value = B256> {
        any::<[u8; 32]>().prop_map(B256::from)
    }

    fn arb_u256() -> impl Strategy<Value = U256> {
        prop_oneof![
            any::<u64>().prop_map(U256::from),
            any::<[u8; 32]>().prop_map(U256::from_be_bytes),
            Just(U256::ZERO),
            Just(U256::MAX),
        ]
    }

    fn arb_log() -> impl Strategy<Value = LogEntry> {
        let exec = (arb_b256(), any::<[u8; 20]>(), arb_u256(), arb_u256(), arb_u256(), arb_u256()).prop_map(
            |(msg_hash, origin, chain_id, block_number, log_index, timestamp)| ExecMessage {
                msg_hash,
                identifier: MessageIdentifier {
                    origin: Address::from(origin),
                    chain_id,
                    block_number,
                    log_index,
                    timestamp,
                },
            },
        );
        (arb_b256(), proptest::option::weighted(0.3, exec))
            .prop_map(|(log_hash, exec)| LogEntry { log_hash, exec })
    }

    fn arb_seal() -> impl Strategy<Value = BlockSeal> {
        (any::<u64>(), arb_b256(), arb_b256(), any::<u64>()).prop_map(
            |(number, hash, parent_hash, timestamp)| BlockSeal { number, hash, parent_hash, timestamp },
        )
    }

    proptest! {
        #[test]
        fn block_record_round_trips(seal in arb_seal(), logs in proptest::collection::vec(arb_log(), 0..40)) {
            let mut bytes = Vec::new();
            encode_block(&seal, &logs, &mut bytes);
            let view = BlockRecordView::new(&bytes).unwrap();
            view.validate().unwrap();
            prop_assert_eq!(view.seal(seal.number), seal);
            prop_assert_eq!(view.log_count() as usize, logs.len());
            prop_assert_eq!(&view.logs().unwrap(), &logs);
            for (i, log) in logs.iter().enumerate() {
                prop_assert_eq!(view.log(i as u32).unwrap(), Some(*log));
                prop_assert_eq!(view.exec_message_at(i as u32).unwrap(), log.exec);
            }
            prop_assert_eq!(view.log(logs.len() as u32).unwrap(), None);
            let execs: Vec<_> = view.exec_messages().unwrap().map(|e| e.unwrap()).collect();
            let expected: Vec<_> = logs.iter().enumerate()
                .filter_map(|(i, l)| l.exec.map(|exec| IndexedExecMessage { log_index: i as u32, exec }))
                .collect();
            prop_assert_eq!(execs, expected);
        }

        #[test]
        fn every_truncation_is_rejected(seal in arb_seal(), logs in proptest::collection::vec(arb_log(), 0..8)) {
            let mut bytes = Vec::new();
            encode_block(&seal, &logs, &mut bytes);
            for len in 0..bytes.len() {
                let cut = &bytes[..len];
                let rejected = BlockRecordView::new(cut).and_then(|v| v.validate()).is_err();
                prop_assert!(rejected, "a record cut to {} of {} bytes was accepted", len, bytes.len());
            }
        }

        #[test]
        fn block_id_round_trips(number in any::<u64>(), hash in arb_b256()) {
            let id = BlockId { number, hash };
            prop_assert_eq!(decode_block_id(&encode_block_id(&id)), id);
        }
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let mut bytes = Vec::new();
        encode_block(&BlockSeal::default(), &[LogEntry::plain(B256::repeat_byte(1))], &mut bytes);
        bytes.push(0);
        let view = BlockRecordView::new(&bytes).unwrap();
        assert_eq!(view.validate(), Err(CodecError::TrailingBytes { extra: 1 }));
    }

    #[test]
    fn plain_log_costs_32_bytes_and_small_words_are_compact() {
        let seal = BlockSeal::default();
        let mut empty = Vec::new();
        encode_block(&seal, &[], &mut empty);
        let mut one = Vec::new();
        encode_block(&seal, &[LogEntry::plain(B256::ZERO)], &mut one);
        assert_eq!(one.len() - empty.len(), 32);
        let exec = ExecMessage {
            msg_hash: B256::ZERO,
            identifier: MessageIdentifier {
                origin: Address::ZERO,
                chain_id: U256::from(901),
                block_number: U256::from(1_000_000),
                log_index: U256::from(7),
                timestamp: U256::from(1_700_000_000u64),
            },
        };
        let mut with_exec = Vec::new();
        encode_block(&seal, &[LogEntry::executing(B256::ZERO, exec)], &mut with_exec);
        // index varint 1, msgHash 32, origin 20, words 3 + 4 + 2 + 5
        assert_eq!(with_exec.len() - one.len(), 1 + 32 + 20 + 3 + 4 + 2 + 5);
    }

    #[test]
    fn non_minimal_encodings_are_rejected() {
        let seal = BlockSeal::default();
        let mut bytes = Vec::new();
        encode_block(&seal, &[LogEntry::plain(B256::ZERO)], &mut bytes);
        // Replace the exec count (0) by a redundant two-byte varint.
        let pos = BLOCK_HEADER_LEN + 32;
        bytes.truncate(pos);
        bytes.extend_from_slice(&[0x80, 0x00]);
        let view = BlockRecordView::new(&bytes).unwrap();
        assert!(matches!(view.validate(), Err(CodecError::BadVarint { .. })));
    }
}
