//! The whole server over HTTP and WebSocket against the real chain (`superlink-chain` on op-revm behind a
//! `superlink-node` service): every method, as a client reads the JSON it gets back. The called contract is
//! an echo: it logs its calldata (topic: the calldata's hash) and returns it, or reverts with the rest of the
//! calldata when it starts with [`REVERT_SELECTOR`].

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::{sync::Arc, time::Duration};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::{Revert, SolError};
use jsonrpsee::{
    core::client::{Subscription, SubscriptionClientT},
    rpc_params,
    ws_client::WsClientBuilder,
};
use serde_json::{Value, json};
use superlink_chain::{Chain, ChainConfig, Genesis, GenesisAccount, L1Attributes};
use superlink_protocol::predeploys::{L1_INFO_DEPOSITOR, SEQUENCER_FEE_VAULT};
use superlink_rpc::{ChainBackend, ChainService, RpcConfig, RpcServerHandle, serve, serve_with_config};
use support::*;

const CHAIN_ID: u64 = 901;
const GENESIS_TIME: u64 = 1_700_000_000;

/// Calldata that starts with these bytes makes the echo contract revert with the rest.
const REVERT_SELECTOR: [u8; 4] = [0xde, 0xad, 0xbe, 0xef];

/// The echo contract's runtime: copies the calldata to memory; reverts with calldata[4..] when its first four
/// bytes are [`REVERT_SELECTOR`]; else emits LOG1(topic = keccak256(calldata), data = calldata) and returns
/// the calldata.
fn echo_runtime() -> Bytes {
    let mut code = vec![
        0x36, 0x60, 0x00, 0x60, 0x00, 0x37, // CALLDATACOPY(0, 0, CALLDATASIZE)
        0x60, 0x00, 0x51, 0x60, 0xe0, 0x1c, // MLOAD(0) >> 224: the first four bytes
        0x63, // PUSH4 the selector
    ];
    code.extend_from_slice(&REVERT_SELECTOR);
    code.extend_from_slice(&[
        0x14, 0x60, 0x21, 0x57, // EQ, JUMPI to the revert at 0x21
        0x36, 0x60, 0x00, 0x20, // KECCAK256(0, CALLDATASIZE)
        0x36, 0x60, 0x00, 0xa1, // LOG1(0, CALLDATASIZE, hash)
        0x36, 0x60, 0x00, 0xf3, // RETURN(0, CALLDATASIZE)
        0x5b, 0x60, 0x04, 0x36, 0x03, // JUMPDEST, CALLDATASIZE - 4
        0x60, 0x04, 0xfd, // REVERT(4, CALLDATASIZE - 4)
    ]);
    code.into()
}

/// Runtime that reads its own storage slot 7 and stops.
const SLOT_READER_RUNTIME: [u8; 4] = [0x60, 0x07, 0x54, 0x00]; // SLOAD(7), STOP

/// Where the slot reader lives (outside the precompile range, which access lists leave out).
fn slot_reader() -> Address {
    Address::repeat_byte(0x79)
}

/// Runtime that calls the slot reader with no data and stops.
fn caller_runtime() -> Bytes {
    let mut code = vec![0x60, 0x20, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x73]; // out, in, value
    code.extend_from_slice(slot_reader().as_slice()); // PUSH20 the slot reader
    code.extend_from_slice(&[0x5a, 0xf1, 0x00]); // GAS, CALL, STOP
    code.into()
}

/// Where the caller of the slot reader lives.
fn slot_reader_caller() -> Address {
    Address::repeat_byte(0x7a)
}

/// The time every block mined on request counts from in [`start_on_fixed_clock`].
const FIXED_NOW: u64 = GENESIS_TIME + 1_000;

/// Runtime that returns its block number and its own balance, two words.
const NUMBER_AND_BALANCE_RUNTIME: &str = "0x436000524760205260406000f3";

fn dev_address(key: &str) -> Address {
    signer(key).address()
}

/// A chain with the predeploys, two funded dev accounts and the echo contract at [`target`].
fn chain() -> Chain {
    let mut genesis = Genesis::new(CHAIN_ID, GENESIS_TIME)
        .with_alloc(superlink_contracts::genesis::predeploy_allocs(CHAIN_ID))
        .with_account(target(), GenesisAccount { code: echo_runtime(), ..GenesisAccount::default() })
        .with_account(
            slot_reader(),
            GenesisAccount { code: Bytes::from_static(&SLOT_READER_RUNTIME), ..GenesisAccount::default() },
        )
        .with_account(
            slot_reader_caller(),
            GenesisAccount { code: caller_runtime(), ..GenesisAccount::default() },
        );
    for key in [DEV_KEY_0, DEV_KEY_1] {
        genesis = genesis.with_account(
            dev_address(key),
            GenesisAccount { balance: U256::from(10u128.pow(22)), ..GenesisAccount::default() },
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

fn backend() -> Arc<ChainBackend> {
    Arc::new(ChainBackend::new(chain(), vec![signer(DEV_KEY_0), signer(DEV_KEY_1)]))
}

/// The server over a chain whose blocks mined on request count their time from [`FIXED_NOW`], not the wall
/// clock.
async fn start_on_fixed_clock() -> RpcServerHandle {
    let service = ChainService::new(chain()).with_time_source(Arc::new(|| FIXED_NOW));
    let backend = ChainBackend::over(Arc::new(service), vec![signer(DEV_KEY_0), signer(DEV_KEY_1)]);
    serve("127.0.0.1:0", Arc::new(backend)).await.unwrap()
}

async fn start() -> (RpcServerHandle, Arc<ChainBackend>) {
    let backend = backend();
    let handle = serve("127.0.0.1:0", backend.clone()).await.unwrap();
    (handle, backend)
}

fn target() -> Address {
    Address::with_last_byte(0x77)
}

/// Sends a signed call from dev key 0 and returns its hash.
async fn send_call(handle: &RpcServerHandle, nonce: u64, input: &[u8]) -> String {
    let raw = sign(DEV_KEY_0, TxFields::call(CHAIN_ID, nonce, target(), Bytes::copy_from_slice(input)));
    result(handle.local_addr(), "eth_sendRawTransaction", json!([raw])).await.as_str().unwrap().to_string()
}

#[tokio::test]
async fn identity_methods_answer_like_geth() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    assert_eq!(quantity(&result(addr, "eth_chainId", json!([])).await), u128::from(CHAIN_ID));
    assert_eq!(result(addr, "net_version", json!([])).await, json!(CHAIN_ID.to_string()));
    assert_eq!(result(addr, "net_listening", json!([])).await, json!(true));
    let version = result(addr, "web3_clientVersion", json!([])).await;
    assert_eq!(version, json!(format!("superlink/{}", env!("CARGO_PKG_VERSION"))));
    assert_eq!(result(addr, "eth_syncing", json!([])).await, json!(false));
    assert_eq!(quantity(&result(addr, "eth_blockNumber", json!([])).await), 0);
    let coinbase: Address = serde_json::from_value(result(addr, "eth_coinbase", json!([])).await).unwrap();
    assert_eq!(coinbase, SEQUENCER_FEE_VAULT, "genesis has no builder: the fee vault");
    let accounts: Vec<Address> =
        serde_json::from_value(result(addr, "eth_accounts", json!([])).await).unwrap();
    assert_eq!(accounts, vec![dev_address(DEV_KEY_0), dev_address(DEV_KEY_1)]);
    let gas_price = quantity(&result(addr, "eth_gasPrice", json!([])).await);
    let tip = quantity(&result(addr, "eth_maxPriorityFeePerGas", json!([])).await);
    assert!(gas_price > tip && tip > 0);
    let sha = result(addr, "web3_sha3", json!(["0x68656c6c6f"])).await;
    assert_eq!(sha, json!(keccak256("hello").to_string()));
    handle.stop().await;
}

#[tokio::test]
async fn a_sent_transaction_is_visible_through_every_lookup() {
    let (handle, backend) = start().await;
    let addr = handle.local_addr();
    let sender = dev_address(DEV_KEY_0);
    let balance_before = quantity256(&result(addr, "eth_getBalance", json!([sender, "latest"])).await);
    let input = [0x12u8, 0x34, 0x56];
    let hash = send_call(&handle, 0, &input).await;

    // The receipt: status, OP L1 fee fields (the chain's own figures), the log the contract emits.
    let receipt = result(addr, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["status"], json!("0x1"));
    assert_eq!(receipt["transactionHash"], json!(hash));
    assert_eq!(receipt["from"].as_str().unwrap().parse::<Address>().unwrap(), sender);
    let mined = backend.service().read().block(alloy_eips::BlockId::latest()).unwrap();
    let fee = mined.transactions[1].l1_fee.unwrap();
    assert!(fee.l1_fee > U256::ZERO, "the L1 origin charges for data");
    assert_eq!(quantity256(&receipt["l1Fee"]), fee.l1_fee);
    assert_eq!(quantity256(&receipt["l1GasUsed"]), fee.l1_gas_used);
    assert!(receipt.get("l1GasUsed").is_some() && receipt.get("l1GasPrice").is_some());
    assert_eq!(receipt["type"], json!("0x2"));
    assert_eq!(quantity(&receipt["transactionIndex"]), 1, "index 0 is the L1-attributes deposit");
    let block_number = quantity(&receipt["blockNumber"]);
    let block_hash = receipt["blockHash"].as_str().unwrap().to_string();
    let logs = receipt["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0]["topics"][0], json!(keccak256(input).to_string()));
    assert_eq!(logs[0]["data"], json!("0x123456"));
    assert_eq!(logs[0]["blockHash"], json!(block_hash));

    // The transaction.
    let tx = result(addr, "eth_getTransactionByHash", json!([hash])).await;
    assert_eq!(tx["hash"], json!(hash));
    assert_eq!(tx["input"], json!("0x123456"));
    assert_eq!(quantity(&tx["nonce"]), 0);
    assert_eq!(tx["blockHash"], json!(block_hash));

    // The block, by number and by hash, with hashes or full transactions.
    let by_number = result(addr, "eth_getBlockByNumber", json!([format!("{block_number:#x}"), false])).await;
    assert_eq!(by_number["hash"], json!(block_hash));
    assert_eq!(by_number["transactions"][1], json!(hash));
    let full = result(addr, "eth_getBlockByHash", json!([block_hash, true])).await;
    assert_eq!(full["transactions"][1]["hash"], json!(hash));
    assert_eq!(quantity(&full["number"]), block_number);
    let deposit = &full["transactions"][0];
    assert_eq!(deposit["type"], json!("0x7e"));
    assert!(deposit["sourceHash"].is_string(), "deposit carries sourceHash: {deposit}");
    // `isSystemTx` is written only when true (as op-geth does); ours are regular deposits.
    assert!(deposit.get("isSystemTx").is_none_or(|v| v == &json!(false)), "{deposit}");
    assert_eq!(deposit["from"].as_str().unwrap().parse::<Address>().unwrap(), L1_INFO_DEPOSITOR);
    assert!(deposit.get("mint").is_some(), "deposit carries mint: {deposit}");

    // Counts and positional lookups.
    let count = result(addr, "eth_getBlockTransactionCountByNumber", json!(["latest"])).await;
    assert_eq!(quantity(&count), 2);
    let count = result(addr, "eth_getBlockTransactionCountByHash", json!([block_hash])).await;
    assert_eq!(quantity(&count), 2);
    let by_index = result(addr, "eth_getTransactionByBlockNumberAndIndex", json!(["latest", "0x1"])).await;
    assert_eq!(by_index["hash"], json!(hash));
    let by_index = result(addr, "eth_getTransactionByBlockHashAndIndex", json!([block_hash, "0x1"])).await;
    assert_eq!(by_index["hash"], json!(hash));
    let missing = result(addr, "eth_getTransactionByBlockHashAndIndex", json!([block_hash, "0x9"])).await;
    assert_eq!(missing, Value::Null);

    // Block receipts: the deposit receipt carries depositNonce and depositReceiptVersion.
    let receipts = result(addr, "eth_getBlockReceipts", json!(["latest"])).await;
    let receipts = receipts.as_array().unwrap();
    assert_eq!(receipts.len(), 2);
    assert!(receipts[0].get("depositNonce").is_some(), "{}", receipts[0]);
    assert_eq!(receipts[0]["depositReceiptVersion"], json!("0x1"));
    assert_eq!(receipts[1]["transactionHash"], json!(hash));

    // State.
    let balance_after = quantity256(&result(addr, "eth_getBalance", json!([sender, "latest"])).await);
    assert!(balance_after < balance_before);
    assert_eq!(quantity(&result(addr, "eth_getTransactionCount", json!([sender, "latest"])).await), 1);
    assert_eq!(quantity(&result(addr, "eth_getTransactionCount", json!([sender, "pending"])).await), 1);
    assert_eq!(quantity(&result(addr, "eth_getTransactionCount", json!([sender])).await), 1);

    // Unknown things are null.
    let unknown = B256::with_last_byte(1);
    assert_eq!(result(addr, "eth_getTransactionByHash", json!([unknown])).await, Value::Null);
    assert_eq!(result(addr, "eth_getTransactionReceipt", json!([unknown])).await, Value::Null);
    assert_eq!(result(addr, "eth_getBlockByHash", json!([unknown, false])).await, Value::Null);
    assert_eq!(result(addr, "eth_getBlockByNumber", json!(["0x99", false])).await, Value::Null);
    assert_eq!(result(addr, "eth_getBlockReceipts", json!(["0x99"])).await, Value::Null);
    handle.stop().await;
}

#[tokio::test]
async fn logs_are_found_by_hash_range_address_and_topic() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    send_call(&handle, 0, b"first").await;
    send_call(&handle, 1, b"second").await;
    let all = result(addr, "eth_getLogs", json!([{"fromBlock": "earliest", "toBlock": "latest"}])).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let topic = keccak256(b"second");
    let by_topic = result(addr, "eth_getLogs", json!([{"fromBlock": "0x0", "topics": [topic]}])).await;
    assert_eq!(by_topic.as_array().unwrap().len(), 1);
    assert_eq!(by_topic[0]["topics"][0], json!(topic.to_string()));
    let block_hash = by_topic[0]["blockHash"].clone();
    let by_hash = result(addr, "eth_getLogs", json!([{"blockHash": block_hash}])).await;
    assert_eq!(by_hash, by_topic);
    let other_address =
        result(addr, "eth_getLogs", json!([{"fromBlock": "0x0", "address": Address::ZERO}])).await;
    assert_eq!(other_address, json!([]));
    let by_address = result(addr, "eth_getLogs", json!([{"fromBlock": "0x0", "address": [target()]}])).await;
    assert_eq!(by_address.as_array().unwrap().len(), 2);
    // Default range is the latest block only.
    let latest_only = result(addr, "eth_getLogs", json!([{}])).await;
    assert_eq!(latest_only, by_topic);
    handle.stop().await;
}

#[tokio::test]
async fn log_range_wider_than_the_limit_is_refused_clearly() {
    let backend = backend();
    let config = RpcConfig { max_log_block_range: 3, ..RpcConfig::default() };
    let handle = serve_with_config("127.0.0.1:0", backend, config).await.unwrap();
    let addr = handle.local_addr();
    result(addr, "anvil_mine", json!(["0x5"])).await;
    let err = error(addr, "eth_getLogs", json!([{"fromBlock": "0x0", "toBlock": "latest"}])).await;
    assert_eq!(err["code"], json!(-32005));
    assert!(err["message"].as_str().unwrap().contains("6 blocks requested, at most 3"), "{err}");
    assert_eq!(result(addr, "eth_getLogs", json!([{"fromBlock": "0x3", "toBlock": "0x5"}])).await, json!([]));
    let err = error(addr, "eth_getLogs", json!([{"fromBlock": "0x4", "toBlock": "0x2"}])).await;
    assert_eq!(err["code"], json!(-32602));
    handle.stop().await;
}

#[tokio::test]
async fn pool_rejections_carry_geths_messages() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    send_call(&handle, 0, b"a").await;
    send_call(&handle, 1, b"b").await;

    let stale = sign(DEV_KEY_0, TxFields::call(CHAIN_ID, 0, target(), Bytes::new()));
    let err = error(addr, "eth_sendRawTransaction", json!([stale])).await;
    assert_eq!(err["code"], json!(-32000));
    assert_eq!(err["message"], json!("nonce too low: next nonce 2, tx nonce 0"));

    let mut rich = TxFields::call(CHAIN_ID, 2, target(), Bytes::new());
    rich.value = U256::from(10u128.pow(24));
    let err = error(addr, "eth_sendRawTransaction", json!([sign(DEV_KEY_0, rich)])).await;
    assert!(
        err["message"].as_str().unwrap().starts_with("insufficient funds for gas * price + value"),
        "{err}"
    );

    let mut starved = TxFields::call(CHAIN_ID, 2, target(), Bytes::new());
    starved.gas_limit = 20_000;
    let err = error(addr, "eth_sendRawTransaction", json!([sign(DEV_KEY_0, starved)])).await;
    assert!(err["message"].as_str().unwrap().starts_with("intrinsic gas too low"), "{err}");

    // A transaction waiting for an earlier nonce stays in the pool: sent again, it is already known.
    let raw = sign(DEV_KEY_0, TxFields::call(CHAIN_ID, 5, target(), Bytes::new()));
    result(addr, "eth_sendRawTransaction", json!([raw])).await;
    let err = error(addr, "eth_sendRawTransaction", json!([raw])).await;
    assert_eq!(err["message"], json!("already known"));

    let err = error(addr, "eth_sendRawTransaction", json!(["0x02c0"])).await;
    assert_eq!(err["code"], json!(-32000));
    handle.stop().await;
}

#[tokio::test]
async fn reverts_are_code_3_with_reason_and_data() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    let reason = Revert::from("not the owner").abi_encode();
    let mut input = REVERT_SELECTOR.to_vec();
    input.extend_from_slice(&reason);
    let request = json!({"to": target(), "data": Bytes::from(input)});
    let err = error(addr, "eth_call", json!([request, "latest"])).await;
    assert_eq!(err["code"], json!(3));
    assert_eq!(err["message"], json!("execution reverted: not the owner"));
    assert_eq!(err["data"], json!(Bytes::from(reason).to_string()));

    // A custom error: no reason, the selector in `data`.
    let custom = keccak256("NotInAccessList()")[..4].to_vec();
    let mut input = REVERT_SELECTOR.to_vec();
    input.extend_from_slice(&custom);
    let request = json!({"to": target(), "input": Bytes::from(input)});
    let err = error(addr, "eth_estimateGas", json!([request])).await;
    assert_eq!(err["code"], json!(3));
    assert_eq!(err["message"], json!("execution reverted"));
    assert_eq!(err["data"], json!(Bytes::from(custom).to_string()));

    // A successful call returns the echo; state and block overrides apply to that call only.
    let request = json!({"to": target(), "data": "0xabcdef"});
    assert_eq!(result(addr, "eth_call", json!([request, "latest"])).await, json!("0xabcdef"));
    let probe = Address::with_last_byte(0x78);
    let probing = json!({"to": probe});
    let overrides = json!({ probe.to_string(): {"balance": "0x1", "code": NUMBER_AND_BALANCE_RUNTIME} });
    let block_overrides = json!({"number": "0x10", "time": "0x20"});
    let output = result(addr, "eth_call", json!([probing, "latest", overrides, block_overrides])).await;
    let expected = [U256::from(16).to_be_bytes::<32>(), U256::from(1).to_be_bytes::<32>()].concat();
    assert_eq!(output, json!(Bytes::from(expected).to_string()));
    assert_eq!(result(addr, "eth_getCode", json!([probe, "latest"])).await, json!("0x"));

    let gas = result(addr, "eth_estimateGas", json!([request])).await;
    assert!(quantity(&gas) >= 21_000);
    // The list names the contract the callee calls, with the slot it reads.
    let reads_slot = json!({"to": slot_reader_caller()});
    let list = result(addr, "eth_createAccessList", json!([reads_slot, "latest"])).await;
    assert_eq!(list["accessList"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["accessList"][0]["address"].as_str().unwrap().parse::<Address>().unwrap(), slot_reader());
    assert_eq!(list["accessList"][0]["storageKeys"], json!([B256::with_last_byte(7)]));
    assert!(quantity(&list["gasUsed"]) > 0);
    handle.stop().await;
}

#[tokio::test]
async fn malformed_requests_get_the_right_codes_and_the_server_keeps_serving() {
    let backend = backend();
    let config = RpcConfig { max_request_body_size: 4096, ..RpcConfig::default() };
    let handle = serve_with_config("127.0.0.1:0", backend, config).await.unwrap();
    let addr = handle.local_addr();

    let reply = post_raw(addr, "{not json").await;
    assert_eq!(reply["error"]["code"], json!(-32700));
    let reply = post_raw(addr, r#"{"jsonrpc":"2.0","id":1}"#).await;
    assert_eq!(reply["error"]["code"], json!(-32600));
    let err = error(addr, "eth_noSuchMethod", json!([])).await;
    assert_eq!(err["code"], json!(-32601));
    let err = error(addr, "eth_getBalance", json!(["0xnothex", "latest"])).await;
    assert_eq!(err["code"], json!(-32602));
    let err = error(addr, "eth_getBalance", json!([Address::ZERO, "latests"])).await;
    assert_eq!(err["code"], json!(-32602));
    let err = error(addr, "eth_getBlockByNumber", json!(["0xzz", false])).await;
    assert_eq!(err["code"], json!(-32602));
    let err = error(addr, "eth_getTransactionByHash", json!(["0x1234"])).await;
    assert_eq!(err["code"], json!(-32602));

    let huge = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"eth_call","params":[{{"data":"0x{}"}}]}}"#,
        "00".repeat(8192)
    );
    let reply = http(addr, "POST", &huge, &[]).await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json()["error"]["code"], json!(-32007));

    // Still serving, and a batch works.
    let batch =
        r#"[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"nope"}]"#;
    let replies = post_raw(addr, batch).await;
    let replies = replies.as_array().unwrap();
    assert_eq!(replies.len(), 2);
    assert!(replies.iter().any(|r| r["result"] == json!(format!("{CHAIN_ID:#x}"))));
    assert!(replies.iter().any(|r| r["error"]["code"] == json!(-32601)));
    handle.stop().await;
}

#[tokio::test]
async fn cors_is_open_for_browsers() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    let preflight = http(
        addr,
        "OPTIONS",
        "",
        &[
            ("Origin", "http://localhost:3000"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
    )
    .await;
    assert!(preflight.status == 200 || preflight.status == 204, "{preflight:?}");
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight.header("access-control-allow-methods").unwrap().contains("POST"));
    assert_eq!(preflight.header("access-control-allow-headers"), Some("content-type"));
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#;
    let reply = http(addr, "POST", body, &[("Origin", "http://localhost:3000")]).await;
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert_eq!(reply.json()["result"], json!(format!("{CHAIN_ID:#x}")));
    handle.stop().await;
}

#[tokio::test]
async fn block_tags_and_eip1898_block_ids_resolve() {
    let (handle, backend) = start().await;
    let addr = handle.local_addr();
    result(addr, "anvil_mine", json!(["0x4"])).await;
    {
        let mut chain = backend.service().write();
        chain.set_safe(3).unwrap();
        chain.set_finalized(2).unwrap();
    }
    let number = |block: Value| quantity(&block["number"]);
    assert_eq!(number(result(addr, "eth_getBlockByNumber", json!(["latest", false])).await), 4);
    // `pending` is the block the chain would build next, on the head.
    assert_eq!(number(result(addr, "eth_getBlockByNumber", json!(["pending", false])).await), 5);
    assert_eq!(number(result(addr, "eth_getBlockByNumber", json!(["safe", false])).await), 3);
    assert_eq!(number(result(addr, "eth_getBlockByNumber", json!(["finalized", false])).await), 2);
    assert_eq!(number(result(addr, "eth_getBlockByNumber", json!(["earliest", false])).await), 0);

    let sender = dev_address(DEV_KEY_0);
    let snapshot = result(addr, "evm_snapshot", json!([])).await;
    send_call(&handle, 0, b"soon orphaned").await;
    let orphan = result(addr, "eth_getBlockByNumber", json!(["latest", false])).await["hash"].clone();
    let by_hash = json!({"blockHash": orphan});
    result(addr, "eth_getBalance", json!([sender, by_hash])).await;
    assert_eq!(result(addr, "evm_revert", json!([snapshot])).await, json!(true));

    // The reverted block is no longer canonical: requireCanonical refuses it.
    let canonical_only = json!({"blockHash": orphan, "requireCanonical": true});
    let err = error(addr, "eth_getBalance", json!([sender, canonical_only])).await;
    assert_eq!(err["code"], json!(-32000));
    let head = result(addr, "eth_getBlockByNumber", json!(["latest", false])).await["hash"].clone();
    let canonical = json!({"blockHash": head, "requireCanonical": true});
    result(addr, "eth_getBalance", json!([sender, canonical])).await;
    let by_number = json!({"blockNumber": "0x1"});
    result(addr, "eth_getCode", json!([target(), by_number])).await;

    let err = error(addr, "eth_getBalance", json!([sender, "0x99"])).await;
    assert_eq!(err["code"], json!(-32000));
    assert_eq!(err["message"], json!("header not found"));
    handle.stop().await;
}

#[tokio::test]
async fn fee_history_and_proofs() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    result(addr, "anvil_mine", json!(["0x3"])).await;
    let history = result(addr, "eth_feeHistory", json!(["0x2", "latest", [25.0, 75.0]])).await;
    assert_eq!(quantity(&history["oldestBlock"]), 2);
    assert_eq!(history["baseFeePerGas"].as_array().unwrap().len(), 3);
    assert_eq!(history["gasUsedRatio"].as_array().unwrap().len(), 2);
    assert_eq!(history["reward"][0].as_array().unwrap().len(), 2);
    // Quantities may come as JSON numbers too (as `cast rpc` sends them).
    let history = result(addr, "eth_feeHistory", json!([2, "latest", []])).await;
    assert_eq!(quantity(&history["oldestBlock"]), 2);
    assert!(history.get("reward").is_none_or(Value::is_null));
    result(addr, "anvil_mine", json!([2, 10])).await;
    assert_eq!(quantity(&result(addr, "eth_blockNumber", json!([])).await), 5);
    let err = error(addr, "eth_feeHistory", json!(["0x2", "latest", [75.0, 25.0]])).await;
    assert_eq!(err["code"], json!(-32602));

    let slot = B256::with_last_byte(3);
    let value = B256::with_last_byte(0x42);
    assert_eq!(result(addr, "anvil_setStorageAt", json!([target(), slot, value])).await, json!(true));
    let proof = result(addr, "eth_getProof", json!([target(), [slot], "latest"])).await;
    assert_eq!(proof["address"].as_str().unwrap().parse::<Address>().unwrap(), target());
    assert_eq!(quantity(&proof["storageProof"][0]["value"]), 0x42);
    handle.stop().await;
}

#[tokio::test]
async fn polling_filters_collect_blocks_logs_and_pending_transactions() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    let blocks = result(addr, "eth_newBlockFilter", json!([])).await;
    let logs = result(addr, "eth_newFilter", json!([{"address": target()}])).await;
    let pending = result(addr, "eth_newPendingTransactionFilter", json!([])).await;
    assert_ne!(blocks, logs);

    result(addr, "evm_mine", json!([])).await;
    let hash = send_call(&handle, 0, b"watched").await;
    // Events travel through a channel: wait until the block filter saw both blocks.
    let mut seen = Vec::new();
    for _ in 0..100 {
        let changes = result(addr, "eth_getFilterChanges", json!([blocks])).await;
        seen.extend(changes.as_array().unwrap().iter().cloned());
        if seen.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1], result(addr, "eth_getBlockByNumber", json!(["latest", false])).await["hash"]);

    let log_changes = result(addr, "eth_getFilterChanges", json!([logs])).await;
    assert_eq!(log_changes.as_array().unwrap().len(), 1);
    assert_eq!(log_changes[0]["transactionHash"], json!(hash));
    assert_eq!(result(addr, "eth_getFilterChanges", json!([logs])).await, json!([]));
    let all_logs = result(addr, "eth_getFilterLogs", json!([logs])).await;
    assert_eq!(all_logs.as_array().unwrap().len(), 1, "the filter's default range is the latest block");
    assert_eq!(result(addr, "eth_getFilterChanges", json!([pending])).await, json!([hash]));
    let err = error(addr, "eth_getFilterLogs", json!([blocks])).await;
    assert_eq!(err["code"], json!(-32000));

    assert_eq!(result(addr, "eth_uninstallFilter", json!([logs])).await, json!(true));
    assert_eq!(result(addr, "eth_uninstallFilter", json!([logs])).await, json!(false));
    let err = error(addr, "eth_getFilterChanges", json!([logs])).await;
    assert_eq!(err["message"], json!("filter not found"));
    handle.stop().await;
}

#[tokio::test]
async fn idle_filters_expire_and_polled_ones_stay() {
    let backend = backend();
    let timeout = Duration::from_secs(1);
    let config = RpcConfig { filter_idle_timeout: timeout, ..RpcConfig::default() };
    let handle = serve_with_config("127.0.0.1:0", backend, config).await.unwrap();
    let addr = handle.local_addr();
    let idle = result(addr, "eth_newBlockFilter", json!([])).await;
    let created = std::time::Instant::now();
    let polled = result(addr, "eth_newBlockFilter", json!([])).await;
    // Poll one filter often (far more often than its timeout, even on a loaded machine) until the other has
    // been left alone for well over the timeout.
    while created.elapsed() < timeout * 5 / 2 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        result(addr, "eth_getFilterChanges", json!([polled])).await;
    }
    let err = error(addr, "eth_getFilterChanges", json!([idle])).await;
    assert_eq!(err["message"], json!("filter not found"));
    handle.stop().await;
}

#[tokio::test]
async fn websocket_subscriptions_deliver_heads_logs_and_pending_transactions() {
    let (handle, _) = start().await;
    let client = WsClientBuilder::default().build(handle.ws_url()).await.unwrap();
    let mut heads: Subscription<Value> =
        client.subscribe("eth_subscribe", rpc_params!["newHeads"], "eth_unsubscribe").await.unwrap();
    let mut logs: Subscription<Value> = client
        .subscribe("eth_subscribe", rpc_params!["logs", json!({"address": target()})], "eth_unsubscribe")
        .await
        .unwrap();
    let mut unrelated_logs: Subscription<Value> = client
        .subscribe("eth_subscribe", rpc_params!["logs", json!({"address": Address::ZERO})], "eth_unsubscribe")
        .await
        .unwrap();
    let mut pending: Subscription<Value> = client
        .subscribe("eth_subscribe", rpc_params!["newPendingTransactions"], "eth_unsubscribe")
        .await
        .unwrap();

    let hash = send_call(&handle, 0, b"notify me").await;
    let timeout = Duration::from_secs(10);
    let head = tokio::time::timeout(timeout, heads.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(quantity(&head["number"]), 1);
    assert!(head["hash"].is_string() && head["parentHash"].is_string());
    let log = tokio::time::timeout(timeout, logs.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(log["transactionHash"], json!(hash));
    assert_eq!(log["data"], json!(Bytes::from_static(b"notify me").to_string()));
    let pending_hash = tokio::time::timeout(timeout, pending.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(pending_hash, json!(hash));
    assert!(tokio::time::timeout(Duration::from_millis(200), unrelated_logs.next()).await.is_err());

    // HTTP methods work over the same WebSocket port.
    use jsonrpsee::core::client::ClientT;
    let chain_id: String = client.request("eth_chainId", rpc_params![]).await.unwrap();
    assert_eq!(chain_id, format!("{CHAIN_ID:#x}"));
    heads.unsubscribe().await.unwrap();

    let bad: Result<Subscription<Value>, _> =
        client.subscribe("eth_subscribe", rpc_params!["syncing"], "eth_unsubscribe").await;
    assert!(bad.is_err());
    handle.stop().await;
}

#[tokio::test]
async fn dev_methods_change_the_chain_like_anvil() {
    let handle = start_on_fixed_clock().await;
    let addr = handle.local_addr();
    let someone = Address::with_last_byte(0x99);

    result(addr, "anvil_setBalance", json!([someone, "0x1234"])).await;
    assert_eq!(quantity(&result(addr, "eth_getBalance", json!([someone, "latest"])).await), 0x1234);
    result(addr, "hardhat_setBalance", json!([someone, "0x10"])).await;
    assert_eq!(quantity(&result(addr, "eth_getBalance", json!([someone, "latest"])).await), 0x10);
    result(addr, "anvil_setCode", json!([someone, "0x6000"])).await;
    assert_eq!(result(addr, "eth_getCode", json!([someone, "latest"])).await, json!("0x6000"));
    result(addr, "anvil_setNonce", json!([someone, "0x7"])).await;
    assert_eq!(quantity(&result(addr, "eth_getTransactionCount", json!([someone, "latest"])).await), 7);
    let slot = "0x0";
    let value = B256::with_last_byte(5);
    result(addr, "anvil_setStorageAt", json!([someone, slot, value])).await;
    assert_eq!(result(addr, "eth_getStorageAt", json!([someone, slot, "latest"])).await, json!(value));

    // Impersonation: eth_sendTransaction from an account without its key (and without code: a sender with code
    // is refused in the block, EIP-3607).
    let stranger = Address::with_last_byte(0x98);
    let request = json!({"from": stranger, "to": target(), "value": "0x1"});
    let err = error(addr, "eth_sendTransaction", json!([request])).await;
    assert_eq!(err["code"], json!(-32000));
    result(addr, "anvil_setBalance", json!([stranger, "0xde0b6b3a7640000"])).await;
    result(addr, "anvil_impersonateAccount", json!([stranger])).await;
    let hash = result(addr, "eth_sendTransaction", json!([request])).await;
    let receipt = result(addr, "eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(receipt["from"].as_str().unwrap().parse::<Address>().unwrap(), stranger);
    result(addr, "hardhat_stopImpersonatingAccount", json!([stranger])).await;
    error(addr, "eth_sendTransaction", json!([request])).await;

    // Dev accounts send without any impersonation.
    let dev = json!({"from": dev_address(DEV_KEY_1), "to": target()});
    result(addr, "eth_sendTransaction", json!([dev])).await;

    // Time.
    let before = quantity(&result(addr, "eth_getBlockByNumber", json!(["latest", false])).await["timestamp"]);
    let offset = result(addr, "evm_increaseTime", json!([3600])).await;
    assert_eq!(offset, json!(3600));
    assert_eq!(result(addr, "evm_mine", json!([])).await, json!("0x0"));
    let after = quantity(&result(addr, "eth_getBlockByNumber", json!(["latest", false])).await["timestamp"]);
    assert!(before < u128::from(FIXED_NOW + 3600), "{before}");
    assert_eq!(after, u128::from(FIXED_NOW + 3600), "the clock moved an hour ahead");
    let target_time = after + 1000;
    result(addr, "evm_setNextBlockTimestamp", json!([format!("{target_time:#x}")])).await;
    result(addr, "evm_mine", json!([])).await;
    let mined = result(addr, "eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(quantity(&mined["timestamp"]), target_time);
    result(addr, "evm_mine", json!([target_time + 50])).await;
    let mined = result(addr, "eth_getBlockByNumber", json!(["latest", false])).await;
    assert_eq!(quantity(&mined["timestamp"]), target_time + 50);

    // Mining many blocks, spaced.
    let start = quantity(&result(addr, "eth_blockNumber", json!([])).await);
    result(addr, "anvil_mine", json!(["0x5", "0xa"])).await;
    assert_eq!(quantity(&result(addr, "eth_blockNumber", json!([])).await), start + 5);
    let last = result(addr, "eth_getBlockByNumber", json!(["latest", false])).await;
    let previous = result(addr, "eth_getBlockByNumber", json!([format!("{:#x}", start + 4), false])).await;
    assert_eq!(quantity(&last["timestamp"]) - quantity(&previous["timestamp"]), 10);
    result(addr, "hardhat_mine", json!([])).await;
    assert_eq!(quantity(&result(addr, "eth_blockNumber", json!([])).await), start + 6);

    // Snapshots.
    let snapshot = result(addr, "evm_snapshot", json!([])).await;
    let balance = result(addr, "eth_getBalance", json!([someone, "latest"])).await;
    result(addr, "anvil_setBalance", json!([someone, "0x0"])).await;
    result(addr, "evm_mine", json!([])).await;
    assert_eq!(result(addr, "evm_revert", json!([snapshot])).await, json!(true));
    assert_eq!(quantity(&result(addr, "eth_blockNumber", json!([])).await), start + 6);
    assert_eq!(result(addr, "eth_getBalance", json!([someone, "latest"])).await, balance);
    assert_eq!(result(addr, "evm_revert", json!([snapshot])).await, json!(false));
    handle.stop().await;
}

#[tokio::test]
async fn stop_closes_the_port() {
    let (handle, _) = start().await;
    let addr = handle.local_addr();
    assert_ne!(addr.port(), 0);
    assert_eq!(handle.http_url(), format!("http://{addr}"));
    result(addr, "eth_chainId", json!([])).await;
    handle.stop().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
