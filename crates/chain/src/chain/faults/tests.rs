//! Forced transactions, blocks rebuilt without their user transactions, and blocks built without the pool: what
//! each leaves in the blocks, the state, the pool and the labels, and that a refusal changes nothing.

use std::sync::Arc;

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_eips::BlockId;
use alloy_primitives::{Address, B256, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use op_alloy_consensus::{OpTxEnvelope, TxDeposit};
use superlink_txpool::{AdmissionRejection, PoolTransaction};

use crate::{Chain, ChainConfig, ChainError, Genesis, GenesisAccount, L1Attributes, StoredBlock, l1_info};

const CHAIN_ID: u64 = 901;
const GENESIS_TIME: u64 = 1_700_000_000;

fn signer(i: u8) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::left_padding_from(&[i, 0x11])).unwrap()
}

/// A genesis with the predeploys and `funded` holding a million ether each.
fn genesis(funded: &[&PrivateKeySigner]) -> Genesis {
    let mut genesis = Genesis::new(CHAIN_ID, GENESIS_TIME)
        .with_alloc(superlink_contracts::genesis::predeploy_allocs(CHAIN_ID));
    for signer in funded {
        genesis = genesis.with_account(
            signer.address(),
            GenesisAccount { balance: U256::from(10u128.pow(24)), ..GenesisAccount::default() },
        );
    }
    genesis
}

/// A chain from `genesis` at L1 origin 100.
fn chain_from(genesis: &Genesis, config: ChainConfig) -> Chain {
    let mut chain = Chain::new(genesis, config);
    chain.set_l1_origin(l1_origin(100));
    chain
}

fn chain_with(config: ChainConfig, funded: &[&PrivateKeySigner]) -> Chain {
    chain_from(&genesis(funded), config)
}

fn chain(funded: &[&PrivateKeySigner]) -> Chain {
    chain_with(ChainConfig::default(), funded)
}

fn l1_origin(number: u64) -> L1Attributes {
    L1Attributes {
        number,
        timestamp: GENESIS_TIME - 12 + 12 * (number - 100),
        hash: B256::repeat_byte(number as u8),
        ..L1Attributes::default()
    }
}

/// A signed EIP-1559 transfer.
fn transfer(signer: &PrivateKeySigner, nonce: u64, to: Address, value: u64) -> PoolTransaction {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1_000_000,
        to: TxKind::Call(to),
        value: U256::from(value),
        ..TxEip1559::default()
    };
    let signature = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    PoolTransaction::from_envelope(OpTxEnvelope::Eip1559(tx.into_signed(signature))).unwrap()
}

fn user_deposit(index: u64, to: Address) -> TxDeposit {
    TxDeposit {
        source_hash: l1_info::deposit_source_hash(
            l1_info::USER_DEPOSIT_DOMAIN,
            B256::repeat_byte(9),
            U256::from(index),
        ),
        from: Address::repeat_byte(0x42),
        to: TxKind::Call(to),
        mint: 1_000,
        value: U256::from(1_000u64),
        gas_limit: 50_000,
        is_system_transaction: false,
        input: Default::default(),
    }
}

fn tx_hashes(block: &StoredBlock) -> Vec<B256> {
    block.transactions.iter().map(|tx| tx.hash).collect()
}

fn user_tx_hashes(block: &StoredBlock) -> Vec<B256> {
    block.transactions.iter().filter(|tx| !tx.is_deposit()).map(|tx| tx.hash).collect()
}

fn balance(chain: &Chain, address: Address) -> U256 {
    chain.balance(address, BlockId::latest()).unwrap()
}

/// Refuses every transaction to `blocked`, at submission, revalidation and inclusion.
fn refusing_transfers_to(blocked: Address) -> Arc<dyn superlink_txpool::AdmissionCheck> {
    Arc::new(move |tx: &PoolTransaction| {
        if alloy_consensus::Transaction::to(tx.tx()) == Some(blocked) {
            Err(AdmissionRejection::new("the policy refuses this target"))
        } else {
            Ok(())
        }
    })
}

/// Every canonical block links to its parent and is found by its hash, and the head state is the one the head
/// header commits to.
fn assert_consistent(chain: &Chain) {
    for n in 1..=chain.head_number() {
        let block = chain.block_by_number(n).unwrap();
        assert_eq!(block.header.parent_hash, chain.block_by_number(n - 1).unwrap().hash());
        assert_eq!(chain.block_by_hash(&block.hash()).unwrap().number(), n);
    }
    assert_eq!(chain.recompute_state_root(), chain.head().header.state_root);
}

// ----- mine_including -----

#[test]
fn forced_transactions_follow_the_deposits_past_the_admission_check_then_the_pool_follows() {
    let (alice, bob) = (signer(1), signer(2));
    let mut chain = chain(&[&alice, &bob]);
    let blocked = Address::repeat_byte(0xbb);
    chain.set_admission_check(refusing_transfers_to(blocked));
    let forced = transfer(&alice, 0, blocked, 7);
    let refused = chain.submit_transaction(forced.clone());
    assert!(matches!(refused, Err(ChainError::Pool(_))), "the policy refuses it at submission: {refused:?}");
    let pooled = chain.submit_transaction(transfer(&bob, 0, Address::repeat_byte(1), 1)).unwrap().hash;
    let deposit = user_deposit(0, Address::repeat_byte(2));
    chain.queue_deposit(deposit.clone());

    let mined = chain.mine_including(GENESIS_TIME + 2, vec![forced.clone()]).unwrap();
    let block = &mined.block;
    assert_eq!(chain.head_number(), 1);
    assert_eq!(block.hash(), chain.head().hash());
    // The L1 attributes deposit, the queued deposit, the forced transaction, then the pool's.
    let hashes = tx_hashes(block);
    assert_eq!(hashes.len(), 4);
    assert!(block.transactions[0].is_deposit() && block.transactions[1].is_deposit());
    assert_eq!(hashes[2], forced.hash());
    assert_eq!(hashes[3], pooled);
    assert!(alloy_consensus::TxReceipt::status(&block.receipts[2]), "the forced transfer succeeded");
    assert_eq!(balance(&chain, blocked), U256::from(7));
    assert!(chain.queued_deposits().is_empty());
    assert!(chain.pool().is_empty(), "the pooled transaction was mined");
    assert!(mined.excluded.is_empty(), "{:?}", mined.excluded);
    assert_consistent(&chain);
}

#[test]
fn a_forced_transaction_also_in_the_pool_is_included_once_and_leaves_the_pool() {
    let alice = signer(1);
    let mut chain = chain(&[&alice]);
    let first = transfer(&alice, 0, Address::repeat_byte(1), 1);
    let second = chain.submit_transaction(transfer(&alice, 1, Address::repeat_byte(1), 1)).unwrap().hash;
    chain.submit_transaction(first.clone()).unwrap();

    let mined = chain.mine_including(GENESIS_TIME + 2, vec![first.clone()]).unwrap();
    assert_eq!(user_tx_hashes(&mined.block), [first.hash(), second], "the sender's next nonce follows");
    assert!(mined.excluded.is_empty(), "{:?}", mined.excluded);
    assert!(chain.pool().is_empty());
}

#[test]
fn a_forced_transaction_that_cannot_execute_fails_by_name_and_changes_nothing() {
    let (alice, broke) = (signer(1), signer(3));
    let mut chain = chain(&[&alice]);
    chain.mine(GENESIS_TIME + 2).unwrap();
    // A developer edit since the head, a queued deposit and a pooled transaction must all survive.
    let edited = Address::repeat_byte(0xed);
    chain.set_balance(edited, U256::from(5));
    chain.queue_deposit(user_deposit(0, Address::repeat_byte(2)));
    let pooled = chain.submit_transaction(transfer(&alice, 0, Address::repeat_byte(1), 1)).unwrap().hash;
    let head = chain.head().hash();
    let to = Address::repeat_byte(0x77);

    let gap = transfer(&alice, 5, to, 1);
    let unfunded = transfer(&broke, 0, to, 1);
    let fine = transfer(&alice, 0, to, 3);
    for (forced, culprit) in [
        (vec![gap.clone()], gap.hash()),
        (vec![unfunded.clone()], unfunded.hash()),
        // The first one executed, the second did not: the whole block is dropped.
        (vec![fine.clone(), unfunded.clone()], unfunded.hash()),
    ] {
        let err = chain.mine_including(GENESIS_TIME + 4, forced).unwrap_err();
        assert!(
            matches!(&err, ChainError::ForcedTransactionFailed { hash, .. } if *hash == culprit),
            "{err}"
        );
        assert_eq!(chain.head().hash(), head);
        assert_eq!(chain.head_number(), 1);
        assert_eq!(balance(&chain, to), U256::ZERO);
        assert_eq!(balance(&chain, edited), U256::from(5), "the developer edit is kept");
        assert_eq!(chain.queued_deposits().len(), 1, "the deposit waits for the next block");
        assert!(chain.pool().contains(&pooled));
        assert_eq!(chain.pending_nonce(alice.address()), 1);
    }

    // Nothing was lost: the next block holds the deposit, the pooled transaction and the edit.
    let mined = chain.mine(GENESIS_TIME + 4).unwrap();
    assert_eq!(user_tx_hashes(&mined.block), [pooled]);
    assert_eq!(mined.block.transactions.iter().filter(|tx| tx.is_deposit()).count(), 2);
    assert_eq!(balance(&chain, edited), U256::from(5));
    assert_consistent(&chain);
}

#[test]
fn forced_transactions_past_the_block_gas_limit_fail() {
    let alice = signer(1);
    let mut small = genesis(&[&alice]);
    small.gas_limit = 1_000_000;
    let mut chain = chain_from(&small, ChainConfig::default());
    let to = Address::repeat_byte(0x77);
    // More transfers than the block has gas for, even without its L1 attributes deposit.
    let forced: Vec<PoolTransaction> =
        (0..=small.gas_limit / 21_000).map(|nonce| transfer(&alice, nonce, to, 1)).collect();
    let hashes: Vec<B256> = forced.iter().map(PoolTransaction::hash).collect();
    let err = chain.mine_including(GENESIS_TIME + 2, forced).unwrap_err();
    assert!(
        matches!(&err, ChainError::ForcedTransactionFailed { hash, reason } if hashes[1..].contains(hash) && reason.contains("gas")),
        "{err}"
    );
    assert_eq!(chain.head_number(), 0);
    assert_eq!(balance(&chain, to), U256::ZERO);
}

#[test]
fn forced_transactions_keep_the_rules_of_mining() {
    let alice = signer(1);
    let mut chain = chain(&[&alice]);
    chain.mine(GENESIS_TIME + 2).unwrap();
    let forced = vec![transfer(&alice, 0, Address::repeat_byte(1), 1)];
    let err = chain.mine_including(GENESIS_TIME + 2, forced).unwrap_err();
    assert!(matches!(err, ChainError::TimestampNotIncreasing { .. }), "{err}");

    let from = Address::repeat_byte(0x5e);
    let unsigned = TxEip1559 { chain_id: CHAIN_ID, gas_limit: 21_000, ..TxEip1559::default() };
    let unsigned =
        PoolTransaction::impersonated(op_alloy_consensus::OpTypedTransaction::Eip1559(unsigned), from)
            .unwrap();
    let err = chain.mine_including(GENESIS_TIME + 4, vec![unsigned]).unwrap_err();
    assert_eq!(err, ChainError::NotImpersonated(from));
    assert_eq!(chain.head_number(), 1);
}

// ----- mine_without_pool -----

#[test]
fn a_block_without_the_pool_holds_the_deposits_and_leaves_the_pool_as_it_is() {
    let alice = signer(1);
    let mut chain = chain(&[&alice]);
    let pooled = chain.submit_transaction(transfer(&alice, 0, Address::repeat_byte(1), 1)).unwrap().hash;
    chain.queue_deposit(user_deposit(0, Address::repeat_byte(2)));

    let mined = chain.mine_without_pool(GENESIS_TIME + 12).unwrap();
    assert_eq!(mined.block.timestamp(), GENESIS_TIME + 12);
    assert_eq!(mined.block.transactions.len(), 2);
    assert!(mined.block.transactions.iter().all(|tx| tx.is_deposit()));
    assert_eq!(balance(&chain, Address::repeat_byte(2)), U256::from(1_000));
    assert!(chain.queued_deposits().is_empty());
    assert!(chain.pool().contains(&pooled));
    assert!(mined.dropped.is_empty());

    let empty = chain.mine_without_pool(GENESIS_TIME + 24).unwrap();
    assert_eq!(empty.block.transactions.len(), 1, "only the L1 attributes deposit");
    let err = chain.mine_without_pool(GENESIS_TIME + 24).unwrap_err();
    assert!(matches!(err, ChainError::TimestampNotIncreasing { .. }), "{err}");

    let mined = chain.mine(GENESIS_TIME + 36).unwrap();
    assert_eq!(user_tx_hashes(&mined.block), [pooled], "the pool's transaction waited for a normal block");
    assert_consistent(&chain);
}

// ----- rebuild_without_user_transactions -----

/// Blocks 1..=4, each with one transfer of Alice and Bob and a user deposit; blocks 1-2 on L1 origin 100,
/// blocks 3-4 on 101. Returns the user transactions of each block, by number.
fn busy_chain(config: ChainConfig) -> (Chain, Vec<Vec<B256>>) {
    let (alice, bob) = (signer(1), signer(2));
    let mut chain = chain_with(config, &[&alice, &bob]);
    let to = Address::repeat_byte(0x77);
    let mut user_txs = vec![Vec::new()];
    for i in 0..4u64 {
        if i == 2 {
            chain.set_l1_origin(l1_origin(101));
        }
        let a = chain.submit_transaction(transfer(&alice, i, to, 10)).unwrap().hash;
        let b = chain.submit_transaction(transfer(&bob, i, to, 20)).unwrap().hash;
        chain.queue_deposit(user_deposit(i, to));
        let mined = chain.mine(GENESIS_TIME + 2 * (i + 1)).unwrap();
        assert_eq!(user_tx_hashes(&mined.block).len(), 2);
        user_txs.push(vec![a, b]);
    }
    (chain, user_txs)
}

#[test]
fn a_missed_sequencing_window_makes_the_block_deposits_only_and_drops_the_later_blocks() {
    let (mut chain, user_txs) = busy_chain(ChainConfig::default());
    chain.set_safe(3).unwrap();
    chain.set_finalized(1).unwrap();
    let old: Vec<Arc<StoredBlock>> = (0..=4).map(|n| chain.block_by_number(n).unwrap()).collect();

    let outcome = chain.rebuild_without_user_transactions(2, 2, None).unwrap();
    assert_eq!(chain.head_number(), 2);
    let new = chain.head();
    assert_eq!(new.header.parent_hash, old[1].hash());
    assert_ne!(new.hash(), old[2].hash());
    assert_eq!(new.timestamp(), old[2].timestamp());
    assert_eq!(new.attributes, old[2].attributes, "same L1 origin, sequence number and deposits");
    assert_eq!(new.header.beneficiary, old[2].header.beneficiary);
    assert_eq!(new.transactions.len(), 2);
    assert!(new.transactions.iter().all(|tx| tx.is_deposit()));

    let removed: Vec<B256> = outcome.removed.iter().map(|b| b.hash()).collect();
    assert_eq!(removed, [old[2].hash(), old[3].hash(), old[4].hash()]);
    assert_eq!(outcome.rebuilt.len(), 1);
    assert_eq!(
        (outcome.rebuilt[0].number, outcome.rebuilt[0].old_hash, outcome.rebuilt[0].new_hash),
        (2, old[2].hash(), new.hash())
    );
    for block in &old[2..] {
        assert!(chain.block_by_hash(&block.hash()).is_none());
        assert!(chain.orphan_block(&block.hash()).is_some(), "still served by hash");
    }
    assert!(chain.block_by_number(3).is_none());
    assert_eq!((chain.safe_number(), chain.finalized_number()), (1, 1));

    // Every user transaction of blocks 2-4 is back in the pool, and the next block takes them again.
    let mut repooled: Vec<B256> = user_txs[2..].concat();
    let mut reinserted = outcome.reinserted.clone();
    repooled.sort();
    reinserted.sort();
    assert_eq!(reinserted, repooled);
    assert!(outcome.refused.is_empty(), "{:?}", outcome.refused);
    assert_eq!(chain.pool().len(), 6);
    assert_consistent(&chain);
    let mined = chain.mine(old[4].timestamp() + 2).unwrap();
    assert_eq!(mined.block.number(), 3);
    assert_eq!(user_tx_hashes(&mined.block).len(), 6);
}

#[test]
fn an_equivocating_sequencer_rebuilds_the_last_blocks_for_another_fee_recipient() {
    let (mut chain, user_txs) = busy_chain(ChainConfig::default());
    // Block 5 carries no user transaction: its rebuilt twin differs by the fee recipient alone.
    chain.mine_without_pool(GENESIS_TIME + 10).unwrap();
    let old: Vec<Arc<StoredBlock>> = (0..=5).map(|n| chain.block_by_number(n).unwrap()).collect();
    let recipient = Address::repeat_byte(0xfe);

    let outcome = chain.rebuild_without_user_transactions(4, 5, Some(recipient)).unwrap();
    assert_eq!(chain.head_number(), 5);
    assert_eq!(outcome.removed.len(), 2);
    assert_eq!(outcome.rebuilt.iter().map(|r| r.number).collect::<Vec<_>>(), [4, 5]);
    for (n, replaced) in (4..=5).zip(&outcome.rebuilt) {
        let new = chain.block_by_number(n).unwrap();
        assert_eq!((replaced.old_hash, replaced.new_hash), (old[n as usize].hash(), new.hash()));
        assert_ne!(new.hash(), old[n as usize].hash());
        assert_eq!(new.header.beneficiary, recipient);
        assert_eq!(new.timestamp(), old[n as usize].timestamp());
        let mut attributes = old[n as usize].attributes.clone().unwrap();
        attributes.fee_recipient = recipient;
        assert_eq!(new.attributes, Some(attributes));
        assert!(user_tx_hashes(&new).is_empty());
    }
    assert_eq!(chain.block_by_number(3).unwrap().hash(), old[3].hash(), "below the range nothing changed");
    let mut reinserted = outcome.reinserted.clone();
    reinserted.sort();
    let mut expected = user_txs[4].clone();
    expected.sort();
    assert_eq!(reinserted, expected);
    assert_consistent(&chain);
}

#[test]
fn refused_rebuilds_change_nothing() {
    let (mut chain, _) = busy_chain(ChainConfig { history_depth: 2, ..ChainConfig::default() });
    let head = chain.head().hash();
    let pooled = chain.pool().len();
    let cases = [
        (0, 1, ChainError::GenesisImmutable),
        (4, 3, ChainError::EmptyRange { from: 4, through: 3 }),
        (4, 5, ChainError::BeyondHead { number: 5, head: 4 }),
        (2, 4, ChainError::HistoryTooShort { target: 1, oldest: 2 }),
    ];
    for (from, through, expected) in cases {
        let err = chain.rebuild_without_user_transactions(from, through, None).unwrap_err();
        assert_eq!(err, expected);
        assert_eq!(chain.head().hash(), head);
        assert_eq!(chain.pool().len(), pooled);
    }
    // The deepest rebuild the history allows goes through.
    chain.rebuild_without_user_transactions(3, 4, None).unwrap();
    assert_eq!(chain.head_number(), 4);
    assert_consistent(&chain);
}

#[test]
fn a_rebuild_that_fails_part_way_leaves_the_chain_exactly_as_it_was() {
    let alice = signer(1);
    let mut chain = chain(&[&alice]);
    for i in 0..3u64 {
        chain.submit_transaction(transfer(&alice, i, Address::repeat_byte(1), 1)).unwrap();
        chain.queue_deposit(user_deposit(i, Address::repeat_byte(2)));
        chain.mine(GENESIS_TIME + 2 * (i + 1)).unwrap();
    }
    // Block 3 as if it had lost the attributes it was built from (the header stays): block 2 is rebuilt, then
    // rebuilding block 3 fails.
    let mut block3 = (*chain.store.truncate(2).remove(0)).clone();
    block3.attributes = None;
    chain.store.push(block3);
    chain.set_safe(3).unwrap();
    chain.set_finalized(2).unwrap();
    let pooled = chain.submit_transaction(transfer(&alice, 3, Address::repeat_byte(1), 1)).unwrap().hash;
    chain.queue_deposit(user_deposit(3, Address::repeat_byte(2)));
    let before: Vec<B256> = (0..=3).map(|n| chain.block_by_number(n).unwrap().hash()).collect();
    let balance_before = balance(&chain, Address::repeat_byte(2));

    let err = chain.rebuild_without_user_transactions(2, 3, Some(Address::repeat_byte(0xfe))).unwrap_err();
    assert_eq!(err, ChainError::GenesisImmutable);
    let after: Vec<B256> = (0..=3).map(|n| chain.block_by_number(n).unwrap().hash()).collect();
    assert_eq!(after, before);
    assert_eq!((chain.safe_number(), chain.finalized_number()), (3, 2));
    assert_eq!(chain.pool().len(), 1);
    assert!(chain.pool().contains(&pooled));
    assert_eq!(chain.queued_deposits().len(), 1);
    assert_eq!(chain.nonce(alice.address(), BlockId::latest()).unwrap(), 3);
    assert_eq!(balance(&chain, Address::repeat_byte(2)), balance_before);
    assert!(chain.orphan_block(&before[2]).is_none(), "no block left the chain");
    assert_consistent(&chain);
    // The chain goes on from where it was.
    let mined = chain.mine(GENESIS_TIME + 8).unwrap();
    assert_eq!(mined.block.header.parent_hash, before[3]);
    assert_eq!(user_tx_hashes(&mined.block), [pooled]);
    assert_eq!(balance(&chain, Address::repeat_byte(2)), balance_before + U256::from(1_000));
}
