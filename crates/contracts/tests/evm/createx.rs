//! The CreateX preinstall, called through CreateX's published interface (declared here, independently of our
//! artifact), with every expected address computed in Rust from the address rules: CREATE's RLP, CREATE2, the
//! CREATE3 proxy, and CreateX's salt guard.

use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_sol_types::{SolCall, SolError, SolValue, sol};
use superlink_contracts::{preinstall_allocs, preinstalls::CREATEX};

use crate::harness::{Chain, Outcome, Tx};

sol! {
    /// CreateX's interface as its documentation publishes it; overloads are numbered in this order.
    interface ICreateX {
        struct Values { uint256 constructorAmount; uint256 initCallAmount; }

        event ContractCreation(address indexed newContract, bytes32 indexed salt);
        event ContractCreation(address indexed newContract);
        event Create3ProxyContractCreation(address indexed newContract, bytes32 indexed salt);

        error FailedContractCreation(address emitter);
        error FailedContractInitialisation(address emitter, bytes revertData);
        error InvalidSalt(address emitter);
        error InvalidNonceValue(address emitter);
        error FailedEtherTransfer(address emitter, bytes revertData);

        function deployCreate(bytes initCode) external payable returns (address);
        function deployCreateAndInit(bytes initCode, bytes data, Values values, address refundAddress) external payable returns (address);
        function deployCreateAndInit(bytes initCode, bytes data, Values values) external payable returns (address);
        function deployCreateClone(address implementation, bytes data) external payable returns (address);
        function computeCreateAddress(address deployer, uint256 nonce) external view returns (address);
        function computeCreateAddress(uint256 nonce) external view returns (address);

        function deployCreate2(bytes32 salt, bytes initCode) external payable returns (address);
        function deployCreate2(bytes initCode) external payable returns (address);
        function deployCreate2AndInit(bytes32 salt, bytes initCode, bytes data, Values values, address refundAddress) external payable returns (address);
        function deployCreate2AndInit(bytes32 salt, bytes initCode, bytes data, Values values) external payable returns (address);
        function deployCreate2AndInit(bytes initCode, bytes data, Values values, address refundAddress) external payable returns (address);
        function deployCreate2AndInit(bytes initCode, bytes data, Values values) external payable returns (address);
        function deployCreate2Clone(bytes32 salt, address implementation, bytes data) external payable returns (address);
        function deployCreate2Clone(address implementation, bytes data) external payable returns (address);
        function computeCreate2Address(bytes32 salt, bytes32 initCodeHash, address deployer) external pure returns (address);
        function computeCreate2Address(bytes32 salt, bytes32 initCodeHash) external view returns (address);

        function deployCreate3(bytes32 salt, bytes initCode) external payable returns (address);
        function deployCreate3(bytes initCode) external payable returns (address);
        function deployCreate3AndInit(bytes32 salt, bytes initCode, bytes data, Values values, address refundAddress) external payable returns (address);
        function deployCreate3AndInit(bytes32 salt, bytes initCode, bytes data, Values values) external payable returns (address);
        function deployCreate3AndInit(bytes initCode, bytes data, Values values, address refundAddress) external payable returns (address);
        function deployCreate3AndInit(bytes initCode, bytes data, Values values) external payable returns (address);
        function computeCreate3Address(bytes32 salt, address deployer) external pure returns (address);
        function computeCreate3Address(bytes32 salt) external view returns (address);
    }
}

sol!(
    #[allow(missing_docs)]
    DeployProbe,
    "../../contracts/artifacts/DeployProbe.json"
);

use ICreateX::*;

const ALICE: Address = address!("0x1000000000000000000000000000000000000001");
const BOB: Address = address!("0x2000000000000000000000000000000000000002");
const CAROL: Address = address!("0x3000000000000000000000000000000000000003");
/// A contract whose every call reverts without data (a refund address that refuses ETH).
const REVERTER: Address = address!("0x4000000000000000000000000000000000000004");

/// The init code of the CREATE3 proxy (it fixes every CREATE3 address).
const CREATE3_PROXY_INIT_CODE: [u8; 16] = alloy_primitives::hex!("67363d3d37363d34f03d5260086018f3");

fn chain(chain_id: u64) -> Chain {
    let mut chain = Chain::new(chain_id);
    chain.alloc(preinstall_allocs());
    chain.set_code(REVERTER, Bytes::from_static(&[0x5f, 0x5f, 0xfd]));
    for account in [ALICE, BOB] {
        chain.set_balance(account, U256::from(1_000_000));
    }
    chain
}

fn probe_init() -> Bytes {
    DeployProbe::BYTECODE.clone()
}

/// A salt of `named` (first 20 bytes), `flag` (21st byte) and `rest` (last 11 bytes).
fn salt(named: Address, flag: u8, rest: u8) -> B256 {
    let mut bytes = [rest; 32];
    bytes[..20].copy_from_slice(named.as_slice());
    bytes[20] = flag;
    B256::from(bytes)
}

/// CreateX's salt guard, as its documentation states it, for a salt `caller` sends on chain `chain_id`.
fn guarded(caller: Address, chain_id: u64, salt: B256) -> B256 {
    let named = Address::from_slice(&salt[..20]);
    let flag = salt[20];
    let chain_id = U256::from(chain_id);
    if named == caller && flag == 1 {
        keccak256((caller, chain_id, salt).abi_encode())
    } else if named == caller && flag == 0 {
        keccak256((caller, salt).abi_encode())
    } else if named == Address::ZERO && flag == 1 {
        keccak256((chain_id, salt).abi_encode())
    } else {
        keccak256(salt.abi_encode())
    }
}

/// Where a CREATE3 deployment of `deployer` under the guarded salt lands: the first CREATE (nonce 1) of the proxy
/// CREATE2 puts at (`deployer`, salt, proxy init code).
fn create3_address(deployer: Address, guarded_salt: B256) -> Address {
    deployer.create2(guarded_salt, keccak256(CREATE3_PROXY_INIT_CODE)).create(1)
}

/// The EIP-1167 init code of a minimal proxy to `implementation`.
fn clone_init_code(implementation: Address) -> Vec<u8> {
    let mut code = alloy_primitives::hex!("3d602d80600a3d3981f3363d3d373d3d3d363d73").to_vec();
    code.extend_from_slice(implementation.as_slice());
    code.extend_from_slice(&alloy_primitives::hex!("5af43d82803e903d91602b57fd5bf3"));
    code
}

fn reverted_with<E: SolError>(outcome: &Outcome) -> E {
    assert!(outcome.reverted_with::<E>(), "expected {}, got {}", E::SIGNATURE, outcome.output);
    E::abi_decode(&outcome.output).expect("the error decodes")
}

fn probe_read<C: SolCall>(chain: &mut Chain, probe: Address, call: C) -> C::Return {
    chain.view(probe, &call)
}

#[test]
fn create_lands_at_the_rlp_address_which_compute_create_address_predicts() {
    let mut chain = chain(901);
    let deployer = Address::repeat_byte(0x42);
    for nonce in [0u64, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0xff_ffff, 1 << 32, u64::MAX - 1] {
        let call = computeCreateAddress_0Call { deployer, nonce: U256::from(nonce) };
        assert_eq!(chain.view(CREATEX, &call), deployer.create(nonce), "nonce {nonce}");
    }
    let too_high = computeCreateAddress_0Call { deployer, nonce: U256::from(u64::MAX) };
    let outcome = chain.simulate(Tx::call(ALICE, CREATEX, &too_high));
    assert_eq!(reverted_with::<InvalidNonceValue>(&outcome).emitter, CREATEX);

    let predicted = chain.view(CREATEX, &computeCreateAddress_1Call { nonce: U256::from(1) });
    assert_eq!(predicted, CREATEX.create(1), "the genesis nonce of a contract is 1");
    let outcome = chain
        .send(Tx::call(ALICE, CREATEX, &deployCreateCall { initCode: probe_init() }).value(U256::from(9)))
        .expect_success();
    let created = outcome.returns::<deployCreateCall>();
    assert_eq!(created, predicted);
    let events = outcome.events::<ContractCreation_1>(CREATEX);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].1.newContract, created);
    assert_eq!(probe_read(&mut chain, created, DeployProbe::creatorCall {}), CREATEX);
    assert_eq!(probe_read(&mut chain, created, DeployProbe::constructorValueCall {}), U256::from(9));

    let next =
        chain.send(Tx::call(ALICE, CREATEX, &deployCreateCall { initCode: probe_init() })).expect_success();
    assert_eq!(next.returns::<deployCreateCall>(), CREATEX.create(2), "each CREATE takes the next nonce");
    let empty_runtime = Bytes::from_static(&[0x5f, 0x5f, 0xf3]); // returns zero bytes of code
    let outcome = chain.send(Tx::call(ALICE, CREATEX, &deployCreateCall { initCode: empty_runtime }));
    assert_eq!(reverted_with::<FailedContractCreation>(&outcome).emitter, CREATEX, "no code is a failure");
}

#[test]
fn create2_uses_the_guarded_salt_for_every_kind_of_salt() {
    let mut chain = chain(901);
    let init = probe_init();
    let init_hash = keccak256(&init);
    let salts = [
        ("another address, flag 0x02", salt(Address::repeat_byte(0x77), 2, 0xab)),
        ("the caller, no cross-chain protection", salt(ALICE, 0, 0x01)),
        ("the caller, cross-chain protection", salt(ALICE, 1, 0x02)),
        ("zero address, cross-chain protection", salt(Address::ZERO, 1, 0x03)),
        ("zero address, no cross-chain protection", salt(Address::ZERO, 0, 0x04)),
    ];
    let mut seen = Vec::new();
    for (kind, salt) in salts {
        let guarded_salt = guarded(ALICE, 901, salt);
        let expected = CREATEX.create2(guarded_salt, init_hash);
        let computed =
            chain.view(CREATEX, &computeCreate2Address_1Call { salt: guarded_salt, initCodeHash: init_hash });
        assert_eq!(computed, expected, "{kind}: computeCreate2Address takes the guarded salt");
        let outcome = chain
            .send(Tx::call(ALICE, CREATEX, &deployCreate2_0Call { salt, initCode: init.clone() }))
            .expect_success();
        assert_eq!(outcome.returns::<deployCreate2_0Call>(), expected, "{kind}");
        let events = outcome.events::<ContractCreation_0>(CREATEX);
        assert_eq!((events[0].1.newContract, events[0].1.salt), (expected, guarded_salt), "{kind}");
        assert_eq!(chain.view(expected, &DeployProbe::creatorCall {}), CREATEX);
        seen.push(expected);
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), salts.len(), "every kind of salt gives its own address");

    let general =
        computeCreate2Address_0Call { salt: B256::repeat_byte(3), initCodeHash: init_hash, deployer: BOB };
    assert_eq!(chain.view(CREATEX, &general), BOB.create2(B256::repeat_byte(3), init_hash));

    let again =
        chain.send(Tx::call(ALICE, CREATEX, &deployCreate2_0Call { salt: salts[1].1, initCode: init }));
    assert_eq!(reverted_with::<FailedContractCreation>(&again).emitter, CREATEX, "the address is taken");
}

#[test]
fn a_salt_without_an_explicit_cross_chain_choice_is_refused() {
    let mut chain = chain(901);
    for named in [ALICE, Address::ZERO] {
        for flag in [2u8, 0x80, 0xff] {
            let call = deployCreate2_0Call { salt: salt(named, flag, 9), initCode: probe_init() };
            let outcome = chain.send(Tx::call(ALICE, CREATEX, &call));
            assert_eq!(reverted_with::<InvalidSalt>(&outcome).emitter, CREATEX, "{named} flag {flag}");
            let call = deployCreate3_0Call { salt: salt(named, flag, 9), initCode: probe_init() };
            assert!(chain.send(Tx::call(ALICE, CREATEX, &call)).reverted_with::<InvalidSalt>());
        }
    }
}

#[test]
fn a_permissioned_salt_keeps_its_address_for_the_named_sender() {
    let mut chain = chain(901);
    let init = probe_init();
    let alices = salt(ALICE, 0, 0x11);
    let alices_address = CREATEX.create2(guarded(ALICE, 901, alices), keccak256(&init));

    // Bob may send Alice's salt, but it is then an ordinary salt of his: hashed on its own, another address.
    let bobs = chain
        .send(Tx::call(BOB, CREATEX, &deployCreate2_0Call { salt: alices, initCode: init.clone() }))
        .expect_success()
        .returns::<deployCreate2_0Call>();
    assert_eq!(bobs, CREATEX.create2(keccak256(alices.abi_encode()), keccak256(&init)));
    assert_ne!(bobs, alices_address);
    assert!(chain.code(alices_address).is_empty(), "Bob cannot take Alice's address");
    let unspecified = salt(ALICE, 7, 0x11);
    let outcome = chain.send(Tx::call(
        BOB,
        CREATEX,
        &deployCreate2_0Call { salt: unspecified, initCode: init.clone() },
    ));
    assert!(outcome.success, "a salt naming someone else is not checked for its flag");

    let outcome = chain
        .send(Tx::call(ALICE, CREATEX, &deployCreate2_0Call { salt: alices, initCode: init }))
        .expect_success();
    assert_eq!(outcome.returns::<deployCreate2_0Call>(), alices_address);
}

#[test]
fn the_cross_chain_flag_ties_the_address_to_the_chain() {
    let init = probe_init();
    let protected = salt(ALICE, 1, 0x21);
    let portable = salt(ALICE, 0, 0x21);
    let mut addresses = Vec::new();
    for chain_id in [901u64, 902] {
        let mut chain = chain(chain_id);
        let mut deploy = |salt: B256| {
            chain
                .send(Tx::call(ALICE, CREATEX, &deployCreate2_0Call { salt, initCode: init.clone() }))
                .expect_success()
                .returns::<deployCreate2_0Call>()
        };
        let (protected_address, portable_address) = (deploy(protected), deploy(portable));
        assert_eq!(protected_address, CREATEX.create2(guarded(ALICE, chain_id, protected), keccak256(&init)));
        addresses.push((protected_address, portable_address));
    }
    assert_ne!(addresses[0].0, addresses[1].0, "with the flag, each chain has its own address");
    assert_eq!(addresses[0].1, addresses[1].1, "without it, the address is the same on both chains");
}

#[test]
fn create3_addresses_depend_on_the_salt_alone() {
    let salt = salt(ALICE, 0, 0x31);
    let guarded_salt = guarded(ALICE, 901, salt);
    let expected = create3_address(CREATEX, guarded_salt);
    let proxy = CREATEX.create2(guarded_salt, keccak256(CREATE3_PROXY_INIT_CODE));

    let mut other = chain(902);
    let mut chain = chain(901);
    assert_eq!(chain.view(CREATEX, &computeCreate3Address_1Call { salt: guarded_salt }), expected);
    let general = computeCreate3Address_0Call { salt: guarded_salt, deployer: BOB };
    assert_eq!(chain.view(CREATEX, &general), create3_address(BOB, guarded_salt));

    let call = deployCreate3_0Call { salt, initCode: probe_init() };
    let outcome = chain.send(Tx::call(ALICE, CREATEX, &call).value(U256::from(5))).expect_success();
    assert_eq!(outcome.returns::<deployCreate3_0Call>(), expected);
    let proxies = outcome.events::<Create3ProxyContractCreation>(CREATEX);
    assert_eq!((proxies[0].1.newContract, proxies[0].1.salt), (proxy, guarded_salt));
    let created = outcome.events::<ContractCreation_1>(CREATEX);
    assert_eq!(created[0].1.newContract, expected);
    assert_eq!(chain.view(expected, &DeployProbe::creatorCall {}), proxy, "the proxy created it");
    assert_eq!(chain.view(expected, &DeployProbe::constructorValueCall {}), U256::from(5));

    // Other init code under the same salt on another chain lands at the same address.
    let answer = Bytes::from_static(&alloy_primitives::hex!("67602a5f5260205ff35f5260086018f3"));
    let outcome = other.send(Tx::call(ALICE, CREATEX, &deployCreate3_0Call { salt, initCode: answer }));
    assert_eq!(outcome.expect_success().returns::<deployCreate3_0Call>(), expected);

    let again = chain.send(Tx::call(ALICE, CREATEX, &deployCreate3_0Call { salt, initCode: probe_init() }));
    assert!(again.reverted_with::<FailedContractCreation>(), "the proxy address is taken");
    let failing =
        deployCreate3_0Call { salt: salt_of(ALICE, 0x32), initCode: Bytes::from_static(&[0x5f, 0x5f, 0xfd]) };
    assert!(chain.send(Tx::call(ALICE, CREATEX, &failing)).reverted_with::<FailedContractCreation>());
}

#[test]
fn and_init_sends_both_amounts_and_refunds_the_rest() {
    let mut chain = chain(901);
    let init = probe_init();
    let data: Bytes = DeployProbe::initialiseCall { argument: U256::from(5) }.abi_encode().into();
    let values = Values { constructorAmount: U256::from(3), initCallAmount: U256::from(4) };
    let salt = salt(ALICE, 0, 0x41);

    let call = deployCreate2AndInit_0Call {
        salt,
        initCode: init.clone(),
        data: data.clone(),
        values: values.clone(),
        refundAddress: CAROL,
    };
    let outcome = chain.send(Tx::call(ALICE, CREATEX, &call).value(U256::from(10))).expect_success();
    let created = outcome.returns::<deployCreate2AndInit_0Call>();
    assert_eq!(created, CREATEX.create2(guarded(ALICE, 901, salt), keccak256(&init)));
    assert_eq!(chain.view(created, &DeployProbe::constructorValueCall {}), U256::from(3));
    assert_eq!(chain.view(created, &DeployProbe::initValueCall {}), U256::from(4));
    assert_eq!(chain.view(created, &DeployProbe::initArgumentCall {}), U256::from(5));
    assert_eq!(chain.balance(created), U256::from(7));
    assert_eq!(chain.balance(CAROL), U256::from(3), "the leftover went to the refund address");
    assert_eq!(chain.balance(CREATEX), U256::ZERO);

    // The overloads without a refund address refund the caller; CREATE and CREATE3 alike.
    let before = chain.balance(BOB);
    let call =
        deployCreateAndInit_1Call { initCode: init.clone(), data: data.clone(), values: values.clone() };
    let outcome = chain.send(Tx::call(BOB, CREATEX, &call).value(U256::from(10))).expect_success();
    let created = outcome.returns::<deployCreateAndInit_1Call>();
    assert_eq!(created, CREATEX.create(2), "the CREATE2 before it took nonce 1");
    assert_eq!(chain.balance(created), U256::from(7));
    assert_eq!(chain.balance(BOB), before - U256::from(7));
    let call = deployCreate3AndInit_1Call {
        salt: salt_of(BOB, 0x42),
        initCode: init.clone(),
        data: data.clone(),
        values: values.clone(),
    };
    let outcome = chain.send(Tx::call(BOB, CREATEX, &call).value(U256::from(7))).expect_success();
    let created = outcome.returns::<deployCreate3AndInit_1Call>();
    assert_eq!(created, create3_address(CREATEX, guarded(BOB, 901, salt_of(BOB, 0x42))));
    assert_eq!(chain.view(created, &DeployProbe::initValueCall {}), U256::from(4));

    let refusing: Bytes = DeployProbe::refuseCall {}.abi_encode().into();
    let call = deployCreateAndInit_0Call {
        initCode: init.clone(),
        data: refusing,
        values: values.clone(),
        refundAddress: CAROL,
    };
    let outcome = chain.send(Tx::call(ALICE, CREATEX, &call).value(U256::from(7)));
    let error = reverted_with::<FailedContractInitialisation>(&outcome);
    assert_eq!(error.emitter, CREATEX);
    assert_eq!(error.revertData, Bytes::from(DeployProbe::Refused { code: U256::from(7) }.abi_encode()));

    let call = deployCreate2AndInit_0Call {
        salt: salt_of(ALICE, 0x43),
        initCode: init,
        data,
        values,
        refundAddress: REVERTER,
    };
    let outcome = chain.send(Tx::call(ALICE, CREATEX, &call).value(U256::from(8)));
    assert_eq!(reverted_with::<FailedEtherTransfer>(&outcome).emitter, CREATEX, "a refused refund reverts");
}

fn salt_of(sender: Address, rest: u8) -> B256 {
    salt(sender, 0, rest)
}

#[test]
fn clones_are_eip1167_proxies_called_with_the_data() {
    let mut chain = chain(901);
    let implementation = chain
        .send(Tx::call(ALICE, CREATEX, &deployCreateCall { initCode: probe_init() }))
        .expect_success()
        .returns::<deployCreateCall>();
    let data: Bytes = DeployProbe::initialiseCall { argument: U256::from(9) }.abi_encode().into();
    let salt = salt(ALICE, 1, 0x51);
    let call = deployCreate2Clone_0Call { salt, implementation, data: data.clone() };
    let outcome = chain.send(Tx::call(ALICE, CREATEX, &call).value(U256::from(2))).expect_success();
    let clone = outcome.returns::<deployCreate2Clone_0Call>();
    assert_eq!(clone, CREATEX.create2(guarded(ALICE, 901, salt), keccak256(clone_init_code(implementation))));
    let runtime = &clone_init_code(implementation)[10..];
    assert_eq!(chain.code(clone).as_ref(), runtime, "the EIP-1167 runtime code");
    assert_eq!(chain.view(clone, &DeployProbe::initArgumentCall {}), U256::from(9), "state is the clone's");
    assert_eq!(chain.view(clone, &DeployProbe::initValueCall {}), U256::from(2));
    assert_eq!(chain.view(implementation, &DeployProbe::initArgumentCall {}), U256::ZERO);

    let outcome = chain
        .send(Tx::call(ALICE, CREATEX, &deployCreateCloneCall { implementation, data: data.clone() }))
        .expect_success();
    assert_eq!(outcome.returns::<deployCreateCloneCall>(), CREATEX.create(3), "every creation takes a nonce");
    let nowhere = Address::repeat_byte(0x66);
    let outcome =
        chain.send(Tx::call(ALICE, CREATEX, &deployCreateCloneCall { implementation: nowhere, data }));
    assert!(outcome.reverted_with::<FailedContractInitialisation>(), "a clone of nothing is refused");
}

#[test]
fn the_salt_less_overloads_use_the_documented_pseudo_random_salt() {
    let mut chain = chain(901);
    let init = probe_init();
    let (number, timestamp) = (chain.block_number, chain.timestamp);
    let outcome = chain
        .send(Tx::call(ALICE, CREATEX, &deployCreate2_1Call { initCode: init.clone() }))
        .expect_success();
    // keccak256(abi.encode(blockhash(number - 32), coinbase, number, timestamp, prevrandao, chainid, caller)):
    // this early the block hash is zero, and the harness's coinbase and prevrandao are zero.
    let generated = keccak256(
        (
            B256::ZERO,
            Address::ZERO,
            U256::from(number),
            U256::from(timestamp),
            B256::ZERO,
            U256::from(901),
            ALICE,
        )
            .abi_encode(),
    );
    let created = outcome.returns::<deployCreate2_1Call>();
    assert_eq!(created, CREATEX.create2(generated, keccak256(&init)), "the generated salt is used unhashed");
    assert_eq!(outcome.events::<ContractCreation_0>(CREATEX)[0].1.salt, generated);

    let next = chain
        .send(Tx::call(ALICE, CREATEX, &deployCreate2_1Call { initCode: init.clone() }))
        .expect_success();
    assert_ne!(next.returns::<deployCreate2_1Call>(), created, "the next block gives another salt");
    let create3 =
        chain.send(Tx::call(ALICE, CREATEX, &deployCreate3_1Call { initCode: init })).expect_success();
    let proxy_salt = create3.events::<Create3ProxyContractCreation>(CREATEX)[0].1.salt;
    assert_eq!(create3.returns::<deployCreate3_1Call>(), create3_address(CREATEX, proxy_salt));
}

#[test]
fn the_interface_has_the_originals_selectors() {
    let abi: alloy_json_abi::JsonAbi = serde_json::from_str(
        &serde_json::from_str::<serde_json::Value>(include_str!(
            "../../../../contracts/artifacts/CreateX.json"
        ))
        .unwrap()["abi"]
            .to_string(),
    )
    .unwrap();
    let mut ours: Vec<String> = abi.functions().map(|f| f.signature()).collect();
    ours.sort();
    let mut published: Vec<String> = [
        deployCreateCall::SIGNATURE,
        deployCreateAndInit_0Call::SIGNATURE,
        deployCreateAndInit_1Call::SIGNATURE,
        deployCreateCloneCall::SIGNATURE,
        computeCreateAddress_0Call::SIGNATURE,
        computeCreateAddress_1Call::SIGNATURE,
        deployCreate2_0Call::SIGNATURE,
        deployCreate2_1Call::SIGNATURE,
        deployCreate2AndInit_0Call::SIGNATURE,
        deployCreate2AndInit_1Call::SIGNATURE,
        deployCreate2AndInit_2Call::SIGNATURE,
        deployCreate2AndInit_3Call::SIGNATURE,
        deployCreate2Clone_0Call::SIGNATURE,
        deployCreate2Clone_1Call::SIGNATURE,
        computeCreate2Address_0Call::SIGNATURE,
        computeCreate2Address_1Call::SIGNATURE,
        deployCreate3_0Call::SIGNATURE,
        deployCreate3_1Call::SIGNATURE,
        deployCreate3AndInit_0Call::SIGNATURE,
        deployCreate3AndInit_1Call::SIGNATURE,
        deployCreate3AndInit_2Call::SIGNATURE,
        deployCreate3AndInit_3Call::SIGNATURE,
        computeCreate3Address_0Call::SIGNATURE,
        computeCreate3Address_1Call::SIGNATURE,
    ]
    .map(String::from)
    .to_vec();
    published.sort();
    assert_eq!(ours, published, "exactly the published functions");
    let mut events: Vec<String> = abi.events().map(|e| e.signature()).collect();
    events.sort();
    assert_eq!(
        events,
        [
            "ContractCreation(address)",
            "ContractCreation(address,bytes32)",
            "Create3ProxyContractCreation(address,bytes32)"
        ]
    );
    let mut errors: Vec<String> = abi.errors().map(|e| e.signature()).collect();
    errors.sort();
    assert_eq!(
        errors,
        [
            "FailedContractCreation(address)",
            "FailedContractInitialisation(address,bytes)",
            "FailedEtherTransfer(address,bytes)",
            "InvalidNonceValue(address)",
            "InvalidSalt(address)"
        ]
    );
}
