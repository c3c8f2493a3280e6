//! Fork mode: a chain started from another chain's state at a block, read lazily from it. The remote here is
//! another in-memory chain behind the `ForkSource` trait, so every read the fork makes can be counted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

use alloy_eips::BlockId;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use common::*;
use superlink_chain::{
    Chain, ChainConfig, ChainError, ForkError, ForkPoint, ForkSource, ForkedState, Genesis, GenesisAccount,
    RemoteAccount, StateError,
};

/// A remote chain answering at one block, counting the requests it serves; it can be taken down.
#[derive(Debug)]
struct ChainRemote {
    chain: Arc<Mutex<Chain>>,
    block: u64,
    requests: Arc<AtomicUsize>,
    down: Arc<AtomicBool>,
}

impl ChainRemote {
    fn check(&self, what: String) -> Result<BlockId, ForkError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        if self.down.load(Ordering::SeqCst) {
            return Err(ForkError { what, reason: "http://remote is not reachable".into() });
        }
        Ok(BlockId::number(self.block))
    }
}

impl ForkSource for ChainRemote {
    fn account(&self, address: Address) -> Result<RemoteAccount, ForkError> {
        let at = self.check(format!("account {address}"))?;
        let chain = self.chain.lock().unwrap();
        Ok(RemoteAccount {
            balance: chain.balance(address, at).unwrap(),
            nonce: chain.nonce(address, at).unwrap(),
            code: chain.code(address, at).unwrap(),
        })
    }

    fn storage(&self, address: Address, slot: U256) -> Result<U256, ForkError> {
        let at = self.check(format!("slot {slot} of {address}"))?;
        Ok(self.chain.lock().unwrap().storage(address, slot, at).unwrap())
    }
}

const STORE: Address = Address::repeat_byte(0x51);
const INSTALLED: Address = Address::repeat_byte(0x42);

fn word(value: u64) -> Bytes {
    B256::from(U256::from(value)).0.to_vec().into()
}

/// A remote chain where dev account 0 set the stored value to 42 (so it has nonce 1) and a stand-in for a
/// predeploy at `INSTALLED` holds a slot.
fn remote_chain(dev: &Dev) -> Chain {
    let mut chain = chain(dev);
    chain.set_code(STORE, bytes(STORE_RUNTIME));
    chain.set_code(INSTALLED, bytes(STORE_RUNTIME));
    chain.set_storage(INSTALLED, U256::ZERO, U256::from(5));
    chain
        .submit_transaction(sign(&dev.signers[0], call_tx(0, TxKind::Call(STORE), word(42), 100_000)))
        .unwrap();
    chain.mine(GENESIS_TIME + 2).unwrap();
    chain.mine(GENESIS_TIME + 4).unwrap();
    chain
}

struct Forked {
    chain: Chain,
    remote: Arc<Mutex<Chain>>,
    requests: Arc<AtomicUsize>,
    down: Arc<AtomicBool>,
    point: ForkPoint,
}

/// Forks `remote` at its head, installing `INSTALLED` with other code and no storage and giving dev account 1
/// a balance of 5 wei.
fn fork(dev: &Dev, remote: Chain) -> Forked {
    let head = remote.head();
    let point = ForkPoint { header: head.header.inner().clone(), hash: head.hash() };
    let remote = Arc::new(Mutex::new(remote));
    let requests = Arc::new(AtomicUsize::new(0));
    let down = Arc::new(AtomicBool::new(false));
    let source = ChainRemote {
        chain: remote.clone(),
        block: point.header.number,
        requests: requests.clone(),
        down: down.clone(),
    };
    let installed = Genesis::new(CHAIN_ID, 0)
        .with_account(INSTALLED, GenesisAccount { code: bytes(LOGGER_RUNTIME), ..GenesisAccount::default() });
    let chain = Chain::fork(
        &installed,
        point.clone(),
        Arc::new(ForkedState::new(Box::new(source))),
        &[(dev.address(1), U256::from(5))],
        ChainConfig::default(),
    )
    .unwrap();
    Forked { chain, remote, requests, down, point }
}

fn latest() -> BlockId {
    BlockId::latest()
}

#[test]
fn the_fork_starts_at_the_remote_block_and_reads_its_state() {
    let dev = Dev::new(2);
    let forked = fork(&dev, remote_chain(&dev));
    let chain = &forked.chain;
    assert_eq!(chain.head_number(), forked.point.header.number);
    assert_eq!(chain.first_number(), forked.point.header.number);
    assert_eq!(chain.head().hash(), forked.point.hash, "the first block is the remote's, hash and all");
    assert_eq!(chain.chain_id(), CHAIN_ID);
    assert!(chain.is_forked());

    let remote_balance = forked.remote.lock().unwrap().balance(dev.address(0), latest()).unwrap();
    assert_eq!(chain.balance(dev.address(0), latest()).unwrap(), remote_balance);
    assert_eq!(chain.nonce(dev.address(0), latest()).unwrap(), 1);
    assert_eq!(chain.code(STORE, latest()).unwrap(), bytes(STORE_RUNTIME));
    assert_eq!(chain.storage(STORE, U256::ZERO, latest()).unwrap(), U256::from(42));
    assert!(chain.block(BlockId::number(0)).is_none(), "blocks before the fork are not the fork's");
}

#[test]
fn installed_accounts_replace_the_remote_and_funded_ones_keep_their_nonce() {
    let dev = Dev::new(2);
    let mut remote = remote_chain(&dev);
    remote.set_nonce(dev.address(1), 9);
    let forked = fork(&dev, remote);
    let chain = &forked.chain;
    assert_eq!(chain.code(INSTALLED, latest()).unwrap(), bytes(LOGGER_RUNTIME));
    assert_eq!(
        chain.storage(INSTALLED, U256::ZERO, latest()).unwrap(),
        U256::ZERO,
        "the remote's slot is hidden"
    );
    assert_eq!(chain.balance(dev.address(1), latest()).unwrap(), U256::from(5));
    assert_eq!(chain.nonce(dev.address(1), latest()).unwrap(), 9);
}

#[test]
fn each_remote_account_and_slot_is_fetched_once() {
    let dev = Dev::new(2);
    let forked = fork(&dev, remote_chain(&dev));
    let before = forked.requests.load(Ordering::SeqCst);
    for _ in 0..3 {
        forked.chain.code(STORE, latest()).unwrap();
        forked.chain.storage(STORE, U256::ZERO, latest()).unwrap();
    }
    assert_eq!(forked.requests.load(Ordering::SeqCst) - before, 2);
}

#[test]
fn a_transaction_on_the_fork_changes_the_fork_only() {
    let dev = Dev::new(2);
    let mut forked = fork(&dev, remote_chain(&dev));
    let fork_block = forked.point.header.number;
    let tx = sign(&dev.signers[0], call_tx(1, TxKind::Call(STORE), word(7), 100_000));
    forked.chain.submit_transaction(tx).unwrap();
    let timestamp = forked.point.header.timestamp + 2;
    let mined = forked.chain.mine(timestamp).unwrap();
    assert_eq!(mined.block.transactions.len(), 2, "the L1 attributes deposit and ours: {:?}", mined.excluded);
    assert!(mined.block.receipts[1].is_success());
    assert_eq!(mined.block.number(), fork_block + 1);
    assert_eq!(mined.block.header.parent_hash, forked.point.hash);

    assert_eq!(forked.chain.storage(STORE, U256::ZERO, latest()).unwrap(), U256::from(7));
    assert_eq!(forked.chain.nonce(dev.address(0), latest()).unwrap(), 2);
    let at_fork = BlockId::number(fork_block);
    assert_eq!(forked.chain.storage(STORE, U256::ZERO, at_fork).unwrap(), U256::from(42));
    assert_eq!(forked.chain.nonce(dev.address(0), at_fork).unwrap(), 1);
    let remote = forked.remote.lock().unwrap();
    assert_eq!(
        remote.storage(STORE, U256::ZERO, latest()).unwrap(),
        U256::from(42),
        "the remote is unchanged"
    );
}

#[test]
fn a_zero_written_over_a_remote_slot_stays_zero_and_a_rewind_brings_the_remote_value_back() {
    let dev = Dev::new(2);
    let mut forked = fork(&dev, remote_chain(&dev));
    let fork_block = forked.point.header.number;
    let tx = sign(&dev.signers[0], call_tx(1, TxKind::Call(STORE), word(0), 100_000));
    forked.chain.submit_transaction(tx).unwrap();
    forked.chain.mine(forked.point.header.timestamp + 2).unwrap();
    assert_eq!(forked.chain.storage(STORE, U256::ZERO, latest()).unwrap(), U256::ZERO);

    forked.chain.rewind_to(fork_block).unwrap();
    assert_eq!(forked.chain.storage(STORE, U256::ZERO, latest()).unwrap(), U256::from(42));
    assert_eq!(forked.chain.nonce(dev.address(0), latest()).unwrap(), 1);
    let error = forked.chain.rewind_to(fork_block - 1).unwrap_err();
    assert!(matches!(error, ChainError::HistoryTooShort { .. }), "{error}");
}

#[test]
fn reading_remote_state_does_not_change_the_state_root() {
    let dev = Dev::new(2);
    let forked = fork(&dev, remote_chain(&dev));
    let root = forked.chain.recompute_state_root();
    forked.chain.balance(dev.address(0), latest()).unwrap();
    forked.chain.storage(STORE, U256::ZERO, latest()).unwrap();
    assert_eq!(forked.chain.recompute_state_root(), root);
}

#[test]
fn an_unreachable_remote_fails_reads_and_submissions_with_its_reason() {
    let dev = Dev::new(2);
    let mut forked = fork(&dev, remote_chain(&dev));
    forked.down.store(true, Ordering::SeqCst);
    let error = forked.chain.balance(Address::repeat_byte(0x77), latest()).unwrap_err();
    assert!(matches!(error, ChainError::State(StateError::Remote(_))), "{error}");
    assert!(error.to_string().contains("not reachable"), "{error}");

    let tx = sign(&dev.signers[0], call_tx(1, TxKind::Call(STORE), word(7), 100_000));
    let refused = forked.chain.submit_transaction(tx).unwrap_err();
    assert!(matches!(refused, ChainError::State(StateError::Remote(_))), "{refused}");
    assert_eq!(forked.chain.pool().len(), 0);

    forked.down.store(false, Ordering::SeqCst);
    assert_eq!(forked.chain.nonce(dev.address(0), latest()).unwrap(), 1, "a failed read is asked again");
}

#[test]
fn a_call_that_needs_an_unreachable_remote_fails_with_the_reason() {
    let dev = Dev::new(2);
    let forked = fork(&dev, remote_chain(&dev));
    forked.down.store(true, Ordering::SeqCst);
    let request = alloy_rpc_types_eth::TransactionRequest::default().to(STORE);
    let error = forked.chain.call(&request, latest(), None, None).unwrap_err();
    assert!(error.to_string().contains("not reachable"), "{error}");
}

#[test]
fn a_transaction_whose_state_the_remote_cannot_give_waits_for_a_later_block() {
    let dev = Dev::new(2);
    let mut forked = fork(&dev, remote_chain(&dev));
    let fork_time = forked.point.header.timestamp;
    // A first block reads what every block needs (the system contracts, the L1 attributes' accounts).
    forked.chain.mine(fork_time + 2).unwrap();
    let tx = sign(&dev.signers[0], call_tx(1, TxKind::Call(STORE), word(7), 100_000));
    let hash = forked.chain.submit_transaction(tx).unwrap().hash;

    // The contract the transaction calls was never read: with the remote down the block goes on without it.
    forked.down.store(true, Ordering::SeqCst);
    let mined = forked.chain.mine(fork_time + 4).unwrap();
    assert_eq!(mined.block.transactions.len(), 1, "only the L1 attributes deposit");
    let (excluded, why) = mined.excluded.first().expect("the transaction is reported left out");
    assert_eq!(*excluded, hash);
    assert!(
        matches!(why, superlink_chain::Exclusion::NotYet(reason) if reason.contains("not reachable")),
        "{why:?}"
    );
    assert_eq!(forked.chain.pool().len(), 1, "it waits in the pool");

    forked.down.store(false, Ordering::SeqCst);
    let mined = forked.chain.mine(fork_time + 6).unwrap();
    assert_eq!(mined.block.transactions.len(), 2, "{:?}", mined.excluded);
    assert_eq!(mined.block.transactions[1].hash, hash);
    assert_eq!(forked.chain.storage(STORE, U256::ZERO, latest()).unwrap(), U256::from(7));
}

#[test]
fn a_forked_chain_serves_no_execution_witness() {
    let dev = Dev::new(2);
    let mut forked = fork(&dev, remote_chain(&dev));
    let mined = forked.chain.mine(forked.point.header.timestamp + 2).unwrap();
    let error = forked.chain.execution_witness(mined.block.number()).unwrap_err();
    assert!(matches!(error, ChainError::WitnessUnavailable { .. }), "{error}");
    assert!(error.to_string().contains("forked"), "{error}");
}
