//! JSON spellings of numbers shared with the Go and Rust supervisors: hex quantities (`"0x1a"`) for block
//! numbers, log indices and timestamps, and decimal strings (`"901"`) for chain IDs where they use them.
//!
//! Readers are lenient: a hex or decimal string, or a plain JSON number, is accepted wherever a number is.

use alloy_primitives::{U64, U256};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `u64` as a hex quantity.
pub(crate) mod hex_u64 {
    use super::*;

    /// Writes `"0x…"`.
    pub(crate) fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        U64::from(*value).serialize(serializer)
    }

    /// Reads a hex or decimal string, or a number.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        Ok(U64::deserialize(deserializer)?.to::<u64>())
    }
}

/// A `u32` as a hex quantity.
pub(crate) mod hex_u32 {
    use super::*;

    /// Writes `"0x…"`.
    pub(crate) fn serialize<S: Serializer>(value: &u32, serializer: S) -> Result<S::Ok, S::Error> {
        U64::from(*value).serialize(serializer)
    }

    /// Reads a hex or decimal string, or a number; an error above `u32::MAX`.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        let value = U64::deserialize(deserializer)?;
        u32::try_from(value).map_err(|_| serde::de::Error::custom(format!("{value} does not fit in 32 bits")))
    }
}

/// A `U256` as a decimal string.
pub(crate) mod decimal_u256 {
    use super::*;

    /// Writes `"901"`.
    pub(crate) fn serialize<S: Serializer>(value: &U256, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    /// Reads a decimal or hex string, or a number.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<U256, D::Error> {
        U256::deserialize(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Numbers {
        #[serde(with = "hex_u64")]
        block: u64,
        #[serde(with = "hex_u32")]
        index: u32,
        #[serde(with = "decimal_u256")]
        chain: U256,
    }

    #[test]
    fn numbers_are_written_as_the_supervisors_write_them() {
        let numbers = Numbers { block: 26, index: 3, chain: U256::MAX };
        let json = serde_json::to_value(&numbers).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"block": "0x1a", "index": "0x3", "chain": U256::MAX.to_string()})
        );
        assert_eq!(serde_json::from_value::<Numbers>(json).unwrap(), numbers);
    }

    #[test]
    fn readers_accept_hex_decimal_and_plain_numbers() {
        let numbers: Numbers =
            serde_json::from_str(r#"{"block": 26, "index": "3", "chain": "0x385"}"#).unwrap();
        assert_eq!(numbers, Numbers { block: 26, index: 3, chain: U256::from(901) });
    }

    #[test]
    fn a_log_index_above_u32_is_rejected() {
        let err = serde_json::from_str::<Numbers>(r#"{"block": 1, "index": "0x100000000", "chain": "1"}"#);
        assert!(err.unwrap_err().to_string().contains("32 bits"));
    }
}
