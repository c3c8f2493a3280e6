//! [`ChainService`]: one chain behind a read-write lock, with its event channel, dev clock and automine
//! switch. Queries take the read lock and run alongside each other; the operations here that change the
//! chain take the write lock, and publish what they changed.

use std::sync::{
    Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
    atomic::{AtomicBool, Ordering},
};

use alloy_primitives::{Address, B256};
use std::sync::Arc;
use superlink_chain::{
    Chain, ChainError, MAX_BLOCK_TIMESTAMP, MinedBlock, RebuildOutcome, ReplacementOutcome, RewindOutcome,
    StoredBlock,
};
use superlink_txpool::PoolTransaction;
use tokio::sync::broadcast;

use crate::{
    clock::{DevClock, TimeSource},
    error::NodeError,
    events::ChainEvent,
};

/// How many events a slow subscriber may fall behind before it misses some.
const EVENT_CAPACITY: usize = 4096;

/// How far back a snapshot revert looks for blocks that left the canonical chain.
const REVERT_SCAN_DEPTH: usize = 1024;

/// The most blocks one request (`anvil_mine`) may mine: enough to skip ahead thousands of blocks in a test,
/// little enough that one request ends within seconds and its blocks fit in memory.
pub const MAX_BLOCKS_PER_REQUEST: u64 = 10_000;

/// The most snapshots kept at once: each holds a copy of the chain's state and history until it is reverted
/// to (which also drops every later one).
pub const MAX_SNAPSHOTS: usize = 100;

/// How `evm_mine`/`anvil_mine` should mine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MineRequest {
    /// How many blocks to mine (at least 1).
    pub blocks: u64,
    /// Timestamp of the first block mined, if fixed.
    pub timestamp: Option<u64>,
    /// Seconds between consecutive mined blocks, if fixed.
    pub interval: Option<u64>,
}

/// A chain as a running service.
#[derive(Debug)]
pub struct ChainService {
    chain_id: u64,
    chain: RwLock<Chain>,
    events: broadcast::Sender<ChainEvent>,
    clock: Mutex<DevClock>,
    automine: AtomicBool,
    stopping: AtomicBool,
}

impl ChainService {
    /// Runs `chain`, mining a block for every accepted transaction, on the wall clock.
    pub fn new(chain: Chain) -> Self {
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        ChainService {
            chain_id: chain.chain_id(),
            chain: RwLock::new(chain),
            events,
            clock: Mutex::new(DevClock::default()),
            automine: AtomicBool::new(true),
            stopping: AtomicBool::new(false),
        }
    }

    /// Turns mining on submission on or off (off: the owner mines, with [`ChainService::mine_block`] or a
    /// block loop).
    pub fn with_automine(self, automine: bool) -> Self {
        self.set_automine(automine);
        self
    }

    /// Counts the time of blocks mined on request (`evm_mine`, automine) from `now` instead of the wall
    /// clock; `evm_increaseTime` still adds its offset. An owner that builds blocks on a schedule of its own
    /// passes the time of its next block, so blocks mined by hand fall in step with its schedule.
    pub fn with_time_source(self, now: TimeSource) -> Self {
        self.clock().set_time_source(now);
        self
    }

    /// The chain ID (EIP-155).
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The chain, locked for reading: other readers run alongside, changes wait.
    pub fn read(&self) -> RwLockReadGuard<'_, Chain> {
        self.chain.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The chain locked for reading if that needs no waiting (nobody is changing it), else `None`.
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, Chain>> {
        match self.chain.try_read() {
            Ok(guard) => Some(guard),
            Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    /// The chain, locked for changes: nobody else reads or changes it meanwhile. Publish the blocks a change
    /// makes canonical with [`ChainService::publish_block`]; the operations of this service publish
    /// themselves.
    pub fn write(&self) -> RwLockWriteGuard<'_, Chain> {
        self.chain.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn clock(&self) -> MutexGuard<'_, DevClock> {
        self.clock.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A fresh receiver of the chain's events.
    pub fn events(&self) -> broadcast::Receiver<ChainEvent> {
        self.events.subscribe()
    }

    /// Announces `block` as the new head to subscribers.
    pub fn publish_block(&self, block: &Arc<StoredBlock>) {
        let _ = self.events.send(ChainEvent::NewBlock(block.clone()));
    }

    /// Announces that `blocks` left the canonical chain (nothing when there are none).
    fn publish_removed(&self, blocks: Vec<Arc<StoredBlock>>) {
        if !blocks.is_empty() {
            let _ = self.events.send(ChainEvent::BlocksRemoved(Arc::new(blocks)));
        }
    }

    /// Mines on the locked chain at `timestamp`, or at the dev clock's next time when `None`.
    fn mine_locked(&self, chain: &mut Chain, timestamp: Option<u64>) -> Result<Arc<StoredBlock>, ChainError> {
        let timestamp = match timestamp {
            Some(timestamp) => timestamp,
            None => self.clock().next(chain.head().timestamp()),
        };
        Ok(chain.mine(timestamp)?.block)
    }

    /// Mines one block now (pool transactions by fee) at the dev clock's time and publishes it.
    pub fn mine_block(&self) -> Result<Arc<StoredBlock>, ChainError> {
        let block = {
            let mut chain = self.write();
            self.mine_locked(&mut chain, None)?
        };
        self.publish_block(&block);
        Ok(block)
    }

    /// Mines the blocks `request` asks for (at most [`MAX_BLOCKS_PER_REQUEST`]), publishing each. The write
    /// lock is taken per block, so reads go on in between, and a shutdown stops the work between two blocks.
    pub fn mine(&self, request: MineRequest) -> Result<(), NodeError> {
        if request.blocks > MAX_BLOCKS_PER_REQUEST {
            return Err(NodeError::TooManyBlocks { requested: request.blocks, max: MAX_BLOCKS_PER_REQUEST });
        }
        let out_of_range = NodeError::TimeOutOfRange { max: MAX_BLOCK_TIMESTAMP };
        // The last block's time is checked before the first is mined: a request is refused whole.
        let blocks = request.blocks.max(1);
        let last = match (request.timestamp, request.interval) {
            (Some(start), interval) => {
                (blocks - 1).checked_mul(interval.unwrap_or(1)).and_then(|s| start.checked_add(s))
            }
            (None, Some(interval)) => {
                let parent = self.read().head().timestamp();
                blocks.checked_mul(interval.max(1)).and_then(|s| parent.checked_add(s))
            }
            (None, None) => Some(0),
        };
        if last.is_none_or(|t| t > MAX_BLOCK_TIMESTAMP) {
            return Err(out_of_range);
        }
        for i in 0..blocks {
            if self.stopping.load(Ordering::Relaxed) {
                return Err(NodeError::ShuttingDown);
            }
            let block = {
                let mut chain = self.write();
                let parent = chain.head().timestamp();
                let timestamp = match (request.timestamp, request.interval) {
                    (Some(start), interval) => {
                        let step = i.checked_mul(interval.unwrap_or(1)).ok_or(out_of_range.clone())?;
                        Some(start.checked_add(step).ok_or(out_of_range.clone())?)
                    }
                    (None, Some(interval)) => {
                        Some(parent.checked_add(interval.max(1)).ok_or(out_of_range.clone())?)
                    }
                    (None, None) => None,
                };
                if timestamp.is_some_and(|t| t > MAX_BLOCK_TIMESTAMP) {
                    return Err(out_of_range);
                }
                self.mine_locked(&mut chain, timestamp)?
            };
            self.publish_block(&block);
        }
        Ok(())
    }

    /// Stops long work (a many-block `mine`) between two blocks, for a clean shutdown.
    pub fn begin_shutdown(&self) {
        self.stopping.store(true, Ordering::Relaxed);
    }

    /// Adds `tx` to the pool and publishes it; with automine on, mines it at once. Its hash.
    ///
    /// The pool's admission check is given the transaction first, before the chain is locked
    /// ([`AdmissionCheck::prepare`](superlink_txpool::AdmissionCheck::prepare)): a check that asks a remote
    /// service waits for its answer there, not while everyone else waits for the lock.
    pub fn submit(&self, tx: PoolTransaction) -> Result<B256, ChainError> {
        let check = self.read().pool().admission_check();
        check.prepare(&tx);
        let (hash, block) = {
            let mut chain = self.write();
            let added = chain.submit_transaction(tx)?;
            let _ = self.events.send(ChainEvent::PendingTransaction(added.hash));
            let block = if self.automine() { Some(self.mine_locked(&mut chain, None)?) } else { None };
            (added.hash, block)
        };
        if let Some(block) = block {
            self.publish_block(&block);
        }
        Ok(hash)
    }

    /// Reorganises the chain back to block `number` and publishes the blocks that left it.
    pub fn rewind_to(&self, number: u64) -> Result<RewindOutcome, ChainError> {
        let outcome = self.write().rewind_to(number)?;
        self.publish_removed(outcome.removed.clone());
        Ok(outcome)
    }

    /// Replaces block `number` by a deposits-only block (rebuilding its descendants) and publishes the
    /// change: the old blocks as removed, then every rebuilt block.
    pub fn replace_with_deposits_only(&self, number: u64) -> Result<ReplacementOutcome, ChainError> {
        let (old, new, outcome) = {
            let mut chain = self.write();
            let head = chain.head_number();
            let old: Vec<Arc<StoredBlock>> =
                (number..=head).filter_map(|n| chain.block_by_number(n)).collect();
            let outcome = chain.replace_with_deposits_only(number)?;
            let new: Vec<Arc<StoredBlock>> =
                (number..=chain.head_number()).filter_map(|n| chain.block_by_number(n)).collect();
            (old, new, outcome)
        };
        self.publish_removed(old);
        for block in &new {
            self.publish_block(block);
        }
        Ok(outcome)
    }

    /// Mines a block at `timestamp` with `forced` right after the deposits, past the pool's admission check
    /// (a sequencer including what its own policy refuses), then pool transactions; publishes it. See
    /// [`Chain::mine_including`]: if a forced transaction cannot be included, nothing changes.
    pub fn mine_including(
        &self,
        timestamp: u64,
        forced: Vec<PoolTransaction>,
    ) -> Result<MinedBlock, ChainError> {
        let mined = self.write().mine_including(timestamp, forced)?;
        self.publish_block(&mined.block);
        Ok(mined)
    }

    /// Mines a block at `timestamp` with the queued deposits and no pool transactions, leaving the pool as it
    /// is, and publishes it (see [`Chain::mine_without_pool`]).
    pub fn mine_without_pool(&self, timestamp: u64) -> Result<MinedBlock, ChainError> {
        let mined = self.write().mine_without_pool(timestamp)?;
        self.publish_block(&mined.block);
        Ok(mined)
    }

    /// Rebuilds blocks `from..=through` without user transactions, dropping the blocks above (see
    /// [`Chain::rebuild_without_user_transactions`]), and publishes the change: every block that left the
    /// chain as removed, then every rebuilt block.
    pub fn rebuild_without_user_transactions(
        &self,
        from: u64,
        through: u64,
        fee_recipient: Option<Address>,
    ) -> Result<RebuildOutcome, ChainError> {
        let (outcome, new) = {
            let mut chain = self.write();
            let outcome = chain.rebuild_without_user_transactions(from, through, fee_recipient)?;
            let new: Vec<Arc<StoredBlock>> =
                (from..=chain.head_number()).filter_map(|n| chain.block_by_number(n)).collect();
            (outcome, new)
        };
        self.publish_removed(outcome.removed.clone());
        for block in &new {
            self.publish_block(block);
        }
        Ok(outcome)
    }

    /// Saves the whole chain state; the ID to revert to.
    pub fn snapshot(&self) -> Result<u64, NodeError> {
        let mut chain = self.write();
        if chain.snapshot_count() >= MAX_SNAPSHOTS {
            return Err(NodeError::TooManySnapshots { max: MAX_SNAPSHOTS });
        }
        Ok(chain.snapshot())
    }

    /// Returns to snapshot `id`, dropping it and every later one, and publishes the blocks that left the
    /// chain; `false` when the ID is unknown.
    pub fn revert_to_snapshot(&self, id: u64) -> Result<bool, ChainError> {
        let removed = {
            let mut chain = self.write();
            let before: Vec<Arc<StoredBlock>> = (0..=chain.head_number())
                .rev()
                .take(REVERT_SCAN_DEPTH)
                .filter_map(|n| chain.block_by_number(n))
                .collect();
            match chain.revert_to_snapshot(id) {
                Ok(()) => {}
                Err(ChainError::UnknownSnapshot(_)) => return Ok(false),
                Err(other) => return Err(other),
            }
            let removed: Vec<Arc<StoredBlock>> = before
                .into_iter()
                .filter(|old| chain.block_by_number(old.number()).is_none_or(|now| now.hash() != old.hash()))
                .rev()
                .collect();
            removed
        };
        self.publish_removed(removed);
        Ok(true)
    }

    /// Moves the clock of future blocks forward by `seconds`; the total offset in seconds.
    pub fn increase_time(&self, seconds: u64) -> Result<u64, NodeError> {
        self.clock()
            .increase(seconds, MAX_BLOCK_TIMESTAMP)
            .ok_or(NodeError::TimeOutOfRange { max: MAX_BLOCK_TIMESTAMP })
    }

    /// Fixes the timestamp of the next block mined on request; it must be after the head's.
    pub fn set_next_block_timestamp(&self, timestamp: u64) -> Result<(), NodeError> {
        let parent = self.read().head().timestamp();
        if timestamp <= parent {
            return Err(NodeError::TimestampNotAfterHead { timestamp, parent });
        }
        if timestamp > MAX_BLOCK_TIMESTAMP {
            return Err(NodeError::TimeOutOfRange { max: MAX_BLOCK_TIMESTAMP });
        }
        self.clock().fix_next(timestamp);
        Ok(())
    }

    /// When a transaction submitted now is expected to be mined, by the dev clock: at the fixed next timestamp
    /// if one is set, else at the clock's time plus `wait` (the time to the next block of a block loop; 0 with
    /// automine). An estimate, for checks that depend on the time of the block (such as an executing
    /// message's); the block's own timestamp also follows its parent's. Takes only the clock's lock, never the
    /// chain's, so it may be called while the chain is locked.
    pub fn expected_block_time(&self, wait: u64) -> u64 {
        match self.clock().peek() {
            Ok(fixed) => fixed,
            Err(now) => now.saturating_add(wait),
        }
    }

    /// Whether every accepted transaction is mined at once.
    pub fn automine(&self) -> bool {
        self.automine.load(Ordering::Relaxed)
    }

    /// Turns mining on submission on or off.
    pub fn set_automine(&self, enabled: bool) {
        self.automine.store(enabled, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use alloy_consensus::TxEip1559;
    use alloy_primitives::{Address, TxKind, U256};
    use op_alloy_consensus::OpTypedTransaction;
    use superlink_chain::{ChainConfig, Genesis, GenesisAccount};
    use tokio::sync::broadcast::error::TryRecvError;

    use super::*;

    const ALICE: Address = Address::repeat_byte(0xa1);
    const GENESIS_TIME: u64 = 1_000;

    fn service(automine: bool) -> ChainService {
        let funded = GenesisAccount { balance: U256::from(10u128.pow(20)), ..GenesisAccount::default() };
        let genesis = Genesis::new(901, GENESIS_TIME).with_account(ALICE, funded);
        let mut chain = Chain::new(&genesis, ChainConfig::default());
        chain.impersonate(ALICE);
        ChainService::new(chain).with_automine(automine).with_time_source(Arc::new(|| GENESIS_TIME + 10))
    }

    /// A transfer from the impersonated Alice with the next nonce.
    fn transfer(service: &ChainService) -> PoolTransaction {
        let tx = TxEip1559 {
            chain_id: 901,
            nonce: service.read().pending_nonce(ALICE),
            gas_limit: 21_000,
            max_fee_per_gas: 10_000_000_000,
            max_priority_fee_per_gas: 1,
            to: TxKind::Call(Address::repeat_byte(0xb2)),
            value: U256::from(1),
            ..TxEip1559::default()
        };
        PoolTransaction::impersonated(OpTypedTransaction::Eip1559(tx), ALICE).unwrap()
    }

    fn next_event(events: &mut broadcast::Receiver<ChainEvent>) -> ChainEvent {
        events.try_recv().unwrap()
    }

    #[test]
    fn reads_run_alongside_each_other_and_wait_only_for_a_change() {
        let service = service(true);
        let reading = service.read();
        assert!(service.try_read().is_some(), "a second reader does not wait for the first");
        drop(reading);
        let changing = service.write();
        assert!(service.try_read().is_none(), "a reader waits while the chain changes");
        drop(changing);
        assert!(service.try_read().is_some());
    }

    #[test]
    fn with_automine_a_submission_is_announced_then_mined_and_the_block_published() {
        let service = service(true);
        let mut events = service.events();
        let hash = service.submit(transfer(&service)).unwrap();
        let ChainEvent::PendingTransaction(pending) = next_event(&mut events) else {
            panic!("pending first")
        };
        assert_eq!(pending, hash);
        let ChainEvent::NewBlock(block) = next_event(&mut events) else { panic!("then the block") };
        assert_eq!(block.number(), 1);
        assert_eq!(block.timestamp(), GENESIS_TIME + 10, "the time source's time");
        assert!(block.transactions.iter().any(|tx| tx.hash == hash));
        assert_eq!(service.read().head_number(), 1);
    }

    #[test]
    fn without_automine_a_submission_waits_in_the_pool_for_the_owner_to_mine() {
        let service = service(false);
        let mut events = service.events();
        let hash = service.submit(transfer(&service)).unwrap();
        assert!(matches!(next_event(&mut events), ChainEvent::PendingTransaction(_)));
        assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)), "nothing mined");
        assert!(service.read().pool().contains(&hash));
        let block = service.mine_block().unwrap();
        assert!(block.transactions.iter().any(|tx| tx.hash == hash));
        assert!(matches!(next_event(&mut events), ChainEvent::NewBlock(b) if b.hash() == block.hash()));
    }

    /// An admission check that records whether the chain was free to read when it was asked to prepare.
    #[derive(Default)]
    struct PreparesUnlocked {
        service: Mutex<std::sync::Weak<ChainService>>,
        prepared: Mutex<Vec<(B256, bool)>>,
    }

    impl superlink_txpool::AdmissionCheck for PreparesUnlocked {
        fn check(&self, _tx: &PoolTransaction) -> Result<(), superlink_txpool::AdmissionRejection> {
            Ok(())
        }

        fn prepare(&self, tx: &PoolTransaction) {
            let service = self.service.lock().unwrap().upgrade().unwrap();
            let unlocked = service.try_read().is_some();
            self.prepared.lock().unwrap().push((tx.hash(), unlocked));
        }
    }

    #[test]
    fn a_submission_lets_the_admission_check_prepare_before_the_chain_is_locked() {
        let service = Arc::new(service(false));
        let check = Arc::new(PreparesUnlocked::default());
        *check.service.lock().unwrap() = Arc::downgrade(&service);
        service.write().set_admission_check(check.clone());
        let hash = service.submit(transfer(&service)).unwrap();
        assert_eq!(*check.prepared.lock().unwrap(), [(hash, true)]);
    }

    #[test]
    fn the_dev_clock_offsets_and_fixes_the_time_of_blocks_mined_on_request() {
        let service = service(false);
        assert_eq!(service.increase_time(100).unwrap(), 100);
        assert_eq!(service.expected_block_time(2), GENESIS_TIME + 112, "a block time from the clock's time");
        assert_eq!(service.mine_block().unwrap().timestamp(), GENESIS_TIME + 110);
        let refused = service.set_next_block_timestamp(GENESIS_TIME + 110);
        assert!(
            matches!(refused, Err(NodeError::TimestampNotAfterHead { parent, .. }) if parent == GENESIS_TIME + 110)
        );
        service.set_next_block_timestamp(GENESIS_TIME + 500).unwrap();
        assert_eq!(service.expected_block_time(2), GENESIS_TIME + 500, "the fixed time, whatever the wait");
        assert_eq!(service.mine_block().unwrap().timestamp(), GENESIS_TIME + 500);
        service.mine(MineRequest { blocks: 3, timestamp: None, interval: Some(7) }).unwrap();
        let chain = service.read();
        assert_eq!(chain.head_number(), 5);
        assert_eq!(chain.head().timestamp(), GENESIS_TIME + 500 + 21);
    }

    #[test]
    fn a_rewind_and_a_snapshot_revert_publish_the_blocks_that_left_the_chain() {
        let service = service(true);
        let snapshot = service.snapshot().unwrap();
        service.submit(transfer(&service)).unwrap();
        service.submit(transfer(&service)).unwrap();
        let mut events = service.events();
        service.rewind_to(1).unwrap();
        let ChainEvent::BlocksRemoved(removed) = next_event(&mut events) else { panic!("removed blocks") };
        assert_eq!(removed.iter().map(|b| b.number()).collect::<Vec<_>>(), [2]);
        assert!(service.revert_to_snapshot(snapshot).unwrap());
        let ChainEvent::BlocksRemoved(removed) = next_event(&mut events) else { panic!("removed blocks") };
        assert_eq!(removed.iter().map(|b| b.number()).collect::<Vec<_>>(), [1]);
        assert_eq!(service.read().head_number(), 0);
        assert!(!service.revert_to_snapshot(snapshot).unwrap(), "a snapshot is used once");
    }

    #[test]
    fn forced_blocks_blocks_without_the_pool_and_rebuilds_publish_what_changed() {
        let service = service(true);
        service.submit(transfer(&service)).unwrap();
        service.submit(transfer(&service)).unwrap();
        let mut events = service.events();

        let forced = transfer(&service);
        let mined = service.mine_including(GENESIS_TIME + 20, vec![forced.clone()]).unwrap();
        assert!(mined.block.transactions.iter().any(|tx| tx.hash == forced.hash()));
        let ChainEvent::NewBlock(block) = next_event(&mut events) else { panic!("the forced block") };
        assert_eq!((block.number(), block.hash()), (3, mined.block.hash()));
        // A forced transaction that cannot execute (its nonce is used) changes nothing and publishes nothing.
        let refused = service.mine_including(GENESIS_TIME + 21, vec![forced]);
        assert!(matches!(refused, Err(ChainError::ForcedTransactionFailed { .. })), "{refused:?}");
        assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)));

        let empty = service.mine_without_pool(GENESIS_TIME + 21).unwrap();
        let ChainEvent::NewBlock(block) = next_event(&mut events) else {
            panic!("the block without the pool")
        };
        assert_eq!((block.number(), block.hash()), (4, empty.block.hash()));

        let old: Vec<B256> = (2..=4).map(|n| service.read().block_by_number(n).unwrap().hash()).collect();
        let outcome =
            service.rebuild_without_user_transactions(2, 3, Some(Address::repeat_byte(0xfe))).unwrap();
        let ChainEvent::BlocksRemoved(removed) = next_event(&mut events) else {
            panic!("removed blocks first")
        };
        assert_eq!(removed.iter().map(|b| b.hash()).collect::<Vec<_>>(), old);
        for rebuilt in &outcome.rebuilt {
            let ChainEvent::NewBlock(block) = next_event(&mut events) else {
                panic!("then the rebuilt blocks")
            };
            assert_eq!((block.number(), block.hash()), (rebuilt.number, rebuilt.new_hash));
        }
        assert_eq!(outcome.rebuilt.iter().map(|r| r.number).collect::<Vec<_>>(), [2, 3]);
        assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)));
        assert_eq!(service.read().head_number(), 3);
    }

    #[test]
    fn one_request_mines_a_bounded_number_of_blocks_and_stops_at_shutdown() {
        let service = service(false);
        let err =
            service.mine(MineRequest { blocks: u64::MAX, timestamp: None, interval: None }).unwrap_err();
        assert!(matches!(err, NodeError::TooManyBlocks { max: MAX_BLOCKS_PER_REQUEST, .. }), "{err}");
        assert_eq!(service.read().head_number(), 0, "nothing was mined");
        service.begin_shutdown();
        let err = service.mine(MineRequest { blocks: 5, timestamp: None, interval: None }).unwrap_err();
        assert!(matches!(err, NodeError::ShuttingDown), "{err}");
    }

    #[test]
    fn time_never_passes_the_largest_block_timestamp() {
        let service = service(false);
        let err = service.increase_time(u64::MAX).unwrap_err();
        assert!(matches!(err, NodeError::TimeOutOfRange { .. }), "{err}");
        let err = service.set_next_block_timestamp(MAX_BLOCK_TIMESTAMP + 1).unwrap_err();
        assert!(matches!(err, NodeError::TimeOutOfRange { .. }), "{err}");
        let huge = MineRequest { blocks: 3, timestamp: Some(MAX_BLOCK_TIMESTAMP - 1), interval: Some(1) };
        let err = service.mine(huge).unwrap_err();
        assert!(matches!(err, NodeError::TimeOutOfRange { .. }), "{err}");
        let overflow = MineRequest { blocks: 2, timestamp: None, interval: Some(u64::MAX) };
        assert!(matches!(service.mine(overflow).unwrap_err(), NodeError::TimeOutOfRange { .. }));
        // The clock still works after the refusals.
        service.mine(MineRequest { blocks: 1, timestamp: None, interval: None }).unwrap();
    }

    #[test]
    fn snapshots_are_bounded_and_a_revert_frees_them() {
        let service = service(false);
        let first = service.snapshot().unwrap();
        for _ in 1..MAX_SNAPSHOTS {
            service.snapshot().unwrap();
        }
        let err = service.snapshot().unwrap_err();
        assert!(matches!(err, NodeError::TooManySnapshots { max: MAX_SNAPSHOTS }), "{err}");
        assert!(service.revert_to_snapshot(first).unwrap());
        service.snapshot().unwrap();
    }
}
