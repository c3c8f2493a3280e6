//! Span batches (batch type 1, Delta): a run of consecutive L2 blocks in one compact batch.
//!
//! `prefix = rel_timestamp ‖ l1_origin_num ‖ parent_check ‖ l1_origin_check` (uvarint timestamp since L2
//! genesis, uvarint origin number of the last block, first 20 bytes of the first block's parent hash and of the
//! last block's origin hash), then `payload = block_count ‖ origin_bits ‖ block_tx_counts ‖ txs` (see
//! [`crate::span_tx`] for `txs`). Block `i` has timestamp `genesis + rel_timestamp + i * block_time`; the
//! parent of the first block has L1 origin `l1_origin_num - sum(origin_bits)`, and block `i`'s origin is the
//! previous one plus `origin_bits[i]`.

use crate::params::MAX_SPAN_BATCH_ELEMENT_COUNT;
use crate::singular::SingularBatch;
use crate::span_tx::{SpanTx, SpanTxError, read_txs, write_txs};
use crate::varint::{ReadError, read_bits, read_exact, read_uvarint, write_bits, write_uvarint};
use alloy_primitives::{B256, Bytes, FixedBytes};

/// Why a span batch cannot be decoded, built or expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanBatchError {
    /// A field could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A transaction could not be read or written.
    #[error(transparent)]
    Tx(#[from] SpanTxError),
    /// `block_count` is zero.
    #[error("span batch holds no block")]
    Empty,
    /// More blocks or transactions than [`MAX_SPAN_BATCH_ELEMENT_COUNT`].
    #[error("span batch holds {0} elements, more than the limit")]
    TooManyElements(u64),
    /// Bytes follow the last field.
    #[error("{0} bytes after the span batch")]
    TrailingBytes(usize),
    /// The origin bits change the origin more often than `l1_origin_num` allows.
    #[error("origin bits count {changes} origin changes, more than the last origin number {last}")]
    OriginUnderflow {
        /// Origin changes the bits record.
        changes: u64,
        /// The last block's origin number.
        last: u64,
    },
    /// A block timestamp does not fit in 64 bits, or lies before genesis.
    #[error("span batch timestamps out of range")]
    TimestampRange,
    /// Building from blocks: block `index` does not follow its predecessor by one block time.
    #[error("block {index} does not follow the previous block by one block time")]
    NotConsecutive {
        /// Index of the offending block.
        index: usize,
    },
    /// Building from blocks: block `index` moves its L1 origin back or by more than one block.
    #[error("block {index} moves its L1 origin by other than 0 or 1")]
    OriginJump {
        /// Index of the offending block.
        index: usize,
    },
}

/// A decoded span batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanBatch {
    /// First block's timestamp minus the L2 genesis timestamp.
    pub rel_timestamp: u64,
    /// L1 origin number of the last block.
    pub l1_origin_num: u64,
    /// First 20 bytes of the first block's parent hash.
    pub parent_check: FixedBytes<20>,
    /// First 20 bytes of the last block's L1 origin hash.
    pub l1_origin_check: FixedBytes<20>,
    /// Per block, whether it moved to the next L1 origin.
    pub origin_bits: Vec<bool>,
    /// Per block, its number of transactions.
    pub block_tx_counts: Vec<u64>,
    /// All blocks' transactions, in order.
    pub txs: Vec<SpanTx>,
}

/// One block of a span batch, as derivation sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanBlock {
    /// The block's timestamp.
    pub timestamp: u64,
    /// Number of the block's L1 origin.
    pub epoch_num: u64,
    /// The block's transactions, EIP-2718 encoded.
    pub transactions: Vec<Bytes>,
}

impl SpanBlock {
    /// The singular batch of this block, given the hashes a span batch does not carry.
    pub fn into_singular(self, parent_hash: B256, epoch_hash: B256) -> SingularBatch {
        SingularBatch {
            parent_hash,
            epoch_num: self.epoch_num,
            epoch_hash,
            timestamp: self.timestamp,
            transactions: self.transactions,
        }
    }
}

fn truncate20(hash: &B256) -> FixedBytes<20> {
    FixedBytes::from_slice(&hash[..20])
}

impl SpanBatch {
    /// Number of blocks in the span.
    pub fn block_count(&self) -> usize {
        self.origin_bits.len()
    }

    /// L1 origin number of the first block's parent: `l1_origin_num - sum(origin_bits)`.
    pub fn parent_epoch_num(&self) -> u64 {
        let changes = self.origin_bits.iter().filter(|b| **b).count() as u64;
        self.l1_origin_num.saturating_sub(changes)
    }

    /// L1 origin number of the first block.
    pub fn start_epoch_num(&self) -> u64 {
        self.parent_epoch_num() + u64::from(self.origin_bits.first().copied().unwrap_or(false))
    }

    /// Timestamp of the first block.
    pub fn start_timestamp(&self, genesis_timestamp: u64) -> Option<u64> {
        genesis_timestamp.checked_add(self.rel_timestamp)
    }

    /// Timestamp of the last block.
    pub fn end_timestamp(&self, genesis_timestamp: u64, block_time: u64) -> Option<u64> {
        let span = (self.block_count() as u64).checked_sub(1)?.checked_mul(block_time)?;
        self.start_timestamp(genesis_timestamp)?.checked_add(span)
    }

    /// Builds the span batch of consecutive blocks given as singular batches; `parent_epoch_num` is the L1
    /// origin number of the block before the first. Transactions must be for chain `chain_id`.
    pub fn from_singular_batches(
        batches: &[SingularBatch],
        parent_epoch_num: u64,
        genesis_timestamp: u64,
        block_time: u64,
        chain_id: u64,
    ) -> Result<Self, SpanBatchError> {
        let (first, last) = match (batches.first(), batches.last()) {
            (Some(first), Some(last)) => (first, last),
            _ => return Err(SpanBatchError::Empty),
        };
        let rel_timestamp =
            first.timestamp.checked_sub(genesis_timestamp).ok_or(SpanBatchError::TimestampRange)?;
        let mut origin_bits = Vec::with_capacity(batches.len());
        let mut block_tx_counts = Vec::with_capacity(batches.len());
        let mut txs = Vec::new();
        let mut prev_epoch = parent_epoch_num;
        for (index, batch) in batches.iter().enumerate() {
            if index > 0 && batch.timestamp != batches[index - 1].timestamp.wrapping_add(block_time) {
                return Err(SpanBatchError::NotConsecutive { index });
            }
            let changed = match batch.epoch_num.checked_sub(prev_epoch) {
                Some(0) => false,
                Some(1) => true,
                _ => return Err(SpanBatchError::OriginJump { index }),
            };
            origin_bits.push(changed);
            prev_epoch = batch.epoch_num;
            block_tx_counts.push(batch.transactions.len() as u64);
            for tx in &batch.transactions {
                txs.push(SpanTx::from_eip2718(tx, chain_id)?);
            }
        }
        Ok(Self {
            rel_timestamp,
            l1_origin_num: last.epoch_num,
            parent_check: truncate20(&first.parent_hash),
            l1_origin_check: truncate20(&last.epoch_hash),
            origin_bits,
            block_tx_counts,
            txs,
        })
    }

    /// The blocks the span batch represents, with timestamps from the chain's genesis timestamp and block
    /// time, origins from the origin bits and transactions rebuilt for chain `chain_id`.
    pub fn blocks(
        &self,
        genesis_timestamp: u64,
        block_time: u64,
        chain_id: u64,
    ) -> Result<Vec<SpanBlock>, SpanBatchError> {
        let start = self.start_timestamp(genesis_timestamp).ok_or(SpanBatchError::TimestampRange)?;
        self.end_timestamp(genesis_timestamp, block_time).ok_or(SpanBatchError::TimestampRange)?;
        let mut epoch = self.parent_epoch_num();
        let mut txs = self.txs.iter();
        let mut blocks = Vec::with_capacity(self.block_count());
        for (i, (changed, count)) in self.origin_bits.iter().zip(&self.block_tx_counts).enumerate() {
            epoch += u64::from(*changed);
            let mut transactions = Vec::with_capacity(*count as usize);
            for tx in txs.by_ref().take(*count as usize) {
                transactions.push(tx.to_eip2718(chain_id)?);
            }
            blocks.push(SpanBlock {
                timestamp: start + i as u64 * block_time,
                epoch_num: epoch,
                transactions,
            });
        }
        Ok(blocks)
    }

    /// The batch's encoding without the type byte.
    pub fn encode_payload(&self) -> Vec<u8> {
        let mut out = Vec::new();
        write_uvarint(&mut out, self.rel_timestamp);
        write_uvarint(&mut out, self.l1_origin_num);
        out.extend_from_slice(self.parent_check.as_slice());
        out.extend_from_slice(self.l1_origin_check.as_slice());
        write_uvarint(&mut out, self.block_count() as u64);
        write_bits(&mut out, &self.origin_bits);
        for count in &self.block_tx_counts {
            write_uvarint(&mut out, *count);
        }
        write_txs(&mut out, &self.txs);
        out
    }

    /// Decodes a span batch from its encoding without the type byte.
    pub fn decode_payload(payload: &[u8]) -> Result<Self, SpanBatchError> {
        let mut input = payload;
        let rel_timestamp = read_uvarint(&mut input, "rel_timestamp")?;
        let l1_origin_num = read_uvarint(&mut input, "l1_origin_num")?;
        let parent_check = FixedBytes::from_slice(read_exact(&mut input, 20, "parent_check")?);
        let l1_origin_check = FixedBytes::from_slice(read_exact(&mut input, 20, "l1_origin_check")?);
        let block_count = read_uvarint(&mut input, "block_count")?;
        if block_count == 0 {
            return Err(SpanBatchError::Empty);
        }
        if block_count > MAX_SPAN_BATCH_ELEMENT_COUNT {
            return Err(SpanBatchError::TooManyElements(block_count));
        }
        let origin_bits = read_bits(&mut input, block_count as usize, "origin_bits")?;
        let changes = origin_bits.iter().filter(|b| **b).count() as u64;
        if changes > l1_origin_num {
            return Err(SpanBatchError::OriginUnderflow { changes, last: l1_origin_num });
        }
        let mut block_tx_counts = Vec::with_capacity(block_count as usize);
        let mut total: u64 = 0;
        for _ in 0..block_count {
            let count = read_uvarint(&mut input, "block_tx_counts")?;
            total = total.saturating_add(count);
            if total > MAX_SPAN_BATCH_ELEMENT_COUNT {
                return Err(SpanBatchError::TooManyElements(total));
            }
            block_tx_counts.push(count);
        }
        let txs = read_txs(&mut input, total as usize)?;
        if !input.is_empty() {
            return Err(SpanBatchError::TrailingBytes(input.len()));
        }
        Ok(Self {
            rel_timestamp,
            l1_origin_num,
            parent_check,
            l1_origin_check,
            origin_bits,
            block_tx_counts,
            txs,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::span_tx::SpanTxData;
    use alloy_consensus::transaction::SignerRecoverable;
    use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEip7702, TxEnvelope, TxLegacy};
    use alloy_eips::eip2718::{Decodable2718, Encodable2718};
    use alloy_eips::eip2930::{AccessList, AccessListItem};
    use alloy_eips::eip7702::Authorization;
    use alloy_primitives::{Address, Signature, TxKind, U256};
    use alloy_signer::SignerSync;
    use alloy_signer_local::PrivateKeySigner;
    use proptest::prelude::*;

    pub(crate) const CHAIN: u64 = 901;

    pub(crate) fn signer() -> PrivateKeySigner {
        // anvil's first development key
        "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80".parse().unwrap()
    }

    fn sign<T: SignableTransaction<Signature>>(tx: T) -> (T, Signature) {
        let sig = signer().sign_hash_sync(&tx.signature_hash()).unwrap();
        (tx, sig)
    }

    /// One signed transaction of every type a span batch holds, for `chain_id`.
    pub(crate) fn signed_txs(chain_id: u64, nonce: u64) -> Vec<Bytes> {
        let to = Address::repeat_byte(0x42);
        let access_list =
            AccessList(vec![AccessListItem { address: to, storage_keys: vec![B256::repeat_byte(1)] }]);
        let legacy = TxLegacy {
            chain_id: Some(chain_id),
            nonce,
            gas_price: 7,
            gas_limit: 21_000,
            to: TxKind::Call(to),
            value: U256::from(5),
            input: Bytes::new(),
        };
        let unprotected = TxLegacy { chain_id: None, nonce: nonce + 1, to: TxKind::Create, ..legacy.clone() };
        let eip2930 = TxEip2930 {
            chain_id,
            nonce: nonce + 2,
            gas_price: 9,
            gas_limit: 50_000,
            to: TxKind::Call(to),
            value: U256::ZERO,
            access_list: access_list.clone(),
            input: Bytes::from_static(b"\x01\x02"),
        };
        let eip1559 = TxEip1559 {
            chain_id,
            nonce: nonce + 3,
            gas_limit: 1_000_000,
            max_fee_per_gas: 2_000_000_000,
            max_priority_fee_per_gas: 1_000,
            to: TxKind::Create,
            value: U256::from(1u64 << 40),
            access_list,
            input: Bytes::from_static(b"\x60\x00\x60\x00"),
        };
        let auth = Authorization { chain_id: U256::from(chain_id), address: to, nonce: nonce + 5 };
        let auth_sig = signer().sign_hash_sync(&auth.signature_hash()).unwrap();
        let eip7702 = TxEip7702 {
            chain_id,
            nonce: nonce + 4,
            gas_limit: 100_000,
            max_fee_per_gas: 3,
            max_priority_fee_per_gas: 2,
            to,
            value: U256::ZERO,
            access_list: AccessList::default(),
            authorization_list: vec![auth.into_signed(auth_sig)],
            input: Bytes::new(),
        };
        let envelopes: Vec<TxEnvelope> = vec![
            {
                let (tx, sig) = sign(legacy);
                tx.into_signed(sig).into()
            },
            {
                let (tx, sig) = sign(unprotected);
                tx.into_signed(sig).into()
            },
            {
                let (tx, sig) = sign(eip2930);
                tx.into_signed(sig).into()
            },
            {
                let (tx, sig) = sign(eip1559);
                tx.into_signed(sig).into()
            },
            {
                let (tx, sig) = sign(eip7702);
                tx.into_signed(sig).into()
            },
        ];
        envelopes.iter().map(|e| Bytes::from(e.encoded_2718())).collect()
    }

    fn singular(timestamp: u64, epoch_num: u64, transactions: Vec<Bytes>) -> SingularBatch {
        SingularBatch {
            parent_hash: B256::repeat_byte(timestamp as u8),
            epoch_num,
            epoch_hash: B256::repeat_byte(0xe0 | epoch_num as u8),
            timestamp,
            transactions,
        }
    }

    #[test]
    fn blocks_of_every_transaction_type_round_trip_with_their_signatures() {
        let txs = signed_txs(CHAIN, 0);
        let batches = vec![
            singular(102, 7, txs[..2].to_vec()),
            singular(104, 8, vec![]),
            singular(106, 8, txs[2..].to_vec()),
        ];
        let span = SpanBatch::from_singular_batches(&batches, 6, 100, 2, CHAIN).unwrap();
        assert_eq!(span.rel_timestamp, 2);
        assert_eq!(span.origin_bits, vec![true, true, false]);
        assert_eq!((span.l1_origin_num, span.parent_epoch_num(), span.start_epoch_num()), (8, 6, 7));
        assert_eq!(span.parent_check.as_slice(), &batches[0].parent_hash[..20]);
        assert_eq!(span.l1_origin_check.as_slice(), &batches[2].epoch_hash[..20]);
        assert!(span.txs[0].protected && !span.txs[1].protected);
        assert_eq!(span.txs[1].to, None);

        let decoded = SpanBatch::decode_payload(&span.encode_payload()).unwrap();
        assert_eq!(decoded, span);
        let blocks = decoded.blocks(100, 2, CHAIN).unwrap();
        for (block, batch) in blocks.iter().zip(&batches) {
            assert_eq!((block.timestamp, block.epoch_num), (batch.timestamp, batch.epoch_num));
            assert_eq!(block.transactions, batch.transactions, "rebuilt byte for byte");
        }
        for tx in blocks.iter().flat_map(|b| &b.transactions) {
            let envelope = TxEnvelope::decode_2718_exact(tx).unwrap();
            assert_eq!(envelope.recover_signer().unwrap(), signer().address());
        }
    }

    #[test]
    fn blocks_that_are_not_a_span_are_refused() {
        let gap = [singular(102, 7, vec![]), singular(106, 7, vec![])];
        assert_eq!(
            SpanBatch::from_singular_batches(&gap, 7, 100, 2, CHAIN),
            Err(SpanBatchError::NotConsecutive { index: 1 })
        );
        let jump = [singular(102, 9, vec![])];
        assert_eq!(
            SpanBatch::from_singular_batches(&jump, 7, 100, 2, CHAIN),
            Err(SpanBatchError::OriginJump { index: 0 })
        );
        assert_eq!(SpanBatch::from_singular_batches(&[], 7, 100, 2, CHAIN), Err(SpanBatchError::Empty));
        let other_chain = [singular(102, 7, signed_txs(10, 0))];
        assert_eq!(
            SpanBatch::from_singular_batches(&other_chain, 7, 100, 2, CHAIN),
            Err(SpanBatchError::Tx(SpanTxError::ChainIdMismatch { expected: CHAIN, found: 10 }))
        );
        let deposit = [singular(102, 7, vec![Bytes::from_static(&[0x7e, 0xc0])])];
        assert_eq!(
            SpanBatch::from_singular_batches(&deposit, 7, 100, 2, CHAIN),
            Err(SpanBatchError::Tx(SpanTxError::Deposit))
        );
    }

    #[test]
    fn encoding_follows_the_spec_layout_byte_for_byte() {
        let tx = SpanTx {
            data: SpanTxData::Eip1559 {
                value: U256::from(1),
                max_priority_fee_per_gas: 2,
                max_fee_per_gas: 3,
                data: Bytes::from_static(&[0xab]),
                access_list: AccessList::default(),
            },
            to: Some(Address::repeat_byte(0x33)),
            nonce: 128,
            gas_limit: 21_000,
            r: U256::from(1),
            s: U256::from(2),
            y_parity: true,
            protected: false,
        };
        let batch = SpanBatch {
            rel_timestamp: 5,
            l1_origin_num: 300,
            parent_check: FixedBytes::repeat_byte(0x11),
            l1_origin_check: FixedBytes::repeat_byte(0x22),
            origin_bits: vec![true, false],
            block_tx_counts: vec![1, 0],
            txs: vec![tx],
        };
        let mut expected = vec![0x05, 0xac, 0x02];
        expected.extend_from_slice(&[0x11; 20]);
        expected.extend_from_slice(&[0x22; 20]);
        // block_count 2, origin_bits 0b01, tx counts 1 and 0
        expected.extend_from_slice(&[0x02, 0x01, 0x01, 0x00]);
        // contract_creation_bits 0, y_parity_bits 1, r, s
        expected.extend_from_slice(&[0x00, 0x01]);
        expected.extend_from_slice(&U256::from(1).to_be_bytes::<32>());
        expected.extend_from_slice(&U256::from(2).to_be_bytes::<32>());
        expected.extend_from_slice(&[0x33; 20]);
        // 0x02 ++ rlp([value, max_priority_fee, max_fee, data, access_list])
        expected.extend_from_slice(&[0x02, 0xc6, 0x01, 0x02, 0x03, 0x81, 0xab, 0xc0]);
        // nonce 128, gas 21000 as uvarints; no legacy transaction, so no protected bits
        expected.extend_from_slice(&[0x80, 0x01, 0x88, 0xa4, 0x01]);
        assert_eq!(batch.encode_payload(), expected);
        assert_eq!(SpanBatch::decode_payload(&expected).unwrap(), batch);
        let blocks = batch.blocks(1_000, 2, CHAIN).unwrap();
        assert_eq!(
            blocks.iter().map(|b| (b.timestamp, b.epoch_num, b.transactions.len())).collect::<Vec<_>>(),
            vec![(1_005, 300, 1), (1_007, 300, 0)]
        );
    }

    fn minimal_prefix(block_count: u64) -> Vec<u8> {
        let mut out = vec![0x05, 0x09];
        out.extend_from_slice(&[0xaa; 40]);
        write_uvarint(&mut out, block_count);
        out
    }

    #[test]
    fn malformed_span_batches_are_rejected() {
        assert_eq!(SpanBatch::decode_payload(&minimal_prefix(0)), Err(SpanBatchError::Empty));
        assert_eq!(
            SpanBatch::decode_payload(&minimal_prefix(MAX_SPAN_BATCH_ELEMENT_COUNT + 1)),
            Err(SpanBatchError::TooManyElements(MAX_SPAN_BATCH_ELEMENT_COUNT + 1))
        );
        // One block, origin bit 0, zero transactions; then the empty txs columns and a trailing byte.
        let mut ok = minimal_prefix(1);
        ok.extend_from_slice(&[0x00, 0x00]);
        let batch = SpanBatch::decode_payload(&ok).unwrap();
        assert_eq!((batch.rel_timestamp, batch.l1_origin_num, batch.block_count()), (5, 9, 1));
        let mut trailing = ok.clone();
        trailing.push(0);
        assert_eq!(SpanBatch::decode_payload(&trailing), Err(SpanBatchError::TrailingBytes(1)));
        // Origin bits with a bit past the block count.
        let mut long_bits = minimal_prefix(1);
        long_bits.extend_from_slice(&[0x02, 0x00]);
        assert!(matches!(
            SpanBatch::decode_payload(&long_bits),
            Err(SpanBatchError::Read(ReadError::BitListTooLong { field: "origin_bits", .. }))
        ));
        // Too many transactions in total.
        let mut many_txs = minimal_prefix(2);
        many_txs.push(0x00);
        write_uvarint(&mut many_txs, MAX_SPAN_BATCH_ELEMENT_COUNT);
        write_uvarint(&mut many_txs, 1);
        assert_eq!(
            SpanBatch::decode_payload(&many_txs),
            Err(SpanBatchError::TooManyElements(MAX_SPAN_BATCH_ELEMENT_COUNT + 1))
        );
        // A transaction count the columns cannot back.
        let mut short = minimal_prefix(1);
        short.extend_from_slice(&[0x00, 0x03]);
        assert_eq!(
            SpanBatch::decode_payload(&short),
            Err(SpanBatchError::Tx(SpanTxError::Read(ReadError::Truncated {
                field: "contract_creation_bits"
            })))
        );
    }

    fn arb_span_tx() -> impl Strategy<Value = SpanTx> {
        let addr = any::<[u8; 20]>().prop_map(Address::from);
        let data = proptest::collection::vec(any::<u8>(), 0..40).prop_map(Bytes::from);
        let u = any::<[u8; 32]>().prop_map(U256::from_be_bytes);
        (
            0u8..4,
            (u.clone(), any::<u64>().prop_map(u128::from), any::<u128>(), data),
            proptest::option::of(addr.clone()),
            addr,
            (any::<u64>(), any::<u64>(), u.clone(), u, any::<bool>(), any::<bool>()),
        )
            .prop_map(
                |(ty, (value, a, b, data), to, to7702, (nonce, gas_limit, r, s, y_parity, protected))| {
                    let access_list =
                        AccessList(vec![AccessListItem { address: to7702, storage_keys: vec![] }]);
                    let (data, to) = match ty {
                        0 => (SpanTxData::Legacy { value, gas_price: a, data }, to),
                        1 => (SpanTxData::Eip2930 { value, gas_price: a, data, access_list }, to),
                        2 => (
                            SpanTxData::Eip1559 {
                                value,
                                max_priority_fee_per_gas: a,
                                max_fee_per_gas: b,
                                data,
                                access_list,
                            },
                            to,
                        ),
                        _ => (
                            SpanTxData::Eip7702 {
                                value,
                                max_priority_fee_per_gas: a,
                                max_fee_per_gas: b,
                                data,
                                access_list,
                                authorization_list: vec![],
                            },
                            Some(to7702),
                        ),
                    };
                    let protected = protected && matches!(data, SpanTxData::Legacy { .. });
                    SpanTx { data, to, nonce, gas_limit, r, s, y_parity, protected }
                },
            )
    }

    pub(crate) fn arb_span_batch() -> impl Strategy<Value = SpanBatch> {
        (
            any::<u64>(),
            any::<[u8; 20]>(),
            any::<[u8; 20]>(),
            proptest::collection::vec((any::<bool>(), 0usize..4), 1..12),
            proptest::collection::vec(arb_span_tx(), 40),
            1_000u64..u64::MAX,
        )
            .prop_map(|(rel_timestamp, parent, origin, blocks, pool, l1_origin_num)| {
                let origin_bits: Vec<bool> = blocks.iter().map(|(b, _)| *b).collect();
                let block_tx_counts: Vec<u64> = blocks.iter().map(|(_, n)| *n as u64).collect();
                let total = block_tx_counts.iter().sum::<u64>() as usize;
                SpanBatch {
                    rel_timestamp,
                    l1_origin_num,
                    parent_check: parent.into(),
                    l1_origin_check: origin.into(),
                    origin_bits,
                    block_tx_counts,
                    txs: pool.into_iter().take(total).collect(),
                }
            })
    }

    proptest! {
        #[test]
        fn span_batches_round_trip(batch in arb_span_batch()) {
            let encoded = batch.encode_payload();
            prop_assert_eq!(SpanBatch::decode_payload(&encoded).unwrap(), batch);
        }

        #[test]
        fn arbitrary_payloads_never_panic(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = SpanBatch::decode_payload(&data);
        }
    }
}
