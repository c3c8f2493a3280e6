//! The Safe (v1.3.0) and SafeL2 preinstalls, used as Safe tooling uses them: a proxy delegating to the singleton
//! is set up, owners sign the EIP-712 `SafeTx` hash (computed here independently of the contract) with ECDSA,
//! `eth_sign`, on-chain approvals or a contract's signature, and the Safe runs the transaction; owners, modules,
//! the guard, the fallback handler and gas refunds behave as v1.3.0's, and refusals carry its `GS0xx` strings.

use alloy_json_abi::JsonAbi;
use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use superlink_contracts::{
    Contract,
    bindings::TestSuperchainERC20,
    preinstall_allocs,
    preinstalls::{
        DETERMINISTIC_DEPLOYMENT_PROXY, SAFE, SAFE_L2,
        bindings::{Safe, SafeL2},
    },
};

use crate::harness::{Chain, Outcome, Tx};

mod probes {
    #![allow(missing_docs, clippy::too_many_arguments)]
    use alloy_sol_types::sol;

    sol!(SafeTestProxy, "../../contracts/artifacts/SafeTestProxy.json");
    sol!(SafeGuardProbe, "../../contracts/artifacts/SafeGuardProbe.json");
    sol!(SafeHandlerProbe, "../../contracts/artifacts/SafeHandlerProbe.json");
    sol!(SafeSignerProbe, "../../contracts/artifacts/SafeSignerProbe.json");
}
use probes::{SafeGuardProbe, SafeHandlerProbe, SafeSignerProbe, SafeTestProxy};

const CHAIN_ID: u64 = 901;
const SENTINEL: Address = address!("0x0000000000000000000000000000000000000001");
/// Submits transactions without being an owner.
const RELAYER: Address = address!("0xa000000000000000000000000000000000000001");
const BOB: Address = address!("0xb000000000000000000000000000000000000002");
const CAROL: Address = address!("0xc000000000000000000000000000000000000003");
const MODULE: Address = address!("0xd000000000000000000000000000000000000004");
const TOKEN: Address = address!("0xe000000000000000000000000000000000000005");
const GUARD: Address = address!("0xe000000000000000000000000000000000000006");
const HANDLER: Address = address!("0xe000000000000000000000000000000000000007");
const CONTRACT_OWNER: Address = address!("0xe000000000000000000000000000000000000008");
/// Runtime code answering the word 42 to every call.
const ANSWERER: Address = address!("0xe000000000000000000000000000000000000009");
/// Runtime code that stores 1 in slot 0x99 of whoever runs it (a setup delegatecall target).
const SETTER: Address = address!("0xe00000000000000000000000000000000000000a");
/// Runtime code that reverts without data.
const REVERTER: Address = address!("0xe00000000000000000000000000000000000000b");

const ETHER: u128 = 1_000_000_000_000_000_000;

/// Three owner keys, sorted by address as signatures must be.
fn owner_keys() -> Vec<PrivateKeySigner> {
    let mut keys: Vec<PrivateKeySigner> = (1u8..=3)
        .map(|i| PrivateKeySigner::from_bytes(&B256::repeat_byte(0x10 + i)).expect("a valid key"))
        .collect();
    keys.sort_by_key(|k| k.address());
    keys
}

fn chain() -> Chain {
    let mut chain = Chain::new(CHAIN_ID);
    chain.alloc(preinstall_allocs());
    chain.set_code(TOKEN, Contract::TestSuperchainERC20.deployed_bytecode());
    chain.set_code(GUARD, SafeGuardProbe::DEPLOYED_BYTECODE.clone());
    chain.set_code(HANDLER, SafeHandlerProbe::DEPLOYED_BYTECODE.clone());
    chain.set_code(CONTRACT_OWNER, SafeSignerProbe::DEPLOYED_BYTECODE.clone());
    chain.set_code(ANSWERER, Bytes::from_static(&[0x60, 0x2a, 0x5f, 0x52, 0x60, 0x20, 0x5f, 0xf3]));
    chain.set_code(SETTER, Bytes::from_static(&[0x60, 0x01, 0x60, 0x99, 0x55, 0x00]));
    chain.set_code(REVERTER, Bytes::from_static(&[0x5f, 0x5f, 0xfd]));
    for account in [RELAYER, BOB, CAROL, MODULE] {
        chain.set_balance(account, U256::from(ETHER));
    }
    for key in owner_keys() {
        chain.set_balance(key.address(), U256::from(ETHER));
    }
    chain
}

fn raw(from: Address, to: Address, data: Bytes) -> Tx {
    Tx { from, to, data, value: U256::ZERO, access_list: vec![], deposit: false }
}

/// Deploys a `SafeTestProxy` of `singleton` through the deterministic deployment proxy (so its constructor writes
/// the singleton into slot 0, as a Safe proxy's does).
fn deploy_proxy(chain: &mut Chain, singleton: Address, salt: u8) -> Address {
    let init: Bytes = [SafeTestProxy::BYTECODE.as_ref(), &singleton.abi_encode()].concat().into();
    let salt = B256::repeat_byte(salt);
    let data: Bytes = [salt.as_slice(), init.as_ref()].concat().into();
    chain.send(raw(RELAYER, DETERMINISTIC_DEPLOYMENT_PROXY, data)).expect_success();
    let proxy = DETERMINISTIC_DEPLOYMENT_PROXY.create2(salt, keccak256(&init));
    assert!(!chain.code(proxy).is_empty(), "the proxy is deployed");
    proxy
}

fn setup_call(owners: &[Address], threshold: u64, handler: Address) -> Safe::setupCall {
    Safe::setupCall {
        _owners: owners.to_vec(),
        _threshold: U256::from(threshold),
        to: Address::ZERO,
        data: Bytes::new(),
        fallbackHandler: handler,
        paymentToken: Address::ZERO,
        payment: U256::ZERO,
        paymentReceiver: Address::ZERO,
    }
}

/// A proxy of `singleton` set up with `owners` and `threshold`, and 1 ether.
fn new_safe(chain: &mut Chain, singleton: Address, owners: &[Address], threshold: u64) -> Address {
    let safe = deploy_proxy(chain, singleton, 0x01);
    chain.send(Tx::call(RELAYER, safe, &setup_call(owners, threshold, Address::ZERO))).expect_success();
    chain.set_balance(safe, U256::from(ETHER));
    safe
}

fn revert_reason(outcome: &Outcome) -> String {
    assert!(!outcome.success, "expected a revert, the call succeeded");
    alloy_sol_types::Revert::abi_decode(&outcome.output).expect("an Error(string) revert").reason
}

fn word(value: U256) -> [u8; 32] {
    value.to_be_bytes::<32>()
}

fn small(value: u64) -> [u8; 32] {
    word(U256::from(value))
}

fn address_word(address: Address) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[12..].copy_from_slice(address.as_slice());
    out
}

/// A Safe transaction, with the EIP-712 encoding written out here rather than asked of the contract.
#[derive(Debug, Clone)]
struct SafeTx {
    to: Address,
    value: U256,
    data: Bytes,
    operation: u8,
    safe_tx_gas: U256,
    base_gas: U256,
    gas_price: U256,
    gas_token: Address,
    refund_receiver: Address,
    nonce: U256,
}

impl SafeTx {
    fn call(to: Address, value: u128, data: impl Into<Bytes>, nonce: u64) -> Self {
        SafeTx {
            to,
            value: U256::from(value),
            data: data.into(),
            operation: 0,
            safe_tx_gas: U256::ZERO,
            base_gas: U256::ZERO,
            gas_price: U256::ZERO,
            gas_token: Address::ZERO,
            refund_receiver: Address::ZERO,
            nonce: U256::from(nonce),
        }
    }

    /// A call of the Safe's own function `call` (owner, module and guard management).
    fn own<C: SolCall>(safe: Address, call: &C, nonce: u64) -> Self {
        SafeTx::call(safe, 0, call.abi_encode(), nonce)
    }

    fn domain_separator(safe: Address) -> B256 {
        let typehash = keccak256("EIP712Domain(uint256 chainId,address verifyingContract)");
        keccak256([typehash.0, small(CHAIN_ID), address_word(safe)].concat())
    }

    /// `0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(SafeTx)`: the bytes whose hash the owners sign.
    fn encoded(&self, safe: Address) -> Vec<u8> {
        let typehash = keccak256(
            "SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,uint256 baseGas,\
             uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)",
        );
        let struct_hash = keccak256(
            [
                typehash.0,
                address_word(self.to),
                word(self.value),
                keccak256(&self.data).0,
                small(self.operation.into()),
                word(self.safe_tx_gas),
                word(self.base_gas),
                word(self.gas_price),
                address_word(self.gas_token),
                address_word(self.refund_receiver),
                word(self.nonce),
            ]
            .concat(),
        );
        [&[0x19u8, 0x01][..], Self::domain_separator(safe).as_slice(), struct_hash.as_slice()].concat()
    }

    fn hash(&self, safe: Address) -> B256 {
        keccak256(self.encoded(safe))
    }

    fn exec(&self, signatures: Vec<u8>) -> Safe::execTransactionCall {
        Safe::execTransactionCall {
            to: self.to,
            value: self.value,
            data: self.data.clone(),
            operation: self.operation,
            safeTxGas: self.safe_tx_gas,
            baseGas: self.base_gas,
            gasPrice: self.gas_price,
            gasToken: self.gas_token,
            refundReceiver: self.refund_receiver,
            signatures: signatures.into(),
        }
    }

    fn hash_call(&self) -> Safe::getTransactionHashCall {
        Safe::getTransactionHashCall {
            to: self.to,
            value: self.value,
            data: self.data.clone(),
            operation: self.operation,
            safeTxGas: self.safe_tx_gas,
            baseGas: self.base_gas,
            gasPrice: self.gas_price,
            gasToken: self.gas_token,
            refundReceiver: self.refund_receiver,
            _nonce: self.nonce,
        }
    }
}

/// One 65-byte signature entry and the owner it names, to be sorted by owner.
type Entry = (Address, [u8; 65]);

fn ecdsa(key: &PrivateKeySigner, hash: B256) -> Entry {
    (key.address(), key.sign_hash_sync(&hash).expect("signs").as_bytes())
}

/// An `eth_sign` signature: of the EIP-191 message of the hash, with v raised by 4.
fn eth_sign(key: &PrivateKeySigner, hash: B256) -> Entry {
    let mut bytes = key.sign_message_sync(hash.as_slice()).expect("signs").as_bytes();
    bytes[64] += 4;
    (key.address(), bytes)
}

/// An entry naming `owner` with kind `v` (1: approved hash, 0: contract signature at offset `s`).
fn pointer(owner: Address, s: u64, v: u8) -> Entry {
    let mut bytes = [0u8; 65];
    bytes[..32].copy_from_slice(&address_word(owner));
    bytes[32..64].copy_from_slice(&small(s));
    bytes[64] = v;
    (owner, bytes)
}

fn sorted(mut entries: Vec<Entry>) -> Vec<u8> {
    entries.sort_by_key(|(owner, _)| *owner);
    entries.into_iter().flat_map(|(_, bytes)| bytes).collect()
}

/// Signs `tx` with each of `keys` (ECDSA) and has the relayer submit it.
fn exec_signed(chain: &mut Chain, safe: Address, tx: &SafeTx, keys: &[&PrivateKeySigner]) -> Outcome {
    let hash = tx.hash(safe);
    let signatures = sorted(keys.iter().map(|k| ecdsa(k, hash)).collect());
    chain.send(Tx::call(RELAYER, safe, &tx.exec(signatures)))
}

fn nonce(chain: &mut Chain, safe: Address) -> u64 {
    chain.view(safe, &Safe::nonceCall {}).to::<u64>()
}

fn token_balance(chain: &mut Chain, holder: Address) -> U256 {
    chain.view(TOKEN, &TestSuperchainERC20::balanceOfCall { holder })
}

#[test]
fn setup_through_a_proxy_records_owners_threshold_handler_and_runs_the_setup_call() {
    let mut chain = chain();
    let keys = owner_keys();
    let owners: Vec<Address> = keys.iter().map(|k| k.address()).collect();
    let safe = deploy_proxy(&mut chain, SAFE, 0x01);
    assert_eq!(
        chain.storage(safe, U256::ZERO),
        U256::from_be_slice(SAFE.as_slice()),
        "slot 0: the singleton"
    );

    chain.send(Tx::call(
        RELAYER,
        TOKEN,
        &TestSuperchainERC20::mintCall { _to: safe, _amount: U256::from(900) },
    ));
    let mut setup = setup_call(&owners, 2, HANDLER);
    setup.to = SETTER;
    setup.paymentToken = TOKEN;
    setup.payment = U256::from(500);
    setup.paymentReceiver = CAROL;
    let outcome = chain.send(Tx::call(RELAYER, safe, &setup)).expect_success();

    let events = outcome.events::<Safe::SafeSetup>(safe);
    assert_eq!(events.len(), 1);
    let event = &events[0].1;
    assert_eq!(
        (event.initiator, &event.owners, event.threshold, event.initializer, event.fallbackHandler),
        (RELAYER, &owners, U256::from(2), SETTER, HANDLER)
    );
    assert_eq!(chain.view(safe, &Safe::getOwnersCall {}), owners, "owners in setup's order");
    assert_eq!(chain.view(safe, &Safe::getThresholdCall {}), U256::from(2));
    assert!(chain.view(safe, &Safe::isOwnerCall { owner: owners[1] }));
    assert!(!chain.view(safe, &Safe::isOwnerCall { owner: BOB }));
    assert!(!chain.view(safe, &Safe::isOwnerCall { owner: SENTINEL }));
    assert_eq!(chain.view(safe, &Safe::VERSIONCall {}), "1.3.0");
    assert_eq!(nonce(&mut chain, safe), 0);
    // The v1.3.0 layout: owner count in slot 3, threshold in slot 4, the handler at its hashed slot.
    assert_eq!(chain.storage(safe, U256::from(3)), U256::from(3));
    assert_eq!(chain.storage(safe, U256::from(4)), U256::from(2));
    let handler_slot = U256::from_be_bytes(keccak256("fallback_manager.handler.address").0);
    assert_eq!(chain.storage(safe, handler_slot), U256::from_be_slice(HANDLER.as_slice()));
    let words = chain.view(safe, &Safe::getStorageAtCall { offset: U256::from(3), length: U256::from(2) });
    assert_eq!(words.as_ref(), [small(3), small(2)].concat().as_slice(), "getStorageAt reads slots 3 and 4");
    assert_eq!(
        chain.storage(safe, U256::from(0x99)),
        U256::from(1),
        "the setup delegatecall ran in the proxy"
    );
    assert_eq!(token_balance(&mut chain, CAROL), U256::from(500), "the setup payment went to its receiver");
    let page = chain.view(safe, &Safe::getModulesPaginatedCall { start: SENTINEL, pageSize: U256::from(10) });
    assert_eq!((page.array, page.next), (vec![], SENTINEL), "no modules, the list is initialised");

    let again = chain.send(Tx::call(RELAYER, safe, &setup_call(&owners, 1, Address::ZERO)));
    assert_eq!(revert_reason(&again), "GS200", "a Safe is set up once");

    let cases: [(Vec<Address>, u64, &str); 6] = [
        (owners.clone(), 4, "GS201"),
        (owners.clone(), 0, "GS202"),
        (vec![owners[0], Address::ZERO], 1, "GS203"),
        (vec![owners[0], SENTINEL], 1, "GS203"),
        (vec![owners[0], owners[0]], 1, "GS203"),
        (vec![owners[0], owners[1], owners[0]], 1, "GS204"),
    ];
    for (i, (list, threshold, code)) in cases.into_iter().enumerate() {
        let fresh = deploy_proxy(&mut chain, SAFE, 0x20 + i as u8);
        let refused = chain.send(Tx::call(RELAYER, fresh, &setup_call(&list, threshold, Address::ZERO)));
        assert_eq!(revert_reason(&refused), code, "setup with {list:?} and threshold {threshold}");
    }
    let fresh = deploy_proxy(&mut chain, SAFE, 0x30);
    let mut failing = setup_call(&owners, 1, Address::ZERO);
    failing.to = REVERTER;
    assert_eq!(revert_reason(&chain.send(Tx::call(RELAYER, fresh, &failing))), "GS000");
}

#[test]
fn a_two_of_three_transaction_runs_with_ecdsa_signatures_over_the_eip712_hash() {
    let mut chain = chain();
    let keys = owner_keys();
    let owners: Vec<Address> = keys.iter().map(|k| k.address()).collect();
    let safe = new_safe(&mut chain, SAFE, &owners, 2);
    let tx = SafeTx::call(BOB, 1_000, Bytes::new(), 0);

    assert_eq!(chain.view(safe, &Safe::domainSeparatorCall {}), SafeTx::domain_separator(safe));
    assert_eq!(chain.view(safe, &Safe::getChainIdCall {}), U256::from(CHAIN_ID));
    assert_eq!(chain.view(safe, &tx.hash_call()), tx.hash(safe), "getTransactionHash is the EIP-712 hash");
    let encoded = chain.view(
        safe,
        &Safe::encodeTransactionDataCall {
            to: tx.to,
            value: tx.value,
            data: tx.data.clone(),
            operation: tx.operation,
            safeTxGas: tx.safe_tx_gas,
            baseGas: tx.base_gas,
            gasPrice: tx.gas_price,
            gasToken: tx.gas_token,
            refundReceiver: tx.refund_receiver,
            _nonce: tx.nonce,
        },
    );
    assert_eq!(encoded.as_ref(), tx.encoded(safe).as_slice());

    let bob_before = chain.balance(BOB);
    let outcome = exec_signed(&mut chain, safe, &tx, &[&keys[0], &keys[2]]).expect_success();
    assert!(outcome.returns::<Safe::execTransactionCall>(), "execTransaction answers true");
    let events = outcome.events::<Safe::ExecutionSuccess>(safe);
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].1.txHash, events[0].1.payment), (tx.hash(safe), U256::ZERO));
    assert_eq!(chain.balance(BOB) - bob_before, U256::from(1_000));
    assert_eq!(nonce(&mut chain, safe), 1);

    // The same signatures again: the nonce moved on, so they sign another hash and recover other addresses.
    let signatures = sorted(vec![ecdsa(&keys[0], tx.hash(safe)), ecdsa(&keys[2], tx.hash(safe))]);
    let replay = chain.send(Tx::call(RELAYER, safe, &tx.exec(signatures)));
    assert_eq!(revert_reason(&replay), "GS026");
    assert_eq!(chain.balance(BOB) - bob_before, U256::from(1_000), "nothing was sent twice");
}

#[test]
fn signatures_that_do_not_add_up_are_refused_with_the_gs_codes() {
    let mut chain = chain();
    let keys = owner_keys();
    let owners: Vec<Address> = keys.iter().map(|k| k.address()).collect();
    let unset = deploy_proxy(&mut chain, SAFE, 0x02);
    let safe = new_safe(&mut chain, SAFE, &owners, 2);
    let tx = SafeTx::call(BOB, 1, Bytes::new(), 0);
    let hash = tx.hash(safe);
    let stranger = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x77)).unwrap();
    let later = SafeTx { nonce: U256::from(1), ..tx.clone() }.hash(safe);

    let unsorted: Vec<u8> = [ecdsa(&keys[2], hash).1, ecdsa(&keys[0], hash).1].concat();
    let twice: Vec<u8> = [ecdsa(&keys[0], hash).1, ecdsa(&keys[0], hash).1].concat();
    let mut inside = sorted(vec![ecdsa(&keys[0], hash), pointer(CONTRACT_OWNER, 64, 0)]);
    inside.extend_from_slice(&small(0));
    let beyond = sorted(vec![ecdsa(&keys[0], hash), pointer(CONTRACT_OWNER, 130, 0)]);
    let mut too_long = sorted(vec![ecdsa(&keys[0], hash), pointer(CONTRACT_OWNER, 130, 0)]);
    too_long.extend_from_slice(&small(64));
    too_long.extend_from_slice(&[0u8; 32]);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("one signature for threshold two", ecdsa(&keys[0], hash).1.to_vec(), "GS020"),
        ("unsorted", unsorted, "GS026"),
        ("the same owner twice", twice, "GS026"),
        ("a stranger's signature", sorted(vec![ecdsa(&keys[0], hash), ecdsa(&stranger, hash)]), "GS026"),
        ("signed for another nonce", sorted(vec![ecdsa(&keys[0], later), ecdsa(&keys[1], later)]), "GS026"),
        ("an approval never given", sorted(vec![ecdsa(&keys[0], hash), pointer(owners[1], 0, 1)]), "GS025"),
        ("a contract signature inside the entries", inside, "GS021"),
        ("a contract signature past the end", beyond, "GS022"),
        ("a contract signature longer than the data", too_long, "GS023"),
    ];
    for (what, signatures, code) in cases {
        let refused = chain.send(Tx::call(RELAYER, safe, &tx.exec(signatures)));
        assert_eq!(revert_reason(&refused), code, "{what}");
    }
    assert_eq!(nonce(&mut chain, safe), 0, "no refused transaction used the nonce");

    let check = Safe::checkSignaturesCall {
        dataHash: hash,
        data: tx.encoded(safe).into(),
        signatures: sorted(vec![ecdsa(&keys[0], hash), ecdsa(&keys[1], hash)]).into(),
    };
    let unset_check = chain.simulate(Tx::call(RELAYER, unset, &check));
    assert_eq!(revert_reason(&unset_check), "GS001", "a Safe that was never set up has no threshold");
    assert!(
        chain.simulate(Tx::call(RELAYER, safe, &check)).success,
        "checkSignatures accepts the right ones"
    );
}

#[test]
fn approved_hashes_and_eth_sign_signatures_count_as_owner_signatures() {
    let mut chain = chain();
    let keys = owner_keys();
    let owners: Vec<Address> = keys.iter().map(|k| k.address()).collect();
    let safe = new_safe(&mut chain, SAFE, &owners, 2);
    let tx = SafeTx::call(BOB, 5, Bytes::new(), 0);
    let hash = tx.hash(safe);

    let stranger = chain.send(Tx::call(RELAYER, safe, &Safe::approveHashCall { hashToApprove: hash }));
    assert_eq!(revert_reason(&stranger), "GS030");
    let approval = chain
        .send(Tx::call(owners[0], safe, &Safe::approveHashCall { hashToApprove: hash }))
        .expect_success();
    let events = approval.events::<Safe::ApproveHash>(safe);
    assert_eq!((events[0].1.approvedHash, events[0].1.owner), (hash, owners[0]));
    let recorded = chain.view(safe, &Safe::approvedHashesCall { _0: owners[0], _1: hash });
    assert_eq!(recorded, U256::from(1));

    let signatures = sorted(vec![pointer(owners[0], 0, 1), eth_sign(&keys[1], hash)]);
    chain.send(Tx::call(RELAYER, safe, &tx.exec(signatures))).expect_success();
    assert_eq!(nonce(&mut chain, safe), 1);

    // The submitter's own v = 1 entry counts without an approval.
    let next = SafeTx::call(BOB, 5, Bytes::new(), 1);
    let signatures = sorted(vec![pointer(owners[2], 0, 1), ecdsa(&keys[1], next.hash(safe))]);
    chain.send(Tx::call(owners[2], safe, &next.exec(signatures))).expect_success();
    assert_eq!(nonce(&mut chain, safe), 2);
}

#[test]
fn a_contract_owner_signs_through_the_legacy_eip1271_interface() {
    let mut chain = chain();
    let keys = owner_keys();
    let safe = new_safe(&mut chain, SAFE, &[CONTRACT_OWNER, keys[0].address()], 2);
    let tx = SafeTx::call(BOB, 7, Bytes::new(), 0);
    let hash = tx.hash(safe);
    let accepted = b"superlink contract signature";
    let signatures = |bytes: &[u8]| {
        // Two entries, then the contract's signature: its 32-byte length and its bytes, at offset 130.
        let mut signatures = sorted(vec![ecdsa(&keys[0], hash), pointer(CONTRACT_OWNER, 130, 0)]);
        signatures.extend_from_slice(&small(bytes.len() as u64));
        signatures.extend_from_slice(bytes);
        signatures
    };

    let unapproved = signatures(accepted);
    let refused = chain.send(Tx::call(RELAYER, safe, &tx.exec(unapproved)));
    assert_eq!(revert_reason(&refused), "GS024", "the contract has not agreed to sign these bytes");

    // The contract is handed the encoded transaction data itself, not its hash.
    let approve = SafeSignerProbe::approveCall { data: tx.encoded(safe).into() };
    chain.send(Tx::call(RELAYER, CONTRACT_OWNER, &approve)).expect_success();
    let wrong = signatures(b"another signature");
    assert_eq!(revert_reason(&chain.send(Tx::call(RELAYER, safe, &tx.exec(wrong)))), "GS024");
    let good = signatures(accepted);
    chain.send(Tx::call(RELAYER, safe, &tx.exec(good))).expect_success();
    assert_eq!(nonce(&mut chain, safe), 1);
}

#[test]
fn owners_are_managed_by_transactions_of_the_safe_itself() {
    let mut chain = chain();
    let keys = owner_keys();
    let owners: Vec<Address> = keys.iter().map(|k| k.address()).collect();
    let safe = new_safe(&mut chain, SAFE, &[owners[0]], 1);

    let direct = chain.send(Tx::call(
        owners[0],
        safe,
        &Safe::addOwnerWithThresholdCall { owner: BOB, _threshold: U256::ONE },
    ));
    assert_eq!(revert_reason(&direct), "GS031", "only the Safe manages its owners");

    let add = SafeTx::own(
        safe,
        &Safe::addOwnerWithThresholdCall { owner: owners[1], _threshold: U256::from(2) },
        0,
    );
    let outcome = exec_signed(&mut chain, safe, &add, &[&keys[0]]).expect_success();
    assert_eq!(outcome.events::<Safe::AddedOwner>(safe)[0].1.owner, owners[1]);
    assert_eq!(outcome.events::<Safe::ChangedThreshold>(safe)[0].1.threshold, U256::from(2));
    assert_eq!(chain.view(safe, &Safe::getOwnersCall {}), vec![owners[1], owners[0]], "new owners go first");

    let swap = SafeTx::own(
        safe,
        &Safe::swapOwnerCall { prevOwner: SENTINEL, oldOwner: owners[1], newOwner: owners[2] },
        1,
    );
    let outcome = exec_signed(&mut chain, safe, &swap, &[&keys[0], &keys[1]]).expect_success();
    assert_eq!(outcome.events::<Safe::RemovedOwner>(safe)[0].1.owner, owners[1]);
    assert_eq!(outcome.events::<Safe::AddedOwner>(safe)[0].1.owner, owners[2]);
    assert_eq!(chain.view(safe, &Safe::getOwnersCall {}), vec![owners[2], owners[0]]);

    // A management call that reverts inside a transaction with neither safeTxGas nor gasPrice reverts it (GS013);
    // with safeTxGas set it is recorded as a failure and the nonce moves on.
    let too_high = SafeTx::own(safe, &Safe::changeThresholdCall { _threshold: U256::from(3) }, 2);
    let refused = exec_signed(&mut chain, safe, &too_high, &[&keys[0], &keys[2]]);
    assert_eq!(revert_reason(&refused), "GS013");
    let with_gas = SafeTx { safe_tx_gas: U256::from(100_000), ..too_high };
    let failed = exec_signed(&mut chain, safe, &with_gas, &[&keys[0], &keys[2]]).expect_success();
    assert_eq!(failed.events::<Safe::ExecutionFailure>(safe)[0].1.txHash, with_gas.hash(safe));
    assert!(!failed.returns::<Safe::execTransactionCall>(), "execTransaction answers false");
    assert_eq!(nonce(&mut chain, safe), 3);

    let remove = SafeTx::own(
        safe,
        &Safe::removeOwnerCall { prevOwner: owners[2], owner: owners[0], _threshold: U256::ONE },
        3,
    );
    let outcome = exec_signed(&mut chain, safe, &remove, &[&keys[0], &keys[2]]).expect_success();
    assert_eq!(outcome.events::<Safe::RemovedOwner>(safe)[0].1.owner, owners[0]);
    assert_eq!(chain.view(safe, &Safe::getOwnersCall {}), vec![owners[2]]);
    assert_eq!(chain.view(safe, &Safe::getThresholdCall {}), U256::ONE);
    assert!(!chain.view(safe, &Safe::isOwnerCall { owner: owners[0] }));
}

#[test]
fn an_enabled_module_runs_transactions_without_signatures() {
    let mut chain = chain();
    let keys = owner_keys();
    let safe = new_safe(&mut chain, SAFE, &[keys[0].address()], 1);
    let module_tx = Safe::execTransactionFromModuleCall {
        to: BOB,
        value: U256::from(100),
        data: Bytes::new(),
        operation: 0,
    };
    assert_eq!(revert_reason(&chain.send(Tx::call(MODULE, safe, &module_tx))), "GS104");

    let enable = SafeTx::own(safe, &Safe::enableModuleCall { module: MODULE }, 0);
    let outcome = exec_signed(&mut chain, safe, &enable, &[&keys[0]]).expect_success();
    assert_eq!(outcome.events::<Safe::EnabledModule>(safe)[0].1.module, MODULE);
    assert!(chain.view(safe, &Safe::isModuleEnabledCall { module: MODULE }));
    let page = chain.view(safe, &Safe::getModulesPaginatedCall { start: SENTINEL, pageSize: U256::from(10) });
    assert_eq!((page.array, page.next), (vec![MODULE], SENTINEL));

    let bob_before = chain.balance(BOB);
    let outcome = chain.send(Tx::call(MODULE, safe, &module_tx)).expect_success();
    assert_eq!(outcome.events::<Safe::ExecutionFromModuleSuccess>(safe)[0].1.module, MODULE);
    assert_eq!(chain.balance(BOB) - bob_before, U256::from(100));
    assert_eq!(nonce(&mut chain, safe), 1, "module transactions use no nonce");

    let ask = Safe::execTransactionFromModuleReturnDataCall {
        to: ANSWERER,
        value: U256::ZERO,
        data: Bytes::from_static(b"question"),
        operation: 0,
    };
    let answer = chain.send(Tx::call(MODULE, safe, &ask)).expect_success();
    let returned = answer.returns::<Safe::execTransactionFromModuleReturnDataCall>();
    assert!(returned.success);
    assert_eq!(returned.returnData.as_ref(), small(42).as_slice(), "the call's answer comes back");
    let fail = Safe::execTransactionFromModuleCall {
        to: REVERTER,
        value: U256::ZERO,
        data: Bytes::new(),
        operation: 0,
    };
    let outcome = chain.send(Tx::call(MODULE, safe, &fail)).expect_success();
    assert_eq!(outcome.events::<Safe::ExecutionFromModuleFailure>(safe)[0].1.module, MODULE);

    let disable = SafeTx::own(safe, &Safe::disableModuleCall { prevModule: SENTINEL, module: MODULE }, 1);
    let outcome = exec_signed(&mut chain, safe, &disable, &[&keys[0]]).expect_success();
    assert_eq!(outcome.events::<Safe::DisabledModule>(safe)[0].1.module, MODULE);
    assert_eq!(revert_reason(&chain.send(Tx::call(MODULE, safe, &module_tx))), "GS104");
}

#[test]
fn a_guard_sees_every_transaction_and_can_refuse_it() {
    let mut chain = chain();
    let keys = owner_keys();
    let safe = new_safe(&mut chain, SAFE, &[keys[0].address()], 1);
    let set = SafeTx::own(safe, &Safe::setGuardCall { guard: GUARD }, 0);
    let outcome = exec_signed(&mut chain, safe, &set, &[&keys[0]]).expect_success();
    assert_eq!(outcome.events::<Safe::ChangedGuard>(safe)[0].1.guard, GUARD);
    let guard_slot = U256::from_be_bytes(keccak256("guard_manager.guard.address").0);
    assert_eq!(chain.storage(safe, guard_slot), U256::from_be_slice(GUARD.as_slice()));

    chain.send(Tx::call(RELAYER, GUARD, &SafeGuardProbe::block_Call { target: BOB })).expect_success();
    let to_bob = SafeTx::call(BOB, 1, Bytes::new(), 1);
    let refused = exec_signed(&mut chain, safe, &to_bob, &[&keys[0]]);
    assert_eq!(revert_reason(&refused), "SafeGuardProbe: blocked");
    assert_eq!(nonce(&mut chain, safe), 1);

    let to_carol = SafeTx::call(CAROL, 1, Bytes::new(), 1);
    exec_signed(&mut chain, safe, &to_carol, &[&keys[0]]).expect_success();
    assert_eq!(
        chain.view(GUARD, &SafeGuardProbe::lastSenderCall {}),
        RELAYER,
        "the guard sees the submitter"
    );
    assert_eq!(chain.view(GUARD, &SafeGuardProbe::lastTxHashCall {}), to_carol.hash(safe));
    assert!(chain.view(GUARD, &SafeGuardProbe::lastSuccessCall {}), "and the outcome afterwards");
}

#[test]
fn the_fallback_handler_receives_unknown_calls_with_the_caller_appended() {
    let mut chain = chain();
    let keys = owner_keys();
    let safe = new_safe(&mut chain, SAFE, &[keys[0].address()], 1);
    let unknown = Bytes::from_static(&[0xde, 0xad, 0xbe, 0xef, 0x01]);
    let silent = chain.send(raw(CAROL, safe, unknown.clone())).expect_success();
    assert!(silent.output.is_empty(), "without a handler an unknown call succeeds with no answer");

    let set = SafeTx::own(safe, &Safe::setFallbackHandlerCall { handler: HANDLER }, 0);
    let outcome = exec_signed(&mut chain, safe, &set, &[&keys[0]]).expect_success();
    assert_eq!(outcome.events::<Safe::ChangedFallbackHandler>(safe)[0].1.handler, HANDLER);

    let answered = chain.send(raw(CAROL, safe, unknown.clone())).expect_success();
    assert_eq!(answered.output.as_ref(), small(7).as_slice(), "the handler's answer comes back");
    let received = chain.view(HANDLER, &SafeHandlerProbe::lastCalldataCall {});
    assert_eq!(received.as_ref(), [unknown.as_ref(), CAROL.as_slice()].concat().as_slice());
    assert_eq!(chain.view(HANDLER, &SafeHandlerProbe::lastCallerCall {}), safe);

    let deposit = chain.send(raw(CAROL, safe, Bytes::new()).value(U256::from(33))).expect_success();
    let events = deposit.events::<Safe::SafeReceived>(safe);
    assert_eq!((events[0].1.sender, events[0].1.value), (CAROL, U256::from(33)));
}

#[test]
fn refunds_are_paid_for_the_gas_a_transaction_used() {
    let mut chain = chain();
    let keys = owner_keys();
    let safe = new_safe(&mut chain, SAFE, &[keys[0].address()], 1);
    chain.send(Tx::call(
        RELAYER,
        TOKEN,
        &TestSuperchainERC20::mintCall { _to: safe, _amount: U256::from(ETHER) },
    ));

    let base = SafeTx::call(BOB, 1, Bytes::new(), 0);
    let paid = SafeTx {
        safe_tx_gas: U256::from(100_000),
        base_gas: U256::from(1_000),
        gas_price: U256::from(2),
        gas_token: TOKEN,
        refund_receiver: CAROL,
        ..base.clone()
    };
    let outcome = exec_signed(&mut chain, safe, &paid, &[&keys[0]]).expect_success();
    let payment = outcome.events::<Safe::ExecutionSuccess>(safe)[0].1.payment;
    assert!(payment > U256::from(2_000), "(gas used + baseGas) * gasPrice: {payment}");
    assert!((payment % U256::from(2)).is_zero(), "a multiple of the gas price: {payment}");
    assert_eq!(token_balance(&mut chain, CAROL), payment, "the refund receiver got the payment");
    assert_eq!(token_balance(&mut chain, safe), U256::from(ETHER) - payment);

    // No refund receiver: the refund goes to the transaction's origin. A failed call is refunded too.
    let failing = SafeTx { to: REVERTER, refund_receiver: Address::ZERO, nonce: U256::ONE, ..paid.clone() };
    let outcome = exec_signed(&mut chain, safe, &failing, &[&keys[0]]).expect_success();
    let payment = outcome.events::<Safe::ExecutionFailure>(safe)[0].1.payment;
    assert!(payment > U256::from(2_000));
    assert_eq!(token_balance(&mut chain, RELAYER), payment);

    // In ETH the price is capped by the transaction's gas price, zero on this chain.
    let in_eth = SafeTx { gas_token: Address::ZERO, nonce: U256::from(2), ..paid };
    let outcome = exec_signed(&mut chain, safe, &in_eth, &[&keys[0]]).expect_success();
    assert_eq!(outcome.events::<Safe::ExecutionSuccess>(safe)[0].1.payment, U256::ZERO);

    // A refund the Safe cannot pay reverts the transaction.
    let broke = SafeTx { nonce: U256::from(3), gas_price: U256::from(ETHER), ..failing };
    assert_eq!(revert_reason(&exec_signed(&mut chain, safe, &broke, &[&keys[0]])), "GS012");
}

#[test]
fn the_singletons_themselves_refuse_setup() {
    let mut chain = chain();
    let owners: Vec<Address> = owner_keys().iter().map(|k| k.address()).collect();
    for singleton in [SAFE, SAFE_L2] {
        assert_eq!(
            chain.view(singleton, &Safe::getThresholdCall {}),
            U256::ONE,
            "locked by its genesis storage"
        );
        let refused = chain.send(Tx::call(RELAYER, singleton, &setup_call(&owners, 1, Address::ZERO)));
        assert_eq!(revert_reason(&refused), "GS200");
        assert!(chain.view(singleton, &Safe::getOwnersCall {}).is_empty());
    }
}

#[test]
fn simulation_helpers_answer_as_v1_3_0s() {
    let mut chain = chain();
    let keys = owner_keys();
    let safe = new_safe(&mut chain, SAFE, &[keys[0].address()], 1);
    let simulate = Safe::simulateAndRevertCall { targetContract: ANSWERER, calldataPayload: Bytes::new() };
    let outcome = chain.simulate(Tx::call(RELAYER, safe, &simulate));
    assert!(!outcome.success);
    assert_eq!(outcome.output.as_ref(), [small(1), small(32), small(42)].concat().as_slice());

    // Tooling calls requiredTxGas from the Safe's own address; here the Safe calls itself for a module.
    let estimate = Safe::requiredTxGasCall { to: BOB, value: U256::ONE, data: Bytes::new(), operation: 0 };
    assert_eq!(revert_reason(&chain.simulate(Tx::call(RELAYER, safe, &estimate))), "GS031");
    let enable = SafeTx::own(safe, &Safe::enableModuleCall { module: MODULE }, 0);
    exec_signed(&mut chain, safe, &enable, &[&keys[0]]).expect_success();
    let through_module = Safe::execTransactionFromModuleReturnDataCall {
        to: safe,
        value: U256::ZERO,
        data: estimate.abi_encode().into(),
        operation: 0,
    };
    let outcome = chain.simulate(Tx::call(MODULE, safe, &through_module)).expect_success();
    let returned = outcome.returns::<Safe::execTransactionFromModuleReturnDataCall>();
    assert!(!returned.success, "requiredTxGas always reverts");
    // Error(string) of 32 raw bytes (not text): selector, offset, length, the gas word.
    let data = returned.returnData;
    assert_eq!(data[..4], alloy_sol_types::Revert::SELECTOR, "an Error(string) revert");
    assert_eq!(data.len(), 4 + 3 * 32);
    assert_eq!(data[36..68], small(32), "the gas is the 32 bytes of the string");
    let gas = U256::from_be_slice(&data[68..100]);
    assert!(gas > U256::from(9_000) && gas < U256::from(100_000), "a transfer's gas: {gas}");
}

#[test]
fn safe_l2_emits_the_parameters_of_every_transaction() {
    let mut chain = chain();
    let keys = owner_keys();
    let owner = keys[0].address();
    let safe = new_safe(&mut chain, SAFE_L2, &[owner], 1);
    let tx = SafeTx::call(BOB, 9, Bytes::from_static(b"memo"), 0);
    let signatures = sorted(vec![ecdsa(&keys[0], tx.hash(safe))]);
    let outcome = chain.send(Tx::call(RELAYER, safe, &tx.exec(signatures.clone()))).expect_success();
    let events = outcome.events::<SafeL2::SafeMultiSigTransaction>(safe);
    assert_eq!(events.len(), 1);
    let event = &events[0].1;
    assert_eq!((event.to, event.value, &event.data, event.operation), (BOB, tx.value, &tx.data, 0));
    assert_eq!(event.signatures.as_ref(), signatures.as_slice());
    let info = (U256::ZERO, RELAYER, U256::ONE).abi_encode_params();
    assert_eq!(event.additionalInfo.as_ref(), info.as_slice(), "abi.encode(nonce, sender, threshold)");
    assert_eq!(outcome.events::<SafeL2::ExecutionSuccess>(safe).len(), 1);

    let enable = SafeTx::own(safe, &Safe::enableModuleCall { module: MODULE }, 1);
    exec_signed(&mut chain, safe, &enable, &[&keys[0]]).expect_success();
    let module_tx =
        Safe::execTransactionFromModuleCall { to: BOB, value: U256::ONE, data: Bytes::new(), operation: 0 };
    let outcome = chain.send(Tx::call(MODULE, safe, &module_tx)).expect_success();
    let events = outcome.events::<SafeL2::SafeModuleTransaction>(safe);
    assert_eq!((events[0].1.module, events[0].1.to, events[0].1.value), (MODULE, BOB, U256::ONE));

    // The plain Safe emits neither.
    let plain = new_safe(&mut chain, SAFE, &[owner], 1);
    let tx = SafeTx::call(BOB, 9, Bytes::new(), 0);
    let outcome = exec_signed(&mut chain, plain, &tx, &[&keys[0]]).expect_success();
    assert!(outcome.events::<SafeL2::SafeMultiSigTransaction>(plain).is_empty());
}

#[test]
fn the_interface_is_safe_v1_3_0s() {
    let artifact: serde_json::Value =
        serde_json::from_str(include_str!("../../../../contracts/artifacts/SafeL2.json"))
            .expect("artifact JSON");
    let abi: JsonAbi = serde_json::from_value(artifact["abi"].clone()).expect("an ABI");
    let mut functions: Vec<String> = abi.functions().map(|f| f.signature()).collect();
    functions.sort();
    let mut expected = vec![
        "VERSION()",
        "addOwnerWithThreshold(address,uint256)",
        "approveHash(bytes32)",
        "approvedHashes(address,bytes32)",
        "changeThreshold(uint256)",
        "checkNSignatures(bytes32,bytes,bytes,uint256)",
        "checkSignatures(bytes32,bytes,bytes)",
        "disableModule(address,address)",
        "domainSeparator()",
        "enableModule(address)",
        "encodeTransactionData(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,uint256)",
        "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)",
        "execTransactionFromModule(address,uint256,bytes,uint8)",
        "execTransactionFromModuleReturnData(address,uint256,bytes,uint8)",
        "getChainId()",
        "getModulesPaginated(address,uint256)",
        "getOwners()",
        "getStorageAt(uint256,uint256)",
        "getThreshold()",
        "getTransactionHash(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,uint256)",
        "isModuleEnabled(address)",
        "isOwner(address)",
        "nonce()",
        "removeOwner(address,address,uint256)",
        "requiredTxGas(address,uint256,bytes,uint8)",
        "setFallbackHandler(address)",
        "setGuard(address)",
        "setup(address[],uint256,address,bytes,address,address,uint256,address)",
        "signedMessages(bytes32)",
        "simulateAndRevert(address,bytes)",
        "swapOwner(address,address,address)",
    ];
    expected.sort();
    assert_eq!(functions, expected);
    let mut events: Vec<String> = abi.events().map(|e| e.full_signature()).collect();
    events.sort();
    let mut expected = vec![
        "event AddedOwner(address owner)",
        "event ApproveHash(bytes32 indexed approvedHash, address indexed owner)",
        "event ChangedFallbackHandler(address handler)",
        "event ChangedGuard(address guard)",
        "event ChangedThreshold(uint256 threshold)",
        "event DisabledModule(address module)",
        "event EnabledModule(address module)",
        "event ExecutionFailure(bytes32 txHash, uint256 payment)",
        "event ExecutionFromModuleFailure(address indexed module)",
        "event ExecutionFromModuleSuccess(address indexed module)",
        "event ExecutionSuccess(bytes32 txHash, uint256 payment)",
        "event RemovedOwner(address owner)",
        "event SafeModuleTransaction(address module, address to, uint256 value, bytes data, uint8 operation)",
        "event SafeMultiSigTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, \
         uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures, \
         bytes additionalInfo)",
        "event SafeReceived(address indexed sender, uint256 value)",
        "event SafeSetup(address indexed initiator, address[] owners, uint256 threshold, address initializer, \
         address fallbackHandler)",
        "event SignMsg(bytes32 indexed msgHash)",
    ];
    expected.sort();
    assert_eq!(events, expected);
    // Selectors Safe tooling hard-codes.
    assert_eq!(Safe::execTransactionCall::SELECTOR, [0x6a, 0x76, 0x12, 0x02]);
    assert_eq!(Safe::setupCall::SELECTOR, [0xb6, 0x3e, 0x80, 0x0d]);
    assert_eq!(Safe::ExecutionSuccess::SIGNATURE, "ExecutionSuccess(bytes32,uint256)");
    assert!(abi.receive.is_some() && abi.fallback.is_some(), "receive() and fallback()");
}
