//! The running devnet's faults ([`DevnetControl`]): each one is done the way it happens in production (a batcher
//! stops, a sequencer includes what its own check refuses, the L1 reorganises, a sequencer equivocates), and the
//! protocol's own machinery (derivation, the verifier, replacement) handles the consequences.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use alloy_primitives::{Address, B256, U256, keccak256};
use superlink_protocol::{DependencySet, Identifier};
use superlink_verifier::{BlockId, BlockRef, Verifier};
use tracing::warn;

use crate::{
    accounts::fault_injector,
    faults::{
        BatcherReport, ChainStatus, DerivedHead, DevnetControl, DevnetStatus, FaultError, InjectedMessage,
        L1Reorg, L1Status, L2Reorg,
    },
    forged::forged_executing_message,
    pipeline::{L1Pipeline, MAX_L1_REORG_DEPTH},
    sequencer::{L1Origins, SequencedChain},
};

/// The fee recipient of the blocks an L1 reorg builds, so they differ from the blocks they replace.
const L1_REORG_FEE_RECIPIENT: Address = Address::repeat_byte(0x4e);
/// The fee recipient of an equivocating sequencer's second version of its blocks.
const EQUIVOCATION_FEE_RECIPIENT: Address = Address::repeat_byte(0xe9);
/// The sender address the forged identifiers name.
const FORGED_ORIGIN: Address = Address::repeat_byte(0xf0);

/// The devnet's side of the faults.
#[derive(Debug, Clone)]
pub struct Control {
    /// The L1.
    pub l1: SequencedChain,
    /// The L2s.
    pub l2s: Vec<SequencedChain>,
    /// Where the L2s take their L1 origins from.
    pub origins: L1Origins,
    /// Batching and derivation.
    pub pipeline: Arc<Mutex<L1Pipeline>>,
    /// The embedded verifier.
    pub verifier: Verifier,
    /// The interop dependency set.
    pub dependencies: DependencySet,
    /// Seconds between L2 blocks.
    pub l2_block_time: u64,
}

impl Control {
    fn pipeline(&self) -> MutexGuard<'_, L1Pipeline> {
        self.pipeline.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn l2(&self, chain_id: u64) -> Result<&SequencedChain, FaultError> {
        self.l2s.iter().find(|c| c.chain_id == chain_id).ok_or(FaultError::UnknownChain(chain_id))
    }

    fn batcher(&self, chain_id: u64, halted: bool) -> Result<BatcherReport, FaultError> {
        self.l2(chain_id)?;
        self.pipeline()
            .set_batcher_halted(chain_id, halted)
            .map(BatcherReport::from)
            .ok_or(FaultError::UnknownChain(chain_id))
    }

    /// The identifier of a message no chain sent: a log index past the last log of an existing block of
    /// `source` (another chain of the dependency set when there is one).
    fn forged_identifier(&self, chain_id: u64) -> Result<Identifier, FaultError> {
        let source = self
            .l2s
            .iter()
            .find(|c| c.chain_id != chain_id && self.dependencies.contains(U256::from(c.chain_id)))
            .or_else(|| self.l2s.iter().find(|c| c.chain_id == chain_id))
            .ok_or(FaultError::UnknownChain(chain_id))?;
        let chain = source.service.read();
        let number = chain.head_number().saturating_sub(1).max(1).min(chain.head_number());
        let block = chain.block_by_number(number).ok_or_else(|| {
            FaultError::Refused(format!("chain {} has no block to forge a message from", source.chain_id))
        })?;
        Ok(Identifier {
            origin: FORGED_ORIGIN,
            block_number: number,
            log_index: u32::try_from(block.log_count()).unwrap_or(u32::MAX - 1_000).saturating_add(1_000),
            timestamp: block.timestamp(),
            chain_id: U256::from(source.chain_id),
        })
    }
}

impl DevnetControl for Control {
    fn halt_batcher(&self, chain_id: u64) -> Result<BatcherReport, FaultError> {
        self.batcher(chain_id, true)
    }

    fn resume_batcher(&self, chain_id: u64) -> Result<BatcherReport, FaultError> {
        self.batcher(chain_id, false)
    }

    fn inject_invalid_message(&self, chain_id: u64) -> Result<InjectedMessage, FaultError> {
        let chain = self.l2(chain_id)?;
        if !self.dependencies.contains(U256::from(chain_id)) {
            return Err(FaultError::Refused(format!(
                "chain {chain_id} is not in the interop dependency set"
            )));
        }
        let identifier = self.forged_identifier(chain_id)?;
        let msg_hash = keccak256(b"a message nobody sent");
        let signer = fault_injector();
        let chain_error =
            |e: superlink_chain::ChainError| FaultError::Chain { chain_id, reason: e.to_string() };
        self.origins.follow_l1_reorg(chain).map_err(chain_error)?;
        let block = {
            let mut guard = chain.service.write();
            let head = guard.head();
            let timestamp = head.timestamp().saturating_add(self.l2_block_time);
            // The next slot, like a block mined by hand: the sequencer's round for it finds the slot filled.
            let tx = forged_executing_message(
                chain_id,
                &signer,
                guard.pending_nonce(signer.address()),
                guard.next_base_fee(),
                &identifier,
                msg_hash,
            )
            .map_err(|e| FaultError::Refused(format!("forging the message: {e}")))?;
            self.origins.prepare(&mut guard, chain_id, timestamp);
            chain.next_block.set(timestamp.saturating_add(self.l2_block_time));
            guard.mine_including(timestamp, vec![tx]).map_err(chain_error)?.block
        };
        chain.service.publish_block(&block);
        let transaction_hash =
            block.transactions.iter().rev().find(|tx| !tx.is_deposit()).map_or(B256::ZERO, |tx| tx.hash);
        let injected = InjectedMessage {
            chain_id,
            block_number: block.number(),
            block_hash: block.hash(),
            transaction_hash,
        };
        warn!(chain_id, number = block.number(), hash = %block.hash(), tx = %transaction_hash,
            source_chain = %identifier.chain_id, source_block = identifier.block_number, log_index = identifier.log_index,
            "fault: the sequencer included a forged executing message, bypassing its own check");
        self.pipeline().watch_resolution(
            chain_id,
            block.number(),
            format!("the block {} with the forged message on chain {chain_id} is derived; the verifier replaces it", block.number()),
        );
        Ok(injected)
    }

    fn reorg_l1(&self, depth: u64) -> Result<L1Reorg, FaultError> {
        let depth_error = |reason: String| FaultError::Depth { depth, reason };
        if depth == 0 {
            return Err(depth_error("an L1 reorg replaces at least one block".into()));
        }
        if depth > MAX_L1_REORG_DEPTH as u64 {
            return Err(depth_error(format!("at most {MAX_L1_REORG_DEPTH} blocks")));
        }
        // The pipeline waits while the L1 changes under it.
        let _pipeline = self.pipeline();
        let (head, finalized) = {
            let l1 = self.l1.service.read();
            (l1.head(), l1.finalized_number())
        };
        let from =
            head.number().checked_sub(depth - 1).filter(|from| *from > 0).ok_or_else(|| {
                depth_error(format!("the L1 has only {} blocks after genesis", head.number()))
            })?;
        if from <= finalized {
            return Err(depth_error(format!(
                "L1 block {finalized} is finalized: at most {} blocks can be reorged",
                head.number() - finalized
            )));
        }
        let outcome = self
            .l1
            .service
            .rebuild_without_user_transactions(from, head.number(), Some(L1_REORG_FEE_RECIPIENT))
            .map_err(|e| FaultError::Chain { chain_id: self.l1.chain_id, reason: e.to_string() })?;
        let (fork, new_head) = {
            let l1 = self.l1.service.read();
            let fork =
                l1.block_by_number(from - 1).map(|b| BlockId::new(b.number(), b.hash())).unwrap_or_default();
            let new_head = l1.head();
            (fork, BlockId::new(new_head.number(), new_head.hash()))
        };
        warn!(depth, fork = fork.number, old_head = %head.hash(), new_head = %new_head.hash,
            repooled = outcome.reinserted.len(),
            "fault: L1 reorg; the replaced blocks' transactions (batches included) go back to the L1 pool");
        Ok(L1Reorg { fork, old_head: BlockId::new(head.number(), head.hash()), new_head })
    }

    fn reorg_l2(&self, chain_id: u64, depth: u64) -> Result<L2Reorg, FaultError> {
        let chain = self.l2(chain_id)?;
        let depth_error = |reason: String| FaultError::Depth { depth, reason };
        if depth == 0 {
            return Err(depth_error("a reorg replaces at least one block".into()));
        }
        let mut pipeline = self.pipeline();
        let local_safe = pipeline.local_safe(chain_id).map_or(0, |b| b.number);
        let head = chain.service.read().head_number();
        let unsafe_blocks = head.saturating_sub(local_safe);
        if depth > unsafe_blocks {
            return Err(depth_error(format!(
                "only unsafe blocks can be reorged: chain {chain_id} has {unsafe_blocks} above its local-safe block \
                 {local_safe} (halt its batcher to let more pile up)"
            )));
        }
        let from = head - depth + 1;
        let outcome = chain
            .service
            .rebuild_without_user_transactions(from, head, Some(EQUIVOCATION_FEE_RECIPIENT))
            .map_err(|e| FaultError::Chain { chain_id, reason: e.to_string() })?;
        let fork = chain
            .service
            .read()
            .block_by_number(from - 1)
            .map(|b| BlockId::new(b.number(), b.hash()))
            .unwrap_or_default();
        let replaced: Vec<BlockId> =
            outcome.rebuilt.iter().map(|r| BlockId::new(r.number, r.old_hash)).collect();
        let replacements: Vec<BlockId> =
            outcome.rebuilt.iter().map(|r| BlockId::new(r.number, r.new_hash)).collect();
        warn!(
            chain_id,
            depth,
            fork = fork.number,
            repooled = outcome.reinserted.len(),
            "fault: the sequencer equivocated; its last unsafe blocks were rebuilt without their transactions"
        );
        pipeline.watch_resolution(
            chain_id,
            head,
            format!(
                "chain {chain_id}'s equivocated blocks {from}..={head} are safe, as their second version"
            ),
        );
        Ok(L2Reorg { chain_id, fork, replaced, replacements })
    }

    fn status(&self) -> DevnetStatus {
        let pipeline = self.pipeline();
        let config = *pipeline.config();
        let logs = pipeline.logs();
        drop(pipeline);
        let l1 = {
            let l1 = self.l1.service.read();
            let at = |n: u64| {
                l1.block_by_number(n).map(|b| BlockId::new(b.number(), b.hash())).unwrap_or_default()
            };
            L1Status {
                head: at(l1.head_number()),
                safe: at(l1.safe_number()),
                finalized: at(l1.finalized_number()),
            }
        };
        let state = self.verifier.read();
        let chains = self
            .l2s
            .iter()
            .map(|chain| {
                let head = chain.service.read().head();
                let log =
                    logs.iter().find(|(id, _)| *id == chain.chain_id).map(|(_, log)| log.read().clone());
                let heads = state.heads(chain.chain_id).unwrap_or_default();
                let block_id = |b: &Option<BlockRef>| b.as_ref().map(BlockRef::id).unwrap_or_default();
                // The L1 block a local-safe block was first derived from, per the chain's own derivation.
                let first_derived = |number: u64| {
                    log.as_ref().and_then(|log| {
                        log.records.iter().find(|r| r.safe.number >= number).map(|r| r.l1.id())
                    })
                };
                let local_safe = log.as_ref().map(|l| l.local_safe).unwrap_or_default();
                let cross_safe = block_id(&heads.cross_safe);
                let finalized = block_id(&heads.finalized);
                ChainStatus {
                    chain_id: chain.chain_id,
                    unsafe_head: BlockId::new(head.number(), head.hash()),
                    cross_unsafe: block_id(&heads.cross_unsafe),
                    local_safe: DerivedHead {
                        derived: local_safe,
                        derived_from: first_derived(local_safe.number),
                    },
                    cross_safe: DerivedHead {
                        derived: cross_safe,
                        derived_from: state
                            .cross_derived_from(chain.chain_id, cross_safe.number)
                            .map(|b| b.id())
                            .or_else(|| first_derived(cross_safe.number)),
                    },
                    finalized: DerivedHead {
                        derived: finalized,
                        derived_from: first_derived(finalized.number),
                    },
                    batcher: log.map(|l| BatcherReport::from(l.batcher)).unwrap_or_default(),
                }
            })
            .collect();
        DevnetStatus {
            l1,
            chains,
            shared_batcher: config.shared_batcher,
            batch_interval: config.batch_interval,
            sequencing_window: config.sequencing_window,
            l1_finality_depth: config.l1_finality_depth,
        }
    }
}
