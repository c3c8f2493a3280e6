//! superlink's verifier: follows every chain of an interop dependency set, indexes their logs and executing
//! messages, validates every executing message, resolves each chain's cross-unsafe, cross-safe and finalized
//! heads (same-timestamp cycles included), and serves the supervisor and super-root JSON-RPC.

mod chain_data;
mod error;
mod index;
mod rules;
mod safety;
mod source;

pub use chain_data::{BlockId, BlockRef, ChainId, OutputInputs, SourceBlock, SourceLog};
pub use error::{CheckError, ErrorCode, QueryError, SourceError, StoreError, VerifierError};
pub use index::{ChainIndex, ChainLookup, ExecRef, IndexView, IndexedBlock, NotContiguous};
pub use rules::{MessageVerdict, SourcePointer, check_message, narrow_identifier, source_log};
pub use safety::{Blocked, LevelState, SafetyEvent, advance, demote_after_rewind};
pub use source::{BlockTag, ChainSource};
