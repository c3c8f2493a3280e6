//! The encodings a user can reproduce with `cast` agree with ours: executing-message data, message hashes,
//! `SentMessage` data, and the `sendMessage`/`relayMessage` calldata a relayer sends.

use alloy_primitives::{Address, B256, Bytes, U256, hex, keccak256};
use superlink_protocol::messenger::{SentMessage, send_message_calldata};
use superlink_protocol::{ExecutingMessage, Identifier, message_hash, relay_message_calldata};
use superlink_testkit::Cast;

fn identifier() -> Identifier {
    Identifier {
        origin: Address::repeat_byte(0x42),
        block_number: 123_456,
        log_index: 7,
        timestamp: 1_700_000_123,
        // Above u64, to check the full width is kept.
        chain_id: U256::from(u64::MAX) * U256::from(3),
    }
}

fn tuple(id: &Identifier) -> String {
    format!("({},{},{},{},{})", id.origin, id.block_number, id.log_index, id.timestamp, id.chain_id)
}

/// The bytes of cast's hex output; empty (so the comparison fails) if it is not hex.
fn bytes(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap_or_default()
}

#[test]
fn executing_message_data_is_the_abi_encoded_identifier() {
    let cast = Cast::new().unwrap();
    let id = identifier();
    let expected =
        cast.run(["abi-encode", "f((address,uint256,uint256,uint256,uint256))", &tuple(&id)]).unwrap();
    let (_, data) = ExecutingMessage { identifier: id, msg_hash: B256::ZERO }.encode_log();
    assert_eq!(data.to_vec(), bytes(&expected));
}

#[test]
fn the_message_hash_is_keccak_of_abi_encode_of_its_six_fields() {
    let cast = Cast::new().unwrap();
    let (sender, target) = (Address::repeat_byte(0x11), Address::repeat_byte(0x22));
    let message = hex!("c0ffee0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021");
    let encoded = cast
        .run([
            "abi-encode",
            "f(uint256,uint256,uint256,address,address,bytes)",
            "902",
            "901",
            "5",
            &sender.to_string(),
            &target.to_string(),
            &format!("0x{}", hex::encode(message)),
        ])
        .unwrap();
    let expected = keccak256(bytes(&encoded));
    assert_eq!(
        message_hash(U256::from(902), U256::from(901), U256::from(5), sender, target, &message),
        expected
    );
}

#[test]
fn sent_message_data_is_the_abi_encoded_sender_and_message() {
    let cast = Cast::new().unwrap();
    let sent = SentMessage {
        destination: U256::from(902),
        target: Address::repeat_byte(0x22),
        nonce: U256::from(9),
        sender: Address::repeat_byte(0x11),
        message: Bytes::from_static(b"cross-chain hello"),
    };
    let expected = cast
        .run(["abi-encode", "f(address,bytes)", &sent.sender.to_string(), &sent.message.to_string()])
        .unwrap();
    let (topics, data) = sent.encode_log();
    assert_eq!(data.to_vec(), bytes(&expected));
    let signature = cast.run(["keccak", "SentMessage(uint256,address,uint256,address,bytes)"]).unwrap();
    assert_eq!(topics[0].to_string(), signature);
}

#[test]
fn relay_message_calldata_matches_cast_calldata() {
    let cast = Cast::new().unwrap();
    let id = identifier();
    let payload = Bytes::from_static(&[0xab; 77]);
    let expected = cast
        .run([
            "calldata",
            "relayMessage((address,uint256,uint256,uint256,uint256),bytes)",
            &tuple(&id),
            &payload.to_string(),
        ])
        .unwrap();
    assert_eq!(relay_message_calldata(&id, &payload).to_vec(), bytes(&expected));
}

#[test]
fn send_message_calldata_matches_cast_calldata() {
    let cast = Cast::new().unwrap();
    let target = Address::repeat_byte(0x33);
    let expected = cast
        .run(["calldata", "sendMessage(uint256,address,bytes)", "902", &target.to_string(), "0x1234"])
        .unwrap();
    assert_eq!(send_message_calldata(U256::from(902), target, &[0x12, 0x34]).to_vec(), bytes(&expected));
}
