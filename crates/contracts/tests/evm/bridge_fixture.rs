//! An L1 and one L2 (chain 901) with the standard bridge allocated from `bridge_l1_allocs`/`bridge_l2_allocs`, and
//! what the devnet does between them: deposits carried from the portal's `TransactionDeposited` logs to deposit
//! transactions on the L2, and output roots of the L2 proposed to the L1 (the message passer's storage root from
//! alloy-trie over its real storage, with a storage proof of any slot).

use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_sol_types::SolCall;
use alloy_trie::{HashBuilder, Nibbles, proof::ProofRetainer};
use superlink_contracts::{
    BridgeConfig,
    addresses::L2_TO_L1_MESSAGE_PASSER,
    bindings::{
        DisputeGameFactory,
        L2ToL1MessagePasser::MessagePassed,
        OptimismPortal,
        OptimismPortal::{OutputRootProof, TransactionDeposited, WithdrawalTransaction},
    },
    bridge_addresses::{L1Bridge, l1_bridge},
    bridge_l1_allocs, bridge_l2_allocs, test_token_allocs,
    withdrawal::{
        output_root, output_root_proof, propose_call, sent_message_slot, withdrawal_hash, withdrawal_of,
    },
};

use crate::harness::{Chain, Outcome, Tx};

/// A funded account on both chains.
pub const ALICE: Address = address!("0x1000000000000000000000000000000000000001");
/// Another funded account on both chains.
pub const BOB: Address = address!("0x2000000000000000000000000000000000000002");
/// The proposer of output roots.
pub const PROPOSER: Address = address!("0x3000000000000000000000000000000000000003");
/// The L2 of the fixture.
pub const L2_CHAIN_ID: u64 = 901;

/// 1 ether.
pub fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64).pow(U256::from(18))
}

/// The two chains and the bridge between them.
pub struct Bridge {
    /// The L1 (chain 900).
    pub l1: Chain,
    /// The L2 (chain 901).
    pub l2: Chain,
    /// Where the L1 contracts of chain 901 sit.
    pub l1_bridge: L1Bridge,
    /// The bridge settings of the L1 genesis.
    pub config: BridgeConfig,
}

/// A deposit transaction as the L2 derives it from a `TransactionDeposited` log.
#[derive(Debug, Clone)]
pub struct Deposit {
    /// The L2 sender (the depositor, or its alias).
    pub from: Address,
    /// The called account.
    pub to: Address,
    /// ETH minted to the sender.
    pub mint: U256,
    /// ETH sent along.
    pub value: U256,
    /// L2 gas limit.
    pub gas_limit: u64,
    /// Calldata.
    pub data: Bytes,
}

impl Deposit {
    /// Decodes the spec's packed `opaqueData`.
    pub fn from_event(event: &TransactionDeposited) -> Self {
        let opaque = &event.opaqueData;
        assert!(opaque.len() >= 73, "opaqueData holds mint, value, gas limit and isCreation");
        assert_eq!(opaque[72], 0, "no creations in these tests");
        Deposit {
            from: event.from,
            to: event.to,
            mint: U256::from_be_slice(&opaque[..32]),
            value: U256::from_be_slice(&opaque[32..64]),
            gas_limit: u64::from_be_bytes(opaque[64..72].try_into().unwrap()),
            data: Bytes::copy_from_slice(&opaque[73..]),
        }
    }
}

impl Bridge {
    /// Genesis of both chains with the default settings, ALICE and BOB funded with 100 ether on each.
    pub fn new() -> Self {
        Self::with_config(BridgeConfig::new(PROPOSER))
    }

    /// Genesis of both chains with the bridge settings `config`.
    pub fn with_config(config: BridgeConfig) -> Self {
        let mut l1 = Chain::new(900);
        l1.alloc(bridge_l1_allocs([L2_CHAIN_ID], &config));
        let mut l2 = Chain::new(L2_CHAIN_ID);
        l2.alloc(bridge_l2_allocs(L2_CHAIN_ID));
        l2.alloc(test_token_allocs());
        for account in [ALICE, BOB] {
            l1.set_balance(account, ether(100));
            l2.set_balance(account, ether(100));
        }
        Bridge { l1, l2, l1_bridge: l1_bridge(L2_CHAIN_ID), config }
    }

    /// The deposits an L1 transaction made through the portal of chain 901.
    pub fn deposits(&self, outcome: &Outcome) -> Vec<Deposit> {
        outcome
            .events::<TransactionDeposited>(self.l1_bridge.portal)
            .iter()
            .map(|(_, event)| Deposit::from_event(event))
            .collect()
    }

    /// Executes `deposit` on the L2 as its deposit transaction: mints to the sender, then calls.
    pub fn execute_deposit(&mut self, deposit: &Deposit) -> Outcome {
        let balance = self.l2.balance(deposit.from);
        self.l2.set_balance(deposit.from, balance + deposit.mint);
        let tx = Tx {
            from: deposit.from,
            to: deposit.to,
            data: deposit.data.clone(),
            value: deposit.value,
            access_list: vec![],
            deposit: true,
        };
        let outcome = self.l2.send(tx);
        assert!(
            outcome.gas_used <= deposit.gas_limit,
            "the deposit's gas limit {} covers the {} gas its execution used",
            deposit.gas_limit,
            outcome.gas_used
        );
        outcome
    }

    /// Carries every deposit of the L1 transaction `outcome` to the L2; returns the L2 outcomes.
    pub fn relay_deposits(&mut self, outcome: &Outcome) -> Vec<Outcome> {
        let deposits = self.deposits(outcome);
        assert!(!deposits.is_empty(), "the L1 transaction made a deposit");
        deposits.iter().map(|d| self.execute_deposit(d)).collect()
    }

    /// The withdrawals an L2 transaction initiated.
    pub fn withdrawals(outcome: &Outcome) -> Vec<WithdrawalTransaction> {
        outcome
            .events::<MessagePassed>(L2_TO_L1_MESSAGE_PASSER)
            .iter()
            .map(|(_, e)| withdrawal_of(e))
            .collect()
    }

    /// The storage root of the message passer and the proof of `slot` in it, built with alloy-trie from the
    /// passer's storage.
    pub fn passer_storage_proof(&self, slot: B256) -> (B256, Vec<Bytes>) {
        storage_proof(&self.l2.storage_entries(L2_TO_L1_MESSAGE_PASSER), slot)
    }

    /// Proposes the current L2 state to the L1: the output root of an output root proof whose message-passer
    /// storage root is the passer's. Returns the proof and the game's index.
    pub fn propose(&mut self) -> (OutputRootProof, U256) {
        let (storage_root, _) = self.passer_storage_proof(B256::ZERO);
        let block = self.l2.block_number - 1;
        let proof = output_root_proof(keccak256(b"state root"), storage_root, keccak256(block.to_be_bytes()));
        let call = propose_call(&self.config, block, output_root(&proof));
        let tx = Tx { from: PROPOSER, to: self.l1_bridge.dispute_game_factory, data: call, ..tx_defaults() };
        self.l1.send(tx).expect_success();
        let count = self.l1.view(self.l1_bridge.dispute_game_factory, &DisputeGameFactory::gameCountCall {});
        (proof, count - U256::from(1))
    }

    /// `proveWithdrawalTransaction` of `withdrawal` by `from` against game `index` and `proof`.
    pub fn prove(
        &mut self,
        from: Address,
        withdrawal: &WithdrawalTransaction,
        index: U256,
        proof: &OutputRootProof,
    ) -> Outcome {
        let (_, nodes) = self.passer_storage_proof(sent_message_slot(withdrawal_hash(withdrawal)));
        let call = OptimismPortal::proveWithdrawalTransactionCall {
            _tx: withdrawal.clone(),
            _disputeGameIndex: index,
            _outputRootProof: proof.clone(),
            _withdrawalProof: nodes,
        };
        self.l1.send(Tx::call(from, self.l1_bridge.portal, &call))
    }

    /// `finalizeWithdrawalTransaction` of `withdrawal` by `from`.
    pub fn finalize(&mut self, from: Address, withdrawal: &WithdrawalTransaction) -> Outcome {
        let call = OptimismPortal::finalizeWithdrawalTransactionCall { _tx: withdrawal.clone() };
        self.l1.send(Tx::call(from, self.l1_bridge.portal, &call))
    }

    /// Moves the L1 clock `seconds` ahead.
    pub fn wait_l1(&mut self, seconds: u64) {
        self.l1.timestamp += seconds;
    }

    /// Proposes, proves by ALICE, waits out the maturity delay and finalizes `withdrawal` by ALICE.
    pub fn prove_and_finalize(&mut self, withdrawal: &WithdrawalTransaction) -> Outcome {
        let (proof, index) = self.propose();
        self.prove(ALICE, withdrawal, index, &proof).expect_success();
        self.wait_l1(self.config.proof_maturity_delay_seconds + 1);
        self.finalize(ALICE, withdrawal)
    }
}

/// A transaction with no calldata, value or access list.
pub fn tx_defaults() -> Tx {
    Tx {
        from: Address::ZERO,
        to: Address::ZERO,
        data: Bytes::new(),
        value: U256::ZERO,
        access_list: vec![],
        deposit: false,
    }
}

/// The storage root of `entries` and the proof of `slot` (hashed keys, RLP values), with alloy-trie.
pub fn storage_proof(entries: &[(U256, U256)], slot: B256) -> (B256, Vec<Bytes>) {
    let target = Nibbles::unpack(keccak256(slot));
    let mut leaves: Vec<(Nibbles, Vec<u8>)> = entries
        .iter()
        .map(|(key, value)| (Nibbles::unpack(keccak256(B256::from(*key))), alloy_rlp::encode(value)))
        .collect();
    leaves.sort_by_key(|leaf| leaf.0);
    trie_proof(&leaves, &target)
}

/// The root of the trie of `leaves` (sorted by key) and the proof of `target`, with alloy-trie.
pub fn trie_proof(leaves: &[(Nibbles, Vec<u8>)], target: &Nibbles) -> (B256, Vec<Bytes>) {
    let mut builder = HashBuilder::default().with_proof_retainer(ProofRetainer::new(vec![*target]));
    for (key, value) in leaves {
        builder.add_leaf(*key, value);
    }
    let root = builder.root();
    let nodes = builder.take_proof_nodes().matching_nodes_sorted(target);
    (root, nodes.into_iter().map(|(_, node)| node).collect())
}

/// Decodes the revert reason of an `Error(string)` revert.
pub fn revert_reason(outcome: &Outcome) -> Option<String> {
    if outcome.success || outcome.output.len() < 4 || outcome.output[..4] != [0x08, 0xc3, 0x79, 0xa0] {
        return None;
    }
    <String as alloy_sol_types::SolValue>::abi_decode(&outcome.output[4..]).ok()
}

/// Sends `call` to `to` from `from`.
pub fn send<C: SolCall>(chain: &mut Chain, from: Address, to: Address, call: &C) -> Outcome {
    chain.send(Tx::call(from, to, call))
}
