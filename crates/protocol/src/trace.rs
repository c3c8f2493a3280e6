//! The trace of the interop fault proof: which claim sits at each step of the transition from the super root at
//! one timestamp to the super root at the next, and which (timestamp, step) a game's trace index stands for.
//!
//! A transition from timestamp `T` has [`TRANSITION_STEPS_PER_TIMESTAMP`] steps:
//! - step 0: the super root at `T` (keccak256 of its `SuperV1` encoding);
//! - step `k` for `1 <= k <= n` (`n` chains): a [`TransitionState`] whose pending progress holds the optimistic
//!   blocks at `T + 1` of the first `k` chains, ascending by chain ID (the derivation step of chain `k - 1`);
//! - steps `n + 1` to [`CONSOLIDATION_STEP`]: padding, the same pending progress with a growing step counter;
//! - the step out of state [`CONSOLIDATION_STEP`] consolidates: it yields the super root at `T + 1`, which is
//!   step 0 of the next transition.
//!
//! A game numbers its leaves from the agreed prestate: trace index `i` is the state after `i + 1` steps.

use alloy_primitives::{B256, Bytes};

use crate::roots::{
    CONSOLIDATION_STEP, OptimisticBlock, SuperRootError, SuperV1, TRANSITION_STATE_VERSION,
    TRANSITION_STEPS_PER_TIMESTAMP, TransitionState, TransitionStateError,
};

/// A place in the trace: a timestamp and a step of its transition (step 0: the super root at the timestamp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct TracePosition {
    /// The timestamp the transition starts from.
    pub timestamp: u64,
    /// The step, `0..TRANSITION_STEPS_PER_TIMESTAMP`.
    pub step: u64,
}

/// Why a trace index or a position is out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceIndexError {
    /// The timestamp the index stands for does not fit in 64 bits.
    #[error(
        "trace index {index} from prestate timestamp {prestate} is beyond the last representable timestamp"
    )]
    Overflow {
        /// The trace index.
        index: u64,
        /// The prestate timestamp.
        prestate: u64,
    },
    /// The position is at or before the prestate: no trace index stands for it.
    #[error("position (timestamp {timestamp}, step {step}) is not after the prestate timestamp {prestate}")]
    BeforePrestate {
        /// The position's timestamp.
        timestamp: u64,
        /// The position's step.
        step: u64,
        /// The prestate timestamp.
        prestate: u64,
    },
    /// A step of a transition is at most [`CONSOLIDATION_STEP`].
    #[error("step {0} is out of range: a transition has steps 0 to {CONSOLIDATION_STEP}")]
    StepOutOfRange(u64),
}

/// The position trace index `index` stands for, in a game whose agreed prestate is the super root at
/// `prestate` and whose proposal is at `poststate` (when known): the state after `index + 1` steps, clamped to
/// the proposal's super root (`(poststate, 0)`) once it reaches or passes the proposal's timestamp, as the
/// reference challenger does.
pub fn trace_position(
    prestate: u64,
    poststate: Option<u64>,
    index: u64,
) -> Result<TracePosition, TraceIndexError> {
    let overflow = || TraceIndexError::Overflow { index, prestate };
    let steps = u128::from(index) + 1;
    let timestamps = steps / u128::from(TRANSITION_STEPS_PER_TIMESTAMP);
    let timestamp = u128::from(prestate) + timestamps;
    let step = (steps % u128::from(TRANSITION_STEPS_PER_TIMESTAMP)) as u64;
    if let Some(post) = poststate
        && timestamp >= u128::from(post)
    {
        return Ok(TracePosition { timestamp: post, step: 0 });
    }
    let timestamp = u64::try_from(timestamp).map_err(|_| overflow())?;
    Ok(TracePosition { timestamp, step })
}

/// The trace index of `position` in a game whose agreed prestate is the super root at `prestate`: the inverse
/// of [`trace_position`] (without the clamp).
pub fn trace_index(prestate: u64, position: TracePosition) -> Result<u64, TraceIndexError> {
    if position.step > CONSOLIDATION_STEP {
        return Err(TraceIndexError::StepOutOfRange(position.step));
    }
    let before =
        TraceIndexError::BeforePrestate { timestamp: position.timestamp, step: position.step, prestate };
    let elapsed = position.timestamp.checked_sub(prestate).ok_or(before.clone())?;
    let steps = u128::from(elapsed) * u128::from(TRANSITION_STEPS_PER_TIMESTAMP) + u128::from(position.step);
    let index = steps.checked_sub(1).ok_or(before)?;
    u64::try_from(index).map_err(|_| TraceIndexError::Overflow { index: u64::MAX, prestate })
}

/// What a step of a transition over `chains` chains is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// Step 0: the super root at the transition's timestamp.
    SuperRoot,
    /// The state after deriving the optimistic block of the chain at `chain_index` (ascending chain order).
    Derivation {
        /// The chain's index in the super output.
        chain_index: usize,
    },
    /// A padding step: every chain's block is derived, the pending progress does not change.
    Padding,
}

impl StepKind {
    /// The kind of `step` (0 to [`CONSOLIDATION_STEP`]) of a transition over `chains` chains.
    pub fn of(step: u64, chains: usize) -> Self {
        match step {
            0 => StepKind::SuperRoot,
            k if k <= chains as u64 => StepKind::Derivation { chain_index: (k - 1) as usize },
            _ => StepKind::Padding,
        }
    }

    /// The name used in RPC answers and command output: `superRoot`, `derivation` or `padding`.
    pub fn name(self) -> &'static str {
        match self {
            StepKind::SuperRoot => "superRoot",
            StepKind::Derivation { .. } => "derivation",
            StepKind::Padding => "padding",
        }
    }
}

/// The preimage of a claim: a super output (step 0) or a transition state (the other steps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimPreimage {
    /// A super output: the claim is its super root.
    Super(SuperV1),
    /// An intermediate state of a transition.
    Transition(TransitionState),
}

/// Why bytes are not the preimage of a claim.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimPreimageError {
    /// The input is empty.
    #[error("claim preimage is empty")]
    Empty,
    /// The first byte is neither a super output's nor a transition state's version.
    #[error("claim preimage version {0:#04x} is neither a super output (0x01) nor a transition state (0xff)")]
    UnknownVersion(u8),
    /// The super output is malformed.
    #[error(transparent)]
    Super(#[from] SuperRootError),
    /// The transition state is malformed.
    #[error(transparent)]
    Transition(#[from] TransitionStateError),
}

impl ClaimPreimage {
    /// Decodes a claim preimage by its version byte.
    pub fn decode(data: &[u8]) -> Result<Self, ClaimPreimageError> {
        match data.first() {
            None => Err(ClaimPreimageError::Empty),
            Some(&crate::roots::SUPER_OUTPUT_VERSION_V1) => Ok(ClaimPreimage::Super(SuperV1::decode(data)?)),
            Some(&TRANSITION_STATE_VERSION) => Ok(ClaimPreimage::Transition(TransitionState::decode(data)?)),
            Some(&other) => Err(ClaimPreimageError::UnknownVersion(other)),
        }
    }

    /// The encoding.
    pub fn encode(&self) -> Bytes {
        match self {
            ClaimPreimage::Super(super_v1) => super_v1.encode(),
            ClaimPreimage::Transition(state) => state.encode(),
        }
    }

    /// The claim: keccak256 of the encoding.
    pub fn hash(&self) -> B256 {
        match self {
            ClaimPreimage::Super(super_v1) => super_v1.hash(),
            ClaimPreimage::Transition(state) => state.hash(),
        }
    }
}

/// Why a transition cannot be built from its parts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuperTransitionError {
    /// The post-state is not one second after the pre-state.
    #[error("the post-state at {post} does not follow the pre-state at {pre}")]
    NotConsecutive {
        /// The pre-state's timestamp.
        pre: u64,
        /// The post-state's timestamp.
        post: u64,
    },
    /// The post-state, or the pending progress, does not cover the pre-state's chains.
    #[error("the pre-state has {pre} chains, the pending progress {pending} and the post-state {post}")]
    ChainCount {
        /// Chains of the pre-state.
        pre: usize,
        /// Optimistic blocks given.
        pending: usize,
        /// Chains of the post-state.
        post: usize,
    },
    /// The post-state lists other chains than the pre-state.
    #[error("the post-state's chains differ from the pre-state's")]
    ChainsDiffer,
    /// More chains than derivation steps.
    #[error("{0} chains do not fit in the {CONSOLIDATION_STEP} derivation steps of a transition")]
    TooManyChains(usize),
}

/// One transition, from the super root at `pre.timestamp` to the one a second later: enough to tell the claim
/// at every step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperTransition {
    pre: SuperV1,
    pre_encoded: Bytes,
    pending: Vec<OptimisticBlock>,
    post: SuperV1,
}

impl SuperTransition {
    /// The transition from `pre` to `post`, through the optimistic blocks of every chain at `post`'s timestamp
    /// (in `pre`'s chain order).
    pub fn new(
        pre: SuperV1,
        pending: Vec<OptimisticBlock>,
        post: SuperV1,
    ) -> Result<Self, SuperTransitionError> {
        if pre.timestamp.checked_add(1) != Some(post.timestamp) {
            return Err(SuperTransitionError::NotConsecutive { pre: pre.timestamp, post: post.timestamp });
        }
        let (chains, pending_len, post_len) = (pre.outputs.len(), pending.len(), post.outputs.len());
        if pending_len != chains || post_len != chains {
            return Err(SuperTransitionError::ChainCount {
                pre: chains,
                pending: pending_len,
                post: post_len,
            });
        }
        if pre.outputs.iter().zip(&post.outputs).any(|(a, b)| a.chain_id != b.chain_id) {
            return Err(SuperTransitionError::ChainsDiffer);
        }
        if chains as u64 > CONSOLIDATION_STEP {
            return Err(SuperTransitionError::TooManyChains(chains));
        }
        let pre_encoded = pre.encode();
        Ok(Self { pre, pre_encoded, pending, post })
    }

    /// The super output transitioned from.
    pub fn pre(&self) -> &SuperV1 {
        &self.pre
    }

    /// The super output transitioned to.
    pub fn post(&self) -> &SuperV1 {
        &self.post
    }

    /// The optimistic block of every chain, in chain order.
    pub fn pending(&self) -> &[OptimisticBlock] {
        &self.pending
    }

    /// The kind of `step`.
    pub fn kind(&self, step: u64) -> StepKind {
        StepKind::of(step, self.pending.len())
    }

    /// The state after `step` steps: the pre-state's super output at 0, a transition state for 1 to
    /// [`CONSOLIDATION_STEP`], and the post-state's super output from [`TRANSITION_STEPS_PER_TIMESTAMP`] on
    /// (step 0 of the next transition).
    pub fn state_at(&self, step: u64) -> ClaimPreimage {
        match step {
            0 => ClaimPreimage::Super(self.pre.clone()),
            k if k > CONSOLIDATION_STEP => ClaimPreimage::Super(self.post.clone()),
            k => ClaimPreimage::Transition(self.transition_state(k)),
        }
    }

    fn transition_state(&self, step: u64) -> TransitionState {
        let derived = (step as usize).min(self.pending.len());
        TransitionState {
            super_root: self.pre_encoded.clone(),
            pending_progress: self.pending[..derived].to_vec(),
            step,
        }
    }

    /// The claim after `step` steps (see [`Self::state_at`]).
    pub fn claim_at(&self, step: u64) -> B256 {
        self.state_at(step).hash()
    }

    /// Every claim of the transition: index `k` holds the claim after `k` steps, for `k` from 0 to
    /// [`TRANSITION_STEPS_PER_TIMESTAMP`] (the last one is the post-state's super root).
    pub fn claims(&self) -> Vec<B256> {
        (0..=TRANSITION_STEPS_PER_TIMESTAMP).map(|step| self.claim_at(step)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roots::{INVALID_TRANSITION_HASH, OutputRootWithChain};
    use alloy_primitives::{U256, keccak256};
    use proptest::prelude::*;

    fn super_at(timestamp: u64, roots: &[(u64, u8)]) -> SuperV1 {
        let outputs = roots
            .iter()
            .map(|(chain, byte)| OutputRootWithChain {
                chain_id: U256::from(*chain),
                output_root: B256::repeat_byte(*byte),
            })
            .collect();
        SuperV1::new(timestamp, outputs).unwrap()
    }

    fn block(byte: u8) -> OptimisticBlock {
        OptimisticBlock { block_hash: B256::repeat_byte(byte), output_root: B256::repeat_byte(byte ^ 0xff) }
    }

    fn transition() -> SuperTransition {
        SuperTransition::new(
            super_at(10, &[(901, 1), (902, 2)]),
            vec![block(3), block(4)],
            super_at(11, &[(901, 5), (902, 6)]),
        )
        .unwrap()
    }

    /// The transition state written out by hand: 0xff, then the RLP list of the super output bytes, the list
    /// of [blockHash, outputRoot] pairs and the step.
    fn by_hand(pre: &SuperV1, pending: &[OptimisticBlock], step: u64) -> B256 {
        use alloy_rlp::{Encodable, Header};
        let mut pairs = Vec::new();
        for block in pending {
            let mut pair = Vec::new();
            block.block_hash.encode(&mut pair);
            block.output_root.encode(&mut pair);
            Header { list: true, payload_length: pair.len() }.encode(&mut pairs);
            pairs.extend_from_slice(&pair);
        }
        let mut body = Vec::new();
        pre.encode().as_ref().encode(&mut body);
        Header { list: true, payload_length: pairs.len() }.encode(&mut body);
        body.extend_from_slice(&pairs);
        step.encode(&mut body);
        let mut out = vec![0xff];
        Header { list: true, payload_length: body.len() }.encode(&mut out);
        out.extend_from_slice(&body);
        keccak256(out)
    }

    #[test]
    fn the_reference_challenger_plays_1024_steps_and_consolidates_at_1023() {
        assert_eq!(TRANSITION_STEPS_PER_TIMESTAMP, 1024);
        assert_eq!(CONSOLIDATION_STEP, 1023);
    }

    #[test]
    fn step_zero_is_the_pre_super_root_and_consolidation_yields_the_post_super_root() {
        let transition = transition();
        assert_eq!(transition.claim_at(0), transition.pre().hash());
        assert_eq!(transition.claim_at(1024), transition.post().hash());
        let claims = transition.claims();
        assert_eq!(claims.len(), 1025);
        assert_eq!(claims[0], transition.pre().hash());
        assert_eq!(claims[1024], transition.post().hash());
    }

    #[test]
    fn each_derivation_step_adds_the_next_chains_block() {
        let transition = transition();
        let pre = transition.pre().clone();
        assert_eq!(transition.claim_at(1), by_hand(&pre, &[block(3)], 1));
        assert_eq!(transition.claim_at(2), by_hand(&pre, &[block(3), block(4)], 2));
        assert_eq!(transition.kind(1), StepKind::Derivation { chain_index: 0 });
        assert_eq!(transition.kind(2), StepKind::Derivation { chain_index: 1 });
    }

    #[test]
    fn padding_steps_keep_the_pending_blocks_and_count_the_step() {
        let transition = transition();
        let pre = transition.pre().clone();
        let all = [block(3), block(4)];
        for step in [3, 4, 500, 1022, 1023] {
            assert_eq!(transition.kind(step), StepKind::Padding);
            assert_eq!(transition.claim_at(step), by_hand(&pre, &all, step));
        }
        // Every padding claim differs from the others: the step counter is part of the state.
        let claims = transition.claims();
        let mut padding: Vec<B256> = claims[3..1024].to_vec();
        padding.sort();
        padding.dedup();
        assert_eq!(padding.len(), 1021);
    }

    #[test]
    fn no_claim_of_a_valid_transition_is_the_invalid_hash() {
        assert!(!transition().claims().contains(&INVALID_TRANSITION_HASH));
    }

    #[test]
    fn a_preimage_decodes_by_its_version_byte() {
        let transition = transition();
        for step in [0, 1, 2, 700, 1024] {
            let state = transition.state_at(step);
            let decoded = ClaimPreimage::decode(&state.encode()).unwrap();
            assert_eq!(decoded, state);
            assert_eq!(decoded.hash(), transition.claim_at(step));
        }
        assert_eq!(ClaimPreimage::decode(&[]), Err(ClaimPreimageError::Empty));
        assert_eq!(ClaimPreimage::decode(&[7, 0]), Err(ClaimPreimageError::UnknownVersion(7)));
    }

    #[test]
    fn a_transition_needs_consecutive_timestamps_and_the_same_chains() {
        let pre = super_at(10, &[(901, 1), (902, 2)]);
        let err =
            SuperTransition::new(pre.clone(), vec![block(1), block(2)], super_at(12, &[(901, 1), (902, 2)]));
        assert_eq!(err, Err(SuperTransitionError::NotConsecutive { pre: 10, post: 12 }));
        let err = SuperTransition::new(pre.clone(), vec![block(1)], super_at(11, &[(901, 1), (902, 2)]));
        assert!(matches!(err, Err(SuperTransitionError::ChainCount { pending: 1, .. })));
        let err = SuperTransition::new(pre, vec![block(1), block(2)], super_at(11, &[(901, 1), (903, 2)]));
        assert_eq!(err, Err(SuperTransitionError::ChainsDiffer));
    }

    #[test]
    fn trace_indices_count_steps_from_the_prestate() {
        let at = |timestamp, step| TracePosition { timestamp, step };
        // Index 0 is the first derivation step of the prestate's transition.
        assert_eq!(trace_position(100, None, 0), Ok(at(100, 1)));
        assert_eq!(trace_position(100, None, 1022), Ok(at(100, 1023)));
        // Index 1023: the consolidated super root at the next timestamp.
        assert_eq!(trace_position(100, None, 1023), Ok(at(101, 0)));
        assert_eq!(trace_position(100, None, 1024), Ok(at(101, 1)));
        assert_eq!(trace_position(100, None, 5 * 1024 + 6), Ok(at(105, 7)));
    }

    #[test]
    fn trace_indices_at_or_past_the_proposal_clamp_to_its_super_root() {
        let at = |timestamp, step| TracePosition { timestamp, step };
        assert_eq!(trace_position(100, Some(102), 1024), Ok(at(101, 1)));
        assert_eq!(trace_position(100, Some(102), 2046), Ok(at(101, 1023)));
        assert_eq!(trace_position(100, Some(102), 2047), Ok(at(102, 0)));
        assert_eq!(trace_position(100, Some(102), 2048), Ok(at(102, 0)));
        assert_eq!(trace_position(100, Some(102), u64::MAX), Ok(at(102, 0)));
        // Without a proposal nothing clamps, and a timestamp past u64 is an error.
        assert!(matches!(trace_position(u64::MAX, None, 1023), Err(TraceIndexError::Overflow { .. })));
    }

    #[test]
    fn a_position_at_or_before_the_prestate_has_no_index() {
        let at = |timestamp, step| TracePosition { timestamp, step };
        assert!(matches!(trace_index(100, at(100, 0)), Err(TraceIndexError::BeforePrestate { .. })));
        assert!(matches!(trace_index(100, at(99, 5)), Err(TraceIndexError::BeforePrestate { .. })));
        assert_eq!(trace_index(100, at(100, 1024)), Err(TraceIndexError::StepOutOfRange(1024)));
        assert_eq!(trace_index(100, at(101, 0)), Ok(1023));
    }

    proptest! {
        #[test]
        fn positions_and_indices_are_inverse(prestate in 0u64..1 << 40, index in 0u64..1 << 40) {
            let position = trace_position(prestate, None, index).unwrap();
            prop_assert!(position.step <= CONSOLIDATION_STEP);
            prop_assert_eq!(trace_index(prestate, position).unwrap(), index);
        }
    }
}
