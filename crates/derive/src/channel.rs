//! Channel content: the batches of a channel as successive RLP byte strings, compressed.
//!
//! Each batch is `batch_type ‖ payload`, RLP-encoded as a byte string; the concatenation is compressed with
//! zlib (before Fjord: the first byte's low nibble is 8 or 15) or, since Fjord, written as the version byte
//! `0x01` followed by a brotli stream. Reading decompresses at most [`MAX_RLP_BYTES_PER_CHANNEL`] bytes and
//! keeps every batch that decodes wholly within them; a batch cut off by the limit or by corrupt data ends
//! the channel, and the batches before it stay valid.

use crate::params::MAX_RLP_BYTES_PER_CHANNEL;
use alloy_primitives::Bytes;
use alloy_rlp::{Decodable, Encodable};
use std::io::{Read, Write};

/// Version byte of a brotli-compressed channel (Fjord).
pub const CHANNEL_VERSION_BROTLI: u8 = 0x01;

/// How a channel's content is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// zlib (RFC 1950) without dictionary, the format before Fjord.
    Zlib,
    /// `0x01 ‖ brotli`, the Fjord format.
    Brotli,
}

/// Why a channel's content cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// The channel holds no bytes.
    #[error("channel is empty")]
    Empty,
    /// The first byte names neither zlib nor a known channel version.
    #[error("unknown channel compression, first byte {0:#04x}")]
    UnknownCompression(u8),
}

/// Compresses channel content (the RLP strings of its batches).
pub fn compress(content: &[u8], compression: Compression) -> Vec<u8> {
    match compression {
        Compression::Zlib => {
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
            // Writing to a Vec cannot fail.
            let _ = encoder.write_all(content);
            encoder.finish().unwrap_or_default()
        }
        Compression::Brotli => {
            let mut out = vec![CHANNEL_VERSION_BROTLI];
            {
                let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
                let _ = writer.write_all(content);
            }
            out
        }
    }
}

/// Which compression the channel's first byte names.
pub fn compression_of(channel: &[u8]) -> Result<Compression, ChannelError> {
    let first = *channel.first().ok_or(ChannelError::Empty)?;
    match first {
        CHANNEL_VERSION_BROTLI => Ok(Compression::Brotli),
        b if b & 0x0f == 8 || b & 0x0f == 15 => Ok(Compression::Zlib),
        b => Err(ChannelError::UnknownCompression(b)),
    }
}

/// Decompresses a channel, reading at most `limit` bytes; data after a corrupt part of the stream is lost.
pub fn decompress_with_limit(channel: &[u8], limit: usize) -> Result<Vec<u8>, ChannelError> {
    let mut out = Vec::new();
    // On a read error, read_to_end keeps the bytes read before it: those are the channel's readable prefix.
    match compression_of(channel)? {
        Compression::Zlib => {
            let _ = flate2::read::ZlibDecoder::new(channel).take(limit as u64).read_to_end(&mut out);
        }
        Compression::Brotli => {
            let _ = brotli::Decompressor::new(&channel[1..], 4096).take(limit as u64).read_to_end(&mut out);
        }
    }
    Ok(out)
}

/// Decompresses a channel with the protocol's limit, [`MAX_RLP_BYTES_PER_CHANNEL`].
pub fn decompress(channel: &[u8]) -> Result<Vec<u8>, ChannelError> {
    decompress_with_limit(channel, MAX_RLP_BYTES_PER_CHANNEL)
}

/// Writes encoded batches (`batch_type ‖ payload` each) as the channel's uncompressed content.
pub fn encode_content<'a>(batches: impl IntoIterator<Item = &'a Bytes>) -> Vec<u8> {
    let mut out = Vec::new();
    for batch in batches {
        batch.encode(&mut out);
    }
    out
}

/// Reads the encoded batches of decompressed channel content, stopping at the first item that is not a
/// whole RLP byte string.
pub fn decode_content(mut content: &[u8]) -> Vec<Bytes> {
    let mut batches = Vec::new();
    while !content.is_empty() {
        match Bytes::decode(&mut content) {
            Ok(batch) => batches.push(batch),
            Err(_) => break,
        }
    }
    batches
}

/// Decompresses a channel and reads its encoded batches.
pub fn read_channel(channel: &[u8]) -> Result<Vec<Bytes>, ChannelError> {
    Ok(decode_content(&decompress(channel)?))
}

/// Compresses encoded batches into a channel.
pub fn write_channel<'a>(batches: impl IntoIterator<Item = &'a Bytes>, compression: Compression) -> Vec<u8> {
    compress(&encode_content(batches), compression)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn batches(items: &[&[u8]]) -> Vec<Bytes> {
        items.iter().map(|b| Bytes::copy_from_slice(b)).collect()
    }

    #[test]
    fn both_compressions_are_recognised_and_read() {
        let items = batches(&[b"\x00first batch", b"\x01second", &[0x01; 1000]]);
        let zlib = write_channel(&items, Compression::Zlib);
        assert_eq!(compression_of(&zlib), Ok(Compression::Zlib));
        assert_eq!(zlib[0] & 0x0f, 8, "zlib's CMF byte names deflate");
        assert_eq!(read_channel(&zlib).unwrap(), items);
        let brotli = write_channel(&items, Compression::Brotli);
        assert_eq!(brotli[0], CHANNEL_VERSION_BROTLI);
        assert_eq!(read_channel(&brotli).unwrap(), items);
    }

    #[test]
    fn unknown_channel_versions_are_rejected() {
        assert_eq!(compression_of(&[]), Err(ChannelError::Empty));
        assert_eq!(compression_of(&[0x02, 1, 2]), Err(ChannelError::UnknownCompression(0x02)));
        assert_eq!(compression_of(&[0x0f]), Ok(Compression::Zlib));
    }

    #[test]
    fn each_batch_is_an_rlp_byte_string() {
        let content = encode_content(&batches(&[b"\x00ab", &[0x7f]]));
        // "\x00ab" is a 3-byte string (0x83 prefix); a single byte below 0x80 encodes as itself.
        assert_eq!(content, vec![0x83, 0x00, b'a', b'b', 0x7f]);
    }

    #[test]
    fn only_batches_within_the_limit_are_read() {
        let items = batches(&[&[1; 100], &[2; 100], &[3; 100]]);
        let channel = write_channel(&items, Compression::Brotli);
        let content_len = encode_content(&items).len();
        // Each item takes 2 + 100 bytes: a limit of 250 holds two whole items, the third is cut.
        let read = decode_content(&decompress_with_limit(&channel, 250).unwrap());
        assert_eq!(read, items[..2].to_vec());
        let read = decode_content(&decompress_with_limit(&channel, content_len).unwrap());
        assert_eq!(read, items);
    }

    #[test]
    fn a_corrupt_tail_keeps_the_batches_before_it() {
        let items = batches(&[&[5; 300]]);
        let mut content = encode_content(&items);
        // A truncated RLP string after a good one.
        content.extend_from_slice(&[0xb8, 0xff, 1, 2]);
        assert_eq!(decode_content(&content), items);
        let zlib = compress(&content, Compression::Zlib);
        let cut = &zlib[..zlib.len() - 3];
        assert!(decode_content(&decompress(cut).unwrap()).len() <= 1);
    }

    proptest! {
        #[test]
        fn channels_round_trip(
            items in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..6),
            brotli in any::<bool>(),
        ) {
            let items: Vec<Bytes> = items.into_iter().map(Bytes::from).collect();
            let compression = if brotli { Compression::Brotli } else { Compression::Zlib };
            let channel = write_channel(&items, compression);
            prop_assert_eq!(compression_of(&channel).unwrap(), compression);
            prop_assert_eq!(read_channel(&channel).unwrap(), items);
        }

        #[test]
        fn arbitrary_channels_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = read_channel(&data);
        }
    }
}
