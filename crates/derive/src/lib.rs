//! The OP Stack batch format and the derivation of local-safe L2 heads from L1 blocks, pure: no I/O, no
//! clock, no async.
pub mod batch;
pub mod channel;
pub mod channel_bank;
pub mod encoder;
pub mod frame;
pub mod meta;
pub mod params;
pub mod singular;
pub mod span;
pub mod span_tx;
pub mod varint;
