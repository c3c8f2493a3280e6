//! What a withdrawal from an L2 looks like to the L1, and what the devnet posts so it can be proven: the
//! withdrawal hash `L2ToL1MessagePasser` records, the storage slot that records it (whose proof against the passer's
//! storage root proves the withdrawal), the output root of an L2 block, and the `DisputeGameFactory.create` call that
//! proposes it (`specs/protocol/withdrawals.md`, `proposals.md`).

use alloy_primitives::{B256, Bytes, U256, keccak256};
use alloy_sol_types::{SolCall, SolValue};

use crate::{
    bindings::{
        DisputeGameFactory,
        L2ToL1MessagePasser::MessagePassed,
        OptimismPortal::{OutputRootProof, WithdrawalTransaction},
    },
    genesis::BridgeConfig,
};

/// The withdrawal a `MessagePassed` event of `L2ToL1MessagePasser` records, as the portal's
/// `proveWithdrawalTransaction` and `finalizeWithdrawalTransaction` take it.
pub fn withdrawal_of(event: &MessagePassed) -> WithdrawalTransaction {
    WithdrawalTransaction {
        nonce: event.nonce,
        sender: event.sender,
        target: event.target,
        value: event.value,
        gasLimit: event.gasLimit,
        data: event.data.clone(),
    }
}

/// The withdrawal hash: keccak-256 of the ABI encoding of the six fields.
pub fn withdrawal_hash(withdrawal: &WithdrawalTransaction) -> B256 {
    keccak256(
        (
            withdrawal.nonce,
            withdrawal.sender,
            withdrawal.target,
            withdrawal.value,
            withdrawal.gasLimit,
            withdrawal.data.clone(),
        )
            .abi_encode_params(),
    )
}

/// The storage slot of `L2ToL1MessagePasser` that holds `true` for the withdrawal `withdrawal_hash`
/// (`sentMessages`, a mapping at slot 0): keccak-256 of the hash and the slot number. An `eth_getProof` of this slot
/// is the withdrawal proof.
pub fn sent_message_slot(withdrawal_hash: B256) -> B256 {
    keccak256((withdrawal_hash, U256::ZERO).abi_encode_params())
}

/// The output root of an L2 block (version 0): keccak-256 of the version, the state root, the storage root of
/// `L2ToL1MessagePasser` and the block hash.
pub fn output_root(proof: &OutputRootProof) -> B256 {
    keccak256(proof.abi_encode())
}

/// The version-0 output root proof of an L2 block.
pub fn output_root_proof(
    state_root: B256,
    message_passer_storage_root: B256,
    block_hash: B256,
) -> OutputRootProof {
    OutputRootProof {
        version: B256::ZERO,
        stateRoot: state_root,
        messagePasserStorageRoot: message_passer_storage_root,
        latestBlockhash: block_hash,
    }
}

/// The calldata of `DisputeGameFactory.create` that proposes `output_root` as the output root of the L2 block
/// `l2_block_number`, with the respected game type of `config`. The proposer sends it to the chain's factory
/// (`bridge_addresses::l1_bridge(id).dispute_game_factory`).
pub fn propose_call(config: &BridgeConfig, l2_block_number: u64, output_root: B256) -> Bytes {
    DisputeGameFactory::createCall {
        _gameType: config.respected_game_type,
        _rootClaim: output_root,
        _extraData: Bytes::copy_from_slice(&U256::from(l2_block_number).to_be_bytes::<32>()),
    }
    .abi_encode()
    .into()
}
