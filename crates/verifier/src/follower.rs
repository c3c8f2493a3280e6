//! Following one chain: catch up from the start block in concurrent batches (logging blocks/s and ETA), then
//! poll the head; detect reorgs by parent hash and rewind to the common ancestor; read the `safe` and
//! `finalized` tags as local-safe and local finality.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::{
    chain_data::{BlockRef, ChainId, SourceBlock},
    error::{SourceError, VerifierError},
    metrics,
    source::{BlockTag, ChainSource},
    verifier::Verifier,
};

/// How a chain is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowConfig {
    /// The first block to index when the index is empty.
    pub start_block: u64,
    /// Pause between polls once caught up (and after a source error).
    pub poll_interval: Duration,
    /// Most blocks fetched per round while catching up.
    pub blocks_per_round: u64,
    /// About how many logs a round fetches: the next round's block count is this divided by the logs per block
    /// of the last round (at most `blocks_per_round`, at least one). A follower that fell behind otherwise
    /// holds `blocks_per_round` blocks in flight, and 100 chains of 2,000-log blocks held gigabytes that way.
    pub logs_per_round: u64,
    /// Whether the node's `safe` and `finalized` tags are read as local-safe and local finality (off when a
    /// rollup node's derivation data drives them instead).
    pub read_safety_tags: bool,
}

impl Default for FollowConfig {
    fn default() -> Self {
        Self {
            start_block: 0,
            poll_interval: Duration::from_millis(500),
            blocks_per_round: 512,
            logs_per_round: 16_384,
            read_safety_tags: true,
        }
    }
}

/// What one round of following did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Round {
    /// Blocks were indexed; more may be waiting.
    Indexed {
        /// How many.
        blocks: u64,
        /// The logs those blocks held.
        logs: u64,
        /// The chain's head when asked.
        head: u64,
    },
    /// A reorg was found and the index rewound.
    Rewound,
    /// The index is at the chain's head.
    AtHead,
}

/// Follows one chain into the verifier until `shutdown` turns true. Source errors are logged and retried;
/// only index failures end the task with an error.
pub async fn follow_chain<S: ChainSource>(
    verifier: Verifier,
    source: Arc<S>,
    config: FollowConfig,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), VerifierError> {
    let chain = source.chain_id();
    let mut progress = Progress::new(chain);
    let mut last_tags = Instant::now().checked_sub(config.poll_interval).unwrap_or_else(Instant::now);
    let mut round_config = config;
    loop {
        if *shutdown.borrow() {
            return Ok(());
        }
        let round = follow_once(&verifier, source.as_ref(), &round_config).await;
        let pause = match round {
            Ok(Round::Indexed { blocks, logs, head }) => {
                progress.record(blocks, head, &verifier);
                round_config.blocks_per_round = blocks_for_next_round(&config, blocks, logs);
                None
            }
            Ok(Round::Rewound) => None,
            Ok(Round::AtHead) => {
                progress.caught_up(&verifier);
                Some(config.poll_interval)
            }
            Err(FollowError::Source(e)) => {
                warn!(chain, error = %e, "chain source failed; retrying");
                Some(config.poll_interval.max(Duration::from_millis(200)))
            }
            Err(FollowError::Index(e)) => return Err(e),
        };
        if config.read_safety_tags
            && (pause.is_some() || last_tags.elapsed() >= config.poll_interval.max(Duration::from_secs(1)))
        {
            last_tags = Instant::now();
            if let Err(e) = update_tags(&verifier, source.as_ref()).await {
                match e {
                    FollowError::Source(e) => warn!(chain, error = %e, "reading safe/finalized tags failed"),
                    FollowError::Index(e) => return Err(e),
                }
            }
        }
        if let Some(pause) = pause {
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// A failure of one round: a retryable source error, or an index error.
#[derive(Debug)]
pub enum FollowError {
    /// The chain's node failed or answered inconsistently.
    Source(SourceError),
    /// The index failed.
    Index(VerifierError),
}

impl From<SourceError> for FollowError {
    fn from(e: SourceError) -> Self {
        FollowError::Source(e)
    }
}

impl From<VerifierError> for FollowError {
    fn from(e: VerifierError) -> Self {
        FollowError::Index(e)
    }
}

/// One round: check the tip for a reorg, then index the next batch of blocks.
pub async fn follow_once<S: ChainSource>(
    verifier: &Verifier,
    source: &S,
    config: &FollowConfig,
) -> Result<Round, FollowError> {
    let chain = source.chain_id();
    let head = source.head_number().await?;
    verifier.note_head(chain, head);
    let local = verifier.latest(chain);
    if let Some(local) = local
        && (local.number > head || source.block_ref(local.number).await?.map(|b| b.hash) != Some(local.hash))
    {
        return rewind_to_common_ancestor(verifier, source, local).await;
    }
    let next = local.map_or(config.start_block, |b| b.number + 1);
    metrics::record_lag(chain, head.saturating_sub(next.saturating_sub(1)));
    if next > head {
        return Ok(Round::AtHead);
    }
    let to = head.min(next + config.blocks_per_round - 1);
    let blocks = source.blocks(next, to).await?;
    let blocks = contiguous(local, blocks);
    if blocks.is_empty() {
        // The first fetched block does not extend our tip: the chain moved under us; check again next round.
        return Ok(Round::Rewound);
    }
    let count = blocks.len() as u64;
    let logs = blocks.iter().map(|b| b.logs.len() as u64).sum();
    verifier.ingest_async(chain, blocks).await?;
    verifier.note_indexed(chain);
    Ok(Round::Indexed { blocks: count, logs, head })
}

/// How many blocks the next round fetches, after a round of `blocks` blocks holding `logs` logs: about
/// [`FollowConfig::logs_per_round`] logs' worth, between one block and [`FollowConfig::blocks_per_round`].
fn blocks_for_next_round(config: &FollowConfig, blocks: u64, logs: u64) -> u64 {
    let logs_per_block = logs.div_ceil(blocks.max(1)).max(1);
    (config.logs_per_round / logs_per_block).clamp(1, config.blocks_per_round.max(1))
}

/// The prefix of `blocks` that extends `tip` block by block (by number and parent hash).
fn contiguous(tip: Option<BlockRef>, blocks: Vec<SourceBlock>) -> Vec<SourceBlock> {
    let mut out = Vec::with_capacity(blocks.len());
    let mut previous = tip;
    for block in blocks {
        if let Some(p) = previous
            && (block.block.number != p.number + 1 || block.block.parent_hash != p.hash)
        {
            break;
        }
        previous = Some(block.block);
        out.push(block);
    }
    out
}

/// Walks back from our tip until our block and the node's agree, and rewinds the index there.
async fn rewind_to_common_ancestor<S: ChainSource>(
    verifier: &Verifier,
    source: &S,
    local: BlockRef,
) -> Result<Round, FollowError> {
    let chain = source.chain_id();
    let mut number = local.number;
    loop {
        let Some(ours) = verifier.block(chain, number) else {
            return Err(FollowError::Index(VerifierError::Config(format!(
                "chain {chain}: reorg deeper than the indexed range (no common block down to {number})"
            ))));
        };
        let theirs = source.block_ref(number).await?;
        if theirs.is_some_and(|t| t.hash == ours.hash) {
            verifier.rewind_async(chain, number).await?;
            return Ok(Round::Rewound);
        }
        number = number.checked_sub(1).ok_or_else(|| {
            FollowError::Index(VerifierError::Config(format!(
                "chain {chain}: reorg replaced the genesis block"
            )))
        })?;
    }
}

/// Reads the node's `safe` and `finalized` tags into the verifier.
async fn update_tags<S: ChainSource>(verifier: &Verifier, source: &S) -> Result<(), FollowError> {
    let chain = source.chain_id();
    let safe = source.tagged(BlockTag::Safe).await?;
    let finalized = source.tagged(BlockTag::Finalized).await?;
    // A tag is only taken when the index holds that very block (else it is on a fork we have not seen).
    let known = |tag: Option<BlockRef>| {
        tag.and_then(|t| match verifier.block(chain, t.number) {
            Some(ours) if ours.hash == t.hash => Some(t.number),
            Some(_) => None,
            None => verifier.latest(chain).map(|l| l.number).filter(|l| *l < t.number),
        })
    };
    let (safe, finalized) = (known(safe), known(finalized));
    verifier.set_local_tags_async(chain, safe, finalized).await?;
    Ok(())
}

/// Catch-up progress, logged every few seconds.
#[derive(Debug)]
struct Progress {
    chain: ChainId,
    started: Instant,
    last_log: Instant,
    indexed: u64,
    caught_up: bool,
}

impl Progress {
    fn new(chain: ChainId) -> Self {
        let now = Instant::now();
        Self { chain, started: now, last_log: now, indexed: 0, caught_up: false }
    }

    fn record(&mut self, blocks: u64, head: u64, verifier: &Verifier) {
        self.indexed += blocks;
        if self.last_log.elapsed() < Duration::from_secs(5) {
            return;
        }
        self.last_log = Instant::now();
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = self.indexed as f64 / elapsed;
        let latest = verifier.latest(self.chain).map_or(0, |b| b.number);
        let eta = head.saturating_sub(latest) as f64 / rate.max(1e-3);
        info!(
            chain = self.chain,
            indexed = self.indexed,
            latest,
            head,
            blocks_per_sec = format!("{rate:.0}"),
            eta_secs = format!("{eta:.0}"),
            "catching up"
        );
    }

    fn caught_up(&mut self, verifier: &Verifier) {
        if !self.caught_up {
            self.caught_up = true;
            let elapsed = self.started.elapsed().as_secs_f64();
            let latest = verifier.latest(self.chain).map(|b| b.number);
            info!(chain = self.chain, indexed = self.indexed, latest = ?latest, seconds = format!("{elapsed:.1}"), "caught up; following the head");
        } else {
            debug!(chain = self.chain, "at head");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FollowConfig, blocks_for_next_round};

    #[test]
    fn rounds_shrink_to_the_log_budget_and_grow_back_for_empty_blocks() {
        let config = FollowConfig::default();
        // 2,000 logs a block: about 16,384 logs a round.
        assert_eq!(blocks_for_next_round(&config, 512, 512 * 2_000), 8);
        // Blocks larger than the budget: one at a time.
        assert_eq!(blocks_for_next_round(&config, 3, 3 * 40_000), 1);
        // Few or no logs: the block limit.
        assert_eq!(blocks_for_next_round(&config, 8, 8), 512);
        assert_eq!(blocks_for_next_round(&config, 8, 0), 512);
        assert_eq!(blocks_for_next_round(&FollowConfig { blocks_per_round: 3, ..config }, 3, 0), 3);
    }
}
