//! Black-box tests of the OP Stack standard bridge in `superlink devnet`, with cast and viem as app developers use
//! them: ETH, ERC-20 and message deposits from the L1 (at the addresses of `@eth-optimism/viem`'s supersim chains
//! and at those of supersim's current genesis), withdrawals initiated on an L2 and proven and finalized on the L1
//! against the output roots the devnet proposes, supersim's test token, and `admin_getL1Addresses`.
//!
//! One devnet (one-second blocks, a proposal round every second, a 2-second proof maturity delay) serves every test
//! of this file; each test sends from its own development account, so the tests can run at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{process::Command, sync::OnceLock};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::{SolEvent, SolValue};
use serde_json::Value;
use superlink_contracts::{Contract, bindings::L2ToL1MessagePasser::MessagePassed};

#[path = "support/devnet.rs"]
mod devnet;

use devnet::{Devnet, address_of, cast, json, ok};

/// supersim's open-mint test token, on every L2.
const TEST_TOKEN: &str = "0x420beeF000000000000000000000000000000001";
/// The L2 factory of OptimismMintableERC20s.
const L2_TOKEN_FACTORY: &str = "0x4200000000000000000000000000000000000012";
/// The L2 standard bridge.
const L2_STANDARD_BRIDGE: &str = "0x4200000000000000000000000000000000000010";
/// The message passer, whose storage records withdrawals.
const MESSAGE_PASSER: &str = "0x4200000000000000000000000000000000000016";
/// The token address that stands for ETH in the L2 standard bridge's `withdraw`.
const LEGACY_ERC20_ETH: &str = "0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000";
/// The proof maturity delay the devnet runs with, in seconds.
const MATURITY: u64 = 2;

/// The L1 contracts `@eth-optimism/viem` lists for supersim's chain 901 (what app code imports).
const VIEM_901: [(&str, &str); 4] = [
    ("portal", "0x6cd0121a4eeedb8f07007773e46b1aaac17e5e07"),
    ("l1StandardBridge", "0x31e3c5a665b5b9dbf6d91a72415c6ad71fdd1181"),
    ("l1CrossDomainMessenger", "0x9e4ee2b682076951592cb4da5559833fe62a8c01"),
    ("disputeGameFactory", "0x831ba37de091e1a2c695a53e3a03d2a512bcc876"),
];
/// The same contracts at supersim's current genesis addresses, which `@eth-optimism/viem`'s own tests use.
const SUPERSIM_901: [(&str, &str); 4] = [
    ("portal", "0x75ceb25776d0402972b736f6e13fd0616be98f22"),
    ("l1StandardBridge", "0x52AF4Dff31d13449b70993E21eb599C615a66541"),
    ("l1CrossDomainMessenger", "0xc8c71093ffc2092D61A72369d81940B839Bb12b4"),
    ("disputeGameFactory", "0x51095eac6e2b6da9811c6febbdd67add79135ce0"),
];

/// The devnet all tests share, stopped when the test process exits.
fn devnet() -> &'static Devnet {
    static DEVNET: OnceLock<Devnet> = OnceLock::new();
    DEVNET.get_or_init(|| {
        let devnet = Devnet::start(&[
            "--l1-block-time",
            "1",
            "--proposal-interval",
            "1",
            "--proof-maturity-delay",
            &MATURITY.to_string(),
        ]);
        devnet.stop_when_tests_exit();
        devnet
    })
}

/// The private key of development account `index`.
fn key(index: usize) -> String {
    devnet().info["accounts"][index]["privateKey"].as_str().unwrap().to_string()
}

/// One of the L1 contracts of L2 `chain_id`'s bridge, as the devnet's JSON lists it (viem's key names).
fn l1_contract(chain_id: u64, name: &str) -> String {
    devnet().l2_entry(chain_id)["l1Bridge"][name].as_str().unwrap().to_string()
}

/// A fresh address: it holds nothing anywhere until the test sends it something.
fn fresh(label: &str) -> String {
    Address::from_slice(&keccak256(format!("{label} {:?}", std::time::SystemTime::now()))[12..]).to_string()
}

fn balance(address: &str, url: &str) -> U256 {
    ok(&["balance", address, "--rpc-url", url]).parse().unwrap()
}

fn token_balance(token: &str, owner: &str, url: &str) -> U256 {
    let out = ok(&["call", token, "balanceOf(address)(uint256)", owner, "--rpc-url", url]);
    out.split_whitespace().next().unwrap().parse().unwrap()
}

/// `cast send --json` from `key` on `url`; fails unless the transaction succeeded.
fn send(key: &str, url: &str, args: &[&str]) -> Value {
    let mut all = vec!["send", "--json", "--private-key", key, "--rpc-url", url];
    all.extend_from_slice(args);
    let receipt = json(&all);
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    receipt
}

/// Waits until `read` returns `expected`.
fn wait_until_equal(what: &str, expected: U256, read: impl Fn() -> U256) {
    devnet().wait_for(what, || (read() == expected).then_some(()));
}

fn parse_u256(text: &str) -> U256 {
    text.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn eth_deposits_through_the_portal_and_the_standard_bridge_arrive_at_either_address_generation() {
    let devnet = devnet();
    let key = key(1);
    let (l1, u901, u902) = (devnet.l1(), devnet.l2(901), devnet.l2(902));
    let portal = l1_contract(901, "portal");
    let held_before = balance(&portal, &l1);
    let wei = |n: u64| U256::from(n) * U256::from(1_000_000_000_000_000u64);

    let deposit = "depositTransaction(address,uint256,uint64,bool,bytes)";
    let mut sent = U256::ZERO;
    for (i, (portal, _)) in [(VIEM_901[0].1, "viem"), (SUPERSIM_901[0].1, "supersim")].into_iter().enumerate()
    {
        let to = fresh(&format!("portal {i}"));
        let value = wei(10 + i as u64);
        send(
            &key,
            &l1,
            &[
                "--value",
                &value.to_string(),
                portal,
                deposit,
                &to,
                &value.to_string(),
                "100000",
                "false",
                "0x",
            ],
        );
        wait_until_equal("the portal deposit arrives on 901", value, || balance(&to, &u901));
        assert_eq!(balance(&to, &u902), U256::ZERO, "nothing on the other L2");
        sent += value;
    }
    for (i, bridge) in [VIEM_901[1].1, SUPERSIM_901[1].1].into_iter().enumerate() {
        let to = fresh(&format!("bridge {i}"));
        let value = wei(20 + i as u64);
        let function =
            if i == 0 { "depositETHTo(address,uint32,bytes)" } else { "bridgeETHTo(address,uint32,bytes)" };
        send(&key, &l1, &["--value", &value.to_string(), bridge, function, &to, "200000", "0x"]);
        wait_until_equal("the standard bridge's ETH deposit arrives on 901", value, || balance(&to, &u901));
        sent += value;
    }
    // Every deposit, whichever address took it, locks its ETH in the one portal.
    assert_eq!(balance(&portal, &l1), held_before + sent);

    // 902 has a bridge of its own; depositETH credits the sender itself.
    let sender = address_of(&key);
    let before = balance(&sender, &u902);
    let value = wei(30);
    send(
        &key,
        &l1,
        &[
            "--value",
            &value.to_string(),
            &l1_contract(902, "l1StandardBridge"),
            "depositETH(uint32,bytes)",
            "200000",
            "0x",
        ],
    );
    wait_until_equal("depositETH arrives on 902", before + value, || balance(&sender, &u902));
}

#[test]
fn an_l1_erc20_is_deposited_into_its_optimism_mintable_erc20_created_by_the_l2_factory() {
    let devnet = devnet();
    let key = key(4);
    let me = address_of(&key);
    let (l1, u901) = (devnet.l1(), devnet.l2(901));

    // An ERC-20 on the L1 (anyone may mint it), and its representation on 901 from the L2 factory.
    let created = send(&key, &l1, &["--create", &Contract::L2NativeSuperchainERC20.bytecode().to_string()]);
    let l1_token = created["contractAddress"].as_str().unwrap().to_string();
    send(&key, &l1, &[&l1_token, "mint(address,uint256)", &me, "1000"]);
    let receipt = send(
        &key,
        &u901,
        &[
            L2_TOKEN_FACTORY,
            "createOptimismMintableERC20(address,string,string)",
            &l1_token,
            "Bridged",
            "BRG",
        ],
    );
    let created_topic = keccak256("OptimismMintableERC20Created(address,address,address)");
    let log = receipt["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["topics"][0].as_str().unwrap().parse::<B256>().unwrap() == created_topic)
        .expect("the factory logs the new token");
    let l2_token = Address::from_word(log["topics"][1].as_str().unwrap().parse().unwrap()).to_string();
    let remote = ok(&["call", &l2_token, "remoteToken()(address)", "--rpc-url", &u901]);
    assert!(remote.eq_ignore_ascii_case(&l1_token), "{remote} vs {l1_token}");

    // Deposits at viem's address and at supersim's current genesis address (an allowance given to either works).
    let mut expected = U256::ZERO;
    for (bridge, amount) in [(VIEM_901[1].1, 300u64), (SUPERSIM_901[1].1, 200)] {
        let to = fresh("erc20");
        send(&key, &l1, &[&l1_token, "approve(address,uint256)", bridge, &amount.to_string()]);
        send(
            &key,
            &l1,
            &[
                bridge,
                "depositERC20To(address,address,address,uint256,uint32,bytes)",
                &l1_token,
                &l2_token,
                &to,
                &amount.to_string(),
                "200000",
                "0x",
            ],
        );
        wait_until_equal("the tokens arrive on 901", U256::from(amount), || {
            token_balance(&l2_token, &to, &u901)
        });
        expected += U256::from(amount);
    }
    assert_eq!(
        token_balance(&l1_token, &l1_contract(901, "l1StandardBridge"), &l1),
        expected,
        "locked on the L1"
    );
    assert_eq!(token_balance(&l1_token, &me, &l1), U256::from(1000) - expected);
}

#[test]
fn a_message_sent_through_the_l1_messenger_calls_an_l2_contract() {
    let devnet = devnet();
    let key = key(5);
    let (l1, u902) = (devnet.l1(), devnet.l2(902));
    let to = fresh("message");
    let call = ok(&["calldata", "mint(address,uint256)", &to, "42"]);
    send(
        &key,
        &l1,
        &[
            &l1_contract(902, "l1CrossDomainMessenger"),
            "sendMessage(address,bytes,uint32)",
            TEST_TOKEN,
            &call,
            "200000",
        ],
    );
    wait_until_equal("the message mints on 902", U256::from(42), || token_balance(TEST_TOKEN, &to, &u902));
}

/// The withdrawal a `MessagePassed` log of `receipt` (an L2 receipt) records, with the L2 block it is in.
fn withdrawal_of(receipt: &Value) -> (MessagePassed, u64) {
    let log = receipt["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["address"].as_str().unwrap().eq_ignore_ascii_case(MESSAGE_PASSER))
        .unwrap_or_else(|| panic!("the message passer logged the withdrawal: {receipt}"));
    let topics: Vec<B256> =
        log["topics"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().parse().unwrap()).collect();
    let data: Bytes = log["data"].as_str().unwrap().parse().unwrap();
    let event = MessagePassed::decode_raw_log(topics, &data).unwrap();
    let block =
        u64::from_str_radix(receipt["blockNumber"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    (event, block)
}

/// Proves and finalizes on the L1, with cast only, the withdrawal `receipt` (an L2 receipt of 901) initiated.
fn prove_and_finalize_with_cast(key: &str, receipt: &Value) {
    let devnet = devnet();
    let (l1, u901) = (devnet.l1(), devnet.l2(901));
    let (portal, factory) = (l1_contract(901, "portal"), l1_contract(901, "disputeGameFactory"));
    let (w, block) = withdrawal_of(receipt);
    let hash =
        keccak256((w.nonce, w.sender, w.target, w.value, w.gasLimit, w.data.clone()).abi_encode_params());
    assert_eq!(hash, w.withdrawalHash, "the event's withdrawal hash is the hash of its fields");

    // The devnet proposes the output root of a block at or after the withdrawal's once it is safe.
    let (index, game, game_block) =
        devnet.wait_for("an output root at or after the withdrawal is proposed", || {
            let count = parse_u256(&ok(&["call", &factory, "gameCount()(uint256)", "--rpc-url", &l1]));
            let index = count.checked_sub(U256::from(1))?;
            let game = ok(&[
                "call",
                &factory,
                "gameAtIndex(uint256)(uint32,uint64,address)",
                &index.to_string(),
                "--rpc-url",
                &l1,
            ]);
            let game = game.lines().last().unwrap().trim().to_string();
            let number: u64 =
                parse_u256(&ok(&["call", &game, "l2BlockNumber()(uint256)", "--rpc-url", &l1])).to();
            (number >= block).then_some((index, game, number))
        });

    // The output root proof and the storage proof of `sentMessages[hash]` at that block.
    let slot = keccak256((hash, U256::ZERO).abi_encode_params());
    let proof = json(&[
        "proof",
        MESSAGE_PASSER,
        &slot.to_string(),
        "--block",
        &game_block.to_string(),
        "--rpc-url",
        &u901,
    ]);
    let header = json(&["block", &game_block.to_string(), "--json", "--rpc-url", &u901]);
    let output = format!(
        "({},{},{},{})",
        B256::ZERO,
        header["stateRoot"].as_str().unwrap(),
        proof["storageHash"].as_str().unwrap(),
        header["hash"].as_str().unwrap()
    );
    let claim = ok(&["call", &game, "rootClaim()(bytes32)", "--rpc-url", &l1]);
    let computed = ok(&["keccak", &ok(&["abi-encode", "f((bytes32,bytes32,bytes32,bytes32))", &output])]);
    assert_eq!(claim, computed, "the game claims the output root of its block");
    let nodes: Vec<&str> =
        proof["storageProof"][0]["proof"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    let tx = format!("({},{},{},{},{},{})", w.nonce, w.sender, w.target, w.value, w.gasLimit, w.data);

    let tx_type = "(uint256,address,address,uint256,uint256,bytes)";
    let prove =
        format!("proveWithdrawalTransaction({tx_type},uint256,(bytes32,bytes32,bytes32,bytes32),bytes[])");
    send(key, &l1, &[&portal, &prove, &tx, &index.to_string(), &output, &format!("[{}]", nodes.join(","))]);
    let submitter = address_of(key);
    let check = "checkWithdrawal(bytes32,address)";
    devnet.wait_for("the proof matures", || {
        cast(&["call", &portal, check, &hash.to_string(), &submitter, "--rpc-url", &l1]).ok()
    });
    let finalized = send(key, &l1, &[&portal, &format!("finalizeWithdrawalTransaction({tx_type})"), &tx]);
    let topic = keccak256("WithdrawalFinalized(bytes32,bool)");
    let log = finalized["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["topics"][0].as_str().unwrap().parse::<B256>().unwrap() == topic)
        .expect("the portal logs the finalization");
    assert_eq!(log["topics"][1].as_str().unwrap().parse::<B256>().unwrap(), hash);
    assert_eq!(
        U256::from_str_radix(log["data"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap(),
        U256::from(1),
        "the withdrawal's call succeeded"
    );
    let done =
        ok(&["call", &portal, "finalizedWithdrawals(bytes32)(bool)", &hash.to_string(), "--rpc-url", &l1]);
    assert_eq!(done, "true");
}

#[test]
fn eth_withdrawn_from_an_l2_is_proven_and_finalized_on_the_l1_with_cast() {
    let devnet = devnet();
    let key = key(2);
    let u901 = devnet.l2(901);
    let l1 = devnet.l1();
    let amount = U256::from(3_000_000_000_000_000u64);

    // Straight through the message passer.
    let to = fresh("withdrawal");
    let receipt = send(
        &key,
        &u901,
        &[
            "--value",
            &amount.to_string(),
            MESSAGE_PASSER,
            "initiateWithdrawal(address,uint256,bytes)",
            &to,
            "100000",
            "0x",
        ],
    );
    prove_and_finalize_with_cast(&key, &receipt);
    assert_eq!(balance(&to, &l1), amount, "the ETH arrived on the L1");

    // Through the L2 standard bridge, which relays through both messengers.
    let to = fresh("bridge withdrawal");
    let receipt = send(
        &key,
        &u901,
        &[
            "--value",
            &amount.to_string(),
            L2_STANDARD_BRIDGE,
            "withdrawTo(address,address,uint256,uint32,bytes)",
            LEGACY_ERC20_ETH,
            &to,
            &amount.to_string(),
            "200000",
            "0x",
        ],
    );
    prove_and_finalize_with_cast(&key, &receipt);
    assert_eq!(balance(&to, &l1), amount, "the ETH arrived on the L1 through the L1 standard bridge");
}

#[test]
fn viem_and_eth_optimism_viem_deposit_withdraw_prove_and_finalize() {
    let devnet = devnet();
    // The chain definitions the script imports name the L1 contracts where the devnet has them.
    for (name, address) in VIEM_901 {
        assert!(l1_contract(901, name).eq_ignore_ascii_case(address), "{name}");
    }
    let viem = superlink_testkit::node_package("viem").unwrap();
    let script = viem.parent().unwrap().parent().unwrap().join("viem").join("bridge.mjs");
    let out = Command::new("node")
        .arg(&script)
        .args([devnet.l1(), devnet.l2(901), devnet.l2(902)])
        .arg(Contract::L2NativeSuperchainERC20.bytecode().to_string())
        .output()
        .expect("node runs");
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the viem client failed:\n{printed}\ndevnet log:\n{}", devnet.log());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
}

#[test]
fn supersims_test_token_mints_and_transfers_on_every_l2() {
    let devnet = devnet();
    let key = key(6);
    let me = address_of(&key);
    for chain_id in [901, 902] {
        let url = devnet.l2(chain_id);
        let call = |sig: &str| ok(&["call", TEST_TOKEN, sig, "--rpc-url", &url]);
        assert_eq!(call("name()(string)"), "\"L2NativeSuperchainERC20\"");
        assert_eq!(call("symbol()(string)"), "\"MOCK\"");
        assert_eq!(call("decimals()(uint8)"), "18");
        let before = token_balance(TEST_TOKEN, &me, &url);
        send(&key, &url, &[TEST_TOKEN, "mint(address,uint256)", &me, "100"]);
        let to = fresh("transfer");
        send(&key, &url, &[TEST_TOKEN, "transfer(address,uint256)", &to, "40"]);
        assert_eq!(token_balance(TEST_TOKEN, &me, &url), before + U256::from(60));
        assert_eq!(token_balance(TEST_TOKEN, &to, &url), U256::from(40));
        let refused = cast(&[
            "call",
            TEST_TOKEN,
            "mint(address,uint256)",
            &Address::ZERO.to_string(),
            "1",
            "--from",
            &me,
            "--rpc-url",
            &url,
        ]);
        assert!(refused.is_err(), "minting to the zero address reverts");
    }
}

#[test]
fn admin_get_l1_addresses_names_each_l2s_bridge_and_the_proposer_posts_its_output_roots() {
    let devnet = devnet();
    let (l1, control) = (devnet.l1(), devnet.verifier());
    for chain_id in [901u64, 902] {
        let addresses = json(&["rpc", "admin_getL1Addresses", &chain_id.to_string(), "--rpc-url", &control]);
        for (admin_name, json_name) in [
            ("OptimismPortalProxy", "portal"),
            ("L1StandardBridgeProxy", "l1StandardBridge"),
            ("L1CrossDomainMessengerProxy", "l1CrossDomainMessenger"),
            ("OptimismMintableERC20FactoryProxy", "optimismMintableErc20Factory"),
        ] {
            let address = addresses[admin_name].as_str().unwrap();
            assert!(
                address.eq_ignore_ascii_case(&l1_contract(chain_id, json_name)),
                "{chain_id} {admin_name}"
            );
            assert_ne!(ok(&["code", address, "--rpc-url", &l1]), "0x", "{admin_name} has code");
        }
        let portal = l1_contract(chain_id, "portal");
        assert_eq!(ok(&["call", &portal, "version()(string)", "--rpc-url", &l1]), "\"3.0.0\"");
        let rollup = json(&["rpc", "optimism_rollupConfig", "--rpc-url", &devnet.rollup(chain_id)]);
        let deposit_contract = rollup["deposit_contract_address"].as_str().unwrap();
        assert!(
            deposit_contract.eq_ignore_ascii_case(&portal),
            "the rollup config names the portal: {rollup}"
        );
        let delay = ok(&["call", &portal, "proofMaturityDelaySeconds()(uint256)", "--rpc-url", &l1]);
        assert_eq!(delay, MATURITY.to_string());

        // The latest proposal claims what the chain's rollup node answers as that block's output root.
        let factory = l1_contract(chain_id, "disputeGameFactory");
        let game = devnet.wait_for("a proposal", || {
            let count = parse_u256(&ok(&["call", &factory, "gameCount()(uint256)", "--rpc-url", &l1]));
            let index = count.checked_sub(U256::from(1))?;
            let game = ok(&[
                "call",
                &factory,
                "gameAtIndex(uint256)(uint32,uint64,address)",
                &index.to_string(),
                "--rpc-url",
                &l1,
            ]);
            Some(game.lines().last().unwrap().trim().to_string())
        });
        let number = parse_u256(&ok(&["call", &game, "l2BlockNumber()(uint256)", "--rpc-url", &l1]));
        let output = json(&[
            "rpc",
            "optimism_outputAtBlock",
            &format!("{number:#x}"),
            "--rpc-url",
            &devnet.rollup(chain_id),
        ]);
        let claim = ok(&["call", &game, "rootClaim()(bytes32)", "--rpc-url", &l1]);
        assert_eq!(claim, output["outputRoot"].as_str().unwrap(), "chain {chain_id} block {number}");
    }
}
