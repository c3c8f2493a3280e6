//! Turning a source block into index records: the logHash of every log and the executing messages among them.

use alloy_primitives::{B256, U256};
use alloy_sol_types::SolType;
use superlink_logdb::{
    BlockSeal, BlockWithLogs, ExecMessage, IndexedExecMessage, LogEntry, MessageIdentifier,
};
use superlink_protocol::{
    AbiIdentifier, EXECUTING_MESSAGE_TOPIC, ExecutingMessage, log_hash, payload_hash,
    predeploys::CROSS_L2_INBOX,
};

use crate::{
    chain_data::{BlockRef, SourceBlock, SourceLog},
    view::IndexedBlock,
};

/// The full-width identifier of an `ExecutingMessage` log's data. A log whose identifier fields do not fit the
/// protocol's widths is still an executing message (an invalid one); a log that is not even ABI-shaped gets an
/// identifier on chain 0, which no dependency set contains, so it is judged invalid too.
fn raw_identifier(data: &[u8]) -> MessageIdentifier {
    match <AbiIdentifier as SolType>::abi_decode(data) {
        Ok(abi) => MessageIdentifier {
            origin: abi.origin,
            chain_id: abi.chainId,
            block_number: abi.blockNumber,
            log_index: abi.logIndex,
            timestamp: abi.timestamp,
        },
        Err(_) => MessageIdentifier::default(),
    }
}

/// The executing message a log carries, if it is one: emitted by `CrossL2Inbox` with the `ExecutingMessage`
/// topic.
pub fn executing_message_of(log: &SourceLog) -> Option<ExecMessage> {
    match ExecutingMessage::decode_log(log.address, &log.topics, &log.data) {
        Ok(None) => None,
        Ok(Some(message)) => {
            let id = message.identifier;
            Some(ExecMessage {
                msg_hash: message.msg_hash,
                identifier: MessageIdentifier {
                    origin: id.origin,
                    chain_id: id.chain_id,
                    block_number: U256::from(id.block_number),
                    log_index: U256::from(id.log_index),
                    timestamp: U256::from(id.timestamp),
                },
            })
        }
        Err(_) if log.address == CROSS_L2_INBOX && log.topics.first() == Some(&EXECUTING_MESSAGE_TOPIC) => {
            Some(ExecMessage {
                msg_hash: log.topics.get(1).copied().unwrap_or(B256::ZERO),
                identifier: raw_identifier(&log.data),
            })
        }
        Err(_) => None,
    }
}

/// The index records of a source block: the in-memory form and the form the durable log index stores.
pub fn index_block(source: &SourceBlock) -> (IndexedBlock, BlockWithLogs) {
    let mut log_hashes = Vec::with_capacity(source.logs.len());
    let mut logs = Vec::with_capacity(source.logs.len());
    let mut executing = Vec::new();
    for (index, log) in source.logs.iter().enumerate() {
        let hash = log_hash(log.address, payload_hash(&log.topics, &log.data));
        log_hashes.push(hash);
        let exec = executing_message_of(log);
        if let Some(exec) = exec {
            executing.push(IndexedExecMessage { log_index: u32::try_from(index).unwrap_or(u32::MAX), exec });
        }
        logs.push(LogEntry { log_hash: hash, exec });
    }
    let block = source.block;
    (IndexedBlock { block, log_hashes, executing }, BlockWithLogs { seal: seal_of(&block), logs })
}

/// The log index's seal of a block.
pub fn seal_of(block: &BlockRef) -> BlockSeal {
    BlockSeal {
        number: block.number,
        hash: block.hash,
        parent_hash: block.parent_hash,
        timestamp: block.timestamp,
    }
}

/// The in-memory form of a block read back from the durable log index.
pub fn from_stored(seal: &BlockSeal, logs: &[LogEntry]) -> IndexedBlock {
    let block = BlockRef {
        hash: seal.hash,
        number: seal.number,
        parent_hash: seal.parent_hash,
        timestamp: seal.timestamp,
    };
    let executing = logs
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            l.exec.map(|exec| IndexedExecMessage { log_index: u32::try_from(i).unwrap_or(u32::MAX), exec })
        })
        .collect();
    IndexedBlock { block, log_hashes: logs.iter().map(|l| l.log_hash).collect(), executing }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, Bytes, keccak256};
    use superlink_protocol::Identifier;

    fn block_with(logs: Vec<SourceLog>) -> SourceBlock {
        SourceBlock {
            block: BlockRef {
                hash: B256::repeat_byte(1),
                number: 5,
                parent_hash: B256::repeat_byte(2),
                timestamp: 50,
            },
            logs,
        }
    }

    #[test]
    fn every_log_gets_the_hash_of_its_emitter_and_payload() {
        let log = SourceLog {
            address: Address::repeat_byte(7),
            topics: vec![B256::repeat_byte(3)],
            data: Bytes::from_static(b"hello"),
        };
        let (indexed, stored) = index_block(&block_with(vec![log.clone()]));
        let mut payload = log.topics[0].to_vec();
        payload.extend_from_slice(b"hello");
        let expected = log_hash(log.address, keccak256(payload));
        assert_eq!(indexed.log_hashes, vec![expected]);
        assert_eq!(stored.logs[0].log_hash, expected);
        assert!(indexed.executing.is_empty());
        assert_eq!(stored.seal.number, 5);
    }

    #[test]
    fn an_executing_message_log_of_the_inbox_is_decoded_with_its_log_index() {
        let id = Identifier {
            origin: Address::repeat_byte(9),
            block_number: 3,
            log_index: 1,
            timestamp: 30,
            chain_id: U256::from(901),
        };
        let message = ExecutingMessage { identifier: id, msg_hash: B256::repeat_byte(4) };
        let (topics, data) = message.encode_log();
        let plain = SourceLog { address: Address::repeat_byte(1), topics: vec![], data: Bytes::new() };
        let exec = SourceLog { address: CROSS_L2_INBOX, topics, data };
        let (indexed, stored) = index_block(&block_with(vec![plain, exec]));
        assert_eq!(indexed.executing.len(), 1);
        let found = indexed.executing[0];
        assert_eq!(found.log_index, 1);
        assert_eq!(found.exec.msg_hash, B256::repeat_byte(4));
        assert_eq!(found.exec.identifier.chain_id, U256::from(901));
        assert_eq!(found.exec.identifier.block_number, U256::from(3));
        assert_eq!(from_stored(&stored.seal, &stored.logs), indexed);
    }

    #[test]
    fn the_same_event_from_another_emitter_is_a_plain_log() {
        let id = Identifier {
            origin: Address::ZERO,
            block_number: 1,
            log_index: 0,
            timestamp: 1,
            chain_id: U256::from(1),
        };
        let (topics, data) = ExecutingMessage { identifier: id, msg_hash: B256::ZERO }.encode_log();
        let log = SourceLog { address: Address::repeat_byte(0x22), topics, data };
        let (indexed, _) = index_block(&block_with(vec![log]));
        assert!(indexed.executing.is_empty());
    }

    #[test]
    fn an_out_of_range_identifier_is_kept_at_full_width() {
        let id = Identifier {
            origin: Address::ZERO,
            block_number: 1,
            log_index: 0,
            timestamp: 1,
            chain_id: U256::from(1),
        };
        let (topics, _) = ExecutingMessage { identifier: id, msg_hash: B256::ZERO }.encode_log();
        let mut abi = AbiIdentifier::from(id);
        abi.blockNumber = U256::MAX;
        let data = Bytes::from(alloy_sol_types::SolValue::abi_encode(&abi));
        let log = SourceLog { address: CROSS_L2_INBOX, topics, data };
        let (indexed, _) = index_block(&block_with(vec![log]));
        assert_eq!(indexed.executing[0].exec.identifier.block_number, U256::MAX);
    }
}
