//! superlink's verifier: follows every chain of an interop dependency set, indexes their logs and executing
//! messages, validates every executing message, resolves each chain's cross-unsafe, cross-safe and finalized
//! heads (same-timestamp cycles included), and serves the supervisor and super-root JSON-RPC.
//!
//! How the parts fit:
//! - a [`ChainSource`] delivers one chain's blocks with their logs, its `safe`/`finalized` tags and output-root
//!   inputs: [`RpcChainSource`] over a node's JSON-RPC, or an in-process chain;
//! - [`follow_chain`] catches a chain up in batches, then polls its head, rewinds on reorgs and reads its tags;
//! - [`Verifier`] indexes blocks ([`index_block`]) into the durable per-chain log database and an in-memory
//!   [`IndexView`], and resolves the heads with the pure safety engine ([`advance`], [`demote_from`])
//!   that judges each message with the protocol crate's rules ([`check_message`]);
//! - [`MessageChecker`] answers `check_access_list` for tx-pools and builders: [`Verifier`] from its index,
//!   [`RemoteChecker`] over `supervisor_checkAccessList`;
//! - [`serve`] exposes the supervisor API, `superroot_atTimestamp` and `superlink_invalidBlocks`; [`serve_with`]
//!   adds HTTP routes in front of it ([`HttpLayer`]); [`run`] is the whole service as `superlink verify` runs it;
//! - [`Verifier::subscribe`] streams every ingested block, rewind and head change ([`VerifierEvent`]) to
//!   observers such as the dashboard.
//!
//! Errors are typed ([`VerifierError`], [`CheckError`], [`QueryError`], [`SourceError`]); the ones that reach
//! RPC callers carry the supervisor API's stable codes ([`ErrorCode`]).

mod api;
mod chain_data;
mod checker;
mod error;
mod follower;
mod index;
mod indexing;
mod metrics;
mod observe;
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
pub use observe::{EVENT_CAPACITY, HttpExtension, HttpLayer, VerifierEvent};
pub use remote::RemoteChecker;
pub use rpc_source::RpcChainSource;
pub use rules::{MessageVerdict, SourcePointer, check_message, narrow_identifier, source_log};
pub use safety::{Blocked, LevelState, SafetyEvent, advance, demote_from};
pub use server::{RpcContext, rpc_module, serve, serve_with, sync_status};
pub use service::{VerifierConfig, run};
pub use source::{BlockTag, ChainSource};
pub use state::{ChainHeads, HeadEvent, InvalidBlock, VerifierState};
pub use store::{ChainStore, StoredChain};
pub use superroot::{super_root_at_timestamp, superroot_at_timestamp};
pub use verifier::Verifier;
