//! The dependency set: the chains whose logs a chain may execute, with their interop activation times and
//! the message expiry window.
//!
//! JSON shape, as the Go and Rust supervisors read it:
//!
//! ```json
//! {"dependencies": {"901": {}, "902": {"activationTime": 1700000000}}, "overrideMessageExpiryWindow": 0}
//! ```
//!
//! Keys are chain IDs in decimal (or `0x`-prefixed hex); each value may carry `activationTime` (the first
//! timestamp at which the chain takes part in interop), `historyMinTime` (the oldest timestamp whose logs
//! must be kept) and `chainIndex` (a short index some implementations use); all default to absent/zero.
//! `overrideMessageExpiryWindow` replaces the 7-day window when non-zero; it may shorten the window (for
//! tests) but never lengthen it. Unknown per-chain fields are rejected, so a misspelt `activationTime` cannot
//! silently become 0. A chain ID that appears twice (also under two spellings of the same value),
//! is empty, is zero, has a sign or other characters, or exceeds `U256` is rejected.

use alloy_primitives::U256;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The protocol's message expiry window: 7 days, in seconds.
pub const MESSAGE_EXPIRY_WINDOW: u64 = 7 * 24 * 60 * 60;

/// What the dependency set records about one chain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainDependency {
    /// The first timestamp at which the chain takes part in interop (0: from genesis).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub activation_time: u64,
    /// The oldest timestamp whose logs must stay available for execution (0: all history).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub history_min_time: u64,
    /// A short index of the chain, when the configuration assigns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain_index: Option<u32>,
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// Why a dependency set configuration is rejected.
#[derive(Debug, thiserror::Error)]
pub enum DependencySetError {
    /// The text is not JSON of the expected shape.
    #[error("dependency set is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    /// A key of `dependencies` is not a chain ID.
    #[error("dependency set key {key:?} is not a chain ID: {reason}")]
    MalformedChainId {
        /// The key as written.
        key: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two keys of `dependencies` name the same chain.
    #[error("dependency set lists chain {chain_id} twice (as {first:?} and {second:?})")]
    DuplicateChainId {
        /// The chain.
        chain_id: U256,
        /// Its first spelling.
        first: String,
        /// Its second spelling.
        second: String,
    },
    /// `overrideMessageExpiryWindow` exceeds the protocol's window.
    #[error("overrideMessageExpiryWindow {0}s exceeds the protocol's window of {MESSAGE_EXPIRY_WINDOW}s")]
    ExpiryWindowTooLong(u64),
}

/// The chains of a dependency set and the message expiry window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DependencySet {
    chains: BTreeMap<U256, ChainDependency>,
    override_message_expiry_window: u64,
}

impl DependencySet {
    /// A dependency set of the given chains, all active from genesis, with the protocol's expiry window.
    /// Duplicates are rejected.
    pub fn new(chain_ids: impl IntoIterator<Item = U256>) -> Result<Self, DependencySetError> {
        let mut set = Self::default();
        for chain_id in chain_ids {
            set.insert(chain_id, ChainDependency::default())?;
        }
        Ok(set)
    }

    /// Adds a chain; an error if it is already in the set or its ID is zero.
    pub fn insert(&mut self, chain_id: U256, dependency: ChainDependency) -> Result<(), DependencySetError> {
        if chain_id.is_zero() {
            return Err(DependencySetError::MalformedChainId {
                key: "0".into(),
                reason: "chain ID 0 is reserved",
            });
        }
        if self.chains.contains_key(&chain_id) {
            let spelled = chain_id.to_string();
            return Err(DependencySetError::DuplicateChainId {
                chain_id,
                first: spelled.clone(),
                second: spelled,
            });
        }
        self.chains.insert(chain_id, dependency);
        Ok(())
    }

    /// The same set with the expiry window overridden (`0` restores the protocol's window).
    pub fn with_message_expiry_window(mut self, window: u64) -> Result<Self, DependencySetError> {
        if window > MESSAGE_EXPIRY_WINDOW {
            return Err(DependencySetError::ExpiryWindowTooLong(window));
        }
        self.override_message_expiry_window = window;
        Ok(self)
    }

    /// Parses the JSON configuration.
    pub fn from_json(json: &str) -> Result<Self, DependencySetError> {
        let raw: RawDependencySet = serde_json::from_str(json)?;
        raw.validate()
    }

    /// The JSON configuration, in the shape [`DependencySet::from_json`] reads.
    pub fn to_json(&self) -> String {
        // Serialising maps with string keys and plain structs cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Whether the chain is in the set.
    pub fn contains(&self, chain_id: U256) -> bool {
        self.chains.contains_key(&chain_id)
    }

    /// The chains of the set, ascending.
    pub fn chain_ids(&self) -> Vec<U256> {
        self.chains.keys().copied().collect()
    }

    /// The number of chains in the set.
    pub fn len(&self) -> usize {
        self.chains.len()
    }

    /// Whether the set has no chain.
    pub fn is_empty(&self) -> bool {
        self.chains.is_empty()
    }

    /// What the set records about a chain.
    pub fn chain(&self, chain_id: U256) -> Option<&ChainDependency> {
        self.chains.get(&chain_id)
    }

    /// The chains and what the set records about them, ascending by chain ID.
    pub fn chains(&self) -> impl Iterator<Item = (U256, &ChainDependency)> {
        self.chains.iter().map(|(id, dep)| (*id, dep))
    }

    /// The interop activation time of a chain of the set.
    pub fn activation_time(&self, chain_id: U256) -> Option<u64> {
        self.chains.get(&chain_id).map(|dep| dep.activation_time)
    }

    /// Whether interop is active on the chain at `timestamp` (false for a chain outside the set).
    pub fn is_active_at(&self, chain_id: U256, timestamp: u64) -> bool {
        self.activation_time(chain_id).is_some_and(|activation| timestamp >= activation)
    }

    /// The message expiry window in seconds: the override when set, else [`MESSAGE_EXPIRY_WINDOW`].
    pub fn message_expiry_window(&self) -> u64 {
        if self.override_message_expiry_window == 0 {
            MESSAGE_EXPIRY_WINDOW
        } else {
            self.override_message_expiry_window
        }
    }
}

/// Parses a chain ID as written in configuration: decimal digits, or `0x` then hex digits.
pub fn parse_chain_id(text: &str) -> Result<U256, DependencySetError> {
    let malformed = |reason| DependencySetError::MalformedChainId { key: text.to_owned(), reason };
    let (digits, radix) = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => (hex, 16),
        None => (text, 10),
    };
    if digits.is_empty() {
        return Err(malformed("no digits"));
    }
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(malformed(if radix == 16 { "not a hex number" } else { "not a decimal number" }));
    }
    let value =
        U256::from_str_radix(digits, u64::from(radix)).map_err(|_| malformed("does not fit in 256 bits"))?;
    if value.is_zero() {
        return Err(malformed("chain ID 0 is reserved"));
    }
    Ok(value)
}

/// The JSON as written, keys unparsed and in order, so duplicates can be reported.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawDependencySet {
    dependencies: OrderedEntries,
    #[serde(default)]
    override_message_expiry_window: Option<u64>,
}

impl RawDependencySet {
    fn validate(self) -> Result<DependencySet, DependencySetError> {
        let mut set = DependencySet::default();
        let mut spellings: BTreeMap<U256, String> = BTreeMap::new();
        for (key, dependency) in self.dependencies.0 {
            let chain_id = parse_chain_id(&key)?;
            if let Some(first) = spellings.get(&chain_id) {
                return Err(DependencySetError::DuplicateChainId {
                    chain_id,
                    first: first.clone(),
                    second: key,
                });
            }
            spellings.insert(chain_id, key);
            set.chains.insert(chain_id, dependency);
        }
        set.with_message_expiry_window(self.override_message_expiry_window.unwrap_or(0))
    }
}

struct OrderedEntries(Vec<(String, ChainDependency)>);

impl<'de> Deserialize<'de> for OrderedEntries {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = OrderedEntries;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object from chain ID to chain dependency")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<String, ChainDependency>()? {
                    entries.push(entry);
                }
                Ok(OrderedEntries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

impl Serialize for DependencySet {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The chains keyed by decimal chain ID, in ascending numeric order.
        struct Dependencies<'a>(&'a BTreeMap<U256, ChainDependency>);
        impl Serialize for Dependencies<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_map(self.0.iter().map(|(id, dep)| (id.to_string(), dep)))
            }
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire<'a> {
            dependencies: Dependencies<'a>,
            override_message_expiry_window: u64,
        }
        Wire {
            dependencies: Dependencies(&self.chains),
            override_message_expiry_window: self.override_message_expiry_window,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for DependencySet {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RawDependencySet::deserialize(deserializer)?.validate().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::any_chain_id;
    use proptest::prelude::*;

    #[test]
    fn the_supervisor_shape_parses() {
        let set = DependencySet::from_json(
            r#"{"dependencies": {"902": {}, "901": {}}, "overrideMessageExpiryWindow": 0}"#,
        )
        .unwrap();
        assert_eq!(set.chain_ids(), vec![U256::from(901), U256::from(902)]);
        assert!(set.contains(U256::from(901)));
        assert!(!set.contains(U256::from(903)));
        assert_eq!(set.message_expiry_window(), 604_800);
    }

    #[test]
    fn chain_ids_are_listed_in_numeric_not_textual_order() {
        let set = DependencySet::from_json(r#"{"dependencies": {"10": {}, "9": {}, "100": {}}}"#).unwrap();
        assert_eq!(set.chain_ids(), vec![U256::from(9), U256::from(10), U256::from(100)]);
    }

    #[test]
    fn an_absent_or_zero_override_means_seven_days() {
        let absent = DependencySet::from_json(r#"{"dependencies": {"1": {}}}"#).unwrap();
        assert_eq!(absent.message_expiry_window(), 7 * 24 * 3600);
        let null =
            DependencySet::from_json(r#"{"dependencies": {"1": {}}, "overrideMessageExpiryWindow": null}"#);
        assert_eq!(null.unwrap().message_expiry_window(), MESSAGE_EXPIRY_WINDOW);
        let short =
            DependencySet::from_json(r#"{"dependencies": {"1": {}}, "overrideMessageExpiryWindow": 15}"#)
                .unwrap();
        assert_eq!(short.message_expiry_window(), 15);
    }

    #[test]
    fn an_override_longer_than_seven_days_is_rejected() {
        let err =
            DependencySet::from_json(r#"{"dependencies": {"1": {}}, "overrideMessageExpiryWindow": 604801}"#)
                .unwrap_err();
        assert!(matches!(err, DependencySetError::ExpiryWindowTooLong(604_801)));
    }

    #[test]
    fn per_chain_activation_times_are_read() {
        let set = DependencySet::from_json(
            r#"{"dependencies": {"901": {"activationTime": 1000, "historyMinTime": 10, "chainIndex": 1}, "902": {}}}"#,
        )
        .unwrap();
        assert_eq!(set.activation_time(U256::from(901)), Some(1000));
        assert_eq!(set.activation_time(U256::from(902)), Some(0));
        assert_eq!(set.activation_time(U256::from(903)), None);
        assert_eq!(set.chain(U256::from(901)).unwrap().history_min_time, 10);
        assert_eq!(set.chain(U256::from(901)).unwrap().chain_index, Some(1));
        assert!(!set.is_active_at(U256::from(901), 999));
        assert!(set.is_active_at(U256::from(901), 1000));
        assert!(!set.is_active_at(U256::from(903), 5000));
    }

    #[test]
    fn a_chain_listed_twice_is_rejected() {
        let err = DependencySet::from_json(r#"{"dependencies": {"901": {}, "901": {}}}"#).unwrap_err();
        assert!(
            matches!(err, DependencySetError::DuplicateChainId { chain_id, .. } if chain_id == U256::from(901))
        );
    }

    #[test]
    fn a_chain_listed_under_two_spellings_is_rejected() {
        let err = DependencySet::from_json(r#"{"dependencies": {"901": {}, "0x385": {}}}"#).unwrap_err();
        match err {
            DependencySetError::DuplicateChainId { chain_id, first, second } => {
                assert_eq!(chain_id, U256::from(901));
                assert_eq!((first.as_str(), second.as_str()), ("901", "0x385"));
            }
            other => panic!("expected a duplicate, got {other}"),
        }
    }

    #[test]
    fn malformed_chain_ids_are_rejected_with_the_key() {
        for key in [
            "",
            "abc",
            "-1",
            "+5",
            " 901",
            "1.5",
            "0x",
            "0xzz",
            "0",
            "115792089237316195423570985008687907853269984665640564039457584007913129639936",
        ] {
            let json = format!(r#"{{"dependencies": {{"{key}": {{}}}}}}"#);
            match DependencySet::from_json(&json) {
                Err(DependencySetError::MalformedChainId { key: got, .. }) => assert_eq!(got, key),
                other => panic!("{key:?}: expected a malformed chain ID, got {other:?}"),
            }
        }
    }

    #[test]
    fn malformed_json_and_unknown_chain_fields_are_rejected() {
        assert!(matches!(DependencySet::from_json("{"), Err(DependencySetError::Json(_))));
        assert!(matches!(DependencySet::from_json(r#"{"chains": {}}"#), Err(DependencySetError::Json(_))));
        assert!(matches!(
            DependencySet::from_json(r#"{"dependencies": {"1": {"activationTme": 5}}}"#),
            Err(DependencySetError::Json(_))
        ));
    }

    #[test]
    fn serde_applies_the_same_validation() {
        let err =
            serde_json::from_str::<DependencySet>(r#"{"dependencies": {"1": {}, "0x1": {}}}"#).unwrap_err();
        assert!(err.to_string().contains("twice"));
    }

    #[test]
    fn the_written_json_is_the_supervisor_shape() {
        let set = DependencySet::new([U256::from(902), U256::from(901)]).unwrap();
        let json: serde_json::Value = serde_json::from_str(&set.to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"dependencies": {"901": {}, "902": {}}, "overrideMessageExpiryWindow": 0})
        );
    }

    #[test]
    fn building_a_set_rejects_duplicates_and_zero() {
        assert!(matches!(
            DependencySet::new([U256::from(1), U256::from(1)]),
            Err(DependencySetError::DuplicateChainId { .. })
        ));
        assert!(matches!(DependencySet::new([U256::ZERO]), Err(DependencySetError::MalformedChainId { .. })));
    }

    proptest! {
        #[test]
        fn a_set_survives_its_json(
            chains in proptest::collection::btree_map(any_chain_id(), (any::<u64>(), any::<bool>()), 0..8),
            window in 0u64..=MESSAGE_EXPIRY_WINDOW,
        ) {
            let mut set = DependencySet::default();
            for (chain_id, (activation_time, indexed)) in &chains {
                if chain_id.is_zero() { continue; }
                let dependency = ChainDependency {
                    activation_time: *activation_time,
                    history_min_time: activation_time / 2,
                    chain_index: indexed.then_some(7),
                };
                set.insert(*chain_id, dependency).unwrap();
            }
            let set = set.with_message_expiry_window(window).unwrap();
            prop_assert_eq!(DependencySet::from_json(&set.to_json()).unwrap(), set);
        }
    }
}
