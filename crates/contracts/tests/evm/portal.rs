//! The L1 deposit portals (`DepositPortal`, and the bridge's `OptimismPortal` built on it): the `TransactionDeposited` event of the deposits spec, the checks on a deposit, the
//! L1 → L2 alias of contract callers, and the ETH it keeps.

use alloy_primitives::{Address, Bytes, U256, address};
use alloy_sol_types::SolCall;
use superlink_contracts::{
    BridgeConfig, Contract,
    addresses::{deposit_portal, l1_to_l2_alias},
    bindings::DepositPortal::{self, TransactionDeposited},
    bridge_addresses::l1_bridge,
};

use crate::harness::{Chain, Outcome, Tx};

const ALICE: Address = address!("0x1000000000000000000000000000000000000001");
const FORWARDER: Address = address!("0x2000000000000000000000000000000000000002");
const TARGET: Address = address!("0x5111000000000000000000000000000000000002");

/// An L1 with a portal of chain 901 and a funded Alice: the `DepositPortal`, then the bridge's `OptimismPortal`,
/// which keeps the same deposit rules.
fn l1s() -> Vec<(Chain, Address)> {
    let mut deposit_only = Chain::new(900);
    let portal = deposit_portal(901);
    deposit_only.set_code(portal, Contract::DepositPortal.deployed_bytecode());
    let mut bridge = Chain::new(900);
    bridge.alloc(superlink_contracts::bridge_l1_allocs([901], &BridgeConfig::new(Address::ZERO)));
    let mut chains = vec![(deposit_only, portal), (bridge, l1_bridge(901).portal)];
    for (chain, _) in &mut chains {
        chain.set_balance(ALICE, U256::from(10u64).pow(U256::from(21)));
    }
    chains
}

/// The spec's packing of `opaqueData`: mint, value (32 bytes each), gas limit (8), isCreation (1), data.
fn packed(mint: u64, value: u64, gas_limit: u64, is_creation: bool, data: &[u8]) -> Bytes {
    let mut out = Vec::new();
    out.extend_from_slice(&U256::from(mint).to_be_bytes::<32>());
    out.extend_from_slice(&U256::from(value).to_be_bytes::<32>());
    out.extend_from_slice(&gas_limit.to_be_bytes());
    out.push(u8::from(is_creation));
    out.extend_from_slice(data);
    out.into()
}

fn deposit_call(to: Address, value: u64, gas_limit: u64, is_creation: bool, data: &[u8]) -> Bytes {
    DepositPortal::depositTransactionCall {
        _to: to,
        _value: U256::from(value),
        _gasLimit: gas_limit,
        _isCreation: is_creation,
        _data: Bytes::copy_from_slice(data),
    }
    .abi_encode()
    .into()
}

fn raw(from: Address, to: Address, data: Bytes, value: u64) -> Tx {
    Tx { from, to, data, value: U256::from(value), access_list: vec![], deposit: false }
}

fn only_event(outcome: &Outcome, portal: Address) -> TransactionDeposited {
    let mut events = outcome.events::<TransactionDeposited>(portal);
    assert_eq!(events.len(), 1, "one TransactionDeposited per deposit");
    events.remove(0).1
}

#[test]
fn sending_eth_deposits_it_to_the_sender_with_the_default_gas_limit_and_the_portal_keeps_it() {
    for (mut chain, portal) in l1s() {
        let outcome = chain.send(raw(ALICE, portal, Bytes::new(), 7_000)).expect_success();
        let event = only_event(&outcome, portal);
        assert_eq!((event.from, event.to, event.version), (ALICE, ALICE, U256::ZERO));
        let gas = chain.view(portal, &DepositPortal::RECEIVE_DEFAULT_GAS_LIMITCall {});
        assert_eq!(event.opaqueData, packed(7_000, 7_000, gas, false, &[]));
        assert_eq!(chain.balance(portal), U256::from(7_000));
    }
}

#[test]
fn deposit_transaction_emits_every_field_packed_as_the_spec_says() {
    for (mut chain, portal) in l1s() {
        let data = [0xab, 0xcd, 0xef, 0x01, 0x02];
        let call = deposit_call(TARGET, 3, 250_000, false, &data);
        let outcome = chain.send(raw(ALICE, portal, call, 10)).expect_success();
        let event = only_event(&outcome, portal);
        assert_eq!((event.from, event.to, event.version), (ALICE, TARGET, U256::ZERO));
        assert_eq!(event.opaqueData, packed(10, 3, 250_000, false, &data));
        assert_eq!(chain.balance(portal), U256::from(10));
    }
}

#[test]
fn a_creation_must_name_no_target() {
    for (mut chain, portal) in l1s() {
        let init_code = [0x60, 0x00, 0x60, 0x00, 0xf3];
        let refused = chain.send(raw(ALICE, portal, deposit_call(TARGET, 0, 100_000, true, &init_code), 1));
        assert!(refused.reverted_with::<DepositPortal::CreationWithTarget>());
        assert_eq!(chain.balance(portal), U256::ZERO, "a refused deposit keeps nothing");

        let created =
            chain.send(raw(ALICE, portal, deposit_call(Address::ZERO, 0, 100_000, true, &init_code), 1));
        let event = only_event(&created.expect_success(), portal);
        assert_eq!(event.to, Address::ZERO);
        assert_eq!(event.opaqueData, packed(1, 0, 100_000, true, &init_code));
    }
}

#[test]
fn the_gas_limit_must_cover_the_data_and_stay_under_the_maximum() {
    for (mut chain, portal) in l1s() {
        let data = vec![0x11; 100];
        let minimum = chain.view(portal, &DepositPortal::minimumGasLimitCall { _dataLength: 100 });
        assert_eq!(minimum, 21_000 + 40 * 100);
        let low = chain.send(raw(ALICE, portal, deposit_call(TARGET, 0, minimum - 1, false, &data), 0));
        assert!(low.reverted_with::<DepositPortal::GasLimitTooLow>());
        chain.send(raw(ALICE, portal, deposit_call(TARGET, 0, minimum, false, &data), 0)).expect_success();

        let maximum = chain.view(portal, &DepositPortal::MAX_GAS_LIMITCall {});
        chain.send(raw(ALICE, portal, deposit_call(TARGET, 0, maximum, false, &[]), 0)).expect_success();
        let high = chain.send(raw(ALICE, portal, deposit_call(TARGET, 0, maximum + 1, false, &[]), 0));
        assert!(high.reverted_with::<DepositPortal::GasLimitTooHigh>());

        let limit = chain.view(portal, &DepositPortal::MAX_DATA_LENGTHCall {});
        let too_long = vec![0u8; usize::try_from(limit).unwrap() + 1];
        let large = chain.send(raw(ALICE, portal, deposit_call(TARGET, 0, maximum, false, &too_long), 0));
        assert!(large.reverted_with::<DepositPortal::DataTooLarge>());
    }
}

/// Runtime code that forwards its calldata and value to `target` and bubbles up a revert.
fn forwarder_code(target: Address) -> Bytes {
    let mut code = vec![0x36, 0x5f, 0x5f, 0x37]; // CALLDATACOPY(0, 0, CALLDATASIZE)
    code.extend_from_slice(&[0x5f, 0x5f, 0x36, 0x5f, 0x34, 0x73]); // retSize retOffset argsSize argsOffset value
    code.extend_from_slice(target.as_slice());
    code.extend_from_slice(&[0x5a, 0xf1]); // GAS CALL
    code.extend_from_slice(&[0x15, 0x60, 0x25, 0x57, 0x00]); // ISZERO PUSH1 0x25 JUMPI STOP
    code.extend_from_slice(&[0x5b, 0x3d, 0x5f, 0x5f, 0x3e, 0x3d, 0x5f, 0xfd]); // JUMPDEST: revert with returndata
    assert_eq!(code[0x25], 0x5b);
    code.into()
}

#[test]
fn a_contract_deposits_from_its_alias_and_an_account_from_itself() {
    for (mut chain, portal) in l1s() {
        chain.set_code(FORWARDER, forwarder_code(portal));
        let aliased = l1_to_l2_alias(FORWARDER);
        assert_eq!(chain.view(portal, &DepositPortal::l1ToL2AliasCall { _l1Address: FORWARDER }), aliased);

        let by_receive = chain.send(raw(ALICE, FORWARDER, Bytes::new(), 5)).expect_success();
        let event = only_event(&by_receive, portal);
        assert_eq!(
            (event.from, event.to),
            (aliased, FORWARDER),
            "the ETH goes to the contract's own address"
        );
        assert_eq!(event.opaqueData[..64], packed(5, 5, 0, false, &[])[..64], "minted to the alias, sent on");

        let call = deposit_call(TARGET, 0, 60_000, false, &[0x01]);
        let by_call = chain.send(raw(ALICE, FORWARDER, call, 6)).expect_success();
        let event = only_event(&by_call, portal);
        assert_eq!((event.from, event.to), (aliased, TARGET));
        assert_eq!(chain.balance(portal), U256::from(11));

        // A refusal reaches the calling contract.
        let refused = chain.send(raw(ALICE, FORWARDER, deposit_call(TARGET, 0, 1, false, &[]), 0));
        assert!(refused.reverted_with::<DepositPortal::GasLimitTooLow>());
    }
}

#[test]
fn the_l1_genesis_places_one_portal_per_l2_with_the_committed_code_and_no_balance() {
    let allocs = superlink_contracts::deposit_portal_allocs([901, 902, 903]);
    assert_eq!(allocs.len(), 3);
    let artifact: serde_json::Value =
        serde_json::from_str(Contract::DepositPortal.artifact_json()).expect("artifact is JSON");
    for id in [901, 902, 903] {
        let account = &allocs[&deposit_portal(id)];
        let code = account.code.clone().expect("portal code");
        assert_eq!(artifact["deployedBytecode"].as_str(), Some(code.to_string().as_str()));
        assert_eq!(account.balance, U256::ZERO);
        assert_eq!(account.nonce, Some(1));
    }
}
