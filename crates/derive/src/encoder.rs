//! The batcher's side: L2 blocks to a span batch, to a compressed channel, to frames, to transaction data.
//!
//! [`ChainBatcher`] follows one chain: it takes the chain's blocks in order (each must name the previous one
//! as parent), and on [`ChainBatcher::flush`] puts the pending blocks in one span batch, compresses it into a
//! channel (brotli by default), cuts the channel into frames of at most `max_frame_size` bytes and returns
//! them. [`pack_frames`] fills batcher transactions with frames.

use crate::batch::Batch;
use crate::channel::{Compression, write_channel};
use crate::frame::{ChannelId, Frame, encode_batcher_tx};
use crate::params::{FRAME_OVERHEAD, MAX_FRAME_DATA_LEN};
use crate::singular::SingularBatch;
use crate::span::{SpanBatch, SpanBatchError};
use alloy_eips::BlockNumHash;
use alloy_primitives::{B256, Bytes};

/// An L2 block as the batcher posts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L2BlockData {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Hash of the previous block.
    pub parent_hash: B256,
    /// Block timestamp.
    pub timestamp: u64,
    /// The block's L1 origin.
    pub l1_origin: BlockNumHash,
    /// The block's non-deposit transactions, EIP-2718 encoded, in block order.
    pub transactions: Vec<Bytes>,
}

impl L2BlockData {
    /// The block's singular batch.
    pub fn to_singular_batch(&self) -> SingularBatch {
        SingularBatch {
            parent_hash: self.parent_hash,
            epoch_num: self.l1_origin.number,
            epoch_hash: self.l1_origin.hash,
            timestamp: self.timestamp,
            transactions: self.transactions.clone(),
        }
    }
}

/// The last block a batcher has taken, which the next one must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchedHead {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Number of the block's L1 origin.
    pub l1_origin_number: u64,
}

/// The chain parameters and choices a batcher encodes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatcherConfig {
    /// The L2 chain id (span batches leave it out of transactions).
    pub chain_id: u64,
    /// Timestamp of the L2 genesis block.
    pub genesis_timestamp: u64,
    /// Seconds between L2 blocks.
    pub block_time: u64,
    /// Channel compression.
    pub compression: Compression,
    /// Largest encoded frame, overhead included (at most [`MAX_FRAME_DATA_LEN`] + [`FRAME_OVERHEAD`]).
    pub max_frame_size: usize,
}

/// Why the batcher refused blocks or could not encode them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// A block does not follow the batcher's head.
    #[error("block {number} does not follow the batched head {head_number} ({head_hash})")]
    NotNext {
        /// The offered block's number.
        number: u64,
        /// The batched head's number.
        head_number: u64,
        /// The batched head's hash.
        head_hash: B256,
    },
    /// The blocks do not form a span batch.
    #[error(transparent)]
    Span(#[from] SpanBatchError),
    /// `max_frame_size` leaves no room for data, or exceeds the frame limit.
    #[error("frame size {0} is outside {min}..={max}", min = FRAME_OVERHEAD + 1, max = FRAME_OVERHEAD + MAX_FRAME_DATA_LEN)]
    FrameSize(usize),
    /// The channel needs more frames than a frame number can count.
    #[error("channel of {0} bytes needs more than 65536 frames")]
    TooManyFrames(usize),
}

/// Cuts a compressed channel into frames carrying at most `max_frame_size` encoded bytes each.
pub fn split_into_frames(
    channel_id: ChannelId,
    channel: &[u8],
    max_frame_size: usize,
) -> Result<Vec<Frame>, EncodeError> {
    if max_frame_size <= FRAME_OVERHEAD || max_frame_size > FRAME_OVERHEAD + MAX_FRAME_DATA_LEN {
        return Err(EncodeError::FrameSize(max_frame_size));
    }
    let chunk = max_frame_size - FRAME_OVERHEAD;
    let chunks: Vec<&[u8]> = if channel.is_empty() { vec![&[][..]] } else { channel.chunks(chunk).collect() };
    if chunks.len() > usize::from(u16::MAX) + 1 {
        return Err(EncodeError::TooManyFrames(channel.len()));
    }
    let last = chunks.len() - 1;
    Ok(chunks
        .into_iter()
        .enumerate()
        .map(|(i, data)| Frame {
            channel_id,
            number: i as u16,
            data: Bytes::copy_from_slice(data),
            is_last: i == last,
        })
        .collect())
}

/// Fills batcher transactions (`0x00 ‖ frames`) in order with whole frames, starting a new transaction when
/// the next frame would take one past `max_tx_data` bytes; a frame larger than that gets a transaction alone.
pub fn pack_frames(frames: &[Frame], max_tx_data: usize) -> Vec<Bytes> {
    let mut txs = Vec::new();
    let mut current: Vec<&Frame> = Vec::new();
    let mut size = 1;
    for frame in frames {
        if !current.is_empty() && size + frame.encoded_len() > max_tx_data {
            txs.push(encode_batcher_tx(current.drain(..)));
            size = 1;
        }
        size += frame.encoded_len();
        current.push(frame);
    }
    if !current.is_empty() {
        txs.push(encode_batcher_tx(current));
    }
    txs
}

/// Batches one chain's blocks into channels.
#[derive(Debug, Clone)]
pub struct ChainBatcher {
    config: BatcherConfig,
    head: BatchedHead,
    pending: Vec<L2BlockData>,
}

impl ChainBatcher {
    /// A batcher whose next block follows `head` (the L2 genesis, or the last block already posted).
    pub fn new(config: BatcherConfig, head: BatchedHead) -> Self {
        Self { config, head, pending: Vec::new() }
    }

    /// The last block taken.
    pub fn head(&self) -> BatchedHead {
        self.pending.last().map_or(self.head, |b| BatchedHead {
            number: b.number,
            hash: b.hash,
            l1_origin_number: b.l1_origin.number,
        })
    }

    /// Blocks taken but not yet put in a channel.
    pub fn pending(&self) -> &[L2BlockData] {
        &self.pending
    }

    /// Takes the chain's next block.
    pub fn add_block(&mut self, block: L2BlockData) -> Result<(), EncodeError> {
        let head = self.head();
        if block.number != head.number + 1 || block.parent_hash != head.hash {
            return Err(EncodeError::NotNext {
                number: block.number,
                head_number: head.number,
                head_hash: head.hash,
            });
        }
        self.pending.push(block);
        Ok(())
    }

    /// Starts again after `head`, dropping pending blocks (after an L2 reorg, or to re-post from the safe head).
    pub fn reset(&mut self, head: BatchedHead) {
        self.head = head;
        self.pending.clear();
    }

    /// Puts the pending blocks in one span batch in a channel of id `channel_id` and returns its frames;
    /// nothing when no block is pending.
    pub fn flush(&mut self, channel_id: ChannelId) -> Result<Vec<Frame>, EncodeError> {
        if self.pending.is_empty() {
            return Ok(Vec::new());
        }
        let singular: Vec<SingularBatch> = self.pending.iter().map(L2BlockData::to_singular_batch).collect();
        let span = SpanBatch::from_singular_batches(
            &singular,
            self.head.l1_origin_number,
            self.config.genesis_timestamp,
            self.config.block_time,
            self.config.chain_id,
        )?;
        let channel = write_channel(&[Batch::Span(span).encode()], self.config.compression);
        let frames = split_into_frames(channel_id, &channel, self.config.max_frame_size)?;
        self.head = self.head();
        self.pending.clear();
        Ok(frames)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::channel::read_channel;
    use crate::channel_bank::ChannelBank;
    use crate::frame::parse_batcher_tx;
    use crate::span::tests::signed_txs;
    use proptest::prelude::*;

    pub(crate) fn config(chain_id: u64) -> BatcherConfig {
        BatcherConfig {
            chain_id,
            genesis_timestamp: 1_000,
            block_time: 2,
            compression: Compression::Brotli,
            max_frame_size: 200,
        }
    }

    pub(crate) fn genesis_head() -> BatchedHead {
        BatchedHead { number: 0, hash: B256::repeat_byte(0xaa), l1_origin_number: 0 }
    }

    pub(crate) fn block_hash(chain_id: u64, number: u64) -> B256 {
        let mut hash = [0u8; 32];
        hash[..8].copy_from_slice(&chain_id.to_be_bytes());
        hash[24..].copy_from_slice(&number.to_be_bytes());
        B256::from(hash)
    }

    pub(crate) fn l1_hash(number: u64) -> B256 {
        let mut hash = [0x11u8; 32];
        hash[24..].copy_from_slice(&number.to_be_bytes());
        B256::from(hash)
    }

    /// Blocks 1..=count of a chain, the origin moving to the next L1 block where `advance` says so, each
    /// with `txs_per_block` transactions.
    pub(crate) fn blocks(chain_id: u64, advance: &[bool], txs_per_block: usize) -> Vec<L2BlockData> {
        let mut parent = genesis_head().hash;
        let mut origin = 0;
        advance
            .iter()
            .enumerate()
            .map(|(i, moves)| {
                let number = i as u64 + 1;
                origin += u64::from(*moves);
                let txs = signed_txs(chain_id, number * 10);
                let block = L2BlockData {
                    number,
                    hash: block_hash(chain_id, number),
                    parent_hash: parent,
                    timestamp: 1_000 + 2 * number,
                    l1_origin: BlockNumHash { number: origin, hash: l1_hash(origin) },
                    transactions: txs.into_iter().cycle().take(txs_per_block).collect(),
                };
                parent = block.hash;
                block
            })
            .collect()
    }

    /// Reads frames back through a channel bank into the blocks of the span batch they carry.
    pub(crate) fn decode_frames(frames: Vec<Frame>, chain_id: u64) -> Vec<crate::span::SpanBlock> {
        let mut bank = ChannelBank::new(10);
        for frame in frames {
            bank.add_frame(frame, 1).unwrap();
        }
        let channel = bank.read(1).unwrap();
        let items = read_channel(&channel.data).unwrap();
        assert_eq!(items.len(), 1);
        match Batch::decode(&items[0]).unwrap() {
            Batch::Span(span) => span.blocks(1_000, 2, chain_id).unwrap(),
            Batch::Singular(_) => panic!("expected a span batch"),
        }
    }

    #[test]
    fn frames_respect_the_size_and_cover_the_channel() {
        let channel: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let frames = split_into_frames(ChannelId::repeat_byte(3), &channel, 123).unwrap();
        assert_eq!(frames.len(), 1000usize.div_ceil(100));
        assert!(frames.iter().all(|f| f.encoded_len() <= 123));
        assert!(frames.iter().enumerate().all(|(i, f)| f.number == i as u16 && f.is_last == (i == 9)));
        let joined: Vec<u8> = frames.iter().flat_map(|f| f.data.to_vec()).collect();
        assert_eq!(joined, channel);
        assert_eq!(
            split_into_frames(ChannelId::ZERO, &channel, FRAME_OVERHEAD),
            Err(EncodeError::FrameSize(23))
        );
        assert_eq!(
            split_into_frames(ChannelId::ZERO, &[0; 70_000], FRAME_OVERHEAD + 1),
            Err(EncodeError::TooManyFrames(70_000))
        );
    }

    #[test]
    fn transactions_are_filled_with_whole_frames() {
        let frames = split_into_frames(ChannelId::repeat_byte(1), &[9; 500], 123).unwrap();
        let txs = pack_frames(&frames, 1 + 2 * 123);
        assert_eq!(txs.len(), 3);
        assert!(txs.iter().all(|tx| tx.len() <= 1 + 2 * 123));
        let back: Vec<Frame> = txs.iter().flat_map(|tx| parse_batcher_tx(tx).unwrap()).collect();
        assert_eq!(back, frames);
    }

    #[test]
    fn the_batcher_takes_only_the_next_block() {
        let chain = blocks(901, &[false, true, false], 1);
        let mut batcher = ChainBatcher::new(config(901), genesis_head());
        assert!(matches!(batcher.add_block(chain[1].clone()), Err(EncodeError::NotNext { number: 2, .. })));
        batcher.add_block(chain[0].clone()).unwrap();
        let mut wrong_parent = chain[1].clone();
        wrong_parent.parent_hash = B256::ZERO;
        assert!(batcher.add_block(wrong_parent).is_err());
        batcher.add_block(chain[1].clone()).unwrap();
        assert_eq!(batcher.head().number, 2);
        assert!(!batcher.flush(ChannelId::ZERO).unwrap().is_empty());
        assert!(batcher.pending().is_empty());
        assert_eq!(batcher.head(), BatchedHead { number: 2, hash: chain[1].hash, l1_origin_number: 1 });
        assert!(batcher.flush(ChannelId::ZERO).unwrap().is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn blocks_come_back_from_the_batcher_frames(
            advance in proptest::collection::vec(any::<bool>(), 1..8),
            txs_per_block in 0usize..4,
            frame_size in 40usize..400,
            zlib in any::<bool>(),
        ) {
            let chain = blocks(901, &advance, txs_per_block);
            let mut config = config(901);
            config.max_frame_size = frame_size;
            if zlib {
                config.compression = Compression::Zlib;
            }
            let mut batcher = ChainBatcher::new(config, genesis_head());
            for block in &chain {
                batcher.add_block(block.clone()).unwrap();
            }
            let frames = batcher.flush(ChannelId::repeat_byte(5)).unwrap();
            prop_assert!(frames.iter().all(|f| f.encoded_len() <= frame_size));
            let decoded = decode_frames(frames, 901);
            prop_assert_eq!(decoded.len(), chain.len());
            for (got, want) in decoded.iter().zip(&chain) {
                prop_assert_eq!(got.timestamp, want.timestamp);
                prop_assert_eq!(got.epoch_num, want.l1_origin.number);
                prop_assert_eq!(&got.transactions, &want.transactions);
            }
        }
    }
}
