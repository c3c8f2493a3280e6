//! The chain follower against an in-memory source: catching up, following new blocks, rewinding a reorg to
//! the common ancestor, and reading the safe and finalized tags.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use alloy_primitives::U256;
use superlink_protocol::DependencySet;
use superlink_verifier::{FollowConfig, Round, Verifier, follow_once};

mod memory_chain;

use memory_chain::MemoryChain;

async fn follow_to_head(verifier: &Verifier, source: &MemoryChain) -> Vec<Round> {
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
    let (a, b) = (MemoryChain::new(1), MemoryChain::new(2));
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
    assert_eq!(verifier.latest(1).map(|b| b.hash), a.last().map(|b| b.block.hash));
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
    let a = MemoryChain::new(1);
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
    let a = MemoryChain::new(1);
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
