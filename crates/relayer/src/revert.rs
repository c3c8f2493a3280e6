//! Why a `relayMessage` call reverts, decoded from its revert data, and what a relayer should do about it.

use std::fmt;

use alloy_primitives::Bytes;
use alloy_sol_types::SolError;
use superlink_contracts::bindings::{
    CrossL2Inbox::NotInAccessList,
    L2ToL2CrossDomainMessenger::{
        EventPayloadNotSentMessage, IdOriginNotL2ToL2CrossDomainMessenger, MessageAlreadyRelayed,
        MessageDestinationNotRelayChain, MessageTargetL2ToL2CrossDomainMessenger, ReentrantCall,
    },
};

/// The reason a `relayMessage` call reverted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayRevert {
    /// `MessageAlreadyRelayed()`: the message was relayed before.
    AlreadyRelayed,
    /// The target of the message reverted: the messenger reverts with the target's own revert data, so this is
    /// any non-empty revert data that is none of the messenger's or the inbox's errors.
    TargetCallFailed(Bytes),
    /// `MessageDestinationNotRelayChain()`: the message is for another chain.
    WrongDestination,
    /// `IdOriginNotL2ToL2CrossDomainMessenger()`: the identifier does not point at a messenger log.
    OriginNotMessenger,
    /// `EventPayloadNotSentMessage()`: the payload is not a `SentMessage` log.
    NotSentMessage,
    /// `MessageTargetL2ToL2CrossDomainMessenger()`: a forbidden target.
    ForbiddenTarget,
    /// `NotInAccessList()`: the transaction did not declare the message.
    NotInAccessList,
    /// `ReentrantCall()`: the relay was entered from within a relay.
    Reentrant,
    /// A revert without data.
    Other(Bytes),
}

impl RelayRevert {
    /// Decodes revert data of `relayMessage` (errors of the messenger and of `CrossL2Inbox`).
    pub fn from_revert_data(data: &[u8]) -> Self {
        if data.is_empty() {
            return Self::Other(Bytes::new());
        }
        let Some(selector) = data.get(..4) else {
            return Self::TargetCallFailed(Bytes::copy_from_slice(data));
        };
        let known: [([u8; 4], RelayRevert); 7] = [
            (MessageAlreadyRelayed::SELECTOR, Self::AlreadyRelayed),
            (MessageDestinationNotRelayChain::SELECTOR, Self::WrongDestination),
            (IdOriginNotL2ToL2CrossDomainMessenger::SELECTOR, Self::OriginNotMessenger),
            (EventPayloadNotSentMessage::SELECTOR, Self::NotSentMessage),
            (MessageTargetL2ToL2CrossDomainMessenger::SELECTOR, Self::ForbiddenTarget),
            (NotInAccessList::SELECTOR, Self::NotInAccessList),
            (ReentrantCall::SELECTOR, Self::Reentrant),
        ];
        known
            .into_iter()
            .find(|(s, _)| s.as_slice() == selector)
            .map(|(_, reason)| reason)
            .unwrap_or_else(|| Self::TargetCallFailed(Bytes::copy_from_slice(data)))
    }

    /// Whether the same relay may pass later. Only a revert without data may: a checker that does not know the
    /// source block yet can make a node fail the call without any error of the messenger or the target. Every
    /// named error of the messenger is deterministic for this message, and a target's revert is taken as such too.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Other(_))
    }
}

impl fmt::Display for RelayRevert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlreadyRelayed => f.write_str("MessageAlreadyRelayed: the message was relayed before"),
            Self::TargetCallFailed(data) => {
                write!(f, "TargetCallFailed: the target of the message reverts with data {data}")
            }
            Self::WrongDestination => {
                f.write_str("MessageDestinationNotRelayChain: the message is for another chain")
            }
            Self::OriginNotMessenger => f.write_str(
                "IdOriginNotL2ToL2CrossDomainMessenger: the identifier does not point at a messenger log",
            ),
            Self::NotSentMessage => {
                f.write_str("EventPayloadNotSentMessage: the payload is not a SentMessage")
            }
            Self::ForbiddenTarget => f.write_str("the message targets a predeploy that may not be called"),
            Self::NotInAccessList => {
                f.write_str("NotInAccessList: the message is not declared in the access list")
            }
            Self::Reentrant => f.write_str("ReentrantCall: relay entered from within a relay"),
            Self::Other(data) if data.is_empty() => f.write_str("reverted without data"),
            Self::Other(data) => write!(f, "reverted with data {data}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_messenger_errors_decode_by_selector() {
        let data = MessageAlreadyRelayed {}.abi_encode();
        assert_eq!(RelayRevert::from_revert_data(&data), RelayRevert::AlreadyRelayed);
        // The messenger passes on what the target reverted with.
        let data = [0x08, 0xc3, 0x79, 0xa0, 0, 0, 0, 1];
        assert_eq!(RelayRevert::from_revert_data(&data), RelayRevert::TargetCallFailed(data.into()));
        let data = NotInAccessList {}.abi_encode();
        assert_eq!(RelayRevert::from_revert_data(&data), RelayRevert::NotInAccessList);
    }

    #[test]
    fn only_unexplained_reverts_are_worth_retrying() {
        assert!(RelayRevert::from_revert_data(&[]).is_transient());
        assert!(!RelayRevert::from_revert_data(&[1, 2, 3, 4, 5]).is_transient());
        assert!(!RelayRevert::WrongDestination.is_transient());
    }
}
