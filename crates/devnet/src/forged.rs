//! Forged executing messages: a transaction that executes a message nobody sent. `CrossL2Inbox` only checks
//! that the transaction declares the message in its access list; whether the initiating log exists is for the
//! sequencer's policy and the verifier to check. A sequencer that includes such a transaction on purpose
//! (with `Chain::mine_including`) produces a block the verifier must find invalid.

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_primitives::{B256, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use op_alloy_consensus::OpTxEnvelope;
use superlink_contracts::bindings::CrossL2Inbox;
use superlink_protocol::{Identifier, access_list, predeploys::CROSS_L2_INBOX};
use superlink_txpool::{DecodeError, PoolTransaction};

/// Gas limit of a forged executing message: `validateMessage` with its access list takes well under half.
pub const FORGED_GAS_LIMIT: u64 = 200_000;

/// Priority fee of a forged executing message: one gwei.
pub const FORGED_PRIORITY_FEE: u128 = 1_000_000_000;

/// A forged executing message could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForgeError {
    /// The signer failed to sign the transaction.
    #[error("signing the forged executing message: {0}")]
    Signing(String),
    /// The signed transaction is not one the chain takes (its sender cannot be recovered).
    #[error("the forged executing message is not a valid transaction: {0}")]
    Invalid(#[from] DecodeError),
}

/// A signed EIP-1559 transaction on chain `chain_id` from `signer` with `nonce` that calls
/// `CrossL2Inbox.validateMessage(id, msg_hash)` and declares that message in its access list as the protocol
/// requires, whether or not the log `id` points at exists or has payload hash `msg_hash`. Its fee cap is
/// twice `base_fee` (the next block's) plus [`FORGED_PRIORITY_FEE`].
pub fn forged_executing_message(
    chain_id: u64,
    signer: &PrivateKeySigner,
    nonce: u64,
    base_fee: u64,
    id: &Identifier,
    msg_hash: B256,
) -> Result<PoolTransaction, ForgeError> {
    let call = CrossL2Inbox::validateMessageCall {
        _id: CrossL2Inbox::Identifier {
            origin: id.origin,
            blockNumber: U256::from(id.block_number),
            logIndex: U256::from(id.log_index),
            timestamp: U256::from(id.timestamp),
            chainId: id.chain_id,
        },
        _msgHash: msg_hash,
    };
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: FORGED_GAS_LIMIT,
        max_fee_per_gas: 2 * u128::from(base_fee) + FORGED_PRIORITY_FEE,
        max_priority_fee_per_gas: FORGED_PRIORITY_FEE,
        to: TxKind::Call(CROSS_L2_INBOX),
        value: U256::ZERO,
        access_list: access_list([(id, msg_hash)]),
        input: call.abi_encode().into(),
    };
    let signature =
        signer.sign_hash_sync(&tx.signature_hash()).map_err(|e| ForgeError::Signing(e.to_string()))?;
    Ok(PoolTransaction::from_envelope(OpTxEnvelope::Eip1559(tx.into_signed(signature)))?)
}

#[cfg(test)]
mod tests {
    use std::{collections::BTreeMap, sync::Arc};

    use alloy_primitives::{Address, keccak256};
    use superlink_chain::{Chain, ChainConfig, ChainError};
    use superlink_protocol::ExecutingMessage;
    use superlink_txpool::InsertError;
    use superlink_verifier::Verifier;

    use super::*;
    use crate::{
        DevnetConfig,
        admission::{InteropAdmission, NextBlockTime},
        genesis::l2_genesis,
    };

    const GENESIS_TIME: u64 = 1_000;

    fn alice() -> PrivateKeySigner {
        PrivateKeySigner::from_bytes(&B256::repeat_byte(0xa1)).unwrap()
    }

    /// A log on chain 902 that was never emitted, and a payload hash nobody sent.
    fn nowhere() -> (Identifier, B256) {
        let id = Identifier {
            origin: Address::repeat_byte(0x0e),
            block_number: 7,
            log_index: 3,
            timestamp: GENESIS_TIME - 1,
            chain_id: U256::from(902),
        };
        (id, keccak256("a message nobody sent"))
    }

    #[test]
    fn the_chain_executes_a_forged_message_the_inbox_only_checks_the_access_list() {
        let alice = alice();
        let mut chain =
            Chain::new(&l2_genesis(901, GENESIS_TIME, &[alice.address()], 10), ChainConfig::default());
        let (id, msg_hash) = nowhere();
        let forged = forged_executing_message(901, &alice, 0, chain.next_base_fee(), &id, msg_hash).unwrap();
        assert_eq!(forged.sender(), alice.address());

        let mined = chain.mine_including(GENESIS_TIME + 2, vec![forged.clone()]).unwrap();
        let (block, index) = chain.transaction(&forged.hash()).unwrap();
        assert_eq!(block.hash(), mined.block.hash());
        let receipt = &block.receipts[index];
        assert!(receipt.status(), "validateMessage reverted");
        let executed: Vec<ExecutingMessage> = receipt
            .logs()
            .iter()
            .filter_map(|log| {
                ExecutingMessage::decode_log(log.address, log.topics(), &log.data.data).unwrap()
            })
            .collect();
        assert_eq!(executed, [ExecutingMessage { identifier: id, msg_hash }]);
    }

    #[test]
    fn the_devnet_sequencer_policy_refuses_the_same_transaction() {
        let alice = alice();
        let mut chain =
            Chain::new(&l2_genesis(901, GENESIS_TIME, &[alice.address()], 10), ChainConfig::default());
        let datadir = tempfile::tempdir().unwrap();
        let dependencies = DevnetConfig::default().validate().unwrap();
        let verifier = Verifier::open(dependencies, datadir.path(), &BTreeMap::new()).unwrap();
        let next_block = NextBlockTime::new(GENESIS_TIME + 2);
        chain.set_admission_check(Arc::new(InteropAdmission::in_process(
            901,
            verifier,
            next_block.time_source(),
        )));
        let (id, msg_hash) = nowhere();
        let forged = forged_executing_message(901, &alice, 0, chain.next_base_fee(), &id, msg_hash).unwrap();

        let refused = chain.submit_transaction(forged.clone());
        assert!(matches!(refused, Err(ChainError::Pool(InsertError::Rejected(_)))), "{refused:?}");
        assert!(!chain.pool().contains(&forged.hash()));
    }
}
