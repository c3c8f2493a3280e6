//! Synthetic chains for the log index tests.

#![allow(dead_code)]

use alloy_primitives::{Address, B256, U256, keccak256};
use superlink_logdb::{BlockSeal, BlockWithLogs, ExecMessage, LogEntry, MessageIdentifier};

/// A deterministic block at `number` on top of `parent`, on fork `fork` (different forks give different
/// hashes at the same height), with `logs` logs of which every `exec_every`th is an executing message.
pub fn block(number: u64, parent: B256, fork: u64, logs: u32, exec_every: u32) -> BlockWithLogs {
    let hash = keccak256([number.to_be_bytes(), fork.to_be_bytes()].concat());
    let seal = BlockSeal { number, hash, parent_hash: parent, timestamp: 1_700_000_000 + 2 * number };
    let logs = (0..logs)
        .map(|i| {
            let log_hash = keccak256([hash.as_slice(), &i.to_be_bytes()].concat());
            if exec_every > 0 && i % exec_every == exec_every - 1 {
                LogEntry::executing(
                    log_hash,
                    ExecMessage {
                        msg_hash: keccak256(log_hash),
                        identifier: MessageIdentifier {
                            origin: Address::repeat_byte(0x42),
                            chain_id: U256::from(902),
                            block_number: U256::from(number / 2),
                            log_index: U256::from(i),
                            timestamp: U256::from(seal.timestamp - 1),
                        },
                    },
                )
            } else {
                LogEntry::plain(log_hash)
            }
        })
        .collect();
    BlockWithLogs { seal, logs }
}

/// `count` consecutive blocks starting at `start` on fork `fork`, the first one on top of `parent`.
pub fn chain(start: u64, count: u64, parent: B256, fork: u64, logs: u32) -> Vec<BlockWithLogs> {
    let mut out = Vec::new();
    let mut parent = parent;
    for number in start..start + count {
        let b = block(number, parent, fork, logs + (number % 3) as u32, 4);
        parent = b.seal.hash;
        out.push(b);
    }
    out
}
