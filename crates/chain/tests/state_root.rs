//! The state root the chain maintains incrementally equals a full recomputation with alloy-trie's
//! reference functions, after any sequence of edits, transactions, blocks and rewinds; and the state of
//! every kept block recomputes to the root its header carries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, B256, Bytes, U256};
use common::*;
use proptest::prelude::*;
use superlink_chain::Chain;

#[derive(Debug, Clone)]
enum Op {
    Balance(u8, u64),
    Nonce(u8, u64),
    Storage(u8, u8, u8),
    Code(u8, bool),
    Transfer(u8, u8, u64),
    Mine,
    Rewind(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..6, any::<u64>()).prop_map(|(a, v)| Op::Balance(a, v)),
        (0u8..6, 0u64..5).prop_map(|(a, v)| Op::Nonce(a, v)),
        (0u8..6, 0u8..4, 0u8..3).prop_map(|(a, s, v)| Op::Storage(a, s, v)),
        (0u8..6, any::<bool>()).prop_map(|(a, c)| Op::Code(a, c)),
        (0u8..3, 0u8..6, 0u64..1000).prop_map(|(f, t, v)| Op::Transfer(f, t, v)),
        Just(Op::Mine),
        Just(Op::Mine),
        (0u8..3).prop_map(Op::Rewind),
    ]
}

fn account(index: u8) -> Address {
    Address::with_last_byte(0xa0 + index)
}

fn reference_root(chain: &Chain) -> B256 {
    alloy_trie::root::state_root_unhashed(chain.latest_state().accounts().map(|(address, account)| {
        let storage_root = alloy_trie::root::storage_root_unhashed(
            account.storage.iter().map(|(slot, value)| (B256::from(*slot), *value)),
        );
        (
            *address,
            alloy_trie::TrieAccount {
                nonce: account.info.nonce,
                balance: account.info.balance,
                storage_root,
                code_hash: account.info.code_hash,
            },
        )
    }))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn incremental_root_equals_full_recomputation(ops in proptest::collection::vec(op(), 1..30)) {
        let dev = Dev::new(3);
        let mut chain = chain(&dev);
        let mut time = GENESIS_TIME;
        for op in ops {
            match op {
                Op::Balance(a, v) => chain.set_balance(account(a), U256::from(v)),
                Op::Nonce(a, v) => chain.set_nonce(account(a), v),
                Op::Storage(a, s, v) => chain.set_storage(account(a), U256::from(s), U256::from(v)),
                Op::Code(a, some) => {
                    let code = if some { bytes(STORE_RUNTIME) } else { Bytes::new() };
                    chain.set_code(account(a), code)
                }
                Op::Transfer(f, t, v) => {
                    let from = dev.address(f as usize);
                    let nonce = chain.pool().next_nonce(from, &NonceOf(&chain));
                    // Refusals (e.g. a sender whose nonce was edited) are fine: the pool decides.
                    let _ = chain.submit_transaction(sign(&dev.signers[f as usize], transfer(nonce, account(t), v)));
                }
                Op::Mine => {
                    time += 2;
                    let block = chain.mine(time).unwrap().block;
                    prop_assert_eq!(block.header.state_root, reference_root(&chain));
                }
                Op::Rewind(back) => {
                    let target = chain.head_number().saturating_sub(back as u64);
                    chain.rewind_to(target).unwrap();
                    prop_assert_eq!(chain.head().header.state_root, reference_root(&chain));
                }
            }
        }
        prop_assert_eq!(chain.recompute_state_root(), reference_root(&chain));
        for n in 0..=chain.head_number() {
            let id = BlockId::Number(BlockNumberOrTag::Number(n));
            let header_root = chain.block_by_number(n).unwrap().header.state_root;
            if n < chain.head_number() {
                prop_assert_eq!(chain.state_root_at(id).unwrap(), header_root);
            }
        }
    }
}

/// The head's nonces as the pool reads them.
struct NonceOf<'a>(&'a Chain);

impl superlink_txpool::AccountReader for NonceOf<'_> {
    fn nonce(&self, address: Address) -> u64 {
        self.0.nonce(address, BlockId::latest()).unwrap()
    }

    fn balance(&self, address: Address) -> U256 {
        self.0.balance(address, BlockId::latest()).unwrap()
    }
}
