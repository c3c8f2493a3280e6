//! Stateless re-execution of a block of 100 signed transfers, next to executing it with state.
//!
//! - `stateless/reexecute`: from the parent's state root and the block's execution witness: filing the witness
//!   nodes by hash, executing on the partial tries, and the post-state and receipts roots
//!   (`superlink_stateless::reexecute`);
//! - `with_state/build`: the chain's normal path on the parent's in-memory state (execution, receipts, the
//!   incremental state root), on a copy of the parent state made (and freed) outside the timing;
//! - `witness/generate`: what `debug_executionWitness` costs the node (replay with recording, the proofs).
//!
//! Each runs on a state of the predeploys and the 100 senders, and on one with 10,000 more accounts, which
//! makes the witness's proof paths one level deeper.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_primitives::{Address, B256, TxKind, U256, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use op_alloy_consensus::OpTxEnvelope;
use superlink_chain::{
    Chain, ChainConfig, ExecutableTx, Genesis, GenesisAccount,
    builder::{BuildParams, ListSource, build_block},
};
use superlink_stateless::{ExecutionConfig, StatelessBlock, reexecute};
use superlink_txpool::PoolTransaction;

const CHAIN_ID: u64 = 901;
const TRANSFERS: usize = 100;

fn signer(i: usize) -> PrivateKeySigner {
    let mut key = [0u8; 32];
    key[24..].copy_from_slice(&(i as u64 + 5000).to_be_bytes());
    PrivateKeySigner::from_bytes(&B256::from(key)).unwrap()
}

fn transfer(signer: &PrivateKeySigner, to: Address) -> PoolTransaction {
    let tx = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_limit: 21_000,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1_000,
        to: TxKind::Call(to),
        value: U256::from(1u64),
        ..TxEip1559::default()
    };
    let signature = signer.sign_hash_sync(&tx.signature_hash()).unwrap();
    PoolTransaction::from_envelope(OpTxEnvelope::Eip1559(tx.into_signed(signature))).unwrap()
}

/// A genesis with the predeploys, the senders and `extra` more funded accounts.
fn genesis(senders: &[PrivateKeySigner], extra: usize) -> Genesis {
    let mut genesis = Genesis::new(CHAIN_ID, 1_700_000_000)
        .with_alloc(superlink_contracts::genesis::predeploy_allocs(CHAIN_ID));
    let funded = GenesisAccount { balance: U256::from(10u128.pow(24)), ..GenesisAccount::default() };
    for signer in senders {
        genesis = genesis.with_account(signer.address(), funded.clone());
    }
    for i in 0..extra {
        genesis =
            genesis.with_account(Address::from_word(keccak256((i as u64).to_be_bytes())), funded.clone());
    }
    genesis
}

fn bench_reexecution(c: &mut Criterion) {
    let senders: Vec<PrivateKeySigner> = (0..TRANSFERS).map(signer).collect();
    let mut group = c.benchmark_group("block_of_100_transfers");
    group.sample_size(20);
    for extra in [0usize, 10_000] {
        let genesis = genesis(&senders, extra);
        let parent_chain = Chain::new(&genesis, ChainConfig::default());
        let mut chain = Chain::new(&genesis, ChainConfig::default());
        for (i, signer) in senders.iter().enumerate() {
            chain.submit_transaction(transfer(signer, Address::with_last_byte(i as u8))).unwrap();
        }
        let block = chain.mine(1_700_000_002).unwrap().block;
        assert_eq!(block.transactions.len(), TRANSFERS + 1);
        let parent = chain.block_by_number(0).unwrap();
        let witness = chain.execution_witness(1).unwrap();
        let bytes: usize = witness.state.iter().map(|node| node.len()).sum();
        eprintln!(
            "{} accounts: witness of {} trie nodes ({bytes} bytes), {} codes, {} keys",
            parent_chain.latest_state().len(),
            witness.state.len(),
            witness.codes.len(),
            witness.keys.len()
        );
        let stateless = StatelessBlock::from_reported(
            block.header.inner().clone(),
            block.transactions.iter().map(|tx| (tx.envelope.clone(), tx.sender)).collect(),
        );
        let config = ExecutionConfig::isthmus(CHAIN_ID);
        let accounts = parent_chain.latest_state().len();

        group.bench_with_input(BenchmarkId::new("stateless/reexecute", accounts), &accounts, |b, _| {
            b.iter(|| {
                let result = reexecute(&stateless, parent.header.inner(), &witness, &config).unwrap();
                assert_eq!(result.state_root, block.header.state_root);
            });
        });

        let attrs = block.attributes.clone().unwrap();
        let hashes = vec![parent.hash()];
        let params = BuildParams {
            chain_id: CHAIN_ID,
            spec: op_revm::OpSpecId::ISTHMUS,
            gas_limit: genesis.gas_limit,
            eip1559: genesis.eip1559,
            hashes: superlink_chain::store::BlockHashes { first: 0, hashes: &hashes },
        };
        let user_txs: Vec<ExecutableTx> = block
            .transactions
            .iter()
            .filter(|tx| !tx.is_deposit())
            .map(|tx| ExecutableTx {
                envelope: tx.envelope.clone(),
                sender: tx.sender,
                hash: tx.hash,
                impersonated: false,
            })
            .collect();
        group.bench_with_input(BenchmarkId::new("with_state/build", accounts), &accounts, |b, _| {
            b.iter_batched(
                || parent_chain.latest_state().clone(),
                |mut state| {
                    let mut source = ListSource::new(user_txs.clone());
                    let built =
                        build_block(&mut state, &params, &parent.header, attrs.clone(), &mut source).unwrap();
                    assert_eq!(built.block.header.state_root, block.header.state_root);
                    // Returned, so that freeing the copy of the state falls outside the timing.
                    state
                },
                BatchSize::LargeInput,
            );
        });

        group.bench_with_input(BenchmarkId::new("witness/generate", accounts), &accounts, |b, _| {
            b.iter(|| chain.execution_witness(1).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, bench_reexecution);
criterion_main!(benches);
