//! The server over the real chain (`superlink-chain` on op-revm, with the predeploys), driven by the
//! pinned `cast` as a user would, and by raw JSON where the exact wire shape matters.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{sync::Arc, time::Duration};

use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{Revert, SolError};
use jsonrpsee::{
    core::client::{Subscription, SubscriptionClientT},
    rpc_params,
    ws_client::WsClientBuilder,
};
use serde_json::{Value, json};
use superlink_chain::{Chain, ChainConfig, Genesis, GenesisAccount, L1Attributes};
use superlink_rpc::{ChainBackend, RpcServerHandle, serve};
use superlink_testkit::Cast;
use support::*;

const CHAIN_ID: u64 = 901;
const GENESIS_TIME: u64 = 1_700_000_000;
const CROSS_L2_INBOX: Address = address!("0x4200000000000000000000000000000000000022");

fn dev_balance() -> U256 {
    U256::from(10u128.pow(24))
}

/// Emits LOG1(topic = caller, data = first calldata word), then stops.
const LOGGER_RUNTIME: &str = "6000356000523360206000a100";

/// Init code that deploys `runtime` (at most 255 bytes).
fn init_code(runtime: &[u8]) -> Bytes {
    let len = runtime.len() as u8;
    let mut code = vec![0x60, len, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3];
    code.extend_from_slice(runtime);
    code.into()
}

/// Runtime code that always reverts with `data` (copied from its own code).
fn reverting_runtime(data: &[u8]) -> Bytes {
    let len = data.len() as u8;
    let mut code = vec![0x60, len, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xfd];
    code.extend_from_slice(data);
    code.into()
}

fn signers() -> Vec<PrivateKeySigner> {
    vec![signer(DEV_KEY_0), signer(DEV_KEY_1)]
}

fn chain() -> Chain {
    let mut genesis = Genesis::new(CHAIN_ID, GENESIS_TIME)
        .with_alloc(superlink_contracts::genesis::predeploy_allocs(CHAIN_ID));
    for signer in signers() {
        genesis = genesis.with_account(
            signer.address(),
            GenesisAccount { balance: dev_balance(), ..GenesisAccount::default() },
        );
    }
    let mut chain = Chain::new(&genesis, ChainConfig::default());
    chain.set_l1_origin(L1Attributes {
        number: 100,
        timestamp: GENESIS_TIME - 12,
        hash: B256::repeat_byte(0xaa),
        ..L1Attributes::default()
    });
    chain
}

async fn start() -> (RpcServerHandle, Arc<ChainBackend>) {
    let backend = Arc::new(ChainBackend::new(chain(), signers()));
    let handle = serve("127.0.0.1:0", backend.clone()).await.unwrap();
    (handle, backend)
}

/// Runs cast off the async workers (the server keeps serving meanwhile).
async fn cast(args: Vec<String>) -> Result<String, String> {
    tokio::task::spawn_blocking(move || Cast::new().map_err(|e| e.to_string())?.run(args)).await.unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cast_reads_sends_and_finds_receipts_and_logs() {
    let (handle, _) = start().await;
    let url = handle.http_url();
    let dev0 = signer(DEV_KEY_0).address().to_string();
    let recipient = Address::with_last_byte(0x42).to_string();

    assert_eq!(cast(args(&["block-number", "--rpc-url", &url])).await.unwrap(), "0");
    assert_eq!(cast(args(&["chain-id", "--rpc-url", &url])).await.unwrap(), CHAIN_ID.to_string());
    let balance = cast(args(&["balance", &dev0, "--rpc-url", &url])).await.unwrap();
    assert_eq!(balance, dev_balance().to_string());

    // A value transfer signed by cast with a dev key.
    let sent = cast(args(&[
        "send",
        "--rpc-url",
        &url,
        "--private-key",
        DEV_KEY_0,
        &recipient,
        "--value",
        "12345",
        "--json",
    ]))
    .await
    .unwrap();
    let sent: Value = serde_json::from_str(&sent).unwrap();
    assert_eq!(sent["status"], json!("0x1"));
    let hash = sent["transactionHash"].as_str().unwrap().to_string();
    assert_eq!(cast(args(&["block-number", "--rpc-url", &url])).await.unwrap(), "1");
    assert_eq!(cast(args(&["balance", &recipient, "--rpc-url", &url])).await.unwrap(), "12345");
    let receipt = cast(args(&["receipt", &hash, "--rpc-url", &url, "--json"])).await.unwrap();
    let receipt: Value = serde_json::from_str(&receipt).unwrap();
    assert_eq!(receipt["status"], json!("0x1"));
    assert_eq!(quantity(&receipt["gasUsed"]), 21_000);
    assert!(receipt.get("l1Fee").is_some(), "OP receipt fields reach cast: {receipt}");
    let status = cast(args(&["receipt", &hash, "status", "--rpc-url", &url])).await.unwrap();
    assert!(status == "true" || status.starts_with('1'), "{status}");

    // Deploy a logger and make it log; find the log with cast logs.
    let deploy_code =
        init_code(&Bytes::from(alloy_primitives::hex::decode(LOGGER_RUNTIME).unwrap())).to_string();
    let deployed = cast(args(&[
        "send",
        "--rpc-url",
        &url,
        "--private-key",
        DEV_KEY_0,
        "--create",
        &deploy_code,
        "--json",
    ]))
    .await
    .unwrap();
    let deployed: Value = serde_json::from_str(&deployed).unwrap();
    let logger = deployed["contractAddress"].as_str().unwrap().to_string();
    let word = B256::with_last_byte(0x99).to_string();
    cast(args(&["send", "--rpc-url", &url, "--private-key", DEV_KEY_0, &logger, &word])).await.unwrap();
    let logs = cast(args(&["logs", "--rpc-url", &url, "--from-block", "0", "--address", &logger, "--json"]))
        .await
        .unwrap();
    let logs: Value = serde_json::from_str(&logs).unwrap();
    assert_eq!(logs.as_array().unwrap().len(), 1);
    assert_eq!(logs[0]["data"], json!(word));
    let caller_topic = B256::left_padding_from(signer(DEV_KEY_0).address().as_slice());
    assert_eq!(logs[0]["topics"][0], json!(caller_topic.to_string()));

    // Block receipts through cast rpc: the L1-attributes deposit first, then the call.
    let receipts = cast(args(&["rpc", "--rpc-url", &url, "eth_getBlockReceipts", "latest"])).await.unwrap();
    let receipts: Value = serde_json::from_str(&receipts).unwrap();
    let receipts = receipts.as_array().unwrap();
    assert_eq!(receipts.len(), 2);
    assert_eq!(receipts[0]["type"], json!("0x7e"));
    assert!(receipts[0].get("depositNonce").is_some(), "{}", receipts[0]);
    assert_eq!(receipts[1]["logs"][0]["data"], json!(word));

    // cast parses OP blocks and deposit transactions.
    let block = cast(args(&["block", "latest", "--full", "--json", "--rpc-url", &url])).await.unwrap();
    let block: Value = serde_json::from_str(&block).unwrap();
    let deposit_hash = block["transactions"][0]["hash"].as_str().unwrap().to_string();
    let deposit = cast(args(&["tx", &deposit_hash, "--json", "--rpc-url", &url])).await.unwrap();
    let deposit: Value = serde_json::from_str(&deposit).unwrap();
    assert_eq!(deposit["type"], json!("0x7e"));
    assert!(deposit["sourceHash"].is_string(), "{deposit}");
    let nonce = cast(args(&["nonce", &dev0, "--rpc-url", &url])).await.unwrap();
    assert_eq!(nonce, "3");
    let code = cast(args(&["code", &logger, "--rpc-url", &url])).await.unwrap();
    assert_eq!(code, format!("0x{LOGGER_RUNTIME}"));
    let estimate = cast(args(&["estimate", "--rpc-url", &url, "--from", &dev0, &recipient, "--value", "1"]))
        .await
        .unwrap();
    assert_eq!(estimate, "21000");
    let gas_price: u128 = cast(args(&["gas-price", "--rpc-url", &url])).await.unwrap().parse().unwrap();
    assert!(gas_price > 0);
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_reverts_reach_clients_as_code_3_with_data() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    let url = handle.http_url();

    // CrossL2Inbox.validateMessage without the access list reverts with the custom error NotInAccessList().
    let identifier = "(0x0000000000000000000000000000000000000001,1,0,1,902)";
    let calldata = cast(args(&[
        "calldata",
        "validateMessage((address,uint256,uint256,uint256,uint256),bytes32)",
        identifier,
        &B256::ZERO.to_string(),
    ]))
    .await
    .unwrap();
    let request = json!({"to": CROSS_L2_INBOX, "data": calldata});
    let err = error(addr, "eth_call", json!([request, "latest"])).await;
    assert_eq!(err["code"], json!(3));
    assert_eq!(err["message"], json!("execution reverted"));
    let selector = Bytes::copy_from_slice(&keccak256("NotInAccessList()")[..4]);
    assert_eq!(err["data"], json!(selector.to_string()));
    let err = error(addr, "eth_estimateGas", json!([request])).await;
    assert_eq!(err["code"], json!(3));

    // A contract reverting with Error(string): the reason is decoded into the message.
    let reverter = Address::with_last_byte(0xee);
    let data = Revert::from("boom").abi_encode();
    result(addr, "anvil_setCode", json!([reverter, reverting_runtime(&data)])).await;
    let err = error(addr, "eth_call", json!([{"to": reverter}])).await;
    assert_eq!(err["code"], json!(3));
    assert_eq!(err["message"], json!("execution reverted: boom"));
    assert_eq!(err["data"], json!(Bytes::from(data).to_string()));
    let cast_err = cast(args(&["call", "--rpc-url", &url, &reverter.to_string()])).await.unwrap_err();
    assert!(cast_err.contains("boom"), "{cast_err}");
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_rejections_and_state_queries_on_the_real_chain() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    let dev0 = signer(DEV_KEY_0).address();
    let target = Address::with_last_byte(0x55);
    let raw = sign(DEV_KEY_0, TxFields::call(CHAIN_ID, 0, target, Bytes::new()));
    let hash = result(addr, "eth_sendRawTransaction", json!([raw])).await;
    let err = error(addr, "eth_sendRawTransaction", json!([raw])).await;
    assert_eq!(err["code"], json!(-32000));
    let stale = sign(DEV_KEY_0, TxFields::call(CHAIN_ID, 0, target, Bytes::from_static(b"x")));
    let err = error(addr, "eth_sendRawTransaction", json!([stale])).await;
    assert_eq!(err["message"], json!("nonce too low: next nonce 1, tx nonce 0"));
    let mut starved = TxFields::call(CHAIN_ID, 1, target, Bytes::new());
    starved.gas_limit = 20_000;
    let err = error(addr, "eth_sendRawTransaction", json!([sign(DEV_KEY_0, starved)])).await;
    assert!(err["message"].as_str().unwrap().starts_with("intrinsic gas too low"), "{err}");
    let mut rich = TxFields::call(CHAIN_ID, 1, target, Bytes::new());
    rich.value = dev_balance();
    let err = error(addr, "eth_sendRawTransaction", json!([sign(DEV_KEY_0, rich)])).await;
    assert!(
        err["message"].as_str().unwrap().starts_with("insufficient funds for gas * price + value"),
        "{err}"
    );

    let tx = result(addr, "eth_getTransactionByHash", json!([hash])).await;
    assert_eq!(quantity(&tx["blockNumber"]), 1);
    let deposit = result(addr, "eth_getTransactionByBlockNumberAndIndex", json!(["0x1", "0x0"])).await;
    assert_eq!(deposit["type"], json!("0x7e"));
    assert!(deposit["sourceHash"].is_string(), "{deposit}");
    assert_eq!(quantity(&result(addr, "eth_getTransactionCount", json!([dev0, "latest"])).await), 1);
    assert_eq!(quantity(&result(addr, "eth_getTransactionCount", json!([dev0, "pending"])).await), 1);
    let gas = result(addr, "eth_estimateGas", json!([{"from": dev0, "to": target, "value": "0x1"}])).await;
    assert_eq!(quantity(&gas), 21_000);
    let code = result(addr, "eth_getCode", json!([CROSS_L2_INBOX, "latest"])).await;
    assert!(code.as_str().unwrap().len() > 2, "the inbox predeploy has code");
    let proof = result(addr, "eth_getProof", json!([dev0, [], "latest"])).await;
    assert!(!proof["accountProof"].as_array().unwrap().is_empty());
    assert_eq!(quantity(&proof["nonce"]), 1);
    let history = result(addr, "eth_feeHistory", json!(["0x2", "latest", [50.0]])).await;
    assert_eq!(history["baseFeePerGas"].as_array().unwrap().len(), 3);
    let list =
        result(addr, "eth_createAccessList", json!([{"from": dev0, "to": CROSS_L2_INBOX, "data": "0x"}]))
            .await;
    assert!(list["gasUsed"].is_string());
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_accounts_impersonation_and_dev_methods_on_the_real_chain() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    let dev1 = signer(DEV_KEY_1).address();
    let target = Address::with_last_byte(0x56);

    // eth_sendTransaction from an unlocked dev account: the backend signs.
    let hash =
        result(addr, "eth_sendTransaction", json!([{"from": dev1, "to": target, "value": "0x10"}])).await;
    let receipt = result(addr, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["status"], json!("0x1"));
    assert_eq!(receipt["from"].as_str().unwrap().parse::<Address>().unwrap(), dev1);
    assert_eq!(quantity(&result(addr, "eth_getBalance", json!([target])).await), 0x10);

    // Message signing with an unlocked account recovers to that account.
    let message = Bytes::from_static(b"hello superlink");
    let signature = result(addr, "eth_sign", json!([dev1, message])).await;
    let personal = result(addr, "personal_sign", json!([message, dev1])).await;
    assert_eq!(signature, personal);
    let signature: alloy_primitives::Signature = signature.as_str().unwrap().parse().unwrap();
    assert_eq!(signature.recover_address_from_msg(&message).unwrap(), dev1);
    let err = error(addr, "eth_sign", json!([Address::with_last_byte(0x57), message])).await;
    assert_eq!(err["code"], json!(-32000));

    // Impersonation.
    let stranger = Address::with_last_byte(0x57);
    let request = json!({"from": stranger, "to": target, "value": "0x1"});
    assert_eq!(error(addr, "eth_sendTransaction", json!([request])).await["code"], json!(-32000));
    result(addr, "anvil_setBalance", json!([stranger, "0xde0b6b3a7640000"])).await;
    result(addr, "anvil_impersonateAccount", json!([stranger])).await;
    let hash = result(addr, "eth_sendTransaction", json!([request])).await;
    let receipt = result(addr, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["from"].as_str().unwrap().parse::<Address>().unwrap(), stranger);
    result(addr, "anvil_stopImpersonatingAccount", json!([stranger])).await;
    error(addr, "eth_sendTransaction", json!([request])).await;

    // State edits.
    result(addr, "anvil_setNonce", json!([stranger, "0x9"])).await;
    assert_eq!(quantity(&result(addr, "eth_getTransactionCount", json!([stranger, "latest"])).await), 9);
    let slot = B256::with_last_byte(1);
    result(addr, "anvil_setStorageAt", json!([target, slot, B256::with_last_byte(7)])).await;
    assert_eq!(
        result(addr, "eth_getStorageAt", json!([target, "0x1", "latest"])).await,
        json!(B256::with_last_byte(7))
    );

    // Time and mining.
    let head = result(addr, "eth_getBlockByNumber", json!(["latest", false])).await;
    let next = quantity(&head["timestamp"]) as u64 + 100;
    result(addr, "evm_setNextBlockTimestamp", json!([next])).await;
    result(addr, "evm_mine", json!([])).await;
    let mined = result(addr, "eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(quantity(&mined["timestamp"]) as u64, next);
    let number = quantity(&mined["number"]);
    result(addr, "anvil_mine", json!(["0x3", "0x5"])).await;
    let last = result(addr, "eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(quantity(&last["number"]), number + 3);
    assert_eq!(quantity(&last["timestamp"]) as u64, next + 15);
    let offset = result(addr, "evm_increaseTime", json!(["0xe10"])).await;
    assert_eq!(offset, json!(3600));

    // Snapshots take blocks and state back.
    let snapshot = result(addr, "evm_snapshot", json!([])).await;
    let before = quantity(&result(addr, "eth_getBalance", json!([target])).await);
    result(addr, "eth_sendTransaction", json!([{"from": dev1, "to": target, "value": "0x10"}])).await;
    assert_eq!(quantity(&result(addr, "eth_getBalance", json!([target])).await), before + 0x10);
    assert_eq!(result(addr, "evm_revert", json!([snapshot])).await, json!(true));
    assert_eq!(quantity(&result(addr, "eth_getBalance", json!([target])).await), before);
    assert_eq!(quantity(&result(addr, "eth_blockNumber", json!([])).await), number + 3);
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_automine_transactions_wait_in_the_pool_until_mined() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    let dev0 = signer(DEV_KEY_0).address();
    assert_eq!(result(addr, "anvil_getAutomine", json!([])).await, json!(true));
    result(addr, "evm_setAutomine", json!([false])).await;
    assert_eq!(result(addr, "anvil_getAutomine", json!([])).await, json!(false));
    let filter = result(addr, "eth_newPendingTransactionFilter", json!([])).await;

    let first = sign(DEV_KEY_0, TxFields::call(CHAIN_ID, 0, Address::with_last_byte(1), Bytes::new()));
    let second = sign(DEV_KEY_0, TxFields::call(CHAIN_ID, 1, Address::with_last_byte(1), Bytes::new()));
    let first = result(addr, "eth_sendRawTransaction", json!([first])).await;
    let second = result(addr, "eth_sendRawTransaction", json!([second])).await;
    assert_eq!(quantity(&result(addr, "eth_blockNumber", json!([])).await), 0);
    assert_eq!(quantity(&result(addr, "eth_getTransactionCount", json!([dev0, "latest"])).await), 0);
    assert_eq!(quantity(&result(addr, "eth_getTransactionCount", json!([dev0, "pending"])).await), 2);
    let pending = result(addr, "eth_getTransactionByHash", json!([first])).await;
    assert_eq!(pending["blockNumber"], Value::Null);
    assert_eq!(result(addr, "eth_getTransactionReceipt", json!([first])).await, Value::Null);

    result(addr, "evm_mine", json!([])).await;
    let receipt = result(addr, "eth_getTransactionReceipt", json!([second])).await;
    assert_eq!(quantity(&receipt["blockNumber"]), 1);
    assert_eq!(quantity(&receipt["transactionIndex"]), 2);
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen.extend(result(addr, "eth_getFilterChanges", json!([filter])).await.as_array().unwrap().clone());
        if seen.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen, vec![first, second]);
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_subscribers_see_real_blocks_and_logs() {
    let (handle, backend) = start().await;
    let addr = handle.local_addr();
    let client = WsClientBuilder::default().build(handle.ws_url()).await.unwrap();
    let mut heads: Subscription<Value> =
        client.subscribe("eth_subscribe", rpc_params!["newHeads"], "eth_unsubscribe").await.unwrap();

    let logger_code = alloy_primitives::hex::decode(LOGGER_RUNTIME).unwrap();
    let deploy = result(
        addr,
        "eth_sendTransaction",
        json!([{
            "from": signer(DEV_KEY_0).address(), "data": init_code(&logger_code)
        }]),
    )
    .await;
    let receipt = result(addr, "eth_getTransactionReceipt", json!([deploy])).await;
    let logger: Address = receipt["contractAddress"].as_str().unwrap().parse().unwrap();
    let head = tokio::time::timeout(Duration::from_secs(10), heads.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(quantity(&head["number"]), 1);
    assert_eq!(head["hash"], receipt["blockHash"]);

    let mut logs: Subscription<Value> = client
        .subscribe("eth_subscribe", rpc_params!["logs", json!({"address": logger})], "eth_unsubscribe")
        .await
        .unwrap();
    let filter = result(addr, "eth_newFilter", json!([{"address": logger}])).await;
    let word = B256::with_last_byte(0x31);
    let call = result(
        addr,
        "eth_sendTransaction",
        json!([{
            "from": signer(DEV_KEY_0).address(), "to": logger, "data": word
        }]),
    )
    .await;
    let log = tokio::time::timeout(Duration::from_secs(10), logs.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(log["transactionHash"], call);
    assert_eq!(log["data"], json!(word));
    let mut polled = Value::Null;
    for _ in 0..100 {
        polled = result(addr, "eth_getFilterChanges", json!([filter])).await;
        if !polled.as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(polled[0]["transactionHash"], call);

    // A rewind takes the block away: subscribers and filters get its log again, flagged removed.
    backend.service().rewind_to(1).unwrap();
    let removed = tokio::time::timeout(Duration::from_secs(10), logs.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(removed["transactionHash"], call);
    assert_eq!(removed["removed"], json!(true));
    let mut polled = Value::Null;
    for _ in 0..100 {
        polled = result(addr, "eth_getFilterChanges", json!([filter])).await;
        if !polled.as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(polled[0]["removed"], json!(true));
    assert_eq!(quantity(&result(addr, "eth_blockNumber", json!([])).await), 1);
    assert_eq!(result(addr, "eth_getTransactionReceipt", json!([call])).await, Value::Null);
    handle.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deposits_only_replacement_reaches_subscribers() {
    let (handle, backend) = start().await;
    let addr = handle.local_addr();
    let client = WsClientBuilder::default().build(handle.ws_url()).await.unwrap();
    let logger_code = alloy_primitives::hex::decode(LOGGER_RUNTIME).unwrap();
    let dev0 = signer(DEV_KEY_0).address();
    let deploy =
        result(addr, "eth_sendTransaction", json!([{"from": dev0, "data": init_code(&logger_code)}])).await;
    let logger = result(addr, "eth_getTransactionReceipt", json!([deploy])).await["contractAddress"].clone();
    let call =
        result(addr, "eth_sendTransaction", json!([{"from": dev0, "to": logger, "data": B256::ZERO}])).await;
    let replaced_number =
        quantity(&result(addr, "eth_getTransactionReceipt", json!([call])).await["blockNumber"]);
    let old_hash = result(addr, "eth_getBlockByNumber", json!(["latest", false])).await["hash"].clone();

    let mut heads: Subscription<Value> =
        client.subscribe("eth_subscribe", rpc_params!["newHeads"], "eth_unsubscribe").await.unwrap();
    let mut logs: Subscription<Value> = client
        .subscribe("eth_subscribe", rpc_params!["logs", json!({"address": logger})], "eth_unsubscribe")
        .await
        .unwrap();
    let outcome = backend.service().replace_with_deposits_only(replaced_number as u64).unwrap();
    assert_eq!(outcome.replaced.len(), 1);

    let removed = tokio::time::timeout(Duration::from_secs(10), logs.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(removed["removed"], json!(true));
    assert_eq!(removed["transactionHash"], call);
    let head = tokio::time::timeout(Duration::from_secs(10), heads.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(quantity(&head["number"]), replaced_number);
    assert_ne!(head["hash"], old_hash);
    let block = result(addr, "eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(block["hash"], head["hash"]);
    assert_eq!(block["transactions"].as_array().unwrap().len(), 1, "only the L1-attributes deposit is left");
    handle.stop().await;
}

/// Signs the transaction inside `eth_fillTransaction`'s `raw` with `key`, as a wallet signs what it was
/// handed; the signed EIP-2718 bytes.
fn sign_filled(key: &str, raw: &Value) -> Bytes {
    use alloy_consensus::SignableTransaction;
    use alloy_eips::{Decodable2718, Encodable2718};
    use alloy_signer::SignerSync;
    use op_alloy_consensus::OpTxEnvelope;

    let bytes: Bytes = raw.as_str().unwrap().parse().unwrap();
    let signer = signer(key);
    let signed = match OpTxEnvelope::decode_2718(&mut bytes.as_ref()).unwrap() {
        OpTxEnvelope::Eip1559(tx) => {
            assert_eq!(tx.signature().r(), U256::ZERO, "raw carries no signature");
            let tx = tx.strip_signature();
            let signature = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
            OpTxEnvelope::Eip1559(tx.into_signed(signature))
        }
        OpTxEnvelope::Legacy(tx) => {
            assert_eq!(tx.signature().s(), U256::ZERO, "raw carries no signature");
            let tx = tx.strip_signature();
            let signature = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
            OpTxEnvelope::Legacy(tx.into_signed(signature))
        }
        other => panic!("unexpected type {other:?}"),
    };
    Bytes::from(signed.encoded_2718())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fill_transaction_fills_what_a_wallet_needs_and_the_signed_result_is_mined() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    let dev0 = signer(DEV_KEY_0).address();
    let target = Address::with_last_byte(0x77);

    // Only sender, recipient and value: everything else comes from the node.
    let filled =
        result(addr, "eth_fillTransaction", json!([{"from": dev0, "to": target, "value": "0x5"}])).await;
    let tx = &filled["tx"];
    assert_eq!(tx["type"], json!("0x2"), "{filled}");
    assert_eq!(quantity(&tx["chainId"]), u128::from(CHAIN_ID));
    assert_eq!(quantity(&tx["nonce"]), 0);
    assert_eq!(quantity(&tx["gas"]), 21_000);
    assert_eq!(quantity(&tx["value"]), 5);
    assert_eq!(tx["to"], json!(target));
    assert_eq!(tx["input"], json!("0x"));
    let tip = quantity(&result(addr, "eth_maxPriorityFeePerGas", json!([])).await);
    assert_eq!(quantity(&tx["maxPriorityFeePerGas"]), tip);
    let next_base_fee =
        quantity(&result(addr, "eth_feeHistory", json!(["0x1", "latest", []])).await["baseFeePerGas"][1]);
    assert_eq!(
        quantity(&tx["maxFeePerGas"]),
        2 * next_base_fee + tip,
        "twice the next base fee plus the tip"
    );
    assert_eq!(quantity(&tx["r"]), 0, "unsigned");
    assert_eq!(quantity(&tx["s"]), 0, "unsigned");

    // The wallet signs the filled transaction and sends it: it is mined as filled.
    let hash = result(addr, "eth_sendRawTransaction", json!([sign_filled(DEV_KEY_0, &filled["raw"])])).await;
    let receipt = result(addr, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["status"], json!("0x1"), "{receipt}");
    assert_eq!(quantity(&result(addr, "eth_getBalance", json!([target, "latest"])).await), 5);

    // The next fill takes the next nonce, counting transactions still waiting in the pool.
    result(addr, "evm_setAutomine", json!([false])).await;
    let waiting = sign(DEV_KEY_0, TxFields::call(CHAIN_ID, 1, target, Bytes::new()));
    result(addr, "eth_sendRawTransaction", json!([waiting])).await;
    let filled = result(addr, "eth_fillTransaction", json!([{"from": dev0, "to": target}])).await;
    assert_eq!(quantity(&filled["tx"]["nonce"]), 2, "{filled}");
    result(addr, "evm_setAutomine", json!([true])).await;

    // Fields the request gives are kept: a gasPrice asks for a legacy transaction.
    let request = json!({"from": dev0, "to": target, "nonce": "0x9", "gas": "0x7530", "gasPrice": "0x3b9aca00", "data": "0x1234"});
    let filled = result(addr, "eth_fillTransaction", json!([request])).await;
    let tx = &filled["tx"];
    assert_eq!(tx["type"], json!("0x0"), "{filled}");
    assert_eq!(quantity(&tx["nonce"]), 9);
    assert_eq!(quantity(&tx["gas"]), 30_000);
    assert_eq!(quantity(&tx["gasPrice"]), 1_000_000_000);
    assert_eq!(tx["input"], json!("0x1234"));
    assert!(tx.get("maxFeePerGas").is_none(), "{filled}");
    assert_eq!(quantity(&tx["chainId"]), u128::from(CHAIN_ID), "EIP-155 protected");

    // A contract creation is estimated from its code, and nothing is sent by filling.
    let deploy = json!({"from": dev0, "data": init_code(&hex_bytes(LOGGER_RUNTIME))});
    let filled = result(addr, "eth_fillTransaction", json!([deploy])).await;
    assert!(filled["tx"]["to"].is_null(), "{filled}");
    assert!(quantity(&filled["tx"]["gas"]) > 53_000, "a creation costs more than 53,000 gas: {filled}");
    let count = result(addr, "eth_getTransactionCount", json!([dev0, "pending"])).await;
    assert_eq!(quantity(&count), 2, "filling sent nothing");
    handle.stop().await;
}

fn hex_bytes(text: &str) -> Vec<u8> {
    alloy_primitives::hex::decode(text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fill_transaction_refuses_bad_requests_with_clear_errors() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    let dev0 = signer(DEV_KEY_0).address();
    let target = Address::with_last_byte(0x77);
    let refused = |request: Value| async move { error(addr, "eth_fillTransaction", json!([request])).await };

    let err = refused(json!({"from": dev0, "to": target, "gasPrice": "0x1", "maxFeePerGas": "0x2"})).await;
    assert_eq!(err["code"], json!(-32602));
    assert_eq!(
        err["message"],
        json!("invalid params: both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
    );
    let err =
        refused(json!({"from": dev0, "to": target, "maxFeePerGas": "0x1", "maxPriorityFeePerGas": "0x2"}))
            .await;
    assert_eq!(err["message"], json!("invalid params: maxFeePerGas (1) < maxPriorityFeePerGas (2)"));
    let err = refused(json!({"from": dev0, "to": target, "chainId": "0x1"})).await;
    assert_eq!(err["message"], json!("invalid params: chainId does not match node's (have=1, want=901)"));
    let err = refused(json!({"from": dev0, "to": target, "data": "0x01", "input": "0x02"})).await;
    assert!(err["message"].as_str().unwrap().contains("both \"data\" and \"input\" are set"), "{err}");
    let err = refused(json!({"from": dev0})).await;
    assert_eq!(err["message"], json!("invalid params: contract creation without any data provided"));
    for unfillable in [
        json!({"from": dev0, "to": target, "type": "0x3"}),
        json!({"from": dev0, "to": target, "type": "0x7e"}),
        json!({"from": dev0, "to": target, "maxFeePerBlobGas": "0x1"}),
        json!({"from": dev0, "to": target, "authorizationList": []}),
        json!({"from": dev0, "to": target, "type": "0x0", "maxFeePerGas": "0x1"}),
        json!({"from": dev0, "to": target, "type": "0x2", "gasPrice": "0x1"}),
    ] {
        let err = refused(unfillable.clone()).await;
        assert_eq!(err["code"], json!(-32602), "{unfillable}: {err}");
    }
    // Not a transaction object at all.
    let err = error(addr, "eth_fillTransaction", json!(["0x1234"])).await;
    assert_eq!(err["code"], json!(-32602), "{err}");

    // A call that reverts cannot be estimated: the revert reaches the client as code 3 with its data, as for
    // eth_estimateGas (viem then reports it instead of falling back to other methods).
    let reverter = Address::with_last_byte(0xee);
    let data = Revert::from("no").abi_encode();
    result(addr, "anvil_setCode", json!([reverter, reverting_runtime(&data)])).await;
    let err = refused(json!({"from": dev0, "to": reverter})).await;
    assert_eq!(err["code"], json!(3), "{err}");
    assert_eq!(err["data"], json!(Bytes::from(data).to_string()));
    // More value than the sender has.
    let err = refused(
        json!({"from": dev0, "to": target, "value": format!("{:#x}", dev_balance() + U256::from(1))}),
    )
    .await;
    assert_eq!(err["code"], json!(-32000), "{err}");
    assert!(err["message"].as_str().unwrap().contains("insufficient funds"), "{err}");
    handle.stop().await;
}
