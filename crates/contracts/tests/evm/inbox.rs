//! CrossL2Inbox.validateMessage: an executing message is accepted exactly when the transaction declares its
//! checksum in the access list.

use alloy_primitives::{Address, B256, U256, address, b256, keccak256};
use alloy_sol_types::SolError;
use proptest::prelude::*;
use superlink_contracts::{
    addresses::CROSS_L2_INBOX,
    bindings::CrossL2Inbox::{
        self, BlockNumberTooHigh, ExecutingMessage, Identifier, LogIndexTooHigh, NotInAccessList,
        TimestampTooHigh,
    },
};

use crate::{
    harness::{Chain, Tx},
    reference,
};

const USER: Address = address!("0x1000000000000000000000000000000000000001");

fn identifier() -> Identifier {
    Identifier {
        origin: address!("0xe0e1e2e3e4e5e6e7e8e9f0f1f2f3f4f5f6f7f8f9"),
        blockNumber: U256::from(2587),
        logIndex: U256::from(66),
        timestamp: U256::from(4660),
        chainId: U256::from(900),
    }
}

fn validate(id: &Identifier, msg_hash: B256) -> Tx {
    Tx::call(USER, CROSS_L2_INBOX, &CrossL2Inbox::validateMessageCall { _id: id.clone(), _msgHash: msg_hash })
}

#[test]
fn declared_checksum_emits_exactly_one_executing_message() {
    let mut chain = Chain::new(901);
    let id = identifier();
    let msg_hash = keccak256("example payload");
    // The full declaration a node builds: the lookup entry, then the checksum.
    let keys = reference::access_list_keys(&id, msg_hash);
    assert_eq!(keys.last(), Some(&reference::checksum(&id, msg_hash)));
    let outcome = chain.send(validate(&id, msg_hash).access(CROSS_L2_INBOX, keys));
    assert!(outcome.success, "reverted with {}", outcome.output);
    assert_eq!(outcome.logs.len(), 1);
    let events = outcome.events::<ExecutingMessage>(CROSS_L2_INBOX);
    assert_eq!(events.len(), 1);
    let (_, event) = &events[0];
    assert_eq!(event.msgHash, msg_hash);
    assert_eq!(event.identifier, id);
}

#[test]
fn undeclared_message_reverts_not_in_access_list() {
    let mut chain = Chain::new(901);
    let outcome = chain.send(validate(&identifier(), keccak256("example payload")));
    assert!(outcome.reverted_with::<NotInAccessList>());
}

#[test]
fn checksum_of_another_identifier_reverts_not_in_access_list() {
    let mut chain = Chain::new(901);
    let id = identifier();
    let msg_hash = keccak256("example payload");
    let other = Identifier { logIndex: id.logIndex + U256::from(1), ..id.clone() };
    let outcome = chain
        .send(validate(&id, msg_hash).access(CROSS_L2_INBOX, vec![reference::checksum(&other, msg_hash)]));
    assert!(outcome.reverted_with::<NotInAccessList>());
    // The same checksum declared for another contract does not count either.
    let outcome = chain.send(validate(&id, msg_hash).access(USER, vec![reference::checksum(&id, msg_hash)]));
    assert!(outcome.reverted_with::<NotInAccessList>());
}

#[test]
fn deposit_transaction_reverts_not_in_access_list() {
    let mut chain = Chain::new(901);
    let outcome = chain.send(validate(&identifier(), keccak256("example payload")).into_deposit());
    assert!(outcome.reverted_with::<NotInAccessList>());
}

fn arbitrary_identifier() -> impl Strategy<Value = Identifier> {
    (any::<[u8; 20]>(), any::<u64>(), any::<u32>(), any::<u64>(), any::<[u8; 32]>()).prop_map(
        |(origin, block, log_index, timestamp, chain_id)| Identifier {
            origin: Address::from(origin),
            blockNumber: U256::from(block),
            logIndex: U256::from(log_index),
            timestamp: U256::from(timestamp),
            chainId: U256::from_be_bytes(chain_id),
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn contract_checksum_equals_rust_checksum(id in arbitrary_identifier(), msg_hash in any::<[u8; 32]>()) {
        let mut chain = Chain::new(901);
        let msg_hash = B256::from(msg_hash);
        let onchain = chain.view(CROSS_L2_INBOX, &CrossL2Inbox::calculateChecksumCall { _id: id.clone(), _msgHash: msg_hash });
        prop_assert_eq!(onchain, reference::checksum(&id, msg_hash));
        let accepted = chain.send(validate(&id, msg_hash).access(CROSS_L2_INBOX, vec![onchain]));
        prop_assert!(accepted.success);
    }
}

#[test]
fn calculate_checksum_equals_the_protocol_checksum_for_the_published_vector() {
    // PROTOCOL.md: the checksum vector (chain 3, block 2587, timestamp 4660, log index 66) over the log hash of
    // the logHash vector (origin 0xe0e1…f9, msgHash = keccak256("example payload")).
    let id = Identifier {
        origin: address!("0xe0e1e2e3e4e5e6e7e8e9f0f1f2f3f4f5f6f7f8f9"),
        blockNumber: U256::from(2587),
        logIndex: U256::from(66),
        timestamp: U256::from(4660),
        chainId: U256::from(3),
    };
    let msg_hash = keccak256("example payload");
    let log_hash = superlink_protocol::log_hash(id.origin, msg_hash);
    assert_eq!(log_hash, b256!("0xf9ed05990c887d3f86718aabd7e940faaa75d6a5cd44602e89642586ce85f2aa"));
    let vector_log_hash = b256!("0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assert_eq!(
        superlink_protocol::checksum(&reference::protocol_id(&id), vector_log_hash),
        b256!("0x03ca886771056d8ea647bb809b888ba14986f57daaf28954d40408321717716a")
    );

    let mut chain = Chain::new(901);
    let onchain = chain
        .view(CROSS_L2_INBOX, &CrossL2Inbox::calculateChecksumCall { _id: id.clone(), _msgHash: msg_hash });
    assert_eq!(onchain, superlink_protocol::checksum(&reference::protocol_id(&id), log_hash));
}

/// The Identifier with one field pushed past its access-list encoding, and the error that names that field.
fn oversized_identifiers() -> [(Identifier, [u8; 4]); 3] {
    [
        (
            Identifier { blockNumber: identifier().blockNumber + (U256::from(1) << 64), ..identifier() },
            BlockNumberTooHigh::SELECTOR,
        ),
        (
            Identifier { timestamp: identifier().timestamp + (U256::from(1) << 64), ..identifier() },
            TimestampTooHigh::SELECTOR,
        ),
        (
            Identifier { logIndex: identifier().logIndex + (U256::from(1) << 32), ..identifier() },
            LogIndexTooHigh::SELECTOR,
        ),
    ]
}

#[test]
fn oversized_identifier_fields_revert_with_the_error_that_names_the_field() {
    let mut chain = Chain::new(901);
    let msg_hash = keccak256("example payload");
    // What the truncated Identifier would declare: declaring it does not let the oversized one through.
    let truncated = reference::checksum(&identifier(), msg_hash);
    for (id, error) in oversized_identifiers() {
        let call = CrossL2Inbox::calculateChecksumCall { _id: id.clone(), _msgHash: msg_hash };
        let checksum = chain.simulate(Tx::call(USER, CROSS_L2_INBOX, &call));
        assert!(
            !checksum.success && checksum.output.as_ref() == error,
            "calculateChecksum: {}",
            checksum.output
        );
        let outcome = chain.send(validate(&id, msg_hash).access(CROSS_L2_INBOX, vec![truncated]));
        assert!(!outcome.success && outcome.output.as_ref() == error, "validateMessage: {}", outcome.output);
    }
    // At the largest values that fit, the message is accepted.
    let widest = Identifier {
        blockNumber: U256::from(u64::MAX),
        timestamp: U256::from(u64::MAX),
        logIndex: U256::from(u32::MAX),
        ..identifier()
    };
    let accepted = chain.send(
        validate(&widest, msg_hash).access(CROSS_L2_INBOX, vec![reference::checksum(&widest, msg_hash)]),
    );
    assert!(accepted.success, "reverted with {}", accepted.output);
}
