//! The channel bank: collects frames by channel id and yields channels whose frames are all in.
//!
//! Channels are kept in the order they were opened (the first time a frame of theirs is seen). A frame for a
//! timed-out channel, a duplicate frame number, a second closing frame or a frame past the closing one is
//! dropped; a closing frame removes the channel's frames numbered after it. After every insertion the bank
//! drops its oldest channels until its size (frame data plus 200 bytes a frame) is within the limit. Reading
//! first removes timed-out channels at the front, then returns the first complete channel in opening order
//! (the Canyon rule), where complete means closed with every frame from 0 to the closing one present.

use crate::frame::{ChannelId, Frame};
use crate::params::{CHANNEL_BANK_FRAME_OVERHEAD, MAX_CHANNEL_BANK_SIZE};
use alloy_primitives::Bytes;
use std::collections::{BTreeMap, VecDeque};

/// A channel whose frames are all in, ready for decompression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompleteChannel {
    /// The channel's id.
    pub id: ChannelId,
    /// The L1 block in which the channel's first frame was seen.
    pub opened_in_l1: u64,
    /// The frames' data concatenated in frame order: the compressed channel.
    pub data: Bytes,
}

/// Why the bank did not keep a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameDropReason {
    /// The frame's channel was opened more than the timeout ago.
    #[error("channel timed out")]
    TimedOut,
    /// The channel already holds a frame with this number.
    #[error("duplicate frame number")]
    Duplicate,
    /// The channel already has its closing frame.
    #[error("channel already closed")]
    DuplicateClose,
    /// The frame's number lies after the channel's closing frame.
    #[error("frame after the closing frame")]
    PastClose,
}

#[derive(Debug, Clone)]
struct PendingChannel {
    id: ChannelId,
    opened_in_l1: u64,
    frames: BTreeMap<u16, Bytes>,
    closing_frame: Option<u16>,
    size: usize,
}

impl PendingChannel {
    fn is_complete(&self) -> bool {
        // Frames are numbered from 0 and none lies past the closing one, so all are in when the count matches.
        self.closing_frame.is_some_and(|last| self.frames.len() == usize::from(last) + 1)
    }

    fn assemble(self) -> CompleteChannel {
        let mut data = Vec::with_capacity(self.frames.values().map(|d| d.len()).sum());
        for chunk in self.frames.values() {
            data.extend_from_slice(chunk);
        }
        CompleteChannel { id: self.id, opened_in_l1: self.opened_in_l1, data: data.into() }
    }
}

/// Buffers the frames of one chain's channels until they are complete.
#[derive(Debug, Clone)]
pub struct ChannelBank {
    channel_timeout: u64,
    max_size: usize,
    channels: VecDeque<PendingChannel>,
    size: usize,
}

impl ChannelBank {
    /// A bank whose channels time out `channel_timeout` L1 blocks after they open, with the protocol's size limit.
    pub fn new(channel_timeout: u64) -> Self {
        Self::with_max_size(channel_timeout, MAX_CHANNEL_BANK_SIZE)
    }

    /// A bank with a size limit of its own (tests use small ones).
    pub fn with_max_size(channel_timeout: u64, max_size: usize) -> Self {
        Self { channel_timeout, max_size, channels: VecDeque::new(), size: 0 }
    }

    /// Bytes the bank counts against its limit: frame data plus a fixed overhead per frame.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Number of channels buffered, complete or not.
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    fn timed_out(&self, opened_in_l1: u64, current_l1: u64) -> bool {
        current_l1 > opened_in_l1.saturating_add(self.channel_timeout)
    }

    /// Adds a frame read from L1 block `current_l1`, or says why it was dropped.
    pub fn add_frame(&mut self, frame: Frame, current_l1: u64) -> Result<(), FrameDropReason> {
        let index = match self.channels.iter().position(|c| c.id == frame.channel_id) {
            Some(index) => index,
            None => {
                self.channels.push_back(PendingChannel {
                    id: frame.channel_id,
                    opened_in_l1: current_l1,
                    frames: BTreeMap::new(),
                    closing_frame: None,
                    size: 0,
                });
                self.channels.len() - 1
            }
        };
        let timeout_hit = self.timed_out(self.channels[index].opened_in_l1, current_l1);
        let channel = &mut self.channels[index];
        if timeout_hit {
            return Err(FrameDropReason::TimedOut);
        }
        if channel.frames.contains_key(&frame.number) {
            return Err(FrameDropReason::Duplicate);
        }
        if let Some(last) = channel.closing_frame {
            if frame.is_last {
                return Err(FrameDropReason::DuplicateClose);
            }
            if frame.number > last {
                return Err(FrameDropReason::PastClose);
            }
        }
        let mut removed = 0;
        if frame.is_last {
            channel.closing_frame = Some(frame.number);
            let beyond: Vec<u16> = channel.frames.range(frame.number..).map(|(n, _)| *n).collect();
            for number in beyond {
                if let Some(data) = channel.frames.remove(&number) {
                    removed += data.len() + CHANNEL_BANK_FRAME_OVERHEAD;
                }
            }
        }
        let added = frame.data.len() + CHANNEL_BANK_FRAME_OVERHEAD;
        channel.frames.insert(frame.number, frame.data);
        channel.size = channel.size + added - removed;
        self.size = self.size + added - removed;
        self.prune();
        Ok(())
    }

    fn prune(&mut self) {
        while self.size > self.max_size {
            match self.channels.pop_front() {
                Some(oldest) => self.size -= oldest.size,
                None => break,
            }
        }
    }

    /// Removes and returns the first complete, not timed-out channel in opening order, after dropping the
    /// timed-out channels at the front of the queue.
    pub fn read(&mut self, current_l1: u64) -> Option<CompleteChannel> {
        while let Some(front) = self.channels.front() {
            if !self.timed_out(front.opened_in_l1, current_l1) {
                break;
            }
            self.size -= front.size;
            self.channels.pop_front();
        }
        let index = self
            .channels
            .iter()
            .position(|c| c.is_complete() && !self.timed_out(c.opened_in_l1, current_l1))?;
        let channel = self.channels.remove(index)?;
        self.size -= channel.size;
        Some(channel.assemble())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame(id: u8, number: u16, data: &[u8], is_last: bool) -> Frame {
        Frame { channel_id: ChannelId::repeat_byte(id), number, data: Bytes::copy_from_slice(data), is_last }
    }

    #[test]
    fn frames_in_any_order_assemble_in_frame_order() {
        let mut bank = ChannelBank::new(10);
        bank.add_frame(frame(1, 2, b"cc", true), 5).unwrap();
        assert_eq!(bank.read(5), None);
        bank.add_frame(frame(1, 0, b"aa", false), 6).unwrap();
        assert_eq!(bank.read(6), None);
        bank.add_frame(frame(1, 1, b"bb", false), 7).unwrap();
        let channel = bank.read(7).unwrap();
        assert_eq!(channel.data.as_ref(), b"aabbcc");
        assert_eq!(channel.opened_in_l1, 5);
        assert_eq!((bank.channel_count(), bank.size()), (0, 0));
    }

    #[test]
    fn duplicates_second_closes_and_frames_past_the_close_are_dropped() {
        let mut bank = ChannelBank::new(10);
        bank.add_frame(frame(1, 0, b"a", false), 1).unwrap();
        assert_eq!(bank.add_frame(frame(1, 0, b"x", false), 1), Err(FrameDropReason::Duplicate));
        bank.add_frame(frame(1, 3, b"late", false), 1).unwrap();
        // Closing at frame 1 removes frame 3, which was numbered after it.
        bank.add_frame(frame(1, 1, b"b", true), 1).unwrap();
        assert_eq!(bank.add_frame(frame(1, 2, b"c", true), 1), Err(FrameDropReason::DuplicateClose));
        assert_eq!(bank.add_frame(frame(1, 2, b"c", false), 1), Err(FrameDropReason::PastClose));
        assert_eq!(bank.size(), 2 + 2 * CHANNEL_BANK_FRAME_OVERHEAD);
        assert_eq!(bank.read(1).unwrap().data.as_ref(), b"ab");
    }

    #[test]
    fn channels_time_out_after_the_timeout_in_l1_blocks() {
        let mut bank = ChannelBank::new(3);
        bank.add_frame(frame(1, 0, b"a", false), 10).unwrap();
        // Block 13 is still within the timeout (10 + 3), block 14 is past it.
        bank.add_frame(frame(1, 1, b"b", false), 13).unwrap();
        assert_eq!(bank.add_frame(frame(1, 2, b"c", true), 14), Err(FrameDropReason::TimedOut));
        assert_eq!(bank.read(14), None);
        assert_eq!(bank.channel_count(), 0);
        // A complete channel is not read once timed out either.
        bank.add_frame(frame(2, 0, b"z", true), 20).unwrap();
        assert_eq!(bank.read(24), None);
    }

    #[test]
    fn the_first_complete_channel_in_opening_order_is_read_first() {
        let mut bank = ChannelBank::new(100);
        bank.add_frame(frame(1, 0, b"one", false), 1).unwrap();
        bank.add_frame(frame(2, 0, b"two", true), 2).unwrap();
        bank.add_frame(frame(3, 0, b"three", true), 3).unwrap();
        // Channel 1 is incomplete, so channel 2, opened before channel 3, comes first.
        assert_eq!(bank.read(3).unwrap().id, ChannelId::repeat_byte(2));
        assert_eq!(bank.read(3).unwrap().id, ChannelId::repeat_byte(3));
        assert_eq!(bank.read(3), None);
    }

    #[test]
    fn the_oldest_channels_are_pruned_past_the_size_limit() {
        let per_frame = 10 + CHANNEL_BANK_FRAME_OVERHEAD;
        let mut bank = ChannelBank::with_max_size(100, 2 * per_frame);
        bank.add_frame(frame(1, 0, &[0; 10], true), 1).unwrap();
        bank.add_frame(frame(2, 0, &[0; 10], true), 1).unwrap();
        bank.add_frame(frame(3, 0, &[0; 10], true), 1).unwrap();
        assert_eq!(bank.size(), 2 * per_frame);
        assert_eq!(bank.read(1).unwrap().id, ChannelId::repeat_byte(2));
        assert_eq!(bank.read(1).unwrap().id, ChannelId::repeat_byte(3));
    }

    proptest! {
        #[test]
        fn a_split_channel_reassembles_whatever_the_frame_order(
            data in proptest::collection::vec(any::<u8>(), 1..400),
            chunk in 1usize..50,
            order in any::<proptest::sample::Index>(),
        ) {
            let chunks: Vec<&[u8]> = data.chunks(chunk).collect();
            let count = chunks.len();
            let mut frames: Vec<Frame> = chunks
                .iter()
                .enumerate()
                .map(|(i, c)| frame(9, i as u16, c, i + 1 == count))
                .collect();
            let rotate = order.index(count);
            frames.rotate_left(rotate);
            let mut bank = ChannelBank::new(10);
            let mut out = None;
            for f in frames {
                bank.add_frame(f, 1).unwrap();
                if let Some(c) = bank.read(1) {
                    out = Some(c);
                }
            }
            prop_assert_eq!(out.unwrap().data.to_vec(), data);
            prop_assert_eq!(bank.size(), 0);
        }
    }
}
