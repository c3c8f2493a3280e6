//! The OP Stack batch format and the derivation of local-safe L2 heads from L1 blocks, pure: no I/O, no
//! clock, no async.
//!
//! Layers, from the L1 inwards:
//! - [`frame`]: batcher transaction data (`0x00 ‖ frames`) and channel frames;
//! - [`channel_bank`]: frames collected by channel id into complete channels;
//! - [`channel`]: channel content (RLP byte strings of batches) and its zlib or brotli compression;
//! - [`batch`], [`singular`], [`span`], [`span_tx`], [`varint`]: singular (type 0) and span (type 1) batches;
//! - [`encoder`]: the batcher's side, L2 blocks to span batch to channel to frames to transaction data;
//! - [`meta`]: meta-batches, several chains' channels in one batcher transaction. A shared batcher names each
//!   channel `chain_id (8 bytes BE) ‖ sequence (8 bytes BE)`, and each chain's derivation keeps the frames
//!   whose channel id starts with its chain id ([`meta::ChannelFilter`]);
//! - [`derivation`]: one chain's state machine, fed L1 blocks in order, reporting for each the L2 blocks that
//!   became local-safe in it, the heights that must become deposits-only (sequencing window), and rewinding
//!   on L1 reorgs; [`batch_queue`] holds the batch validity rules and [`refs`] the types it reads and reports.
//!
//! Limits and rules follow the specs at their latest values (Fjord: brotli channels, larger limits and a
//! constant sequencer drift; Granite: a 50-block channel timeout, here a parameter; Isthmus: EIP-7702
//! transactions in span batches) with the Canyon channel bank and the Delta batch queue; Holocene's stricter
//! ordering rules are not applied.
pub mod batch;
pub mod batch_queue;
pub mod channel;
pub mod channel_bank;
pub mod derivation;
pub mod encoder;
pub mod frame;
mod history;
pub mod meta;
pub mod params;
pub mod refs;
pub mod singular;
pub mod span;
pub mod span_tx;
pub mod varint;

pub use batch::Batch;
pub use derivation::{Derivation, DerivationConfig, DerivationEvent, DeriveError, L1Derivation, L2Genesis};
pub use encoder::{BatchedHead, BatcherConfig, ChainBatcher, L2BlockData};
pub use frame::{ChannelId, Frame};
pub use refs::{
    DerivedFrom, L1BlockInput, L1BlockRef, L2BlockInfo, L2View, LocalSafeBlock, SafeBlockContent, SafeHead,
};
