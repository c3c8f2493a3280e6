//! Messages between the L1 and an L2 through the messengers: the target sees the sender on the other side as
//! `xDomainMessageSender()`, ETH travels with the message, a failed relay of a withdrawn message is replayed on
//! the L1, and the proof maturity delay is the configured one.

use alloy_primitives::{Address, Bytes, U256, address};
use alloy_sol_types::SolCall;
use superlink_contracts::{
    BridgeConfig, Contract,
    bindings::{L1CrossDomainMessenger, L2CrossDomainMessenger, OptimismPortal, SenderProbe},
    bridge_addresses::L2_CROSS_DOMAIN_MESSENGER,
};

use crate::{
    bridge_fixture::{ALICE, BOB, Bridge, PROPOSER, ether, revert_reason, send},
    harness::{Chain, Tx},
};

const PROBE: Address = address!("0x8000000000000000000000000000000000000008");

fn place_probe(chain: &mut Chain) {
    chain.set_code(PROBE, Contract::SenderProbe.deployed_bytecode());
}

fn record() -> Bytes {
    SenderProbe::recordCall {}.abi_encode().into()
}

/// ALICE sends `record()` with `value` from the L2 to the probe on the L1; returns the withdrawal.
fn send_to_l1(bridge: &mut Bridge, value: U256) -> OptimismPortal::WithdrawalTransaction {
    let call =
        L2CrossDomainMessenger::sendMessageCall { _target: PROBE, _message: record(), _minGasLimit: 100_000 };
    let tx = Tx { value, ..Tx::call(ALICE, L2_CROSS_DOMAIN_MESSENGER, &call) };
    let outcome = bridge.l2.send(tx).expect_success();
    Bridge::withdrawals(&outcome).remove(0)
}

/// Deposits `amount` straight through the portal, so that it holds ETH for withdrawals.
fn fund_portal(bridge: &mut Bridge, amount: U256) {
    let tx = Tx {
        value: amount,
        data: Bytes::new(),
        ..Tx::call(BOB, bridge.l1_bridge.portal, &SenderProbe::recordCall {})
    };
    bridge.l1.send(tx).expect_success();
}

#[test]
fn an_l1_message_reaches_its_l2_target_naming_the_l1_sender_with_its_eth() {
    let mut bridge = Bridge::new();
    place_probe(&mut bridge.l2);
    let call =
        L1CrossDomainMessenger::sendMessageCall { _target: PROBE, _message: record(), _minGasLimit: 80_000 };
    let messenger = bridge.l1_bridge.l1_cross_domain_messenger;
    let outcome =
        bridge.l1.send(Tx { value: U256::from(77), ..Tx::call(ALICE, messenger, &call) }).expect_success();
    for relayed in bridge.relay_deposits(&outcome) {
        relayed.expect_success();
    }
    assert_eq!(bridge.l2.view(PROBE, &SenderProbe::lastMessengerCall {}), L2_CROSS_DOMAIN_MESSENGER);
    assert_eq!(bridge.l2.view(PROBE, &SenderProbe::lastSenderCall {}), ALICE);
    assert_eq!(bridge.l2.view(PROBE, &SenderProbe::lastValueCall {}), U256::from(77));
    // Outside a relay the sender is not set.
    let outside = bridge.l2.simulate(Tx::call(
        BOB,
        L2_CROSS_DOMAIN_MESSENGER,
        &L2CrossDomainMessenger::xDomainMessageSenderCall {},
    ));
    assert_eq!(
        revert_reason(&outside).as_deref(),
        Some("CrossDomainMessenger: xDomainMessageSender is not set")
    );
}

#[test]
fn an_l2_message_reaches_its_l1_target_naming_the_l2_sender_with_its_eth() {
    let mut bridge = Bridge::new();
    place_probe(&mut bridge.l1);
    fund_portal(&mut bridge, ether(1));
    let withdrawal = send_to_l1(&mut bridge, U256::from(55));
    assert_eq!(withdrawal.sender, L2_CROSS_DOMAIN_MESSENGER);
    assert_eq!(withdrawal.target, bridge.l1_bridge.l1_cross_domain_messenger);
    let finalized = bridge.prove_and_finalize(&withdrawal).expect_success();
    let messenger = bridge.l1_bridge.l1_cross_domain_messenger;
    assert_eq!(finalized.events::<L1CrossDomainMessenger::RelayedMessage>(messenger).len(), 1);
    assert_eq!(bridge.l1.view(PROBE, &SenderProbe::lastMessengerCall {}), messenger);
    assert_eq!(bridge.l1.view(PROBE, &SenderProbe::lastSenderCall {}), ALICE);
    assert_eq!(bridge.l1.view(PROBE, &SenderProbe::lastValueCall {}), U256::from(55));
}

#[test]
fn a_withdrawn_message_whose_target_fails_is_finalized_and_replayed_on_the_l1() {
    let mut bridge = Bridge::new();
    place_probe(&mut bridge.l1);
    fund_portal(&mut bridge, ether(1));
    send(&mut bridge.l1, BOB, PROBE, &SenderProbe::setRefusingCall { _refusing: true }).expect_success();
    let withdrawal = send_to_l1(&mut bridge, U256::from(9));

    let finalized = bridge.prove_and_finalize(&withdrawal).expect_success();
    let portal_events = finalized.events::<OptimismPortal::WithdrawalFinalized>(bridge.l1_bridge.portal);
    assert!(portal_events[0].1.success, "the portal's call to the messenger succeeded");
    let messenger = bridge.l1_bridge.l1_cross_domain_messenger;
    let failed = finalized.events::<L1CrossDomainMessenger::FailedRelayedMessage>(messenger);
    assert_eq!(failed.len(), 1);
    assert_eq!(bridge.l1.balance(messenger), U256::from(9), "the messenger keeps the ETH for the replay");
    assert!(
        bridge
            .finalize(ALICE, &withdrawal)
            .reverted_with::<OptimismPortal::OptimismPortal_AlreadyFinalized>()
    );

    send(&mut bridge.l1, BOB, PROBE, &SenderProbe::setRefusingCall { _refusing: false }).expect_success();
    let relay =
        L1CrossDomainMessenger::relayMessageCall::abi_decode(&withdrawal.data).expect("a relayMessage call");
    let with_eth = bridge.l1.send(Tx { value: U256::from(1), ..Tx::call(BOB, messenger, &relay) });
    assert!(with_eth.reverted_with::<L1CrossDomainMessenger::MessageCannotBeReplayed>());
    let replayed = send(&mut bridge.l1, BOB, messenger, &relay).expect_success();
    assert_eq!(
        replayed.events::<L1CrossDomainMessenger::RelayedMessage>(messenger)[0].1.msgHash,
        failed[0].1.msgHash
    );
    assert_eq!(bridge.l1.view(PROBE, &SenderProbe::lastSenderCall {}), ALICE);
    assert_eq!(bridge.l1.view(PROBE, &SenderProbe::lastValueCall {}), U256::from(9));
    assert!(
        send(&mut bridge.l1, BOB, messenger, &relay)
            .reverted_with::<L1CrossDomainMessenger::MessageAlreadyRelayed>()
    );
}

#[test]
fn the_proof_maturity_delay_is_the_configured_one() {
    let config = BridgeConfig { proof_maturity_delay_seconds: 100, ..BridgeConfig::new(PROPOSER) };
    let mut bridge = Bridge::with_config(config);
    place_probe(&mut bridge.l1);
    fund_portal(&mut bridge, ether(1));
    let withdrawal = send_to_l1(&mut bridge, U256::ZERO);
    let (proof, index) = bridge.propose();
    bridge.prove(ALICE, &withdrawal, index, &proof).expect_success();
    bridge.wait_l1(97); // the finalization's block comes 2 seconds later: 99 seconds after the proof
    let early = bridge.finalize(ALICE, &withdrawal);
    assert_eq!(
        revert_reason(&early).as_deref(),
        Some("OptimismPortal: proven withdrawal has not matured yet")
    );
    bridge.finalize(ALICE, &withdrawal).expect_success();
}
