//! Access-list entries: how a transaction pre-declares, as storage keys of `CrossL2Inbox`, every message
//! it executes.
//!
//! Each executing message takes two or three 32-byte entries, typed by their first byte:
//!
//! ```text
//! type 1, lookup:             01 | 00 00 00 | chainId u64 BE | blockNumber u64 BE | timestamp u64 BE | logIndex u32 BE
//! type 2, chain-ID extension: 02 | 00 * 7   | upper 24 bytes of chainId        (only when chainId > u64::MAX)
//! type 3, checksum:           03 | bare[1..32]
//!
//! logHash   = keccak256(origin ++ msgHash)
//! idLogHash = keccak256(logHash ++ 00 * 12 ++ blockNumber u64 ++ timestamp u64 ++ logIndex u32)
//! bare      = keccak256(idLogHash ++ chainId u256)
//! ```
//!
//! The order is always lookup, optional extension, checksum. `CrossL2Inbox` only checks that the checksum's
//! slot is warm; nodes resolve the lookup to the log, recompute the checksum and compare.
//!
//! The parser is strict: it also rejects an extension entry whose 24 bytes are all zero, since the encoder
//! never writes one (such a chain ID fits in the lookup alone).

use crate::identifier::Identifier;
use crate::message::log_hash;
use crate::predeploys::CROSS_L2_INBOX;
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{Address, B256, U256, keccak256};

/// The type byte of a lookup entry.
pub const LOOKUP_ENTRY_TYPE: u8 = 1;
/// The type byte of a chain-ID extension entry.
pub const CHAIN_ID_EXTENSION_ENTRY_TYPE: u8 = 2;
/// The type byte of a checksum entry.
pub const CHECKSUM_ENTRY_TYPE: u8 = 3;

/// Where a log is, as an access list declares it: everything of an [`Identifier`] except the origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lookup {
    /// The chain of the log, with the extension entry (if any) applied.
    pub chain_id: U256,
    /// The number of the block that holds the log.
    pub block_number: u64,
    /// The timestamp of that block.
    pub timestamp: u64,
    /// The index of the log among all logs of its block.
    pub log_index: u32,
}

impl Lookup {
    /// The lookup part of an identifier.
    pub fn of(id: &Identifier) -> Self {
        Self {
            chain_id: id.chain_id,
            block_number: id.block_number,
            timestamp: id.timestamp,
            log_index: id.log_index,
        }
    }

    /// The identifier of the log this lookup points at, given its emitter.
    pub fn to_identifier(&self, origin: Address) -> Identifier {
        Identifier {
            origin,
            block_number: self.block_number,
            log_index: self.log_index,
            timestamp: self.timestamp,
            chain_id: self.chain_id,
        }
    }

    /// The checksum entry of a log at this place whose `logHash` is `log_hash`.
    pub fn checksum(&self, log_hash: B256) -> B256 {
        let mut id_preimage = [0u8; 32 + 12 + 8 + 8 + 4];
        id_preimage[..32].copy_from_slice(log_hash.as_slice());
        id_preimage[44..52].copy_from_slice(&self.block_number.to_be_bytes());
        id_preimage[52..60].copy_from_slice(&self.timestamp.to_be_bytes());
        id_preimage[60..64].copy_from_slice(&self.log_index.to_be_bytes());
        let id_log_hash = keccak256(id_preimage);

        let mut bare_preimage = [0u8; 64];
        bare_preimage[..32].copy_from_slice(id_log_hash.as_slice());
        bare_preimage[32..].copy_from_slice(&self.chain_id.to_be_bytes::<32>());
        let mut checksum = keccak256(bare_preimage);
        checksum[0] = CHECKSUM_ENTRY_TYPE;
        checksum
    }

    /// The lookup entry (type 1): the low 64 bits of the chain ID, block number, timestamp and log index.
    pub fn lookup_entry(&self) -> B256 {
        let mut entry = B256::ZERO;
        entry[0] = LOOKUP_ENTRY_TYPE;
        entry[4..12].copy_from_slice(&self.chain_id.to_be_bytes::<32>()[24..]);
        entry[12..20].copy_from_slice(&self.block_number.to_be_bytes());
        entry[20..28].copy_from_slice(&self.timestamp.to_be_bytes());
        entry[28..32].copy_from_slice(&self.log_index.to_be_bytes());
        entry
    }

    /// The chain-ID extension entry (type 2), present only when the chain ID does not fit in a `u64`.
    pub fn chain_id_extension_entry(&self) -> Option<B256> {
        if self.chain_id <= U256::from(u64::MAX) {
            return None;
        }
        let mut entry = B256::ZERO;
        entry[0] = CHAIN_ID_EXTENSION_ENTRY_TYPE;
        entry[8..].copy_from_slice(&self.chain_id.to_be_bytes::<32>()[..24]);
        Some(entry)
    }
}

/// The checksum entry (type 3) of the log `id` points at, given that log's `logHash`.
pub fn checksum(id: &Identifier, log_hash: B256) -> B256 {
    Lookup::of(id).checksum(log_hash)
}

/// The access-list storage keys that declare the execution of the message `msg_hash` from the log `id`:
/// the lookup, the chain-ID extension when the chain ID exceeds `u64`, then the checksum.
pub fn access_list_keys(id: &Identifier, msg_hash: B256) -> Vec<B256> {
    let lookup = Lookup::of(id);
    let mut keys = Vec::with_capacity(3);
    keys.push(lookup.lookup_entry());
    keys.extend(lookup.chain_id_extension_entry());
    keys.push(lookup.checksum(log_hash(id.origin, msg_hash)));
    keys
}

/// The EIP-2930 access list that declares the given executing messages: one `CrossL2Inbox` entry holding
/// the keys of every message, in order. Serialises to the JSON
/// `[{"address": "0x4200…0022", "storageKeys": [...]}]` that wallets and `cast` accept.
pub fn access_list<'a>(messages: impl IntoIterator<Item = (&'a Identifier, B256)>) -> AccessList {
    let storage_keys: Vec<B256> =
        messages.into_iter().flat_map(|(id, msg_hash)| access_list_keys(id, msg_hash)).collect();
    AccessList(vec![AccessListItem { address: CROSS_L2_INBOX, storage_keys }])
}

/// One executing message as a transaction declares it: where the log is, and the checksum it must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessClaim {
    /// Where the declared log is.
    pub lookup: Lookup,
    /// The declared checksum entry.
    pub checksum: B256,
}

impl AccessClaim {
    /// Whether the declared checksum matches the log with emitter `origin` and payload hash `msg_hash`.
    pub fn verify(&self, origin: Address, msg_hash: B256) -> bool {
        self.verify_log_hash(log_hash(origin, msg_hash))
    }

    /// Whether the declared checksum matches a log whose stored `logHash` is `log_hash`.
    pub fn verify_log_hash(&self, log_hash: B256) -> bool {
        self.lookup.checksum(log_hash) == self.checksum
    }
}

/// Why a list of `CrossL2Inbox` storage keys is not a well-formed sequence of claims. `index` is the position
/// of the offending key in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessListError {
    /// A checksum entry that no lookup entry precedes.
    #[error("access-list key {index}: checksum entry without a preceding lookup entry")]
    ChecksumWithoutLookup {
        /// Position of the checksum entry.
        index: usize,
    },
    /// A chain-ID extension entry that does not directly follow a lookup entry.
    #[error("access-list key {index}: chain-ID extension entry does not directly follow a lookup entry")]
    ExtensionWithoutLookup {
        /// Position of the extension entry.
        index: usize,
    },
    /// A lookup (and its optional extension) not followed by its checksum entry.
    #[error("access-list key {index}: lookup entry is not followed by its checksum entry")]
    MissingChecksum {
        /// Position of the lookup entry.
        index: usize,
    },
    /// An entry whose type byte is not 1, 2 or 3.
    #[error("access-list key {index}: unknown entry type {type_byte:#04x}")]
    UnknownEntryType {
        /// Position of the entry.
        index: usize,
        /// Its first byte.
        type_byte: u8,
    },
    /// A lookup or extension entry whose reserved bytes are not zero.
    #[error("access-list key {index}: reserved bytes of a type {type_byte} entry are not zero")]
    NonZeroReserved {
        /// Position of the entry.
        index: usize,
        /// Its type byte.
        type_byte: u8,
    },
    /// An extension entry whose chain-ID bytes are all zero: the encoding is not canonical.
    #[error("access-list key {index}: chain-ID extension entry carries no chain-ID bytes")]
    EmptyExtension {
        /// Position of the extension entry.
        index: usize,
    },
}

/// Parses `CrossL2Inbox` storage keys into the claims they declare, in order.
pub fn parse_access_list_keys(keys: &[B256]) -> Result<Vec<AccessClaim>, AccessListError> {
    let mut claims = Vec::with_capacity(keys.len() / 2);
    let mut index = 0;
    while let Some(entry) = keys.get(index) {
        let lookup_index = index;
        match entry[0] {
            LOOKUP_ENTRY_TYPE => {}
            CHECKSUM_ENTRY_TYPE => return Err(AccessListError::ChecksumWithoutLookup { index }),
            CHAIN_ID_EXTENSION_ENTRY_TYPE => return Err(AccessListError::ExtensionWithoutLookup { index }),
            type_byte => return Err(AccessListError::UnknownEntryType { index, type_byte }),
        }
        if entry[1..4] != [0u8; 3] {
            return Err(AccessListError::NonZeroReserved { index, type_byte: LOOKUP_ENTRY_TYPE });
        }
        let mut chain_id = [0u8; 32];
        chain_id[24..].copy_from_slice(&entry[4..12]);
        let mut lookup = Lookup {
            chain_id: U256::ZERO,
            block_number: u64::from_be_bytes(word::<8>(&entry[12..20])),
            timestamp: u64::from_be_bytes(word::<8>(&entry[20..28])),
            log_index: u32::from_be_bytes(word::<4>(&entry[28..32])),
        };
        index += 1;

        let mut next = keys.get(index);
        if let Some(extension) = next.filter(|e| e[0] == CHAIN_ID_EXTENSION_ENTRY_TYPE) {
            if extension[1..8] != [0u8; 7] {
                return Err(AccessListError::NonZeroReserved {
                    index,
                    type_byte: CHAIN_ID_EXTENSION_ENTRY_TYPE,
                });
            }
            if extension[8..] == [0u8; 24] {
                return Err(AccessListError::EmptyExtension { index });
            }
            chain_id[..24].copy_from_slice(&extension[8..]);
            index += 1;
            next = keys.get(index);
        }
        lookup.chain_id = U256::from_be_bytes(chain_id);

        match next {
            Some(checksum) if checksum[0] == CHECKSUM_ENTRY_TYPE => {
                claims.push(AccessClaim { lookup, checksum: *checksum });
                index += 1;
            }
            _ => return Err(AccessListError::MissingChecksum { index: lookup_index }),
        }
    }
    Ok(claims)
}

fn word<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    out
}

/// The claims an EIP-2930 access list declares: the storage keys of every `CrossL2Inbox` entry, concatenated
/// in order and parsed. Entries of other addresses are ignored.
pub fn claims_from_access_list(list: &AccessList) -> Result<Vec<AccessClaim>, AccessListError> {
    let keys: Vec<B256> = list
        .iter()
        .filter(|item| item.address == CROSS_L2_INBOX)
        .flat_map(|item| item.storage_keys.iter().copied())
        .collect();
    parse_access_list_keys(&keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::strategies::any_identifier;
    use alloy_primitives::b256;
    use proptest::prelude::*;

    fn sample(chain_id: U256) -> Identifier {
        Identifier {
            origin: Address::repeat_byte(0x5a),
            block_number: 2587,
            log_index: 66,
            timestamp: 4660,
            chain_id,
        }
    }

    /// Public vector: chainId 3, blockNumber 2587, timestamp 4660, logIndex 66, logHash 0x0123456789abcdef * 4.
    #[test]
    fn the_checksum_matches_the_public_vector() {
        let log_hash = b256!("0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        assert_eq!(
            checksum(&sample(U256::from(3)), log_hash),
            b256!("0x03ca886771056d8ea647bb809b888ba14986f57daaf28954d40408321717716a")
        );
    }

    #[test]
    fn the_checksum_is_the_spec_hash_chain_with_its_first_byte_replaced() {
        let id = sample(U256::from(901));
        let log = keccak256("log");
        let mut id_preimage = log.to_vec();
        id_preimage.extend_from_slice(&[0u8; 12]);
        id_preimage.extend_from_slice(&id.block_number.to_be_bytes());
        id_preimage.extend_from_slice(&id.timestamp.to_be_bytes());
        id_preimage.extend_from_slice(&id.log_index.to_be_bytes());
        let mut bare_preimage = keccak256(&id_preimage).to_vec();
        bare_preimage.extend_from_slice(&id.chain_id.to_be_bytes::<32>());
        let bare = keccak256(&bare_preimage);
        let got = checksum(&id, log);
        assert_eq!(got[0], CHECKSUM_ENTRY_TYPE);
        assert_eq!(got[1..], bare[1..]);
    }

    #[test]
    fn a_small_chain_id_takes_a_lookup_and_a_checksum() {
        let id = sample(U256::from(901));
        let msg_hash = keccak256("payload");
        let keys = access_list_keys(&id, msg_hash);
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0][0], LOOKUP_ENTRY_TYPE);
        assert_eq!(&keys[0][4..12], &901u64.to_be_bytes());
        assert_eq!(&keys[0][12..20], &2587u64.to_be_bytes());
        assert_eq!(&keys[0][20..28], &4660u64.to_be_bytes());
        assert_eq!(&keys[0][28..32], &66u32.to_be_bytes());
        assert_eq!(keys[1], checksum(&id, log_hash(id.origin, msg_hash)));
    }

    #[test]
    fn a_chain_id_above_u64_adds_an_extension_between_lookup_and_checksum() {
        let chain_id = U256::from(u64::MAX) + U256::from(2);
        let id = sample(chain_id);
        let keys = access_list_keys(&id, keccak256("payload"));
        assert_eq!(keys.len(), 3);
        assert_eq!(keys[1][0], CHAIN_ID_EXTENSION_ENTRY_TYPE);
        assert_eq!(&keys[1][8..], &chain_id.to_be_bytes::<32>()[..24]);
        assert_eq!(keys[2][0], CHECKSUM_ENTRY_TYPE);
        let claims = parse_access_list_keys(&keys).unwrap();
        assert_eq!(claims[0].lookup.chain_id, chain_id);
    }

    proptest! {
        #[test]
        fn declared_messages_parse_back_to_their_claims(
            messages in proptest::collection::vec((any_identifier(), any::<[u8; 32]>()), 0..6)
        ) {
            let messages: Vec<(Identifier, B256)> =
                messages.into_iter().map(|(id, hash)| (id, B256::from(hash))).collect();
            let list = access_list(messages.iter().map(|(id, hash)| (id, *hash)));
            let claims = claims_from_access_list(&list).unwrap();
            prop_assert_eq!(claims.len(), messages.len());
            for (claim, (id, msg_hash)) in claims.iter().zip(&messages) {
                prop_assert_eq!(claim.lookup, Lookup::of(id));
                prop_assert_eq!(claim.lookup.to_identifier(id.origin), *id);
                prop_assert!(claim.verify(id.origin, *msg_hash));
                prop_assert!(!claim.verify(id.origin, keccak256(msg_hash)));
            }
        }
    }

    #[test]
    fn a_claim_does_not_verify_another_origin() {
        let id = sample(U256::from(7));
        let msg_hash = keccak256("payload");
        let claims = parse_access_list_keys(&access_list_keys(&id, msg_hash)).unwrap();
        assert!(claims[0].verify(id.origin, msg_hash));
        assert!(claims[0].verify_log_hash(log_hash(id.origin, msg_hash)));
        assert!(!claims[0].verify(Address::repeat_byte(1), msg_hash));
    }

    #[test]
    fn an_empty_list_declares_nothing() {
        assert_eq!(parse_access_list_keys(&[]), Ok(vec![]));
    }

    #[test]
    fn a_checksum_without_a_lookup_is_rejected() {
        let keys = access_list_keys(&sample(U256::from(7)), B256::ZERO);
        assert_eq!(
            parse_access_list_keys(&keys[1..]),
            Err(AccessListError::ChecksumWithoutLookup { index: 0 })
        );
    }

    #[test]
    fn an_extension_not_directly_after_a_lookup_is_rejected() {
        let big = access_list_keys(&sample(U256::MAX), B256::ZERO);
        let small = access_list_keys(&sample(U256::from(7)), B256::ZERO);
        // small claim, then a stray extension.
        let keys = [small[0], small[1], big[1]];
        assert_eq!(parse_access_list_keys(&keys), Err(AccessListError::ExtensionWithoutLookup { index: 2 }));
    }

    #[test]
    fn a_lookup_without_its_checksum_is_rejected() {
        let small = access_list_keys(&sample(U256::from(7)), B256::ZERO);
        assert_eq!(parse_access_list_keys(&small[..1]), Err(AccessListError::MissingChecksum { index: 0 }));
        let two_lookups = [small[0], small[0], small[1]];
        assert_eq!(parse_access_list_keys(&two_lookups), Err(AccessListError::MissingChecksum { index: 0 }));
        let big = access_list_keys(&sample(U256::MAX), B256::ZERO);
        assert_eq!(parse_access_list_keys(&big[..2]), Err(AccessListError::MissingChecksum { index: 0 }));
        let double_extension = [big[0], big[1], big[1], big[2]];
        assert_eq!(
            parse_access_list_keys(&double_extension),
            Err(AccessListError::MissingChecksum { index: 0 })
        );
    }

    #[test]
    fn an_unknown_entry_type_is_rejected() {
        let small = access_list_keys(&sample(U256::from(7)), B256::ZERO);
        let mut stray = B256::ZERO;
        stray[0] = 4;
        let keys = [small[0], small[1], stray];
        assert_eq!(
            parse_access_list_keys(&keys),
            Err(AccessListError::UnknownEntryType { index: 2, type_byte: 4 })
        );
        assert_eq!(
            parse_access_list_keys(&[B256::ZERO]),
            Err(AccessListError::UnknownEntryType { index: 0, type_byte: 0 })
        );
    }

    #[test]
    fn non_zero_reserved_bytes_are_rejected() {
        let mut small = access_list_keys(&sample(U256::from(7)), B256::ZERO);
        small[0][2] = 1;
        assert_eq!(
            parse_access_list_keys(&small),
            Err(AccessListError::NonZeroReserved { index: 0, type_byte: LOOKUP_ENTRY_TYPE })
        );
        let mut big = access_list_keys(&sample(U256::MAX), B256::ZERO);
        big[1][7] = 1;
        assert_eq!(
            parse_access_list_keys(&big),
            Err(AccessListError::NonZeroReserved { index: 1, type_byte: CHAIN_ID_EXTENSION_ENTRY_TYPE })
        );
    }

    #[test]
    fn an_extension_with_no_chain_id_bytes_is_rejected() {
        let small = access_list_keys(&sample(U256::from(7)), B256::ZERO);
        let mut empty = B256::ZERO;
        empty[0] = CHAIN_ID_EXTENSION_ENTRY_TYPE;
        let keys = [small[0], empty, small[1]];
        assert_eq!(parse_access_list_keys(&keys), Err(AccessListError::EmptyExtension { index: 1 }));
    }

    #[test]
    fn only_cross_l2_inbox_entries_declare_claims() {
        let id = sample(U256::from(7));
        let mut list = access_list([(&id, B256::ZERO)]);
        list.0.insert(
            0,
            AccessListItem { address: Address::repeat_byte(9), storage_keys: vec![B256::repeat_byte(0xff)] },
        );
        let claims = claims_from_access_list(&list).unwrap();
        assert_eq!(claims.len(), 1);
        assert_eq!(claims[0].lookup, Lookup::of(&id));
    }

    #[test]
    fn the_access_list_serialises_to_the_json_wallets_accept() {
        let id = sample(U256::from(7));
        let list = access_list([(&id, B256::ZERO)]);
        let json = serde_json::to_value(&list).unwrap();
        let keys: Vec<String> = access_list_keys(&id, B256::ZERO).iter().map(|k| k.to_string()).collect();
        assert_eq!(json, serde_json::json!([{ "address": CROSS_L2_INBOX.to_string(), "storageKeys": keys }]));
        let back: AccessList = serde_json::from_value(json).unwrap();
        assert_eq!(back, list);
    }
}
