//! The pool policy of an interop sequencer, over any [`MessageChecker`]: a transaction that declares
//! `CrossL2Inbox` entries in its access list enters the pool only if the checker accepts every message they
//! claim, at the timestamp of the chain's next block. The pool asks again after each block, so a relay whose
//! message stopped being valid is dropped, and the builder asks once more for the timestamp of the block it
//! builds, so no block holds an executing message the checker did not accept for that very block.
//! Transactions without such entries are never checked, and one that declares more than [`MAX_INBOX_ENTRIES`]
//! is refused before any of its messages is checked.
//!
//! One policy serves both checkers. The embedded verifier answers from its index at once
//! ([`InteropAdmission::in_process`]). A remote one ([`InteropAdmission::remote`], with [`RemoteChecker`]
//! asking `interop_checkAccessList`) may be slow, down or behind, and the policy fails closed:
//! - an answer of the verifier (valid, invalid, not known yet, not safe enough) counts as the embedded
//!   verifier's would: a refusal refuses at submission, drops at the re-check and leaves the transaction out
//!   of the block being built;
//! - no answer (the verifier is down, still catching up with its chains, answers with an error outside the supervisor API's table, or takes
//!   longer than the timeout) refuses the transaction at submission with a reason that says so, and leaves it
//!   out of the block being built; a transaction already pooled stays, to be judged when the verifier
//!   answers again;
//! - after a check went unanswered, every check is refused at once for a short while ([`RemoteTimeouts`]),
//!   then one asks again: a verifier that hangs costs one timeout per while, not one per transaction.
//!
//! The pool calls its admission check synchronously, with the chain locked. The submission's check is made
//! before the lock is taken ([`AdmissionCheck::prepare`]) and its answer kept for the locked check that
//! follows; a check that must be made with the chain locked (the re-checks after a block, the builder's)
//! waits at most [`RemoteTimeouts::locked`], so a slow verifier holds block building up by at most that,
//! once per [`RemoteTimeouts::retry_after`]. The remote call itself runs on a tokio runtime given at
//! construction while the calling thread waits; call the check from a thread that may block (the blocking
//! pool, a block loop's round), never from an async worker. The preview of the next block (the `pending`
//! tag, built while a reader waits, maybe on an async worker) never asks a remote checker
//! ([`AdmissionCheck::check_preview`]): it goes by what the checker last said.
//!
//! [`RemoteChecker`]: crate::RemoteChecker

use std::{
    collections::HashMap,
    fmt,
    future::Future,
    pin::pin,
    sync::{Arc, Mutex, MutexGuard, mpsc},
    task::{Context, Poll, Waker},
    time::{Duration, Instant},
};

use alloy_consensus::Transaction;
use alloy_primitives::{B256, U256};
use superlink_protocol::{SafetyLevel, predeploys::CROSS_L2_INBOX};
use superlink_txpool::{AdmissionCheck, AdmissionRejection, PoolTransaction};
use tokio::runtime::Handle;

use crate::{
    access_check::{ExecutingDescriptor, MessageChecker},
    error::{CheckError, ErrorCode},
};

/// The minimum safety of a message's source block for a relay to be admitted: cross-unsafe (the source block
/// and everything it depends on are known and valid, nothing derived from L1 yet), as op-reth asks by default.
pub const ADMISSION_SAFETY: SafetyLevel = SafetyLevel::CrossUnsafe;

/// How long a remote check waits by default (op-reth's request timeout).
pub const DEFAULT_REMOTE_TIMEOUT: Duration = Duration::from_secs(2);

/// The longest a remote check waits while the chain is locked: everything else that needs the chain waits
/// with it.
pub const MAX_LOCKED_WAIT: Duration = Duration::from_millis(250);

/// How long checks are refused at once after one went unanswered, before the next asks again.
pub const RETRY_AFTER_NO_ANSWER: Duration = Duration::from_secs(1);

/// The most `CrossL2Inbox` access-list entries (storage keys) one transaction may declare to be admitted.
///
/// Declaring entries is free for a sender whose transaction is refused: the pool refuses without mining it, so
/// no gas is paid for the 1,900 gas an access-list key costs. Without a limit, one transaction of a few hundred
/// kilobytes could make the pool judge tens of thousands of claims (each a lookup in the index and three
/// keccak hashes, about a microsecond in process, a few more over the network with the entry's 66 bytes of JSON),
/// and a flood of them would keep the checker busy instead of the block builder. Over the limit, the pool refuses
/// after counting the keys, before any message is checked.
///
/// The largest legitimate use is a relayer that relays many messages in one transaction (through a multicall):
/// each message takes two entries (a lookup and a checksum; three when its chain ID does not fit in 64 bits), and
/// each relay costs at least some 50,000 gas, so 256 entries (128 messages, or 85 with the extension) are a
/// batch of 6 million gas or more, more than a relayer puts in one transaction and far more than the one or two
/// messages apps execute per transaction. Checking a transaction at the limit costs about as much as recovering
/// a few signatures, so the cost of a refusal stays of the order of the cost of admitting any transaction.
pub const MAX_INBOX_ENTRIES: usize = 256;

/// How long a remote answer is used for the same transaction and timestamp: long enough to carry the answer
/// of the submission's unlocked check to the locked one that follows it, too short to outlive a block.
const FRESH_ANSWER: Duration = Duration::from_millis(500);

/// The most answers kept; past it, stale ones are forgotten first, then all.
const MAX_KEPT_ANSWERS: usize = 4096;

/// The storage keys a transaction declares for `CrossL2Inbox` in its access list, in order: the access-list
/// entries of its executing messages. Empty for transactions without an access list.
pub fn inbox_entries(tx: &impl Transaction) -> Vec<B256> {
    tx.access_list()
        .map(|list| {
            list.iter()
                .filter(|item| item.address == CROSS_L2_INBOX)
                .flat_map(|item| item.storage_keys.iter().copied())
                .collect()
        })
        .unwrap_or_default()
}

/// When a transaction admitted now would execute: the timestamp of the chain's next block, as its sequencer
/// knows it (the same shape as a node's time source).
pub type ExecutionTime = Arc<dyn Fn() -> u64 + Send + Sync>;

/// How long remote checks may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteTimeouts {
    /// The longest a check made without the chain locked (a submission's) waits for the answer.
    pub unlocked: Duration,
    /// The longest a check made with the chain locked (a re-check after a block, the builder's) waits.
    pub locked: Duration,
    /// After a check went unanswered, how long every other check is refused without asking.
    pub retry_after: Duration,
}

impl RemoteTimeouts {
    /// Checks that wait up to `timeout`, and up to [`MAX_LOCKED_WAIT`] (or `timeout` if shorter) while the
    /// chain is locked; after no answer, none asks for [`RETRY_AFTER_NO_ANSWER`].
    pub fn new(timeout: Duration) -> Self {
        Self { unlocked: timeout, locked: timeout.min(MAX_LOCKED_WAIT), retry_after: RETRY_AFTER_NO_ANSWER }
    }
}

impl Default for RemoteTimeouts {
    fn default() -> Self {
        Self::new(DEFAULT_REMOTE_TIMEOUT)
    }
}

/// The admission check of one chain: its transactions' access-list claims are checked with `C`.
pub struct InteropAdmission<C> {
    chain_id: u64,
    checker: Arc<C>,
    execution_time: ExecutionTime,
    min_safety: SafetyLevel,
    remote: Option<Remote>,
}

/// What a remote checker needs: where its calls run, how long they may take, and what it learned.
#[derive(Clone)]
struct Remote {
    runtime: Handle,
    timeouts: RemoteTimeouts,
    memory: Arc<Mutex<Memory>>,
}

/// Recent answers, and whether the checker is answering.
#[derive(Default)]
struct Memory {
    answers: HashMap<(B256, u64), (Instant, Result<(), CheckError>)>,
    outage: Option<Outage>,
}

/// The checker did not answer the last check.
struct Outage {
    reason: String,
    retry_at: Instant,
    probing: bool,
}

/// What the checker said about a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Judgement {
    /// Every declared message is accepted (or none is declared).
    Accepted,
    /// The checker refused a message.
    Refused(CheckError),
    /// The checker gave no answer, for this reason.
    Unanswered(String),
}

impl Judgement {
    fn of(result: Result<(), CheckError>) -> Self {
        match result {
            Ok(()) => Judgement::Accepted,
            // A verifier still catching up judges nothing yet: like no answer, it keeps pooled transactions.
            Err(CheckError::NotReady(message)) => Judgement::Unanswered(message),
            Err(CheckError::Refused { code: ErrorCode::UninitializedChainDatabase, message }) => {
                Judgement::Unanswered(message)
            }
            // Transport failures and errors outside the API's table say nothing about the messages.
            Err(CheckError::Remote { code, message }) => Judgement::Unanswered(if code == 0 {
                message
            } else {
                format!("the verifier failed with code {code}: {message}")
            }),
            Err(refused) => Judgement::Refused(refused),
        }
    }

    /// The answer as a pool admission: an unanswered check refuses, saying why and until when.
    fn refusing_unanswered(self) -> Result<(), AdmissionRejection> {
        match self {
            Judgement::Accepted => Ok(()),
            Judgement::Refused(e) => Err(AdmissionRejection::new(e.to_string())),
            Judgement::Unanswered(why) => Err(AdmissionRejection::new(unavailable(&why))),
        }
    }
}

/// The reason a sender sees when the checker did not answer.
fn unavailable(why: &str) -> String {
    format!(
        "interop check unavailable: {why}; transactions with executing messages are refused until the verifier \
         answers"
    )
}

impl<C> Clone for InteropAdmission<C> {
    fn clone(&self) -> Self {
        Self {
            chain_id: self.chain_id,
            checker: Arc::clone(&self.checker),
            execution_time: Arc::clone(&self.execution_time),
            min_safety: self.min_safety,
            remote: self.remote.clone(),
        }
    }
}

impl<C> fmt::Debug for InteropAdmission<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InteropAdmission")
            .field("chain_id", &self.chain_id)
            .field("min_safety", &self.min_safety)
            .field("remote", &self.remote.as_ref().map(|r| r.timeouts))
            .finish_non_exhaustive()
    }
}

impl<C: MessageChecker + 'static> InteropAdmission<C> {
    /// The check of chain `chain_id` with a checker that answers at once, such as the embedded [`Verifier`]
    /// reading its index: its answer is taken on the calling thread. `execution_time` gives the timestamp
    /// of the chain's next block. A checker whose answer is not ready at once counts as unanswered.
    ///
    /// [`Verifier`]: crate::Verifier
    pub fn in_process(chain_id: u64, checker: C, execution_time: ExecutionTime) -> Self {
        Self {
            chain_id,
            checker: Arc::new(checker),
            execution_time,
            min_safety: ADMISSION_SAFETY,
            remote: None,
        }
    }

    /// The check of chain `chain_id` with a checker that answers over the network, such as
    /// [`RemoteChecker`](crate::RemoteChecker): its calls run on `runtime` and wait as `timeouts` say.
    pub fn remote(
        chain_id: u64,
        checker: C,
        execution_time: ExecutionTime,
        runtime: Handle,
        timeouts: RemoteTimeouts,
    ) -> Self {
        let remote = Remote { runtime, timeouts, memory: Arc::default() };
        Self {
            chain_id,
            checker: Arc::new(checker),
            execution_time,
            min_safety: ADMISSION_SAFETY,
            remote: Some(remote),
        }
    }

    /// Asks for `min_safety` instead of [`ADMISSION_SAFETY`] (op-reth's `--rollup.interop-safety-level`).
    pub fn with_min_safety(mut self, min_safety: SafetyLevel) -> Self {
        self.min_safety = min_safety;
        self
    }

    /// What the checker says about the messages `tx` declares, executed at `timestamp`; `locked` when the
    /// caller holds the chain's lock.
    fn judge(&self, tx: &PoolTransaction, timestamp: u64, locked: bool) -> Judgement {
        let entries = inbox_entries(tx.tx());
        if entries.is_empty() {
            return Judgement::Accepted;
        }
        if entries.len() > MAX_INBOX_ENTRIES {
            return Judgement::Refused(CheckError::TooManyEntries {
                count: entries.len(),
                max: MAX_INBOX_ENTRIES,
            });
        }
        let descriptor =
            ExecutingDescriptor { timestamp, timeout: None, chain_id: U256::from(self.chain_id) };
        let judgement = match &self.remote {
            None => self.ask_in_process(&entries, descriptor),
            Some(remote) => self.ask_remote(remote, (tx.hash(), timestamp), entries, descriptor, locked),
        };
        if judgement != Judgement::Accepted {
            tracing::debug!(chain_id = self.chain_id, tx = %tx.hash(), timestamp, ?judgement,
                "executing message not accepted");
        }
        judgement
    }

    /// The answer of a checker that answers at once, taken on this thread.
    fn ask_in_process(&self, entries: &[B256], descriptor: ExecutingDescriptor) -> Judgement {
        let answer = pin!(self.checker.check_access_list(entries, self.min_safety, descriptor));
        match answer.poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(result) => Judgement::of(result),
            Poll::Pending => Judgement::Unanswered("the checker did not answer at once".into()),
        }
    }

    /// The answer of a remote checker: a fresh one already known, or none while it is not answering, or its
    /// answer within the time allowed.
    fn ask_remote(
        &self,
        remote: &Remote,
        key: (B256, u64),
        entries: Vec<B256>,
        descriptor: ExecutingDescriptor,
        locked: bool,
    ) -> Judgement {
        {
            let mut memory = remote.memory();
            if let Some((at, answer)) = memory.answers.get(&key)
                && at.elapsed() < FRESH_ANSWER
            {
                return Judgement::of(answer.clone());
            }
            if let Some(outage) = memory.outage.as_mut() {
                if outage.probing || Instant::now() < outage.retry_at {
                    return Judgement::Unanswered(outage.reason.clone());
                }
                // This check asks again; the others keep being refused until it knows.
                outage.probing = true;
            }
        }
        let wait = if locked { remote.timeouts.locked } else { remote.timeouts.unlocked };
        let judgement = self.call(remote, entries, descriptor, wait);
        let mut memory = remote.memory();
        match &judgement {
            Judgement::Unanswered(reason) => {
                let retry_at = Instant::now() + remote.timeouts.retry_after;
                memory.outage = Some(Outage { reason: reason.clone(), retry_at, probing: false });
            }
            Judgement::Accepted | Judgement::Refused(_) => {
                memory.outage = None;
                let answer = match &judgement {
                    Judgement::Refused(e) => Err(e.clone()),
                    _ => Ok(()),
                };
                memory.remember(key, answer);
            }
        }
        judgement
    }

    /// Runs the check on the runtime and waits for it on this thread, at most `wait`.
    fn call(
        &self,
        remote: &Remote,
        entries: Vec<B256>,
        descriptor: ExecutingDescriptor,
        wait: Duration,
    ) -> Judgement {
        let (answered, answer) = mpsc::sync_channel(1);
        let checker = Arc::clone(&self.checker);
        let min_safety = self.min_safety;
        remote.runtime.spawn(async move {
            let call = checker.check_access_list(&entries, min_safety, descriptor);
            let _ = answered.send(tokio::time::timeout(wait, call).await);
        });
        // The task stops itself after `wait`; the margin only covers its hand-over.
        match answer.recv_timeout(wait.saturating_add(Duration::from_millis(50))) {
            Ok(Ok(result)) => Judgement::of(result),
            Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Timeout) => {
                Judgement::Unanswered(format!("no answer within {wait:?}"))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Judgement::Unanswered("the runtime that asks the verifier has stopped".into())
            }
        }
    }

    fn next_block_time(&self) -> u64 {
        (self.execution_time)()
    }
}

impl Remote {
    fn memory(&self) -> MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Memory {
    fn remember(&mut self, key: (B256, u64), answer: Result<(), CheckError>) {
        if self.answers.len() >= MAX_KEPT_ANSWERS {
            self.answers.retain(|_, (at, _)| at.elapsed() < FRESH_ANSWER);
            if self.answers.len() >= MAX_KEPT_ANSWERS {
                self.answers.clear();
            }
        }
        self.answers.insert(key, (Instant::now(), answer));
    }
}

impl<C: MessageChecker + 'static> AdmissionCheck for InteropAdmission<C> {
    /// At submission, for the chain's next block: anything but the checker's acceptance refuses.
    fn check(&self, tx: &PoolTransaction) -> Result<(), AdmissionRejection> {
        self.judge(tx, self.next_block_time(), true).refusing_unanswered()
    }

    /// While building, for the block being built: anything but the checker's acceptance leaves `tx` out.
    fn check_inclusion(&self, tx: &PoolTransaction, timestamp: u64) -> Result<(), AdmissionRejection> {
        self.judge(tx, timestamp, true).refusing_unanswered()
    }

    /// For the `pending` block, at once: an in-process checker is asked; a remote one is not (a reader waits),
    /// its fresh answer about this block is used if it has one, nothing goes in while it is not answering,
    /// and otherwise a pooled transaction, admitted and re-checked since, goes in.
    fn check_preview(&self, tx: &PoolTransaction, timestamp: u64) -> Result<(), AdmissionRejection> {
        let Some(remote) = &self.remote else {
            return self.judge(tx, timestamp, true).refusing_unanswered();
        };
        if inbox_entries(tx.tx()).is_empty() {
            return Ok(());
        }
        let memory = remote.memory();
        let judgement = match (memory.answers.get(&(tx.hash(), timestamp)), &memory.outage) {
            (Some((at, answer)), _) if at.elapsed() < FRESH_ANSWER => Judgement::of(answer.clone()),
            (_, Some(outage)) => Judgement::Unanswered(outage.reason.clone()),
            _ => Judgement::Accepted,
        };
        judgement.refusing_unanswered()
    }

    /// After a block, for the chain's next block: the checker's refusal drops `tx`; no answer keeps it.
    fn recheck(&self, tx: &PoolTransaction) -> Result<(), AdmissionRejection> {
        match self.judge(tx, self.next_block_time(), true) {
            Judgement::Unanswered(_) => Ok(()),
            judgement => judgement.refusing_unanswered(),
        }
    }

    /// Before the submission locks the chain: a remote checker is asked here, and its answer kept for the
    /// check that follows.
    fn prepare(&self, tx: &PoolTransaction) {
        if self.remote.is_some() {
            let _ = self.judge(tx, self.next_block_time(), false);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use alloy_consensus::TxEip1559;
    use alloy_eips::eip2930::{AccessList, AccessListItem};
    use alloy_primitives::{Address, TxKind};
    use op_alloy_consensus::OpTypedTransaction;

    use super::*;

    #[test]
    fn only_the_inbox_keys_are_entries() {
        let inbox_keys = vec![B256::repeat_byte(1), B256::repeat_byte(2)];
        let tx = TxEip1559 {
            access_list: AccessList(vec![
                AccessListItem { address: Address::repeat_byte(9), storage_keys: vec![B256::repeat_byte(7)] },
                AccessListItem { address: CROSS_L2_INBOX, storage_keys: inbox_keys.clone() },
            ]),
            ..TxEip1559::default()
        };
        assert_eq!(inbox_entries(&tx), inbox_keys);
        assert!(inbox_entries(&TxEip1559::default()).is_empty());
    }

    /// A checker that gives one answer, counts the calls and remembers the timestamps asked about; it may
    /// take its time first.
    struct Scripted {
        answer: Mutex<Result<(), CheckError>>,
        delay: Option<Duration>,
        calls: AtomicUsize,
        asked_at: Mutex<Vec<u64>>,
    }

    impl Scripted {
        fn new(answer: Result<(), CheckError>) -> Arc<Self> {
            Arc::new(Self {
                answer: Mutex::new(answer),
                delay: None,
                calls: AtomicUsize::new(0),
                asked_at: Mutex::default(),
            })
        }

        fn slow(answer: Result<(), CheckError>, delay: Duration) -> Arc<Self> {
            Arc::new(Self {
                answer: Mutex::new(answer),
                delay: Some(delay),
                calls: AtomicUsize::new(0),
                asked_at: Mutex::default(),
            })
        }

        fn calls(&self) -> usize {
            self.calls.load(Ordering::SeqCst)
        }

        fn answer_with(&self, answer: Result<(), CheckError>) {
            *self.answer.lock().unwrap() = answer;
        }
    }

    impl MessageChecker for Arc<Scripted> {
        fn check_access_list(
            &self,
            _entries: &[B256],
            _min_safety: SafetyLevel,
            descriptor: ExecutingDescriptor,
        ) -> impl Future<Output = Result<(), CheckError>> + Send {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.asked_at.lock().unwrap().push(descriptor.timestamp);
            let answer = self.answer.lock().unwrap().clone();
            let delay = self.delay;
            async move {
                if let Some(delay) = delay {
                    tokio::time::sleep(delay).await;
                }
                answer
            }
        }
    }

    /// A checker whose answer never comes.
    struct Never;

    impl MessageChecker for Never {
        fn check_access_list(
            &self,
            _entries: &[B256],
            _min_safety: SafetyLevel,
            _descriptor: ExecutingDescriptor,
        ) -> impl Future<Output = Result<(), CheckError>> + Send {
            std::future::pending()
        }
    }

    /// A call from an impersonated sender; with `inbox_keys`, declaring them for `CrossL2Inbox`.
    fn transaction(nonce: u64, inbox_keys: Vec<B256>) -> PoolTransaction {
        let access_list = if inbox_keys.is_empty() {
            AccessList::default()
        } else {
            AccessList(vec![AccessListItem { address: CROSS_L2_INBOX, storage_keys: inbox_keys }])
        };
        let tx = TxEip1559 {
            chain_id: 902,
            nonce,
            gas_limit: 100_000,
            max_fee_per_gas: 1_000_000_000,
            to: TxKind::Call(Address::repeat_byte(0x23)),
            access_list,
            ..TxEip1559::default()
        };
        PoolTransaction::impersonated(OpTypedTransaction::Eip1559(tx), Address::repeat_byte(0x70)).unwrap()
    }

    fn relay(nonce: u64) -> PoolTransaction {
        transaction(nonce, vec![B256::repeat_byte(1), B256::repeat_byte(3)])
    }

    fn at(timestamp: u64) -> ExecutionTime {
        Arc::new(move || timestamp)
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
    }

    fn remote(
        checker: &Arc<Scripted>,
        runtime: &tokio::runtime::Runtime,
        timeouts: RemoteTimeouts,
    ) -> InteropAdmission<Arc<Scripted>> {
        InteropAdmission::remote(902, checker.clone(), at(1_000), runtime.handle().clone(), timeouts)
    }

    fn no_such_log() -> CheckError {
        CheckError::NoSuchLog { chain_id: 901, number: 5, log_index: 2 }
    }

    fn connection_refused() -> CheckError {
        CheckError::Remote { code: 0, message: "http://127.0.0.1:1: connection refused".into() }
    }

    #[test]
    fn a_transaction_without_inbox_entries_is_never_checked() {
        let checker = Scripted::new(Err(connection_refused()));
        let rt = runtime();
        for admission in [
            InteropAdmission::in_process(902, checker.clone(), at(1_000)),
            remote(&checker, &rt, RemoteTimeouts::default()),
        ] {
            let transfer = transaction(0, Vec::new());
            admission.prepare(&transfer);
            admission.check(&transfer).unwrap();
            admission.check_inclusion(&transfer, 1_001).unwrap();
            admission.recheck(&transfer).unwrap();
        }
        assert_eq!(checker.calls(), 0);
    }

    #[test]
    fn the_checkers_refusal_refuses_drops_and_leaves_out_alike_in_process_and_remote() {
        let rt = runtime();
        let in_process = Scripted::new(Err(no_such_log()));
        let over_the_network = Scripted::new(Err(no_such_log()));
        let admissions = [
            InteropAdmission::in_process(902, in_process.clone(), at(1_000)),
            remote(&over_the_network, &rt, RemoteTimeouts::default()),
        ];
        for admission in admissions {
            let tx = relay(0);
            let reason = no_such_log().to_string();
            assert_eq!(admission.check(&tx).unwrap_err().reason, reason);
            assert_eq!(admission.recheck(&tx).unwrap_err().reason, reason);
            assert_eq!(admission.check_inclusion(&tx, 1_001).unwrap_err().reason, reason);
        }
        // The pool's checks ask about the next block, the builder's about its own; a remote answer just given
        // is used again for the same question.
        assert_eq!(*in_process.asked_at.lock().unwrap(), [1_000, 1_000, 1_001]);
        assert_eq!(*over_the_network.asked_at.lock().unwrap(), [1_000, 1_001]);
    }

    #[test]
    fn a_verifier_that_does_not_answer_refuses_new_relays_saying_why_and_keeps_pooled_ones() {
        let rt = runtime();
        let checker = Scripted::new(Err(connection_refused()));
        let no_retry = RemoteTimeouts { retry_after: Duration::ZERO, ..RemoteTimeouts::default() };
        let admission = remote(&checker, &rt, no_retry);
        let tx = relay(0);
        let refused = admission.check(&tx).unwrap_err().reason;
        assert_eq!(
            refused,
            "interop check unavailable: http://127.0.0.1:1: connection refused; transactions with executing \
             messages are refused until the verifier answers"
        );
        assert_eq!(admission.check_inclusion(&tx, 1_001).unwrap_err().reason, refused, "left out of blocks");
        admission.recheck(&tx).expect("a pooled relay stays until the verifier can judge it");

        // An error outside the API's table is no verdict either.
        checker.answer_with(Err(CheckError::Remote { code: -32601, message: "method not found".into() }));
        let refused = admission.check(&tx).unwrap_err().reason;
        assert!(
            refused.starts_with("interop check unavailable: the verifier failed with code -32601"),
            "{refused}"
        );
        admission.recheck(&tx).unwrap();

        // Once it answers, its verdicts count again.
        checker.answer_with(Ok(()));
        admission.check(&tx).unwrap();
    }

    #[test]
    fn a_transaction_over_the_entry_limit_is_refused_unchecked_and_one_at_the_limit_is_judged() {
        let rt = runtime();
        let checker = Scripted::new(Err(no_such_log()));
        for admission in [
            InteropAdmission::in_process(902, checker.clone(), at(1_000)),
            remote(&checker, &rt, RemoteTimeouts::default()),
        ] {
            let over = transaction(0, vec![B256::repeat_byte(1); MAX_INBOX_ENTRIES + 1]);
            let calls = checker.calls();
            admission.prepare(&over);
            let refused = admission.check(&over).unwrap_err().reason;
            assert_eq!(
                refused,
                format!(
                    "too many CrossL2Inbox access-list entries: {} declared, at most {MAX_INBOX_ENTRIES} per \
                     transaction",
                    MAX_INBOX_ENTRIES + 1
                )
            );
            assert_eq!(admission.check_inclusion(&over, 1_001).unwrap_err().reason, refused);
            assert_eq!(checker.calls(), calls, "nothing over the limit reaches the checker");

            let at_limit = transaction(1, vec![B256::repeat_byte(1); MAX_INBOX_ENTRIES]);
            assert_eq!(admission.check(&at_limit).unwrap_err().reason, no_such_log().to_string());
            assert!(checker.calls() > calls, "a transaction at the limit is judged by the checker");
        }
    }

    #[test]
    fn a_verifier_that_is_catching_up_refuses_new_relays_and_keeps_pooled_ones() {
        let rt = runtime();
        let catching_up = "verifier not ready: chain 901: catching up, indexed block 3 of the node's head 90";
        let checker = Scripted::new(Err(CheckError::from_rpc(-320400, catching_up.into())));
        let no_retry = RemoteTimeouts { retry_after: Duration::ZERO, ..RemoteTimeouts::default() };
        let admission = remote(&checker, &rt, no_retry);
        let tx = relay(0);
        let refused = admission.check(&tx).unwrap_err().reason;
        assert_eq!(
            refused,
            format!(
                "interop check unavailable: {catching_up}; transactions with executing messages are refused \
                 until the verifier answers"
            )
        );
        admission.recheck(&tx).expect("a pooled relay stays until the verifier has caught up");
        checker.answer_with(Ok(()));
        admission.check(&tx).unwrap();
    }

    #[test]
    fn a_slow_verifier_is_given_up_on_after_the_timeout() {
        let rt = runtime();
        let checker = Scripted::slow(Ok(()), Duration::from_secs(60));
        let timeouts = RemoteTimeouts {
            unlocked: Duration::from_millis(300),
            locked: Duration::from_millis(100),
            retry_after: Duration::ZERO,
        };
        let admission = remote(&checker, &rt, timeouts);
        let tx = relay(0);
        admission.prepare(&tx);
        let refused = admission.check(&tx).unwrap_err().reason;
        assert!(refused.starts_with("interop check unavailable: no answer within 100ms"), "{refused}");
        let unlocked = admission.judge(&tx, 1_000, false);
        assert_eq!(unlocked, Judgement::Unanswered("no answer within 300ms".into()));
    }

    #[test]
    fn after_no_answer_checks_are_refused_without_asking_until_the_retry_time() {
        let rt = runtime();
        let checker = Scripted::new(Err(connection_refused()));
        let timeouts =
            RemoteTimeouts { retry_after: Duration::from_secs(3_600), ..RemoteTimeouts::default() };
        let admission = remote(&checker, &rt, timeouts);
        let first = admission.check(&relay(0)).unwrap_err();
        checker.answer_with(Ok(()));
        for nonce in 1..5 {
            assert_eq!(admission.check(&relay(nonce)).unwrap_err(), first);
            assert_eq!(admission.check_inclusion(&relay(nonce), 1_001).unwrap_err(), first);
        }
        assert_eq!(checker.calls(), 1, "one call until the retry time");
    }

    #[test]
    fn the_submissions_answer_is_kept_for_the_locked_check_that_follows() {
        let rt = runtime();
        let checker = Scripted::new(Ok(()));
        let admission = remote(&checker, &rt, RemoteTimeouts::default());
        let tx = relay(0);
        admission.prepare(&tx);
        admission.check(&tx).unwrap();
        assert_eq!(checker.calls(), 1);
        // Another timestamp is another question.
        admission.check_inclusion(&tx, 1_001).unwrap();
        assert_eq!(checker.calls(), 2);
    }

    #[test]
    fn a_preview_never_waits_for_a_remote_checker() {
        let rt = runtime();
        let checker = Scripted::slow(Ok(()), Duration::from_secs(60));
        let admission = remote(&checker, &rt, RemoteTimeouts::default());
        admission.check_preview(&relay(0), 1_001).expect("a pooled relay goes into the preview");
        assert_eq!(checker.calls(), 0);
        // What the checker said about that block counts, and while it does not answer nothing goes in.
        let checker = Scripted::new(Err(no_such_log()));
        let admission = remote(&checker, &rt, RemoteTimeouts::default());
        let _ = admission.check_inclusion(&relay(0), 1_001);
        assert_eq!(admission.check_preview(&relay(0), 1_001).unwrap_err().reason, no_such_log().to_string());
        checker.answer_with(Err(connection_refused()));
        let _ = admission.check(&relay(1));
        let refused = admission.check_preview(&relay(2), 1_001).unwrap_err().reason;
        assert!(refused.starts_with("interop check unavailable"), "{refused}");
        assert_eq!(checker.calls(), 2);
    }

    #[test]
    fn an_in_process_checker_is_never_asked_to_prepare() {
        let checker = Scripted::new(Ok(()));
        let admission = InteropAdmission::in_process(902, checker.clone(), at(1_000));
        admission.prepare(&relay(0));
        assert_eq!(checker.calls(), 0);
        let admission = InteropAdmission::in_process(902, Never, at(1_000));
        let refused = admission.check(&relay(0)).unwrap_err().reason;
        assert!(refused.contains("the checker did not answer at once"), "{refused}");
    }
}
