//! The devnet's proposer: posts the output roots of every L2's safe blocks to the L2's `DisputeGameFactory` on the
//! L1, as an OP Stack proposer does, so withdrawals initiated on an L2 can be proven and finalized on the L1.
//!
//! Every round ([`Proposer::step`]) looks at each L2's safe head (the verifier's cross-safe head); when it moved past
//! the last block proposed, the proposer computes the block's version-0 output root (state root, the storage root of
//! `L2ToL1MessagePasser`, which the header carries as its withdrawals root since Isthmus, and the block hash) and
//! sends `DisputeGameFactory.create` with it (`superlink_contracts::withdrawal::propose_call`) from its own L1
//! account to the L1 pool; the next L1 block includes it. The game it creates holds for its claim at once (there is
//! no challenger on a devnet), so a withdrawal in that block or before can be proven against it in any later L1
//! block, and finalized once the proof is older than the proof maturity delay.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_eips::BlockId;
use alloy_primitives::{B256, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use op_alloy_consensus::OpTxEnvelope;
use superlink_contracts::{
    BridgeConfig, bridge_addresses,
    withdrawal::{output_root, output_root_proof, propose_call},
};
use superlink_node::ChainService;
use superlink_txpool::PoolTransaction;
use tokio::sync::watch;
use tracing::{debug, warn};

/// The gas limit of a proposal: `create` deploys one small game contract and records it (about 300,000 gas).
pub const PROPOSAL_GAS_LIMIT: u64 = 1_000_000;

/// Why a proposal could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProposalError {
    /// The L2 block is gone (a reorg between reading the safe head and the block).
    #[error("L2 {chain_id} has no block {number}")]
    MissingBlock {
        /// The L2.
        chain_id: u64,
        /// The block.
        number: u64,
    },
    /// The block's header has no withdrawals root, so its message passer's storage root is not known.
    #[error("L2 {chain_id} block {number} has no withdrawals root (the message passer's storage root)")]
    NoWithdrawalsRoot {
        /// The L2.
        chain_id: u64,
        /// The block.
        number: u64,
    },
    /// The transaction could not be signed.
    #[error("signing the proposal: {0}")]
    Signing(String),
    /// The L1 pool refused the transaction.
    #[error("the L1 pool refused the proposal: {0}")]
    Refused(String),
}

/// One output root sent to the L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proposal {
    /// The L2.
    pub l2_chain_id: u64,
    /// The L2 block whose output root it is.
    pub l2_block_number: u64,
    /// The output root.
    pub output_root: B256,
    /// The L1 transaction that proposes it.
    pub tx_hash: B256,
}

/// The proposer of every L2 of a devnet.
#[derive(Debug)]
pub struct Proposer {
    l1_chain_id: u64,
    l1: Arc<ChainService>,
    l2s: Vec<(u64, Arc<ChainService>)>,
    signer: PrivateKeySigner,
    config: BridgeConfig,
    /// The last L2 block proposed, per L2.
    proposed: BTreeMap<u64, u64>,
    /// The L2 the next round looks at first, so that with more L2s than one round may propose, every L2 has its
    /// turn.
    next: usize,
}

/// At most this many proposals wait in the L1 pool at once. One account signs every L2's proposals, and the L1
/// pool holds at most 64 transactions per sender: with 100 L2s a round would otherwise have its last proposals
/// refused. The L2s left out are proposed in the next rounds, starting where this one stopped.
pub const MAX_PENDING_PROPOSALS: u64 = 48;

impl Proposer {
    /// A proposer for the L2s `l2s` on the L1 `l1` (chain `l1_chain_id`), signing with `signer` (the proposer the
    /// factories were given at genesis) games of `config`'s respected type.
    pub fn new(
        l1_chain_id: u64,
        l1: Arc<ChainService>,
        l2s: Vec<(u64, Arc<ChainService>)>,
        signer: PrivateKeySigner,
        config: BridgeConfig,
    ) -> Self {
        Proposer { l1_chain_id, l1, l2s, signer, config, proposed: BTreeMap::new(), next: 0 }
    }

    /// The last L2 block proposed for `l2_chain_id`, if any.
    pub fn last_proposed(&self, l2_chain_id: u64) -> Option<u64> {
        self.proposed.get(&l2_chain_id).copied()
    }

    /// One round: proposes the safe head of every L2 whose safe head moved past its last proposal (the genesis
    /// block is never proposed: nothing can be withdrawn in it), while fewer than [`MAX_PENDING_PROPOSALS`] of the
    /// proposer's transactions wait in the L1 pool. Returns what was sent; a failure is logged and retried next
    /// round. Blocking: run it on the blocking pool.
    pub fn step(&mut self) -> Vec<Proposal> {
        let mut sent = Vec::new();
        let count = self.l2s.len();
        // Read once: every proposal this round sends adds one to what waits.
        let mut pending = self.pending_proposals();
        for offset in 0..count {
            let index = (self.next + offset) % count;
            if pending >= MAX_PENDING_PROPOSALS {
                debug!(
                    waiting = count - offset,
                    "the L1 pool holds enough proposals: the rest wait for the next round"
                );
                self.next = index;
                return sent;
            }
            let (chain_id, safe) = {
                let (chain_id, service) = &self.l2s[index];
                (*chain_id, service.read().safe_number())
            };
            if safe == 0 || self.last_proposed(chain_id).is_some_and(|last| last >= safe) {
                continue;
            }
            match self.propose(index, safe) {
                Ok(proposal) => {
                    debug!(chain_id, l2_block = safe, output_root = %proposal.output_root, tx = %proposal.tx_hash,
                        "output root proposed");
                    self.proposed.insert(chain_id, safe);
                    sent.push(proposal);
                    pending += 1;
                }
                Err(e) => warn!(chain_id, l2_block = safe, error = %e, "proposing an output root failed"),
            }
        }
        self.next = 0;
        sent
    }

    /// The proposer's transactions waiting in the L1 pool: its pending nonce past its nonce at the head.
    fn pending_proposals(&self) -> u64 {
        let l1 = self.l1.read();
        let address = self.signer.address();
        // A nonce the L1 cannot read (a forked L1's remote that does not answer) holds nothing back.
        l1.nonce(address, BlockId::latest())
            .map_or(0, |mined| l1.pending_nonce(address).saturating_sub(mined))
    }

    /// Sends the proposal of block `number` of the L2 at `index`.
    fn propose(&self, index: usize, number: u64) -> Result<Proposal, ProposalError> {
        let (chain_id, service) = &self.l2s[index];
        let chain_id = *chain_id;
        let block =
            service.read().block_by_number(number).ok_or(ProposalError::MissingBlock { chain_id, number })?;
        let passer_root =
            block.header.withdrawals_root.ok_or(ProposalError::NoWithdrawalsRoot { chain_id, number })?;
        let root = output_root(&output_root_proof(block.header.state_root, passer_root, block.hash()));
        let factory = bridge_addresses::l1_bridge(chain_id).dispute_game_factory;
        let data = propose_call(&self.config, number, root);
        let tx = self.transaction(factory, data)?;
        let tx_hash = self.l1.submit(tx).map_err(|e| ProposalError::Refused(e.to_string()))?;
        Ok(Proposal { l2_chain_id: chain_id, l2_block_number: number, output_root: root, tx_hash })
    }

    /// A signed EIP-1559 call of `to` with `data` from the proposer, at the proposer's pending nonce, paying up to
    /// twice the next base fee.
    fn transaction(
        &self,
        to: alloy_primitives::Address,
        data: Bytes,
    ) -> Result<PoolTransaction, ProposalError> {
        let (nonce, base_fee) = {
            let l1 = self.l1.read();
            (l1.pending_nonce(self.signer.address()), l1.next_base_fee())
        };
        let tx = TxEip1559 {
            chain_id: self.l1_chain_id,
            nonce,
            gas_limit: PROPOSAL_GAS_LIMIT,
            max_fee_per_gas: u128::from(base_fee) * 2 + 1_000_000_000,
            max_priority_fee_per_gas: 1_000_000_000,
            to: TxKind::Call(to),
            value: U256::ZERO,
            input: data,
            ..TxEip1559::default()
        };
        let signature = self
            .signer
            .sign_hash_sync(&tx.signature_hash())
            .map_err(|e| ProposalError::Signing(e.to_string()))?;
        let envelope = OpTxEnvelope::Eip1559(tx.into_signed(signature));
        PoolTransaction::from_envelope(envelope).map_err(|e| ProposalError::Signing(e.to_string()))
    }
}

/// Runs `proposer` every `interval` until `shutdown` turns true, each round on the blocking pool.
pub async fn run_proposer(proposer: Proposer, interval: Duration, mut shutdown: watch::Receiver<bool>) {
    let proposer = Arc::new(std::sync::Mutex::new(proposer));
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(interval) => {}
        }
        let proposer = proposer.clone();
        let round = tokio::task::spawn_blocking(move || {
            proposer.lock().unwrap_or_else(std::sync::PoisonError::into_inner).step().len()
        });
        match round.await {
            Ok(sent) => debug!(sent, "proposer round done"),
            Err(e) => warn!(error = %e, "a proposer round failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use alloy_sol_types::SolEvent;
    use superlink_chain::{Chain, ChainConfig, Genesis};
    use superlink_contracts::bindings::DisputeGameFactory::DisputeGameCreated;
    use superlink_protocol::OutputV0;

    use super::*;
    use crate::{
        accounts,
        config::DevnetConfig,
        genesis::{L1Bridges, l1_genesis, l2_genesis},
    };

    const GENESIS_TIME: u64 = 1_000;

    fn service(genesis: &Genesis) -> Arc<ChainService> {
        Arc::new(ChainService::new(Chain::new(genesis, ChainConfig::default())).with_automine(false))
    }

    #[test]
    fn the_safe_head_is_proposed_once_and_the_game_claims_its_output_root() {
        let key = accounts::proposer();
        let l1 = service(&l1_genesis(900, GENESIS_TIME, &[901], &[key.address()], 10, &L1Bridges::default()));
        let l2 = service(&l2_genesis(901, GENESIS_TIME, &[], 10));
        let config = DevnetConfig::default().bridge_config();
        let mut proposer = Proposer::new(900, l1.clone(), vec![(901, l2.clone())], key, config);
        assert!(proposer.step().is_empty(), "the genesis block is never proposed");

        for t in 1..=3 {
            l2.write().mine(GENESIS_TIME + t).unwrap();
        }
        l2.write().set_safe(2).unwrap();
        let sent = proposer.step();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].l2_chain_id, sent[0].l2_block_number), (901, 2));
        let block = l2.read().block_by_number(2).unwrap();
        let expected = OutputV0 {
            state_root: block.header.state_root,
            message_passer_storage_root: block.header.withdrawals_root.unwrap(),
            block_hash: block.hash(),
        }
        .root();
        assert_eq!(sent[0].output_root, expected);
        assert!(proposer.step().is_empty(), "an unchanged safe head is not proposed again");
        assert_eq!(proposer.last_proposed(901), Some(2));

        // The next L1 block creates the game in the chain's factory, claiming that output root.
        let mined = l1.write().mine(GENESIS_TIME + 12).unwrap();
        let factory = bridge_addresses::l1_bridge(901).dispute_game_factory;
        let created: Vec<DisputeGameCreated> = mined
            .block
            .logs()
            .filter(|(_, _, log)| log.address == factory)
            .filter_map(|(_, _, log)| DisputeGameCreated::decode_log_data(&log.data).ok())
            .collect();
        assert_eq!(created.len(), 1, "one game created");
        assert_eq!(created[0].rootClaim, expected);
        assert_eq!(created[0].gameType, config.respected_game_type);

        l2.write().set_safe(3).unwrap();
        assert_eq!(proposer.step().iter().map(|p| p.l2_block_number).collect::<Vec<_>>(), [3]);
    }

    #[test]
    fn with_more_l2s_than_the_l1_pool_holds_each_round_proposes_up_to_the_cap_and_every_l2_has_its_turn() {
        let key = accounts::proposer();
        let ids: Vec<u64> = (901..901 + MAX_PENDING_PROPOSALS + 10).collect();
        let l1 = service(&l1_genesis(900, GENESIS_TIME, &ids, &[key.address()], 10, &L1Bridges::default()));
        let l2s: Vec<(u64, Arc<ChainService>)> = ids
            .iter()
            .map(|&id| {
                let l2 = service(&l2_genesis(id, GENESIS_TIME, &[], 10));
                l2.write().mine(GENESIS_TIME + 1).unwrap();
                l2.write().set_safe(1).unwrap();
                (id, l2)
            })
            .collect();
        let config = DevnetConfig::default().bridge_config();
        let mut proposer = Proposer::new(900, l1.clone(), l2s, key, config);

        let first = proposer.step();
        assert_eq!(first.len() as u64, MAX_PENDING_PROPOSALS, "a round stops at the cap");
        assert!(proposer.step().is_empty(), "nothing more while the L1 pool holds the cap");
        let mined = l1.write().mine(GENESIS_TIME + 12).unwrap();
        assert_eq!(
            mined.block.transactions.iter().filter(|tx| !tx.is_deposit()).count() as u64,
            MAX_PENDING_PROPOSALS,
            "every proposal was accepted"
        );
        let second = proposer.step();
        assert_eq!(second.len(), 10, "the L2s left out are proposed next");
        let mut proposed: Vec<u64> = first.iter().chain(&second).map(|p| p.l2_chain_id).collect();
        proposed.sort_unstable();
        assert_eq!(proposed, ids, "every L2 proposed exactly once");
    }
}
