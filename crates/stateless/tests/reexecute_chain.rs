//! Real blocks of a superlink chain (transfers, a contract deployment, storage writes and clears that
//! collapse branches, `BLOCKHASH`, an L1 deposit, a cross-chain message and a withdrawal through the interop
//! and bridge predeploys) re-executed statelessly from their parent's state root and the chain's execution
//! witness: every recomputed root is the one the chain committed to.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use op_alloy_consensus::{OpTxEnvelope, TxDeposit};
use superlink_chain::{Chain, ChainConfig, ExecutionWitness, Genesis, GenesisAccount, L1Attributes};
use superlink_contracts::bindings::{L2ToL1MessagePasser, L2ToL2CrossDomainMessenger};
use superlink_protocol::{
    output_root_v0,
    predeploys::{L2_TO_L1_MESSAGE_PASSER, L2_TO_L2_CROSS_DOMAIN_MESSENGER},
};
use superlink_stateless::{ExecutionConfig, StatelessBlock, StatelessErrorKind, WitnessDbError, reexecute};
use superlink_txpool::PoolTransaction;

const CHAIN_ID: u64 = 901;
const GENESIS_TIME: u64 = 1_700_000_000;
/// Sets slot `word0` to `word1` of the calldata.
const KV_RUNTIME: &str = "6020356000355500";
/// Stores `BLOCKHASH(NUMBER - 2)` in slot 0.
const BLOCKHASH_RUNTIME: &str = "600243034060005500";

fn signer(i: u8) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::left_padding_from(&[i, 0x22])).unwrap()
}

fn init_code(runtime: &str) -> Bytes {
    let runtime: Bytes = runtime.parse().unwrap();
    let len = runtime.len() as u8;
    let mut code = vec![0x60, len, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, len, 0x60, 0x00, 0xf3];
    code.extend_from_slice(&runtime);
    code.into()
}

struct Sender {
    key: PrivateKeySigner,
    nonce: u64,
}

impl Sender {
    fn tx(&mut self, to: TxKind, value: u64, input: Bytes, gas_limit: u64) -> PoolTransaction {
        let tx = TxEip1559 {
            chain_id: CHAIN_ID,
            nonce: self.nonce,
            gas_limit,
            max_fee_per_gas: 100_000_000_000,
            max_priority_fee_per_gas: 1_000_000,
            to,
            value: U256::from(value),
            input,
            ..TxEip1559::default()
        };
        self.nonce += 1;
        let signature = self.key.sign_hash_sync(&tx.signature_hash()).unwrap();
        PoolTransaction::from_envelope(OpTxEnvelope::Eip1559(tx.into_signed(signature))).unwrap()
    }
}

fn word_pair(a: u64, b: u64) -> Bytes {
    let mut data = U256::from(a).to_be_bytes::<32>().to_vec();
    data.extend_from_slice(&U256::from(b).to_be_bytes::<32>());
    data.into()
}

/// A chain with blocks of every kind the test re-executes.
fn chain_with_blocks() -> Chain {
    let senders: Vec<PrivateKeySigner> = (1..=4).map(signer).collect();
    let mut genesis = Genesis::new(CHAIN_ID, GENESIS_TIME)
        .with_alloc(superlink_contracts::genesis::predeploy_allocs(CHAIN_ID));
    for key in &senders {
        genesis = genesis.with_account(
            key.address(),
            GenesisAccount { balance: U256::from(10u128.pow(24)), ..GenesisAccount::default() },
        );
    }
    let mut chain = Chain::new(&genesis, ChainConfig::default());
    chain.set_l1_origin(L1Attributes {
        number: 100,
        timestamp: GENESIS_TIME - 12,
        hash: B256::repeat_byte(0xaa),
        ..L1Attributes::default()
    });
    let mut senders: Vec<Sender> = senders.into_iter().map(|key| Sender { key, nonce: 0 }).collect();
    let kv = Address::create(&senders[1].key.address(), 0);
    let blockhash = Address::create(&senders[1].key.address(), 1);
    let mut time = GENESIS_TIME;
    let mut mine = |chain: &mut Chain, txs: Vec<PoolTransaction>| {
        for tx in txs {
            chain.submit_transaction(tx).unwrap();
        }
        time += 2;
        let mined = chain.mine(time).unwrap();
        assert!(mined.excluded.is_empty(), "{:?}", mined.excluded);
    };

    // 1: transfers to new and existing accounts, two deployments.
    let to_existing = senders[2].key.address();
    let txs = vec![
        senders[0].tx(TxKind::Call(Address::repeat_byte(0x51)), 1_000, Bytes::new(), 21_000),
        senders[0].tx(TxKind::Call(Address::repeat_byte(0x52)), 2_000, Bytes::new(), 21_000),
        senders[0].tx(TxKind::Call(to_existing), 3_000, Bytes::new(), 21_000),
        senders[1].tx(TxKind::Create, 0, init_code(KV_RUNTIME), 200_000),
        senders[1].tx(TxKind::Create, 0, init_code(BLOCKHASH_RUNTIME), 200_000),
    ];
    mine(&mut chain, txs);
    // 2: twenty storage writes.
    let txs =
        (1..=20).map(|slot| senders[2].tx(TxKind::Call(kv), 0, word_pair(slot, slot * 7), 60_000)).collect();
    mine(&mut chain, txs);
    // 3: clear nineteen of them (the storage trie shrinks to one leaf), a cross-chain message, a withdrawal.
    let mut txs: Vec<PoolTransaction> =
        (1..=19).map(|slot| senders[2].tx(TxKind::Call(kv), 0, word_pair(slot, 0), 60_000)).collect();
    let message = L2ToL2CrossDomainMessenger::sendMessageCall {
        _destination: U256::from(902),
        _target: Address::repeat_byte(0x77),
        _message: Bytes::from_static(b"hello"),
    };
    txs.push(senders[3].tx(
        TxKind::Call(L2_TO_L2_CROSS_DOMAIN_MESSENGER),
        0,
        message.abi_encode().into(),
        300_000,
    ));
    let withdrawal = L2ToL1MessagePasser::initiateWithdrawalCall {
        _target: Address::repeat_byte(0x88),
        _gasLimit: U256::from(100_000),
        _data: Bytes::new(),
    };
    txs.push(senders[3].tx(
        TxKind::Call(L2_TO_L1_MESSAGE_PASSER),
        5_000,
        withdrawal.abi_encode().into(),
        300_000,
    ));
    mine(&mut chain, txs);
    // 4: an L1 deposit minting to a new account, BLOCKHASH of block 2, and the last slot cleared.
    chain.queue_deposit(TxDeposit {
        source_hash: B256::repeat_byte(0x42),
        from: Address::repeat_byte(0x99),
        to: TxKind::Call(Address::repeat_byte(0x98)),
        mint: 10u128.pow(18),
        value: U256::from(10u128.pow(17)),
        gas_limit: 100_000,
        is_system_transaction: false,
        input: Bytes::new(),
    });
    let txs = vec![
        senders[0].tx(TxKind::Call(blockhash), 0, Bytes::new(), 100_000),
        senders[2].tx(TxKind::Call(kv), 0, word_pair(20, 0), 60_000),
    ];
    mine(&mut chain, txs);
    // 5: an empty block (only the L1 attributes deposit).
    mine(&mut chain, Vec::new());
    chain
}

fn stateless_block(chain: &Chain, number: u64) -> StatelessBlock {
    let block = chain.block_by_number(number).unwrap();
    let transactions = block.transactions.iter().map(|tx| (tx.envelope.clone(), tx.sender)).collect();
    StatelessBlock::from_reported(block.header.inner().clone(), transactions)
}

#[test]
fn every_block_reexecutes_to_the_roots_the_chain_committed_to() {
    let chain = chain_with_blocks();
    let config = ExecutionConfig::isthmus(CHAIN_ID);
    for number in 1..=chain.head_number() {
        let stored = chain.block_by_number(number).unwrap();
        let parent = chain.block_by_number(number - 1).unwrap();
        let witness = chain.execution_witness(number).unwrap();
        // The witness goes over the wire as JSON: re-execute what a client would decode.
        let witness: ExecutionWitness =
            serde_json::from_value(serde_json::to_value(&witness).unwrap()).unwrap();
        let block = stateless_block(&chain, number);
        assert_eq!(block.impersonated(), 0);
        let result = reexecute(&block, parent.header.inner(), &witness, &config)
            .unwrap_or_else(|e| panic!("block {number}: {e}"));
        let header = stored.header.inner();
        assert_eq!(result.state_root, header.state_root, "state root of block {number}");
        assert_eq!(result.receipts_root, header.receipts_root, "receipts root of block {number}");
        assert_eq!(result.gas_used, header.gas_used, "gas used by block {number}");
        assert_eq!(result.logs_bloom, header.logs_bloom, "logs bloom of block {number}");
        let passer = chain.proof(L2_TO_L1_MESSAGE_PASSER, &[], number.into()).unwrap().storage_hash;
        assert_eq!(result.message_passer_storage_root, passer, "message passer root of block {number}");
        assert_eq!(result.block_hash, stored.hash(), "block hash of block {number}");
        assert_eq!(result.output_root, output_root_v0(header.state_root, passer, stored.hash()));
    }
    // Block 3's withdrawal changed the message passer's storage.
    let before = chain.proof(L2_TO_L1_MESSAGE_PASSER, &[], 2u64.into()).unwrap().storage_hash;
    let after = chain.proof(L2_TO_L1_MESSAGE_PASSER, &[], 3u64.into()).unwrap().storage_hash;
    assert_ne!(before, after);
}

#[test]
fn a_witness_without_a_node_the_block_needs_is_refused_by_name() {
    let chain = chain_with_blocks();
    let config = ExecutionConfig::isthmus(CHAIN_ID);
    let number = 3;
    let parent = chain.block_by_number(number - 1).unwrap();
    let full = chain.execution_witness(number).unwrap();
    let block = stateless_block(&chain, number);
    // A node on the path of a read or an update is needed: dropping it is caught.
    let mut refused = 0;
    for dropped in 0..full.state.len() {
        let mut witness = full.clone();
        witness.state.remove(dropped);
        match reexecute(&block, parent.header.inner(), &witness, &config) {
            Err(error) => {
                refused += 1;
                assert!(error.is_missing_witness_data(), "{error}");
                assert!(error.to_string().contains("witness is missing node"), "{error}");
                assert!(error.to_string().starts_with("chain 901, block 3: "), "{error}");
            }
            // A node only the sibling retention of a deletion brought in may go unused.
            Ok(result) => {
                assert_eq!(result.state_root, chain.block_by_number(number).unwrap().header.state_root)
            }
        }
    }
    eprintln!("{refused} of {} witness nodes are needed", full.state.len());
    assert!(refused * 2 > full.state.len(), "only {refused} of {} nodes were needed", full.state.len());
    // Without the code of the contracts it calls, the block cannot execute.
    let mut witness = full.clone();
    witness.codes.clear();
    let error = reexecute(&block, parent.header.inner(), &witness, &config).unwrap_err();
    assert!(
        matches!(
            &error.kind,
            StatelessErrorKind::Execution(superlink_chain::execute::ExecutionError::Database(
                WitnessDbError::MissingCode(_)
            ))
        ),
        "{error}"
    );
}

#[test]
fn a_parent_that_is_not_the_blocks_parent_is_refused() {
    let chain = chain_with_blocks();
    let witness = chain.execution_witness(3).unwrap();
    let wrong_parent = chain.block_by_number(1).unwrap();
    let error = reexecute(
        &stateless_block(&chain, 3),
        wrong_parent.header.inner(),
        &witness,
        &ExecutionConfig::isthmus(CHAIN_ID),
    )
    .unwrap_err();
    assert!(matches!(error.kind, StatelessErrorKind::ParentMismatch { .. }), "{error}");
}

#[test]
fn a_changed_transaction_changes_the_recomputed_root() {
    let chain = chain_with_blocks();
    let number = 1;
    let parent = chain.block_by_number(number - 1).unwrap();
    let witness = chain.execution_witness(number).unwrap();
    let mut block = stateless_block(&chain, number);
    // Drop the last user transaction: the block still executes, to other roots than the header's.
    block.transactions.pop();
    let result =
        reexecute(&block, parent.header.inner(), &witness, &ExecutionConfig::isthmus(CHAIN_ID)).unwrap();
    let header = chain.block_by_number(number).unwrap().header.clone();
    assert_ne!(result.state_root, header.state_root);
    assert_ne!(result.receipts_root, header.receipts_root);
}
