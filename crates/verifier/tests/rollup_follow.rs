//! Following a rollup node's derivation through L1 reorgs: the follower finds the L1 block where the node's L1
//! forked from the one it recorded, however deep, rewinds there and records the new branch; and it follows the
//! local-safe head an interop op-node reports next to its cross-safe one.

#![allow(clippy::unwrap_used)]

use std::{collections::BTreeMap, sync::Mutex, time::Duration};

use alloy_primitives::{B256, U256, keccak256};
use jsonrpsee::{RpcModule, server::Server};
use serde_json::json;
use superlink_protocol::DependencySet;
use superlink_verifier::{
    BlockId, BlockRef, DerivationSource, FollowConfig, RollupRpcSource, RollupStatus, Round, SourceError,
    Verifier, follow_derivation_once, follow_once,
};

mod memory_chain;

use memory_chain::MemoryChain;

const A: u64 = 901;

/// The L1 block at `number` of the main branch.
fn main_l1(number: u64) -> BlockRef {
    l1(number, None)
}

/// The L1 block at `number` of a branch that forked from the main one after block `fork_after` (the main
/// branch's block at or below it).
fn l1(number: u64, fork_after: Option<u64>) -> BlockRef {
    let hash = |n: u64| match fork_after {
        Some(fork) if n > fork => {
            keccak256([b"fork".as_slice(), &fork.to_be_bytes(), &n.to_be_bytes()].concat())
        }
        _ => keccak256([b"main".as_slice(), &n.to_be_bytes()].concat()),
    };
    BlockRef {
        hash: hash(number),
        number,
        parent_hash: hash(number.wrapping_sub(1)),
        timestamp: 1_000 + 12 * number,
    }
}

/// A rollup node held in memory: its status and its safe-head record per L1 block.
struct MemoryRollup {
    chain: u64,
    status: Mutex<RollupStatus>,
    /// L1 block number → (L1 block, local-safe head after it).
    records: Mutex<BTreeMap<u64, (BlockRef, u64)>>,
}

impl MemoryRollup {
    fn new(chain: u64) -> Self {
        let empty = BlockRef::default();
        Self {
            chain,
            status: Mutex::new(RollupStatus { current_l1: empty, finalized_l1: empty, safe_l2: empty }),
            records: Mutex::new(BTreeMap::new()),
        }
    }

    /// The node reads `l1` and has local-safe head `safe` after it.
    fn read(&self, l1: BlockRef, safe: u64) {
        self.records.lock().unwrap().insert(l1.number, (l1, safe));
        let mut status = self.status.lock().unwrap();
        status.current_l1 = l1;
        status.safe_l2 = BlockRef { number: safe, ..BlockRef::default() };
    }

    /// An L1 reorg: the node forgets what it read from L1 blocks above `number`.
    fn rewind(&self, number: u64) {
        self.records.lock().unwrap().retain(|n, _| *n <= number);
    }
}

impl DerivationSource for MemoryRollup {
    fn chain_id(&self) -> u64 {
        self.chain
    }

    async fn status(&self) -> Result<RollupStatus, SourceError> {
        Ok(*self.status.lock().unwrap())
    }

    async fn safe_head_at(&self, l1_number: u64) -> Result<Option<(BlockId, BlockId)>, SourceError> {
        let records = self.records.lock().unwrap();
        Ok(records
            .range(..=l1_number)
            .next_back()
            .map(|(_, (l1, safe))| (l1.id(), BlockId { hash: B256::ZERO, number: *safe })))
    }
}

/// A verifier following chain A (blocks 0..=9) and its rollup node.
struct Fixture {
    _dir: tempfile::TempDir,
    verifier: Verifier,
    rollup: MemoryRollup,
}

impl Fixture {
    async fn new() -> Self {
        let chain = MemoryChain::new(A);
        for _ in 0..10 {
            chain.push(0, None);
        }
        let dir = tempfile::tempdir().unwrap();
        let verifier =
            Verifier::open(DependencySet::new([U256::from(A)]).unwrap(), dir.path(), &BTreeMap::new())
                .unwrap();
        while follow_once(&verifier, chain.as_ref(), &FollowConfig::default())
            .await
            .map_err(|e| format!("{e:?}"))
            .unwrap()
            != Round::AtHead
        {}
        Self { _dir: dir, verifier, rollup: MemoryRollup::new(A) }
    }

    /// The node reads each `(l1, safe)` in turn, the verifier following after each.
    async fn read_each(&self, blocks: &[(BlockRef, u64)]) {
        for (l1, safe) in blocks {
            self.rollup.read(*l1, *safe);
            self.follow().await;
        }
    }

    async fn follow(&self) {
        follow_derivation_once(&self.verifier, &self.rollup).await.map_err(|e| format!("{e}")).unwrap();
    }

    /// The L1 blocks the verifier recorded for chain A, oldest first, by hash.
    fn recorded_l1(&self) -> Vec<(u64, B256)> {
        let mut blocks = self.verifier.read().derivation_l1_blocks(A, u64::MAX, 100);
        blocks.reverse();
        blocks.into_iter().map(|l1| (l1.number, l1.hash)).collect()
    }

    fn source_of(&self, l2: u64) -> Option<(u64, B256)> {
        self.verifier.read().derived_from(A, l2).map(|l1| (l1.number, l1.hash))
    }

    fn local_safe(&self) -> Option<u64> {
        self.verifier.heads(A).unwrap().local_safe.map(|b| b.number)
    }
}

fn ids(blocks: &[BlockRef]) -> Vec<(u64, B256)> {
    blocks.iter().map(|b| (b.number, b.hash)).collect()
}

/// L1 blocks 10..=14 of the main branch, read with local-safe heads 0, 1, 3, 5, 7.
async fn on_main_branch() -> Fixture {
    let fixture = Fixture::new().await;
    fixture
        .read_each(&[10, 11, 12, 13, 14].map(main_l1).into_iter().zip([0, 1, 3, 5, 7]).collect::<Vec<_>>())
        .await;
    assert_eq!(fixture.recorded_l1(), ids(&[10, 11, 12, 13, 14].map(main_l1)));
    assert_eq!(fixture.source_of(2).map(|s| s.0), Some(12));
    fixture
}

#[tokio::test]
async fn a_depth_3_reorg_to_a_branch_of_the_same_height_is_rewound_to_the_fork() {
    let fixture = on_main_branch().await;
    // L1 blocks 12..=14 are replaced by a branch forked after 11; the node reads it up to the same height, with
    // other safe heads.
    let fork = |n| l1(n, Some(11));
    fixture.rollup.rewind(11);
    for (n, safe) in [(12, 2), (13, 4)] {
        fixture.rollup.records.lock().unwrap().insert(n, (fork(n), safe));
    }
    fixture.rollup.read(fork(14), 6);
    fixture.follow().await;

    assert_eq!(
        fixture.recorded_l1(),
        ids(&[main_l1(10), main_l1(11), fork(12), fork(13), fork(14)]),
        "the new branch's blocks replace the old ones from the fork on"
    );
    assert_eq!(fixture.local_safe(), Some(6));
    assert_eq!(fixture.source_of(1), Some((11, main_l1(11).hash)), "below the fork nothing changes");
    assert_eq!(fixture.source_of(2), Some((12, fork(12).hash)));
    assert_eq!(fixture.source_of(4), Some((13, fork(13).hash)));
    assert_eq!(fixture.source_of(6), Some((14, fork(14).hash)));
    assert_eq!(fixture.source_of(7), None, "block 7 is not derived on the new branch yet");
}

#[tokio::test]
async fn a_reorg_the_node_is_already_past_is_found_from_its_records() {
    let fixture = on_main_branch().await;
    // The node rewound to L1 block 12 and read a branch forked after it up to block 16, all before the verifier
    // looked again.
    let fork = |n| l1(n, Some(12));
    fixture.rollup.rewind(12);
    for (n, safe) in [(13, 4), (14, 5), (15, 6)] {
        fixture.rollup.records.lock().unwrap().insert(n, (fork(n), safe));
    }
    fixture.rollup.read(fork(16), 8);
    fixture.follow().await;

    assert_eq!(
        fixture.recorded_l1(),
        ids(&[main_l1(10), main_l1(11), main_l1(12), fork(13), fork(14), fork(15), fork(16)])
    );
    assert_eq!(fixture.source_of(3), Some((12, main_l1(12).hash)));
    assert_eq!(fixture.source_of(5), Some((14, fork(14).hash)));
    assert_eq!(fixture.source_of(8), Some((16, fork(16).hash)));
}

#[tokio::test]
async fn a_next_l1_block_on_another_parent_is_a_reorg() {
    let fixture = on_main_branch().await;
    // One block ahead, but its parent is not the recorded block 14: block 14 was replaced.
    let fork = |n| l1(n, Some(13));
    fixture.rollup.rewind(13);
    fixture.rollup.records.lock().unwrap().insert(14, (fork(14), 6));
    fixture.rollup.read(fork(15), 7);
    fixture.follow().await;

    assert_eq!(
        fixture.recorded_l1(),
        ids(&[main_l1(10), main_l1(11), main_l1(12), main_l1(13), fork(14), fork(15)])
    );
    assert_eq!(fixture.source_of(6), Some((14, fork(14).hash)));
    assert_eq!(fixture.source_of(7), Some((15, fork(15).hash)));
}

#[tokio::test]
async fn the_node_going_on_along_the_recorded_branch_rewinds_nothing() {
    let fixture = on_main_branch().await;
    fixture.read_each(&[(main_l1(15), 8)]).await;
    fixture.rollup.records.lock().unwrap().insert(16, (main_l1(16), 8));
    fixture.rollup.read(main_l1(17), 9);
    fixture.follow().await;
    assert_eq!(fixture.recorded_l1(), ids(&(10..=17).map(main_l1).collect::<Vec<_>>()));
    assert_eq!(fixture.source_of(3).map(|s| s.0), Some(12), "the records below are kept");
    assert_eq!(fixture.source_of(9).map(|s| s.0), Some(17));
}

/// A rollup node over HTTP reporting an interop op-node's sync status: `safe_l2` (cross-safe) at block 2,
/// `local_safe_l2` at block 4.
async fn serve_interop_node(
    with_local_safe: bool,
) -> (jsonrpsee::server::ServerHandle, std::net::SocketAddr) {
    let block_ref = |b: BlockRef| json!({"hash": b.hash, "number": b.number, "parentHash": b.parent_hash, "timestamp": b.timestamp});
    let l2_ref = |number: u64| {
        json!({"hash": B256::repeat_byte(number as u8), "number": number, "parentHash": B256::ZERO,
            "timestamp": 100 + 2 * number, "l1origin": {"hash": main_l1(20).hash, "number": 20}, "sequenceNumber": 0})
    };
    let mut status = json!({
        "current_l1": block_ref(main_l1(21)),
        "current_l1_finalized": block_ref(main_l1(20)),
        "head_l1": block_ref(main_l1(21)),
        "safe_l1": block_ref(main_l1(20)),
        "finalized_l1": block_ref(main_l1(20)),
        "unsafe_l2": l2_ref(5),
        "cross_unsafe_l2": l2_ref(5),
        "safe_l2": l2_ref(2),
        "finalized_l2": l2_ref(0),
        "pending_safe_l2": l2_ref(4),
    });
    if with_local_safe {
        status["local_safe_l2"] = l2_ref(4);
    }
    let mut module = RpcModule::new(());
    module.register_method("optimism_syncStatus", move |_, _, _| status.clone()).unwrap();
    let server = Server::builder().build("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr().unwrap();
    (server.start(module), addr)
}

#[tokio::test]
async fn the_local_safe_head_of_an_interop_node_is_followed_rather_than_its_cross_safe_head() {
    for (with_local_safe, expected) in [(true, 4), (false, 2)] {
        let (handle, addr) = serve_interop_node(with_local_safe).await;
        let source = RollupRpcSource::new(A, &format!("http://{addr}"), Duration::from_secs(5)).unwrap();
        let status = source.status().await.unwrap();
        assert_eq!(status.safe_l2.number, expected, "local_safe_l2 present: {with_local_safe}");
        assert_eq!(status.safe_l2.hash, B256::repeat_byte(expected as u8));
        assert_eq!(status.current_l1, main_l1(21));
        assert_eq!(status.finalized_l1, main_l1(20));
        handle.stop().unwrap();
        handle.stopped().await;
    }

    let fixture = Fixture::new().await;
    let (handle, addr) = serve_interop_node(true).await;
    let source = RollupRpcSource::new(A, &format!("http://{addr}"), Duration::from_secs(5)).unwrap();
    follow_derivation_once(&fixture.verifier, &source).await.unwrap();
    assert_eq!(fixture.local_safe(), Some(4));
    assert_eq!(fixture.source_of(4).map(|s| s.0), Some(21));
    handle.stop().unwrap();
}
