//! Properties: whatever order transactions arrive in, `best_transactions` yields each sender's nonces strictly
//! ascending from the account nonce without gaps, exactly the pending run, greedily by tip; and the pool's
//! indexes stay consistent over random histories.

use std::collections::{BTreeSet, HashMap};

use alloy_primitives::Address;
use proptest::prelude::*;

use superlink_txpool::AccountReader;

use crate::helpers::{BASE_FEE, GWEI, account, funded, impersonated, pool};

/// One submission: sender index, nonce, tip in gwei.
type Submission = (u8, u64, u128);

/// Submissions, and the same submissions in a random arrival order.
fn submissions() -> impl Strategy<Value = (Vec<Submission>, Vec<Submission>)> {
    prop::collection::vec((1u8..=4, 0u64..8, 1u128..50), 1..40)
        .prop_flat_map(|submitted| (Just(submitted.clone()), Just(submitted).prop_shuffle()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn best_transactions_keep_nonces_consecutive(
        (submitted, arrivals) in submissions(),
        base_fee_gwei in 0u64..3,
    ) {
        let senders: Vec<Address> = (1..=4).map(account).collect();
        let state = funded(&senders);
        let mut pool = pool();
        for (sender, nonce, tip) in arrivals {
            // Fee caps all above the base fee; refusals (replacements too cheap) are fine.
            let _ = pool.add_transaction(impersonated(account(sender), nonce, 100 * GWEI, tip * GWEI), &state);
        }

        let base_fee = base_fee_gwei * BASE_FEE;
        let pending: HashMap<Address, Vec<_>> =
            senders.iter().map(|sender| (*sender, pool.sender_transactions(*sender).pending)).collect();
        let mut next: HashMap<Address, u64> = HashMap::new();
        for tx in pool.best_transactions(base_fee) {
            let expected = next.entry(tx.sender()).or_insert(0);
            prop_assert_eq!(tx.nonce(), *expected, "sender {} out of order", tx.sender());
            *expected += 1;
            // Greedy by tip: no other sender's next executable transaction pays more than the one yielded.
            let tip = tx.effective_tip(base_fee);
            for (sender, txs) in &pending {
                let head = next.get(sender).copied().unwrap_or(0) as usize;
                if *sender != tx.sender()
                    && let Some(other) = txs.get(head)
                {
                    prop_assert!(other.effective_tip(base_fee) <= tip, "{other:?} pays more than {tx:?}");
                }
            }
        }
        // Exactly the pending run: nonces 0.. up to the first nonce the sender did not submit.
        for sender in senders {
            let nonces: BTreeSet<u64> = submitted
                .iter()
                .filter(|(index, _, _)| account(*index) == sender)
                .map(|(_, nonce, _)| *nonce)
                .collect();
            let run = (0..).take_while(|nonce| nonces.contains(nonce)).count() as u64;
            prop_assert_eq!(next.get(&sender).copied().unwrap_or(0), run);
            prop_assert_eq!(pool.next_nonce(sender, &state), run);
            prop_assert_eq!(pool.sender_transactions(sender).pending.len() as u64, run);
        }
    }
}

/// One step of a random pool history.
#[derive(Debug, Clone)]
enum Step {
    /// Sender index, nonce, tip in gwei.
    Insert(u8, u64, u128),
    /// Mine the best `n` transactions: remove them and advance their senders' nonces.
    Mine(usize),
    /// Remove the `n`-th pooled transaction (in hash order).
    Drop(usize),
    /// Set a sender's balance to cover `n` transfers.
    Balance(u8, u64),
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        4 => (1u8..=3, 0u64..6, 1u128..20).prop_map(|(s, n, t)| Step::Insert(s, n, t)),
        1 => (0usize..4).prop_map(Step::Mine),
        1 => (0usize..8).prop_map(Step::Drop),
        1 => (1u8..=3, 0u64..6).prop_map(|(s, n)| Step::Balance(s, n)),
    ];
    prop::collection::vec(step, 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// After every operation: the listings and the hash index agree, pending runs start at the account nonce
    /// without gaps, and `best_transactions` yields exactly the pending transactions in nonce order.
    #[test]
    fn invariants_hold_after_every_operation(history in steps()) {
        let senders: Vec<Address> = (1..=3).map(account).collect();
        let mut state = funded(&senders);
        let mut pool = pool();
        for step in history {
            match step {
                Step::Insert(sender, nonce, tip) => {
                    let _ = pool.add_transaction(impersonated(account(sender), nonce, 100 * GWEI, tip * GWEI), &state);
                }
                Step::Mine(count) => {
                    let mined: Vec<_> = pool.best_transactions(BASE_FEE).take(count).collect();
                    for tx in &mined {
                        state.set_nonce(tx.sender(), tx.nonce() + 1);
                    }
                    let removed = pool.remove_mined(mined.iter().map(|tx| tx.hash()));
                    prop_assert_eq!(removed.len(), mined.len());
                    let dropped = pool.on_new_block(&state, BASE_FEE);
                    prop_assert!(dropped.iter().all(|d| !mined.iter().any(|m| m.hash() == d.tx.hash())));
                }
                Step::Drop(index) => {
                    let content = pool.content();
                    let mut hashes: Vec<_> = content.pending.values().chain(content.queued.values()).flatten().map(|tx| tx.hash()).collect();
                    hashes.sort();
                    if let Some(hash) = hashes.get(index) {
                        prop_assert!(pool.remove_transaction(hash).is_some());
                    }
                }
                Step::Balance(sender, transfers) => {
                    let one = impersonated(account(sender), 0, 100 * GWEI, GWEI).cost();
                    state.set_balance(account(sender), one * alloy_primitives::U256::from(transfers));
                    for dropped in pool.on_new_block(&state, BASE_FEE) {
                        prop_assert!(!pool.contains(&dropped.tx.hash()));
                    }
                }
            }

            let content = pool.content();
            let listed = content.pending.values().chain(content.queued.values()).map(Vec::len).sum::<usize>();
            prop_assert_eq!(listed, pool.len());
            prop_assert_eq!(pool.pending_count() + pool.queued_count(), pool.len());
            for (sender, txs) in &content.pending {
                let nonces: Vec<u64> = txs.iter().map(|tx| tx.nonce()).collect();
                let start = state.nonce(*sender);
                let expected: Vec<u64> = (start..start + nonces.len() as u64).collect();
                prop_assert_eq!(nonces, expected);
            }
            for tx in content.pending.values().chain(content.queued.values()).flatten() {
                let found = pool.get(&tx.hash());
                prop_assert_eq!(found.as_deref(), Some(tx.as_ref()));
            }
            let mut best: Vec<_> = pool.best_transactions(BASE_FEE).map(|tx| (tx.sender(), tx.nonce())).collect();
            best.sort();
            let mut pending: Vec<_> = content.pending.values().flatten().map(|tx| (tx.sender(), tx.nonce())).collect();
            pending.sort();
            prop_assert_eq!(best, pending);
        }
    }
}
