//! Protocol constants of the batch format and of derivation, at their latest (Fjord and later) values.

/// Fixed size of a frame besides its data: channel id (16), frame number (2), data length (4), is_last (1).
pub const FRAME_OVERHEAD: usize = 16 + 2 + 4 + 1;

/// Largest `frame_data_length` a valid frame may declare.
pub const MAX_FRAME_DATA_LEN: usize = 1_000_000;

/// The only batcher transaction version that carries frames (`version_byte = 0`).
pub const DERIVATION_VERSION_0: u8 = 0;

/// Most decompressed bytes read from one channel (Fjord; 10,000,000 before).
pub const MAX_RLP_BYTES_PER_CHANNEL: usize = 100_000_000;

/// Most bytes the channel bank buffers before it prunes the oldest channels (Fjord; 100,000,000 before).
pub const MAX_CHANNEL_BANK_SIZE: usize = 1_000_000_000;

/// Extra bytes counted per buffered frame when the channel bank measures its size.
pub const CHANNEL_BANK_FRAME_OVERHEAD: usize = 200;

/// Most blocks, and most transactions, one span batch may hold.
pub const MAX_SPAN_BATCH_ELEMENT_COUNT: u64 = 10_000_000;

/// Channel timeout in L1 blocks fixed by Granite (before it a rollup parameter, 300 by default).
pub const GRANITE_CHANNEL_TIMEOUT: u64 = 50;

/// Maximum sequencer drift in seconds, a constant since Fjord (600 before, a chain parameter).
pub const MAX_SEQUENCER_DRIFT: u64 = 1800;

/// Type byte of deposit transactions, which batches must never carry.
pub const DEPOSIT_TX_TYPE: u8 = 0x7e;
