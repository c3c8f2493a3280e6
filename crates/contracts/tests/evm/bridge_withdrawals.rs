//! L2 → L1 through the standard bridge: a withdrawal initiated on the L2, its output root proposed, proven on the
//! L1 against a storage proof of the message passer (built with alloy-trie over the passer's real storage),
//! finalized after the proof maturity delay; an early, a replayed or a badly proven finalization refused.

use alloy_primitives::{B256, Bytes, U256, keccak256};
use superlink_contracts::{
    addresses::TEST_SUPERCHAIN_ERC20,
    bindings::{
        L1StandardBridge, L2StandardBridge, OptimismMintableERC20, OptimismMintableERC20Factory,
        OptimismPortal, TestSuperchainERC20,
    },
    bridge_addresses::{L2_STANDARD_BRIDGE, LEGACY_ERC20_ETH},
    withdrawal::{sent_message_slot, withdrawal_hash},
};

use crate::{
    bridge_deposits::{L1_TOKEN, create_l2_token, fund_l1_token, token_balance},
    bridge_fixture::{ALICE, BOB, Bridge, ether, revert_reason, send},
    harness::Tx,
};

/// Deposits `amount` of ETH from ALICE through the L1 bridge, so that the portal holds ETH to pay withdrawals.
fn deposit_eth(bridge: &mut Bridge, amount: U256) {
    let call = L1StandardBridge::depositETHCall { _minGasLimit: 200_000, _extraData: Bytes::new() };
    let tx = Tx { value: amount, ..Tx::call(ALICE, bridge.l1_bridge.l1_standard_bridge, &call) };
    let outcome = bridge.l1.send(tx).expect_success();
    for relayed in bridge.relay_deposits(&outcome) {
        relayed.expect_success();
    }
}

/// BOB withdraws `amount` of ETH to himself through the L2 bridge; returns the withdrawal.
fn withdraw_eth(bridge: &mut Bridge, amount: U256) -> OptimismPortal::WithdrawalTransaction {
    let call = L2StandardBridge::withdrawCall {
        _l2Token: LEGACY_ERC20_ETH,
        _amount: amount,
        _minGasLimit: 100_000,
        _extraData: Bytes::new(),
    };
    let outcome =
        bridge.l2.send(Tx { value: amount, ..Tx::call(BOB, L2_STANDARD_BRIDGE, &call) }).expect_success();
    let initiated = outcome.events::<L2StandardBridge::WithdrawalInitiated>(L2_STANDARD_BRIDGE);
    assert_eq!(
        (initiated[0].1.l2Token, initiated[0].1.from, initiated[0].1.amount),
        (LEGACY_ERC20_ETH, BOB, amount)
    );
    let mut withdrawals = Bridge::withdrawals(&outcome);
    assert_eq!(withdrawals.len(), 1);
    withdrawals.remove(0)
}

#[test]
fn eth_withdrawn_on_the_l2_is_proven_then_finalized_on_the_l1_after_the_delay() {
    let mut bridge = Bridge::new();
    deposit_eth(&mut bridge, ether(5));
    let withdrawal = withdraw_eth(&mut bridge, ether(3));
    assert_eq!(
        withdrawal.target, bridge.l1_bridge.l1_cross_domain_messenger,
        "withdrawn through the messengers"
    );

    let (proof, index) = bridge.propose();
    let proven = bridge.prove(ALICE, &withdrawal, index, &proof).expect_success();
    let hash = withdrawal_hash(&withdrawal);
    let events = proven.events::<OptimismPortal::WithdrawalProven>(bridge.l1_bridge.portal);
    assert_eq!((events[0].1.withdrawalHash, events[0].1.from), (hash, withdrawal.sender));
    let portal = bridge.l1_bridge.portal;
    let submitters =
        bridge.l1.view(portal, &OptimismPortal::numProofSubmittersCall { _withdrawalHash: hash });
    assert_eq!(submitters, U256::from(1));

    // Before the maturity delay: refused with the reason clients map to "waiting to finalize".
    let early = bridge.finalize(ALICE, &withdrawal);
    assert_eq!(
        revert_reason(&early).as_deref(),
        Some("OptimismPortal: proven withdrawal has not matured yet")
    );

    bridge.wait_l1(bridge.config.proof_maturity_delay_seconds);
    let before = bridge.l1.balance(BOB);
    let finalized = bridge.finalize(ALICE, &withdrawal).expect_success();
    let events = finalized.events::<OptimismPortal::WithdrawalFinalized>(portal);
    assert_eq!((events[0].1.withdrawalHash, events[0].1.success), (hash, true));
    assert_eq!(bridge.l1.balance(BOB), before + ether(3), "BOB gets the ETH on the L1");
    assert_eq!(bridge.l1.balance(portal), ether(2));
    let paid =
        finalized.events::<L1StandardBridge::ETHWithdrawalFinalized>(bridge.l1_bridge.l1_standard_bridge);
    assert_eq!((paid[0].1.from, paid[0].1.to, paid[0].1.amount), (BOB, BOB, ether(3)));
    assert!(bridge.l1.view(portal, &OptimismPortal::finalizedWithdrawalsCall { withdrawalHash: hash }));

    let replayed = bridge.finalize(ALICE, &withdrawal);
    assert!(replayed.reverted_with::<OptimismPortal::OptimismPortal_AlreadyFinalized>());
    assert_eq!(bridge.l1.balance(BOB), before + ether(3));
}

#[test]
fn an_unproven_withdrawal_or_a_proof_by_someone_else_cannot_be_finalized() {
    let mut bridge = Bridge::new();
    deposit_eth(&mut bridge, ether(1));
    let withdrawal = withdraw_eth(&mut bridge, ether(1));
    let unproven = bridge.finalize(BOB, &withdrawal);
    assert!(unproven.reverted_with::<OptimismPortal::OptimismPortal_Unproven>());

    let (proof, index) = bridge.propose();
    bridge.prove(ALICE, &withdrawal, index, &proof).expect_success();
    bridge.wait_l1(bridge.config.proof_maturity_delay_seconds + 1);
    let by_bob = bridge.finalize(BOB, &withdrawal);
    assert!(by_bob.reverted_with::<OptimismPortal::OptimismPortal_Unproven>(), "BOB proved nothing");
    let check = OptimismPortal::checkWithdrawalCall {
        _withdrawalHash: withdrawal_hash(&withdrawal),
        _proofSubmitter: ALICE,
    };
    bridge.l1.send(Tx::call(BOB, bridge.l1_bridge.portal, &check)).expect_success();
    let external = OptimismPortal::finalizeWithdrawalTransactionExternalProofCall {
        _tx: withdrawal.clone(),
        _proofSubmitter: ALICE,
    };
    bridge.l1.send(Tx::call(BOB, bridge.l1_bridge.portal, &external)).expect_success();
}

#[test]
fn a_proof_that_does_not_match_the_proposed_output_root_or_the_passer_storage_is_refused() {
    let mut bridge = Bridge::new();
    deposit_eth(&mut bridge, ether(1));
    let withdrawal = withdraw_eth(&mut bridge, ether(1));
    let (proof, index) = bridge.propose();

    let mut wrong_root = proof.clone();
    wrong_root.stateRoot = keccak256(b"another state");
    let refused = bridge.prove(ALICE, &withdrawal, index, &wrong_root);
    assert!(refused.reverted_with::<OptimismPortal::OptimismPortal_InvalidOutputRootProof>());

    // A withdrawal the L2 never initiated: its slot is not in the passer's storage.
    let mut forged = withdrawal.clone();
    forged.value = ether(50);
    let refused = bridge.prove(ALICE, &forged, index, &proof);
    assert!(refused.reverted_with::<OptimismPortal::OptimismPortal_InvalidMerkleProof>());

    // The right slot but a proof against another storage root.
    let (_, nodes) = bridge.passer_storage_proof(sent_message_slot(withdrawal_hash(&withdrawal)));
    let mut tampered = proof.clone();
    tampered.messagePasserStorageRoot = B256::repeat_byte(0x11);
    let call = OptimismPortal::proveWithdrawalTransactionCall {
        _tx: withdrawal.clone(),
        _disputeGameIndex: index,
        _outputRootProof: tampered,
        _withdrawalProof: nodes,
    };
    let refused = send(&mut bridge.l1, ALICE, bridge.l1_bridge.portal, &call);
    assert!(refused.reverted_with::<OptimismPortal::OptimismPortal_InvalidOutputRootProof>());
}

#[test]
fn an_erc20_goes_to_the_l2_and_back() {
    let mut bridge = Bridge::new();
    let l1_bridge = bridge.l1_bridge;
    let l2_token = create_l2_token(&mut bridge);
    fund_l1_token(&mut bridge, 1_000, l1_bridge.l1_standard_bridge);
    let deposit = L1StandardBridge::depositERC20Call {
        _l1Token: L1_TOKEN,
        _l2Token: l2_token,
        _amount: U256::from(700),
        _minGasLimit: 200_000,
        _extraData: Bytes::new(),
    };
    let outcome = send(&mut bridge.l1, ALICE, l1_bridge.l1_standard_bridge, &deposit).expect_success();
    for relayed in bridge.relay_deposits(&outcome) {
        relayed.expect_success();
    }

    let withdraw = L2StandardBridge::withdrawToCall {
        _l2Token: l2_token,
        _to: BOB,
        _amount: U256::from(250),
        _minGasLimit: 200_000,
        _extraData: Bytes::new(),
    };
    let outcome = send(&mut bridge.l2, ALICE, L2_STANDARD_BRIDGE, &withdraw).expect_success();
    assert_eq!(outcome.events::<OptimismMintableERC20::Burn>(l2_token).len(), 1);
    assert_eq!(token_balance(&mut bridge.l2, l2_token, ALICE), U256::from(450));
    let withdrawal = Bridge::withdrawals(&outcome).remove(0);

    let finalized = bridge.prove_and_finalize(&withdrawal).expect_success();
    let paid = finalized.events::<L1StandardBridge::ERC20WithdrawalFinalized>(l1_bridge.l1_standard_bridge);
    assert_eq!((paid[0].1.l1Token, paid[0].1.l2Token, paid[0].1.to), (L1_TOKEN, l2_token, BOB));
    assert_eq!(token_balance(&mut bridge.l1, L1_TOKEN, BOB), U256::from(250));
    let locked = bridge.l1.view(
        l1_bridge.l1_standard_bridge,
        &L1StandardBridge::depositsCall { localToken: L1_TOKEN, remoteToken: l2_token },
    );
    assert_eq!(locked, U256::from(450));
}

#[test]
fn an_l2_native_token_goes_to_the_l1_as_a_mintable_token_and_back() {
    let mut bridge = Bridge::new();
    let l1_bridge = bridge.l1_bridge;
    // The L2's open-mint example token stands for an L2-native token; the L1 factory creates its L1 side.
    let create = OptimismMintableERC20Factory::createOptimismMintableERC20Call {
        _remoteToken: TEST_SUPERCHAIN_ERC20,
        _name: "Native".into(),
        _symbol: "NAT".into(),
    };
    let factory = l1_bridge.optimism_mintable_erc20_factory;
    let created = send(&mut bridge.l1, ALICE, factory, &create).expect_success();
    let l1_token = created.returns::<OptimismMintableERC20Factory::createOptimismMintableERC20Call>();
    assert_eq!(bridge.l1.view(l1_token, &OptimismMintableERC20::bridgeCall {}), l1_bridge.l1_standard_bridge);
    let mint = TestSuperchainERC20::mintCall { _to: ALICE, _amount: U256::from(90) };
    send(&mut bridge.l2, ALICE, TEST_SUPERCHAIN_ERC20, &mint).expect_success();
    let approve = TestSuperchainERC20::approveCall { _spender: L2_STANDARD_BRIDGE, _amount: U256::from(90) };
    send(&mut bridge.l2, ALICE, TEST_SUPERCHAIN_ERC20, &approve).expect_success();

    let out = L2StandardBridge::bridgeERC20ToCall {
        _localToken: TEST_SUPERCHAIN_ERC20,
        _remoteToken: l1_token,
        _to: BOB,
        _amount: U256::from(90),
        _minGasLimit: 200_000,
        _extraData: Bytes::new(),
    };
    let outcome = send(&mut bridge.l2, ALICE, L2_STANDARD_BRIDGE, &out).expect_success();
    assert_eq!(
        token_balance(&mut bridge.l2, TEST_SUPERCHAIN_ERC20, L2_STANDARD_BRIDGE),
        U256::from(90),
        "locked"
    );
    let withdrawal = Bridge::withdrawals(&outcome).remove(0);
    bridge.prove_and_finalize(&withdrawal).expect_success();
    assert_eq!(token_balance(&mut bridge.l1, l1_token, BOB), U256::from(90), "minted on the L1");

    // Back: burned on the L1, released on the L2.
    let back = L1StandardBridge::bridgeERC20ToCall {
        _localToken: l1_token,
        _remoteToken: TEST_SUPERCHAIN_ERC20,
        _to: ALICE,
        _amount: U256::from(40),
        _minGasLimit: 200_000,
        _extraData: Bytes::new(),
    };
    let outcome = send(&mut bridge.l1, BOB, l1_bridge.l1_standard_bridge, &back).expect_success();
    assert_eq!(token_balance(&mut bridge.l1, l1_token, BOB), U256::from(50));
    for relayed in bridge.relay_deposits(&outcome) {
        relayed.expect_success();
    }
    assert_eq!(token_balance(&mut bridge.l2, TEST_SUPERCHAIN_ERC20, ALICE), U256::from(40));
    assert_eq!(token_balance(&mut bridge.l2, TEST_SUPERCHAIN_ERC20, L2_STANDARD_BRIDGE), U256::from(50));
}
