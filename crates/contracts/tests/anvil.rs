//! The same inbox and messenger rules against the same runtime bytecode on anvil, driven by cast: the code is
//! placed at the predeploy addresses with `anvil_setCode`, transactions declare messages with
//! `cast send --access-list`.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use alloy_primitives::{Address, B256, Bytes, U256, address, hex, keccak256};
use alloy_sol_types::{SolCall, SolError, SolEvent, SolValue};
use superlink_contracts::{
    Contract,
    addresses::{CROSS_L2_INBOX, L2_TO_L2_CROSS_DOMAIN_MESSENGER as MESSENGER},
    bindings::{
        CrossL2Inbox::{Identifier, NotInAccessList},
        L2ToL2CrossDomainMessenger::{
            IdOriginNotL2ToL2CrossDomainMessenger, MessageAlreadyRelayed, MessageDestinationNotRelayChain,
            SentMessage,
        },
        MessageProbe,
    },
};
use superlink_testkit::{Anvil, Cast};

/// anvil's first dev account.
const DEV_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const CHAIN_ID: u64 = 901;
const PROBE: Address = address!("0x3000000000000000000000000000000000000003");
const SENDER: Address = address!("0x1000000000000000000000000000000000000001");
const IDENTIFIER_TYPE: &str = "(address,uint256,uint256,uint256,uint256)";

struct Node {
    anvil: Anvil,
    cast: Cast,
}

impl Node {
    fn start() -> Self {
        let node = Node {
            anvil: Anvil::spawn(CHAIN_ID, &[]).expect("anvil starts"),
            cast: Cast::new().expect("cast"),
        };
        for (address, contract) in [
            (CROSS_L2_INBOX, Contract::CrossL2Inbox),
            (MESSENGER, Contract::L2ToL2CrossDomainMessenger),
            (PROBE, Contract::MessageProbe),
        ] {
            let code = contract.deployed_bytecode().to_string();
            node.run(&["rpc", "anvil_setCode", &address.to_string(), &code]).expect("anvil_setCode");
        }
        node
    }

    fn run(&self, args: &[&str]) -> Result<String, String> {
        let url = self.anvil.url();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--rpc-url", &url]);
        self.cast.run(all)
    }

    /// `cast send` of `signature(args)` to `to`, declaring `keys` of the inbox; the receipt as JSON.
    fn send(
        &self,
        to: Address,
        signature: &str,
        args: &[String],
        keys: &[B256],
    ) -> Result<serde_json::Value, String> {
        let to = to.to_string();
        let access_list = access_list_json(keys);
        let mut all: Vec<&str> = vec!["send", "--private-key", DEV_KEY, "--json", &to, signature];
        all.extend(args.iter().map(String::as_str));
        if !keys.is_empty() {
            all.extend(["--access-list", &access_list]);
        }
        let receipt: serde_json::Value =
            serde_json::from_str(&self.run(&all)?).map_err(|e| format!("receipt is not JSON: {e}"))?;
        if receipt["status"].as_str() == Some("0x1") {
            Ok(receipt)
        } else {
            Err(format!("failed: {receipt}"))
        }
    }

    fn call(&self, to: Address, signature: &str, args: &[String]) -> Result<String, String> {
        let to = to.to_string();
        let mut all: Vec<&str> = vec!["call", &to, signature];
        all.extend(args.iter().map(String::as_str));
        self.run(&all)
    }
}

fn access_list_json(keys: &[B256]) -> String {
    let keys: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
    format!("[{{\"address\":\"{CROSS_L2_INBOX}\",\"storageKeys\":[{}]}}]", keys.join(","))
}

/// The `gasUsed` of a receipt.
fn gas_used(receipt: &serde_json::Value) -> u64 {
    let hex = receipt["gasUsed"].as_str().expect("gasUsed");
    u64::from_str_radix(hex.trim_start_matches("0x"), 16).expect("hex quantity")
}

fn id_arg(id: &Identifier) -> String {
    format!("({},{},{},{},{})", id.origin, id.blockNumber, id.logIndex, id.timestamp, id.chainId)
}

/// The access-list keys (lookup, then checksum) that declare the executing message `msg_hash` at `id`, as the
/// protocol crate computes them.
fn declaration(id: &Identifier, msg_hash: B256) -> Vec<B256> {
    let id = superlink_protocol::Identifier {
        origin: id.origin,
        block_number: id.blockNumber.to::<u64>(),
        log_index: id.logIndex.to::<u32>(),
        timestamp: id.timestamp.to::<u64>(),
        chain_id: id.chainId,
    };
    superlink_protocol::access_list_keys(&id, msg_hash)
}

/// Whether a cast error carries the revert selector of `E`.
fn reverted_with<E: SolError>(result: Result<serde_json::Value, String>) -> bool {
    match result {
        Ok(_) => false,
        Err(error) => error.contains(&hex::encode(E::SELECTOR)),
    }
}

fn identifier() -> Identifier {
    Identifier {
        origin: address!("0xe0e1e2e3e4e5e6e7e8e9f0f1f2f3f4f5f6f7f8f9"),
        blockNumber: U256::from(2587),
        logIndex: U256::from(66),
        timestamp: U256::from(1),
        chainId: U256::from(900),
    }
}

#[test]
fn validate_message_on_anvil_needs_the_checksum_in_the_access_list() {
    let node = Node::start();
    let id = identifier();
    let msg_hash = keccak256("example payload");
    let signature = format!("validateMessage({IDENTIFIER_TYPE},bytes32)");
    let args = [id_arg(&id), msg_hash.to_string()];

    let receipt =
        node.send(CROSS_L2_INBOX, &signature, &args, &declaration(&id, msg_hash)).expect("accepted");
    println!("anvil gas used by validateMessage (lookup + checksum declared): {}", gas_used(&receipt));
    let logs = receipt["logs"].as_array().expect("logs");
    assert_eq!(logs.len(), 1);
    let topics: Vec<&str> =
        logs[0]["topics"].as_array().expect("topics").iter().filter_map(|t| t.as_str()).collect();
    let event_signature =
        superlink_contracts::bindings::CrossL2Inbox::ExecutingMessage::SIGNATURE_HASH.to_string();
    let expected_topics = [event_signature.as_str(), &msg_hash.to_string()];
    assert_eq!(topics, expected_topics);
    let data: Bytes = logs[0]["data"].as_str().expect("data").parse().expect("hex data");
    assert_eq!(Identifier::abi_decode(&data).expect("identifier"), id);

    assert!(reverted_with::<NotInAccessList>(node.send(CROSS_L2_INBOX, &signature, &args, &[])));
    let other = Identifier { logIndex: U256::from(67), ..id.clone() };
    assert!(reverted_with::<NotInAccessList>(node.send(
        CROSS_L2_INBOX,
        &signature,
        &args,
        &declaration(&other, msg_hash)
    )));
}

/// The payload of a `SentMessage` log from chain 900 and the Identifier pointing at it.
fn sent_message(destination: u64, message: Bytes, origin: Address) -> (Identifier, Bytes) {
    let event = SentMessage {
        destination: U256::from(destination),
        target: PROBE,
        messageNonce: U256::from(5),
        sender: SENDER,
        message,
    };
    let log = event.encode_log_data();
    let mut payload: Vec<u8> = log.topics().iter().flat_map(|t| t.0).collect();
    payload.extend_from_slice(&log.data);
    let id = Identifier {
        origin,
        blockNumber: U256::from(10),
        logIndex: U256::from(3),
        timestamp: U256::from(1),
        chainId: U256::from(900),
    };
    (id, payload.into())
}

#[test]
fn relay_message_on_anvil_follows_the_messenger_rules() {
    let node = Node::start();
    let signature = format!("relayMessage({IDENTIFIER_TYPE},bytes)");
    let relay = |id: &Identifier, payload: &Bytes| {
        node.send(
            MESSENGER,
            &signature,
            &[id_arg(id), payload.to_string()],
            &declaration(id, keccak256(payload)),
        )
    };
    let record =
        Bytes::from(MessageProbe::recordCall { _payload: Bytes::from_static(b"anvil") }.abi_encode());

    let (id, payload) = sent_message(CHAIN_ID, record.clone(), MESSENGER);
    let receipt = relay(&id, &payload).expect("relayed");
    println!("anvil gas used by relayMessage -> MessageProbe.record: {}", gas_used(&receipt));
    assert_eq!(receipt["logs"].as_array().map(Vec::len), Some(2), "ExecutingMessage, RelayedMessage");
    let sender = node.call(PROBE, "lastSender()(address)", &[]).expect("lastSender");
    assert_eq!(sender.parse::<Address>().expect("address"), SENDER);
    let source = node.call(PROBE, "lastSource()(uint256)", &[]).expect("lastSource");
    assert_eq!(source, "900");
    let caller = node.call(PROBE, "lastCaller()(address)", &[]).expect("lastCaller");
    assert_eq!(caller.parse::<Address>().expect("address"), MESSENGER);

    assert!(reverted_with::<MessageAlreadyRelayed>(relay(&id, &payload)));

    let (foreign, payload) = sent_message(CHAIN_ID, record.clone(), SENDER);
    assert!(reverted_with::<IdOriginNotL2ToL2CrossDomainMessenger>(relay(&foreign, &payload)));

    let (elsewhere, payload) = sent_message(902, record, MESSENGER);
    assert!(reverted_with::<MessageDestinationNotRelayChain>(relay(&elsewhere, &payload)));

    let fail = Bytes::from(MessageProbe::failCall { _payload: Bytes::from_static(b"no") }.abi_encode());
    let (failing, payload) = sent_message(CHAIN_ID, fail, MESSENGER);
    assert!(reverted_with::<MessageProbe::ProbeFailed>(relay(&failing, &payload)));

    let (undeclared, payload) = sent_message(CHAIN_ID, Bytes::from_static(b"x"), MESSENGER);
    let undeclared = node.send(MESSENGER, &signature, &[id_arg(&undeclared), payload.to_string()], &[]);
    assert!(reverted_with::<NotInAccessList>(undeclared));
}
