//! The interop fault-proof trace as the verifier knows it: the transition from the super root at a timestamp
//! `T` to the one at `T + 1`, step by step (`specs/interop/fault-proof.md`; the claims themselves are the
//! protocol crate's [`SuperTransition`]).
//!
//! Each chain's optimistic block at `T + 1` is what its derivation produced before any cross-chain check: the
//! local-safe block there, or, when that block replaced an invalid one, the original (kept by
//! [`crate::ReplacedBlocks`]). Consolidation then keeps the valid blocks and replaces the invalid ones with
//! their deposits-only replacements: the post-state is the cross-safe super root at `T + 1`, and the blocks it
//! replaced are those whose optimistic block is not the canonical one, each with the invalid executing message
//! that the verifier recorded when the block was dropped.
//!
//! A transition is answered only once every chain is cross-safe at `T + 1` (before that, the not-found error of
//! the super-root methods): its outcome is then final, unless the L1 reorganises.

use std::{collections::BTreeMap, sync::Arc};

use alloy_primitives::{B256, Bytes, U256};
use serde::{Deserialize, Serialize};
use superlink_protocol::{
    CONSOLIDATION_STEP, ClaimPreimage, Identifier, OptimisticBlock, OutputRootWithChain, OutputV0, StepKind,
    SuperTransition, SuperV1, TRANSITION_STEPS_PER_TIMESTAMP, TracePosition,
};

use crate::{
    api::ChainIdText,
    chain_data::{BlockRef, ChainId},
    error::QueryError,
    replaced::ReplacementCause,
    source::ChainSource,
    superroot::output_of,
    verifier::Verifier,
};

/// One chain's part of a transition from `T` to `T + 1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainTransition {
    /// The chain.
    pub chain: ChainId,
    /// Its block in the super root at `T` (cross-safe).
    pub pre_block: BlockRef,
    /// That block's output.
    pub pre_output: OutputV0,
    /// Its optimistic block at `T + 1`: what derivation produced, before consolidation.
    pub optimistic_block: BlockRef,
    /// That block's output.
    pub optimistic_output: OutputV0,
    /// Its block in the super root at `T + 1` (cross-safe, after consolidation).
    pub post_block: BlockRef,
    /// That block's output.
    pub post_output: OutputV0,
    /// Why consolidation replaced the optimistic block, when it did.
    pub replaced: Option<ReplacementCause>,
}

/// A transition from the super root at `timestamp` to the one at `timestamp + 1`, with every chain's blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The timestamp transitioned from.
    pub timestamp: u64,
    /// Every chain, ascending by chain ID (the order of the derivation steps).
    pub chains: Vec<ChainTransition>,
    /// The claims.
    pub trace: SuperTransition,
}

impl Transition {
    /// The derivation steps: for each step `1..=n`, the chain and the optimistic block it derives. What a
    /// re-execution of the trace's blocks starts from.
    pub fn derivation_steps(&self) -> Vec<(u64, ChainId, BlockRef)> {
        self.chains.iter().enumerate().map(|(i, c)| (i as u64 + 1, c.chain, c.optimistic_block)).collect()
    }

    /// The claim after `step` steps (`TRANSITION_STEPS_PER_TIMESTAMP`: the post-state's super root).
    pub fn claim_at(&self, step: u64) -> B256 {
        self.trace.claim_at(step)
    }

    /// The JSON of `superlink_transition`.
    pub fn to_json(&self) -> TransitionJson {
        let trace = &self.trace;
        let derivation = self
            .chains
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let step = i as u64 + 1;
                DerivationStepJson {
                    step,
                    chain_id: ChainIdText(c.chain),
                    block: c.optimistic_block,
                    output: c.optimistic_output,
                    output_root: c.optimistic_output.root(),
                    claim: trace.claim_at(step),
                }
            })
            .collect();
        let first_padding = self.chains.len() as u64 + 1;
        let padding = (first_padding <= CONSOLIDATION_STEP).then(|| PaddingJson {
            from_step: first_padding,
            to_step: CONSOLIDATION_STEP,
            first_claim: trace.claim_at(first_padding),
            last_claim: trace.claim_at(CONSOLIDATION_STEP),
        });
        let replaced = self
            .chains
            .iter()
            .filter_map(|c| {
                let cause = c.replaced.as_ref()?;
                Some(ReplacementJson {
                    chain_id: ChainIdText(c.chain),
                    original: c.optimistic_block,
                    original_output_root: c.optimistic_output.root(),
                    replacement: c.post_block,
                    replacement_output: c.post_output,
                    replacement_output_root: c.post_output.root(),
                    reason: cause.reason.clone(),
                    invalid_messages: cause
                        .messages
                        .iter()
                        .map(|m| InvalidMessageJson {
                            log_index: m.log_index,
                            identifier: m.identifier,
                            msg_hash: m.msg_hash,
                            reason: m.reason.clone(),
                        })
                        .collect(),
                })
            })
            .collect();
        TransitionJson {
            timestamp: self.timestamp,
            post_timestamp: trace.post().timestamp,
            steps_per_timestamp: TRANSITION_STEPS_PER_TIMESTAMP,
            consolidation_step: CONSOLIDATION_STEP,
            pre: SuperStateJson::of(trace.pre()),
            derivation,
            padding,
            consolidation: ConsolidationJson {
                step: CONSOLIDATION_STEP,
                pre_claim: trace.claim_at(CONSOLIDATION_STEP),
                replaced,
                post_super_root: trace.post().hash(),
            },
            post: SuperStateJson::of(trace.post()),
        }
    }

    /// The JSON of the claim after `step` steps (0 to [`CONSOLIDATION_STEP`]).
    pub fn claim_json(&self, step: u64, trace_index: Option<u64>) -> TraceClaimJson {
        let kind = self.trace.kind(step);
        let chain_id = match kind {
            StepKind::Derivation { chain_index } => {
                self.chains.get(chain_index).map(|c| ChainIdText(c.chain))
            }
            _ => None,
        };
        let preimage = self.trace.state_at(step);
        TraceClaimJson {
            timestamp: self.timestamp,
            step,
            trace_index,
            kind: kind.name().to_string(),
            chain_id,
            claim: preimage.hash(),
            preimage: preimage.encode(),
        }
    }
}

/// The super output at `timestamp` over cross-safe blocks, with each chain's block and output.
async fn super_state<S: ChainSource>(
    verifier: &Verifier,
    sources: &BTreeMap<ChainId, Arc<S>>,
    timestamp: u64,
) -> Result<Vec<(ChainId, BlockRef, OutputV0)>, QueryError> {
    let blocks = cross_safe_blocks(verifier, timestamp)?;
    let mut out = Vec::with_capacity(blocks.len());
    for (chain, block) in blocks {
        let source = sources.get(&chain).ok_or_else(|| QueryError::UnknownChain(chain.to_string()))?;
        out.push((chain, block, output_of(source.as_ref(), &block).await?));
    }
    Ok(out)
}

/// Every chain's cross-safe block at `timestamp`, or the not-found error while one is not cross-safe there.
fn cross_safe_blocks(verifier: &Verifier, timestamp: u64) -> Result<Vec<(ChainId, BlockRef)>, QueryError> {
    let state = verifier.read();
    state
        .chains()
        .map(|chain| {
            let reached = state
                .heads(chain)
                .and_then(|h| h.cross_safe)
                .is_some_and(|head| head.timestamp >= timestamp);
            let block = if reached { state.block_at_timestamp(chain, timestamp) } else { None };
            block.map(|b| (chain, b)).ok_or_else(|| {
                QueryError::Future(format!(
                    "super root at timestamp {timestamp} not found: chain {chain} is not cross-safe at that timestamp"
                ))
            })
        })
        .collect()
}

fn super_of(
    timestamp: u64,
    chains: impl Iterator<Item = (ChainId, OutputV0)>,
) -> Result<SuperV1, QueryError> {
    let outputs =
        chains.map(|(chain, o)| OutputRootWithChain { chain_id: U256::from(chain), output_root: o.root() });
    SuperV1::new(timestamp, outputs.collect()).map_err(|e| QueryError::Unavailable(e.to_string()))
}

/// The super output at `timestamp` over cross-safe blocks: the claim at step 0 of the transition from it.
pub async fn super_output_at<S: ChainSource>(
    verifier: &Verifier,
    sources: &BTreeMap<ChainId, Arc<S>>,
    timestamp: u64,
) -> Result<SuperV1, QueryError> {
    let state = super_state(verifier, sources, timestamp).await?;
    super_of(timestamp, state.into_iter().map(|(chain, _, output)| (chain, output)))
}

/// The transition from the super root at `timestamp` to the one at `timestamp + 1`. A not-found error
/// ([`QueryError::Future`]) until every chain is cross-safe at `timestamp + 1`; an unavailable one when a
/// replaced block's output was never read.
pub async fn transition<S: ChainSource>(
    verifier: &Verifier,
    sources: &BTreeMap<ChainId, Arc<S>>,
    timestamp: u64,
) -> Result<Transition, QueryError> {
    let post_timestamp = timestamp
        .checked_add(1)
        .ok_or_else(|| QueryError::Unavailable(format!("no timestamp follows {timestamp}")))?;
    // The post-state first: once every chain is cross-safe at T + 1, it is at T too.
    let post_blocks = cross_safe_blocks(verifier, post_timestamp)?;
    let pre_blocks = cross_safe_blocks(verifier, timestamp)?;
    let originals: BTreeMap<ChainId, (BlockRef, Option<OutputV0>, Option<ReplacementCause>)> = {
        let replaced = verifier.replaced();
        post_blocks
            .iter()
            .filter(|(_, block)| block.timestamp == post_timestamp)
            .filter_map(|(chain, block)| {
                let original = replaced.original(*chain, block.number, block.timestamp)?;
                (original.block.hash != block.hash).then(|| {
                    let cause = replaced.cause(*chain, block.number, original.block.hash);
                    (*chain, (original.block, original.output, cause))
                })
            })
            .collect()
    };
    let mut chains = Vec::with_capacity(post_blocks.len());
    for ((chain, post_block), (pre_chain, pre_block)) in post_blocks.into_iter().zip(pre_blocks) {
        if chain != pre_chain {
            return Err(QueryError::Unavailable(format!(
                "chains changed while reading timestamp {timestamp}"
            )));
        }
        let source = sources.get(&chain).ok_or_else(|| QueryError::UnknownChain(chain.to_string()))?;
        let pre_output = output_of(source.as_ref(), &pre_block).await?;
        let post_output = if post_block.hash == pre_block.hash {
            pre_output
        } else {
            output_of(source.as_ref(), &post_block).await?
        };
        let (optimistic_block, optimistic_output, replaced) = match originals.get(&chain) {
            Some((original, output, cause)) => {
                let output = output.ok_or_else(|| {
                    QueryError::Unavailable(format!(
                        "the optimistic block of chain {chain} at timestamp {post_timestamp} (block {}, {}) was \
                         replaced before its output root could be read",
                        original.number, original.hash
                    ))
                })?;
                let cause = cause.clone().unwrap_or_else(|| ReplacementCause {
                    reason: "found invalid (the reason was not recorded)".to_string(),
                    messages: Vec::new(),
                });
                (*original, output, Some(cause))
            }
            None => (post_block, post_output, None),
        };
        chains.push(ChainTransition {
            chain,
            pre_block,
            pre_output,
            optimistic_block,
            optimistic_output,
            post_block,
            post_output,
            replaced,
        });
    }
    let pre = super_of(timestamp, chains.iter().map(|c| (c.chain, c.pre_output)))?;
    let post = super_of(post_timestamp, chains.iter().map(|c| (c.chain, c.post_output)))?;
    let pending = chains
        .iter()
        .map(|c| OptimisticBlock {
            block_hash: c.optimistic_block.hash,
            output_root: c.optimistic_output.root(),
        })
        .collect();
    let trace =
        SuperTransition::new(pre, pending, post).map_err(|e| QueryError::Unavailable(e.to_string()))?;
    Ok(Transition { timestamp, chains, trace })
}

/// The claim at `position` (its step at most [`CONSOLIDATION_STEP`]): at step 0 only the super root at the
/// timestamp is needed, at the other steps the whole transition to the next timestamp.
pub async fn trace_claim<S: ChainSource>(
    verifier: &Verifier,
    sources: &BTreeMap<ChainId, Arc<S>>,
    position: TracePosition,
    trace_index: Option<u64>,
) -> Result<TraceClaimJson, QueryError> {
    if position.step == 0 {
        let super_v1 = super_output_at(verifier, sources, position.timestamp).await?;
        let preimage = ClaimPreimage::Super(super_v1);
        return Ok(TraceClaimJson {
            timestamp: position.timestamp,
            step: 0,
            trace_index,
            kind: StepKind::SuperRoot.name().to_string(),
            chain_id: None,
            claim: preimage.hash(),
            preimage: preimage.encode(),
        });
    }
    let transition = transition(verifier, sources, position.timestamp).await?;
    Ok(transition.claim_json(position.step, trace_index))
}

/// A super output with its root and encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuperStateJson {
    /// The super root: keccak256 of `encoded`.
    pub super_root: B256,
    /// The super output, as op-service writes it.
    #[serde(rename = "super")]
    pub super_output: SuperV1,
    /// The `SuperV1` encoding (a super game's extra data).
    pub encoded: Bytes,
}

impl SuperStateJson {
    fn of(super_v1: &SuperV1) -> Self {
        Self { super_root: super_v1.hash(), super_output: super_v1.clone(), encoded: super_v1.encode() }
    }
}

/// One derivation step of `superlink_transition`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DerivationStepJson {
    /// The step whose state holds this chain's block.
    pub step: u64,
    /// The chain.
    #[serde(rename = "chainID")]
    pub chain_id: ChainIdText,
    /// Its optimistic block at the next timestamp.
    pub block: BlockRef,
    /// That block's output preimage.
    pub output: OutputV0,
    /// That block's output root.
    pub output_root: B256,
    /// The claim after this step.
    pub claim: B256,
}

/// The padding steps of `superlink_transition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaddingJson {
    /// The first padding step.
    pub from_step: u64,
    /// The last one (the consolidation step's state).
    pub to_step: u64,
    /// The claim after the first padding step.
    pub first_claim: B256,
    /// The claim after the last one.
    pub last_claim: B256,
}

/// An executing message that made a replaced block invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvalidMessageJson {
    /// The index of the executing log in its block.
    pub log_index: u32,
    /// The identifier it claims (absent when a field is out of range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    /// The msgHash it executes.
    pub msg_hash: B256,
    /// Why it is invalid.
    pub reason: String,
}

/// A block consolidation replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplacementJson {
    /// The chain.
    #[serde(rename = "chainID")]
    pub chain_id: ChainIdText,
    /// The optimistic block, found invalid.
    pub original: BlockRef,
    /// Its output root (the one in the pending progress).
    pub original_output_root: B256,
    /// The deposits-only block that replaced it.
    pub replacement: BlockRef,
    /// The replacement's output preimage.
    pub replacement_output: OutputV0,
    /// The replacement's output root (the one in the post-state).
    pub replacement_output_root: B256,
    /// Why the original was invalid.
    pub reason: String,
    /// The executing messages that made it invalid.
    pub invalid_messages: Vec<InvalidMessageJson>,
}

/// The consolidation step of `superlink_transition`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsolidationJson {
    /// The step whose state is consolidated.
    pub step: u64,
    /// The claim consolidated from (the state after `step` steps).
    pub pre_claim: B256,
    /// The blocks consolidation replaced.
    pub replaced: Vec<ReplacementJson>,
    /// The claim it yields: the super root at the next timestamp.
    pub post_super_root: B256,
}

/// The answer of `superlink_transition`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransitionJson {
    /// The timestamp transitioned from.
    pub timestamp: u64,
    /// The timestamp transitioned to.
    pub post_timestamp: u64,
    /// Steps of a transition (1024).
    pub steps_per_timestamp: u64,
    /// The step whose state is consolidated (1023).
    pub consolidation_step: u64,
    /// The super root at `timestamp`: the claim at step 0.
    pub pre: SuperStateJson,
    /// One entry per chain, ascending: the claims at steps 1 to n.
    pub derivation: Vec<DerivationStepJson>,
    /// The padding steps (absent with 1023 chains).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub padding: Option<PaddingJson>,
    /// The consolidation step.
    pub consolidation: ConsolidationJson,
    /// The super root at `post_timestamp`.
    pub post: SuperStateJson,
}

/// The answer of `superlink_traceClaim` and `superlink_traceClaimAt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceClaimJson {
    /// The timestamp of the transition.
    pub timestamp: u64,
    /// The step (0: the super root at `timestamp`).
    pub step: u64,
    /// The trace index asked for (`superlink_traceClaimAt` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_index: Option<u64>,
    /// `superRoot`, `derivation` or `padding`.
    pub kind: String,
    /// The chain derived at this step (`derivation` only).
    #[serde(rename = "chainID", default, skip_serializing_if = "Option::is_none")]
    pub chain_id: Option<ChainIdText>,
    /// The claim.
    pub claim: B256,
    /// Its preimage: a `SuperV1` encoding at step 0, a transition state otherwise.
    pub preimage: Bytes,
}
