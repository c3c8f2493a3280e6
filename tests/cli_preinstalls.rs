//! Black-box tests of the OP Stack preinstalls on `superlink devnet`, used as a developer uses them on any OP chain:
//! a CREATE2 deployment through the deterministic deployment proxy with cast, landing where `cast create2`
//! predicts; a deployment through the Create2Deployer; one through CreateX, landing where its
//! `computeCreate2Address` answers for the guarded salt; Permit2's EIP-712 domain; viem's `multicall`, on the L1 and
//! on an L2; and a Safe: a proxy of the Safe singleton set up and running a transfer its owner signed with cast. The
//! test functions share one devnet, each sending from its own account.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[path = "support/devnet.rs"]
mod devnet;

use devnet::{Devnet, KEY_0, KEY_1, KEY_2, address_of, ok};

const DETERMINISTIC_DEPLOYMENT_PROXY: &str = "0x4e59b44847b379578588920cA78FbF26c0B4956C";
const CREATE2_DEPLOYER: &str = "0x13b0D85CcB8bf860b6b79AF3029fCA081AE9beF2";
/// Init code whose runtime code answers the word 42 to every call.
const INIT_CODE: &str = "0x67602a5f5260205ff35f5260086018f3";
/// The runtime code it leaves.
const RUNTIME_CODE: &str = "0x602a5f5260205ff3";

fn chains(devnet: &Devnet) -> [(String, &'static str); 2] {
    [(devnet.l1(), "900"), (devnet.l2(901), "901")]
}

#[test]
fn a_create2_deployment_through_the_deterministic_proxy_lands_where_cast_create2_predicts() {
    let devnet = Devnet::shared();
    let salt = "0x00000000000000000000000000000000000000000000000000000000000c0de1";
    let predicted = ok(&[
        "create2",
        "--deployer",
        DETERMINISTIC_DEPLOYMENT_PROXY,
        "--salt",
        salt,
        "--init-code",
        INIT_CODE,
    ]);
    let calldata = format!("{salt}{}", INIT_CODE.trim_start_matches("0x"));
    for (url, chain) in chains(&devnet) {
        assert_eq!(
            ok(&["code", "--rpc-url", &url, &predicted]),
            "0x",
            "nothing at {predicted} on {chain} yet"
        );
        // The proxy answers the new address as 20 bare bytes; an eth_call shows it before sending.
        let answer = ok(&["call", "--rpc-url", &url, DETERMINISTIC_DEPLOYMENT_PROXY, &calldata]);
        assert_eq!(answer.to_lowercase(), predicted.to_lowercase(), "the proxy's answer on {chain}");
        let receipt: serde_json::Value = serde_json::from_str(&ok(&[
            "send",
            "--rpc-url",
            &url,
            "--private-key",
            KEY_1,
            "--json",
            DETERMINISTIC_DEPLOYMENT_PROXY,
            &calldata,
        ]))
        .unwrap();
        assert_eq!(receipt["status"], "0x1", "the deployment on {chain} succeeded");
        assert_eq!(
            ok(&["code", "--rpc-url", &url, &predicted]),
            RUNTIME_CODE,
            "the code is at {predicted} on {chain}"
        );
        assert_eq!(ok(&["call", "--rpc-url", &url, &predicted, "answer()(uint256)"]), "42");
        // The same salt and code again: the address is taken, and the proxy reverts.
        let again = devnet::cast(&["call", "--rpc-url", &url, DETERMINISTIC_DEPLOYMENT_PROXY, &calldata]);
        assert!(again.is_err(), "a second deployment to {predicted} on {chain} reverts: {again:?}");
    }
}

#[test]
fn create2_deployer_deploys_where_it_computes() {
    let devnet = Devnet::shared();
    let salt = "0x00000000000000000000000000000000000000000000000000000000000c0de2";
    let predicted =
        ok(&["create2", "--deployer", CREATE2_DEPLOYER, "--salt", salt, "--init-code", INIT_CODE]);
    let code_hash = ok(&["keccak", INIT_CODE]);
    for (url, chain) in chains(&devnet) {
        let computed = ok(&[
            "call",
            "--rpc-url",
            &url,
            CREATE2_DEPLOYER,
            "computeAddress(bytes32,bytes32)(address)",
            salt,
            &code_hash,
        ]);
        assert_eq!(computed, predicted, "computeAddress on {chain}");
        let receipt: serde_json::Value = serde_json::from_str(&ok(&[
            "send",
            "--rpc-url",
            &url,
            "--private-key",
            KEY_2,
            "--json",
            CREATE2_DEPLOYER,
            "deploy(uint256,bytes32,bytes)",
            "0",
            salt,
            INIT_CODE,
        ]))
        .unwrap();
        assert_eq!(receipt["status"], "0x1", "the deployment on {chain} succeeded");
        assert_eq!(
            ok(&["code", "--rpc-url", &url, &predicted]),
            RUNTIME_CODE,
            "the code is at {predicted} on {chain}"
        );
    }
}

#[test]
fn viems_multicall_reads_through_multicall3_on_the_l1_and_an_l2() {
    let devnet = Devnet::shared();
    let viem = superlink_testkit::node_package("viem").unwrap();
    let script = viem.parent().unwrap().parent().unwrap().join("viem").join("multicall.mjs");
    let mut args = Vec::new();
    for (url, chain) in chains(&devnet) {
        args.extend([url, chain.to_string()]);
    }
    let out = Command::new("node").arg(&script).args(&args).output().expect("node runs");
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the viem client failed:\n{printed}\ndevnet log:\n{}", devnet.log());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
}

/// The Safe (v1.3.0) singleton.
const SAFE: &str = "0x69f4D1788e39c87893C980c06EdF4b7f686e2938";
/// The SafeL2 (v1.3.0) singleton.
const SAFE_L2: &str = "0xfb1bffC9d739B8D520DaF37dF666da4C687191EA";
/// The fourth development key: submits the Safe's transactions.
const KEY_3: &str = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";
/// The fifth development key: the Safe's only owner, which only signs.
const KEY_4: &str = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a";
const ZERO: &str = "0x0000000000000000000000000000000000000000";

fn artifact_code(artifact: &str, field: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(artifact).unwrap();
    value[field].as_str().unwrap().to_string()
}

#[test]
fn a_safe_proxy_to_the_singleton_is_set_up_and_runs_a_transfer_its_owner_signed_with_cast() {
    let devnet = Devnet::shared();
    let safe_code = artifact_code(include_str!("../contracts/artifacts/Safe.json"), "deployedBytecode");
    let safe_l2_code = artifact_code(include_str!("../contracts/artifacts/SafeL2.json"), "deployedBytecode");
    for (url, chain) in chains(&devnet) {
        for (singleton, code) in [(SAFE, &safe_code), (SAFE_L2, &safe_l2_code)] {
            assert_eq!(&ok(&["code", "--rpc-url", &url, singleton]), code, "{singleton} on {chain}");
            let threshold = ok(&["call", "--rpc-url", &url, singleton, "getThreshold()(uint256)"]);
            assert_eq!(threshold, "1", "{singleton} on {chain} is locked against setup");
        }
    }

    // A proxy of the singleton, created through the deterministic deployment proxy.
    let url = devnet.l2(901);
    let proxy_code = artifact_code(include_str!("../contracts/artifacts/SafeTestProxy.json"), "bytecode");
    let argument = ok(&["abi-encode", "f(address)", SAFE]);
    let init = format!("{proxy_code}{}", argument.trim_start_matches("0x"));
    let salt = "0x00000000000000000000000000000000000000000000000000000000005afe01";
    let safe =
        ok(&["create2", "--deployer", DETERMINISTIC_DEPLOYMENT_PROXY, "--salt", salt, "--init-code", &init]);
    let calldata = format!("{salt}{}", init.trim_start_matches("0x"));
    let send = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["send", "--rpc-url", &url, "--private-key", KEY_3, "--json"];
        all.extend_from_slice(args);
        let receipt: serde_json::Value = serde_json::from_str(&ok(&all)).unwrap();
        assert_eq!(receipt["status"], "0x1", "cast {args:?} succeeded");
        receipt
    };
    send(&[DETERMINISTIC_DEPLOYMENT_PROXY, &calldata]);
    let slot0 = ok(&["storage", "--rpc-url", &url, &safe, "0"]);
    assert_eq!(slot0.to_lowercase(), format!("0x000000000000000000000000{}", SAFE[2..].to_lowercase()));

    // setup: one owner, threshold one; then ETH for the Safe through its receive().
    let owner = address_of(KEY_4);
    let owners = format!("[{owner}]");
    send(&[
        &safe,
        "setup(address[],uint256,address,bytes,address,address,uint256,address)",
        &owners,
        "1",
        ZERO,
        "0x",
        ZERO,
        ZERO,
        "0",
        ZERO,
    ]);
    assert_eq!(ok(&["call", "--rpc-url", &url, &safe, "getOwners()(address[])"]), owners);
    assert_eq!(ok(&["call", "--rpc-url", &url, &safe, "VERSION()(string)"]), "\"1.3.0\"");
    send(&[&safe, "--value", "1000000"]);

    // The owner signs the SafeTx as EIP-712 typed data, as Safe tooling does; the signature is the same as of
    // the contract's own getTransactionHash.
    let recipient = "0x5afe00000000000000000000000000000000beef";
    let typed = serde_json::json!({
        "types": {
            "EIP712Domain": [
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"}
            ],
            "SafeTx": [
                {"name": "to", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "data", "type": "bytes"},
                {"name": "operation", "type": "uint8"},
                {"name": "safeTxGas", "type": "uint256"},
                {"name": "baseGas", "type": "uint256"},
                {"name": "gasPrice", "type": "uint256"},
                {"name": "gasToken", "type": "address"},
                {"name": "refundReceiver", "type": "address"},
                {"name": "nonce", "type": "uint256"}
            ]
        },
        "primaryType": "SafeTx",
        "domain": {"chainId": 901, "verifyingContract": safe},
        "message": {
            "to": recipient, "value": "12345", "data": "0x", "operation": 0, "safeTxGas": "0", "baseGas": "0",
            "gasPrice": "0", "gasToken": ZERO, "refundReceiver": ZERO, "nonce": "0"
        }
    })
    .to_string();
    let signature = ok(&["wallet", "sign", "--private-key", KEY_4, "--data", &typed]);
    let hash = ok(&[
        "call",
        "--rpc-url",
        &url,
        &safe,
        "getTransactionHash(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,uint256)(bytes32)",
        recipient,
        "12345",
        "0x",
        "0",
        "0",
        "0",
        "0",
        ZERO,
        ZERO,
        "0",
    ]);
    assert_eq!(ok(&["wallet", "sign", "--private-key", KEY_4, "--no-hash", &hash]), signature);

    let exec = [
        safe.as_str(),
        "execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)",
        recipient,
        "12345",
        "0x",
        "0",
        "0",
        "0",
        "0",
        ZERO,
        ZERO,
        &signature,
    ];
    let receipt = send(&exec);
    let success_topic = ok(&["keccak", "ExecutionSuccess(bytes32,uint256)"]);
    let logs = receipt["logs"].as_array().unwrap();
    let event = logs.iter().find(|log| log["topics"][0] == success_topic.as_str()).expect("ExecutionSuccess");
    assert!(event["data"].as_str().unwrap().starts_with(&hash), "the event names the transaction's hash");
    assert_eq!(ok(&["balance", "--rpc-url", &url, recipient]), "12345");
    assert_eq!(ok(&["call", "--rpc-url", &url, &safe, "nonce()(uint256)"]), "1");

    // The same signature again signs a spent nonce: refused with the Safe's GS026.
    let mut again = vec!["call", "--rpc-url", &url];
    again.extend_from_slice(&exec);
    let refused = devnet::cast(&again);
    assert!(refused.as_ref().is_err_and(|e| e.contains("GS026")), "a replay is refused: {refused:?}");
}

const CREATEX: &str = "0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed";
const PERMIT2: &str = "0x000000000022D473030F116dDEE9F6B43aC78BA3";

#[test]
fn a_create2_deployment_through_createx_lands_where_compute_create2_address_answers() {
    let devnet = Devnet::shared();
    let sender = ok(&["wallet", "address", "--private-key", KEY_0]).to_lowercase();
    // The sender's address, 0x00 (no cross-chain protection), 11 bytes of the developer's choice: a salt only this
    // sender can use, giving the same address on every chain.
    let salt = format!("{sender}00{}", "0000000000000000c0de03");
    // CreateX's guard for such a salt: keccak256(abi.encode(sender, salt)), computed here with cast alone.
    let guarded = ok(&["keccak", &ok(&["abi-encode", "f(address,bytes32)", &sender, &salt])]);
    let code_hash = ok(&["keccak", INIT_CODE]);
    let predicted = ok(&["create2", "--deployer", CREATEX, "--salt", &guarded, "--init-code", INIT_CODE]);
    for (url, chain) in chains(&devnet) {
        let computed = ok(&[
            "call",
            "--rpc-url",
            &url,
            CREATEX,
            "computeCreate2Address(bytes32,bytes32)(address)",
            &guarded,
            &code_hash,
        ]);
        assert_eq!(computed.to_lowercase(), predicted.to_lowercase(), "computeCreate2Address on {chain}");
        let receipt: serde_json::Value = serde_json::from_str(&ok(&[
            "send",
            "--rpc-url",
            &url,
            "--private-key",
            KEY_0,
            "--json",
            CREATEX,
            "deployCreate2(bytes32,bytes)",
            &salt,
            INIT_CODE,
        ]))
        .unwrap();
        assert_eq!(receipt["status"], "0x1", "the deployment on {chain} succeeded");
        assert_eq!(
            ok(&["code", "--rpc-url", &url, &predicted]),
            RUNTIME_CODE,
            "the code is at {predicted} on {chain}"
        );
        // ContractCreation(address indexed newContract, bytes32 indexed salt) names both.
        let topic = ok(&["keccak", "ContractCreation(address,bytes32)"]);
        let logs = receipt["logs"].as_array().unwrap();
        let creation =
            logs.iter().find(|log| log["topics"][0] == topic.as_str()).expect("a ContractCreation log");
        let named = creation["topics"][1].as_str().unwrap();
        assert!(named.ends_with(&predicted.to_lowercase()[2..]), "the event names {predicted}: {named}");
        assert_eq!(creation["topics"][2], guarded.as_str(), "the event names the guarded salt");
        let again = devnet::cast(&[
            "call",
            "--rpc-url",
            &url,
            "--from",
            &sender,
            CREATEX,
            "deployCreate2(bytes32,bytes)",
            &salt,
            INIT_CODE,
        ]);
        assert!(again.is_err(), "the address is taken on {chain}: {again:?}");
    }
}

#[test]
fn permit2s_domain_separator_is_the_eip712_domain_of_each_chain() {
    let devnet = Devnet::shared();
    let permit2: alloy_primitives::Address = PERMIT2.parse().unwrap();
    for (url, chain) in chains(&devnet) {
        let chain_id: u64 = chain.parse().unwrap();
        let domain = alloy_sol_types::eip712_domain! {
            name: "Permit2",
            chain_id: chain_id,
            verifying_contract: permit2,
        };
        let answer = ok(&["call", "--rpc-url", &url, PERMIT2, "DOMAIN_SEPARATOR()(bytes32)"]);
        assert_eq!(answer, domain.separator().to_string(), "Permit2's domain on {chain}");
    }
}

/// The ERC-4337 entry points on an L2, as a bundler or an SDK reaches them with cast: each version's
/// `getUserOpHash` equals the hash computed from the ERC's definition with `cast abi-encode` and `cast keccak`, and
/// `depositTo` with ETH is what `balanceOf` then reports.
#[test]
fn the_erc4337_entry_points_hash_user_operations_and_keep_deposits_on_an_l2() {
    /// Anvil's eighth development key, used by no other test of this file.
    const KEY_7: &str = "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356";
    const SENDER: &str = "0x4337000000000000000000000000000000000001";
    const PAYMASTER_AND_DATA: &str = "0x9a900000000000000000000000000000000000010102";
    let devnet = Devnet::shared();
    let url = devnet.l2(901);
    let keccak = |hex: &str| ok(&["keccak", hex]);
    let (init, call) = (keccak("0x"), keccak("0x1234"));
    let v06 = (
        "0x5FF137D4b0FDCD49DcA30c7CF57E578a026d2789",
        "getUserOpHash((address,uint256,bytes,bytes,uint256,uint256,uint256,uint256,uint256,bytes,bytes))(bytes32)",
        format!("({SENDER},7,0x,0x1234,100000,200000,50000,1000000000,2000000,{PAYMASTER_AND_DATA},0xabcd)"),
        ok(&[
            "abi-encode",
            "f(address,uint256,bytes32,bytes32,uint256,uint256,uint256,uint256,uint256,bytes32)",
            SENDER,
            "7",
            &init,
            &call,
            "100000",
            "200000",
            "50000",
            "1000000000",
            "2000000",
            &keccak(PAYMASTER_AND_DATA),
        ]),
        "0x0000000000000000000000000000000000004306",
    );
    // v0.7 packs verificationGasLimit ‖ callGasLimit and maxPriorityFeePerGas ‖ maxFeePerGas in 16 bytes each.
    let account_gas_limits = format!("0x{:032x}{:032x}", 200_000, 100_000);
    let gas_fees = format!("0x{:032x}{:032x}", 2_000_000, 1_000_000_000);
    let v07 = (
        "0x0000000071727De22E5E9d8BAf0edAc6f37da032",
        "getUserOpHash((address,uint256,bytes,bytes,bytes32,uint256,bytes32,bytes,bytes))(bytes32)",
        format!("({SENDER},7,0x,0x1234,{account_gas_limits},50000,{gas_fees},{PAYMASTER_AND_DATA},0xabcd)"),
        ok(&[
            "abi-encode",
            "f(address,uint256,bytes32,bytes32,bytes32,uint256,bytes32,bytes32)",
            SENDER,
            "7",
            &init,
            &call,
            &account_gas_limits,
            "50000",
            &gas_fees,
            &keccak(PAYMASTER_AND_DATA),
        ]),
        "0x0000000000000000000000000000000000004307",
    );
    for (entry_point, signature, op, packed, account) in [v06, v07] {
        let hash = ok(&["call", "--rpc-url", &url, entry_point, signature, &op]);
        let outer = ok(&["abi-encode", "f(bytes32,address,uint256)", &keccak(&packed), entry_point, "901"]);
        assert_eq!(hash, keccak(&outer), "the user-operation hash of {entry_point}");

        assert_eq!(
            ok(&["call", "--rpc-url", &url, entry_point, "balanceOf(address)(uint256)", account]),
            "0"
        );
        let receipt: serde_json::Value = serde_json::from_str(&ok(&[
            "send",
            "--rpc-url",
            &url,
            "--private-key",
            KEY_7,
            "--json",
            "--value",
            "4337",
            entry_point,
            "depositTo(address)",
            account,
        ]))
        .unwrap();
        assert_eq!(receipt["status"], "0x1", "the deposit to {entry_point} succeeded");
        assert_eq!(
            ok(&["call", "--rpc-url", &url, entry_point, "balanceOf(address)(uint256)", account]),
            "4337",
            "the deposit is {account}'s at {entry_point}"
        );
    }
}
