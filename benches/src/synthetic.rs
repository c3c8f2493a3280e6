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

/// A dependency set of many chains that all emit and execute: block `n` of every chain (one second apart)
/// holds `messages` plain initiating logs (indices `0..messages`) followed, from block 1 on, by `messages`
/// executing messages, each of a log of block `n - 1` of another chain of the set (the chains take turns, so
/// every chain depends on every other). Every identifier is valid: origin, block, log index, timestamp and
/// msgHash are those of the initiating log.
#[derive(Debug, Clone)]
pub struct Mesh {
    /// The chain IDs of the set.
    pub chains: Vec<u64>,
    /// Initiating logs, and executing messages, per block.
    pub messages: usize,
    /// The timestamp of every chain's block 0.
    pub genesis_timestamp: u64,
}

impl Mesh {
    /// The chains `901..901 + count`, `messages` per block, block 0 at `genesis_timestamp`.
    pub fn new(count: usize, messages: usize, genesis_timestamp: u64) -> Self {
        Self { chains: (0..count as u64).map(|i| 901 + i).collect(), messages, genesis_timestamp }
    }

    /// The timestamp of block `number` (blocks are one second apart).
    pub fn timestamp(&self, number: u64) -> u64 {
        self.genesis_timestamp + number
    }

    /// The chain whose block `number - 1` executing message `index` of block `number` of the chain at
    /// position `position` executes (itself in a set of one chain).
    pub fn source_position(&self, position: usize, number: u64, index: usize) -> usize {
        let count = self.chains.len();
        if count <= 1 {
            return position;
        }
        let offset = 1 + (index + number as usize) % (count - 1);
        (position + offset) % count
    }

    /// The identifier and msgHash of initiating log `index` of block `number` of `chain`.
    pub fn initiating(&self, chain: u64, number: u64, index: usize) -> (Identifier, B256) {
        let (topics, data) = plain_log(chain, number, index);
        let id = Identifier {
            origin: EMITTER,
            block_number: number,
            log_index: index as u32,
            timestamp: self.timestamp(number),
            chain_id: U256::from(chain),
        };
        (id, superlink_protocol::payload_hash(&topics, &data))
    }

    /// Block `number` of the chain at `position` in [`Mesh::chains`].
    pub fn block(&self, position: usize, number: u64) -> SourceBlock {
        let chain = self.chains[position];
        let block = BlockRef {
            hash: block_hash(chain, number),
            number,
            parent_hash: if number == 0 { B256::ZERO } else { block_hash(chain, number - 1) },
            timestamp: self.timestamp(number),
        };
        let mut logs = Vec::with_capacity(2 * self.messages);
        for index in 0..self.messages {
            let (topics, data) = plain_log(chain, number, index);
            logs.push(SourceLog { address: EMITTER, topics, data });
        }
        if number > 0 {
            for index in 0..self.messages {
                let source = self.chains[self.source_position(position, number, index)];
                let (identifier, msg_hash) = self.initiating(source, number - 1, index);
                let (topics, data) = ExecutingMessage { identifier, msg_hash }.encode_log();
                logs.push(SourceLog { address: CROSS_L2_INBOX, topics, data });
            }
        }
        SourceBlock { block, logs }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use superlink_protocol::DependencySet;
    use superlink_verifier::Verifier;

    use super::*;

    #[test]
    fn every_message_of_a_mesh_executes_a_log_of_another_chains_previous_block() {
        let mesh = Mesh::new(4, 6, 1_000);
        let block = mesh.block(1, 3);
        assert_eq!(block.logs.len(), 12);
        for log in &block.logs[6..] {
            let message = ExecutingMessage::decode_log(log.address, &log.topics, &log.data)
                .unwrap()
                .expect("an executing message");
            let id = message.identifier;
            assert_ne!(id.chain_id, U256::from(902), "a chain executes other chains' logs");
            assert_eq!((id.block_number, id.timestamp), (2, 1_002));
            let source =
                mesh.block(mesh.chains.iter().position(|c| U256::from(*c) == id.chain_id).unwrap(), 2);
            let initiating = &source.logs[id.log_index as usize];
            assert_eq!(
                superlink_protocol::payload_hash(&initiating.topics, &initiating.data),
                message.msg_hash
            );
        }
    }

    #[test]
    fn a_verifier_fed_a_mesh_promotes_every_chain_to_its_head() {
        let mesh = Mesh::new(3, 5, 1_000);
        let dir = tempfile::tempdir().unwrap();
        let dependencies = DependencySet::new(mesh.chains.iter().map(|c| U256::from(*c))).unwrap();
        let verifier = Verifier::open(dependencies, dir.path(), &BTreeMap::new()).unwrap();
        for number in 0..4 {
            for position in 0..mesh.chains.len() {
                verifier.ingest(mesh.chains[position], &[mesh.block(position, number)]).unwrap();
            }
        }
        for chain in &mesh.chains {
            let heads = verifier.heads(*chain).unwrap();
            assert_eq!(heads.cross_unsafe.map(|b| b.number), Some(3), "chain {chain}");
        }
    }
}
