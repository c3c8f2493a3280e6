//! Channel frames and batcher transactions.
//!
//! A frame is `channel_id(16) ‖ frame_number(u16 BE) ‖ frame_data_length(u32 BE) ‖ frame_data ‖ is_last(1)`,
//! and a batcher transaction's data is `version_byte ‖ frame ‖ frame ‖ …` with version 0. A transaction of
//! another version is ignored, and one frame that fails to parse rejects every frame of its transaction.

use crate::params::{DERIVATION_VERSION_0, FRAME_OVERHEAD, MAX_FRAME_DATA_LEN};
use alloy_primitives::{B128, Bytes};

/// The opaque 16-byte identifier of a channel.
pub type ChannelId = B128;

/// One chunk of a channel's compressed data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// The channel the data belongs to.
    pub channel_id: ChannelId,
    /// Position of this frame within the channel, from 0.
    pub number: u16,
    /// The chunk of channel data, at most [`MAX_FRAME_DATA_LEN`] bytes.
    pub data: Bytes,
    /// Whether this is the channel's closing frame.
    pub is_last: bool,
}

/// Why bytes do not hold a valid frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The input ends before the frame does.
    #[error("frame truncated: needs {needed} bytes, {available} left")]
    Truncated {
        /// Bytes the frame needs from its start.
        needed: usize,
        /// Bytes left in the input.
        available: usize,
    },
    /// The frame declares more data than a frame may carry.
    #[error("frame data length {0} exceeds the limit of {MAX_FRAME_DATA_LEN} bytes")]
    DataTooLong(usize),
    /// The `is_last` byte is neither 0 nor 1.
    #[error("frame is_last byte is {0:#04x}, not 0 or 1")]
    InvalidIsLast(u8),
}

/// Why a batcher transaction yields no frames.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatcherTxError {
    /// The transaction carries no data at all.
    #[error("batcher transaction data is empty")]
    Empty,
    /// The version byte is not 0 (1 is an alt-DA commitment, which this crate does not read).
    #[error("unknown batcher transaction version {0}")]
    UnknownVersion(u8),
    /// Version 0 but no frame follows.
    #[error("batcher transaction holds no frame")]
    NoFrames,
    /// One frame failed to parse, which rejects every frame of the transaction.
    #[error("frame {index} of the batcher transaction: {source}")]
    Frame {
        /// Index of the bad frame within the transaction.
        index: usize,
        /// What is wrong with it.
        source: FrameError,
    },
}

impl Frame {
    /// Size of the encoded frame in bytes.
    pub fn encoded_len(&self) -> usize {
        FRAME_OVERHEAD + self.data.len()
    }

    /// Appends the frame's encoding to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.channel_id.as_slice());
        out.extend_from_slice(&self.number.to_be_bytes());
        // Frames are built with at most MAX_FRAME_DATA_LEN bytes, which fits a u32.
        out.extend_from_slice(&(self.data.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.data);
        out.push(u8::from(self.is_last));
    }

    /// The frame's encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }

    /// Decodes one frame from the start of `input` and returns it with the number of bytes it used.
    pub fn decode(input: &[u8]) -> Result<(Self, usize), FrameError> {
        let header = 16 + 2 + 4;
        if input.len() < header {
            return Err(FrameError::Truncated { needed: header, available: input.len() });
        }
        let channel_id = ChannelId::from_slice(&input[..16]);
        let number = u16::from_be_bytes([input[16], input[17]]);
        let data_len = u32::from_be_bytes([input[18], input[19], input[20], input[21]]) as usize;
        if data_len > MAX_FRAME_DATA_LEN {
            return Err(FrameError::DataTooLong(data_len));
        }
        let needed = header + data_len + 1;
        if input.len() < needed {
            return Err(FrameError::Truncated { needed, available: input.len() });
        }
        let data = Bytes::copy_from_slice(&input[header..header + data_len]);
        let is_last = match input[header + data_len] {
            0 => false,
            1 => true,
            other => return Err(FrameError::InvalidIsLast(other)),
        };
        Ok((Self { channel_id, number, data, is_last }, needed))
    }
}

/// Reads the frames of one batcher transaction's data (`version_byte ‖ frames`).
pub fn parse_batcher_tx(data: &[u8]) -> Result<Vec<Frame>, BatcherTxError> {
    let (&version, mut rest) = data.split_first().ok_or(BatcherTxError::Empty)?;
    if version != DERIVATION_VERSION_0 {
        return Err(BatcherTxError::UnknownVersion(version));
    }
    let mut frames = Vec::new();
    while !rest.is_empty() {
        let (frame, used) =
            Frame::decode(rest).map_err(|source| BatcherTxError::Frame { index: frames.len(), source })?;
        frames.push(frame);
        rest = &rest[used..];
    }
    if frames.is_empty() {
        return Err(BatcherTxError::NoFrames);
    }
    Ok(frames)
}

/// Encodes frames as one batcher transaction's data: version 0 followed by the frames.
pub fn encode_batcher_tx<'a>(frames: impl IntoIterator<Item = &'a Frame>) -> Bytes {
    let mut out = vec![DERIVATION_VERSION_0];
    for frame in frames {
        frame.encode_into(&mut out);
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame(id: u8, number: u16, data: &[u8], is_last: bool) -> Frame {
        Frame { channel_id: ChannelId::repeat_byte(id), number, data: Bytes::copy_from_slice(data), is_last }
    }

    #[test]
    fn layout_is_id_number_length_data_is_last() {
        let encoded = frame(0xab, 0x0102, b"xyz", true).encode();
        let mut expected = vec![0xab; 16];
        expected.extend_from_slice(&[0x01, 0x02, 0, 0, 0, 3, b'x', b'y', b'z', 1]);
        assert_eq!(encoded, expected);
        assert_eq!(encoded.len(), FRAME_OVERHEAD + 3);
    }

    #[test]
    fn a_transaction_carries_several_frames_of_several_channels() {
        let frames = vec![frame(1, 0, b"a", false), frame(2, 0, b"", true), frame(1, 1, b"bc", true)];
        let data = encode_batcher_tx(&frames);
        assert_eq!(data[0], 0);
        assert_eq!(parse_batcher_tx(&data).unwrap(), frames);
    }

    #[test]
    fn unknown_version_is_ignored() {
        let mut data = encode_batcher_tx(&[frame(1, 0, b"a", true)]).to_vec();
        data[0] = 1;
        assert_eq!(parse_batcher_tx(&data), Err(BatcherTxError::UnknownVersion(1)));
        assert_eq!(parse_batcher_tx(&[]), Err(BatcherTxError::Empty));
        assert_eq!(parse_batcher_tx(&[0]), Err(BatcherTxError::NoFrames));
    }

    #[test]
    fn one_bad_frame_rejects_the_whole_transaction() {
        let good = frame(1, 0, b"ok", false);
        let mut bad = frame(1, 1, b"no", true).encode();
        *bad.last_mut().unwrap() = 2;
        let mut data = encode_batcher_tx(&[good]).to_vec();
        data.extend_from_slice(&bad);
        assert_eq!(
            parse_batcher_tx(&data),
            Err(BatcherTxError::Frame { index: 1, source: FrameError::InvalidIsLast(2) })
        );
        // Trailing bytes that do not form a frame reject the transaction too.
        let mut data = encode_batcher_tx(&[frame(1, 0, b"ok", false)]).to_vec();
        data.extend_from_slice(&[0xab; 5]);
        assert!(matches!(parse_batcher_tx(&data), Err(BatcherTxError::Frame { index: 1, .. })));
    }

    #[test]
    fn frame_data_is_capped_at_one_million_bytes() {
        let mut encoded = frame(1, 0, b"", true).encode();
        encoded[18..22].copy_from_slice(&(MAX_FRAME_DATA_LEN as u32 + 1).to_be_bytes());
        assert_eq!(Frame::decode(&encoded), Err(FrameError::DataTooLong(MAX_FRAME_DATA_LEN + 1)));
        let full = frame(1, 0, &vec![7; MAX_FRAME_DATA_LEN], true);
        let (decoded, used) = Frame::decode(&full.encode()).unwrap();
        assert_eq!((decoded, used), (full, FRAME_OVERHEAD + MAX_FRAME_DATA_LEN));
    }

    #[test]
    fn a_frame_cut_short_is_truncated() {
        let encoded = frame(1, 0, b"abcdef", true).encode();
        for cut in 0..encoded.len() {
            assert!(matches!(Frame::decode(&encoded[..cut]), Err(FrameError::Truncated { .. })), "cut {cut}");
        }
    }

    fn arb_frame() -> impl Strategy<Value = Frame> {
        (any::<[u8; 16]>(), any::<u16>(), proptest::collection::vec(any::<u8>(), 0..300), any::<bool>())
            .prop_map(|(id, number, data, is_last)| Frame {
                channel_id: ChannelId::from(id),
                number,
                data: data.into(),
                is_last,
            })
    }

    proptest! {
        #[test]
        fn frames_round_trip(frames in proptest::collection::vec(arb_frame(), 1..8)) {
            let data = encode_batcher_tx(&frames);
            prop_assert_eq!(parse_batcher_tx(&data).unwrap(), frames);
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_batcher_tx(&data);
        }
    }
}
