//! A chain held in memory and served to the verifier through its chain-source interface, for tests that follow
//! it exactly as the verifier follows a node: blocks every 2 s from timestamp 100, a `fork` tag in every block
//! hash so that a reorg produces different blocks, an optional `safe` tag, and output roots derived from the block
//! hash.

#![allow(clippy::unwrap_used, dead_code)]

use std::sync::{Arc, Mutex};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use superlink_protocol::{ExecutingMessage, Identifier, OutputV0, predeploys::CROSS_L2_INBOX};
use superlink_verifier::{
    BlockRef, BlockTag, ChainSource, OutputInputs, SourceBlock, SourceError, SourceLog,
};

/// The emitter of every plain log.
pub const EMITTER: Address = Address::new([0x10; 20]);

/// A chain held in memory.
#[derive(Default)]
pub struct MemoryChain {
    chain: u64,
    blocks: Mutex<Vec<SourceBlock>>,
    /// The block the chain's `safe` and `finalized` tags name, if any.
    pub safe: Mutex<Option<u64>>,
}

impl MemoryChain {
    /// An empty chain with ID `chain`.
    pub fn new(chain: u64) -> Arc<Self> {
        Arc::new(Self { chain, ..Self::default() })
    }

    /// Appends a block of `fork` with one plain log, or with the given executing message.
    pub fn push(&self, fork: u8, exec: Option<(Identifier, B256)>) -> BlockRef {
        let log = match exec {
            Some((identifier, msg_hash)) => {
                let (topics, data) = ExecutingMessage { identifier, msg_hash }.encode_log();
                SourceLog { address: CROSS_L2_INBOX, topics, data }
            }
            None => SourceLog { address: EMITTER, topics: vec![], data: Bytes::new() },
        };
        self.append(fork, vec![log])
    }

    /// Appends a block of `fork` with the given logs (a log of [`EMITTER`] gets the data of a plain log, see
    /// [`plain_log_data`]).
    pub fn push_logs(&self, fork: u8, logs: Vec<SourceLog>) -> BlockRef {
        self.append(fork, logs)
    }

    /// Appends a block of `fork` with no log at all (a deposits-only block).
    pub fn push_deposits_only(&self, fork: u8) -> BlockRef {
        self.append(fork, Vec::new())
    }

    fn append(&self, fork: u8, mut logs: Vec<SourceLog>) -> BlockRef {
        let mut blocks = self.blocks.lock().unwrap();
        let number = blocks.len() as u64;
        let parent_hash = blocks.last().map_or(B256::ZERO, |b| b.block.hash);
        let block = BlockRef {
            hash: keccak256([&self.chain.to_be_bytes()[..], &number.to_be_bytes(), &[fork]].concat()),
            number,
            parent_hash,
            timestamp: 100 + 2 * number,
        };
        for log in &mut logs {
            if log.address == EMITTER {
                log.data = plain_log_data(fork, self.chain, number);
            }
        }
        blocks.push(SourceBlock { block, logs });
        block
    }

    /// The message of the plain log of block `number`.
    pub fn message(&self, number: u64) -> (Identifier, B256) {
        let blocks = self.blocks.lock().unwrap();
        let block = &blocks[number as usize];
        let id = Identifier {
            origin: EMITTER,
            block_number: number,
            log_index: 0,
            timestamp: block.block.timestamp,
            chain_id: U256::from(self.chain),
        };
        (id, keccak256(&block.logs[0].data))
    }

    /// Drops every block after `number`.
    pub fn reorg_to(&self, number: u64) {
        self.blocks.lock().unwrap().truncate(number as usize + 1);
    }

    /// The last block.
    pub fn last(&self) -> Option<SourceBlock> {
        self.blocks.lock().unwrap().last().cloned()
    }

    /// The output of block `number` as the chain computes it.
    pub fn output(&self, number: u64) -> OutputV0 {
        let hash = self.blocks.lock().unwrap()[number as usize].block.hash;
        output_of_hash(hash)
    }
}

/// The data of a plain log of block `number` of `chain` on `fork`.
pub fn plain_log_data(fork: u8, chain: u64, number: u64) -> Bytes {
    Bytes::from(vec![fork, chain as u8, number as u8])
}

/// The output of a block: its state and message-passer roots are derived from its hash here.
pub fn output_of_hash(hash: B256) -> OutputV0 {
    OutputV0 {
        state_root: keccak256([b"state".as_slice(), hash.as_slice()].concat()),
        message_passer_storage_root: keccak256([b"passer".as_slice(), hash.as_slice()].concat()),
        block_hash: hash,
    }
}

impl ChainSource for MemoryChain {
    fn chain_id(&self) -> u64 {
        self.chain
    }

    async fn head_number(&self) -> Result<u64, SourceError> {
        Ok(self.blocks.lock().unwrap().len().saturating_sub(1) as u64)
    }

    async fn block(&self, number: u64) -> Result<Option<SourceBlock>, SourceError> {
        Ok(self.blocks.lock().unwrap().get(number as usize).cloned())
    }

    async fn block_ref(&self, number: u64) -> Result<Option<BlockRef>, SourceError> {
        Ok(self.blocks.lock().unwrap().get(number as usize).map(|b| b.block))
    }

    async fn tagged(&self, tag: BlockTag) -> Result<Option<BlockRef>, SourceError> {
        let number = match tag {
            BlockTag::Safe | BlockTag::Finalized => *self.safe.lock().unwrap(),
        };
        Ok(number.and_then(|n| self.blocks.lock().unwrap().get(n as usize).map(|b| b.block)))
    }

    async fn output_inputs(&self, number: u64) -> Result<OutputInputs, SourceError> {
        let blocks = self.blocks.lock().unwrap();
        let block =
            blocks.get(number as usize).ok_or(SourceError::MissingBlock { chain_id: self.chain, number })?;
        let output = output_of_hash(block.block.hash);
        Ok(OutputInputs {
            state_root: output.state_root,
            message_passer_storage_root: output.message_passer_storage_root,
            block_hash: output.block_hash,
        })
    }
}
