//! The fault-proof trace served by the verifier (`superlink_transition`, `superlink_traceClaim`,
//! `superlink_traceClaimAt`), every claim recomputed here by hand from the chains' blocks and outputs (the
//! super output and transition state encodings written out with RLP headers and keccak, not through the code
//! under test): a plain transition, one whose consolidation replaces a block with an invalid message, and one
//! whose consolidation replaces two blocks on a same-timestamp cycle.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::BTreeMap, sync::Arc};

use alloy_primitives::{B256, U256, keccak256};
use alloy_rlp::{Encodable, Header};
use jsonrpsee::RpcModule;
use serde_json::{Value, json};
use superlink_protocol::{ExecutingMessage, Identifier, OutputV0, predeploys::CROSS_L2_INBOX};
use superlink_verifier::{
    FollowConfig, Round, RpcContext, SourceLog, TransitionJson, Verifier, follow_once,
    remember_invalid_outputs, rpc_module,
};

mod memory_chain;

use memory_chain::{EMITTER, MemoryChain, plain_log_data};

const A: u64 = 901;
const B: u64 = 902;
const STEPS: u64 = 1024;

/// Two chains of six blocks (timestamps 100..=110), followed by a verifier.
struct Fixture {
    _dir: tempfile::TempDir,
    verifier: Verifier,
    sources: BTreeMap<u64, Arc<MemoryChain>>,
}

impl Fixture {
    async fn new() -> Self {
        let (a, b) = (MemoryChain::new(A), MemoryChain::new(B));
        for _ in 0..6 {
            a.push(0, None);
            b.push(0, None);
        }
        let dir = tempfile::tempdir().unwrap();
        let deps = superlink_protocol::DependencySet::new([U256::from(A), U256::from(B)]).unwrap();
        let verifier = Verifier::open(deps, dir.path(), &BTreeMap::new()).unwrap();
        let fixture = Self { _dir: dir, verifier, sources: BTreeMap::from([(A, a), (B, b)]) };
        fixture.follow().await;
        fixture
    }

    async fn follow(&self) {
        for source in self.sources.values() {
            while follow_once(&self.verifier, source.as_ref(), &FollowConfig::default()).await.unwrap()
                != Round::AtHead
            {}
        }
    }

    fn label(&self, chain: u64, safe: u64) {
        self.verifier.set_local_tags(chain, Some(safe), None).unwrap();
    }

    fn module(&self) -> RpcModule<RpcContext<MemoryChain>> {
        rpc_module(RpcContext { verifier: self.verifier.clone(), sources: self.sources.clone() }).unwrap()
    }

    fn chain(&self, chain: u64) -> &MemoryChain {
        &self.sources[&chain]
    }

    /// Replaces block `number` of `chain` (and everything above it) with a deposits-only block, as the
    /// chain's derivation does with an invalid block, after the server read the invalid block's output.
    async fn replace(&self, chain: u64, number: u64) {
        remember_invalid_outputs(&self.verifier, &self.sources).await;
        self.chain(chain).reorg_to(number - 1);
        self.chain(chain).push_deposits_only(1);
        self.follow().await;
    }
}

async fn call(
    module: &RpcModule<RpcContext<MemoryChain>>,
    method: &str,
    params: Value,
) -> Result<Value, (i64, String)> {
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let (response, _) = module.raw_json_request(&request, 1).await.unwrap();
    let response: Value = serde_json::from_str(response.get()).unwrap();
    match response.get("error") {
        Some(error) => Err((error["code"].as_i64().unwrap(), error["message"].as_str().unwrap().to_string())),
        None => Ok(response["result"].clone()),
    }
}

/// `keccak256(0 ++ stateRoot ++ messagePasserStorageRoot ++ blockHash)`.
fn output_root(output: &OutputV0) -> B256 {
    keccak256(
        [
            &[0u8; 32][..],
            output.state_root.as_slice(),
            output.message_passer_storage_root.as_slice(),
            output.block_hash.as_slice(),
        ]
        .concat(),
    )
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

/// `keccak256(0xff ++ rlp([superOutput, [[blockHash, outputRoot]...], step]))`.
fn transition_claim(super_output: &[u8], pending: &[(B256, B256)], step: u64) -> B256 {
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
    keccak256(out)
}

/// Every claim of the transition from `timestamp`, recomputed by hand: `pre` and `post` the outputs of the
/// chains' blocks at `timestamp` and `timestamp + 1`, `optimistic` their optimistic blocks' outputs.
fn expected_claims(
    timestamp: u64,
    pre: &[(u64, OutputV0)],
    optimistic: &[OutputV0],
    post: &[(u64, OutputV0)],
) -> Vec<B256> {
    let roots =
        |outputs: &[(u64, OutputV0)]| outputs.iter().map(|(c, o)| (*c, output_root(o))).collect::<Vec<_>>();
    let pre_bytes = super_output(timestamp, &roots(pre));
    let pending: Vec<(B256, B256)> = optimistic.iter().map(|o| (o.block_hash, output_root(o))).collect();
    let mut claims = vec![keccak256(&pre_bytes)];
    for step in 1..STEPS {
        let derived = (step as usize).min(pending.len());
        claims.push(transition_claim(&pre_bytes, &pending[..derived], step));
    }
    claims.push(keccak256(super_output(timestamp + 1, &roots(post))));
    claims
}

/// Asks the verifier for every claim of the transition from `timestamp` and compares each with `expected`;
/// also through trace indices from the prestate `timestamp`, and the post-state claim clamped.
async fn assert_every_claim(module: &RpcModule<RpcContext<MemoryChain>>, timestamp: u64, expected: &[B256]) {
    for step in 0..STEPS {
        let answer = call(module, "superlink_traceClaim", json!([timestamp, step])).await.unwrap();
        assert_eq!(answer["claim"], json!(expected[step as usize]), "step {step}: {answer}");
        assert_eq!(
            keccak256(
                answer["preimage"].as_str().map(|h| alloy_primitives::hex::decode(h).unwrap()).unwrap()
            ),
            expected[step as usize]
        );
    }
    for index in [0u64, 1, 2, 500, 1022] {
        let answer = call(module, "superlink_traceClaimAt", json!([timestamp, index])).await.unwrap();
        assert_eq!(answer["claim"], json!(expected[index as usize + 1]), "index {index}: {answer}");
        assert_eq!(answer["traceIndex"], json!(index));
    }
    // Index 1023 and any later one, with the proposal at timestamp + 1: the post-state's super root.
    for index in [1023u64, 1024, 4096] {
        let answer =
            call(module, "superlink_traceClaimAt", json!([timestamp, index, timestamp + 1])).await.unwrap();
        assert_eq!(answer["claim"], json!(expected[STEPS as usize]), "index {index}: {answer}");
        assert_eq!((answer["timestamp"].clone(), answer["step"].clone()), (json!(timestamp + 1), json!(0)));
    }
}

async fn transition_json(module: &RpcModule<RpcContext<MemoryChain>>, timestamp: u64) -> TransitionJson {
    serde_json::from_value(call(module, "superlink_transition", json!([timestamp])).await.unwrap()).unwrap()
}

#[tokio::test]
async fn a_plain_transitions_claims_are_the_super_roots_and_transition_states() {
    let fixture = Fixture::new().await;
    fixture.label(A, 5);
    fixture.label(B, 5);
    let module = fixture.module();
    let (a, b) = (fixture.chain(A), fixture.chain(B));
    // 107 -> 108: every chain has a new block (number 4) at 108.
    let pre = [(A, a.output(3)), (B, b.output(3))];
    let post = [(A, a.output(4)), (B, b.output(4))];
    let expected = expected_claims(107, &pre, &[a.output(4), b.output(4)], &post);
    assert_every_claim(&module, 107, &expected).await;

    let transition = transition_json(&module, 107).await;
    assert_eq!(transition.pre.super_root, expected[0]);
    assert_eq!(transition.post.super_root, expected[1024]);
    assert_eq!(transition.derivation.len(), 2);
    assert_eq!((transition.derivation[0].chain_id.0, transition.derivation[0].block.number), (A, 4));
    assert_eq!(transition.derivation[1].claim, expected[2]);
    let padding = transition.padding.unwrap();
    assert_eq!((padding.from_step, padding.to_step), (3, 1023));
    assert_eq!((padding.first_claim, padding.last_claim), (expected[3], expected[1023]));
    assert!(transition.consolidation.replaced.is_empty());
    assert_eq!(transition.consolidation.post_super_root, expected[1024]);

    // 108 -> 109: no chain has a block at 109; the optimistic blocks are those at 108.
    let same = [(A, a.output(4)), (B, b.output(4))];
    let expected = expected_claims(108, &same, &[a.output(4), b.output(4)], &same);
    assert_every_claim(&module, 108, &expected).await;
}

#[tokio::test]
async fn a_transition_is_answered_only_once_every_chain_is_cross_safe_at_the_next_timestamp() {
    let fixture = Fixture::new().await;
    fixture.label(A, 5);
    fixture.label(B, 3);
    let module = fixture.module();
    // 902 is cross-safe up to 106: the transition 105 -> 106 is known, 106 -> 107 is not yet.
    call(&module, "superlink_transition", json!([105])).await.unwrap();
    let (code, message) = call(&module, "superlink_transition", json!([106])).await.unwrap_err();
    assert_eq!(code, -321401, "{message}");
    assert!(message.contains("chain 902 is not cross-safe"), "{message}");
    // Step 0 only needs the super root at the timestamp itself.
    call(&module, "superlink_traceClaim", json!([106, 0])).await.unwrap();
    let (code, _) = call(&module, "superlink_traceClaim", json!([106, 1])).await.unwrap_err();
    assert_eq!(code, -321401);
    let (code, message) = call(&module, "superlink_traceClaim", json!([105, 1024])).await.unwrap_err();
    assert_eq!(code, -32602);
    assert!(message.contains("step 1024 is out of range"), "{message}");
    let (code, _) = call(&module, "superlink_traceClaimAt", json!([105, 3, 105])).await.unwrap_err();
    assert_eq!(code, -32602);
}

#[tokio::test]
async fn consolidation_replaces_a_block_with_an_invalid_message() {
    let fixture = Fixture::new().await;
    let (a, b) = (fixture.chain(A), fixture.chain(B));
    // Block 6 of 902 (timestamp 112) executes a forged message of 901 block 3.
    let (id, _) = a.message(3);
    let forged = keccak256(b"forged");
    let original = b.push(0, Some((id, forged)));
    a.push(0, None);
    fixture.follow().await;
    fixture.label(A, 6);
    fixture.label(B, 6);
    fixture.replace(B, 6).await;
    fixture.label(B, 6);
    let replacement = fixture.verifier.block(B, 6).unwrap();
    assert_ne!(replacement.hash, original.hash);

    let module = fixture.module();
    // The optimistic block of 902 at 112 is the original, its post-state block the replacement.
    let original_output = memory_chain::output_of_hash(original.hash);
    let pre = [(A, a.output(5)), (B, b.output(5))];
    let post = [(A, a.output(6)), (B, b.output(6))];
    let expected = expected_claims(111, &pre, &[a.output(6), original_output], &post);
    assert_every_claim(&module, 111, &expected).await;

    let transition = transition_json(&module, 111).await;
    assert_eq!(transition.derivation[1].block.hash, original.hash);
    assert_eq!(transition.consolidation.replaced.len(), 1);
    let replaced = &transition.consolidation.replaced[0];
    assert_eq!(replaced.chain_id.0, B);
    assert_eq!((replaced.original.hash, replaced.replacement.hash), (original.hash, replacement.hash));
    assert_eq!(replaced.replacement_output_root, output_root(&b.output(6)));
    assert!(replaced.reason.starts_with("log 0:"), "{}", replaced.reason);
    let message = &replaced.invalid_messages[0];
    assert_eq!((message.log_index, message.identifier, message.msg_hash), (0, Some(id), forged));
}

#[tokio::test]
async fn consolidation_replaces_every_block_of_a_same_timestamp_cycle() {
    let fixture = Fixture::new().await;
    let (a, b) = (fixture.chain(A), fixture.chain(B));
    // Blocks 6 (timestamp 112) of both chains: log 0 executes the other chain's log 1, a plain log; with the
    // edge from each log to the next of its block, the logs form a cycle.
    let plain_of = |chain: u64| {
        let id = Identifier {
            origin: EMITTER,
            block_number: 6,
            log_index: 1,
            timestamp: 112,
            chain_id: U256::from(chain),
        };
        (id, keccak256(plain_log_data(0, chain, 6)))
    };
    let block = |other: u64| {
        let (identifier, msg_hash) = plain_of(other);
        let (topics, data) = ExecutingMessage { identifier, msg_hash }.encode_log();
        vec![
            SourceLog { address: CROSS_L2_INBOX, topics, data },
            SourceLog { address: EMITTER, topics: vec![], data: Default::default() },
        ]
    };
    let original_a = a.push_logs(0, block(B));
    let original_b = b.push_logs(0, block(A));
    fixture.follow().await;
    fixture.label(A, 6);
    fixture.label(B, 6);
    let invalid = fixture.verifier.read().invalid_blocks();
    assert!(invalid.iter().any(|i| i.chain == A && i.reason.contains("cycle")), "{invalid:?}");
    // Both are replaced, one chain after the other, as the devnet's derivation does.
    fixture.replace(A, 6).await;
    fixture.label(A, 6);
    fixture.replace(B, 6).await;
    fixture.label(A, 6);
    fixture.label(B, 6);

    let module = fixture.module();
    let optimistic =
        [memory_chain::output_of_hash(original_a.hash), memory_chain::output_of_hash(original_b.hash)];
    let pre = [(A, a.output(5)), (B, b.output(5))];
    let post = [(A, a.output(6)), (B, b.output(6))];
    let expected = expected_claims(111, &pre, &optimistic, &post);
    assert_every_claim(&module, 111, &expected).await;

    let transition = transition_json(&module, 111).await;
    let replaced: Vec<(u64, B256)> =
        transition.consolidation.replaced.iter().map(|r| (r.chain_id.0, r.original.hash)).collect();
    assert_eq!(replaced, vec![(A, original_a.hash), (B, original_b.hash)]);
    for replacement in &transition.consolidation.replaced {
        assert!(replacement.reason.contains("cycle"), "{}", replacement.reason);
        assert_eq!(replacement.invalid_messages.len(), 1, "{replacement:?}");
        assert_eq!(replacement.invalid_messages[0].log_index, 0);
    }
}
