//! The transaction pool: admission, pending and queued subpools per sender, block-building order,
//! revalidation on new blocks, limits and eviction.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    sync::Arc,
};

use alloy_primitives::{Address, B256, U256};

use crate::{
    admission::{AcceptAll, AdmissionCheck},
    config::PoolConfig,
    decode::decode_raw_transaction,
    dropped::{DropReason, DroppedTransaction},
    error::InsertError,
    ordering::BestTransactions,
    pricing::{PriceKey, is_sufficient_replacement},
    sender::{Entry, SenderTxs, SubPool, consecutive_end},
    state::{AccountReader, total_cost},
    transaction::PoolTransaction,
    validation::validate_stateless,
};

/// What happened when a transaction entered the pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedTransaction {
    /// The transaction's hash.
    pub hash: B256,
    /// The subpool it landed in (pending when its nonce is executable now).
    pub subpool: SubPool,
    /// The transaction it replaced (same sender and nonce), if any.
    pub replaced: Option<Arc<PoolTransaction>>,
    /// Transactions removed to make room for it, or found stale while reading the sender's nonce.
    pub dropped: Vec<DroppedTransaction>,
}

/// One sender's transactions, split by subpool, each in nonce order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SenderTransactions {
    /// Executable transactions: consecutive nonces from the account nonce.
    pub pending: Vec<Arc<PoolTransaction>>,
    /// Transactions waiting for a lower nonce.
    pub queued: Vec<Arc<PoolTransaction>>,
}

/// The whole pool by subpool and sender (the shape of `txpool_content`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolContent {
    /// Pending transactions by sender, each list in nonce order.
    pub pending: BTreeMap<Address, Vec<Arc<PoolTransaction>>>,
    /// Queued transactions by sender, each list in nonce order.
    pub queued: BTreeMap<Address, Vec<Arc<PoolTransaction>>>,
}

/// The transaction pool of one chain. Pure logic: no EVM, no I/O, no locking (the owner wraps it in a lock).
///
/// The owner passes its latest state (an [`AccountReader`]) to the calls that need it, pulls
/// [`TxPool::best_transactions`] when building a block, then reports the block with
/// [`TxPool::remove_mined`] and [`TxPool::on_new_block`]. Cloning gives an independent pool sharing the hook.
#[derive(Clone)]
pub struct TxPool {
    config: PoolConfig,
    check: Arc<dyn AdmissionCheck>,
    base_fee: u64,
    by_hash: HashMap<B256, Arc<PoolTransaction>>,
    senders: HashMap<Address, SenderTxs>,
    next_seq: u64,
}

impl std::fmt::Debug for TxPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TxPool")
            .field("config", &self.config)
            .field("base_fee", &self.base_fee)
            .field("len", &self.by_hash.len())
            .field("senders", &self.senders.len())
            .finish_non_exhaustive()
    }
}

impl TxPool {
    /// An empty pool with the given rules, the current base fee, and no admission hook.
    pub fn new(config: PoolConfig, base_fee: u64) -> Self {
        Self {
            config,
            check: Arc::new(AcceptAll),
            base_fee,
            by_hash: HashMap::new(),
            senders: HashMap::new(),
            next_seq: 0,
        }
    }

    /// Installs the owner's admission hook (replacing the previous one). It runs on every insertion and on
    /// every pooled transaction at [`TxPool::on_new_block`].
    pub fn set_admission_check(&mut self, check: Arc<dyn AdmissionCheck>) {
        self.check = check;
    }

    /// The owner's admission hook (the one that admits everything until one is installed).
    pub fn admission_check(&self) -> Arc<dyn AdmissionCheck> {
        Arc::clone(&self.check)
    }

    /// The pool's rules.
    pub fn config(&self) -> &PoolConfig {
        &self.config
    }

    /// Changes the block gas limit new transactions are checked against.
    pub fn set_block_gas_limit(&mut self, block_gas_limit: u64) {
        self.config.block_gas_limit = block_gas_limit;
    }

    /// The base fee of the latest block, as last reported.
    pub fn base_fee(&self) -> u64 {
        self.base_fee
    }

    /// Number of transactions held.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// Whether the pool holds nothing.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// Number of pending (executable) transactions.
    pub fn pending_count(&self) -> usize {
        self.senders.values().map(|sender| sender.pending().count()).sum()
    }

    /// Number of queued (future-nonce) transactions.
    pub fn queued_count(&self) -> usize {
        self.len() - self.pending_count()
    }

    /// The transaction with this hash.
    pub fn get(&self, hash: &B256) -> Option<Arc<PoolTransaction>> {
        self.by_hash.get(hash).cloned()
    }

    /// Whether the pool holds this hash.
    pub fn contains(&self, hash: &B256) -> bool {
        self.by_hash.contains_key(hash)
    }

    /// The subpool holding this hash.
    pub fn subpool_of(&self, hash: &B256) -> Option<SubPool> {
        let tx = self.by_hash.get(hash)?;
        let sender = self.senders.get(&tx.sender())?;
        Some(sender.subpool_of(tx.nonce()))
    }

    /// One sender's pending and queued transactions.
    pub fn sender_transactions(&self, sender: Address) -> SenderTransactions {
        self.senders.get(&sender).map_or_else(SenderTransactions::default, |txs| SenderTransactions {
            pending: txs.pending().map(|entry| Arc::clone(&entry.tx)).collect(),
            queued: txs.queued().map(|entry| Arc::clone(&entry.tx)).collect(),
        })
    }

    /// Every transaction by subpool and sender.
    pub fn content(&self) -> PoolContent {
        let mut content = PoolContent::default();
        for (address, txs) in &self.senders {
            let pending: Vec<_> = txs.pending().map(|entry| Arc::clone(&entry.tx)).collect();
            let queued: Vec<_> = txs.queued().map(|entry| Arc::clone(&entry.tx)).collect();
            if !pending.is_empty() {
                content.pending.insert(*address, pending);
            }
            if !queued.is_empty() {
                content.queued.insert(*address, queued);
            }
        }
        content
    }

    /// The next nonce `sender` should use (`eth_getTransactionCount(.., "pending")`): the account nonce in
    /// `state`, advanced past the pool's consecutive run of transactions from that nonce.
    pub fn next_nonce(&self, sender: Address, state: &impl AccountReader) -> u64 {
        let start = state.nonce(sender);
        match self.senders.get(&sender) {
            Some(txs) => consecutive_end(start, txs.txs.range(start..).map(|(nonce, _)| *nonce)),
            None => start,
        }
    }

    /// Decodes raw `eth_sendRawTransaction` bytes ([`decode_raw_transaction`]) and adds the transaction.
    pub fn add_raw_transaction(
        &mut self,
        raw: &[u8],
        state: &impl AccountReader,
    ) -> Result<AddedTransaction, InsertError> {
        let tx = decode_raw_transaction(raw)?;
        self.add_transaction(tx, state)
    }

    /// Validates `tx` against the rules, `state` and the admission hook, and adds it.
    ///
    /// Checks, in order: already known; size, chain ID, init code, gas limit, tip vs fee cap, EIP-7702 list,
    /// intrinsic gas and floor, minimum tip; nonce too low; balance for this transaction; replacement
    /// price bump; balance for this and the sender's lower pooled nonces (overdraft); the admission hook;
    /// the per-sender and global limits (see [`PoolConfig`]).
    pub fn add_transaction(
        &mut self,
        tx: PoolTransaction,
        state: &impl AccountReader,
    ) -> Result<AddedTransaction, InsertError> {
        let hash = tx.hash();
        if self.by_hash.contains_key(&hash) {
            return Err(InsertError::AlreadyKnown { hash });
        }
        validate_stateless(&tx, &self.config)?;

        let address = tx.sender();
        let nonce = tx.nonce();
        let state_nonce = state.nonce(address);
        if nonce < state_nonce {
            return Err(InsertError::NonceTooLow { address, tx_nonce: nonce, state_nonce });
        }
        let balance = state.balance(address);
        let cost = total_cost(&tx, state);
        if cost > balance {
            return Err(InsertError::InsufficientFunds { address, balance, cost, gas_limit: tx.gas_limit() });
        }

        let existing = self.senders.get(&address).and_then(|txs| txs.txs.get(&nonce));
        if let Some(old) = existing
            && !is_sufficient_replacement(&old.tx, &tx, self.config.price_bump_percent)
        {
            return Err(InsertError::ReplacementUnderpriced {
                existing: old.tx.hash(),
                bump_percent: self.config.price_bump_percent,
            });
        }
        let earlier_cost = self.senders.get(&address).map_or(U256::ZERO, |txs| {
            txs.txs
                .range(state_nonce..nonce)
                .fold(U256::ZERO, |sum, (_, entry)| sum.saturating_add(total_cost(&entry.tx, state)))
        });
        let cumulative_cost = earlier_cost.saturating_add(cost);
        if cumulative_cost > balance {
            return Err(InsertError::Overdraft { address, balance, cumulative_cost });
        }

        self.check.check(&tx)?;

        let mut dropped = self.sync_sender_nonce(address, state_nonce);
        let is_replacement = self.senders.get(&address).is_some_and(|txs| txs.txs.contains_key(&nonce));
        if !is_replacement {
            dropped.extend(self.make_room(&tx)?);
        }

        let seq = self.next_seq;
        self.next_seq += 1;
        let tx = Arc::new(tx);
        let sender =
            self.senders.entry(address).or_insert_with(|| SenderTxs { state_nonce, ..Default::default() });
        let replaced = sender.txs.insert(nonce, Entry { tx: Arc::clone(&tx), seq }).map(|old| old.tx);
        let subpool = sender.subpool_of(nonce);
        if let Some(old) = &replaced {
            self.by_hash.remove(&old.hash());
        }
        self.by_hash.insert(hash, tx);
        Ok(AddedTransaction { hash, subpool, replaced, dropped })
    }

    /// Records a freshly read account nonce for a sender already in the pool, dropping its stale nonces.
    fn sync_sender_nonce(&mut self, address: Address, state_nonce: u64) -> Vec<DroppedTransaction> {
        let Some(sender) = self.senders.get_mut(&address) else { return Vec::new() };
        let stale = sender.advance_to(state_nonce);
        let dropped: Vec<_> = stale
            .into_iter()
            .map(|entry| DroppedTransaction { tx: entry.tx, reason: DropReason::NonceTooLow { state_nonce } })
            .collect();
        for gone in &dropped {
            self.by_hash.remove(&gone.tx.hash());
        }
        self.forget_if_empty(address);
        dropped
    }

    /// Applies the per-sender and global limits before `tx` (not a replacement) is inserted: decides every
    /// eviction first, so a refusal evicts nothing.
    fn make_room(&mut self, tx: &PoolTransaction) -> Result<Vec<DroppedTransaction>, InsertError> {
        let address = tx.sender();
        let mut victims: Vec<(Address, u64)> = Vec::new();
        if let Some(sender) = self.senders.get(&address)
            && sender.txs.len() >= self.config.max_txs_per_sender
        {
            match sender.txs.last_key_value() {
                Some((&highest, _)) if highest > tx.nonce() => victims.push((address, highest)),
                _ => return Err(InsertError::SenderFull { address, limit: self.config.max_txs_per_sender }),
            }
        }
        if self.by_hash.len() - victims.len() >= self.config.max_txs {
            let newcomer = PriceKey::of(tx, self.base_fee);
            let cheapest = self
                .senders
                .iter()
                .filter_map(|(address, sender)| {
                    let (&nonce, entry) = sender.txs.last_key_value()?;
                    let pending = sender.subpool_of(nonce) == SubPool::Pending;
                    Some(((pending, PriceKey::of(&entry.tx, self.base_fee)), *address, nonce))
                })
                .filter(|(_, address, nonce)| !victims.contains(&(*address, *nonce)))
                .min_by_key(|(key, _, _)| *key);
            match cheapest {
                Some(((_, price), victim, nonce)) if price < newcomer => victims.push((victim, nonce)),
                _ => return Err(InsertError::PoolFull),
            }
        }
        Ok(victims
            .into_iter()
            .filter_map(|(victim, nonce)| self.remove_entry(victim, nonce))
            .map(|evicted| DroppedTransaction { tx: evicted, reason: DropReason::Evicted { by: tx.hash() } })
            .collect())
    }

    /// Removes one sender's transaction at `nonce` from every index.
    fn remove_entry(&mut self, address: Address, nonce: u64) -> Option<Arc<PoolTransaction>> {
        let sender = self.senders.get_mut(&address)?;
        let entry = sender.txs.remove(&nonce)?;
        self.by_hash.remove(&entry.tx.hash());
        self.forget_if_empty(address);
        Some(entry.tx)
    }

    /// Forgets a sender with no transactions left.
    fn forget_if_empty(&mut self, address: Address) {
        if self.senders.get(&address).is_some_and(|sender| sender.txs.is_empty()) {
            self.senders.remove(&address);
        }
    }

    /// The pending transactions for a block at `base_fee`, best effective tip first, each sender's in nonce
    /// order; see [`BestTransactions`]. A snapshot: the pool can change while it is consumed.
    pub fn best_transactions(&self, base_fee: u64) -> BestTransactions {
        let runs = self
            .senders
            .iter()
            .map(|(address, sender)| (*address, sender.pending().cloned().collect::<VecDeque<_>>()));
        BestTransactions::new(base_fee, runs)
    }

    /// Removes transactions included in a block (unknown hashes are ignored) and returns them. A mined nonce
    /// also advances the sender's known account nonce, so its next transaction is pending right away (any
    /// pooled transaction below that nonce is removed and returned too: its nonce is spent).
    pub fn remove_mined(&mut self, hashes: impl IntoIterator<Item = B256>) -> Vec<Arc<PoolTransaction>> {
        let mut removed = Vec::new();
        for hash in hashes {
            let Some(tx) = self.by_hash.get(&hash).cloned() else { continue };
            let address = tx.sender();
            let Some(sender) = self.senders.get_mut(&address) else { continue };
            let spent_up_to = sender.state_nonce.max(tx.nonce().saturating_add(1));
            for entry in sender.advance_to(spent_up_to) {
                self.by_hash.remove(&entry.tx.hash());
                removed.push(entry.tx);
            }
            self.forget_if_empty(address);
        }
        removed
    }

    /// Removes one transaction (for example on an explicit drop request). The sender's later nonces become
    /// queued.
    pub fn remove_transaction(&mut self, hash: &B256) -> Option<Arc<PoolTransaction>> {
        let tx = self.by_hash.get(hash).cloned()?;
        self.remove_entry(tx.sender(), tx.nonce())
    }

    /// Empties the pool.
    pub fn clear(&mut self) {
        self.by_hash.clear();
        self.senders.clear();
    }

    /// A new head block: records its base fee, re-reads every sender's nonce and balance from `state`, and
    /// revalidates. Returns what was dropped and why:
    /// - nonces below the account nonce ([`DropReason::NonceTooLow`]);
    /// - walking each sender's pending run in nonce order, the first transaction the balance no longer covers
    ///   together with the ones before it ([`DropReason::InsufficientFunds`]), or that the admission hook now
    ///   refuses ([`DropReason::Rejected`], asked with [`AdmissionCheck::recheck`]); the transactions after it
    ///   become queued;
    /// - queued transactions whose own cost exceeds the balance, or that the admission hook now refuses.
    ///
    /// So, as the interop tx-pool spec asks, every pooled transaction is re-checked after each block.
    pub fn on_new_block(&mut self, state: &impl AccountReader, base_fee: u64) -> Vec<DroppedTransaction> {
        self.base_fee = base_fee;
        let mut dropped = Vec::new();
        let addresses: Vec<Address> = self.senders.keys().copied().collect();
        for address in addresses {
            dropped.extend(self.revalidate_sender(address, state));
        }
        for gone in &dropped {
            self.by_hash.remove(&gone.tx.hash());
        }
        dropped
    }

    /// Revalidates one sender's transactions against `state` and the hook (see [`TxPool::on_new_block`]).
    /// Removes them from the sender's table; the caller removes them from the hash index.
    fn revalidate_sender(&mut self, address: Address, state: &impl AccountReader) -> Vec<DroppedTransaction> {
        let state_nonce = state.nonce(address);
        let balance = state.balance(address);
        let check = Arc::clone(&self.check);
        let Some(sender) = self.senders.get_mut(&address) else { return Vec::new() };
        let mut dropped: Vec<DroppedTransaction> = sender
            .advance_to(state_nonce)
            .into_iter()
            .map(|entry| DroppedTransaction { tx: entry.tx, reason: DropReason::NonceTooLow { state_nonce } })
            .collect();

        let mut cumulative_cost = U256::ZERO;
        let mut failed = None;
        for entry in sender.pending() {
            cumulative_cost = cumulative_cost.saturating_add(total_cost(&entry.tx, state));
            if cumulative_cost > balance {
                failed = Some((entry.tx.nonce(), DropReason::InsufficientFunds { balance, cumulative_cost }));
                break;
            }
            if let Err(rejection) = check.recheck(&entry.tx) {
                failed = Some((entry.tx.nonce(), DropReason::Rejected(rejection)));
                break;
            }
        }
        if let Some((nonce, reason)) = failed
            && let Some(entry) = sender.txs.remove(&nonce)
        {
            dropped.push(DroppedTransaction { tx: entry.tx, reason });
        }

        let failing_queued: Vec<(u64, DropReason)> = sender
            .queued()
            .filter_map(|entry| {
                let cost = total_cost(&entry.tx, state);
                if cost > balance {
                    return Some((
                        entry.tx.nonce(),
                        DropReason::InsufficientFunds { balance, cumulative_cost: cost },
                    ));
                }
                check
                    .recheck(&entry.tx)
                    .err()
                    .map(|rejection| (entry.tx.nonce(), DropReason::Rejected(rejection)))
            })
            .collect();
        for (nonce, reason) in failing_queued {
            if let Some(entry) = sender.txs.remove(&nonce) {
                dropped.push(DroppedTransaction { tx: entry.tx, reason });
            }
        }
        self.forget_if_empty(address);
        dropped
    }

    /// Puts back transactions that a reorg took out of the chain, validating each against `state` (the new
    /// head) like a new submission, lowest nonce first per sender. Returns each one's hash and outcome.
    pub fn reinsert(
        &mut self,
        txs: impl IntoIterator<Item = PoolTransaction>,
        state: &impl AccountReader,
    ) -> Vec<(B256, Result<AddedTransaction, InsertError>)> {
        let mut txs: Vec<PoolTransaction> = txs.into_iter().collect();
        txs.sort_by_key(|tx| (tx.sender(), tx.nonce()));
        txs.into_iter()
            .map(|tx| {
                let hash = tx.hash();
                (hash, self.add_transaction(tx, state))
            })
            .collect()
    }
}
