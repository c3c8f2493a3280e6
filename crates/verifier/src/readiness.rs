//! Whether a verifier has caught up with its chains, so that its answers may be trusted by a tx-pool and a load
//! balancer may send it traffic.
//!
//! A verifier that is still indexing its chains knows less than the chains do: a message in a block it has not
//! indexed yet looks unknown, and a reorg it has not seen yet leaves it judging blocks that are no longer
//! canonical. Behind a load balancer such a replica must get no checks at all, and a node that asks it directly
//! must hear "not ready" rather than a verdict. [`ReadinessPolicy`] says when a verifier counts as caught up.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};

use crate::chain_data::ChainId;

/// By default a replica is ready while each chain's index is at most this many blocks behind the chain's head:
/// a verifier polling every 500 ms lags by one block or two at 1-second blocks, and a replica a few blocks
/// behind only answers "not known yet" about the newest messages, never a wrong verdict.
pub const DEFAULT_MAX_LAG_BLOCKS: u64 = 4;

/// By default a replica stops being ready when a chain's node has not answered a head poll for this long.
pub const DEFAULT_MAX_SILENCE: Duration = Duration::from_secs(10);

/// When a verifier that tracks readiness ([`Verifier::require_readiness`], as `superlink verify` does) counts as
/// **caught up**: when, for every chain of its dependency set,
///
/// 1. **the first pass is done**: since the process started, its follower has once indexed up to the head the
///    chain's node reported (so a verifier restarted on an old index is not ready until it has read what it
///    missed);
/// 2. **the node answers**: the chain's node answered a head poll within the last [`max_silence`] (a verifier
///    that cannot see a chain's tip cannot know it is current);
/// 3. **the lag is small**: the chain's latest indexed block is at most [`max_lag_blocks`] below the head the
///    node last reported.
///
/// Local-safe, cross-safe and finalized heads are not part of it: they follow the L1 on their own schedule, and
/// a tx-pool asks about cross-unsafe messages.
///
/// Until then `interop_checkAccessList` answers the supervisor API's `UNINITIALIZED_CHAIN_DATABASE` error
/// (`-320400`, [`CheckError::NotReady`]), `GET /ready` answers `503` with the first reason on one line
/// ([`NotReady`]), and `superlink_ready` reports every chain's progress ([`ReadinessReport`]).
///
/// [`Verifier::require_readiness`]: crate::Verifier::require_readiness
/// [`CheckError::NotReady`]: crate::CheckError::NotReady
/// [`max_silence`]: ReadinessPolicy::max_silence
/// [`max_lag_blocks`]: ReadinessPolicy::max_lag_blocks
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadinessPolicy {
    /// The most blocks a chain's index may be behind the head its node last reported.
    pub max_lag_blocks: u64,
    /// The longest a chain's node may go without answering a head poll.
    pub max_silence: Duration,
}

impl Default for ReadinessPolicy {
    fn default() -> Self {
        Self { max_lag_blocks: DEFAULT_MAX_LAG_BLOCKS, max_silence: DEFAULT_MAX_SILENCE }
    }
}

/// Why a verifier is not caught up: the first chain that holds it back. Its text is one line, as `GET /ready`
/// shows it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    /// The chain's node has not answered a head poll since the verifier started.
    #[error("chain {chain}: its node has not answered yet")]
    NoAnswer {
        /// The chain.
        chain: ChainId,
    },
    /// The first pass over the chain is not done.
    #[error("chain {chain}: catching up, indexed {} of the node's head {head}", show(*.indexed))]
    CatchingUp {
        /// The chain.
        chain: ChainId,
        /// Its latest indexed block.
        indexed: Option<u64>,
        /// The head its node last reported.
        head: u64,
    },
    /// The chain's node has not answered for longer than allowed.
    #[error("chain {chain}: its node has not answered for {}s (at most {}s allowed)", .silent.as_secs(), .max.as_secs())]
    Silent {
        /// The chain.
        chain: ChainId,
        /// How long since the last answer.
        silent: Duration,
        /// The longest allowed.
        max: Duration,
    },
    /// The chain's index fell behind the node's head by more than allowed.
    #[error("chain {chain}: indexed {} is {lag} blocks behind the node's head {head} (at most {max} allowed)", show(*.indexed))]
    Behind {
        /// The chain.
        chain: ChainId,
        /// Its latest indexed block.
        indexed: Option<u64>,
        /// The head its node last reported.
        head: u64,
        /// How far behind.
        lag: u64,
        /// The most allowed.
        max: u64,
    },
}

fn show(indexed: Option<u64>) -> String {
    indexed.map_or_else(|| "nothing".to_string(), |n| format!("block {n}"))
}

/// What the follower last learned about one chain.
#[derive(Debug, Clone, Copy)]
struct ChainProgress {
    /// The head the node last reported.
    head: u64,
    /// When it did.
    answered_at: Instant,
    /// Whether the index has once reached the reported head since the start.
    reached_head: bool,
}

/// Every chain's progress and the policy, kept by the verifier.
#[derive(Debug, Default)]
pub(crate) struct SyncTracker {
    policy: Option<ReadinessPolicy>,
    chains: BTreeMap<ChainId, ChainProgress>,
}

impl SyncTracker {
    /// Turns readiness tracking on with `policy`.
    pub(crate) fn require(&mut self, policy: ReadinessPolicy) {
        self.policy = Some(policy);
    }

    /// Records that `chain`'s node reported `head` while the index held `indexed`.
    pub(crate) fn note_head(&mut self, chain: ChainId, head: u64, indexed: Option<u64>, now: Instant) {
        let reached = indexed.is_some_and(|i| i >= head);
        let progress =
            self.chains.entry(chain).or_insert(ChainProgress { head, answered_at: now, reached_head: false });
        progress.head = head;
        progress.answered_at = now;
        progress.reached_head |= reached;
    }

    /// Records that `chain`'s index now holds `indexed` (after a round of indexing).
    pub(crate) fn note_indexed(&mut self, chain: ChainId, indexed: Option<u64>) {
        if let Some(progress) = self.chains.get_mut(&chain) {
            progress.reached_head |= indexed.is_some_and(|i| i >= progress.head);
        }
    }

    /// `Ok` when caught up (or when readiness is not tracked), else the first chain that holds it back.
    /// `indexed` gives every chain of the dependency set with its latest indexed block.
    pub(crate) fn check(&self, indexed: &[(ChainId, Option<u64>)], now: Instant) -> Result<(), NotReady> {
        let Some(policy) = self.policy else { return Ok(()) };
        for &(chain, latest) in indexed {
            let Some(progress) = self.chains.get(&chain) else { return Err(NotReady::NoAnswer { chain }) };
            if !progress.reached_head {
                return Err(NotReady::CatchingUp { chain, indexed: latest, head: progress.head });
            }
            let silent = now.saturating_duration_since(progress.answered_at);
            if silent > policy.max_silence {
                return Err(NotReady::Silent { chain, silent, max: policy.max_silence });
            }
            let lag = latest.map_or(progress.head.saturating_add(1), |l| progress.head.saturating_sub(l));
            if lag > policy.max_lag_blocks {
                return Err(NotReady::Behind {
                    chain,
                    indexed: latest,
                    head: progress.head,
                    lag,
                    max: policy.max_lag_blocks,
                });
            }
        }
        Ok(())
    }

    /// The report of `superlink_ready`.
    pub(crate) fn report(&self, indexed: &[(ChainId, Option<u64>)], now: Instant) -> ReadinessReport {
        let verdict = self.check(indexed, now);
        let chains = indexed
            .iter()
            .map(|&(chain, latest)| {
                let progress = self.chains.get(&chain);
                let entry = ChainReadiness {
                    indexed: latest,
                    head: progress.map(|p| p.head),
                    first_pass_done: progress.is_some_and(|p| p.reached_head),
                    last_answer_ms: progress.map(|p| {
                        u64::try_from(now.saturating_duration_since(p.answered_at).as_millis())
                            .unwrap_or(u64::MAX)
                    }),
                };
                (chain.to_string(), entry)
            })
            .collect();
        ReadinessReport {
            ready: verdict.is_ok(),
            tracked: self.policy.is_some(),
            reason: verdict.err().map(|e| e.to_string()),
            max_lag_blocks: self.policy.map(|p| p.max_lag_blocks),
            max_silence_ms: self.policy.map(|p| u64::try_from(p.max_silence.as_millis()).unwrap_or(u64::MAX)),
            chains,
        }
    }
}

/// The answer of `superlink_ready`: whether the verifier is caught up, why not, and each chain's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadinessReport {
    /// Whether `GET /ready` answers `200` and checks are answered.
    pub ready: bool,
    /// Whether readiness is tracked at all (`superlink verify` tracks it; an embedded verifier is always ready).
    pub tracked: bool,
    /// Why not ready: the line `GET /ready` shows.
    pub reason: Option<String>,
    /// The policy's largest allowed lag, in blocks.
    pub max_lag_blocks: Option<u64>,
    /// The policy's longest allowed silence of a node, in milliseconds.
    pub max_silence_ms: Option<u64>,
    /// Per chain (decimal chain ID keys).
    pub chains: BTreeMap<String, ChainReadiness>,
}

/// One chain's progress in a [`ReadinessReport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainReadiness {
    /// The latest indexed block.
    pub indexed: Option<u64>,
    /// The head the chain's node last reported.
    pub head: Option<u64>,
    /// Whether the index has reached the node's head once since the start.
    pub first_pass_done: bool,
    /// Milliseconds since the node last answered a head poll.
    pub last_answer_ms: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracked() -> SyncTracker {
        let mut tracker = SyncTracker::default();
        tracker.require(ReadinessPolicy { max_lag_blocks: 2, max_silence: Duration::from_secs(5) });
        tracker
    }

    #[test]
    fn an_untracked_verifier_is_always_ready() {
        let tracker = SyncTracker::default();
        assert_eq!(tracker.check(&[(901, None)], Instant::now()), Ok(()));
        assert!(tracker.report(&[(901, None)], Instant::now()).ready);
    }

    #[test]
    fn ready_only_after_every_chain_reached_its_head_once() {
        let mut tracker = tracked();
        let now = Instant::now();
        let chains = [(901, Some(10)), (902, None)];
        assert_eq!(tracker.check(&chains, now), Err(NotReady::NoAnswer { chain: 901 }));
        tracker.note_head(901, 10, Some(3), now);
        // Within the allowed lag, but the first pass is not done: still not ready.
        tracker.note_head(901, 4, Some(3), now);
        tracker.note_head(901, 10, Some(3), now);
        assert_eq!(
            tracker.check(&chains, now),
            Err(NotReady::CatchingUp { chain: 901, indexed: Some(10), head: 10 })
        );
        tracker.note_indexed(901, Some(10));
        tracker.note_head(902, 7, Some(7), now);
        assert_eq!(tracker.check(&[(901, Some(10)), (902, Some(7))], now), Ok(()));
    }

    #[test]
    fn a_chain_that_falls_behind_or_goes_silent_makes_it_unready_again() {
        let mut tracker = tracked();
        let now = Instant::now();
        tracker.note_head(901, 10, Some(10), now);
        assert_eq!(tracker.check(&[(901, Some(10))], now), Ok(()));
        tracker.note_head(901, 12, Some(10), now);
        assert_eq!(tracker.check(&[(901, Some(10))], now), Ok(()), "two blocks behind is allowed");
        tracker.note_head(901, 13, Some(10), now);
        let behind = tracker.check(&[(901, Some(10))], now).unwrap_err();
        assert_eq!(behind, NotReady::Behind { chain: 901, indexed: Some(10), head: 13, lag: 3, max: 2 });
        assert_eq!(
            behind.to_string(),
            "chain 901: indexed block 10 is 3 blocks behind the node's head 13 (at most 2 allowed)"
        );
        tracker.note_indexed(901, Some(13));
        let later = now + Duration::from_secs(6);
        let silent = tracker.check(&[(901, Some(13))], later).unwrap_err();
        assert!(matches!(silent, NotReady::Silent { chain: 901, .. }), "{silent:?}");
        let report = tracker.report(&[(901, Some(13))], later);
        assert!(!report.ready);
        assert_eq!(report.reason, Some(silent.to_string()));
        assert_eq!(report.chains["901"].head, Some(13));
        assert!(report.chains["901"].first_pass_done);
    }
}
