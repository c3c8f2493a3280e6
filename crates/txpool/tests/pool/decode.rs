//! Raw `eth_sendRawTransaction` bytes in, pool transaction or typed error out; impersonated transactions.

use alloy_consensus::{SignableTransaction, TxEip7702};
use alloy_eips::{eip2718::Encodable2718, eip7702::Authorization};
use alloy_primitives::{Address, B256, Bytes, Signature, TxKind, U256, keccak256};
use alloy_signer::SignerSync;
use op_alloy_consensus::{OpTxEnvelope, OpTypedTransaction, TxDeposit};
use superlink_txpool::{DecodeError, PoolTransaction, decode_raw_transaction};

use crate::helpers::{CHAIN_ID, GWEI, account, eip2930, key, legacy, sign_envelope, sign_raw, transfer};

/// secp256k1 group order.
fn secp256k1_order() -> U256 {
    U256::from_be_slice(&alloy_primitives::hex!(
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
    ))
}

pub fn eip7702_tx(nonce: u64) -> TxEip7702 {
    let authority = key(9);
    let authorization =
        Authorization { chain_id: U256::from(CHAIN_ID), address: Address::repeat_byte(0xcc), nonce: 0 };
    let signature = authority.sign_hash_sync(&authorization.signature_hash()).unwrap();
    TxEip7702 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit: 100_000,
        max_fee_per_gas: 10 * GWEI,
        max_priority_fee_per_gas: GWEI,
        to: Address::repeat_byte(0xbb),
        value: U256::ZERO,
        access_list: Default::default(),
        authorization_list: vec![authorization.into_signed(signature)],
        input: Bytes::new(),
    }
}

#[test]
fn every_accepted_type_decodes_with_its_sender_and_hash() {
    let signer = key(1);
    let raws = [
        sign_raw(&signer, legacy(0, 2 * GWEI, Some(CHAIN_ID))),
        sign_raw(&signer, legacy(0, 2 * GWEI, None)),
        sign_raw(&signer, eip2930(0, 2 * GWEI)),
        sign_raw(&signer, transfer(0, 2 * GWEI, GWEI)),
        sign_raw(&signer, eip7702_tx(0)),
    ];
    for raw in raws {
        let tx = decode_raw_transaction(&raw).unwrap();
        assert_eq!(tx.sender(), signer.address());
        assert_eq!(tx.hash(), keccak256(&raw), "hash is keccak256 of the raw envelope");
        assert_eq!(tx.encoded().as_ref(), raw.as_slice());
        assert!(!tx.is_impersonated());
    }
}

#[test]
fn empty_bytes_are_refused() {
    assert_eq!(decode_raw_transaction(&[]), Err(DecodeError::Empty));
}

#[test]
fn truncated_bytes_are_bad_rlp() {
    let raw = sign_raw(&key(1), transfer(0, 2 * GWEI, GWEI));
    let err = decode_raw_transaction(&raw[..raw.len() - 3]).unwrap_err();
    assert!(matches!(err, DecodeError::Rlp(_)), "{err:?}");
}

#[test]
fn trailing_bytes_are_bad_rlp() {
    let mut raw = sign_raw(&key(1), transfer(0, 2 * GWEI, GWEI));
    raw.push(0x00);
    let err = decode_raw_transaction(&raw).unwrap_err();
    assert!(matches!(err, DecodeError::Rlp(_)), "{err:?}");
}

#[test]
fn blob_and_unknown_types_are_unsupported() {
    let payload = sign_raw(&key(1), transfer(0, 2 * GWEI, GWEI));
    for ty in [0x00u8, 0x03, 0x05, 0x7d, 0x7f] {
        let mut raw = payload.clone();
        raw[0] = ty;
        assert_eq!(decode_raw_transaction(&raw), Err(DecodeError::UnsupportedType(ty)), "type {ty:#x}");
    }
}

#[test]
fn deposits_are_refused_from_outside() {
    let deposit = TxDeposit {
        source_hash: B256::repeat_byte(1),
        from: account(1),
        to: TxKind::Call(account(2)),
        mint: 0,
        value: U256::from(1),
        gas_limit: 21_000,
        is_system_transaction: false,
        input: Bytes::new(),
    };
    let raw = OpTxEnvelope::from(deposit.clone()).encoded_2718();
    assert_eq!(raw[0], 0x7e);
    assert_eq!(decode_raw_transaction(&raw), Err(DecodeError::DepositNotAllowed));
    assert_eq!(
        PoolTransaction::impersonated(OpTypedTransaction::Deposit(deposit), account(1)),
        Err(DecodeError::DepositNotAllowed)
    );
}

#[test]
fn high_s_signature_is_invalid() {
    let tx = transfer(0, 2 * GWEI, GWEI);
    let signature = key(1).sign_hash_sync(&tx.signature_hash()).unwrap();
    // The same point with s mirrored into the upper half of the order: malleable, refused since EIP-2.
    let high_s = Signature::new(signature.r(), secp256k1_order() - signature.s(), !signature.v());
    let raw = OpTxEnvelope::from(tx.into_signed(high_s)).encoded_2718();
    let err = decode_raw_transaction(&raw).unwrap_err();
    assert!(matches!(err, DecodeError::InvalidSignature(_)), "{err:?}");
}

#[test]
fn signatures_that_recover_no_key_are_invalid() {
    let tx = transfer(0, 2 * GWEI, GWEI);
    let good = key(1).sign_hash_sync(&tx.signature_hash()).unwrap();
    let bad = [
        Signature::new(U256::ZERO, good.s(), good.v()),
        Signature::new(good.r(), U256::ZERO, good.v()),
        Signature::new(secp256k1_order(), good.s(), good.v()),
        Signature::new(U256::MAX, good.s(), good.v()),
    ];
    for signature in bad {
        let raw = OpTxEnvelope::from(tx.clone().into_signed(signature)).encoded_2718();
        let err = decode_raw_transaction(&raw).unwrap_err();
        assert!(matches!(err, DecodeError::InvalidSignature(_)), "{signature:?}: {err:?}");
    }
}

#[test]
fn the_sender_is_the_signer_for_many_keys_and_every_type() {
    use alloy_eips::Typed2718;
    for index in 1..=40u8 {
        let signer = key(index);
        let nonce = u64::from(index);
        let envelopes = [
            sign_envelope(&signer, legacy(nonce, 2 * GWEI, Some(CHAIN_ID))),
            sign_envelope(&signer, eip2930(nonce, 3 * GWEI)),
            sign_envelope(&signer, transfer(nonce, 2 * GWEI, GWEI / u128::from(index))),
        ];
        for envelope in envelopes {
            let pooled = decode_raw_transaction(&envelope.encoded_2718()).unwrap();
            assert_eq!(pooled.sender(), signer.address(), "key {index}, type {}", envelope.ty());
        }
    }
}

#[test]
fn impersonated_hash_is_stable_unique_and_stored_in_the_envelope() {
    let unsigned = OpTypedTransaction::Eip1559(transfer(0, 2 * GWEI, GWEI));
    let first = PoolTransaction::impersonated(unsigned.clone(), account(1)).unwrap();
    let again = PoolTransaction::impersonated(unsigned.clone(), account(1)).unwrap();
    let other_sender = PoolTransaction::impersonated(unsigned, account(2)).unwrap();
    assert!(first.is_impersonated());
    assert_eq!(first.sender(), account(1));
    assert_eq!(first.hash(), again.hash());
    assert_ne!(first.hash(), other_sender.hash());
    assert_eq!(first.tx().tx_hash(), first.hash());
    // Not the hash a signed transaction with the same encoding would have.
    assert_ne!(first.hash(), keccak256(first.encoded()));
    // Documented derivation: keccak256(encoding ++ sender).
    let mut preimage = first.encoded().to_vec();
    preimage.extend_from_slice(account(1).as_slice());
    assert_eq!(first.hash(), keccak256(preimage));
}

#[test]
fn from_trusted_parts_keeps_the_envelope_hash() {
    let signed = sign_envelope(&key(1), transfer(3, 2 * GWEI, GWEI));
    let tx = PoolTransaction::from_trusted_parts(signed.clone(), key(1).address(), false).unwrap();
    assert_eq!(tx.hash(), signed.tx_hash());
    assert_eq!(tx.sender(), key(1).address());
}
