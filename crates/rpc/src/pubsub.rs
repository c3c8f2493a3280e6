//! `eth_subscribe` delivery: each subscription forwards the chain's events that concern it to its WebSocket
//! until the client unsubscribes or disconnects.

use alloy_rpc_types_eth::Filter;
use jsonrpsee::{SubscriptionMessage, SubscriptionSink};
use serde::Serialize;
use tokio::sync::broadcast::{self, error::RecvError};

use superlink_node::ChainEvent;

use crate::{chain_convert::rpc_event, log_query::log_matches_criteria, types::RpcEvent};

/// What a subscription delivers.
#[derive(Debug, Clone)]
pub enum Subscription {
    /// Headers of new canonical blocks.
    NewHeads,
    /// Logs of new blocks matching the filter (and removed logs, flagged `removed`).
    Logs(Box<Filter>),
    /// Hashes of transactions entering the pool.
    PendingTransactions,
}

/// The notifications one event yields for `subscription`, as JSON values.
pub fn notifications(subscription: &Subscription, event: &RpcEvent) -> Vec<Box<serde_json::value::RawValue>> {
    fn raw(value: &impl Serialize) -> Option<Box<serde_json::value::RawValue>> {
        serde_json::value::to_raw_value(value).ok()
    }
    match (subscription, event) {
        (Subscription::NewHeads, RpcEvent::NewBlock(block)) => raw(&block.header).into_iter().collect(),
        (Subscription::PendingTransactions, RpcEvent::PendingTransaction(hash)) => {
            raw(hash).into_iter().collect()
        }
        (Subscription::Logs(filter), RpcEvent::NewBlock(block)) => {
            block.logs.iter().filter(|log| log_matches_criteria(filter, log)).filter_map(raw).collect()
        }
        (Subscription::Logs(filter), RpcEvent::LogsRemoved(logs)) => logs
            .iter()
            .filter(|log| log_matches_criteria(filter, log))
            .filter_map(|log| {
                let mut removed = log.clone();
                removed.removed = true;
                raw(&removed)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Forwards events to `sink` until the subscriber leaves or the chain's event channel closes. A subscriber
/// too slow to keep up misses the events it lagged behind on (as with geth), and stays subscribed.
pub async fn forward_events(
    sink: SubscriptionSink,
    mut events: broadcast::Receiver<ChainEvent>,
    subscription: Subscription,
) {
    loop {
        let event = tokio::select! {
            _ = sink.closed() => return,
            event = events.recv() => event,
        };
        match event {
            Ok(event) => {
                for message in notifications(&subscription, &rpc_event(&event)) {
                    if sink.send(SubscriptionMessage::from(message)).await.is_err() {
                        return;
                    }
                }
            }
            Err(RecvError::Lagged(missed)) => {
                tracing::debug!(missed, "subscriber lagged behind the chain's events");
            }
            Err(RecvError::Closed) => return,
        }
    }
}
