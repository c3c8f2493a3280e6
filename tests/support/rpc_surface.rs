//! The JSON-RPC surfaces of `superlink node` and `superlink verify`, every method with well-formed example
//! parameters, for the fuzzer (`superlink_testkit::rpc_fuzz`) to send as they are and mutated.

#![allow(dead_code)]

use serde_json::json;
use superlink_testkit::rpc_fuzz::Method;

const DEV: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const OTHER: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const INBOX: &str = "0x4200000000000000000000000000000000000022";
const HASH: &str = "0x5c37832d2e8d10e346e55ad62071a6a2f9fa5130614ef2ec6617555c6f467ba7";

/// Every method `superlink node` serves.
pub fn node() -> Vec<Method> {
    let call = json!({"from": DEV, "to": OTHER, "value": "0x1", "data": "0x"});
    let filter = json!({"fromBlock": "0x0", "toBlock": "latest", "address": INBOX, "topics": [HASH]});
    let tx = json!({"from": DEV, "to": OTHER, "value": "0x1"});
    let typed = json!({
        "types": {"EIP712Domain": [{"name": "name", "type": "string"}], "Mail": [{"name": "x", "type": "uint256"}]},
        "primaryType": "Mail", "domain": {"name": "fuzz"}, "message": {"x": "1"}
    });
    let m = Method::new;
    vec![
        m("eth_chainId", vec![json!([])]),
        m("eth_blockNumber", vec![json!([])]),
        m("eth_syncing", vec![json!([])]),
        m("eth_coinbase", vec![json!([])]),
        m("eth_accounts", vec![json!([])]),
        m("eth_gasPrice", vec![json!([])]),
        m("eth_maxPriorityFeePerGas", vec![json!([])]),
        m("eth_feeHistory", vec![json!(["0x4", "latest", [25, 75]])]),
        m(
            "eth_getBlockByNumber",
            vec![json!(["latest", false]), json!(["0x0", true]), json!(["pending", true])],
        ),
        m("eth_getBlockByHash", vec![json!([HASH, false])]),
        m("eth_getBlockTransactionCountByNumber", vec![json!(["latest"])]),
        m("eth_getBlockTransactionCountByHash", vec![json!([HASH])]),
        m("eth_getBlockReceipts", vec![json!(["latest"])]),
        m("eth_getTransactionByHash", vec![json!([HASH])]),
        m("eth_getTransactionByBlockNumberAndIndex", vec![json!(["latest", "0x0"])]),
        m("eth_getTransactionByBlockHashAndIndex", vec![json!([HASH, "0x0"])]),
        m("eth_getTransactionReceipt", vec![json!([HASH])]),
        m("eth_getLogs", vec![json!([filter]), json!([{"blockHash": HASH}])]),
        m("eth_newFilter", vec![json!([filter])]),
        m("eth_newBlockFilter", vec![json!([])]),
        m("eth_newPendingTransactionFilter", vec![json!([])]),
        m("eth_getFilterChanges", vec![json!(["0x1"])]),
        m("eth_getFilterLogs", vec![json!(["0x1"])]),
        m("eth_uninstallFilter", vec![json!(["0x1"])]),
        m("eth_getBalance", vec![json!([DEV, "latest"]), json!([DEV, "pending"])]),
        m("eth_getTransactionCount", vec![json!([DEV, "latest"])]),
        m("eth_getCode", vec![json!([INBOX, "latest"])]),
        m("eth_getStorageAt", vec![json!([INBOX, "0x0", "latest"])]),
        m("eth_getProof", vec![json!([INBOX, ["0x0"], "latest"])]),
        m("eth_call", vec![json!([call, "latest"]), json!([call, "latest", {DEV: {"balance": "0x1"}}])]),
        m("eth_estimateGas", vec![json!([call]), json!([call, "pending"])]),
        m("eth_createAccessList", vec![json!([call, "latest"])]),
        m("eth_sendRawTransaction", vec![json!(["0x02f86c"])]),
        m("eth_sendTransaction", vec![json!([tx])]),
        m("eth_fillTransaction", vec![json!([tx]), json!([call])]),
        m("eth_sign", vec![json!([DEV, "0xdeadbeef"])]),
        m("eth_signTypedData_v4", vec![json!([DEV, typed])]),
        m("personal_sign", vec![json!(["0xdeadbeef", DEV])]),
        m("txpool_status", vec![json!([])]),
        m("txpool_content", vec![json!([])]),
        m("txpool_inspect", vec![json!([])]),
        m("net_version", vec![json!([])]),
        m("net_listening", vec![json!([])]),
        m("net_peerCount", vec![json!([])]),
        m("web3_clientVersion", vec![json!([])]),
        m("web3_sha3", vec![json!(["0x68656c6c6f"])]),
        m("evm_mine", vec![json!([]), json!([1_900_000_000u64])]),
        m("anvil_mine", vec![json!(["0x2"]), json!(["0x2", "0x1"])]),
        m("evm_snapshot", vec![json!([])]),
        m("evm_revert", vec![json!(["0x1"])]),
        m("evm_increaseTime", vec![json!(["0x10"])]),
        m("evm_setAutomine", vec![json!([true])]),
        m("anvil_getAutomine", vec![json!([])]),
        m("evm_setNextBlockTimestamp", vec![json!(["0x7fffffff"])]),
        m("anvil_setBalance", vec![json!([OTHER, "0x1000"])]),
        m("anvil_setCode", vec![json!([OTHER, "0x6000"])]),
        m("anvil_setStorageAt", vec![json!([OTHER, "0x0", HASH])]),
        m("anvil_setNonce", vec![json!([OTHER, "0x5"])]),
        m("anvil_impersonateAccount", vec![json!([OTHER])]),
        m("anvil_stopImpersonatingAccount", vec![json!([OTHER])]),
    ]
}

/// Every method `superlink verify` serves.
pub fn verifier() -> Vec<Method> {
    let lookup = "0x0100000000000000000003850000000000000001000000006553f10000000000";
    let checksum = "0x03ca886771056d8ea647bb809b888ba14986f57daaf28954d40408321717716a";
    let descriptor = json!({"chainID": "0x385", "timestamp": "0x6553f128", "timeout": "0x15180"});
    let check = vec![
        json!([[lookup, checksum], "cross-unsafe", descriptor]),
        json!([[lookup, checksum], "unsafe", {"chainID": "0x385", "timestamp": "0x1"}]),
    ];
    let chain = vec![json!(["901"]), json!(["0x385"]), json!([901])];
    let m = Method::new;
    vec![
        m("supervisor_checkAccessList", check.clone()),
        m("interop_checkAccessList", check),
        m("interop_getBlockHashByNumber", vec![json!(["0x385", "latest"]), json!(["901", "0x1"])]),
        m("admin_getFailsafeEnabled", vec![json!([])]),
        m("supervisor_localUnsafe", chain.clone()),
        m("supervisor_crossUnsafe", chain.clone()),
        m("supervisor_localSafe", chain.clone()),
        m("supervisor_crossSafe", chain.clone()),
        m("supervisor_finalized", chain),
        m("supervisor_finalizedL1", vec![json!([])]),
        m("supervisor_syncStatus", vec![json!([])]),
        m("supervisor_dependencySetV1", vec![json!([])]),
        m("supervisor_superRootAtTimestamp", vec![json!(["0x1"]), json!([1])]),
        m("superroot_atTimestamp", vec![json!(["0x1"]), json!([1]), json!(["0xffffffffffffffff"])]),
        m("superlink_invalidBlocks", vec![json!([])]),
        m("superlink_transition", vec![json!([1]), json!(["0x1"]), json!(["0xffffffffffffffff"])]),
        m("superlink_traceClaim", vec![json!([1, 0]), json!(["0x1", "0x3ff"])]),
        m(
            "superlink_traceClaimAt",
            vec![json!([1, 0]), json!([1, 5, 2]), json!(["0xffffffffffffffff", "0xffffffffffffffff"])],
        ),
        m("superlink_ready", vec![json!([])]),
    ]
}
