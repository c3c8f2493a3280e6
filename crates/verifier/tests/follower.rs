//! The chain follower against an in-memory source: catching up, following new blocks, rewinding a reorg to
//! the common ancestor, and reading the safe and finalized tags.

#![allow(clippy::unwrap_used)]

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use superlink_protocol::{DependencySet, ExecutingMessage, Identifier, predeploys::CROSS_L2_INBOX};
use superlink_verifier::{
    BlockRef, BlockTag, ChainSource, FollowConfig, OutputInputs, Round, SourceBlock, SourceError, SourceLog,
    Verifier, follow_once,
};

const EMITTER: Address = Address::new([0x10; 20]);

/// A chain held in memory; `fork` tags the block hashes so that a reorg produces different blocks.
#[derive(Default)]
struct MemorySource {
    chain: u64,
    blocks: Mutex<Vec<SourceBlock>>,
    safe: Mutex<Option<u64>>,
}

impl MemorySource {
    fn new(chain: u64) -> Arc<Self> {
        Arc::new(Self { chain, ..Self::default() })
    }

    /// Appends a block of `fork` with one plain log, or one executing message.
    fn push(&self, fork: u8, exec: Option<(Identifier, B256)>) -> BlockRef {
        let mut blocks = self.blocks.lock().unwrap();
        let number = blocks.len() as u64;
        let parent_hash = blocks.last().map_or(B256::ZERO, |b| b.block.hash);
        let block = BlockRef {
            hash: keccak256([&self.chain.to_be_bytes()[..], &number.to_be_bytes(), &[fork]].concat()),
            number,
            parent_hash,
            timestamp: 100 + 2 * number,
        };
        let log = match exec {
            Some((identifier, msg_hash)) => {
                let (topics, data) = ExecutingMessage { identifier, msg_hash }.encode_log();
                SourceLog { address: CROSS_L2_INBOX, topics, data }
            }
            None => {
                SourceLog { address: EMITTER, topics: vec![], data: Bytes::from(vec![fork, number as u8]) }
            }
        };
        blocks.push(SourceBlock { block, logs: vec![log] });
        block
    }

    /// Drops every block after `number`.
    fn reorg_to(&self, number: u64) {
        self.blocks.lock().unwrap().truncate(number as usize + 1);
    }

    /// The message of the plain log of block `number`.
    fn message(&self, number: u64) -> (Identifier, B256) {
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
}

impl ChainSource for MemorySource {
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
        Err(SourceError::MissingBlock { chain_id: self.chain, number })
    }
}

async fn follow_to_head(verifier: &Verifier, source: &MemorySource) -> Vec<Round> {
    let config = FollowConfig { blocks_per_round: 3, ..FollowConfig::default() };
    let mut rounds = Vec::new();
    loop {
        let round = follow_once(verifier, source, &config).await.map_err(|e| format!("{e:?}")).unwrap();
        rounds.push(round);
        if round == Round::AtHead {
            return rounds;
        }
    }
}

#[tokio::test]
async fn a_deep_reorg_rewinds_to_the_common_ancestor_and_demotes_what_depended_on_it() {
    let (a, b) = (MemorySource::new(1), MemorySource::new(2));
    for _ in 0..8 {
        a.push(0, None);
    }
    // Chain 2 executes the log of chain 1 block 5 in its block 6.
    for n in 0..10 {
        let exec = (n == 6).then(|| a.message(5));
        b.push(0, exec);
    }
    let dir = tempfile::tempdir().unwrap();
    let deps = DependencySet::new([U256::from(1), U256::from(2)]).unwrap();
    let verifier = Verifier::open(deps.clone(), dir.path(), &BTreeMap::new()).unwrap();
    let rounds = follow_to_head(&verifier, &a).await;
    assert!(rounds.len() > 2, "catching up takes several rounds of at most 3 blocks: {rounds:?}");
    follow_to_head(&verifier, &b).await;
    assert_eq!(verifier.heads(2).unwrap().cross_unsafe.map(|h| h.number), Some(9));

    // Chain 1 reorgs from block 4 on: blocks 4..7 are replaced by a longer fork.
    a.reorg_to(3);
    for _ in 0..6 {
        a.push(1, None);
    }
    let rounds = follow_to_head(&verifier, &a).await;
    assert_eq!(rounds[0], Round::Rewound);
    assert_eq!(verifier.latest(1).map(|b| b.hash), a.blocks.lock().unwrap().last().map(|b| b.block.hash));
    // Chain 2's block 6 executed a log that no longer exists: it and its descendants lose cross-unsafe.
    assert_eq!(verifier.heads(2).unwrap().cross_unsafe.map(|h| h.number), Some(5));
    let invalid = verifier.read().invalid_blocks();
    assert!(invalid.iter().any(|b| b.chain == 2 && b.block.number == 6), "{invalid:?}");

    // The index survives a restart exactly.
    let heads = (verifier.heads(1), verifier.heads(2));
    drop(verifier);
    let reopened = Verifier::open(deps, dir.path(), &BTreeMap::new()).unwrap();
    assert_eq!((reopened.heads(1), reopened.heads(2)), heads);
}

#[tokio::test]
async fn the_safe_tag_drives_local_safe_cross_safe_and_finality() {
    let a = MemorySource::new(1);
    for _ in 0..6 {
        a.push(0, None);
    }
    *a.safe.lock().unwrap() = Some(3);
    let dir = tempfile::tempdir().unwrap();
    let deps = DependencySet::new([U256::from(1)]).unwrap();
    let verifier = Verifier::open(deps, dir.path(), &BTreeMap::new()).unwrap();
    follow_to_head(&verifier, &a).await;
    // Tags are read by the long-running follower; here they are applied as it would.
    verifier.set_local_tags(1, Some(3), Some(2)).unwrap();
    let heads = verifier.heads(1).unwrap();
    assert_eq!(heads.local_unsafe.map(|h| h.number), Some(5));
    assert_eq!(heads.cross_unsafe.map(|h| h.number), Some(5));
    assert_eq!(heads.local_safe.map(|h| h.number), Some(3));
    assert_eq!(heads.cross_safe.map(|h| h.number), Some(3));
    assert_eq!(heads.finalized.map(|h| h.number), Some(2));
}

#[tokio::test]
async fn a_start_block_skips_history() {
    let a = MemorySource::new(1);
    for _ in 0..10 {
        a.push(0, None);
    }
    let dir = tempfile::tempdir().unwrap();
    let deps = DependencySet::new([U256::from(1)]).unwrap();
    let verifier = Verifier::open(deps, dir.path(), &BTreeMap::from([(1, 7)])).unwrap();
    let config = FollowConfig { start_block: 7, ..FollowConfig::default() };
    while follow_once(&verifier, a.as_ref(), &config).await.map_err(|e| format!("{e:?}")).unwrap()
        != Round::AtHead
    {}
    assert_eq!(verifier.block(1, 6), None);
    assert_eq!(verifier.heads(1).unwrap().cross_unsafe.map(|h| h.number), Some(9));
}
