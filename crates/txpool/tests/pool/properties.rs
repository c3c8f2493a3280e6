//! Property: whatever order transactions arrive in, `best_transactions` yields each sender's nonces strictly
//! ascending from the account nonce without gaps, and exactly the pending run.

use std::collections::{BTreeSet, HashMap};

use alloy_primitives::Address;
use proptest::prelude::*;

use crate::helpers::{BASE_FEE, GWEI, account, funded, impersonated, pool};

/// Per sender: the set of nonces it submits; per transaction: a tip in gwei.
fn submissions() -> impl Strategy<Value = Vec<(u8, u64, u128)>> {
    prop::collection::vec((1u8..=4, 0u64..8, 1u128..50), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn best_transactions_keep_nonces_consecutive(
        submitted in submissions(),
        order in any::<prop::sample::Index>(),
        base_fee_gwei in 0u64..3,
    ) {
        let senders: Vec<Address> = (1..=4).map(account).collect();
        let state = funded(&senders);
        let mut pool = pool();
        // Rotate the submissions by a random offset, and also try them reversed, for two arrival orders.
        let rotate = order.index(submitted.len());
        let mut arrivals = submitted.clone();
        arrivals.rotate_left(rotate);
        if rotate % 2 == 1 {
            arrivals.reverse();
        }
        for (sender, nonce, tip) in arrivals {
            // Fee caps all above the base fee; refusals (replacements too cheap) are fine.
            let _ = pool.add_transaction(impersonated(account(sender), nonce, 100 * GWEI, tip * GWEI), &state);
        }

        let base_fee = base_fee_gwei * BASE_FEE;
        let mut next: HashMap<Address, u64> = HashMap::new();
        for tx in pool.best_transactions(base_fee) {
            let expected = next.entry(tx.sender()).or_insert(0);
            prop_assert_eq!(tx.nonce(), *expected, "sender {} out of order", tx.sender());
            *expected += 1;
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
