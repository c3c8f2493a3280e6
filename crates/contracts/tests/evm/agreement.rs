//! The protocol crate and the contracts agree: same addresses, same event topics, and the protocol's decoding of
//! the logs the contracts emit and its relay calldata work against the contracts.

use alloy_primitives::{Address, Bytes, U256, address};
use alloy_sol_types::{SolCall, SolEvent};
use superlink_contracts::{
    addresses,
    bindings::{CrossL2Inbox, L2ToL2CrossDomainMessenger, MessageProbe},
};
use superlink_protocol::{
    ExecutingMessage, SentMessage,
    executing::EXECUTING_MESSAGE_TOPIC,
    messenger::{RELAYED_MESSAGE_TOPIC, SENT_MESSAGE_TOPIC},
    predeploys,
};

use crate::{
    harness::{Chain, Tx},
    interop::InitiatingMessage,
    reference,
};

const SENDER: Address = address!("0x1000000000000000000000000000000000000001");
const PROBE: Address = address!("0x3000000000000000000000000000000000000003");

#[test]
fn predeploy_addresses_and_topics_agree() {
    assert_eq!(addresses::CROSS_L2_INBOX, predeploys::CROSS_L2_INBOX);
    assert_eq!(addresses::L2_TO_L2_CROSS_DOMAIN_MESSENGER, predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER);
    assert_eq!(addresses::SUPERCHAIN_ETH_BRIDGE, predeploys::SUPERCHAIN_ETH_BRIDGE);
    assert_eq!(addresses::ETH_LIQUIDITY, predeploys::ETH_LIQUIDITY);
    assert_eq!(addresses::SUPERCHAIN_TOKEN_BRIDGE, predeploys::SUPERCHAIN_TOKEN_BRIDGE);
    assert_eq!(addresses::L1_BLOCK, predeploys::L1_BLOCK);
    assert_eq!(addresses::L2_TO_L1_MESSAGE_PASSER, predeploys::L2_TO_L1_MESSAGE_PASSER);
    assert_eq!(CrossL2Inbox::ExecutingMessage::SIGNATURE_HASH, EXECUTING_MESSAGE_TOPIC);
    assert_eq!(L2ToL2CrossDomainMessenger::SentMessage::SIGNATURE_HASH, SENT_MESSAGE_TOPIC);
    assert_eq!(L2ToL2CrossDomainMessenger::RelayedMessage::SIGNATURE_HASH, RELAYED_MESSAGE_TOPIC);
}

#[test]
fn protocol_decodes_the_logs_and_its_relay_calldata_relays() {
    let (mut source, mut destination) = (Chain::new(901), Chain::new(902));
    destination.set_code(PROBE, superlink_contracts::Contract::MessageProbe.deployed_bytecode());
    let message = MessageProbe::recordCall { _payload: Bytes::from_static(b"agreed") }.abi_encode();
    let send = L2ToL2CrossDomainMessenger::sendMessageCall {
        _destination: U256::from(902),
        _target: PROBE,
        _message: message.clone().into(),
    };
    let sent =
        source.send(Tx::call(SENDER, addresses::L2_TO_L2_CROSS_DOMAIN_MESSENGER, &send)).expect_success();
    let hash = sent.returns::<L2ToL2CrossDomainMessenger::sendMessageCall>();

    let log = &sent.logs[0];
    let decoded = SentMessage::decode_log(log.address, log.topics(), &log.data.data)
        .expect("well-formed SentMessage")
        .expect("recognised as SentMessage");
    assert_eq!(decoded.message_hash(U256::from(901)), hash);
    assert_eq!(decoded.payload(), InitiatingMessage::sent_message(&source, &sent).payload.to_vec());

    let initiating = InitiatingMessage::sent_message(&source, &sent);
    let id = reference::protocol_id(&initiating.id);
    let calldata = superlink_protocol::relay_message_calldata(&id, &initiating.payload);
    let tx = Tx { data: calldata, ..initiating.relay_tx(SENDER) };
    let relayed = destination.send(tx);
    assert!(relayed.success, "relay with the protocol's calldata reverted with {}", relayed.output);

    let log = &relayed.logs[0];
    assert_eq!(log.address, addresses::CROSS_L2_INBOX);
    let executing = ExecutingMessage::decode_log(log.address, log.topics(), &log.data.data)
        .expect("well-formed ExecutingMessage")
        .expect("recognised as ExecutingMessage");
    assert_eq!(executing.identifier, id);
    assert_eq!(executing.msg_hash, initiating.msg_hash());
}
