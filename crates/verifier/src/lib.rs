//! superlink's verifier: follows every chain of an interop dependency set, indexes their logs and executing
//! messages, validates every executing message, resolves each chain's cross-unsafe, cross-safe and finalized
//! heads (same-timestamp cycles included), and serves the supervisor and super-root JSON-RPC.

mod api;
mod chain_data;
mod checker;
mod error;
mod follower;
mod index;
mod indexing;
mod metrics;
mod remote;
mod rpc_source;
mod rules;
mod safety;
mod server;
mod service;
mod source;
mod state;
mod store;
mod superroot;
mod verifier;

pub use api::{
    ChainIdAndOutput, ChainRootInfo, ChainSyncStatus, DerivedIdPair, InvalidBlockJson, OutputWithRequiredL1,
    SuperRootAtTimestamp, SuperRootData, SuperRootResponse, SuperV1Json, SyncStatus,
};
pub use chain_data::{BlockId, BlockRef, ChainId, OutputInputs, SourceBlock, SourceLog};
pub use checker::{ExecutingDescriptor, ExecutingDescriptorJson, MessageChecker, check_access_list};
pub use error::{CheckError, ErrorCode, QueryError, SourceError, StoreError, VerifierError};
pub use follower::{FollowConfig, FollowError, Round, follow_chain, follow_once};
pub use index::{ChainIndex, ChainLookup, ExecRef, IndexView, IndexedBlock, NotContiguous};
pub use indexing::{executing_message_of, from_stored, index_block, seal_of};
pub use metrics::install_exporter;
pub use remote::RemoteChecker;
pub use rpc_source::RpcChainSource;
pub use rules::{MessageVerdict, SourcePointer, check_message, narrow_identifier, source_log};
pub use safety::{Blocked, LevelState, SafetyEvent, advance, demote_after_rewind};
pub use server::{RpcContext, rpc_module, serve, sync_status};
pub use service::{VerifierConfig, run};
pub use source::{BlockTag, ChainSource};
pub use state::{ChainHeads, HeadEvent, InvalidBlock, VerifierState};
pub use store::{ChainStore, StoredChain};
pub use superroot::{super_root_at_timestamp, superroot_at_timestamp};
pub use verifier::Verifier;
