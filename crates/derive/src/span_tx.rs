//! The transactions of a span batch, split into columns.
//!
//! `txs = contract_creation_bits ‖ y_parity_bits ‖ tx_sigs ‖ tx_tos ‖ tx_datas ‖ tx_nonces ‖ tx_gases ‖
//! protected_bits`: per transaction a creation bit, a y-parity bit, `r ‖ s` (32 bytes each, big-endian), the
//! 20-byte `to` unless it creates a contract, its type-specific fields, uvarint nonce and gas limit, and for
//! legacy transactions a bit saying whether it is EIP-155 protected. The type-specific fields (`tx_datas`) are
//! `rlp([value, gasPrice, data])` for legacy, `0x01 ‖ rlp([value, gasPrice, data, accessList])` for EIP-2930,
//! `0x02 ‖ rlp([value, maxPriorityFee, maxFee, data, accessList])` for EIP-1559 and, since Isthmus,
//! `0x04 ‖ rlp([value, maxPriorityFee, maxFee, data, accessList, authorizationList])` for EIP-7702.
//! The chain id is not stored: decoding takes the chain's own.

use crate::params::DEPOSIT_TX_TYPE;
use crate::varint::{ReadError, read_bits, read_exact, read_uvarint, write_bits, write_uvarint};
use alloy_consensus::{Signed, TxEip1559, TxEip2930, TxEip7702, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_eips::eip2930::AccessList;
use alloy_eips::eip7702::SignedAuthorization;
use alloy_primitives::{Address, Bytes, Signature, TxKind, U256};
use alloy_rlp::{Decodable, Encodable, RlpDecodable, RlpEncodable};

/// Why a transaction cannot go into, or come out of, a span batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanTxError {
    /// The transaction bytes are empty.
    #[error("empty transaction")]
    Empty,
    /// A deposit transaction, which batches never carry.
    #[error("deposit transactions are not batched")]
    Deposit,
    /// A transaction type span batches cannot hold (blob transactions, unknown types).
    #[error("transaction type {0:#04x} cannot be in a span batch")]
    UnsupportedType(u8),
    /// The EIP-2718 bytes do not decode.
    #[error("transaction does not decode: {0}")]
    Malformed(String),
    /// The transaction is signed for another chain.
    #[error("transaction is for chain {found}, the batch's chain is {expected}")]
    ChainIdMismatch {
        /// The chain the batch is for.
        expected: u64,
        /// The chain the transaction names.
        found: u64,
    },
    /// An EIP-7702 transaction marked as a contract creation, which that type cannot be.
    #[error("EIP-7702 transaction without a destination")]
    SetCodeWithoutTo,
    /// A column could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The RLP of a `tx_datas` entry is malformed.
    #[error("tx_datas entry {index}: {source}")]
    Rlp {
        /// Index of the transaction in the span batch.
        index: usize,
        /// The RLP error.
        source: alloy_rlp::Error,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct LegacyFields {
    value: U256,
    gas_price: u128,
    data: Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct AccessListFields {
    value: U256,
    gas_price: u128,
    data: Bytes,
    access_list: AccessList,
}

#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct DynamicFeeFields {
    value: U256,
    max_priority_fee_per_gas: u128,
    max_fee_per_gas: u128,
    data: Bytes,
    access_list: AccessList,
}

#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct SetCodeFields {
    value: U256,
    max_priority_fee_per_gas: u128,
    max_fee_per_gas: u128,
    data: Bytes,
    access_list: AccessList,
    authorization_list: Vec<SignedAuthorization>,
}

/// The fields of one transaction a span batch stores in its `tx_datas` column, by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpanTxData {
    /// Legacy: value, gas price, data.
    Legacy {
        /// Wei sent.
        value: U256,
        /// Gas price.
        gas_price: u128,
        /// Call data or init code.
        data: Bytes,
    },
    /// EIP-2930.
    Eip2930 {
        /// Wei sent.
        value: U256,
        /// Gas price.
        gas_price: u128,
        /// Call data or init code.
        data: Bytes,
        /// Access list.
        access_list: AccessList,
    },
    /// EIP-1559.
    Eip1559 {
        /// Wei sent.
        value: U256,
        /// Priority fee per gas.
        max_priority_fee_per_gas: u128,
        /// Maximum fee per gas.
        max_fee_per_gas: u128,
        /// Call data or init code.
        data: Bytes,
        /// Access list.
        access_list: AccessList,
    },
    /// EIP-7702 (Isthmus).
    Eip7702 {
        /// Wei sent.
        value: U256,
        /// Priority fee per gas.
        max_priority_fee_per_gas: u128,
        /// Maximum fee per gas.
        max_fee_per_gas: u128,
        /// Call data.
        data: Bytes,
        /// Access list.
        access_list: AccessList,
        /// Signed delegations.
        authorization_list: Vec<SignedAuthorization>,
    },
}

/// One transaction as a span batch holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanTx {
    /// Type-specific fields.
    pub data: SpanTxData,
    /// Destination, `None` for a contract creation.
    pub to: Option<Address>,
    /// Sender nonce.
    pub nonce: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// Signature `r`.
    pub r: U256,
    /// Signature `s`.
    pub s: U256,
    /// Signature y parity.
    pub y_parity: bool,
    /// For legacy transactions, whether the signature is EIP-155 protected (names the chain id).
    pub protected: bool,
}

fn kind(to: TxKind) -> Option<Address> {
    match to {
        TxKind::Call(address) => Some(address),
        TxKind::Create => None,
    }
}

fn check_chain(expected: u64, found: u64) -> Result<(), SpanTxError> {
    if expected == found { Ok(()) } else { Err(SpanTxError::ChainIdMismatch { expected, found }) }
}

impl SpanTx {
    /// Splits an EIP-2718 encoded transaction of chain `chain_id` into span batch fields.
    pub fn from_eip2718(bytes: &[u8], chain_id: u64) -> Result<Self, SpanTxError> {
        match bytes.first() {
            None => return Err(SpanTxError::Empty),
            Some(&DEPOSIT_TX_TYPE) => return Err(SpanTxError::Deposit),
            Some(&ty) if ty == 0x03 || (ty < 0xc0 && ty > 0x04) => {
                return Err(SpanTxError::UnsupportedType(ty));
            }
            Some(_) => {}
        }
        let envelope =
            TxEnvelope::decode_2718_exact(bytes).map_err(|e| SpanTxError::Malformed(e.to_string()))?;
        let signature = *envelope.signature();
        let (data, to, nonce, gas_limit, protected) = match &envelope {
            TxEnvelope::Legacy(signed) => {
                let tx = signed.tx();
                if let Some(id) = tx.chain_id {
                    check_chain(chain_id, id)?;
                }
                let data =
                    SpanTxData::Legacy { value: tx.value, gas_price: tx.gas_price, data: tx.input.clone() };
                (data, kind(tx.to), tx.nonce, tx.gas_limit, tx.chain_id.is_some())
            }
            TxEnvelope::Eip2930(signed) => {
                let tx = signed.tx();
                check_chain(chain_id, tx.chain_id)?;
                let data = SpanTxData::Eip2930 {
                    value: tx.value,
                    gas_price: tx.gas_price,
                    data: tx.input.clone(),
                    access_list: tx.access_list.clone(),
                };
                (data, kind(tx.to), tx.nonce, tx.gas_limit, false)
            }
            TxEnvelope::Eip1559(signed) => {
                let tx = signed.tx();
                check_chain(chain_id, tx.chain_id)?;
                let data = SpanTxData::Eip1559 {
                    value: tx.value,
                    max_priority_fee_per_gas: tx.max_priority_fee_per_gas,
                    max_fee_per_gas: tx.max_fee_per_gas,
                    data: tx.input.clone(),
                    access_list: tx.access_list.clone(),
                };
                (data, kind(tx.to), tx.nonce, tx.gas_limit, false)
            }
            TxEnvelope::Eip7702(signed) => {
                let tx = signed.tx();
                check_chain(chain_id, tx.chain_id)?;
                let data = SpanTxData::Eip7702 {
                    value: tx.value,
                    max_priority_fee_per_gas: tx.max_priority_fee_per_gas,
                    max_fee_per_gas: tx.max_fee_per_gas,
                    data: tx.input.clone(),
                    access_list: tx.access_list.clone(),
                    authorization_list: tx.authorization_list.clone(),
                };
                (data, Some(tx.to), tx.nonce, tx.gas_limit, false)
            }
            TxEnvelope::Eip4844(_) => return Err(SpanTxError::UnsupportedType(0x03)),
        };
        Ok(Self {
            data,
            to,
            nonce,
            gas_limit,
            r: signature.r(),
            s: signature.s(),
            y_parity: signature.v(),
            protected,
        })
    }

    /// Rebuilds the EIP-2718 encoding of the transaction for chain `chain_id`.
    pub fn to_eip2718(&self, chain_id: u64) -> Result<Bytes, SpanTxError> {
        let signature = Signature::new(self.r, self.s, self.y_parity);
        let to = self.to.map_or(TxKind::Create, TxKind::Call);
        let envelope = match self.data.clone() {
            SpanTxData::Legacy { value, gas_price, data } => {
                let tx = TxLegacy {
                    chain_id: self.protected.then_some(chain_id),
                    nonce: self.nonce,
                    gas_price,
                    gas_limit: self.gas_limit,
                    to,
                    value,
                    input: data,
                };
                TxEnvelope::Legacy(Signed::new_unhashed(tx, signature))
            }
            SpanTxData::Eip2930 { value, gas_price, data, access_list } => {
                let tx = TxEip2930 {
                    chain_id,
                    nonce: self.nonce,
                    gas_price,
                    gas_limit: self.gas_limit,
                    to,
                    value,
                    access_list,
                    input: data,
                };
                TxEnvelope::Eip2930(Signed::new_unhashed(tx, signature))
            }
            SpanTxData::Eip1559 { value, max_priority_fee_per_gas, max_fee_per_gas, data, access_list } => {
                let tx = TxEip1559 {
                    chain_id,
                    nonce: self.nonce,
                    gas_limit: self.gas_limit,
                    max_fee_per_gas,
                    max_priority_fee_per_gas,
                    to,
                    value,
                    access_list,
                    input: data,
                };
                TxEnvelope::Eip1559(Signed::new_unhashed(tx, signature))
            }
            SpanTxData::Eip7702 {
                value,
                max_priority_fee_per_gas,
                max_fee_per_gas,
                data,
                access_list,
                authorization_list,
            } => {
                let to = self.to.ok_or(SpanTxError::SetCodeWithoutTo)?;
                let tx = TxEip7702 {
                    chain_id,
                    nonce: self.nonce,
                    gas_limit: self.gas_limit,
                    max_fee_per_gas,
                    max_priority_fee_per_gas,
                    to,
                    value,
                    access_list,
                    authorization_list,
                    input: data,
                };
                TxEnvelope::Eip7702(Signed::new_unhashed(tx, signature))
            }
        };
        Ok(envelope.encoded_2718().into())
    }

    fn is_legacy(&self) -> bool {
        matches!(self.data, SpanTxData::Legacy { .. })
    }

    fn encode_data(&self, out: &mut Vec<u8>) {
        match self.data.clone() {
            SpanTxData::Legacy { value, gas_price, data } => {
                LegacyFields { value, gas_price, data }.encode(out)
            }
            SpanTxData::Eip2930 { value, gas_price, data, access_list } => {
                out.push(0x01);
                AccessListFields { value, gas_price, data, access_list }.encode(out);
            }
            SpanTxData::Eip1559 { value, max_priority_fee_per_gas, max_fee_per_gas, data, access_list } => {
                out.push(0x02);
                DynamicFeeFields { value, max_priority_fee_per_gas, max_fee_per_gas, data, access_list }
                    .encode(out);
            }
            SpanTxData::Eip7702 {
                value,
                max_priority_fee_per_gas,
                max_fee_per_gas,
                data,
                access_list,
                authorization_list,
            } => {
                out.push(0x04);
                SetCodeFields {
                    value,
                    max_priority_fee_per_gas,
                    max_fee_per_gas,
                    data,
                    access_list,
                    authorization_list,
                }
                .encode(out);
            }
        }
    }
}

fn decode_data(input: &mut &[u8], index: usize) -> Result<SpanTxData, SpanTxError> {
    let rlp = |source| SpanTxError::Rlp { index, source };
    let first = *input.first().ok_or(ReadError::Truncated { field: "tx_datas" })?;
    if first >= 0xc0 {
        let f = LegacyFields::decode(input).map_err(rlp)?;
        return Ok(SpanTxData::Legacy { value: f.value, gas_price: f.gas_price, data: f.data });
    }
    *input = &input[1..];
    match first {
        0x01 => {
            let f = AccessListFields::decode(input).map_err(rlp)?;
            Ok(SpanTxData::Eip2930 {
                value: f.value,
                gas_price: f.gas_price,
                data: f.data,
                access_list: f.access_list,
            })
        }
        0x02 => {
            let f = DynamicFeeFields::decode(input).map_err(rlp)?;
            Ok(SpanTxData::Eip1559 {
                value: f.value,
                max_priority_fee_per_gas: f.max_priority_fee_per_gas,
                max_fee_per_gas: f.max_fee_per_gas,
                data: f.data,
                access_list: f.access_list,
            })
        }
        0x04 => {
            let f = SetCodeFields::decode(input).map_err(rlp)?;
            Ok(SpanTxData::Eip7702 {
                value: f.value,
                max_priority_fee_per_gas: f.max_priority_fee_per_gas,
                max_fee_per_gas: f.max_fee_per_gas,
                data: f.data,
                access_list: f.access_list,
                authorization_list: f.authorization_list,
            })
        }
        other => Err(SpanTxError::UnsupportedType(other)),
    }
}

/// Appends the `txs` columns of a span batch.
pub fn write_txs(out: &mut Vec<u8>, txs: &[SpanTx]) {
    let creations: Vec<bool> = txs.iter().map(|tx| tx.to.is_none()).collect();
    write_bits(out, &creations);
    let parities: Vec<bool> = txs.iter().map(|tx| tx.y_parity).collect();
    write_bits(out, &parities);
    for tx in txs {
        out.extend_from_slice(&tx.r.to_be_bytes::<32>());
        out.extend_from_slice(&tx.s.to_be_bytes::<32>());
    }
    for to in txs.iter().filter_map(|tx| tx.to) {
        out.extend_from_slice(to.as_slice());
    }
    for tx in txs {
        tx.encode_data(out);
    }
    for tx in txs {
        write_uvarint(out, tx.nonce);
    }
    for tx in txs {
        write_uvarint(out, tx.gas_limit);
    }
    let protected: Vec<bool> = txs.iter().filter(|tx| tx.is_legacy()).map(|tx| tx.protected).collect();
    write_bits(out, &protected);
}

/// Reads the `txs` columns of `count` transactions from the front of `input`, advancing it.
pub fn read_txs(input: &mut &[u8], count: usize) -> Result<Vec<SpanTx>, SpanTxError> {
    let creations = read_bits(input, count, "contract_creation_bits")?;
    let parities = read_bits(input, count, "y_parity_bits")?;
    let sigs = read_exact(input, count * 64, "tx_sigs")?;
    let to_count = creations.iter().filter(|c| !**c).count();
    let tos = read_exact(input, to_count * 20, "tx_tos")?;
    let mut datas = Vec::with_capacity(count);
    for index in 0..count {
        datas.push(decode_data(input, index)?);
    }
    let mut nonces = Vec::with_capacity(count);
    for _ in 0..count {
        nonces.push(read_uvarint(input, "tx_nonces")?);
    }
    let mut gases = Vec::with_capacity(count);
    for _ in 0..count {
        gases.push(read_uvarint(input, "tx_gases")?);
    }
    let legacy_count = datas.iter().filter(|d| matches!(d, SpanTxData::Legacy { .. })).count();
    let protected = read_bits(input, legacy_count, "protected_bits")?;

    let mut tos = tos.chunks_exact(20).map(Address::from_slice);
    let mut protected = protected.into_iter();
    let mut txs = Vec::with_capacity(count);
    for (i, data) in datas.into_iter().enumerate() {
        let to = if creations[i] { None } else { tos.next() };
        if to.is_none() && matches!(data, SpanTxData::Eip7702 { .. }) {
            return Err(SpanTxError::SetCodeWithoutTo);
        }
        let is_legacy = matches!(data, SpanTxData::Legacy { .. });
        let sig = &sigs[i * 64..i * 64 + 64];
        txs.push(SpanTx {
            data,
            to,
            nonce: nonces[i],
            gas_limit: gases[i],
            r: U256::from_be_slice(&sig[..32]),
            s: U256::from_be_slice(&sig[32..]),
            y_parity: parities[i],
            protected: is_legacy && protected.next().unwrap_or(false),
        });
    }
    Ok(txs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_legacy_2930_1559_and_7702_transactions_fit() {
        assert_eq!(SpanTx::from_eip2718(&[], 901), Err(SpanTxError::Empty));
        assert_eq!(SpanTx::from_eip2718(&[0x7e, 0xc0], 901), Err(SpanTxError::Deposit));
        assert_eq!(SpanTx::from_eip2718(&[0x03, 0xc0], 901), Err(SpanTxError::UnsupportedType(0x03)));
        assert_eq!(SpanTx::from_eip2718(&[0x05, 0xc0], 901), Err(SpanTxError::UnsupportedType(0x05)));
        assert!(matches!(SpanTx::from_eip2718(&[0x02, 0xc0], 901), Err(SpanTxError::Malformed(_))));
    }

    #[test]
    fn unknown_tx_data_types_and_creating_set_code_transactions_are_rejected() {
        // One transaction, no creation bit, y parity 0, zero signature, a `to`, then a tx_datas entry of type 3.
        let mut columns = vec![0x00, 0x00];
        columns.extend_from_slice(&[0; 64]);
        columns.extend_from_slice(&[0x42; 20]);
        columns.extend_from_slice(&[0x03, 0xc0]);
        assert_eq!(read_txs(&mut &columns[..], 1), Err(SpanTxError::UnsupportedType(0x03)));
        // A type 4 transaction marked as a contract creation.
        let mut columns = vec![0x01, 0x00];
        columns.extend_from_slice(&[0; 64]);
        columns.extend_from_slice(&[0x04, 0xc6, 0x80, 0x80, 0x80, 0x80, 0xc0, 0xc0, 0x00, 0x00]);
        assert_eq!(read_txs(&mut &columns[..], 1), Err(SpanTxError::SetCodeWithoutTo));
    }
}
