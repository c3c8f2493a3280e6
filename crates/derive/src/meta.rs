//! Meta-batches: several chains' channels in one batcher transaction.
//!
//! The batch format already lets one batcher transaction carry frames of several channels, so a meta-batch is
//! just that: `0x00 ‖ frames`, with the frames of distinct channels, one or more per chain. A reader attributes
//! each channel to its chain by the channel id: a shared batcher names its channels
//! `chain_id (8 bytes, big-endian) ‖ sequence (8 bytes, big-endian)`, so the first eight bytes of every frame
//! say which chain it belongs to, without decompressing anything. Each chain's derivation keeps only the frames
//! of its own channels (see [`ChannelFilter`]) and never sees the others', so one chain's channel bank is not
//! filled or timed out by another chain's data. As for any batcher transaction, a frame that fails to parse
//! rejects every frame of the transaction, for all chains in it.

use crate::frame::{BatcherTxError, ChannelId, Frame, encode_batcher_tx, parse_batcher_tx};
use alloy_primitives::Bytes;

/// The channel id a shared batcher gives the `sequence`-th channel of chain `chain_id`.
pub fn chain_channel_id(chain_id: u64, sequence: u64) -> ChannelId {
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&chain_id.to_be_bytes());
    id[8..].copy_from_slice(&sequence.to_be_bytes());
    ChannelId::from(id)
}

/// The chain a shared batcher's channel id names.
pub fn channel_chain(channel_id: &ChannelId) -> u64 {
    let mut prefix = [0u8; 8];
    prefix.copy_from_slice(&channel_id[..8]);
    u64::from_be_bytes(prefix)
}

/// Which frames of a batcher transaction a chain's derivation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelFilter {
    /// Every frame: the chain has a batch inbox and batcher of its own.
    All,
    /// Only frames whose channel id starts with this chain id: the inbox is shared by several chains.
    Chain(u64),
}

impl ChannelFilter {
    /// Whether the chain takes frames of this channel.
    pub fn accepts(&self, channel_id: &ChannelId) -> bool {
        match self {
            Self::All => true,
            Self::Chain(chain_id) => channel_chain(channel_id) == *chain_id,
        }
    }
}

/// Why frames cannot form a meta-batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetaBatchError {
    /// A chain's frames carry a channel id of another chain.
    #[error("frame of channel {channel_id} listed for chain {chain_id}")]
    ForeignChannel {
        /// The chain the frames were given for.
        chain_id: u64,
        /// The offending channel id.
        channel_id: ChannelId,
    },
}

/// Encodes one batcher transaction carrying each chain's frames (chains in the order given, frames in order).
pub fn encode_meta_batch(per_chain: &[(u64, Vec<Frame>)]) -> Result<Bytes, MetaBatchError> {
    for (chain_id, frames) in per_chain {
        if let Some(frame) = frames.iter().find(|f| channel_chain(&f.channel_id) != *chain_id) {
            return Err(MetaBatchError::ForeignChannel { chain_id: *chain_id, channel_id: frame.channel_id });
        }
    }
    Ok(encode_batcher_tx(per_chain.iter().flat_map(|(_, frames)| frames)))
}

/// The frames of a batcher transaction that belong to `chain_id`'s channels.
pub fn frames_for_chain(data: &[u8], chain_id: u64) -> Result<Vec<Frame>, BatcherTxError> {
    let filter = ChannelFilter::Chain(chain_id);
    Ok(parse_batcher_tx(data)?.into_iter().filter(|f| filter.accepts(&f.channel_id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::ChainBatcher;
    use crate::encoder::tests::{blocks, config, decode_frames, genesis_head};

    #[test]
    fn channel_ids_carry_the_chain_id() {
        let id = chain_channel_id(902, 7);
        assert_eq!(id.as_slice(), &[0, 0, 0, 0, 0, 0, 0x03, 0x86, 0, 0, 0, 0, 0, 0, 0, 7]);
        assert_eq!(channel_chain(&id), 902);
        assert!(ChannelFilter::Chain(902).accepts(&id));
        assert!(!ChannelFilter::Chain(901).accepts(&id));
        assert!(ChannelFilter::All.accepts(&id));
    }

    #[test]
    fn a_meta_batch_of_three_chains_decodes_back_per_chain() {
        let chains = [901u64, 902, 903];
        let mut per_chain = Vec::new();
        let mut expected = Vec::new();
        for (i, chain_id) in chains.iter().enumerate() {
            let chain_blocks = blocks(*chain_id, &vec![false; i + 2], i + 1);
            let mut batcher = ChainBatcher::new(config(*chain_id), genesis_head());
            for block in &chain_blocks {
                batcher.add_block(block.clone()).unwrap();
            }
            per_chain.push((*chain_id, batcher.flush(chain_channel_id(*chain_id, 0)).unwrap()));
            expected.push(chain_blocks);
        }
        let data = encode_meta_batch(&per_chain).unwrap();
        for (chain_id, chain_blocks) in chains.iter().zip(&expected) {
            let frames = frames_for_chain(&data, *chain_id).unwrap();
            assert!(frames.iter().all(|f| channel_chain(&f.channel_id) == *chain_id));
            let decoded = decode_frames(frames, *chain_id);
            let txs: Vec<_> = decoded.iter().map(|b| b.transactions.clone()).collect();
            let want: Vec<_> = chain_blocks.iter().map(|b| b.transactions.clone()).collect();
            assert_eq!(txs, want, "chain {chain_id}");
        }
        assert!(frames_for_chain(&data, 904).unwrap().is_empty());
    }

    #[test]
    fn a_chain_cannot_list_another_chains_channel() {
        let mut batcher = ChainBatcher::new(config(901), genesis_head());
        batcher.add_block(blocks(901, &[false], 0).remove(0)).unwrap();
        let frames = batcher.flush(chain_channel_id(902, 0)).unwrap();
        assert_eq!(
            encode_meta_batch(&[(901, frames)]),
            Err(MetaBatchError::ForeignChannel { chain_id: 901, channel_id: chain_channel_id(902, 0) })
        );
    }
}
