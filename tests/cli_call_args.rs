//! Black-box tests of how `superlink node` reads the arguments of `eth_call` and `eth_estimateGas`: the same
//! raw JSON-RPC requests go to anvil and to the node, and the node must answer as anvil does (success or
//! error, the same result for successes, the same key phrase for errors). Where geth and anvil disagree the
//! node follows geth; those cases are listed in `GETH_OVER_ANVIL`, each with what the node must answer.
//!
//! Also covered: `eth_createAccessList` leaves out only the precompiles of the active hardfork, and a
//! transaction from an impersonated account that has code is mined (EIP-3607 does not apply to it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::{Child, Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use superlink_testkit::{Anvil, Cast, free_port, wait_for_rpc};

/// anvil's first dev account, which `superlink node` funds too.
const KEY0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// A funded dev account.
const RICH: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
/// An account with no balance, no code and no nonce.
const EMPTY: &str = "0x0000000000000000000000000000000000001234";
/// A plain recipient.
const SINK: &str = "0x000000000000000000000000000000000000dEaD";
/// Creation code of a contract whose runtime returns the word 1 (`PUSH1 1 PUSH1 0 MSTORE PUSH1 32 PUSH1 0
/// RETURN`).
const RETURNS_ONE: &str = "0x600a600c600039600a6000f3600160005260206000f3";
/// Creation code of a contract whose runtime reads the balances of 0x01 (a precompile), 0x12 and 0xaa (plain
/// accounts) and stops.
const READS_LOW_ADDRESSES: &str = "0x600d600c600039600d6000f3600131506012315060aa315000";

/// A running `superlink node`, killed when dropped.
struct Node {
    child: Child,
    port: u16,
}

impl Node {
    fn start() -> Node {
        for _ in 0..5 {
            let port = free_port();
            let child = Command::new(env!("CARGO_BIN_EXE_superlink"))
                .args(["node", "--port", &port.to_string(), "--chain-id", "901"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("superlink node starts");
            let mut node = Node { child, port };
            if wait_for_rpc(&node.url(), Duration::from_secs(30)) {
                return node;
            }
            let _ = node.child.kill();
            let _ = node.child.wait();
        }
        panic!("superlink node never answered on a free port");
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one JSON-RPC request over plain HTTP/1.1; the decoded answer.
fn rpc(url: &str, method: &str, params: &Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{method}: not JSON ({e}): {text}"))
}

/// The result of a successful answer.
fn result_of(url: &str, method: &str, params: &Value) -> Value {
    let answer = rpc(url, method, params);
    assert!(answer.get("error").is_none(), "{method} {params} at {url}: {answer}");
    answer["result"].clone()
}

/// What a node answered, reduced to what the comparison needs.
#[derive(Debug, Clone, PartialEq)]
enum Answer {
    Ok(Value),
    Err(String),
}

fn answer(url: &str, method: &str, params: &Value) -> Answer {
    let answer = rpc(url, method, params);
    match answer.get("error") {
        Some(error) => {
            // Some servers put the detail in `data`; both parts count.
            let mut text = error["message"].as_str().unwrap_or_default().to_string();
            if let Some(data) = error.get("data").and_then(Value::as_str) {
                text.push(' ');
                text.push_str(data);
            }
            Answer::Err(text)
        }
        None => Answer::Ok(answer["result"].clone()),
    }
}

/// Lower case with everything but letters and digits removed, so `chainId`, `chain id` and
/// `max_priority_fee_per_gas` compare by their words.
fn words(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// One request and what both nodes must agree on.
struct Case {
    name: &'static str,
    method: &'static str,
    request: Value,
    /// For errors: the phrase both messages must contain (compared by `words`).
    phrase: Option<&'static str>,
}

/// A request where the node follows geth and anvil answers otherwise: why, and what the node answers.
struct Deliberate {
    name: &'static str,
    method: &'static str,
    request: Value,
    /// `Ok(result)` or `Err(phrase)` the node must answer.
    node: Result<Value, &'static str>,
}

fn case(name: &'static str, method: &'static str, request: Value, phrase: Option<&'static str>) -> Case {
    Case { name, method, request, phrase }
}

fn same_answers(contract: &str) -> Vec<Case> {
    let call = "eth_call";
    let estimate = "eth_estimateGas";
    let max = "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    let mut cases = Vec::new();
    for method in [call, estimate] {
        cases.extend([
            case("only `to`", method, json!({"to": contract}), None),
            case("`to` and `input`", method, json!({"to": contract, "input": "0x12"}), None),
            case("`data` only", method, json!({"to": contract, "data": "0x12"}), None),
            case("`data` equal to `input`", method, json!({"to": contract, "data": "0x12", "input": "0x12"}), None),
            case("create with `data`", method, json!({"data": RETURNS_ONE}), None),
            case("create with `input`", method, json!({"input": RETURNS_ONE}), None),
            case("zero-balance sender, no price", method, json!({"from": EMPTY, "to": contract, "input": "0x12"}), None),
            case(
                "zero-balance sender sending value",
                method,
                json!({"from": EMPTY, "to": contract, "input": "0x12", "value": "0x1"}),
                Some("insufficient funds for gas * price + value"),
            ),
            case(
                "rich sender sending more than exists",
                method,
                json!({"from": RICH, "to": contract, "input": "0x12", "value": max}),
                Some("insufficient funds for gas * price + value"),
            ),
            case(
                "tip without fee cap",
                method,
                json!({"from": RICH, "to": contract, "input": "0x12", "maxPriorityFeePerGas": "0x1"}),
                Some("max priority fee per gas"),
            ),
            case(
                "tip above fee cap",
                method,
                json!({"from": RICH, "to": contract, "input": "0x12", "maxFeePerGas": "0x3b9aca00", "maxPriorityFeePerGas": "0x3b9aca01"}),
                Some("max priority fee per gas"),
            ),
            case(
                "another chain's ID",
                method,
                json!({"from": RICH, "to": contract, "input": "0x12", "chainId": "0x1"}),
                Some("chain id"),
            ),
            case("this chain's ID", method, json!({"from": RICH, "to": contract, "input": "0x12", "chainId": "0x385"}), None),
            case("nonce above the account's", method, json!({"from": RICH, "to": contract, "input": "0x12", "nonce": "0x5"}), None),
            case("nonce below the account's", method, json!({"from": RICH, "to": contract, "input": "0x12", "nonce": "0x0"}), None),
            case("gas above the block gas limit", method, json!({"to": contract, "input": "0x12", "gas": "0xffffffffffff"}), None),
            case("access list", method, json!({"to": contract, "accessList": [{"address": contract, "storageKeys": []}]}), None),
            case("gas price wider than 128 bits", method, json!({"to": contract, "gasPrice": max}), Some("invalid value")),
        ]);
    }
    cases.extend([
        case(
            "fee cap above base fee, no balance",
            call,
            json!({"from": EMPTY, "to": contract, "maxFeePerGas": "0x3b9aca00"}),
            Some("insufficient funds for gas * price + value"),
        ),
        case(
            "gas limit too small for the call",
            call,
            json!({"to": contract, "gas": "0x5208"}),
            Some("out of gas"),
        ),
        case(
            "gas limit below the intrinsic cost",
            call,
            json!({"to": contract, "gas": "0x100"}),
            Some("intrinsic gas"),
        ),
        case(
            "fee cap above base fee, no balance",
            estimate,
            json!({"from": EMPTY, "to": contract, "input": "0x12", "maxFeePerGas": "0x3b9aca00"}),
            Some("gas required exceeds allowance"),
        ),
        case(
            "gas limit too small for the call",
            estimate,
            json!({"to": contract, "gas": "0x5208"}),
            Some("gas required exceeds allowance"),
        ),
    ]);
    cases
}

/// Where the node answers as geth does and anvil does not.
fn geth_over_anvil(contract: &str) -> Vec<Deliberate> {
    let mut cases = Vec::new();
    for method in ["eth_call", "eth_estimateGas"] {
        cases.extend([
            // geth refuses differing `data` and `input`; anvil silently uses one.
            Deliberate {
                name: "`data` differs from `input`",
                method,
                request: json!({"to": contract, "data": "0x12", "input": "0x13"}),
                node: Err("both \"data\" and \"input\" are set and not equal"),
            },
            // geth refuses a legacy price mixed with EIP-1559 fees; anvil takes the EIP-1559 ones.
            Deliberate {
                name: "`gasPrice` with `maxFeePerGas`",
                method,
                request: json!({"from": RICH, "to": contract, "gasPrice": "0x1", "maxFeePerGas": "0x1"}),
                node: Err("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified"),
            },
            // With a price given geth enforces the base fee; anvil does not in calls.
            Deliberate {
                name: "gas price below the base fee",
                method,
                request: json!({"from": RICH, "to": contract, "gasPrice": "0x1"}),
                node: Err("max fee per gas less than block base fee"),
            },
        ]);
    }
    cases.extend([
        // geth's estimate takes a gas limit below 21000 as no cap at all; anvil takes it as the cap.
        Deliberate {
            name: "estimate with a gas limit below the intrinsic cost",
            method: "eth_estimateGas",
            request: json!({"to": contract, "gas": "0x100"}),
            node: Ok(json!("0x521a")),
        },
        // A create with no code needs exactly its intrinsic gas (53000); anvil's search stops one above.
        Deliberate {
            name: "estimate of an empty create",
            method: "eth_estimateGas",
            request: json!({}),
            node: Ok(json!(format!("{:#x}", 53_000))),
        },
        Deliberate {
            name: "estimate of an empty create with value",
            method: "eth_estimateGas",
            request: json!({"from": RICH, "value": "0x1"}),
            node: Ok(json!(format!("{:#x}", 53_000))),
        },
    ]);
    cases
}

/// Deploys `code` from dev account 0 with cast; the new contract's address.
fn deploy(cast: &Cast, url: &str, code: &str) -> String {
    let out = cast
        .run(["send", "--rpc-url", url, "--private-key", KEY0, "--json", "--create", code])
        .unwrap_or_else(|e| panic!("deploying at {url}: {e}"));
    let receipt: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(receipt["status"], "0x1", "deployment at {url}: {receipt}");
    receipt["contractAddress"].as_str().unwrap().to_string()
}

#[test]
fn call_arguments_are_read_as_anvil_and_geth_read_them() {
    let anvil = Anvil::spawn(901, &["--hardfork", "prague"]).unwrap();
    let node = Node::start();
    let cast = Cast::new().unwrap();
    let contract = deploy(&cast, &anvil.url(), RETURNS_ONE);
    assert_eq!(deploy(&cast, &node.url(), RETURNS_ONE), contract, "same deployer and nonce, same address");
    assert_eq!(
        result_of(&node.url(), "eth_call", &json!([{"to": contract}])),
        json!(format!("0x{:064x}", 1)),
        "the deployed contract returns 1"
    );

    let mut disagreements = Vec::new();
    for case in same_answers(&contract) {
        let params = json!([case.request]);
        let theirs = answer(&anvil.url(), case.method, &params);
        let ours = answer(&node.url(), case.method, &params);
        let agrees = match (&theirs, &ours, case.phrase) {
            (Answer::Ok(a), Answer::Ok(b), None) => a == b,
            (Answer::Err(a), Answer::Err(b), Some(phrase)) => {
                words(a).contains(&words(phrase)) && words(b).contains(&words(phrase))
            }
            _ => false,
        };
        if !agrees {
            disagreements.push(format!(
                "{} {} ({}): anvil {theirs:?}, superlink {ours:?}, expected {:?}",
                case.method, case.name, case.request, case.phrase
            ));
        }
    }
    assert!(disagreements.is_empty(), "superlink and anvil disagree:\n{}", disagreements.join("\n"));

    for case in geth_over_anvil(&contract) {
        let params = json!([case.request]);
        let ours = answer(&node.url(), case.method, &params);
        let theirs = answer(&anvil.url(), case.method, &params);
        match (&case.node, &ours) {
            (Ok(want), Answer::Ok(got)) => assert_eq!(got, want, "{} {}", case.method, case.name),
            (Err(phrase), Answer::Err(got)) => {
                assert!(words(got).contains(&words(phrase)), "{} {}: {got}", case.method, case.name)
            }
            _ => panic!("{} {}: superlink answered {ours:?}, want {:?}", case.method, case.name, case.node),
        }
        // The difference is real: if anvil ever answers as geth, this case belongs in `same_answers`.
        assert_ne!(theirs, ours, "{} {}: anvil now answers as superlink", case.method, case.name);
    }
}

#[test]
fn access_lists_leave_out_only_real_precompiles() {
    let anvil = Anvil::spawn(901, &["--hardfork", "prague"]).unwrap();
    let node = Node::start();
    let cast = Cast::new().unwrap();
    let reader = deploy(&cast, &anvil.url(), READS_LOW_ADDRESSES);
    assert_eq!(deploy(&cast, &node.url(), READS_LOW_ADDRESSES), reader);

    let params = json!([{"from": RICH, "to": reader}]);
    let listed = |url: &str| -> Vec<String> {
        let result = result_of(url, "eth_createAccessList", &params);
        let mut addresses: Vec<String> = result["accessList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["address"].as_str().unwrap().to_lowercase())
            .collect();
        // The order of the list carries no meaning (anvil's varies from run to run).
        addresses.sort();
        addresses
    };
    let ours = listed(&node.url());
    let low = |byte: u8| format!("0x{:040x}", byte);
    assert_eq!(ours, vec![low(0x12), low(0xaa)], "0x01 is a precompile; 0x12 and 0xaa are plain accounts");
    assert_eq!(ours, listed(&anvil.url()), "superlink lists what anvil lists");
}

/// Waits up to 20 s for the receipt of `hash`.
fn receipt(url: &str, hash: &Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let receipt = result_of(url, "eth_getTransactionReceipt", &json!([hash]));
        if !receipt.is_null() {
            return receipt;
        }
        assert!(Instant::now() < deadline, "{url}: transaction {hash} was never mined");
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn impersonated_senders_with_code_are_mined() {
    let anvil = Anvil::spawn(901, &["--hardfork", "prague"]).unwrap();
    let node = Node::start();
    let cast = Cast::new().unwrap();
    let sender = deploy(&cast, &anvil.url(), RETURNS_ONE);
    assert_eq!(deploy(&cast, &node.url(), RETURNS_ONE), sender);

    for url in [anvil.url(), node.url()] {
        result_of(&url, "anvil_setBalance", &json!([sender, "0xde0b6b3a7640000"]));
        result_of(&url, "anvil_impersonateAccount", &json!([sender]));
        let code = result_of(&url, "eth_getCode", &json!([sender, "latest"]));
        assert_ne!(code, json!("0x"), "{url}: the sender has code");
        let hash =
            result_of(&url, "eth_sendTransaction", &json!([{"from": sender, "to": SINK, "value": "0x7"}]));
        let receipt = receipt(&url, &hash);
        assert_eq!(receipt["status"], "0x1", "{url}: {receipt}");
        assert_eq!(result_of(&url, "eth_getBalance", &json!([SINK, "latest"])), json!("0x7"), "{url}");
    }
}
