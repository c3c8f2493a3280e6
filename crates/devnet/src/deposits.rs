//! L1 → L2 deposits: the `TransactionDeposited` logs that the L1 deposit portals emit, decoded into the OP
//! deposit transactions (type 0x7e) their L2s execute, as the deposits spec (`specs/protocol/deposits.md`)
//! derives them. Pure: the sequencer feeds it each new L1 block and queues what comes out.
//!
//! A log of a portal becomes a deposit with `from` and `to` as emitted (a creation when `isCreation`), `mint`,
//! `value`, gas limit and data from the packed `opaqueData`, `isSystemTx` false, and the user-deposit source hash
//! `keccak256(bytes32(0) ++ keccak256(l1BlockHash ++ bytes32(l1LogIndex)))`, where the log index counts every log
//! of the L1 block. A log that does not decode is reported and skipped; it never stops the others.

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, Bytes, Log, LogData, TxKind, U256};
use alloy_sol_types::SolEvent;
use op_alloy_consensus::TxDeposit;
use superlink_chain::{
    StoredBlock,
    l1_info::{USER_DEPOSIT_DOMAIN, deposit_source_hash},
};
use superlink_contracts::{
    addresses::deposit_portal, bindings::DepositPortal::TransactionDeposited, bridge_addresses,
};

/// The only `opaqueData` encoding there is (the `version` topic of `TransactionDeposited`).
pub const DEPOSIT_VERSION: U256 = U256::ZERO;
/// Length of the fixed part of `opaqueData`: mint (32), value (32), gas limit (8), isCreation (1).
pub const OPAQUE_FIXED_LEN: usize = 73;

/// Why a log of a deposit portal is not a deposit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DepositLogError {
    /// The first topic is not the `TransactionDeposited` signature (or there is none).
    #[error("not a TransactionDeposited log (first topic {topic0:?})")]
    NotTransactionDeposited {
        /// The first topic, if any.
        topic0: Option<B256>,
    },
    /// `TransactionDeposited` has three indexed fields, so four topics.
    #[error("TransactionDeposited has 4 topics, this log has {0}")]
    TopicCount(usize),
    /// An address topic (`from` or `to`) has non-zero bytes above its 20 address bytes.
    #[error("topic {index} is not an address: {topic}")]
    NotAnAddress {
        /// Which topic (1: from, 2: to).
        index: usize,
        /// The topic.
        topic: B256,
    },
    /// A version of `opaqueData` this decoder does not know.
    #[error("unsupported deposit version {0}")]
    UnsupportedVersion(U256),
    /// The log data is not the ABI encoding of one `bytes` value.
    #[error("the log data is not ABI-encoded bytes: {0}")]
    NotAbiBytes(String),
    /// `opaqueData` is shorter than its fixed fields.
    #[error("opaqueData has {0} bytes, fewer than the {OPAQUE_FIXED_LEN} of its fixed fields")]
    OpaqueDataTooShort(usize),
    /// The minted amount does not fit the deposit transaction's 128-bit `mint`.
    #[error("mint of {0} wei does not fit in 128 bits")]
    MintTooLarge(U256),
    /// The isCreation byte is neither 0 nor 1.
    #[error("isCreation byte is {0:#04x}, neither 0 nor 1")]
    BadCreationFlag(u8),
}

/// One deposit as a portal emitted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalDeposit {
    /// The L2 sender (already aliased by the portal when an L1 contract deposited).
    pub from: Address,
    /// The L2 account called, or a creation.
    pub to: TxKind,
    /// Wei minted to `from` on the L2 (the ETH locked in the portal).
    pub mint: u128,
    /// Wei sent along with the L2 call.
    pub value: U256,
    /// The L2 gas limit.
    pub gas_limit: u64,
    /// Calldata, or init code of a creation.
    pub data: Bytes,
}

impl PortalDeposit {
    /// The L2 deposit transaction of this deposit, emitted as log `l1_log_index` of the L1 block
    /// `l1_block_hash`.
    pub fn into_transaction(self, l1_block_hash: B256, l1_log_index: u64) -> TxDeposit {
        TxDeposit {
            source_hash: user_deposit_source_hash(l1_block_hash, l1_log_index),
            from: self.from,
            to: self.to,
            mint: self.mint,
            value: self.value,
            gas_limit: self.gas_limit,
            is_system_transaction: false,
            input: self.data,
        }
    }
}

/// The source hash of the user deposit emitted as log `l1_log_index` (counting every log of the block) of the
/// L1 block `l1_block_hash`.
pub fn user_deposit_source_hash(l1_block_hash: B256, l1_log_index: u64) -> B256 {
    deposit_source_hash(USER_DEPOSIT_DOMAIN, l1_block_hash, U256::from(l1_log_index))
}

fn address_topic(topics: &[B256], index: usize) -> Result<Address, DepositLogError> {
    let topic = topics[index];
    if topic[..12].iter().any(|b| *b != 0) {
        return Err(DepositLogError::NotAnAddress { index, topic });
    }
    Ok(Address::from_word(topic))
}

/// Decodes a `TransactionDeposited(address indexed from, address indexed to, uint256 indexed version,
/// bytes opaqueData)` log of version 0, whose `opaqueData` packs `mint` (uint256), `value` (uint256), `gasLimit`
/// (uint64), `isCreation` (bool, one byte) and the data.
pub fn decode_deposit_log(log: &LogData) -> Result<PortalDeposit, DepositLogError> {
    let topics = log.topics();
    if topics.first() != Some(&TransactionDeposited::SIGNATURE_HASH) {
        return Err(DepositLogError::NotTransactionDeposited { topic0: topics.first().copied() });
    }
    if topics.len() != 4 {
        return Err(DepositLogError::TopicCount(topics.len()));
    }
    let from = address_topic(topics, 1)?;
    let to = address_topic(topics, 2)?;
    let version = U256::from_be_bytes(topics[3].0);
    if version != DEPOSIT_VERSION {
        return Err(DepositLogError::UnsupportedVersion(version));
    }
    let (opaque,) = TransactionDeposited::abi_decode_data_validate(&log.data)
        .map_err(|e| DepositLogError::NotAbiBytes(e.to_string()))?;
    if opaque.len() < OPAQUE_FIXED_LEN {
        return Err(DepositLogError::OpaqueDataTooShort(opaque.len()));
    }
    let mint = U256::from_be_slice(&opaque[..32]);
    let mint = u128::try_from(mint).map_err(|_| DepositLogError::MintTooLarge(mint))?;
    let value = U256::from_be_slice(&opaque[32..64]);
    let mut gas = [0u8; 8];
    gas.copy_from_slice(&opaque[64..72]);
    let is_creation = match opaque[72] {
        0 => false,
        1 => true,
        other => return Err(DepositLogError::BadCreationFlag(other)),
    };
    Ok(PortalDeposit {
        from,
        to: if is_creation { TxKind::Create } else { TxKind::Call(to) },
        mint,
        value,
        gas_limit: u64::from_be_bytes(gas),
        data: Bytes::copy_from_slice(&opaque[OPAQUE_FIXED_LEN..]),
    })
}

/// The L1 deposit portals of a devnet: which L2 each portal address feeds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepositPortals {
    by_address: BTreeMap<Address, u64>,
}

impl DepositPortals {
    /// The portals of the L2s `l2_chain_ids`, at their genesis addresses: each L2's `DepositPortal`
    /// ([`deposit_portal`]) and its standard bridge's `OptimismPortal` at every address it has
    /// ([`bridge_addresses::l1_bridge`] and, for 901 to 905, [`bridge_addresses::l1_bridge_aliases`]). The
    /// `OptimismPortal` emits its events at its first address whichever address was called; the second is watched
    /// all the same, so a log there could never be missed.
    pub fn new(l2_chain_ids: impl IntoIterator<Item = u64>) -> Self {
        let mut by_address = BTreeMap::new();
        for id in l2_chain_ids {
            by_address.insert(deposit_portal(id), id);
            by_address.insert(bridge_addresses::l1_bridge(id).portal, id);
            if let Some(aliases) = bridge_addresses::l1_bridge_aliases(id) {
                by_address.insert(aliases.portal, id);
            }
        }
        Self { by_address }
    }

    /// The L2 the portal at `address` feeds, if `address` is one of the portals.
    pub fn l2_of(&self, address: &Address) -> Option<u64> {
        self.by_address.get(address).copied()
    }

    /// Every portal with its L2, by address.
    pub fn iter(&self) -> impl Iterator<Item = (Address, u64)> + '_ {
        self.by_address.iter().map(|(address, id)| (*address, *id))
    }
}

/// A deposit found in an L1 block, ready to queue on its L2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1Deposit {
    /// The L2 it goes to.
    pub l2_chain_id: u64,
    /// The index of its log among all logs of the L1 block.
    pub l1_log_index: u64,
    /// The L2 deposit transaction.
    pub tx: TxDeposit,
}

/// A log of a portal that is not a deposit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLog {
    /// The L2 whose portal emitted it.
    pub l2_chain_id: u64,
    /// The index of the log among all logs of the L1 block.
    pub l1_log_index: u64,
    /// Why it was skipped.
    pub error: DepositLogError,
}

/// What the logs of one L1 block hold for the L2s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepositScan {
    /// The deposits, in log order.
    pub deposits: Vec<L1Deposit>,
    /// The portal logs that did not decode, in log order.
    pub skipped: Vec<SkippedLog>,
}

/// Finds the deposits among `logs` (each with its index among all logs of the block) of the L1 block
/// `l1_block_hash`. Logs of other contracts are ignored, and so are the portals' other events (an `OptimismPortal`
/// also logs the withdrawals it proves and finalizes); a `TransactionDeposited` log that does not decode is
/// reported as skipped.
pub fn scan_logs<'a>(
    l1_block_hash: B256,
    logs: impl IntoIterator<Item = (u64, &'a Log)>,
    portals: &DepositPortals,
) -> DepositScan {
    let mut scan = DepositScan::default();
    for (l1_log_index, log) in logs {
        let Some(l2_chain_id) = portals.l2_of(&log.address) else { continue };
        if log.data.topics().first() != Some(&TransactionDeposited::SIGNATURE_HASH) {
            continue;
        }
        match decode_deposit_log(&log.data) {
            Ok(deposit) => scan.deposits.push(L1Deposit {
                l2_chain_id,
                l1_log_index,
                tx: deposit.into_transaction(l1_block_hash, l1_log_index),
            }),
            Err(error) => scan.skipped.push(SkippedLog { l2_chain_id, l1_log_index, error }),
        }
    }
    scan
}

/// Finds the deposits in the receipts of the L1 block `block`.
pub fn scan_l1_block(block: &StoredBlock, portals: &DepositPortals) -> DepositScan {
    scan_logs(block.hash(), block.logs().map(|(index, _, log)| (index, log)), portals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, keccak256};
    use alloy_sol_types::SolValue;

    const ALICE: Address = address!("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    const TARGET: Address = address!("0x5111000000000000000000000000000000000002");

    fn packed(mint: U256, value: U256, gas_limit: u64, creation_flag: u8, data: &[u8]) -> Bytes {
        let mut out = mint.to_be_bytes::<32>().to_vec();
        out.extend_from_slice(&value.to_be_bytes::<32>());
        out.extend_from_slice(&gas_limit.to_be_bytes());
        out.push(creation_flag);
        out.extend_from_slice(data);
        out.into()
    }

    /// A `TransactionDeposited` log as the portal emits it, built through the binding.
    fn deposit_log(portal: Address, from: Address, to: Address, opaque: Bytes) -> Log {
        let event = TransactionDeposited { from, to, version: DEPOSIT_VERSION, opaqueData: opaque };
        Log { address: portal, data: event.encode_log_data() }
    }

    #[test]
    fn a_call_deposit_decodes_every_field() {
        let data = [0xde, 0xad, 0xbe, 0xef];
        let opaque = packed(U256::from(5), U256::from(3), 123_456, 0, &data);
        let log = deposit_log(deposit_portal(901), ALICE, TARGET, opaque);
        let deposit = decode_deposit_log(&log.data).unwrap();
        assert_eq!(
            deposit,
            PortalDeposit {
                from: ALICE,
                to: TxKind::Call(TARGET),
                mint: 5,
                value: U256::from(3),
                gas_limit: 123_456,
                data: Bytes::copy_from_slice(&data),
            }
        );
    }

    #[test]
    fn a_creation_deposit_has_no_target() {
        let opaque = packed(U256::ZERO, U256::ZERO, 100_000, 1, &[0x60, 0x00]);
        let log = deposit_log(deposit_portal(901), ALICE, Address::ZERO, opaque);
        let deposit = decode_deposit_log(&log.data).unwrap();
        assert_eq!(deposit.to, TxKind::Create);
        assert_eq!(deposit.data, Bytes::from_static(&[0x60, 0x00]));
    }

    #[test]
    fn the_transaction_carries_the_user_deposit_source_hash_of_the_spec() {
        let opaque = packed(U256::from(1), U256::ZERO, 100_000, 0, &[]);
        let log = deposit_log(deposit_portal(901), ALICE, ALICE, opaque);
        let block_hash = B256::repeat_byte(0x77);
        let tx = decode_deposit_log(&log.data).unwrap().into_transaction(block_hash, 9);
        // keccak256(bytes32(0) ++ keccak256(l1BlockHash ++ bytes32(logIndex))), written out.
        let inner = keccak256((block_hash, U256::from(9)).abi_encode_packed());
        let expected = keccak256((B256::ZERO, inner).abi_encode_packed());
        assert_eq!(tx.source_hash, expected);
        assert_ne!(tx.source_hash, user_deposit_source_hash(block_hash, 10));
        assert_eq!((tx.from, tx.mint, tx.is_system_transaction), (ALICE, 1, false));
    }

    #[test]
    fn malformed_logs_are_refused_with_the_reason() {
        let portal = deposit_portal(901);
        let good = deposit_log(portal, ALICE, TARGET, packed(U256::from(1), U256::ZERO, 21_000, 0, &[]));
        let with_topics = |topics: Vec<B256>| LogData::new_unchecked(topics, good.data.data.clone());
        let topics = good.data.topics().to_vec();

        let other_event = with_topics(vec![B256::repeat_byte(1), topics[1], topics[2], topics[3]]);
        assert!(matches!(
            decode_deposit_log(&other_event),
            Err(DepositLogError::NotTransactionDeposited { .. })
        ));
        assert!(matches!(
            decode_deposit_log(&with_topics(vec![])),
            Err(DepositLogError::NotTransactionDeposited { topic0: None })
        ));
        assert_eq!(
            decode_deposit_log(&with_topics(topics[..3].to_vec())),
            Err(DepositLogError::TopicCount(3))
        );
        let wide = with_topics(vec![topics[0], B256::repeat_byte(0xff), topics[2], topics[3]]);
        assert!(matches!(decode_deposit_log(&wide), Err(DepositLogError::NotAnAddress { index: 1, .. })));
        let v1 = with_topics(vec![topics[0], topics[1], topics[2], B256::with_last_byte(1)]);
        assert_eq!(decode_deposit_log(&v1), Err(DepositLogError::UnsupportedVersion(U256::from(1))));

        let raw_body = LogData::new_unchecked(topics.clone(), Bytes::from_static(&[1, 2, 3]));
        assert!(matches!(decode_deposit_log(&raw_body), Err(DepositLogError::NotAbiBytes(_))));

        let short = deposit_log(portal, ALICE, TARGET, Bytes::from(vec![0u8; OPAQUE_FIXED_LEN - 1]));
        assert_eq!(
            decode_deposit_log(&short.data),
            Err(DepositLogError::OpaqueDataTooShort(OPAQUE_FIXED_LEN - 1))
        );
        let huge_mint = U256::from(u128::MAX) + U256::from(1);
        let rich = deposit_log(portal, ALICE, TARGET, packed(huge_mint, U256::ZERO, 21_000, 0, &[]));
        assert_eq!(decode_deposit_log(&rich.data), Err(DepositLogError::MintTooLarge(huge_mint)));
        let flag = deposit_log(portal, ALICE, TARGET, packed(U256::ZERO, U256::ZERO, 21_000, 2, &[]));
        assert_eq!(decode_deposit_log(&flag.data), Err(DepositLogError::BadCreationFlag(2)));
    }

    #[test]
    fn a_block_scan_routes_deposits_to_their_l2_and_skips_malformed_portal_logs() {
        let portals = DepositPortals::new([901, 902]);
        let opaque = |mint: u64| packed(U256::from(mint), U256::ZERO, 100_000, 0, &[]);
        let stranger = Log {
            address: TARGET,
            data: LogData::new_unchecked(vec![TransactionDeposited::SIGNATURE_HASH], Bytes::new()),
        };
        let malformed = Log {
            address: deposit_portal(901),
            data: LogData::new_unchecked(vec![TransactionDeposited::SIGNATURE_HASH], Bytes::new()),
        };
        // Another event of a portal (a proven withdrawal, say) is no deposit, and no error either.
        let other_event = Log {
            address: bridge_addresses::l1_bridge(901).portal,
            data: LogData::new_unchecked(vec![B256::repeat_byte(3)], Bytes::new()),
        };
        let logs = [
            deposit_log(deposit_portal(902), ALICE, ALICE, opaque(1)),
            stranger.clone(),
            malformed,
            other_event,
            deposit_log(deposit_portal(901), ALICE, TARGET, opaque(2)),
            // The same event from an address that is not a portal of this devnet.
            deposit_log(deposit_portal(903), ALICE, ALICE, opaque(3)),
            // The standard bridge's OptimismPortal of 902.
            deposit_log(bridge_addresses::l1_bridge(902).portal, ALICE, ALICE, opaque(4)),
        ];
        let block_hash = B256::repeat_byte(0x12);
        let scan = scan_logs(block_hash, (0u64..).zip(logs.iter()), &portals);

        let routed: Vec<(u64, u64, u128)> =
            scan.deposits.iter().map(|d| (d.l2_chain_id, d.l1_log_index, d.tx.mint)).collect();
        assert_eq!(routed, [(902, 0, 1), (901, 4, 2), (902, 6, 4)]);
        for deposit in &scan.deposits {
            assert_eq!(deposit.tx.source_hash, user_deposit_source_hash(block_hash, deposit.l1_log_index));
        }
        assert_eq!(scan.skipped.len(), 1);
        assert_eq!((scan.skipped[0].l2_chain_id, scan.skipped[0].l1_log_index), (901, 2));
        assert_eq!(scan.skipped[0].error, DepositLogError::TopicCount(1));
    }

    #[test]
    fn portals_map_back_to_their_l2() {
        let portals = DepositPortals::new([901, 902, 906]);
        // 901 and 902: DepositPortal and OptimismPortal at both of its addresses; 906: no second address.
        assert_eq!(portals.iter().count(), 3 + 3 + 2);
        for (address, id) in portals.iter() {
            assert_eq!(portals.l2_of(&address), Some(id));
        }
        for id in [901, 902, 906] {
            assert_eq!(portals.l2_of(&deposit_portal(id)), Some(id));
            assert_eq!(portals.l2_of(&bridge_addresses::l1_bridge(id).portal), Some(id));
        }
        let current_genesis = bridge_addresses::l1_bridge_aliases(902).unwrap().portal;
        assert_eq!(portals.l2_of(&current_genesis), Some(902));
        assert_eq!(portals.l2_of(&bridge_addresses::l1_bridge(903).portal), None);
        assert_eq!(portals.l2_of(&TARGET), None);
    }
}
