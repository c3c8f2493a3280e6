//! superlink's verifier: follows every chain of an interop dependency set, indexes their logs and executing
//! messages, validates every executing message, resolves each chain's cross-unsafe, cross-safe and finalized
//! heads (same-timestamp cycles included), and serves the supervisor and super-root JSON-RPC.

mod chain_data;
mod checker;
mod error;
mod index;
mod indexing;
mod metrics;
mod rules;
mod safety;
mod source;
mod state;
mod store;
mod verifier;

pub use chain_data::{BlockId, BlockRef, ChainId, OutputInputs, SourceBlock, SourceLog};
pub use error::{CheckError, ErrorCode, QueryError, SourceError, StoreError, VerifierError};
pub use indexing::{executing_message_of, from_stored, index_block, seal_of};
pub use index::{ChainIndex, ChainLookup, ExecRef, IndexView, IndexedBlock, NotContiguous};
pub use rules::{MessageVerdict, SourcePointer, check_message, narrow_identifier, source_log};
pub use safety::{Blocked, LevelState, SafetyEvent, advance, demote_after_rewind};
pub use source::{BlockTag, ChainSource};
pub use checker::{ExecutingDescriptor, ExecutingDescriptorJson, MessageChecker, check_access_list};
pub use metrics::install_exporter;
pub use state::{ChainHeads, HeadEvent, InvalidBlock, VerifierState};
pub use store::{ChainStore, StoredChain};
pub use verifier::Verifier;
