//! Black-box tests of the OP Stack preinstalls on `superlink devnet`, used as a developer uses them on any OP chain:
//! a CREATE2 deployment through the deterministic deployment proxy with cast, landing where `cast create2`
//! predicts; a deployment through the Create2Deployer; and viem's `multicall`, on the L1 and on an L2. The test
//! functions share one devnet, each sending from its own account.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[path = "support/devnet.rs"]
mod devnet;

use devnet::{Devnet, KEY_1, KEY_2, ok};

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
