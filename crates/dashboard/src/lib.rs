//! A live web dashboard of the Superchain, served on the verifier's port next to its JSON-RPC: each chain as
//! a lane with its unsafe, cross-unsafe, local-safe, safe and finalized heads and its latest blocks; every
//! cross-chain message with its state (sent, waiting for relay, relayed, failed, invalid, replaced); rewinds
//! and invalid blocks marked where they happened; relay latency and messages per block over time; and the
//! whole life of one message, looked up by message hash or transaction hash.
//!
//! How the parts fit:
//! - [`Tracker`] (pure) turns what the verifier ingests into that picture, within fixed bounds
//!   ([`TrackerConfig`]);
//! - [`Dashboard`] subscribes to the verifier's events ([`superlink_verifier::Verifier::subscribe`]), feeds the
//!   tracker and publishes what changed a few times a second;
//! - [`DashboardLayer`] is the tower layer in front of the JSON-RPC server: `GET /` (the page), `GET /events`
//!   (server-sent events: a snapshot, then deltas), `GET /api/state` and `GET /api/message/{hash}`; every other
//!   request goes on to the JSON-RPC service;
//! - the page (HTML, CSS and JavaScript, no external asset) is built into the binary.

mod assets;
mod dashboard;
mod http;
mod lookup;
mod model;
mod sse;
mod tracker;

pub use dashboard::{Dashboard, DashboardConfig};
pub use http::{DashboardLayer, DashboardService};
pub use lookup::LookupError;
pub use model::{
    AttemptOutcome, BlockSummary, DeltaView, Fault, FaultKind, HeadView, HeadsView, HistoryEntry, LaneView,
    LatencySample, Limits, LogPlace, Message, MessageState, MessageSummary, RelayAttempt, SafetyStep,
    StateView, ThroughputPoint,
};
pub use tracker::{FailedRelay, MAX_ENTRIES_PER_MESSAGE, Tracker, TrackerConfig};
