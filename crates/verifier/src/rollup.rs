//! Derivation data from each L2's rollup node: op-node's `optimism_syncStatus` (the L1 block derivation has
//! reached, the finalized L1 block, the local-safe L2 head) and `optimism_safeHeadAtL1Block` (the safe head as of
//! each L1 block). [`follow_derivation`] turns them into derivation records, so the verifier knows the L1 block
//! every local-safe block comes from, takes L1 reorgs back (down to the block where the rollup node's L1 forked
//! from the recorded one, however deep), and finalizes from the finalized L1 block.

use std::time::Duration;

use alloy_primitives::B256;
use jsonrpsee::rpc_params;
use serde::Deserialize;
use superlink_client::{ClientError, NodeClient};
use tokio::sync::watch;
use tracing::{debug, info, warn};

use crate::{
    chain_data::{BlockId, BlockRef, ChainId},
    error::{SourceError, VerifierError},
    verifier::Verifier,
};

/// How many L1 blocks behind the rollup node the follower may be and still ask for each one's safe head; past
/// that it records only the latest (the blocks in between count as derived from it, a later L1 block than
/// their own, which is the cautious side).
const MAX_L1_BLOCKS_PER_ROUND: u64 = 64;

/// How many recorded L1 blocks the follower compares with the rollup node's to find where an L1 reorg forked;
/// past that it rewinds below the oldest one it compared.
const MAX_FORK_SEARCH: usize = 256;

/// What a rollup node reports of its derivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollupStatus {
    /// The L1 block derivation has processed.
    pub current_l1: BlockRef,
    /// The finalized L1 block (number 0 and a zero hash while none).
    pub finalized_l1: BlockRef,
    /// The local-safe L2 head: its hash and number (derivation records name L2 blocks by number, so the
    /// parent hash and timestamp are left zero).
    pub safe_l2: BlockRef,
}

/// A source of derivation data for one chain.
pub trait DerivationSource: Send + Sync {
    /// The chain.
    fn chain_id(&self) -> ChainId;

    /// The rollup node's derivation status.
    fn status(&self) -> impl Future<Output = Result<RollupStatus, SourceError>> + Send;

    /// The safe head recorded for the highest L1 block at or below `l1_number`: `(l1 block, safe L2 block)`,
    /// `None` when the node has no record.
    fn safe_head_at(
        &self,
        l1_number: u64,
    ) -> impl Future<Output = Result<Option<(BlockId, BlockId)>, SourceError>> + Send;
}

/// `L1BlockRef` / the fields of `L2BlockRef` the verifier reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefJson {
    hash: B256,
    number: u64,
    #[serde(default)]
    parent_hash: B256,
    #[serde(default)]
    timestamp: u64,
}

impl From<RefJson> for BlockRef {
    fn from(r: RefJson) -> Self {
        BlockRef { hash: r.hash, number: r.number, parent_hash: r.parent_hash, timestamp: r.timestamp }
    }
}

/// The fields of op-node's `SyncStatus` the verifier reads.
#[derive(Debug, Deserialize)]
struct SyncStatusJson {
    current_l1: RefJson,
    finalized_l1: RefJson,
    safe_l2: RefJson,
    /// Reported by op-node since interop: its `safe_l2` is then the cross-safe head, which the verifier decides
    /// itself, so the local-safe head is the one to follow.
    #[serde(default)]
    local_safe_l2: Option<RefJson>,
}

impl SyncStatusJson {
    /// The local-safe head: `local_safe_l2` when the node reports it, else `safe_l2` (a node without interop,
    /// where the two are the same).
    fn local_safe(&self) -> BlockRef {
        let head = self.local_safe_l2.as_ref().unwrap_or(&self.safe_l2);
        BlockRef { hash: head.hash, number: head.number, ..BlockRef::default() }
    }
}

/// op-node's `SafeHeadResponse`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SafeHeadJson {
    l1_block: BlockId,
    safe_head: BlockId,
}

/// A [`DerivationSource`] over a rollup node's JSON-RPC (op-node, or a devnet L2's rollup port), through the
/// shared node client.
#[derive(Debug, Clone)]
pub struct RollupRpcSource {
    chain_id: ChainId,
    client: NodeClient,
}

impl RollupRpcSource {
    /// A source for `chain_id` at `url`.
    pub fn new(chain_id: ChainId, url: &str, timeout: Duration) -> Result<Self, SourceError> {
        let client = NodeClient::new(url, timeout).map_err(|e| SourceError::Connect {
            chain_id,
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Self { chain_id, client })
    }

    /// The rollup node's URL.
    pub fn url(&self) -> &str {
        self.client.endpoint()
    }

    fn rpc_error(&self, method: &'static str, e: ClientError) -> SourceError {
        SourceError::Rpc { chain_id: self.chain_id, method, reason: e.to_string() }
    }
}

impl DerivationSource for RollupRpcSource {
    fn chain_id(&self) -> ChainId {
        self.chain_id
    }

    async fn status(&self) -> Result<RollupStatus, SourceError> {
        let status: SyncStatusJson = self
            .client
            .request("optimism_syncStatus", rpc_params![])
            .await
            .map_err(|e| self.rpc_error("optimism_syncStatus", e))?;
        let safe_l2 = status.local_safe();
        Ok(RollupStatus {
            current_l1: status.current_l1.into(),
            finalized_l1: status.finalized_l1.into(),
            safe_l2,
        })
    }

    async fn safe_head_at(&self, l1_number: u64) -> Result<Option<(BlockId, BlockId)>, SourceError> {
        let answer: Result<SafeHeadJson, _> =
            self.client.request("optimism_safeHeadAtL1Block", rpc_params![format!("{l1_number:#x}")]).await;
        match answer {
            Ok(head) => Ok(Some((head.l1_block, head.safe_head))),
            // op-node answers an error when it has no record (not found, or its safe-head DB is off).
            Err(ClientError::Rpc { message, .. }) => {
                debug!(chain = self.chain_id, l1_number, error = %message, "no safe-head record");
                Ok(None)
            }
            Err(e) => Err(self.rpc_error("optimism_safeHeadAtL1Block", e)),
        }
    }
}

/// Whether the rollup node's L1 is no longer the one the verifier recorded up to `last`: the node went back, or
/// its L1 block at `last`'s height is another block. Costs at most one request, made only when the node is more
/// than one block ahead (the round then asks for the blocks in between anyway).
async fn l1_reorged<D: DerivationSource>(
    source: &D,
    status: &RollupStatus,
    last: BlockRef,
) -> Result<bool, SourceError> {
    let current = status.current_l1;
    if current.number < last.number {
        return Ok(true);
    }
    if current.number == last.number {
        return Ok(current.hash != last.hash);
    }
    if current.number == last.number + 1 && current.parent_hash != B256::ZERO {
        return Ok(current.parent_hash != last.hash);
    }
    Ok(match source.safe_head_at(last.number).await? {
        Some((l1, _)) if l1.number == last.number => l1.hash != last.hash,
        // No record at that height (op-node keeps one per safe-head change): nothing says it changed.
        _ => false,
    })
}

/// The highest L1 block the verifier recorded for the source's chain that the rollup node's L1 still has. The
/// recorded blocks at or below the node's current L1 are compared, newest first, with the node's: its current L1
/// and that block's parent from the status, the others from its safe-head records. A recorded block the node has
/// no record of at that height cannot be confirmed and counts as replaced. Past [`MAX_FORK_SEARCH`] blocks, or
/// once the node has no record that low, the fork is taken to be below the oldest block compared.
async fn find_fork<D: DerivationSource>(
    verifier: &Verifier,
    source: &D,
    status: &RollupStatus,
    last: BlockRef,
) -> Result<u64, SourceError> {
    let chain = source.chain_id();
    let current = status.current_l1;
    let recorded =
        verifier.read().derivation_l1_blocks(chain, last.number.min(current.number), MAX_FORK_SEARCH);
    // The node's record fetched last: it also answers for every height between it and the height asked for.
    let mut node_record: Option<BlockId> = None;
    let mut oldest_compared = None;
    for l1 in recorded {
        oldest_compared = Some(l1.number);
        let node_hash = if l1.number == current.number {
            Some(current.hash)
        } else if l1.number + 1 == current.number && current.parent_hash != B256::ZERO {
            Some(current.parent_hash)
        } else {
            if node_record.is_none_or(|r| r.number > l1.number) {
                match source.safe_head_at(l1.number).await? {
                    Some((record, _)) => node_record = Some(record),
                    None => break,
                }
            }
            node_record.filter(|r| r.number == l1.number).map(|r| r.hash)
        };
        if node_hash == Some(l1.hash) {
            return Ok(l1.number);
        }
    }
    Ok(oldest_compared.unwrap_or(current.number).saturating_sub(1))
}

/// One round: reads the rollup node's status and records what was derived since the last round (one record
/// per L1 block while the gap is small), takes an L1 reorg back to where the node's L1 forked from the recorded
/// one, and passes on the finalized L1 block.
pub async fn follow_derivation_once<D: DerivationSource>(
    verifier: &Verifier,
    source: &D,
) -> Result<(), VerifierError> {
    let chain = source.chain_id();
    let status = source.status().await?;
    let mut recorded = verifier.read().derivation_head(chain);
    if let Some(last) = recorded
        && l1_reorged(source, &status, last).await?
    {
        let fork = find_fork(verifier, source, &status, last).await?;
        warn!(
            chain,
            from = last.number,
            to = status.current_l1.number,
            fork,
            "the rollup node's L1 is no longer the recorded one: rewinding to where it forked"
        );
        verifier.rewind_l1(fork)?;
        recorded = verifier.read().derivation_head(chain);
    }
    if let Some(last) = recorded
        && status.current_l1.number > last.number + 1
        && status.current_l1.number - last.number <= MAX_L1_BLOCKS_PER_ROUND
    {
        for l1_number in last.number + 1..status.current_l1.number {
            let Some((l1, safe)) = source.safe_head_at(l1_number).await? else { break };
            if l1.number != l1_number || safe.number > status.safe_l2.number {
                continue;
            }
            let l1 = BlockRef { hash: l1.hash, number: l1.number, ..BlockRef::default() };
            if let Err(e) = verifier.record_derived(chain, l1, Some(safe.number)) {
                warn!(chain, l1_number, error = %e, "safe-head record refused");
                break;
            }
        }
    }
    if recorded.is_none() {
        info!(
            chain,
            l1 = status.current_l1.number,
            safe = status.safe_l2.number,
            "following the rollup node's derivation"
        );
    }
    if let Err(e) = verifier.record_derived(chain, status.current_l1, Some(status.safe_l2.number)) {
        // The rollup node went back (a reset after an L1 reorg it saw first): start over from below its L1.
        warn!(chain, error = %e, "the rollup node's derivation does not extend what was recorded: rewinding");
        verifier.rewind_l1(status.current_l1.number.saturating_sub(1))?;
        verifier.record_derived(chain, status.current_l1, Some(status.safe_l2.number))?;
    }
    if status.finalized_l1.hash != B256::ZERO
        && verifier.read().finalized_l1().is_none_or(|f| f.number < status.finalized_l1.number)
    {
        verifier.set_finalized_l1(status.finalized_l1)?;
    }
    Ok(())
}

/// Follows a rollup node's derivation every `interval` until `shutdown` turns true; errors are logged and the
/// next round tries again.
pub async fn follow_derivation<D: DerivationSource>(
    verifier: Verifier,
    source: D,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = follow_derivation_once(&verifier, &source).await {
            warn!(chain = source.chain_id(), error = %e, "following the rollup node failed; retrying");
        }
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(interval) => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
