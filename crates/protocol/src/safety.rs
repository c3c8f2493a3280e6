//! Safety levels of blocks and messages, weakest to strongest, with their wire strings.
//!
//! ```text
//! invalid < unsafe < cross-unsafe < local-safe < safe < finalized
//! ```
//!
//! `Invalid` sorts below every other level, so "is this at least `level`?" is `self >= level` for any
//! `level` other than `Invalid`; [`SafetyLevel::is_at_least`] additionally answers `false` for an invalid
//! value whatever the minimum, since nothing invalid ever satisfies a safety requirement.

use std::fmt;
use std::str::FromStr;

/// How safe a block, or a message in it, is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SafetyLevel {
    /// Can never become valid: it contradicts the data of its source chain.
    Invalid,
    /// Local-unsafe: the sequencer produced it; nothing has been checked across chains.
    Unsafe,
    /// Unsafe, and every message it executes points, transitively, at valid logs of unsafe-or-better blocks.
    CrossUnsafe,
    /// Derived from L1 data, without cross-chain checks.
    LocalSafe,
    /// Cross-safe: local-safe, and every dependency local-safe and valid.
    Safe,
    /// Cross-safe and derived from finalized L1 data.
    Finalized,
}

impl SafetyLevel {
    /// Every level, weakest first.
    pub const ALL: [Self; 6] =
        [Self::Invalid, Self::Unsafe, Self::CrossUnsafe, Self::LocalSafe, Self::Safe, Self::Finalized];

    /// The wire string of the level.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::Unsafe => "unsafe",
            Self::CrossUnsafe => "cross-unsafe",
            Self::LocalSafe => "local-safe",
            Self::Safe => "safe",
            Self::Finalized => "finalized",
        }
    }

    /// Whether this level satisfies a requirement of at least `min`. An invalid level satisfies nothing.
    pub fn is_at_least(&self, min: Self) -> bool {
        *self != Self::Invalid && *self >= min
    }
}

impl fmt::Display for SafetyLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no safety level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown safety level {0:?}; expected one of unsafe, cross-unsafe, local-safe, safe, finalized, invalid"
)]
pub struct SafetyLevelParseError(pub String);

impl FromStr for SafetyLevel {
    type Err = SafetyLevelParseError;

    /// Accepts the wire strings and the names the supervisor RPC and Go/Rust implementations also use:
    /// `localUnsafe`/`local-unsafe` for `unsafe`, `crossUnsafe`, `localSafe`, `crossSafe`/`cross-safe` for
    /// `safe`, and the run-together spellings (`crossunsafe`, `localsafe`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "invalid" => Self::Invalid,
            "unsafe" | "local-unsafe" | "localUnsafe" | "localunsafe" => Self::Unsafe,
            "cross-unsafe" | "crossUnsafe" | "crossunsafe" => Self::CrossUnsafe,
            "local-safe" | "localSafe" | "localsafe" => Self::LocalSafe,
            "safe" | "cross-safe" | "crossSafe" | "crosssafe" => Self::Safe,
            "finalized" => Self::Finalized,
            other => return Err(SafetyLevelParseError(other.to_owned())),
        })
    }
}

impl serde::Serialize for SafetyLevel {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for SafetyLevel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn levels_are_ordered_from_invalid_to_finalized() {
        use SafetyLevel::*;
        assert!(Invalid < Unsafe);
        assert!(Unsafe < CrossUnsafe);
        assert!(CrossUnsafe < LocalSafe);
        assert!(LocalSafe < Safe);
        assert!(Safe < Finalized);
        let mut sorted = SafetyLevel::ALL;
        sorted.sort();
        assert_eq!(sorted, SafetyLevel::ALL);
    }

    #[test]
    fn an_invalid_level_satisfies_no_requirement() {
        for min in SafetyLevel::ALL {
            assert!(!SafetyLevel::Invalid.is_at_least(min));
        }
        assert!(SafetyLevel::Safe.is_at_least(SafetyLevel::LocalSafe));
        assert!(!SafetyLevel::LocalSafe.is_at_least(SafetyLevel::Safe));
        assert!(SafetyLevel::Unsafe.is_at_least(SafetyLevel::Invalid));
    }

    #[test]
    fn the_wire_strings_are_the_specs() {
        let wire: Vec<&str> = SafetyLevel::ALL.iter().map(SafetyLevel::as_str).collect();
        assert_eq!(wire, ["invalid", "unsafe", "cross-unsafe", "local-safe", "safe", "finalized"]);
    }

    #[test]
    fn aliases_parse_to_their_level() {
        assert_eq!("localUnsafe".parse(), Ok(SafetyLevel::Unsafe));
        assert_eq!("local-unsafe".parse(), Ok(SafetyLevel::Unsafe));
        assert_eq!("crossUnsafe".parse(), Ok(SafetyLevel::CrossUnsafe));
        assert_eq!("localSafe".parse(), Ok(SafetyLevel::LocalSafe));
        assert_eq!("crossSafe".parse(), Ok(SafetyLevel::Safe));
        assert_eq!("cross-safe".parse(), Ok(SafetyLevel::Safe));
    }

    #[test]
    fn an_unknown_string_is_an_error_naming_it() {
        let err = "latest".parse::<SafetyLevel>().unwrap_err();
        assert_eq!(err, SafetyLevelParseError("latest".into()));
        assert!(err.to_string().contains("\"latest\""));
        assert!(serde_json::from_str::<SafetyLevel>("\"Safe\"").is_err());
    }

    proptest! {
        #[test]
        fn a_level_survives_its_string_and_json(index in 0usize..6) {
            let level = SafetyLevel::ALL[index];
            prop_assert_eq!(level.to_string().parse::<SafetyLevel>(), Ok(level));
            let json = serde_json::to_string(&level).unwrap();
            prop_assert_eq!(&json, &format!("\"{}\"", level.as_str()));
            prop_assert_eq!(serde_json::from_str::<SafetyLevel>(&json).unwrap(), level);
        }

        #[test]
        fn arbitrary_strings_parse_only_if_they_name_a_level(text in "[a-zA-Z-]{0,14}") {
            if let Ok(level) = text.parse::<SafetyLevel>() {
                // Whatever was accepted names the level under one of its spellings.
                let normalised = text.to_ascii_lowercase().replace('-', "");
                let canonical = level.as_str().replace('-', "");
                let spellings = [canonical.clone(), format!("local{canonical}"), format!("cross{canonical}")];
                prop_assert!(spellings.contains(&normalised), "{} parsed as {}", text, level);
            }
        }
    }
}
