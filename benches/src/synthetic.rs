//! Synthetic interop chains for the verifier's benchmark and load generator: chain 901 emits plain logs, chain
//! 902 executes logs of 901's previous block through CrossL2Inbox.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use superlink_protocol::{ExecutingMessage, Identifier, predeploys::CROSS_L2_INBOX};
use superlink_verifier::{BlockRef, SourceBlock, SourceLog};

/// The emitter of every synthetic initiating log.
pub const EMITTER: Address = Address::new([0x10; 20]);

/// The hash given to block `number` of `chain`.
pub fn block_hash(chain: u64, number: u64) -> B256 {
    keccak256([chain.to_be_bytes(), number.to_be_bytes()].concat())
}

/// The timestamp of block `number`: blocks are two seconds apart on every chain.
pub fn timestamp(number: u64) -> u64 {
    1_000 + 2 * number
}

/// The identifier and msgHash of log `index` of block `number` of chain 901.
pub fn initiating(number: u64, index: usize) -> (Identifier, B256) {
    let (topics, data) = plain_log(901, number, index);
    let mut payload = topics[0].to_vec();
    payload.extend_from_slice(&data);
    let id = Identifier {
        origin: EMITTER,
        block_number: number,
        log_index: index as u32,
        timestamp: timestamp(number),
        chain_id: U256::from(901),
    };
    (id, keccak256(payload))
}

fn plain_log(chain: u64, number: u64, index: usize) -> (Vec<B256>, Bytes) {
    (vec![B256::from(U256::from(index))], Bytes::from(format!("{chain}/{number}/{index}").into_bytes()))
}

/// `blocks` blocks of `chain`, each with `logs` logs. On chain 902, from block 1 on, every log whose index is
/// a multiple of `execute_every` executes the log of the same index in the previous block of chain 901.
pub fn chain(chain: u64, blocks: u64, logs: usize, execute_every: usize) -> Vec<SourceBlock> {
    (0..blocks)
        .map(|n| {
            let block = BlockRef {
                hash: block_hash(chain, n),
                number: n,
                parent_hash: if n == 0 { B256::ZERO } else { block_hash(chain, n - 1) },
                timestamp: timestamp(n),
            };
            let logs = (0..logs)
                .map(|i| {
                    if chain == 902 && n > 0 && i % execute_every.max(1) == 0 {
                        let (id, msg_hash) = initiating(n - 1, i);
                        let (topics, data) = ExecutingMessage { identifier: id, msg_hash }.encode_log();
                        SourceLog { address: CROSS_L2_INBOX, topics, data }
                    } else {
                        let (topics, data) = plain_log(chain, n, i);
                        SourceLog { address: EMITTER, topics, data }
                    }
                })
                .collect();
            SourceBlock { block, logs }
        })
        .collect()
}
