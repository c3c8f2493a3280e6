//! L2ToL2CrossDomainMessenger: sending, resending and relaying messages between two chains.

use alloy_primitives::{Address, Bytes, U256, address, keccak256};
use alloy_sol_types::{SolCall, SolError};
use superlink_contracts::{
    addresses::{CROSS_L2_INBOX, L2_TO_L2_CROSS_DOMAIN_MESSENGER as MESSENGER},
    bindings::{
        CrossL2Inbox,
        L2ToL2CrossDomainMessenger::{
            self, IdOriginNotL2ToL2CrossDomainMessenger, InvalidMessage, MessageAlreadyRelayed,
            MessageDestinationNotRelayChain, MessageDestinationSameChain, NotEntered, ReentrantCall,
            RelayedMessage, SentMessage,
        },
        MessageProbe,
    },
};

use crate::{
    harness::{Chain, Tx},
    interop::InitiatingMessage,
    reference,
};

const SOURCE: u64 = 901;
const DESTINATION: u64 = 902;
const SENDER: Address = address!("0x1000000000000000000000000000000000000001");
const RELAYER: Address = address!("0x2000000000000000000000000000000000000002");
const PROBE: Address = address!("0x3000000000000000000000000000000000000003");

fn chains() -> (Chain, Chain) {
    let mut destination = Chain::new(DESTINATION);
    destination.set_code(PROBE, superlink_contracts::Contract::MessageProbe.deployed_bytecode());
    (Chain::new(SOURCE), destination)
}

fn send(destination: u64, target: Address, message: Vec<u8>) -> Tx {
    let call = L2ToL2CrossDomainMessenger::sendMessageCall {
        _destination: U256::from(destination),
        _target: target,
        _message: message.into(),
    };
    Tx::call(SENDER, MESSENGER, &call)
}

fn probe_record(payload: &[u8]) -> Vec<u8> {
    MessageProbe::recordCall { _payload: Bytes::copy_from_slice(payload) }.abi_encode()
}

#[test]
fn send_message_refuses_the_local_chain() {
    let (mut source, _) = chains();
    let outcome = source.send(send(SOURCE, PROBE, probe_record(b"hi")));
    assert!(outcome.reverted_with::<MessageDestinationSameChain>());
}

#[test]
fn send_message_increments_the_nonce_and_records_the_hash() {
    let (mut source, _) = chains();
    for expected_nonce in 0..3u64 {
        let nonce = source.view(MESSENGER, &L2ToL2CrossDomainMessenger::messageNonceCall {});
        assert_eq!(nonce, U256::from(expected_nonce), "version 0 in the top bytes, then the count");
        let message = probe_record(&expected_nonce.to_be_bytes());
        let outcome = source.send(send(DESTINATION, PROBE, message.clone())).expect_success();
        let hash = outcome.returns::<L2ToL2CrossDomainMessenger::sendMessageCall>();
        let expected = reference::message_hash(
            U256::from(DESTINATION),
            U256::from(SOURCE),
            nonce,
            SENDER,
            PROBE,
            &message,
        );
        assert_eq!(hash, expected);
        assert_eq!(source.view(MESSENGER, &L2ToL2CrossDomainMessenger::sentMessagesCall { nonce }), hash);
        let events = outcome.events::<SentMessage>(MESSENGER);
        assert_eq!(events.len(), 1);
        let (_, event) = &events[0];
        assert_eq!(
            (event.destination, event.target, event.messageNonce, event.sender, event.message.to_vec()),
            (U256::from(DESTINATION), PROBE, nonce, SENDER, message)
        );
    }
}

#[test]
fn message_version_is_zero_and_heads_every_nonce() {
    let (mut source, _) = chains();
    let version = source.view(MESSENGER, &L2ToL2CrossDomainMessenger::messageVersionCall {});
    assert_eq!(version, 0);
    source.send(send(DESTINATION, PROBE, probe_record(b"one"))).expect_success();
    let nonce = source.view(MESSENGER, &L2ToL2CrossDomainMessenger::messageNonceCall {});
    assert_eq!(nonce >> 240, U256::from(version), "the version sits in the top two bytes of the nonce");
    assert_eq!(nonce, U256::from(1));
}

fn resend(nonce: U256, message: &[u8]) -> Tx {
    let call = L2ToL2CrossDomainMessenger::resendMessageCall {
        _destination: U256::from(DESTINATION),
        _nonce: nonce,
        _sender: SENDER,
        _target: PROBE,
        _message: Bytes::copy_from_slice(message),
    };
    Tx::call(RELAYER, MESSENGER, &call)
}

#[test]
fn resend_message_re_emits_the_sent_message_of_this_chain() {
    let (mut source, _) = chains();
    let message = probe_record(b"again");
    let sent = source.send(send(DESTINATION, PROBE, message.clone())).expect_success();
    let hash = sent.returns::<L2ToL2CrossDomainMessenger::sendMessageCall>();
    let (_, original) = sent.events::<SentMessage>(MESSENGER).remove(0);

    // Anyone may ask; the source of the message is this chain, so the caller does not name it.
    let again = source.send(resend(original.messageNonce, &message)).expect_success();
    assert_eq!(again.returns::<L2ToL2CrossDomainMessenger::resendMessageCall>(), hash);
    let re_emitted = again.events::<SentMessage>(MESSENGER);
    assert_eq!(re_emitted.len(), 1);
    assert_eq!(re_emitted[0].1, original);
    assert_eq!(again.logs[0].data, sent.logs[0].data, "the same payload, so the same message hash");
    assert_eq!(again.logs.len(), 1, "nothing but the SentMessage log");
}

#[test]
fn resend_message_refuses_a_message_this_chain_did_not_send() {
    let (mut source, mut destination) = chains();
    let message = probe_record(b"again");
    let sent = source.send(send(DESTINATION, PROBE, message.clone())).expect_success();
    let (_, original) = sent.events::<SentMessage>(MESSENGER).remove(0);

    // Another nonce, another payload, or the same message on a chain that did not send it.
    assert!(
        source
            .send(resend(original.messageNonce + U256::from(1), &message))
            .reverted_with::<InvalidMessage>()
    );
    assert!(source.send(resend(original.messageNonce, b"forged")).reverted_with::<InvalidMessage>());
    assert!(destination.send(resend(original.messageNonce, &message)).reverted_with::<InvalidMessage>());
}

#[test]
fn relay_calls_the_target_with_the_messenger_as_caller_and_the_context_set() {
    let (mut source, mut destination) = chains();
    let payload = b"hello from 901".to_vec();
    let message = probe_record(&payload);
    let sent = source.send(send(DESTINATION, PROBE, message.clone())).expect_success();
    let hash = sent.returns::<L2ToL2CrossDomainMessenger::sendMessageCall>();
    let initiating = InitiatingMessage::sent_message(&source, &sent);

    let relayed = destination.send(initiating.relay_tx(RELAYER));
    assert!(relayed.success, "relay reverted with {}", relayed.output);

    assert_eq!(destination.view(PROBE, &MessageProbe::lastCallerCall {}), MESSENGER);
    assert_eq!(destination.view(PROBE, &MessageProbe::lastSenderCall {}), SENDER);
    assert_eq!(destination.view(PROBE, &MessageProbe::lastSourceCall {}), U256::from(SOURCE));
    assert_eq!(destination.view(PROBE, &MessageProbe::lastPayloadCall {}).to_vec(), payload);
    assert!(
        destination
            .view(MESSENGER, &L2ToL2CrossDomainMessenger::successfulMessagesCall { messageHash: hash })
    );

    // One ExecutingMessage for the SentMessage log, then RelayedMessage with the hash of the target's return data.
    let executing = relayed.events::<CrossL2Inbox::ExecutingMessage>(CROSS_L2_INBOX);
    assert_eq!(executing.len(), 1);
    assert_eq!(executing[0].1.msgHash, initiating.msg_hash());
    let return_data = relayed.returns::<L2ToL2CrossDomainMessenger::relayMessageCall>();
    let probe_return = MessageProbe::recordCall::abi_decode_returns(&return_data).expect("probe return");
    assert_eq!(probe_return.payloadHash_, keccak256(&payload));
    let (_, event) = relayed.events::<RelayedMessage>(MESSENGER).remove(0);
    assert_eq!(event.source, U256::from(SOURCE));
    assert_eq!(event.messageNonce, U256::ZERO);
    assert_eq!(event.messageHash, hash);
    assert_eq!(event.returnDataHash, keccak256(&return_data));
}

#[test]
fn relay_refuses_a_log_not_emitted_by_the_messenger() {
    let (mut source, mut destination) = chains();
    let sent = source.send(send(DESTINATION, PROBE, probe_record(b"x"))).expect_success();
    let mut forged = InitiatingMessage::sent_message(&source, &sent);
    // The same payload claimed to come from another contract, declared correctly in the access list.
    forged.id.origin = SENDER;
    let outcome = destination.send(forged.relay_tx(RELAYER));
    assert!(outcome.reverted_with::<IdOriginNotL2ToL2CrossDomainMessenger>());
}

#[test]
fn relay_refuses_a_message_for_another_chain() {
    let (mut source, mut destination) = chains();
    let sent = source.send(send(903, PROBE, probe_record(b"x"))).expect_success();
    let outcome = destination.send(InitiatingMessage::sent_message(&source, &sent).relay_tx(RELAYER));
    assert!(outcome.reverted_with::<MessageDestinationNotRelayChain>());
}

#[test]
fn relay_refuses_an_undeclared_message() {
    let (mut source, mut destination) = chains();
    let sent = source.send(send(DESTINATION, PROBE, probe_record(b"x"))).expect_success();
    let mut tx = InitiatingMessage::sent_message(&source, &sent).relay_tx(RELAYER);
    tx.access_list.clear();
    assert!(destination.send(tx).reverted_with::<CrossL2Inbox::NotInAccessList>());
}

#[test]
fn relay_refuses_a_second_relay_of_the_same_message() {
    let (mut source, mut destination) = chains();
    let sent = source.send(send(DESTINATION, PROBE, probe_record(b"once"))).expect_success();
    let message = InitiatingMessage::sent_message(&source, &sent);
    destination.send(message.relay_tx(RELAYER)).expect_success();
    assert!(destination.send(message.relay_tx(RELAYER)).reverted_with::<MessageAlreadyRelayed>());
}

#[test]
fn a_reverting_target_makes_the_relay_revert_with_the_targets_own_revert_data() {
    let (mut source, mut destination) = chains();
    let failing = MessageProbe::failCall { _payload: Bytes::from_static(b"no") }.abi_encode();
    let sent = source.send(send(DESTINATION, PROBE, failing)).expect_success();
    let hash = sent.returns::<L2ToL2CrossDomainMessenger::sendMessageCall>();
    let message = InitiatingMessage::sent_message(&source, &sent);
    let outcome = destination.send(message.relay_tx(RELAYER));
    assert!(!outcome.success);
    let expected = MessageProbe::ProbeFailed { payload: Bytes::from_static(b"no") }.abi_encode();
    assert_eq!(outcome.output.to_vec(), expected, "the revert data of the target, unchanged");
    assert!(
        !destination
            .view(MESSENGER, &L2ToL2CrossDomainMessenger::successfulMessagesCall { messageHash: hash })
    );
}

#[test]
fn context_getters_revert_outside_a_relay() {
    let (_, mut destination) = chains();
    let calls: [Vec<u8>; 3] = [
        L2ToL2CrossDomainMessenger::crossDomainMessageSenderCall {}.abi_encode(),
        L2ToL2CrossDomainMessenger::crossDomainMessageSourceCall {}.abi_encode(),
        L2ToL2CrossDomainMessenger::crossDomainMessageContextCall {}.abi_encode(),
    ];
    for data in calls {
        let tx = Tx {
            data: data.into(),
            ..Tx::call(RELAYER, MESSENGER, &L2ToL2CrossDomainMessenger::messageNonceCall {})
        };
        assert!(destination.simulate(tx).reverted_with::<NotEntered>());
    }
}

#[test]
fn relay_forwards_the_value_to_the_target() {
    let (mut source, mut destination) = chains();
    let sent = source.send(send(DESTINATION, PROBE, probe_record(b"paid"))).expect_success();
    destination.set_balance(RELAYER, U256::from(1_000));
    let tx = InitiatingMessage::sent_message(&source, &sent).relay_tx(RELAYER).value(U256::from(123));
    destination.send(tx).expect_success();
    assert_eq!(destination.view(PROBE, &MessageProbe::lastValueCall {}), U256::from(123));
    assert_eq!(destination.balance(PROBE), U256::from(123));
    assert_eq!(destination.balance(MESSENGER), U256::ZERO);
}

#[test]
fn relay_cannot_be_re_entered_from_the_target() {
    let (mut source, mut destination) = chains();
    // Two messages; the target of the first one tries to relay the second one during its own relay.
    let second_sent = source.send(send(DESTINATION, PROBE, probe_record(b"second"))).expect_success();
    let second = InitiatingMessage::sent_message(&source, &second_sent);
    let second_hash = second_sent.returns::<L2ToL2CrossDomainMessenger::sendMessageCall>();
    let reenter = L2ToL2CrossDomainMessenger::relayMessageCall {
        _id: second.messenger_id(),
        _sentMessage: second.payload.clone(),
    };
    let first_message =
        MessageProbe::callMessengerCall { _calldata: reenter.abi_encode().into() }.abi_encode();
    let first_sent = source.send(send(DESTINATION, PROBE, first_message)).expect_success();
    let first = InitiatingMessage::sent_message(&source, &first_sent);

    // Both messages declared, so only the reentrancy guard can stop the inner relay.
    let tx = first.relay_tx(RELAYER).access(CROSS_L2_INBOX, vec![second.checksum()]);
    destination.send(tx).expect_success();
    assert!(!destination.view(PROBE, &MessageProbe::lastMessengerSuccessCall {}));
    let inner = destination.view(PROBE, &MessageProbe::lastMessengerResultCall {});
    assert_eq!(inner[..4], ReentrantCall::SELECTOR);
    assert!(
        !destination.view(
            MESSENGER,
            &L2ToL2CrossDomainMessenger::successfulMessagesCall { messageHash: second_hash }
        )
    );

    // Relayed on its own, the second message goes through.
    destination.send(second.relay_tx(RELAYER)).expect_success();
    assert!(
        destination.view(
            MESSENGER,
            &L2ToL2CrossDomainMessenger::successfulMessagesCall { messageHash: second_hash }
        )
    );
}

#[test]
fn send_message_refuses_only_the_messenger_as_target() {
    let (mut source, _) = chains();
    let to_messenger = source.send(send(DESTINATION, MESSENGER, probe_record(b"x")));
    assert!(
        to_messenger.reverted_with::<L2ToL2CrossDomainMessenger::MessageTargetL2ToL2CrossDomainMessenger>()
    );
    // The reference refuses no other target: a message to the inbox is sent like any other.
    let to_inbox = source.send(send(DESTINATION, CROSS_L2_INBOX, probe_record(b"x"))).expect_success();
    let (_, event) = to_inbox.events::<SentMessage>(MESSENGER).remove(0);
    assert_eq!(event.target, CROSS_L2_INBOX);
}

#[test]
fn relay_refuses_a_messenger_log_that_is_not_sent_message() {
    let (source, mut destination) = chains();
    // A RelayedMessage log of the messenger on the source chain, declared correctly.
    let event = RelayedMessage {
        source: U256::from(DESTINATION),
        messageNonce: U256::ZERO,
        messageHash: keccak256("some message"),
        returnDataHash: keccak256(""),
    };
    let log = alloy_sol_types::SolEvent::encode_log_data(&event);
    let mut payload: Vec<u8> = log.topics().iter().flat_map(|topic| topic.0).collect();
    payload.extend_from_slice(&log.data);
    let message = InitiatingMessage {
        id: CrossL2Inbox::Identifier {
            origin: MESSENGER,
            blockNumber: U256::from(5),
            logIndex: U256::ZERO,
            timestamp: U256::from(source.timestamp),
            chainId: U256::from(SOURCE),
        },
        payload: payload.into(),
    };
    let outcome = destination.send(message.relay_tx(RELAYER));
    assert!(outcome.reverted_with::<L2ToL2CrossDomainMessenger::EventPayloadNotSentMessage>());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    #[test]
    fn sent_message_hash_equals_the_protocol_hash(
        destination in proptest::prelude::any::<[u8; 32]>(),
        target in proptest::prelude::any::<[u8; 20]>(),
        message in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
    ) {
        let destination = U256::from_be_bytes(destination);
        let target = Address::from(target);
        proptest::prop_assume!(destination != U256::from(SOURCE));
        proptest::prop_assume!(target != MESSENGER);
        let (mut source, _) = chains();
        let call = L2ToL2CrossDomainMessenger::sendMessageCall {
            _destination: destination,
            _target: target,
            _message: message.clone().into(),
        };
        let sent = source.send(Tx::call(SENDER, MESSENGER, &call)).expect_success();
        let hash = sent.returns::<L2ToL2CrossDomainMessenger::sendMessageCall>();
        let expected = reference::message_hash(destination, U256::from(SOURCE), U256::ZERO, SENDER, target, &message);
        proptest::prop_assert_eq!(hash, expected);
    }
}
