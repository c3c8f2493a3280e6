//! Gas used by the main interop operations on op-revm (whole transaction as a receipt reports it: 21000 intrinsic,
//! calldata and access list included; no L1 data fee, which is paid in wei, not gas). A report, not a test:
//! `cargo bench -p superlink-benches --bench gas` prints the table recorded in BENCHMARKS.md. It fails when an
//! operation fails or uses no more than the intrinsic gas.
//!
//! The in-memory chain is the one the contract tests run on, included from there.

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

#[allow(dead_code)]
#[path = "../../crates/contracts/tests/evm/harness.rs"]
mod harness;
#[allow(dead_code)]
#[path = "../../crates/contracts/tests/evm/interop.rs"]
mod interop;
#[allow(dead_code)]
#[path = "../../crates/contracts/tests/evm/reference.rs"]
mod reference;

use alloy_primitives::{Address, U256, address, keccak256};
use alloy_sol_types::SolCall;
use superlink_contracts::{
    addresses::{
        CROSS_CHAIN_COUNTER, CROSS_L2_INBOX, L2_TO_L2_CROSS_DOMAIN_MESSENGER as MESSENGER,
        SUPERCHAIN_ETH_BRIDGE, SUPERCHAIN_TOKEN_BRIDGE, TEST_SUPERCHAIN_ERC20 as TOKEN,
    },
    bindings::{
        CrossChainCounter, CrossL2Inbox, L2ToL2CrossDomainMessenger, SuperchainETHBridge,
        SuperchainTokenBridge, TestSuperchainERC20,
    },
};

use crate::{
    harness::{Chain, Outcome, Tx},
    interop::InitiatingMessage,
};

const ALICE: Address = address!("0x1000000000000000000000000000000000000001");
const RELAYER: Address = address!("0x3000000000000000000000000000000000000003");

fn relay(source: &Chain, destination: &mut Chain, sent: &Outcome) -> Outcome {
    destination.send(InitiatingMessage::sent_message(source, sent).relay_tx(RELAYER)).expect_success()
}

fn main() {
    let (mut a, mut b) = (Chain::new(901), Chain::new(902));
    let mut rows: Vec<(&str, u64)> = Vec::new();

    let id = CrossL2Inbox::Identifier {
        origin: ALICE,
        blockNumber: U256::from(1),
        logIndex: U256::ZERO,
        timestamp: U256::from(1),
        chainId: U256::from(901),
    };
    let msg_hash = keccak256("payload");
    let validate = Tx::call(
        RELAYER,
        CROSS_L2_INBOX,
        &CrossL2Inbox::validateMessageCall { _id: id.clone(), _msgHash: msg_hash },
    )
    .access(CROSS_L2_INBOX, vec![reference::checksum(&id, msg_hash)]);
    rows.push(("CrossL2Inbox.validateMessage", b.send(validate).expect_success().gas_used));

    let send = L2ToL2CrossDomainMessenger::sendMessageCall {
        _destination: U256::from(902),
        _target: CROSS_CHAIN_COUNTER,
        _message: CrossChainCounter::incrementCall { _requester: ALICE }.abi_encode().into(),
    };
    rows.push((
        "L2ToL2CrossDomainMessenger.sendMessage (first)",
        a.send(Tx::call(ALICE, MESSENGER, &send)).expect_success().gas_used,
    ));
    let sent = a.send(Tx::call(ALICE, MESSENGER, &send)).expect_success();
    rows.push(("L2ToL2CrossDomainMessenger.sendMessage (next)", sent.gas_used));

    let remote = CrossChainCounter::incrementRemoteCall { _destination: U256::from(902) };
    let sent = a.send(Tx::call(ALICE, CROSS_CHAIN_COUNTER, &remote)).expect_success();
    rows.push(("CrossChainCounter.incrementRemote", sent.gas_used));
    rows.push(("relayMessage -> CrossChainCounter.increment", relay(&a, &mut b, &sent).gas_used));

    a.send(Tx::call(
        ALICE,
        TOKEN,
        &TestSuperchainERC20::mintCall { _to: ALICE, _amount: U256::from(1_000_000) },
    ))
    .expect_success();
    let send_erc20 = SuperchainTokenBridge::sendERC20Call {
        _token: TOKEN,
        _to: ALICE,
        _amount: U256::from(1_000),
        _chainId: U256::from(902),
    };
    let sent = a.send(Tx::call(ALICE, SUPERCHAIN_TOKEN_BRIDGE, &send_erc20)).expect_success();
    rows.push(("SuperchainTokenBridge.sendERC20", sent.gas_used));
    rows.push(("relayMessage -> SuperchainTokenBridge.relayERC20", relay(&a, &mut b, &sent).gas_used));

    a.set_balance(ALICE, U256::from(10u128.pow(20)));
    let send_eth = SuperchainETHBridge::sendETHCall { _to: ALICE, _chainId: U256::from(902) };
    let sent = a
        .send(Tx::call(ALICE, SUPERCHAIN_ETH_BRIDGE, &send_eth).value(U256::from(10u128.pow(18))))
        .expect_success();
    rows.push(("SuperchainETHBridge.sendETH", sent.gas_used));
    rows.push(("relayMessage -> SuperchainETHBridge.relayETH", relay(&a, &mut b, &sent).gas_used));

    println!("{:<52} {:>10}", "operation (whole transaction)", "gas used");
    for (name, gas) in &rows {
        println!("{name:<52} {gas:>10}");
        assert!(*gas > 21_000, "{name} did real work");
    }
}
