//! Moving messages between two in-memory chains: turning a log of the source chain into the Identifier and
//! payload an executing message refers to, and relaying it with the access list it needs.

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use superlink_contracts::{
    addresses::{CROSS_L2_INBOX, L2_TO_L2_CROSS_DOMAIN_MESSENGER},
    bindings::{CrossL2Inbox, L2ToL2CrossDomainMessenger},
};

use crate::{
    harness::{Chain, Outcome, Tx},
    reference,
};

/// A log of a source chain, as an executing message refers to it.
#[derive(Debug, Clone)]
pub struct InitiatingMessage {
    /// Where the log lives.
    pub id: CrossL2Inbox::Identifier,
    /// The log's topics then data.
    pub payload: Bytes,
}

impl InitiatingMessage {
    /// The log at position `index` of the (single-transaction) block `outcome` was included in on `source`.
    pub fn from_log(source: &Chain, outcome: &Outcome, index: usize) -> Self {
        let log = &outcome.logs[index];
        let mut payload = Vec::new();
        for topic in log.topics() {
            payload.extend_from_slice(topic.as_slice());
        }
        payload.extend_from_slice(&log.data.data);
        InitiatingMessage {
            id: CrossL2Inbox::Identifier {
                origin: log.address,
                blockNumber: U256::from(outcome.block.0),
                logIndex: U256::from(index),
                timestamp: U256::from(outcome.block.1),
                chainId: U256::from(source.chain_id),
            },
            payload: payload.into(),
        }
    }

    /// The first `SentMessage` log of the messenger in `outcome`.
    pub fn sent_message(source: &Chain, outcome: &Outcome) -> Self {
        let (index, _) = outcome
            .events::<L2ToL2CrossDomainMessenger::SentMessage>(L2_TO_L2_CROSS_DOMAIN_MESSENGER)
            .into_iter()
            .next()
            .expect("a SentMessage log");
        Self::from_log(source, outcome, index)
    }

    /// keccak256 of the payload.
    pub fn msg_hash(&self) -> B256 {
        keccak256(&self.payload)
    }

    /// The access-list checksum that declares this message.
    pub fn checksum(&self) -> B256 {
        reference::checksum(&self.id, self.msg_hash())
    }

    /// The Identifier in the messenger's binding type.
    pub fn messenger_id(&self) -> L2ToL2CrossDomainMessenger::Identifier {
        to_messenger_id(&self.id)
    }

    /// A `relayMessage` transaction for this message from `relayer`, declaring it in the access list.
    pub fn relay_tx(&self, relayer: Address) -> Tx {
        let call = L2ToL2CrossDomainMessenger::relayMessageCall {
            _id: self.messenger_id(),
            _sentMessage: self.payload.clone(),
        };
        Tx::call(relayer, L2_TO_L2_CROSS_DOMAIN_MESSENGER, &call)
            .access(CROSS_L2_INBOX, vec![self.checksum()])
    }
}

/// Converts an Identifier between two bindings' types (same Solidity struct).
pub fn to_messenger_id(id: &CrossL2Inbox::Identifier) -> L2ToL2CrossDomainMessenger::Identifier {
    L2ToL2CrossDomainMessenger::Identifier {
        origin: id.origin,
        blockNumber: id.blockNumber,
        logIndex: id.logIndex,
        timestamp: id.timestamp,
        chainId: id.chainId,
    }
}
