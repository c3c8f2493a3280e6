//! Safety levels, with the supervisor API's wire strings.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// How safe a block (or the message it holds) is, from least to most safe; `Invalid` can never become valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SafetyLevel {
    /// Can never become valid.
    #[serde(rename = "invalid")]
    Invalid,
    /// Local-unsafe: the sequencer produced it.
    #[serde(rename = "unsafe")]
    LocalUnsafe,
    /// Every dependency, transitively, is valid in unsafe-or-better blocks.
    #[serde(rename = "cross-unsafe")]
    CrossUnsafe,
    /// Derived from L1 data, not yet cross-verified.
    #[serde(rename = "local-safe")]
    LocalSafe,
    /// Cross-safe: local-safe and every dependency is local-safe and valid.
    #[serde(rename = "safe")]
    CrossSafe,
    /// Derived from finalized L1 data and cross-safe.
    #[serde(rename = "finalized")]
    Finalized,
}

impl SafetyLevel {
    /// The wire string of this level.
    pub fn as_str(self) -> &'static str {
        match self {
            SafetyLevel::Invalid => "invalid",
            SafetyLevel::LocalUnsafe => "unsafe",
            SafetyLevel::CrossUnsafe => "cross-unsafe",
            SafetyLevel::LocalSafe => "local-safe",
            SafetyLevel::CrossSafe => "safe",
            SafetyLevel::Finalized => "finalized",
        }
    }
}

impl fmt::Display for SafetyLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not a safety level's wire string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown safety level `{0}`")]
pub struct UnknownSafetyLevel(pub String);

impl FromStr for SafetyLevel {
    type Err = UnknownSafetyLevel;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "invalid" => SafetyLevel::Invalid,
            "unsafe" => SafetyLevel::LocalUnsafe,
            "cross-unsafe" => SafetyLevel::CrossUnsafe,
            "local-safe" => SafetyLevel::LocalSafe,
            "safe" => SafetyLevel::CrossSafe,
            "finalized" => SafetyLevel::Finalized,
            other => return Err(UnknownSafetyLevel(other.to_string())),
        })
    }
}
