//! One OP Stack chain on op-revm, without networking: genesis from allocations, block building (L1
//! attributes deposit, queued deposits, pool transactions), receipts and a block store, state at recent
//! blocks for calls and proofs, developer edits and snapshots, and the hooks interop needs (pool admission
//! check, revalidation, rewinds and deposits-only replacement of a block).
//!
//! The chain runs the Isthmus rules (op-revm's `OpSpecId::ISTHMUS`): Holocene `extraData` carrying the
//! EIP-1559 parameters, the Isthmus L1 attributes calldata, the `L2ToL1MessagePasser` storage root as the
//! header's withdrawals root, and an empty requests hash. Jovian's block-level rules (minimum base fee,
//! DA footprint in `blobGasUsed`) are not applied.

pub mod base_fee;
pub mod block;
pub mod builder;
pub mod call;
pub mod chain;
pub mod db;
pub mod error;
pub mod execute;
pub mod fork;
pub mod genesis;
pub mod l1_info;
pub mod state;
pub mod store;
pub mod trie;
pub mod tx;
pub mod witness;

pub use base_fee::Eip1559Params;
pub use block::{BlockAttributes, BlockTransaction, L1FeeInfo, StoredBlock};
pub use builder::{Exclusion, TxSource};
pub use call::{AccessListOutcome, CallArgsError, ExecutionOutcome};
pub use chain::{
    Chain, ChainConfig, ChainDump, MAX_BLOCK_TIMESTAMP, MinedBlock, PendingBlock, RebuildOutcome,
    ReplacedBlock, ReplacementOutcome, RestoreError, RestoreReport, RewindOutcome,
};
pub use error::{ChainError, StateError, TxError};
pub use fork::{ForkError, ForkPoint, ForkSource, ForkedState, RemoteAccount};
pub use genesis::{Genesis, GenesisAccount};
pub use l1_info::L1Attributes;
pub use store::LogFilter;
pub use tx::ExecutableTx;
pub use witness::ExecutionWitness;
