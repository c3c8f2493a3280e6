//! The interop fault-proof trace on a running devnet, black-box: every claim the verifier serves
//! (`superlink_traceClaim`) is recomputed here from the chains' own RPC (`eth_getBlockByNumber`, and `eth_getProof`
//! for the storage root of `L2ToL1MessagePasser`), encoding the super outputs and transition states by hand
//! (RLP headers and keccak, not through superlink's code), for a plain transition and for one whose consolidation
//! replaces a block with an invalid message; and `superlink proof check` passes the canonical claim and refutes
//! wrong ones at the right step (an output root off by one byte at its chain's derivation step, a super root that
//! keeps the invalid block at the consolidation step).
//!
//! One devnet serves every scenario, in order: starting one takes most of the time of each.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy_primitives::{B256, U256, hex, keccak256};
use alloy_rlp::{Encodable, Header};
use jsonrpsee::{core::client::ClientT, http_client::HttpClientBuilder, rpc_params};
use serde_json::{Value, json};

#[path = "support/devnet.rs"]
mod devnet;
#[path = "support/messages.rs"]
mod messages;

use devnet::Devnet;
use messages::{number, superlink};

const STEPS: u64 = 1024;
const MESSAGE_PASSER: &str = "0x4200000000000000000000000000000000000016";
const CHAINS: [u64; 2] = [901, 902];

/// A JSON-RPC client for the test's calls.
struct Rpc {
    runtime: tokio::runtime::Runtime,
}

impl Rpc {
    fn new() -> Self {
        Self { runtime: tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap() }
    }

    fn call(&self, url: &str, method: &str, params: Vec<Value>) -> Result<Value, String> {
        self.runtime.block_on(async {
            let client = HttpClientBuilder::default().build(url).unwrap();
            let mut list = rpc_params![];
            for p in params {
                list.insert(p).unwrap();
            }
            client.request::<Value, _>(method, list).await.map_err(|e| e.to_string())
        })
    }

    fn ok(&self, url: &str, method: &str, params: Vec<Value>) -> Value {
        self.call(url, method, params).unwrap_or_else(|e| panic!("{method} on {url}: {e}"))
    }
}

fn b256(v: &Value) -> B256 {
    v.as_str().unwrap_or_else(|| panic!("not a hash: {v}")).parse().unwrap()
}

/// A block's output, read from its chain: `(blockHash, outputRoot)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Output {
    number: u64,
    hash: B256,
    root: B256,
}

/// `keccak256(bytes32(0) ++ stateRoot ++ messagePasserStorageRoot ++ blockHash)`.
fn output_root(state_root: B256, passer_root: B256, hash: B256) -> B256 {
    keccak256([[0u8; 32].as_slice(), state_root.as_slice(), passer_root.as_slice(), hash.as_slice()].concat())
}

/// The storage root of `L2ToL1MessagePasser` at `block` (a number, or `{"blockHash": ...}`).
fn passer_root(rpc: &Rpc, url: &str, block: Value) -> B256 {
    b256(&rpc.ok(url, "eth_getProof", vec![json!(MESSAGE_PASSER), json!([]), block])["storageHash"])
}

/// The output of block `number` of the chain at `url`.
fn output_at(rpc: &Rpc, url: &str, number: u64) -> Output {
    let tag = format!("{number:#x}");
    let block = rpc.ok(url, "eth_getBlockByNumber", vec![json!(tag), json!(false)]);
    let hash = b256(&block["hash"]);
    let root = output_root(b256(&block["stateRoot"]), passer_root(rpc, url, json!(tag)), hash);
    Output { number, hash, root }
}

/// The number of the chain's last block with a timestamp at or before `timestamp`.
fn number_at(rpc: &Rpc, url: &str, timestamp: u64) -> u64 {
    let time = |n: u64| {
        let block = rpc.ok(url, "eth_getBlockByNumber", vec![json!(format!("{n:#x}")), json!(false)]);
        if block.is_null() { u64::MAX } else { number(&block["timestamp"]) }
    };
    let latest = rpc.ok(url, "eth_getBlockByNumber", vec![json!("latest"), json!(false)]);
    let (latest_number, latest_time) = (number(&latest["number"]), number(&latest["timestamp"]));
    let mut n = latest_number.saturating_sub(latest_time.saturating_sub(timestamp));
    while n > 0 && time(n) > timestamp {
        n -= 1;
    }
    while time(n + 1) <= timestamp {
        n += 1;
    }
    n
}

/// `0x01 ++ timestamp ++ (chainId u256 ++ outputRoot)*`.
fn super_output(timestamp: u64, roots: &[(u64, B256)]) -> Vec<u8> {
    let mut out = vec![1u8];
    out.extend_from_slice(&timestamp.to_be_bytes());
    for (chain, root) in roots {
        out.extend_from_slice(&U256::from(*chain).to_be_bytes::<32>());
        out.extend_from_slice(root.as_slice());
    }
    out
}

/// `0xff ++ rlp([superOutput, [[blockHash, outputRoot]...], step])`.
fn transition_state(super_output: &[u8], pending: &[(B256, B256)], step: u64) -> Vec<u8> {
    let mut pairs = Vec::new();
    for (hash, root) in pending {
        let mut pair = Vec::new();
        hash.encode(&mut pair);
        root.encode(&mut pair);
        Header { list: true, payload_length: pair.len() }.encode(&mut pairs);
        pairs.extend_from_slice(&pair);
    }
    let mut body = Vec::new();
    super_output.encode(&mut body);
    Header { list: true, payload_length: pairs.len() }.encode(&mut body);
    body.extend_from_slice(&pairs);
    step.encode(&mut body);
    let mut out = vec![0xff];
    Header { list: true, payload_length: body.len() }.encode(&mut out);
    out.extend_from_slice(&body);
    out
}

/// One transition recomputed from the chains.
struct Expected {
    timestamp: u64,
    pre: Vec<u8>,
    optimistic: Vec<Output>,
    post: Vec<u8>,
}

impl Expected {
    /// The transition from `timestamp`, every chain's optimistic block the canonical one except where
    /// `optimistic` says otherwise.
    fn read(rpc: &Rpc, devnet: &Devnet, timestamp: u64, optimistic: &[(u64, Output)]) -> Self {
        let mut pre = Vec::new();
        let mut post = Vec::new();
        let mut pending = Vec::new();
        for chain in CHAINS {
            let url = devnet.l2(chain);
            let before = output_at(rpc, &url, number_at(rpc, &url, timestamp));
            let after = output_at(rpc, &url, number_at(rpc, &url, timestamp + 1));
            pre.push((chain, before.root));
            post.push((chain, after.root));
            pending.push(optimistic.iter().find(|(c, _)| *c == chain).map_or(after, |(_, o)| *o));
        }
        Self {
            timestamp,
            pre: super_output(timestamp, &pre),
            optimistic: pending,
            post: super_output(timestamp + 1, &post),
        }
    }

    fn pending(&self) -> Vec<(B256, B256)> {
        self.optimistic.iter().map(|o| (o.hash, o.root)).collect()
    }

    /// The claim after `step` steps.
    fn claim(&self, step: u64) -> B256 {
        match step {
            0 => keccak256(&self.pre),
            STEPS => keccak256(&self.post),
            k => {
                let pending = self.pending();
                let derived = (k as usize).min(pending.len());
                keccak256(transition_state(&self.pre, &pending[..derived], k))
            }
        }
    }

    /// The super output at the next timestamp, but with every chain's optimistic output root.
    fn optimistic_super(&self) -> Vec<u8> {
        let roots: Vec<(u64, B256)> =
            CHAINS.iter().copied().zip(self.optimistic.iter().map(|o| o.root)).collect();
        super_output(self.timestamp + 1, &roots)
    }
}

/// Compares every claim the verifier serves for the transition from `expected.timestamp` with the recomputed one.
fn assert_every_claim(rpc: &Rpc, verifier: &str, expected: &Expected) {
    for step in 0..STEPS {
        let answer = rpc.ok(verifier, "superlink_traceClaim", vec![json!(expected.timestamp), json!(step)]);
        assert_eq!(
            b256(&answer["claim"]),
            expected.claim(step),
            "step {step} of {}: {answer}",
            expected.timestamp
        );
    }
    let last = rpc.ok(verifier, "superlink_traceClaimAt", vec![json!(expected.timestamp), json!(1023)]);
    assert_eq!(b256(&last["claim"]), expected.claim(STEPS), "{last}");
}

/// Runs `superlink proof ARGS --verifier URL`: exit status and stdout (stderr appended).
fn proof(devnet: &Devnet, args: &[&str]) -> (Option<i32>, String) {
    let url = devnet.verifier();
    let mut all = vec!["proof"];
    all.extend_from_slice(args);
    all.extend(["--verifier", url.as_str()]);
    let out = superlink(&all);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

/// The cross-safe timestamp of every chain.
fn safe_timestamp(rpc: &Rpc, devnet: &Devnet) -> u64 {
    number(&rpc.ok(&devnet.verifier(), "supervisor_syncStatus", vec![])["safeTimestamp"])
}

#[test]
fn the_trace_is_recomputed_from_the_chains_and_wrong_claims_are_refuted_at_their_step() {
    let devnet = Devnet::start(&["--l1-block-time", "1"]);
    let rpc = Rpc::new();
    let verifier = devnet.verifier();
    let genesis = number(
        &rpc.ok(&devnet.l2(901), "eth_getBlockByNumber", vec![json!("0x0"), json!(false)])["timestamp"],
    );
    // Wait until a few seconds of every chain are cross-safe.
    let safe = devnet.wait_for("the chains are cross-safe for a few seconds", || {
        let safe = safe_timestamp(&rpc, &devnet);
        (safe >= genesis + 6).then_some(safe)
    });

    // A plain transition: every claim, from the chains.
    let t = safe - 2;
    let plain = Expected::read(&rpc, &devnet, t, &[]);
    assert_every_claim(&rpc, &verifier, &plain);

    // `proof trace` prints the same claims.
    let (code, text) = proof(&devnet, &["trace", "--from", &t.to_string()]);
    assert_eq!(code, Some(0), "{text}");
    for step in [0, 1, 2, 3, 1023, STEPS] {
        assert!(text.contains(&plain.claim(step).to_string()), "step {step} missing:\n{text}");
    }
    assert!(text.contains("3-1023"), "{text}");

    // The canonical super root at t + 1 passes, as a hash and as its preimage.
    let post = plain.claim(STEPS).to_string();
    let (code, text) = proof(&devnet, &["check", "--timestamp", &(t + 1).to_string(), "--claim", &post]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.starts_with("canonical"), "{text}");
    let preimage = hex::encode_prefixed(&plain.post);
    let (code, text) = proof(&devnet, &["check", "--timestamp", &(t + 1).to_string(), "--claim", &preimage]);
    assert_eq!(code, Some(0), "{text}");
    // With --reexecute, every derivation step's block is re-executed statelessly from the nodes' witnesses.
    let (l2a, l2b) = (format!("901={}", devnet.l2(901)), format!("902={}", devnet.l2(902)));
    let reexecute = ["--reexecute", "--l2-rpc", &l2a, "--l2-rpc", &l2b];
    let (t_text, at_t) = (t.to_string(), plain.claim(0).to_string());
    let mut args = vec!["check", "--timestamp", &t_text, "--claim", &at_t];
    args.extend(reexecute);
    let (code, text) = proof(&devnet, &args);
    assert_eq!(code, Some(0), "{text}");
    for chain in [901, 902] {
        assert!(text.contains(&format!("re-executed step {} (chain {chain} block", chain - 900)), "{text}");
    }
    assert!(text.contains("match"), "{text}");
    // Without a node for a chain, --reexecute says which one it needs (exit 2).
    let (code, text) = proof(
        &devnet,
        &["check", "--timestamp", &t.to_string(), "--claim", &at_t, "--reexecute", "--l2-rpc", &l2a],
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("--l2-rpc 902=URL"), "{text}");

    // Chain 902's output root off by one byte: refuted at 902's derivation step (step 2).
    let mut wrong = plain.post.clone();
    let last = wrong.len() - 1;
    wrong[last] ^= 0x01;
    let claimed = B256::from_slice(&wrong[wrong.len() - 32..]);
    let (code, text) = proof(
        &devnet,
        &["check", "--timestamp", &(t + 1).to_string(), "--claim", &hex::encode_prefixed(&wrong)],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("refuted at step 2, the derivation of chain 902"), "{text}");
    let block = plain.optimistic[1];
    let line = format!(
        "chain 902 block {}: claimed output root {claimed}, derivation gives {}",
        block.number, block.root
    );
    assert!(text.contains(&line), "expected `{line}` in:\n{text}");
    assert_eq!(text.matches("  move ").count(), 10, "{text}");

    // The same claim's state at step 2, checked at its trace index from the prestate t: the first wrong entry.
    let mut pending = plain.pending();
    pending[1].1 = claimed;
    let state = transition_state(&plain.pre, &pending, 2);
    let args = ["check", "--trace-index", "1", "--prestate-timestamp", &t.to_string(), "--claim"];
    let (code, text) = proof(&devnet, &[&args[..], &[hex::encode_prefixed(&state).as_str()]].concat());
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("refuted at step 2, the derivation of chain 902"), "{text}");
    let canonical_state = hex::encode_prefixed(transition_state(&plain.pre, &plain.pending(), 2));
    let (code, text) = proof(&devnet, &[&args[..], &[canonical_state.as_str()]].concat());
    assert_eq!(code, Some(0), "{text}");

    // A bare wrong hash: it differs at the super root itself.
    let (code, text) = proof(
        &devnet,
        &["check", "--timestamp", &(t + 1).to_string(), "--claim", &B256::repeat_byte(1).to_string()],
    );
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&format!("the claim differs at step 0 of {}", t + 1)), "{text}");
    assert!(text.contains(&post), "the canonical claim is shown:\n{text}");

    // An invalid message on 902: its block is derived, found invalid and replaced by a deposits-only block.
    let out = superlink(&[
        "devnet",
        "fault",
        "inject-invalid-message",
        "902",
        "--control-url",
        &verifier,
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let injected: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bad_number = number(&injected["blockNumber"]);
    let bad_hash = b256(&injected["blockHash"]);
    let l2b = devnet.l2(902);
    let original = rpc.ok(&l2b, "eth_getBlockByHash", vec![json!(bad_hash), json!(false)]);
    let bad_time = number(&original["timestamp"]);
    devnet.wait_for("the invalid block is replaced and cross-safe", || {
        let block =
            rpc.ok(&l2b, "eth_getBlockByNumber", vec![json!(format!("{bad_number:#x}")), json!(false)]);
        let replaced = !block.is_null() && b256(&block["hash"]) != bad_hash;
        (replaced && safe_timestamp(&rpc, &devnet) > bad_time).then_some(())
    });
    // The original's output, from its header (still served by hash) and the message passer's storage root at
    // its parent: its transactions (the L1 attributes deposit and the forged message) never touch the passer.
    let original_output = Output {
        number: bad_number,
        hash: bad_hash,
        root: output_root(
            b256(&original["stateRoot"]),
            passer_root(&rpc, &l2b, json!(format!("{:#x}", bad_number - 1))),
            bad_hash,
        ),
    };
    let t = bad_time - 1;
    let invalid = Expected::read(&rpc, &devnet, t, &[(902, original_output)]);
    assert_ne!(invalid.optimistic[1].root, output_at(&rpc, &l2b, bad_number).root);
    assert_every_claim(&rpc, &verifier, &invalid);

    // The transition names the replaced block and its message.
    let transition = rpc.ok(&verifier, "superlink_transition", vec![json!(t)]);
    let replaced = &transition["consolidation"]["replaced"];
    assert_eq!(replaced.as_array().map(Vec::len), Some(1), "{transition}");
    assert_eq!(b256(&replaced[0]["original"]["hash"]), bad_hash);
    assert_eq!(b256(&replaced[0]["replacement"]["hash"]), output_at(&rpc, &l2b, bad_number).hash);
    let message = &replaced[0]["invalidMessages"][0];
    assert_eq!(number(&message["identifier"]["chainID"]), 901, "{transition}");

    // A super root that keeps the invalid block: every output is the optimistic one, so it is refuted at the
    // consolidation step, which names the block and its message.
    let keeps = hex::encode_prefixed(invalid.optimistic_super());
    let (code, text) = proof(&devnet, &["check", "--timestamp", &bad_time.to_string(), "--claim", &keeps]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("refuted at the consolidation step"), "{text}");
    assert!(
        text.contains(&format!("chain 902 block {bad_number} ({bad_hash}) is invalid and replaced")),
        "{text}"
    );
    let log_index = number(&message["logIndex"]);
    assert!(text.contains(&format!("log {log_index} executes chain 901 block")), "{text}");
    // The canonical one (with the replacement) passes.
    let canonical = hex::encode_prefixed(&invalid.post);
    let (code, text) =
        proof(&devnet, &["check", "--timestamp", &bad_time.to_string(), "--claim", &canonical]);
    assert_eq!(code, Some(0), "{text}");
    // Re-executed, the replaced chain's step runs its deposits-only replacement, the block the post state holds.
    let bad_time_text = bad_time.to_string();
    let mut args = vec!["check", "--timestamp", &bad_time_text, "--claim", &canonical];
    args.extend(reexecute);
    let (code, text) = proof(&devnet, &args);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("its replacement): state root"), "{text}");

    // What cannot be judged exits 2: a timestamp not cross-safe yet, a verifier that is not there.
    let (code, text) = proof(&devnet, &["check", "--timestamp", "99999999999", "--claim", &post]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("not yet"), "{text}");
    let out = superlink(&[
        "proof",
        "check",
        "--verifier",
        "http://127.0.0.1:1",
        "--timestamp",
        "5",
        "--claim",
        &post,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no verifier at http://127.0.0.1:1"));
}

/// A node that lies about one block's state root (the devnet's test-only fault on chain 902's RPC) goes unseen
/// by a plain check, which trusts the nodes, and is caught by `--reexecute` at that chain's derivation step.
#[test]
fn reexecution_catches_a_node_serving_a_tampered_state_root() {
    let devnet = Devnet::start(&["--l1-block-time", "1", "--fault-tamper-state-root", "902:3"]);
    let rpc = Rpc::new();
    let verifier = devnet.verifier();
    let at = devnet.wait_for("block 3 of 902 is served", || {
        let block = rpc.ok(&devnet.l2(902), "eth_getBlockByNumber", vec![json!("0x3"), json!(false)]);
        (!block.is_null()).then_some(block)
    });
    let tampered = b256(&at["stateRoot"]);
    let timestamp = number(&at["timestamp"]);
    devnet.wait_for("902's block 3 is cross-safe", || {
        (safe_timestamp(&rpc, &devnet) > timestamp).then_some(())
    });
    let transition = rpc.ok(&verifier, "superlink_transition", vec![json!(timestamp - 1)]);
    let root = transition["post"]["superRoot"].as_str().unwrap().to_string();
    let step = transition["derivation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["chainID"] == json!("902"))
        .map(|d| d["step"].as_u64().unwrap())
        .unwrap();

    // Trusting the nodes, the proposal is canonical.
    let timestamp_text = timestamp.to_string();
    let (code, text) = proof(&devnet, &["check", "--timestamp", &timestamp_text, "--claim", &root]);
    assert_eq!(code, Some(0), "{text}");

    // Re-executing, chain 902's block 3 does not give the state root its node serves.
    let (l2a, l2b) = (format!("901={}", devnet.l2(901)), format!("902={}", devnet.l2(902)));
    let args = [
        "check",
        "--timestamp",
        &timestamp_text,
        "--claim",
        &root,
        "--reexecute",
        "--l2-rpc",
        &l2a,
        "--l2-rpc",
        &l2b,
    ];
    let (code, text) = proof(&devnet, &args);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&format!("step {step} (chain 902 block 3, the optimistic block)")), "{text}");
    assert!(text.contains(&format!("state root served {tampered}, re-execution gives")), "{text}");
    assert!(text.contains("re-executed step 1 (chain 901 block"), "chain 901 is honest:\n{text}");
}
