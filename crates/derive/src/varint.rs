//! The fixed encodings of span batches: unsigned base-128 varints and standard bit lists.
//!
//! A uvarint is protobuf's: seven bits a byte, least significant group first, high bit set on every byte
//! but the last. A bit list of `n` bits is a big-endian integer left-padded with zeroes to `ceil(n / 8)`
//! bytes, where bit `i` of the list is bit `i` of the integer (the last byte's lowest bit is bit 0).

/// Why a span batch field could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The input ended inside the field.
    #[error("{field}: input ends early")]
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// A uvarint does not fit in 64 bits.
    #[error("{field}: varint overflows 64 bits")]
    VarintOverflow {
        /// The field being read.
        field: &'static str,
    },
    /// A bit list has bits set beyond its length.
    #[error("{field}: bit list has bits set past its {len} bits")]
    BitListTooLong {
        /// The field being read.
        field: &'static str,
        /// The list's length in bits.
        len: usize,
    },
}

/// Appends the uvarint encoding of `value`.
pub fn write_uvarint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a uvarint from the front of `input`, advancing it.
pub fn read_uvarint(input: &mut &[u8], field: &'static str) -> Result<u64, ReadError> {
    let mut value: u64 = 0;
    for i in 0..10 {
        let (&byte, rest) = input.split_first().ok_or(ReadError::Truncated { field })?;
        *input = rest;
        let low = u64::from(byte & 0x7f);
        // The tenth byte may only carry the 64th bit.
        if i == 9 && byte > 1 {
            return Err(ReadError::VarintOverflow { field });
        }
        value |= low << (7 * i);
        if byte < 0x80 {
            return Ok(value);
        }
    }
    Err(ReadError::VarintOverflow { field })
}

/// Appends a standard bit list.
pub fn write_bits(out: &mut Vec<u8>, bits: &[bool]) {
    let len = bits.len().div_ceil(8);
    let start = out.len();
    out.resize(start + len, 0);
    for (i, _) in bits.iter().enumerate().filter(|(_, set)| **set) {
        out[start + len - 1 - i / 8] |= 1 << (i % 8);
    }
}

/// Reads a standard bit list of `count` bits from the front of `input`, advancing it.
pub fn read_bits(input: &mut &[u8], count: usize, field: &'static str) -> Result<Vec<bool>, ReadError> {
    let len = count.div_ceil(8);
    if input.len() < len {
        return Err(ReadError::Truncated { field });
    }
    let (bytes, rest) = input.split_at(len);
    *input = rest;
    if !count.is_multiple_of(8) && bytes[0] >> (count % 8) != 0 {
        return Err(ReadError::BitListTooLong { field, len: count });
    }
    Ok((0..count).map(|i| bytes[len - 1 - i / 8] >> (i % 8) & 1 == 1).collect())
}

/// Takes `len` bytes from the front of `input`.
pub fn read_exact<'a>(input: &mut &'a [u8], len: usize, field: &'static str) -> Result<&'a [u8], ReadError> {
    if input.len() < len {
        return Err(ReadError::Truncated { field });
    }
    let (bytes, rest) = input.split_at(len);
    *input = rest;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uvarints_match_protobuf() {
        let cases: [(u64, &[u8]); 5] = [
            (0, &[0x00]),
            (1, &[0x01]),
            (127, &[0x7f]),
            (300, &[0xac, 0x02]),
            (u64::MAX, &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
        ];
        for (value, bytes) in cases {
            let mut out = Vec::new();
            write_uvarint(&mut out, value);
            assert_eq!(out, bytes, "{value}");
            assert_eq!(read_uvarint(&mut &out[..], "v"), Ok(value));
        }
        let too_big = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(read_uvarint(&mut &too_big[..], "v"), Err(ReadError::VarintOverflow { field: "v" }));
        assert_eq!(read_uvarint(&mut &[0x80][..], "v"), Err(ReadError::Truncated { field: "v" }));
    }

    #[test]
    fn bit_lists_are_big_endian_integers() {
        // Bits 0 and 9 set in a list of 10: the integer 0b10_0000_0001 in two bytes.
        let mut bits = vec![false; 10];
        bits[0] = true;
        bits[9] = true;
        let mut out = Vec::new();
        write_bits(&mut out, &bits);
        assert_eq!(out, vec![0x02, 0x01]);
        assert_eq!(read_bits(&mut &out[..], 10, "b"), Ok(bits));
        // Bit 10 set is past a 10-bit list.
        assert_eq!(
            read_bits(&mut &[0x04, 0x00][..], 10, "b"),
            Err(ReadError::BitListTooLong { field: "b", len: 10 })
        );
    }

    proptest! {
        #[test]
        fn uvarints_round_trip(value in any::<u64>()) {
            let mut out = Vec::new();
            write_uvarint(&mut out, value);
            let mut input = &out[..];
            prop_assert_eq!(read_uvarint(&mut input, "v").unwrap(), value);
            prop_assert!(input.is_empty());
        }

        #[test]
        fn bit_lists_round_trip(bits in proptest::collection::vec(any::<bool>(), 0..70)) {
            let mut out = Vec::new();
            write_bits(&mut out, &bits);
            prop_assert_eq!(out.len(), bits.len().div_ceil(8));
            let mut input = &out[..];
            prop_assert_eq!(read_bits(&mut input, bits.len(), "b").unwrap(), bits);
            prop_assert!(input.is_empty());
        }
    }
}
