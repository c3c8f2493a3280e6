//! The ERC-4337 entry points (v0.6.0 and v0.7.0 preinstalls) as a bundler and a wallet use them: the user-operation
//! hash each version defines, an account created through its `initCode` paying its own gas, the validation failures
//! with their ERC codes, a sponsoring paymaster with its `postOp`, deposits and stakes.

use alloy_primitives::{
    Address, B256, Bytes, U256, address,
    aliases::{U48, U192},
    keccak256,
};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue, sol};
use superlink_contracts::{
    preinstall_allocs,
    preinstalls::{
        ENTRY_POINT_V06, ENTRY_POINT_V07, SENDER_CREATOR_V06, SENDER_CREATOR_V07,
        bindings::{EntryPointV06, EntryPointV07},
    },
};

use crate::harness::{Chain, Outcome, Tx};

sol!(
    #[allow(missing_docs)]
    TestAccount4337,
    "../../contracts/artifacts/TestAccount4337.json"
);
sol!(
    #[allow(missing_docs)]
    TestAccountFactory4337,
    "../../contracts/artifacts/TestAccountFactory4337.json"
);
sol!(
    #[allow(missing_docs)]
    TestPaymaster4337,
    "../../contracts/artifacts/TestPaymaster4337.json"
);

const CHAIN_ID: u64 = 901;
const BUNDLER: Address = address!("0xb00000000000000000000000000000000000000b");
const BENEFICIARY: Address = address!("0xbe00000000000000000000000000000000000bef");
const RECIPIENT: Address = address!("0x4ec1000000000000000000000000000000000001");
const FACTORY: Address = address!("0xfac7000000000000000000000000000000000001");
const PAYMASTER: Address = address!("0x9a90000000000000000000000000000000000001");
const ALICE: Address = address!("0xa11ce00000000000000000000000000000000001");
/// One gwei: the operations' gas price (both fees equal, so the base fee does not matter).
const GAS_PRICE: u64 = 1_000_000_000;
const ONE_ETH: u128 = 1_000_000_000_000_000_000;
/// The ETH an account's call sends to [`RECIPIENT`].
const PAYMENT: u64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V06,
    V07,
}

impl Version {
    fn entry_point(self) -> Address {
        match self {
            Version::V06 => ENTRY_POINT_V06,
            Version::V07 => ENTRY_POINT_V07,
        }
    }
}

/// A user operation with every field unpacked; each version packs it its own way.
#[derive(Debug, Clone)]
struct Op {
    sender: Address,
    nonce: U256,
    init_code: Bytes,
    call_data: Bytes,
    call_gas_limit: u128,
    verification_gas_limit: u128,
    pre_verification_gas: u128,
    max_fee_per_gas: u128,
    max_priority_fee_per_gas: u128,
    /// Paymaster, its validation gas limit and `postOp` gas limit (v0.7 only), its data.
    paymaster: Option<(Address, u128, u128, Bytes)>,
    signature: Bytes,
}

impl Op {
    fn paymaster_and_data(&self, version: Version) -> Bytes {
        let Some((paymaster, verification, post_op, data)) = &self.paymaster else { return Bytes::new() };
        let mut out = paymaster.to_vec();
        if version == Version::V07 {
            out.extend_from_slice(&verification.to_be_bytes());
            out.extend_from_slice(&post_op.to_be_bytes());
        }
        out.extend_from_slice(data);
        out.into()
    }

    fn v06(&self) -> EntryPointV06::UserOperation {
        EntryPointV06::UserOperation {
            sender: self.sender,
            nonce: self.nonce,
            initCode: self.init_code.clone(),
            callData: self.call_data.clone(),
            callGasLimit: U256::from(self.call_gas_limit),
            verificationGasLimit: U256::from(self.verification_gas_limit),
            preVerificationGas: U256::from(self.pre_verification_gas),
            maxFeePerGas: U256::from(self.max_fee_per_gas),
            maxPriorityFeePerGas: U256::from(self.max_priority_fee_per_gas),
            paymasterAndData: self.paymaster_and_data(Version::V06),
            signature: self.signature.clone(),
        }
    }

    fn v07(&self) -> EntryPointV07::PackedUserOperation {
        EntryPointV07::PackedUserOperation {
            sender: self.sender,
            nonce: self.nonce,
            initCode: self.init_code.clone(),
            callData: self.call_data.clone(),
            accountGasLimits: pack128(self.verification_gas_limit, self.call_gas_limit),
            preVerificationGas: U256::from(self.pre_verification_gas),
            gasFees: pack128(self.max_priority_fee_per_gas, self.max_fee_per_gas),
            paymasterAndData: self.paymaster_and_data(Version::V07),
            signature: self.signature.clone(),
        }
    }

    /// The user-operation hash, computed here from the ERC's definition of each version.
    fn hash(&self, version: Version) -> B256 {
        let packed = match version {
            Version::V06 => (
                self.sender,
                self.nonce,
                keccak256(&self.init_code),
                keccak256(&self.call_data),
                U256::from(self.call_gas_limit),
                U256::from(self.verification_gas_limit),
                U256::from(self.pre_verification_gas),
                U256::from(self.max_fee_per_gas),
                U256::from(self.max_priority_fee_per_gas),
                keccak256(self.paymaster_and_data(version)),
            )
                .abi_encode(),
            Version::V07 => (
                self.sender,
                self.nonce,
                keccak256(&self.init_code),
                keccak256(&self.call_data),
                pack128(self.verification_gas_limit, self.call_gas_limit),
                U256::from(self.pre_verification_gas),
                pack128(self.max_priority_fee_per_gas, self.max_fee_per_gas),
                keccak256(self.paymaster_and_data(version)),
            )
                .abi_encode(),
        };
        keccak256((keccak256(packed), version.entry_point(), U256::from(CHAIN_ID)).abi_encode())
    }

    /// Signs the operation's hash as the test account expects (EIP-191), with an optional validity range.
    fn signed(mut self, version: Version, key: &PrivateKeySigner, range: Option<(u64, u64)>) -> Self {
        let signature = key.sign_message_sync(self.hash(version).as_slice()).unwrap();
        let mut bytes = signature.as_bytes().to_vec();
        if let Some((valid_until, valid_after)) = range {
            bytes.extend_from_slice(&valid_until.to_be_bytes()[2..]);
            bytes.extend_from_slice(&valid_after.to_be_bytes()[2..]);
        }
        self.signature = bytes.into();
        self
    }
}

fn pack128(high: u128, low: u128) -> B256 {
    let mut word = [0u8; 32];
    word[..16].copy_from_slice(&high.to_be_bytes());
    word[16..].copy_from_slice(&low.to_be_bytes());
    B256::from(word)
}

fn owner() -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::repeat_byte(0x11)).unwrap()
}

fn stranger() -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::repeat_byte(0x22)).unwrap()
}

fn chain() -> Chain {
    let mut chain = Chain::new(CHAIN_ID);
    chain.alloc(preinstall_allocs());
    chain.set_code(FACTORY, TestAccountFactory4337::DEPLOYED_BYTECODE.clone());
    chain.set_code(PAYMASTER, TestPaymaster4337::DEPLOYED_BYTECODE.clone());
    chain.set_balance(BUNDLER, U256::from(ONE_ETH));
    chain.set_balance(ALICE, U256::from(10 * ONE_ETH));
    chain
}

fn account_address(chain: &mut Chain, version: Version, salt: u64) -> Address {
    let call = TestAccountFactory4337::getAddressCall {
        entryPoint: version.entry_point(),
        owner: owner().address(),
        salt: U256::from(salt),
    };
    chain.view(FACTORY, &call)
}

fn init_code(version: Version, salt: u64) -> Bytes {
    let call = TestAccountFactory4337::createAccountCall {
        entryPoint: version.entry_point(),
        owner: owner().address(),
        salt: U256::from(salt),
    };
    [FACTORY.as_slice(), &call.abi_encode()].concat().into()
}

/// An operation of the account at `salt` paying [`PAYMENT`] to [`RECIPIENT`], creating the account when `create`.
fn payment_op(chain: &mut Chain, version: Version, salt: u64, create: bool) -> Op {
    let sender = account_address(chain, version, salt);
    let nonce = match version {
        Version::V06 => chain.view(ENTRY_POINT_V06, &EntryPointV06::getNonceCall { sender, key: U192::ZERO }),
        Version::V07 => chain.view(ENTRY_POINT_V07, &EntryPointV07::getNonceCall { sender, key: U192::ZERO }),
    };
    let execute =
        TestAccount4337::executeCall { target: RECIPIENT, value: U256::from(PAYMENT), data: Bytes::new() };
    Op {
        sender,
        nonce,
        init_code: if create { init_code(version, salt) } else { Bytes::new() },
        call_data: execute.abi_encode().into(),
        call_gas_limit: 100_000,
        verification_gas_limit: 1_000_000,
        pre_verification_gas: 50_000,
        max_fee_per_gas: GAS_PRICE.into(),
        max_priority_fee_per_gas: GAS_PRICE.into(),
        paymaster: None,
        signature: Bytes::new(),
    }
}

fn handle_ops(chain: &mut Chain, version: Version, ops: &[Op]) -> Outcome {
    let entry_point = version.entry_point();
    let tx = match version {
        Version::V06 => Tx::call(
            BUNDLER,
            entry_point,
            &EntryPointV06::handleOpsCall {
                ops: ops.iter().map(Op::v06).collect(),
                beneficiary: BENEFICIARY,
            },
        ),
        Version::V07 => Tx::call(
            BUNDLER,
            entry_point,
            &EntryPointV07::handleOpsCall {
                ops: ops.iter().map(Op::v07).collect(),
                beneficiary: BENEFICIARY,
            },
        ),
    };
    chain.send(tx)
}

fn contract_hash(chain: &mut Chain, version: Version, op: &Op) -> B256 {
    match version {
        Version::V06 => chain.view(ENTRY_POINT_V06, &EntryPointV06::getUserOpHashCall { userOp: op.v06() }),
        Version::V07 => chain.view(ENTRY_POINT_V07, &EntryPointV07::getUserOpHashCall { userOp: op.v07() }),
    }
}

fn deposit_of(chain: &mut Chain, version: Version, account: Address) -> U256 {
    chain.view(version.entry_point(), &EntryPointV06::balanceOfCall { account })
}

/// The `FailedOp` a bundle reverted with: (op index, reason).
fn failed_op(outcome: &Outcome) -> (U256, String) {
    assert!(outcome.reverted_with::<EntryPointV06::FailedOp>(), "expected FailedOp, got {}", outcome.output);
    let error = EntryPointV06::FailedOp::abi_decode(&outcome.output).unwrap();
    (error.opIndex, error.reason)
}

fn the_operation_event(outcome: &Outcome, version: Version) -> EntryPointV06::UserOperationEvent {
    let events = outcome.events::<EntryPointV06::UserOperationEvent>(version.entry_point());
    assert_eq!(events.len(), 1, "one UserOperationEvent");
    events[0].1.clone()
}

#[test]
fn the_user_operation_hash_is_the_one_each_version_defines() {
    let mut chain = chain();
    for version in [Version::V06, Version::V07] {
        let mut op = payment_op(&mut chain, version, 7, true);
        op.nonce = U256::from(0x1234_5678u64) << 64 | U256::from(9);
        op.paymaster = Some((PAYMASTER, 70_000, 30_000, Bytes::from_static(&[1, 2, 3])));
        op.signature = Bytes::from_static(&[0xaa; 65]);
        let hash = contract_hash(&mut chain, version, &op);
        assert_eq!(hash, op.hash(version), "{version:?}");
        let mut resigned = op.clone();
        resigned.signature = Bytes::from_static(&[0xbb; 3]);
        assert_eq!(contract_hash(&mut chain, version, &resigned), hash, "the signature is not hashed");
        let mut other_fee = op.clone();
        other_fee.max_fee_per_gas += 1;
        assert_ne!(contract_hash(&mut chain, version, &other_fee), hash, "every other field is");
    }
    let op = payment_op(&mut chain, Version::V06, 7, true);
    assert_ne!(op.hash(Version::V06), op.hash(Version::V07), "the versions hash differently");
}

#[test]
fn get_sender_address_answers_the_counterfactual_account_through_the_versions_sender_creator() {
    for version in [Version::V06, Version::V07] {
        // Only this version's SenderCreator has code: an entry point that used the other one would get no answer.
        let mut chain = chain();
        let other = match version {
            Version::V06 => SENDER_CREATOR_V07,
            Version::V07 => SENDER_CREATOR_V06,
        };
        chain.set_code(other, Bytes::new());
        let expected = account_address(&mut chain, version, 3);
        let initcode = init_code(version, 3);
        let outcome = match version {
            Version::V06 => chain.simulate(Tx::call(
                ALICE,
                ENTRY_POINT_V06,
                &EntryPointV06::getSenderAddressCall { initCode: initcode },
            )),
            Version::V07 => chain.simulate(Tx::call(
                ALICE,
                ENTRY_POINT_V07,
                &EntryPointV07::getSenderAddressCall { initCode: initcode },
            )),
        };
        assert!(outcome.reverted_with::<EntryPointV06::SenderAddressResult>(), "{}", outcome.output);
        let answer = EntryPointV06::SenderAddressResult::abi_decode(&outcome.output).unwrap();
        assert_eq!(answer.sender, expected, "{version:?}");
    }
}

#[test]
fn a_new_account_is_created_runs_its_call_and_pays_exactly_the_gas_it_used() {
    for version in [Version::V06, Version::V07] {
        let mut chain = chain();
        let op = payment_op(&mut chain, version, 1, true).signed(version, &owner(), None);
        let sender = op.sender;
        assert!(chain.code(sender).is_empty(), "the account does not exist yet");
        chain.set_balance(sender, U256::from(ONE_ETH));
        let hash = op.hash(version);

        let outcome = handle_ops(&mut chain, version, std::slice::from_ref(&op)).expect_success();

        assert!(!chain.code(sender).is_empty(), "{version:?}: the initCode created the account");
        let deployed = outcome.events::<EntryPointV06::AccountDeployed>(version.entry_point());
        assert_eq!(deployed.len(), 1);
        assert_eq!(
            (deployed[0].1.userOpHash, deployed[0].1.sender, deployed[0].1.factory, deployed[0].1.paymaster),
            (hash, sender, FACTORY, Address::ZERO)
        );
        assert_eq!(outcome.events::<EntryPointV06::BeforeExecution>(version.entry_point()).len(), 1);
        assert_eq!(chain.balance(RECIPIENT), U256::from(PAYMENT), "{version:?}: the account's call ran");

        let event = the_operation_event(&outcome, version);
        assert_eq!((event.userOpHash, event.sender, event.paymaster), (hash, sender, Address::ZERO));
        assert!(event.success && event.nonce.is_zero());
        assert_eq!(event.actualGasCost, event.actualGasUsed * U256::from(GAS_PRICE), "cost = gas × price");
        assert!(
            event.actualGasUsed > U256::from(op.pre_verification_gas)
                && event.actualGasUsed < U256::from(outcome.gas_used + op.pre_verification_gas as u64),
            "{version:?}: the gas used ({}) is the transaction's share plus preVerificationGas",
            event.actualGasUsed
        );

        // Without a paymaster both versions ask for the sum of the three limits.
        let gas_limits = op.call_gas_limit + op.verification_gas_limit + op.pre_verification_gas;
        let prefund = U256::from(gas_limits) * U256::from(GAS_PRICE);
        assert_eq!(
            chain.balance(BENEFICIARY),
            event.actualGasCost,
            "{version:?}: the bundler is paid the cost"
        );
        assert_eq!(
            deposit_of(&mut chain, version, sender),
            prefund - event.actualGasCost,
            "{version:?}: the account paid its prefund and was refunded all but the cost"
        );
        assert_eq!(chain.balance(sender), U256::from(ONE_ETH) - prefund - U256::from(PAYMENT));
        assert_eq!(
            chain.balance(version.entry_point()),
            prefund - event.actualGasCost,
            "the ETH backs deposits"
        );

        // The next operation of the account: no initCode, the next nonce, paid from its deposit first.
        let next = payment_op(&mut chain, version, 1, false).signed(version, &owner(), None);
        assert_eq!(next.nonce, U256::from(1), "the nonce moved on");
        handle_ops(&mut chain, version, &[next]).expect_success();
        assert_eq!(chain.balance(RECIPIENT), U256::from(2 * PAYMENT));
    }
}

#[test]
fn validation_failures_revert_the_bundle_with_their_codes() {
    for version in [Version::V06, Version::V07] {
        let mut chain = chain();
        let sender = account_address(&mut chain, version, 2);
        chain.set_balance(sender, U256::from(ONE_ETH));
        let good = payment_op(&mut chain, version, 2, true).signed(version, &owner(), None);

        let forged = good.clone().signed(version, &stranger(), None);
        let outcome = handle_ops(&mut chain, version, &[forged]);
        assert_eq!(failed_op(&outcome), (U256::ZERO, "AA24 signature error".to_string()), "{version:?}");

        let mut wrong_nonce = good.clone();
        wrong_nonce.nonce = U256::from(5);
        // The second operation of the bundle: the first one creates the account.
        wrong_nonce.init_code = Bytes::new();
        let wrong_nonce = wrong_nonce.signed(version, &owner(), None);
        let outcome = handle_ops(&mut chain, version, &[good.clone(), wrong_nonce]);
        assert_eq!(failed_op(&outcome), (U256::from(1), "AA25 invalid account nonce".to_string()));

        let expired = good.clone().signed(version, &owner(), Some((chain.timestamp - 1, 0)));
        let outcome = handle_ops(&mut chain, version, &[expired]);
        assert_eq!(failed_op(&outcome).1, "AA22 expired or not due");

        let mut wrong_sender = good.clone();
        wrong_sender.sender = account_address(&mut chain, version, 99);
        let outcome = handle_ops(&mut chain, version, &[wrong_sender.signed(version, &owner(), None)]);
        assert_eq!(failed_op(&outcome).1, "AA14 initCode must return sender");

        let mut no_account = good.clone();
        no_account.init_code = Bytes::new();
        let outcome = handle_ops(&mut chain, version, &[no_account.signed(version, &owner(), None)]);
        assert_eq!(failed_op(&outcome).1, "AA20 account not deployed");

        chain.set_balance(sender, U256::ZERO);
        let outcome = handle_ops(&mut chain, version, std::slice::from_ref(&good));
        assert_eq!(failed_op(&outcome).1, "AA21 didn't pay prefund", "{version:?}: an account without ETH");
        chain.set_balance(sender, U256::from(ONE_ETH));

        assert!(chain.code(sender).is_empty(), "every failed bundle was undone");
        handle_ops(&mut chain, version, &[good]).expect_success();
        let again = payment_op(&mut chain, version, 2, true);
        let outcome = handle_ops(&mut chain, version, &[again]);
        assert_eq!(failed_op(&outcome).1, "AA10 sender already constructed");
    }
}

fn sponsored_op(chain: &mut Chain, version: Version, salt: u64, flag: Option<u8>) -> Op {
    let mut op = payment_op(chain, version, salt, true);
    let data = flag.map(|f| Bytes::from(vec![f])).unwrap_or_default();
    op.paymaster = Some((PAYMASTER, 200_000, 200_000, data));
    op.signed(version, &owner(), None)
}

fn fund_paymaster(chain: &mut Chain, version: Version) {
    let call = EntryPointV06::depositToCall { account: PAYMASTER };
    chain.send(Tx::call(ALICE, version.entry_point(), &call).value(U256::from(ONE_ETH))).expect_success();
}

#[test]
fn a_paymaster_sponsors_an_operation_and_is_told_its_cost_in_post_op() {
    for version in [Version::V06, Version::V07] {
        let mut chain = chain();
        let op = sponsored_op(&mut chain, version, 4, None);
        // The account holds just what its call sends: the paymaster pays the gas.
        chain.set_balance(op.sender, U256::from(PAYMENT));
        let outcome = handle_ops(&mut chain, version, std::slice::from_ref(&op));
        assert_eq!(failed_op(&outcome).1, "AA31 paymaster deposit too low", "{version:?}: no deposit yet");

        fund_paymaster(&mut chain, version);
        let outcome = handle_ops(&mut chain, version, std::slice::from_ref(&op)).expect_success();
        let event = the_operation_event(&outcome, version);
        assert!(event.success, "{version:?}");
        assert_eq!(event.paymaster, PAYMASTER);
        assert_eq!(chain.balance(RECIPIENT), U256::from(PAYMENT));
        assert_eq!(chain.balance(op.sender), U256::ZERO, "the account paid no gas");
        assert_eq!(deposit_of(&mut chain, version, op.sender), U256::ZERO);
        assert_eq!(
            deposit_of(&mut chain, version, PAYMASTER),
            U256::from(ONE_ETH) - event.actualGasCost,
            "{version:?}: the paymaster's deposit paid exactly the cost"
        );
        assert_eq!(chain.balance(BENEFICIARY), event.actualGasCost);

        let view = |chain: &mut Chain| {
            (
                chain.view(PAYMASTER, &TestPaymaster4337::postOpCountCall {}),
                chain.view(PAYMASTER, &TestPaymaster4337::lastModeCall {}),
                chain.view(PAYMASTER, &TestPaymaster4337::lastSenderCall {}),
                chain.view(PAYMASTER, &TestPaymaster4337::lastCostCall {}),
            )
        };
        let (count, mode, sender, cost) = view(&mut chain);
        assert_eq!((count, mode, sender), (U256::from(1), 0, op.sender), "{version:?}: postOp(opSucceeded)");
        assert!(
            !cost.is_zero() && cost < event.actualGasCost,
            "postOp is told the cost so far, before its own gas"
        );

        // A paymaster that answers a signature failure.
        let refused = sponsored_op(&mut chain, version, 5, Some(1));
        assert_eq!(failed_op(&handle_ops(&mut chain, version, &[refused])).1, "AA34 signature error");
        let reverting = sponsored_op(&mut chain, version, 5, Some(2));
        let outcome = handle_ops(&mut chain, version, &[reverting]);
        let (index, reason) = match version {
            Version::V06 => failed_op(&outcome),
            Version::V07 => {
                assert!(outcome.reverted_with::<EntryPointV07::FailedOpWithRevert>(), "{}", outcome.output);
                let error = EntryPointV07::FailedOpWithRevert::abi_decode(&outcome.output).unwrap();
                let inner = alloy_sol_types::Revert::abi_decode(&error.inner).unwrap().reason;
                assert_eq!(inner, "paymaster refuses");
                (error.opIndex, error.reason)
            }
        };
        let expected = match version {
            Version::V06 => "AA33 reverted: paymaster refuses",
            Version::V07 => "AA33 reverted",
        };
        assert_eq!((index, reason.as_str()), (U256::ZERO, expected));

        // postOp reverts: the account's call is undone, the operation still pays.
        let failing = sponsored_op(&mut chain, version, 6, Some(3));
        chain.set_balance(failing.sender, U256::from(PAYMENT));
        let paid_before = chain.balance(RECIPIENT);
        let outcome = handle_ops(&mut chain, version, std::slice::from_ref(&failing)).expect_success();
        let event = the_operation_event(&outcome, version);
        assert!(!event.success, "{version:?}: the operation is reported failed");
        assert_eq!(chain.balance(RECIPIENT), paid_before, "{version:?}: its call was undone");
        assert!(!chain.code(failing.sender).is_empty(), "the account creation (validation) stays");
        let (count, mode, _, _) = view(&mut chain);
        match version {
            // v0.6 calls postOp a second time, in postOpReverted mode.
            Version::V06 => assert_eq!((count, mode), (U256::from(2), 2)),
            // v0.7 reports the revert and does not call again.
            Version::V07 => {
                assert_eq!((count, mode), (U256::from(1), 0));
                let reasons = outcome.events::<EntryPointV07::PostOpRevertReason>(ENTRY_POINT_V07);
                assert_eq!(reasons.len(), 1);
                let error = EntryPointV07::PostOpReverted::abi_decode(&reasons[0].1.revertReason).unwrap();
                let inner = alloy_sol_types::Revert::abi_decode(&error.returnData).unwrap().reason;
                assert_eq!(inner, "postOp refuses");
            }
        }
    }
}

#[test]
fn a_reverting_call_is_reported_and_still_charged() {
    for version in [Version::V06, Version::V07] {
        let mut chain = chain();
        let mut op = payment_op(&mut chain, version, 8, true);
        op.call_data = TestAccount4337::executeCall {
            target: FACTORY,
            value: U256::ZERO,
            data: Bytes::from_static(&[0xde, 0xad, 0xbe, 0xef]),
        }
        .abi_encode()
        .into();
        let op = op.signed(version, &owner(), None);
        chain.set_balance(op.sender, U256::from(ONE_ETH));
        let outcome = handle_ops(&mut chain, version, std::slice::from_ref(&op)).expect_success();
        let event = the_operation_event(&outcome, version);
        assert!(!event.success);
        assert!(!event.actualGasCost.is_zero());
        assert_eq!(chain.balance(BENEFICIARY), event.actualGasCost);
        // The factory has no fallback: the call reverted without data, so no reason event.
        assert!(outcome.events::<EntryPointV06::UserOperationRevertReason>(version.entry_point()).is_empty());
        assert_eq!(
            chain.view(
                version.entry_point(),
                &EntryPointV06::getNonceCall { sender: op.sender, key: U192::ZERO }
            ),
            U256::from(1)
        );
    }
}

#[test]
fn v07_hands_execute_user_op_the_whole_operation_and_its_hash() {
    let mut chain = chain();
    let version = Version::V07;
    let mut op = payment_op(&mut chain, version, 9, true);
    let inner = (RECIPIENT, U256::from(PAYMENT), Bytes::new()).abi_encode_params();
    op.call_data = [TestAccount4337::executeUserOpCall::SELECTOR.as_slice(), &inner].concat().into();
    let op = op.signed(version, &owner(), None);
    chain.set_balance(op.sender, U256::from(ONE_ETH));
    let outcome = handle_ops(&mut chain, version, std::slice::from_ref(&op)).expect_success();
    assert!(the_operation_event(&outcome, version).success);
    assert_eq!(chain.balance(RECIPIENT), U256::from(PAYMENT));
    assert_eq!(chain.view(op.sender, &TestAccount4337::lastExecutedHashCall {}), op.hash(version));
}

#[test]
fn v06_simulations_revert_with_their_results() {
    let mut chain = chain();
    let version = Version::V06;
    let op =
        payment_op(&mut chain, version, 10, true).signed(version, &owner(), Some((chain.timestamp + 500, 7)));
    chain.set_balance(op.sender, U256::from(ONE_ETH));
    let call = EntryPointV06::simulateValidationCall { userOp: op.v06() };
    let outcome = chain.simulate(Tx::call(ALICE, ENTRY_POINT_V06, &call));
    assert!(outcome.reverted_with::<EntryPointV06::ValidationResult>(), "{}", outcome.output);
    let result = EntryPointV06::ValidationResult::abi_decode(&outcome.output).unwrap();
    let prefund = U256::from(op.call_gas_limit + op.verification_gas_limit + op.pre_verification_gas)
        * U256::from(GAS_PRICE);
    assert_eq!(result.returnInfo.prefund, prefund);
    assert!(!result.returnInfo.sigFailed);
    assert_eq!(
        (result.returnInfo.validAfter, result.returnInfo.validUntil),
        (U48::from(7), U48::from(chain.timestamp + 500))
    );
    assert!(result.returnInfo.preOpGas > U256::from(op.pre_verification_gas));

    let forged = op.clone().signed(version, &stranger(), None);
    let call = EntryPointV06::simulateValidationCall { userOp: forged.v06() };
    let result = EntryPointV06::ValidationResult::abi_decode(
        &chain.simulate(Tx::call(ALICE, ENTRY_POINT_V06, &call)).output,
    )
    .unwrap();
    assert!(result.returnInfo.sigFailed, "a bad signature is reported, not a revert");

    let call = EntryPointV06::simulateHandleOpCall {
        op: op.v06(),
        target: Address::ZERO,
        targetCallData: Bytes::new(),
    };
    let outcome = chain.simulate(Tx::call(ALICE, ENTRY_POINT_V06, &call));
    assert!(outcome.reverted_with::<EntryPointV06::ExecutionResult>(), "{}", outcome.output);
    let result = EntryPointV06::ExecutionResult::abi_decode(&outcome.output).unwrap();
    assert!(!result.paid.is_zero() && result.paid < prefund);
    assert!(chain.code(op.sender).is_empty(), "a simulation changes nothing");
}

#[test]
fn deposits_and_stakes_follow_the_stake_managers_rules() {
    for version in [Version::V06, Version::V07] {
        let mut chain = chain();
        let ep = version.entry_point();
        let deposit = chain
            .send(
                Tx::call(ALICE, ep, &EntryPointV06::depositToCall { account: BUNDLER })
                    .value(U256::from(500)),
            )
            .expect_success();
        let events = deposit.events::<EntryPointV06::Deposited>(ep);
        assert_eq!((events[0].1.account, events[0].1.totalDeposit), (BUNDLER, U256::from(500)));
        let plain = Tx {
            from: ALICE,
            to: ep,
            data: Bytes::new(),
            value: U256::from(300),
            access_list: vec![],
            deposit: false,
        };
        chain.send(plain).expect_success();
        assert_eq!(deposit_of(&mut chain, version, ALICE), U256::from(300), "plain ETH is a deposit");
        assert_eq!(deposit_of(&mut chain, version, BUNDLER), U256::from(500));

        let too_much =
            EntryPointV06::withdrawToCall { withdrawAddress: RECIPIENT, withdrawAmount: U256::from(301) };
        let outcome = chain.send(Tx::call(ALICE, ep, &too_much));
        assert_eq!(
            alloy_sol_types::Revert::abi_decode(&outcome.output).unwrap().reason,
            "Withdraw amount too large"
        );
        let withdraw =
            EntryPointV06::withdrawToCall { withdrawAddress: RECIPIENT, withdrawAmount: U256::from(120) };
        let outcome = chain.send(Tx::call(ALICE, ep, &withdraw)).expect_success();
        assert_eq!(outcome.events::<EntryPointV06::Withdrawn>(ep).len(), 1);
        assert_eq!(chain.balance(RECIPIENT), U256::from(120));
        assert_eq!(deposit_of(&mut chain, version, ALICE), U256::from(180));

        let stake = EntryPointV06::addStakeCall { unstakeDelaySec: 100 };
        let outcome = chain.send(Tx::call(ALICE, ep, &stake).value(U256::from(1000))).expect_success();
        let locked = outcome.events::<EntryPointV06::StakeLocked>(ep);
        assert_eq!(
            (locked[0].1.totalStaked, locked[0].1.unstakeDelaySec),
            (U256::from(1000), U256::from(100))
        );
        let shorter = EntryPointV06::addStakeCall { unstakeDelaySec: 50 };
        let outcome = chain.send(Tx::call(ALICE, ep, &shorter).value(U256::from(1)));
        assert_eq!(
            alloy_sol_types::Revert::abi_decode(&outcome.output).unwrap().reason,
            "cannot decrease unstake time"
        );

        let info = |chain: &mut Chain| -> (U256, bool, U256, u32, u64) {
            match version {
                Version::V06 => {
                    let i = chain.view(ep, &EntryPointV06::getDepositInfoCall { account: ALICE });
                    let (deposit, stake) = (i.deposit.to::<u128>(), i.stake.to::<u128>());
                    (U256::from(deposit), i.staked, U256::from(stake), i.unstakeDelaySec, i.withdrawTime.to())
                }
                Version::V07 => {
                    let i = chain.view(ep, &EntryPointV07::getDepositInfoCall { account: ALICE });
                    (
                        i.deposit,
                        i.staked,
                        U256::from(i.stake.to::<u128>()),
                        i.unstakeDelaySec,
                        i.withdrawTime.to(),
                    )
                }
            }
        };
        assert_eq!(info(&mut chain), (U256::from(180), true, U256::from(1000), 100, 0));

        let early =
            chain.send(Tx::call(ALICE, ep, &EntryPointV06::withdrawStakeCall { withdrawAddress: RECIPIENT }));
        assert_eq!(
            alloy_sol_types::Revert::abi_decode(&early.output).unwrap().reason,
            "must call unlockStake() first"
        );
        let unlock = chain.send(Tx::call(ALICE, ep, &EntryPointV06::unlockStakeCall {})).expect_success();
        let unlocked = unlock.events::<EntryPointV06::StakeUnlocked>(ep);
        assert_eq!(unlocked[0].1.withdrawTime, U256::from(unlock.block.1 + 100));
        let (_, staked, _, _, withdraw_time) = info(&mut chain);
        assert!(!staked);
        let early =
            chain.send(Tx::call(ALICE, ep, &EntryPointV06::withdrawStakeCall { withdrawAddress: RECIPIENT }));
        assert_eq!(
            alloy_sol_types::Revert::abi_decode(&early.output).unwrap().reason,
            "Stake withdrawal is not due"
        );

        chain.timestamp = withdraw_time;
        let outcome = chain
            .send(Tx::call(ALICE, ep, &EntryPointV06::withdrawStakeCall { withdrawAddress: RECIPIENT }))
            .expect_success();
        let withdrawn = outcome.events::<EntryPointV06::StakeWithdrawn>(ep);
        assert_eq!((withdrawn[0].1.withdrawAddress, withdrawn[0].1.amount), (RECIPIENT, U256::from(1000)));
        assert_eq!(chain.balance(RECIPIENT), U256::from(1120));
        assert_eq!(info(&mut chain), (U256::from(180), false, U256::ZERO, 0, 0));
        assert_eq!(chain.balance(ep), U256::from(680), "the entry point holds exactly the deposits");
    }
}

#[test]
fn handle_ops_cannot_be_reentered_and_inner_handle_op_is_internal() {
    for version in [Version::V06, Version::V07] {
        let mut chain = chain();
        let sender = account_address(&mut chain, version, 11);
        chain.set_balance(sender, U256::from(ONE_ETH));
        // The account's call is a handleOps of an empty bundle on the same entry point.
        let mut op = payment_op(&mut chain, version, 11, true);
        let nested: Bytes = match version {
            Version::V06 => {
                EntryPointV06::handleOpsCall { ops: vec![], beneficiary: BENEFICIARY }.abi_encode().into()
            }
            Version::V07 => {
                EntryPointV07::handleOpsCall { ops: vec![], beneficiary: BENEFICIARY }.abi_encode().into()
            }
        };
        op.call_data =
            TestAccount4337::executeCall { target: version.entry_point(), value: U256::ZERO, data: nested }
                .abi_encode()
                .into();
        let op = op.signed(version, &owner(), None);
        let outcome = handle_ops(&mut chain, version, std::slice::from_ref(&op)).expect_success();
        assert!(!the_operation_event(&outcome, version).success, "{version:?}: the nested handleOps failed");
        let reasons = outcome.events::<EntryPointV06::UserOperationRevertReason>(version.entry_point());
        let reason = &reasons[0].1.revertReason;
        match version {
            Version::V06 => assert_eq!(
                alloy_sol_types::Revert::abi_decode(reason).unwrap().reason,
                "ReentrancyGuard: reentrant call"
            ),
            Version::V07 => {
                assert_eq!(reason.as_ref(), EntryPointV07::ReentrancyGuardReentrantCall::SELECTOR)
            }
        }

        // innerHandleOp belongs to the entry point alone. Its operation-info argument is all static words (12 in
        // v0.6, 14 in v0.7), encoded inline like a fixed array.
        let data: Vec<u8> = match version {
            Version::V06 => [
                EntryPointV06::innerHandleOpCall::SELECTOR.as_slice(),
                &(Bytes::new(), [U256::ZERO; 12], Bytes::new()).abi_encode_params(),
            ]
            .concat(),
            Version::V07 => [
                EntryPointV07::innerHandleOpCall::SELECTOR.as_slice(),
                &(Bytes::new(), [U256::ZERO; 14], Bytes::new()).abi_encode_params(),
            ]
            .concat(),
        };
        let tx = Tx {
            from: ALICE,
            to: version.entry_point(),
            data: data.into(),
            value: U256::ZERO,
            access_list: vec![],
            deposit: false,
        };
        let outcome = chain.send(tx);
        assert_eq!(
            alloy_sol_types::Revert::abi_decode(&outcome.output).unwrap().reason,
            "AA92 internal call only"
        );
    }
}

#[test]
fn v07_answers_erc165_for_its_interfaces() {
    let mut chain = chain();
    let selectors =
        |names: &[[u8; 4]]| names.iter().fold([0u8; 4], |acc, s| std::array::from_fn(|i| acc[i] ^ s[i]));
    let entry_point = selectors(&[
        EntryPointV07::handleOpsCall::SELECTOR,
        EntryPointV07::handleAggregatedOpsCall::SELECTOR,
        EntryPointV07::getUserOpHashCall::SELECTOR,
        EntryPointV07::getSenderAddressCall::SELECTOR,
        EntryPointV07::delegateAndRevertCall::SELECTOR,
    ]);
    let erc165 = EntryPointV07::supportsInterfaceCall::SELECTOR;
    for (id, expected) in
        [(entry_point, true), (erc165, true), ([0xff; 4], false), ([0x12, 0x34, 0x56, 0x78], false)]
    {
        let answer =
            chain.view(ENTRY_POINT_V07, &EntryPointV07::supportsInterfaceCall { interfaceId: id.into() });
        assert_eq!(answer, expected, "{id:?}");
    }
}

#[test]
fn the_functions_events_and_errors_have_the_signatures_of_the_originals() {
    assert_eq!(
        [
            EntryPointV06::handleOpsCall::SIGNATURE,
            EntryPointV06::getUserOpHashCall::SIGNATURE,
            EntryPointV06::simulateValidationCall::SIGNATURE,
            EntryPointV06::getDepositInfoCall::SIGNATURE,
        ],
        [
            "handleOps((address,uint256,bytes,bytes,uint256,uint256,uint256,uint256,uint256,bytes,bytes)[],address)",
            "getUserOpHash((address,uint256,bytes,bytes,uint256,uint256,uint256,uint256,uint256,bytes,bytes))",
            "simulateValidation((address,uint256,bytes,bytes,uint256,uint256,uint256,uint256,uint256,bytes,bytes))",
            "getDepositInfo(address)",
        ]
    );
    // Selectors bundlers and SDKs hard-code.
    assert_eq!(EntryPointV06::handleOpsCall::SELECTOR, [0x1f, 0xad, 0x94, 0x8c]);
    assert_eq!(EntryPointV07::handleOpsCall::SELECTOR, [0x76, 0x5e, 0x82, 0x7f]);
    assert_eq!(EntryPointV06::getUserOpHashCall::SELECTOR, [0xa6, 0x19, 0x35, 0x31]);
    assert_eq!(EntryPointV07::getUserOpHashCall::SELECTOR, [0x22, 0xcd, 0xde, 0x4c]);
    assert_eq!(EntryPointV06::FailedOp::SIGNATURE, "FailedOp(uint256,string)");
    assert_eq!(
        EntryPointV06::UserOperationEvent::SIGNATURE,
        "UserOperationEvent(bytes32,address,address,uint256,bool,uint256,uint256)"
    );
    assert_eq!(TestAccount4337::executeUserOpCall::SELECTOR, [0x8d, 0xd7, 0x71, 0x2f]);
}
