//! The registry of proposed output roots: only the proposer creates games, each proposal once, with a 32-byte L2
//! block number; `findLatestGames` searches back by type; the portal accepts proofs only against games of its
//! respected type.

use alloy_primitives::{B256, Bytes, U256, keccak256};
use superlink_contracts::bindings::{DisputeGameFactory, OptimismPortal, OutputRootGame};

use crate::{
    bridge_fixture::{ALICE, Bridge, PROPOSER, send},
    harness::Outcome,
};

fn create(bridge: &mut Bridge, game_type: u32, root: B256, block: u64) -> Outcome {
    let call = DisputeGameFactory::createCall {
        _gameType: game_type,
        _rootClaim: root,
        _extraData: Bytes::copy_from_slice(&U256::from(block).to_be_bytes::<32>()),
    };
    send(&mut bridge.l1, PROPOSER, bridge.l1_bridge.dispute_game_factory, &call)
}

#[test]
fn games_are_created_once_by_the_proposer_and_found_newest_first_by_type() {
    let mut bridge = Bridge::new();
    let factory = bridge.l1_bridge.dispute_game_factory;
    for (i, game_type) in [1u32, 0, 1, 1].into_iter().enumerate() {
        create(&mut bridge, game_type, keccak256([i as u8]), 10 * i as u64).expect_success();
    }
    let again = create(&mut bridge, 1, keccak256([0u8]), 0);
    assert!(again.reverted_with::<DisputeGameFactory::GameAlreadyExists>());
    let call = DisputeGameFactory::createCall {
        _gameType: 1,
        _rootClaim: B256::ZERO,
        _extraData: Bytes::from_static(&[1]),
    };
    assert!(
        send(&mut bridge.l1, PROPOSER, factory, &call)
            .reverted_with::<DisputeGameFactory::InvalidExtraData>()
    );
    assert!(send(&mut bridge.l1, ALICE, factory, &call).reverted_with::<DisputeGameFactory::NotProposer>());

    let find = |start: u64, n: u64| DisputeGameFactory::findLatestGamesCall {
        _gameType: 1,
        _start: U256::from(start),
        _n: U256::from(n),
    };
    let games = bridge.l1.view(factory, &find(3, 10));
    let indices: Vec<U256> = games.iter().map(|g| g.index).collect();
    assert_eq!(indices, [U256::from(3), U256::from(2), U256::ZERO], "type 1 only, newest first");
    assert_eq!(bridge.l1.view(factory, &find(3, 2)).len(), 2);
    assert_eq!(bridge.l1.view(factory, &find(1, 10)).len(), 1);
    assert!(bridge.l1.view(factory, &find(4, 10)).is_empty(), "a start beyond the last game finds nothing");

    let at = bridge.l1.view(factory, &DisputeGameFactory::gameAtIndexCall { _index: U256::from(2) });
    assert_eq!(at.gameType_, 1);
    assert_eq!(games[1].metadata.as_slice()[12..], at.proxy_.as_slice()[..], "metadata ends with the game");
    assert_eq!(bridge.l1.view(at.proxy_, &OutputRootGame::rootClaimCall {}), keccak256([2u8]));
    assert_eq!(bridge.l1.view(at.proxy_, &OutputRootGame::l2SequenceNumberCall {}), U256::from(20));
    assert_eq!(bridge.l1.view(at.proxy_, &OutputRootGame::statusCall {}), 2, "resolved for the claim");
    let found = bridge.l1.view(
        factory,
        &DisputeGameFactory::gamesCall {
            _gameType: 1,
            _rootClaim: keccak256([2u8]),
            _extraData: Bytes::copy_from_slice(&U256::from(20).to_be_bytes::<32>()),
        },
    );
    assert_eq!(found.proxy_, at.proxy_);
}

#[test]
fn the_portal_refuses_proofs_against_games_of_another_type() {
    let mut bridge = Bridge::new();
    let (proof, _) = bridge.propose();
    let root = superlink_contracts::withdrawal::output_root(&proof);
    create(&mut bridge, 0, root, 1).expect_success();
    let withdrawal = OptimismPortal::WithdrawalTransaction {
        nonce: U256::ZERO,
        sender: ALICE,
        target: ALICE,
        value: U256::ZERO,
        gasLimit: U256::ZERO,
        data: Bytes::new(),
    };
    let refused = bridge.prove(ALICE, &withdrawal, U256::from(1), &proof);
    assert!(refused.reverted_with::<OptimismPortal::OptimismPortal_InvalidGameType>());
}
