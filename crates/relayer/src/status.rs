//! Where a message stands on its destination chain: still to relay, relayed (and by which transaction), or
//! failing (a relay would revert now, for a reason that does not pass by itself).

use alloy_primitives::B256;
use serde::Serialize;
use superlink_protocol::{messenger::RELAYED_MESSAGE_TOPIC, predeploys::L2_TO_L2_CROSS_DOMAIN_MESSENGER};

use crate::{
    chain::{ChainClient, LogFilter},
    error::{ChainError, RelayError},
    message::RelayableMessage,
    relay::{check_relay, is_relayed},
    revert::RelayRevert,
};

/// The delivery state of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "status")]
pub enum DeliveryStatus {
    /// Sent, not relayed yet; a relay would pass now.
    Sent,
    /// Relayed; the relay transaction, when its `RelayedMessage` log was found.
    Relayed {
        /// The relay transaction.
        transaction: Option<B256>,
        /// Its block.
        block_number: Option<u64>,
    },
    /// Not relayed, and relaying it now reverts.
    Failing {
        /// Why.
        reason: String,
    },
}

/// The delivery state of `message` on `destination`. The relay transaction is looked up through the
/// messenger's `RelayedMessage` log (whose third topic is the message hash).
pub async fn delivery_status<C: ChainClient>(
    destination: &C,
    message: &RelayableMessage,
) -> Result<DeliveryStatus, RelayError> {
    if is_relayed(destination, message.message_hash).await? {
        let (transaction, block_number) = match find_relay(destination, message.message_hash).await {
            Ok(Some((tx, block))) => (Some(tx), Some(block)),
            // Some nodes limit log ranges: the message is relayed all the same.
            Ok(None) | Err(_) => (None, None),
        };
        return Ok(DeliveryStatus::Relayed { transaction, block_number });
    }
    match check_relay(destination, alloy_primitives::Address::ZERO, message).await {
        Ok(()) => Ok(DeliveryStatus::Sent),
        Err(RelayError::Refused { reason: RelayRevert::Other(_), .. }) => Ok(DeliveryStatus::Sent),
        Err(RelayError::Refused { reason, .. }) => Ok(DeliveryStatus::Failing { reason: reason.to_string() }),
        Err(e @ RelayError::WrongDestination { .. }) => Ok(DeliveryStatus::Failing { reason: e.to_string() }),
        Err(RelayError::AlreadyRelayed { .. }) => {
            Ok(DeliveryStatus::Relayed { transaction: None, block_number: None })
        }
        Err(e) => Err(e),
    }
}

/// The transaction and block of the `RelayedMessage` log of `message_hash` on `destination`, if any.
pub async fn find_relay<C: ChainClient>(
    destination: &C,
    message_hash: B256,
) -> Result<Option<(B256, u64)>, ChainError> {
    let latest = destination.latest_block_number().await?;
    let filter = LogFilter {
        from_block: 0,
        to_block: latest,
        address: L2_TO_L2_CROSS_DOMAIN_MESSENGER,
        topic0: RELAYED_MESSAGE_TOPIC,
        topic3: Some(message_hash),
    };
    let logs = destination.logs(&filter).await?;
    Ok(logs.first().map(|l| (l.transaction_hash, l.block_number)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_serializes_with_camel_case_keys_like_the_rest_of_the_json() {
        let relayed =
            DeliveryStatus::Relayed { transaction: Some(B256::repeat_byte(1)), block_number: Some(7) };
        let json = serde_json::to_value(&relayed).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "status": "relayed", "transaction": B256::repeat_byte(1), "blockNumber": 7 })
        );
        let failing = serde_json::to_value(DeliveryStatus::Failing { reason: "r".into() }).unwrap();
        assert_eq!(failing, serde_json::json!({ "status": "failing", "reason": "r" }));
    }
}
