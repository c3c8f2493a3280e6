//! Stateless re-execution of an OP chain block: trust nothing a node says about a block's result, only its
//! parent's state root.
//!
//! A node's `debug_executionWitness` hands over the trie nodes, codes and headers the block touches. From
//! them [`trie::PartialTrie`] rebuilds the parts of the parent's account and storage tries the block reaches
//! (every node checked against the hash its parent commits to), [`state::WitnessState`] serves them to revm
//! as a database, and the chain's own block execution (`superlink_chain::execute::replay_block`, the same
//! code that built the block) runs the block on it. Updating the partial tries with the block's changes gives
//! the post-state root; the receipts give the receipts root, the `L2ToL1MessagePasser` storage gives the
//! message-passer root, and the three give the output root. [`reexecute`] does this for a block in hand;
//! [`check_block`] fetches block, parent and witness over JSON-RPC and compares every root with what the node
//! serves.

pub mod check;
pub mod error;
pub mod reexecute;
pub mod state;
pub mod trie;

pub use check::{BlockCheck, FieldCheck, check_block, check_block_with};
pub use error::{StatelessError, StatelessErrorKind, WitnessDbError};
pub use reexecute::{ExecutionConfig, Reexecution, StatelessBlock, reexecute};
pub use superlink_chain::ExecutionWitness;
pub use trie::{NodeStore, PartialTrie, TrieError};
