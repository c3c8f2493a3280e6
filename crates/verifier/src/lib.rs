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
//!   that judges each message with the protocol crate's rules ([`judge_message`]);
//! - [`MessageChecker`] answers `check_access_list` for tx-pools and builders: [`Verifier`] from its index,
//!   [`RemoteChecker`] over `interop_checkAccessList`; [`InteropAdmission`] is the tx-pool's admission check
//!   over either (the devnet's sequencers use the embedded verifier, `superlink node --interop-rpc` a remote
//!   one), and fails closed when a remote one does not answer;
//! - [`serve`] exposes the supervisor and interop APIs, `superroot_atTimestamp` and `superlink_invalidBlocks`
//!   ([`ReplacedBlocks`] keeps replaced blocks' original outputs for it); [`serve_with`] adds HTTP routes in
//!   front of it ([`HttpLayer`]), [`serve_with_extra`] more JSON-RPC methods next to it (a devnet's
//!   `devnet_*`); [`run`] is the whole service as `superlink verify` runs it;
//! - [`transition`] and [`trace_claim`] give the interop fault-proof trace from one super root to the next
//!   (`superlink_transition`, `superlink_traceClaim`, `superlink_traceClaimAt`);
//! - a verifier that tracks readiness ([`ReadinessPolicy`]) refuses checks until it has caught up with its
//!   chains and says so on `GET /ready` ([`ready_layer`]) and `superlink_ready`, so a load balancer sends it
//!   nothing until then;
//! - [`Verifier::subscribe`] streams every ingested block, rewind and head change ([`VerifierEvent`]) to
//!   observers such as the dashboard.
//!
//! Errors are typed ([`VerifierError`], [`CheckError`], [`QueryError`], [`SourceError`]); the ones that reach
//! RPC callers carry the supervisor API's stable codes ([`ErrorCode`]).

mod access_check;
mod admission;
mod api;
mod chain_data;
mod derivation;
mod error;
mod follower;
mod indexing;
mod message_rules;
mod metrics;
mod observe;
mod readiness;
mod ready_probe;
mod remote;
mod replaced;
mod rollup;
mod rpc_source;
mod safety;
mod server;
mod service;
mod source;
mod state;
mod store;
mod superroot;
mod trace;
mod verifier;
mod view;

pub use access_check::{ExecutingDescriptor, ExecutingDescriptorJson, MessageChecker, check_access_list};
pub use admission::{
    ADMISSION_SAFETY, DEFAULT_REMOTE_TIMEOUT, ExecutionTime, InteropAdmission, MAX_INBOX_ENTRIES,
    MAX_LOCKED_WAIT, RETRY_AFTER_NO_ANSWER, RemoteTimeouts, inbox_entries,
};
pub use api::{
    ChainIdText, ChainRootInfo, ChainSyncStatus, DerivedIdPair, InvalidBlockJson, OutputWithRequiredL1,
    SuperRootAtTimestamp, SuperRootData, SuperRootResponse, SyncStatus,
};
pub use chain_data::{BlockId, BlockRef, ChainId, OutputInputs, SourceBlock, SourceLog};
pub use derivation::{DerivationError, DerivationRecord, DerivedFrom};
pub use error::{CheckError, ErrorCode, INVALID_PARAMS, QueryError, SourceError, StoreError, VerifierError};
pub use follower::{FollowConfig, FollowError, Round, follow_chain, follow_once};
pub use indexing::{executing_message_of, from_stored, index_block, seal_of};
pub use message_rules::{MessageVerdict, SourcePointer, judge_message, narrow_identifier, source_lookup};
pub use metrics::install_exporter;
pub use observe::{EVENT_CAPACITY, HttpExtension, HttpLayer, VerifierEvent};
pub use readiness::{
    ChainReadiness, DEFAULT_MAX_LAG_BLOCKS, DEFAULT_MAX_SILENCE, NotReady, ReadinessPolicy, ReadinessReport,
};
pub use ready_probe::{READY_PATH, ReadyProbe, ready_layer};
pub use remote::RemoteChecker;
pub use replaced::{InvalidMessage, OriginalBlock, ReplacedBlocks, ReplacementCause};
pub use rollup::{
    DerivationSource, RollupRpcSource, RollupStatus, follow_derivation, follow_derivation_once,
};
pub use rpc_source::RpcChainSource;
pub use safety::{Blocked, LevelState, SafetyEvent, advance, demote_from};
pub use server::{RpcContext, rpc_module, serve, serve_with, serve_with_extra, sync_status};
pub use service::{VerifierConfig, run};
pub use source::{BlockTag, ChainSource};
pub use state::{ChainHeads, HeadEvent, InvalidBlock, VerifierState};
pub use store::{ChainStore, ReloadWindow, StoredChain};
pub use superroot::{remember_invalid_outputs, super_root_at_timestamp, superroot_at_timestamp};
pub use trace::{
    ChainTransition, ConsolidationJson, DerivationStepJson, InvalidMessageJson, PaddingJson, ReplacementJson,
    SuperStateJson, TraceClaimJson, Transition, TransitionJson, super_output_at, trace_claim, transition,
};
pub use verifier::{MemoryOptions, Verifier};
pub use view::{
    ChainIndex, ChainLookup, ExecRef, IndexView, IndexedBlock, NotContiguous, OlderBlocks, StoredLog,
};
