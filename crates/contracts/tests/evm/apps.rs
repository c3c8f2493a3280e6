//! The example app (CrossChainCounter) end to end, L2ToL1MessagePasser withdrawals, and the genesis allocation.

use alloy_primitives::{Address, Bytes, U256, address, keccak256};
use alloy_sol_types::{SolCall, SolValue};
use superlink_contracts::{
    Contract,
    addresses::{
        CROSS_CHAIN_COUNTER as COUNTER, ETH_LIQUIDITY, ETH_LIQUIDITY_INITIAL_BALANCE,
        L2_TO_L1_MESSAGE_PASSER as PASSER, L2_TO_L2_CROSS_DOMAIN_MESSENGER as MESSENGER,
    },
    bindings::{CrossChainCounter, L2ToL1MessagePasser, L2ToL2CrossDomainMessenger},
    predeploy_allocs,
};

use crate::{
    harness::{Chain, Tx},
    interop::InitiatingMessage,
};

const ALICE: Address = address!("0x1000000000000000000000000000000000000001");
const RELAYER: Address = address!("0x3000000000000000000000000000000000000003");

#[test]
fn counter_counts_increments_relayed_from_another_chain() {
    let (mut source, mut destination) = (Chain::new(901), Chain::new(902));
    for expected in 1..=2u64 {
        let call = CrossChainCounter::incrementRemoteCall { _destination: U256::from(902) };
        let sent = source.send(Tx::call(ALICE, COUNTER, &call)).expect_success();
        let relayed = destination.send(InitiatingMessage::sent_message(&source, &sent).relay_tx(RELAYER));
        assert!(relayed.success, "relay reverted with {}", relayed.output);
        let (_, event) = relayed.events::<CrossChainCounter::Incremented>(COUNTER).remove(0);
        assert_eq!(
            (event.source, event.requester, event.count),
            (U256::from(901), ALICE, U256::from(expected))
        );
    }
    assert_eq!(destination.view(COUNTER, &CrossChainCounter::countCall {}), U256::from(2));
    assert_eq!(destination.view(COUNTER, &CrossChainCounter::lastSourceCall {}), U256::from(901));
    assert_eq!(destination.view(COUNTER, &CrossChainCounter::lastRequesterCall {}), ALICE);
    assert_eq!(source.view(COUNTER, &CrossChainCounter::countCall {}), U256::ZERO);
}

#[test]
fn counter_refuses_direct_calls_and_messages_from_other_senders() {
    let (mut source, mut destination) = (Chain::new(901), Chain::new(902));
    let increment = CrossChainCounter::incrementCall { _requester: ALICE };
    let direct = destination.send(Tx::call(ALICE, COUNTER, &increment));
    assert!(direct.reverted_with::<CrossChainCounter::CallerNotMessenger>());

    // Alice sends the increment herself: the messenger delivers it, but the sender is not a counter.
    let send = L2ToL2CrossDomainMessenger::sendMessageCall {
        _destination: U256::from(902),
        _target: COUNTER,
        _message: increment.abi_encode().into(),
    };
    let sent = source.send(Tx::call(ALICE, MESSENGER, &send)).expect_success();
    let relayed = destination.send(InitiatingMessage::sent_message(&source, &sent).relay_tx(RELAYER));
    assert!(relayed.reverted_with::<CrossChainCounter::InvalidCrossDomainSender>(), "{}", relayed.output);
    assert_eq!(destination.view(COUNTER, &CrossChainCounter::countCall {}), U256::ZERO);
}

#[test]
fn withdrawals_are_recorded_by_hash_with_a_versioned_nonce() {
    let mut chain = Chain::new(901);
    chain.set_balance(ALICE, U256::from(1_000));
    let target = address!("0x4000000000000000000000000000000000000004");
    let data = Bytes::from_static(b"withdraw");
    for count in 0..2u64 {
        let call = L2ToL1MessagePasser::initiateWithdrawalCall {
            _target: target,
            _gasLimit: U256::from(100_000),
            _data: data.clone(),
        };
        let outcome = chain.send(Tx::call(ALICE, PASSER, &call).value(U256::from(10))).expect_success();
        let nonce = (U256::from(1) << 240) | U256::from(count);
        let expected = keccak256(
            (nonce, ALICE, target, U256::from(10), U256::from(100_000), data.clone()).abi_encode_params(),
        );
        let (_, event) = outcome.events::<L2ToL1MessagePasser::MessagePassed>(PASSER).remove(0);
        assert_eq!(
            (event.nonce, event.sender, event.target, event.withdrawalHash),
            (nonce, ALICE, target, expected)
        );
        assert!(chain.view(PASSER, &L2ToL1MessagePasser::sentMessagesCall { withdrawalHash: expected }));
        // Slot 0 holds the mapping: the output root commits to it through the storage root.
        let slot = keccak256((expected, U256::ZERO).abi_encode_params());
        assert_eq!(chain.storage(PASSER, slot.into()), U256::from(1));
    }
    assert_eq!(chain.balance(PASSER), U256::from(20));
}

#[test]
fn genesis_places_every_predeploy_and_app_at_its_address() {
    let allocs = predeploy_allocs(901);
    let mut placed = 0;
    for contract in Contract::ALL {
        let Some(address) = contract.genesis_address() else { continue };
        let account = &allocs[&address];
        let code = account.code.clone().expect("contract code");
        assert!(!code.is_empty(), "{contract} has runtime code");
        assert_eq!(code, contract.deployed_bytecode());
        // The committed artifact holds the same code.
        let artifact: serde_json::Value =
            serde_json::from_str(contract.artifact_json()).expect("artifact is JSON");
        assert_eq!(artifact["deployedBytecode"].as_str(), Some(code.to_string().as_str()), "{contract}");
        assert_eq!(artifact["contractName"].as_str(), Some(contract.name()));
        placed += 1;
    }
    assert_eq!(allocs.len(), placed, "nothing but the contracts");
    assert_eq!(allocs[&ETH_LIQUIDITY].balance, ETH_LIQUIDITY_INITIAL_BALANCE);
    assert_eq!(ETH_LIQUIDITY_INITIAL_BALANCE, (U256::from(1) << 248) - U256::from(1), "type(uint248).max");

    let chain = Chain::new(901);
    for (address, account) in allocs {
        assert_eq!(chain.code(address), account.code.unwrap_or_default());
    }
}
