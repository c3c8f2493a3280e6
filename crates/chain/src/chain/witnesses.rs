//! Execution witnesses of canonical blocks: the block replayed on a copy of its parent's state through a
//! recording database, and the parent's trie nodes, codes and headers that replay touched.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{Address, U256, keccak256};
use alloy_trie::Nibbles;

use crate::{
    db::BuildDb,
    error::ChainError,
    execute::{ExecutionSettings, replay_block},
    state::StateDiff,
    trie,
    tx::ExecutableTx,
    witness::{
        AccessLog, ExecutionWitness, MAX_WITNESS_HEADERS, RecordingDb, dedup_nodes, deletion_targets,
        header_rlp, key_preimages,
    },
};

use super::Chain;
use superlink_protocol::predeploys::L2_TO_L1_MESSAGE_PASSER;

impl Chain {
    /// The execution witness of canonical block `number`: the trie nodes of its parent's state, the codes and
    /// the ancestor headers that re-executing it from the parent's state root needs.
    ///
    /// The block is replayed on its parent's state as kept in the history; state edited by developer methods
    /// between two blocks is not part of the parent's state root, so a block built after such edits replays
    /// to a different root (and so does its stateless re-execution).
    pub fn execution_witness(&self, number: u64) -> Result<ExecutionWitness, ChainError> {
        let unavailable = |reason: String| ChainError::WitnessUnavailable { number, reason };
        if number == 0 {
            return Err(unavailable("the genesis block is not executed".into()));
        }
        // A forked chain's blocks read the remote's accounts, which its state root does not commit to: no
        // witness could prove them.
        if self.state.fork().is_some() {
            return Err(unavailable(
                "a forked chain's state root does not cover the remote state its blocks read".into(),
            ));
        }
        let block =
            self.store.by_number(number).ok_or_else(|| ChainError::BlockNotFound(number.to_string()))?;
        let mut pre = self.view_at(number - 1)?.materialize();
        let mut post = pre.clone();
        let mut diff = StateDiff::default();
        let mut log = AccessLog::default();
        let transactions = block
            .transactions
            .iter()
            .map(|tx| ExecutableTx {
                envelope: tx.envelope.clone(),
                sender: tx.sender,
                hash: tx.hash,
                impersonated: tx.impersonated,
            })
            .collect();
        let settings = ExecutionSettings { chain_id: self.chain_id, spec: self.config.spec };
        let db = RecordingDb {
            inner: BuildDb { state: &mut post, diff: &mut diff, hashes: self.store.hashes() },
            log: &mut log,
        };
        replay_block(db, settings, &block.header, transactions)
            .map_err(|error| unavailable(error.to_string()))?;

        // Every account and slot read or written, and which of them the block deletes.
        let mut accounts: BTreeSet<Address> = log.accounts.clone();
        accounts.extend(diff.touched_accounts());
        // The message passer's storage root goes into the output root even when the block leaves it alone.
        accounts.insert(L2_TO_L1_MESSAGE_PASSER);
        let mut slots: BTreeMap<Address, BTreeSet<U256>> = log.storage.clone();
        for (address, slot) in diff.storage.keys() {
            slots.entry(*address).or_default().insert(*slot);
        }
        let mut account_targets = Vec::new();
        for address in &accounts {
            let key = Nibbles::unpack(keccak256(address));
            if pre.account(address).is_some() && post.account(address).is_none() {
                account_targets.extend(deletion_targets(&key));
            }
            account_targets.push(key);
        }
        let mut nodes = trie::account_trie_nodes(&mut pre, account_targets);
        for (address, account_slots) in &slots {
            let survives = post.account(address).is_some();
            let mut targets = Vec::new();
            for slot in account_slots {
                let key = Nibbles::unpack(keccak256(slot.to_be_bytes::<32>()));
                if survives
                    && !pre.storage(address, slot)?.is_zero()
                    && post.storage(address, slot)?.is_zero()
                {
                    targets.extend(deletion_targets(&key));
                }
                targets.push(key);
            }
            nodes.extend(trie::storage_trie_nodes(&pre, address, targets));
        }

        let codes = log
            .codes
            .iter()
            .filter_map(|hash| pre.code_by_hash(hash))
            .map(|code| code.original_bytes())
            .collect();
        let oldest = log
            .block_hashes
            .iter()
            .copied()
            .filter(|n| *n < number)
            .min()
            .unwrap_or(number - 1)
            .max(number.saturating_sub(MAX_WITNESS_HEADERS));
        let headers = (oldest..number)
            .filter_map(|n| self.store.by_number(n))
            .map(|ancestor| header_rlp(ancestor.header.inner()))
            .collect();
        let keys = key_preimages(accounts, slots.into_values().flatten());
        Ok(ExecutionWitness { state: dedup_nodes(nodes), codes, keys, headers })
    }
}
