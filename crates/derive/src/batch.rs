//! Batches as a channel carries them: `batch_type ‖ payload`, type 0 singular, type 1 span.

use crate::singular::SingularBatch;
use crate::span::{SpanBatch, SpanBatchError};
use alloy_primitives::Bytes;

/// Type byte of a singular batch.
pub const SINGULAR_BATCH_TYPE: u8 = 0;
/// Type byte of a span batch.
pub const SPAN_BATCH_TYPE: u8 = 1;

/// A batch of either type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batch {
    /// One block (type 0).
    Singular(SingularBatch),
    /// A run of blocks (type 1).
    Span(SpanBatch),
}

/// Why bytes do not hold a batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    /// No bytes at all.
    #[error("empty batch")]
    Empty,
    /// A type byte other than 0 or 1.
    #[error("unknown batch type {0}")]
    UnknownType(u8),
    /// A singular batch whose RLP is malformed.
    #[error("singular batch: {0}")]
    Singular(alloy_rlp::Error),
    /// A span batch that does not decode.
    #[error("span batch: {0}")]
    Span(#[from] SpanBatchError),
}

impl Batch {
    /// `batch_type ‖ payload`.
    pub fn encode(&self) -> Bytes {
        let (ty, payload) = match self {
            Self::Singular(batch) => (SINGULAR_BATCH_TYPE, batch.encode_payload()),
            Self::Span(batch) => (SPAN_BATCH_TYPE, batch.encode_payload()),
        };
        let mut out = Vec::with_capacity(1 + payload.len());
        out.push(ty);
        out.extend_from_slice(&payload);
        out.into()
    }

    /// Decodes `batch_type ‖ payload`.
    pub fn decode(data: &[u8]) -> Result<Self, BatchError> {
        let (&ty, payload) = data.split_first().ok_or(BatchError::Empty)?;
        match ty {
            SINGULAR_BATCH_TYPE => {
                SingularBatch::decode_payload(payload).map(Self::Singular).map_err(BatchError::Singular)
            }
            SPAN_BATCH_TYPE => Ok(Self::Span(SpanBatch::decode_payload(payload)?)),
            other => Err(BatchError::UnknownType(other)),
        }
    }
}
