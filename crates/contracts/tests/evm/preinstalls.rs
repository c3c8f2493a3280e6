//! The OP Stack preinstalls superlink places (`specs/protocol/preinstalls.md`), by what a caller of the original
//! contracts relies on: the deterministic deployment proxy's and Create2Deployer's CREATE2 addresses, the Safe
//! MultiSend batch format, the ERC-4337 SenderCreator, and the rest of Multicall3's interface.

use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_sol_types::{SolCall, SolError};
use superlink_contracts::{
    bindings::Multicall3,
    preinstall_allocs,
    preinstalls::{
        CREATE2_DEPLOYER, DETERMINISTIC_DEPLOYMENT_PROXY, MULTI_SEND, MULTI_SEND_CALL_ONLY, MULTICALL3,
        SAFE_SINGLETON_FACTORY, SENDER_CREATOR_V06, SENDER_CREATOR_V07,
        bindings::{Create2Deployer, ERC1820Implementer, MultiSend, MultiSendCallOnly, SenderCreator},
    },
};

use crate::harness::{Chain, Outcome, Tx};

const ALICE: Address = address!("0x1000000000000000000000000000000000000001");
const BOB: Address = address!("0x2000000000000000000000000000000000000002");
const CAROL: Address = address!("0x3000000000000000000000000000000000000003");
/// A contract whose every call reverts without data.
const REVERTER: Address = address!("0x4000000000000000000000000000000000000004");
/// A contract that stores 1 in slot 0 of whoever runs it (delegatecall target).
const SETTER: Address = address!("0x5000000000000000000000000000000000000005");
/// A contract that answers the word 42 to every call.
const ANSWERER: Address = address!("0x6000000000000000000000000000000000000006");
/// A wallet that delegatecalls MultiSend with its own calldata, as a Safe does.
const WALLET: Address = address!("0x7000000000000000000000000000000000000007");

/// Runtime code answering the word 42: PUSH1 42, PUSH0, MSTORE, PUSH1 32, PUSH0, RETURN.
const ANSWER_42: [u8; 8] = [0x60, 0x2a, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3];

/// Init code that deploys [`ANSWER_42`]: PUSH8 runtime, PUSH0, MSTORE, PUSH1 8, PUSH1 24, RETURN.
fn answer_init_code() -> Bytes {
    let mut code = vec![0x67];
    code.extend_from_slice(&ANSWER_42);
    code.extend_from_slice(&[0x5f, 0x52, 0x60, 0x08, 0x60, 0x18, 0xf3]);
    code.into()
}

fn wallet_code() -> Bytes {
    // calldatacopy(0, 0, calldatasize); delegatecall(gas, MULTI_SEND, 0, calldatasize, 0, 0);
    // returndatacopy(0, 0, returndatasize); success ? return : revert
    let mut code = vec![0x36, 0x5f, 0x5f, 0x37, 0x5f, 0x5f, 0x36, 0x5f, 0x73];
    code.extend_from_slice(MULTI_SEND.as_slice());
    code.extend_from_slice(&[0x5a, 0xf4, 0x3d, 0x5f, 0x5f, 0x3e, 0x60, 0x29, 0x57, 0x3d, 0x5f, 0xfd]);
    code.extend_from_slice(&[0x5b, 0x3d, 0x5f, 0xf3]);
    code.into()
}

fn chain() -> Chain {
    let mut chain = Chain::new(901);
    chain.alloc(preinstall_allocs());
    chain.set_code(REVERTER, Bytes::from_static(&[0x5f, 0x5f, 0xfd]));
    chain.set_code(SETTER, Bytes::from_static(&[0x60, 0x01, 0x5f, 0x55, 0x00]));
    chain.set_code(ANSWERER, Bytes::copy_from_slice(&ANSWER_42));
    chain.set_code(WALLET, wallet_code());
    chain.set_balance(ALICE, U256::from(1_000_000));
    chain
}

fn raw(from: Address, to: Address, data: Bytes) -> Tx {
    Tx { from, to, data, value: U256::ZERO, access_list: vec![], deposit: false }
}

fn salted(salt: B256, init_code: &Bytes) -> Bytes {
    [salt.as_slice(), init_code.as_ref()].concat().into()
}

fn revert_reason(outcome: &Outcome) -> String {
    assert!(!outcome.success, "expected a revert");
    alloy_sol_types::Revert::abi_decode(&outcome.output).expect("an Error(string) revert").reason
}

/// One transaction of a MultiSend batch: operation, to, value, data length, data.
fn packed(operation: u8, to: Address, value: u64, data: &[u8]) -> Vec<u8> {
    let mut out = vec![operation];
    out.extend_from_slice(to.as_slice());
    out.extend_from_slice(&U256::from(value).to_be_bytes::<32>());
    out.extend_from_slice(&U256::from(data.len()).to_be_bytes::<32>());
    out.extend_from_slice(data);
    out
}

#[test]
fn the_deterministic_proxy_creates_at_the_create2_address_and_answers_it_in_20_bytes() {
    for factory in [DETERMINISTIC_DEPLOYMENT_PROXY, SAFE_SINGLETON_FACTORY] {
        let mut chain = chain();
        let (salt, init) = (B256::repeat_byte(0x5a), answer_init_code());
        let expected = factory.create2(salt, keccak256(&init));
        let created =
            chain.send(raw(ALICE, factory, salted(salt, &init)).value(U256::from(7))).expect_success();
        assert_eq!(created.output.as_ref(), expected.as_slice(), "the answer is the bare address");
        assert_eq!(chain.code(expected).as_ref(), ANSWER_42, "the init code's runtime code is there");
        assert_eq!(chain.balance(expected), U256::from(7), "the call's ETH goes to the new contract");

        let again = chain.send(raw(ALICE, factory, salted(salt, &init)));
        assert!(!again.success && again.output.is_empty(), "a taken address reverts without data");
        let failing = chain.send(raw(ALICE, factory, salted(salt, &Bytes::from_static(&[0x5f, 0x5f, 0xfd]))));
        assert!(!failing.success && failing.output.is_empty(), "a reverting init code reverts without data");
        let short = chain.send(raw(ALICE, factory, Bytes::from_static(&[0x01; 31])));
        assert!(!short.success, "calldata shorter than a salt is refused");
    }
}

#[test]
fn create2_deployer_deploys_where_it_computes_paying_from_its_own_balance() {
    let mut chain = chain();
    let (salt, init) = (B256::repeat_byte(0x01), answer_init_code());
    let predicted: Address = chain.view(
        CREATE2_DEPLOYER,
        &Create2Deployer::computeAddressCall { _salt: salt, _codeHash: keccak256(&init) },
    );
    assert_eq!(predicted, CREATE2_DEPLOYER.create2(salt, keccak256(&init)));
    let other = Address::repeat_byte(0x99);
    let call = Create2Deployer::computeAddressWithDeployerCall {
        _salt: salt,
        _codeHash: keccak256(&init),
        _deployer: other,
    };
    assert_eq!(chain.view(CREATE2_DEPLOYER, &call), other.create2(salt, keccak256(&init)));

    let deploy = Create2Deployer::deployCall { _value: U256::from(5), _salt: salt, _code: init.clone() };
    let short = chain.send(Tx::call(ALICE, CREATE2_DEPLOYER, &deploy));
    assert_eq!(revert_reason(&short), "Create2: insufficient balance");
    chain.send(raw(ALICE, CREATE2_DEPLOYER, Bytes::new()).value(U256::from(5))).expect_success();
    chain.send(Tx::call(ALICE, CREATE2_DEPLOYER, &deploy)).expect_success();
    assert_eq!(chain.code(predicted).as_ref(), ANSWER_42);
    assert_eq!(chain.balance(predicted), U256::from(5));
    assert_eq!(chain.balance(CREATE2_DEPLOYER), U256::ZERO);

    let again = chain.send(Tx::call(
        ALICE,
        CREATE2_DEPLOYER,
        &Create2Deployer::deployCall { _value: U256::ZERO, ..deploy },
    ));
    assert_eq!(revert_reason(&again), "Create2: Failed on deploy");
    let empty = Create2Deployer::deployCall { _value: U256::ZERO, _salt: salt, _code: Bytes::new() };
    assert_eq!(
        revert_reason(&chain.send(Tx::call(ALICE, CREATE2_DEPLOYER, &empty))),
        "Create2: bytecode length is zero"
    );
}

#[test]
fn create2_deployer_deploys_an_erc1820_implementer_and_has_no_owner() {
    let mut chain = chain();
    let salt = B256::repeat_byte(0x02);
    let call = Create2Deployer::deployERC1820ImplementerCall { _value: U256::ZERO, _salt: salt };
    chain.send(Tx::call(ALICE, CREATE2_DEPLOYER, &call)).expect_success();
    let implementer = CREATE2_DEPLOYER.create2(salt, keccak256(&ERC1820Implementer::BYTECODE));
    let query = ERC1820Implementer::canImplementInterfaceForAddressCall {
        _interfaceHash: keccak256("ERC777Token"),
        _account: ALICE,
    };
    assert_eq!(chain.view(implementer, &query), B256::ZERO, "it implements nothing for anyone");

    assert_eq!(chain.view(CREATE2_DEPLOYER, &Create2Deployer::ownerCall {}), Address::ZERO);
    assert!(!chain.view(CREATE2_DEPLOYER, &Create2Deployer::pausedCall {}));
    let pause = chain.send(Tx::call(ALICE, CREATE2_DEPLOYER, &Create2Deployer::pauseCall {}));
    assert_eq!(revert_reason(&pause), "Ownable: caller is not the owner");
}

#[test]
fn multisend_runs_a_batch_of_calls_and_delegatecalls_in_the_callers_context() {
    let mut chain = chain();
    chain.set_balance(WALLET, U256::from(100));
    let mut batch = packed(0, BOB, 30, &[]);
    batch.extend(packed(1, SETTER, 0, &[]));
    batch.extend(packed(0, CAROL, 20, &[]));
    let call = MultiSend::multiSendCall { _transactions: batch.clone().into() };
    chain.send(Tx::call(ALICE, WALLET, &call)).expect_success();
    assert_eq!((chain.balance(BOB), chain.balance(CAROL)), (U256::from(30), U256::from(20)));
    assert_eq!(chain.balance(WALLET), U256::from(50), "the ETH came from the wallet");
    assert_eq!(chain.storage(WALLET, U256::ZERO), U256::from(1), "the delegatecall ran in the wallet");

    let mut failing = packed(0, BOB, 1, &[]);
    failing.extend(packed(0, REVERTER, 0, &[1, 2, 3]));
    let call = MultiSend::multiSendCall { _transactions: failing.into() };
    let outcome = chain.send(Tx::call(ALICE, WALLET, &call));
    assert!(
        !outcome.success && outcome.output.is_empty(),
        "a failing transaction reverts the batch without data"
    );
    assert_eq!(chain.balance(BOB), U256::from(30), "the batch was undone");

    let direct =
        chain.send(Tx::call(ALICE, MULTI_SEND, &MultiSend::multiSendCall { _transactions: batch.into() }));
    assert_eq!(revert_reason(&direct), "MultiSend should only be called via delegatecall");
}

#[test]
fn multisend_call_only_refuses_delegatecalls_and_may_be_called_directly() {
    let mut chain = chain();
    let mut batch = packed(0, BOB, 3, &[]);
    batch.extend(packed(0, ANSWERER, 4, &[0xab]));
    let call = MultiSendCallOnly::multiSendCall { _transactions: batch.into() };
    chain.send(Tx::call(ALICE, MULTI_SEND_CALL_ONLY, &call).value(U256::from(7))).expect_success();
    assert_eq!((chain.balance(BOB), chain.balance(ANSWERER)), (U256::from(3), U256::from(4)));

    let delegate = MultiSendCallOnly::multiSendCall { _transactions: packed(1, SETTER, 0, &[]).into() };
    let outcome = chain.send(Tx::call(ALICE, MULTI_SEND_CALL_ONLY, &delegate));
    assert!(!outcome.success && outcome.output.is_empty());
    assert_eq!(chain.storage(MULTI_SEND_CALL_ONLY, U256::ZERO), U256::ZERO);
    let mut truncated = packed(0, BOB, 1, &[1, 2, 3]);
    truncated.pop();
    let call = MultiSendCallOnly::multiSendCall { _transactions: truncated.into() };
    assert!(
        !chain.send(Tx::call(ALICE, MULTI_SEND_CALL_ONLY, &call)).success,
        "data past the end is refused"
    );
}

#[test]
fn sender_creator_answers_the_factorys_account_or_zero() {
    let mut chain = chain();
    for creator in [SENDER_CREATOR_V06, SENDER_CREATOR_V07] {
        let create = |factory: Address| SenderCreator::createSenderCall {
            _initCode: [factory.as_slice(), &[0xde, 0xad]].concat().into(),
        };
        let answered = chain.simulate(Tx::call(ALICE, creator, &create(ANSWERER))).expect_success();
        assert_eq!(answered.returns::<SenderCreator::createSenderCall>(), Address::with_last_byte(42));
        let reverted = chain.simulate(Tx::call(ALICE, creator, &create(REVERTER))).expect_success();
        assert_eq!(reverted.returns::<SenderCreator::createSenderCall>(), Address::ZERO);
        let silent = chain.simulate(Tx::call(ALICE, creator, &create(BOB))).expect_success();
        assert_eq!(
            silent.returns::<SenderCreator::createSenderCall>(),
            Address::ZERO,
            "no answer, no account"
        );
    }
}

#[test]
fn multicall3_offers_the_whole_interface() {
    let mut chain = chain();
    let number = Multicall3::Call {
        target: MULTICALL3,
        callData: Multicall3::getBlockNumberCall {}.abi_encode().into(),
    };
    let balance = Multicall3::Call {
        target: MULTICALL3,
        callData: Multicall3::getEthBalanceCall { _account: ALICE }.abi_encode().into(),
    };
    let failing = Multicall3::Call { target: REVERTER, callData: Bytes::new() };

    let call = Multicall3::aggregateCall { _calls: vec![number.clone(), balance.clone()] };
    let outcome = chain.simulate(Tx::call(ALICE, MULTICALL3, &call)).expect_success();
    let answer = outcome.returns::<Multicall3::aggregateCall>();
    assert_eq!(answer.blockNumber_, U256::from(chain.block_number));
    assert_eq!(U256::from_be_slice(&answer.returnData_[1]), U256::from(1_000_000));
    let call = Multicall3::aggregateCall { _calls: vec![number.clone(), failing.clone()] };
    assert_eq!(revert_reason(&chain.simulate(Tx::call(ALICE, MULTICALL3, &call))), "Multicall3: call failed");

    let call = Multicall3::tryAggregateCall {
        _requireSuccess: false,
        _calls: vec![failing.clone(), number.clone()],
    };
    let results = chain.simulate(Tx::call(ALICE, MULTICALL3, &call)).expect_success();
    let results = results.returns::<Multicall3::tryAggregateCall>();
    assert_eq!((results[0].success, results[1].success), (false, true));
    let call = Multicall3::tryAggregateCall { _requireSuccess: true, _calls: vec![failing.clone()] };
    assert!(!chain.simulate(Tx::call(ALICE, MULTICALL3, &call)).success);

    let call = Multicall3::blockAndAggregateCall { _calls: vec![number.clone()] };
    let block = chain.simulate(Tx::call(ALICE, MULTICALL3, &call)).expect_success();
    assert_eq!(
        block.returns::<Multicall3::blockAndAggregateCall>().blockNumber_,
        U256::from(chain.block_number)
    );

    let call3 = Multicall3::aggregate3Call {
        _calls: vec![Multicall3::Call3 { target: REVERTER, allowFailure: false, callData: Bytes::new() }],
    };
    assert_eq!(
        revert_reason(&chain.simulate(Tx::call(ALICE, MULTICALL3, &call3))),
        "Multicall3: call failed"
    );
    let value = Multicall3::aggregate3ValueCall {
        _calls: vec![Multicall3::Call3Value {
            target: BOB,
            allowFailure: false,
            value: U256::from(2),
            callData: Bytes::new(),
        }],
    };
    let mismatch = chain.simulate(Tx::call(ALICE, MULTICALL3, &value).value(U256::from(3)));
    assert_eq!(revert_reason(&mismatch), "Multicall3: value mismatch");
    chain.send(Tx::call(ALICE, MULTICALL3, &value).value(U256::from(2))).expect_success();
    assert_eq!(chain.balance(BOB), U256::from(2));

    assert_eq!(chain.view(MULTICALL3, &Multicall3::getChainIdCall {}), U256::from(901));
    assert_eq!(chain.view(MULTICALL3, &Multicall3::getCurrentBlockGasLimitCall {}), U256::from(60_000_000));
    assert_eq!(chain.view(MULTICALL3, &Multicall3::getBasefeeCall {}), U256::ZERO);
}

#[test]
fn every_preinstall_is_allocated_with_code_on_the_chain() {
    let chain = chain();
    for preinstall in superlink_contracts::Preinstall::ALL {
        assert_eq!(chain.code(preinstall.address()), preinstall.deployed_bytecode(), "{preinstall}");
    }
}

#[test]
fn the_functions_have_the_signatures_of_the_originals() {
    let signatures = [
        Create2Deployer::deployCall::SIGNATURE,
        Create2Deployer::deployERC1820ImplementerCall::SIGNATURE,
        Create2Deployer::computeAddressCall::SIGNATURE,
        Create2Deployer::computeAddressWithDeployerCall::SIGNATURE,
        MultiSend::multiSendCall::SIGNATURE,
        MultiSendCallOnly::multiSendCall::SIGNATURE,
        SenderCreator::createSenderCall::SIGNATURE,
        Multicall3::aggregateCall::SIGNATURE,
        Multicall3::tryAggregateCall::SIGNATURE,
        Multicall3::tryBlockAndAggregateCall::SIGNATURE,
        Multicall3::blockAndAggregateCall::SIGNATURE,
        Multicall3::aggregate3Call::SIGNATURE,
        Multicall3::aggregate3ValueCall::SIGNATURE,
    ];
    assert_eq!(
        signatures,
        [
            "deploy(uint256,bytes32,bytes)",
            "deployERC1820Implementer(uint256,bytes32)",
            "computeAddress(bytes32,bytes32)",
            "computeAddressWithDeployer(bytes32,bytes32,address)",
            "multiSend(bytes)",
            "multiSend(bytes)",
            "createSender(bytes)",
            "aggregate((address,bytes)[])",
            "tryAggregate(bool,(address,bytes)[])",
            "tryBlockAndAggregate(bool,(address,bytes)[])",
            "blockAndAggregate((address,bytes)[])",
            "aggregate3((address,bool,bytes)[])",
            "aggregate3Value((address,bool,uint256,bytes)[])",
        ]
    );
}
