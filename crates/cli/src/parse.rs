//! Parsers for command-line values: numbers in decimal or `0x` hex, hex bytes, `CHAIN_ID:OUTPUT_ROOT` pairs,
//! durations.
//!
//! Each returns a message that names the offending text, so clap can print it in one line and exit with 2.

use std::time::Duration;

use alloy_primitives::{B256, Bytes, U256, hex};

/// Parses an unsigned 256-bit number written in decimal or as `0x`-prefixed hex.
pub fn u256(text: &str) -> Result<U256, String> {
    let t = text.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(digits) if !digits.is_empty() => U256::from_str_radix(digits, 16),
        Some(_) => return Err(format!("`{text}` is not a number")),
        None if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) => U256::from_str_radix(t, 10),
        None => return Err(format!("`{text}` is not a number (decimal or 0x-hex)")),
    };
    parsed.map_err(|_| format!("`{text}` does not fit in 256 bits"))
}

/// Parses a number that must fit in a `u64`.
pub fn u64(text: &str) -> Result<u64, String> {
    let value = u256(text)?;
    u64::try_from(value).map_err(|_| format!("`{text}` does not fit in 64 bits"))
}

/// Parses a number that must fit in a `u32`.
pub fn u32(text: &str) -> Result<u32, String> {
    let value = u256(text)?;
    u32::try_from(value).map_err(|_| format!("`{text}` does not fit in 32 bits"))
}

/// Parses hex bytes, with or without `0x`.
pub fn bytes(text: &str) -> Result<Bytes, String> {
    hex::decode(text.trim()).map(Bytes::from).map_err(|e| format!("`{text}` is not hex bytes: {e}"))
}

/// Parses a 32-byte hash in hex.
pub fn b256(text: &str) -> Result<B256, String> {
    let raw = hex::decode(text.trim()).map_err(|e| format!("`{text}` is not a 32-byte hex hash: {e}"))?;
    if raw.len() != 32 {
        return Err(format!("`{text}` is {} bytes long, a hash is 32", raw.len()));
    }
    Ok(B256::from_slice(&raw))
}

/// Parses `CHAIN_ID:OUTPUT_ROOT`.
pub fn chain_output(text: &str) -> Result<(U256, B256), String> {
    let (chain, root) =
        text.split_once(':').ok_or_else(|| format!("`{text}` is not CHAIN_ID:OUTPUT_ROOT"))?;
    Ok((u256(chain)?, b256(root)?))
}

/// Parses a duration: whole milliseconds with `ms` (`500ms`), or seconds with `s` or no unit (`2s`, `2`,
/// `1.5s`).
pub fn duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("`{text}` is not a duration (such as 2s, 1.5s, 500ms, 10m or 2h)");
    if let Some(ms) = t.strip_suffix("ms") {
        return ms.trim().parse::<u64>().map(Duration::from_millis).map_err(|_| bad());
    }
    let (number, unit) = match t.strip_suffix('m').or_else(|| t.strip_suffix("min")) {
        Some(minutes) => (minutes, 60.0),
        None => match t.strip_suffix('h') {
            Some(hours) => (hours, 3_600.0),
            None => (t.strip_suffix('s').unwrap_or(t), 1.0),
        },
    };
    let amount: f64 = number.trim().parse().map_err(|_| bad())?;
    Duration::try_from_secs_f64(amount * unit).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_hours_minutes_seconds_or_milliseconds() {
        assert_eq!(duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(duration("1.5s"), Ok(Duration::from_millis(1_500)));
        assert_eq!(duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(duration("1.5h"), Ok(Duration::from_secs(5_400)));
        for bad in ["", "fast", "-1s", "2 minutes", "1.5ms", "m", "-2h"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_parse_in_decimal_and_hex() {
        assert_eq!(u256("901").unwrap(), U256::from(901));
        assert_eq!(u256("0x385").unwrap(), U256::from(901));
        assert_eq!(u64("18446744073709551615").unwrap(), u64::MAX);
        assert!(u64("18446744073709551616").unwrap_err().contains("64 bits"));
        assert!(u32("0x100000000").unwrap_err().contains("32 bits"));
        assert!(u256("12a").is_err());
        assert!(u256("0x").is_err());
        assert!(u256("-1").is_err());
        assert!(u256(&format!("0x1{}", "0".repeat(64))).unwrap_err().contains("256 bits"));
    }

    #[test]
    fn hashes_must_be_32_bytes() {
        assert!(b256("0x00").unwrap_err().contains("1 bytes"));
        assert!(b256("0xzz").is_err());
        let h = format!("0x{}", "ab".repeat(32));
        assert_eq!(b256(&h).unwrap(), B256::repeat_byte(0xab));
    }

    #[test]
    fn chain_output_pairs_split_on_colon() {
        let text = format!("902:0x{}", "11".repeat(32));
        assert_eq!(chain_output(&text).unwrap(), (U256::from(902), B256::repeat_byte(0x11)));
        assert!(chain_output("902").is_err());
    }
}
