//! Looking a message up by message hash or transaction hash. The verifier's blocks carry logs but not their
//! transactions, so transaction hashes come from the chains' JSON-RPC, asked only when someone looks a
//! message up: `eth_getTransactionReceipt` on each chain for a transaction hash, `eth_getLogs` by block hash to
//! name the transactions of a message's send and relays.

use std::{collections::BTreeMap, time::Duration};

use alloy_primitives::B256;
use jsonrpsee::{
    core::client::ClientT,
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
};
use serde_json::{Value, json};
use superlink_verifier::ChainId;
use tokio::task::JoinSet;
use tracing::warn;

use crate::{dashboard::Shared, model::Message};

/// How long one chain may take to answer a lookup.
const RPC_TIMEOUT: Duration = Duration::from_secs(3);

/// Why a lookup found nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// Neither a tracked message nor a transaction of a tracked message has this hash.
    #[error("no tracked message has the message or transaction hash {0}")]
    NotFound(B256),
}

/// A log of a transaction receipt or block: where it is and which transaction emitted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LogOrigin {
    block: u64,
    log_index: u32,
    transaction: B256,
}

fn hex_u64(value: &Value) -> Option<u64> {
    let text = value.as_str()?;
    u64::from_str_radix(text.strip_prefix("0x")?, 16).ok()
}

fn log_origins(logs: &Value) -> Vec<LogOrigin> {
    logs.as_array()
        .map(|logs| {
            logs.iter()
                .filter_map(|log| {
                    Some(LogOrigin {
                        block: hex_u64(&log["blockNumber"])?,
                        log_index: u32::try_from(hex_u64(&log["logIndex"])?).ok()?,
                        transaction: log["transactionHash"].as_str()?.parse().ok()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON-RPC client per chain.
#[derive(Debug, Default)]
pub(crate) struct ChainRpc {
    clients: BTreeMap<ChainId, HttpClient>,
}

impl ChainRpc {
    /// Clients for `urls`; a URL that does not parse is logged and left out.
    pub(crate) fn new(urls: &BTreeMap<ChainId, String>) -> Self {
        let mut clients = BTreeMap::new();
        for (chain, url) in urls {
            match HttpClientBuilder::default().request_timeout(RPC_TIMEOUT).build(url) {
                Ok(client) => {
                    clients.insert(*chain, client);
                }
                Err(e) => warn!(chain, url, error = %e, "dashboard: no lookups on this chain"),
            }
        }
        Self { clients }
    }

    async fn block_logs(&self, chain: ChainId, block_hash: B256) -> Vec<LogOrigin> {
        let Some(client) = self.clients.get(&chain) else { return Vec::new() };
        match client.request::<Value, _>("eth_getLogs", rpc_params![json!({ "blockHash": block_hash })]).await
        {
            Ok(logs) => log_origins(&logs),
            Err(e) => {
                warn!(chain, %block_hash, error = %e, "dashboard: eth_getLogs failed");
                Vec::new()
            }
        }
    }

    /// The logs of transaction `hash`, with the chain that holds it.
    async fn transaction_logs(&self, hash: B256) -> Option<(ChainId, Vec<LogOrigin>)> {
        let mut asks = JoinSet::new();
        for (chain, client) in &self.clients {
            let (chain, client) = (*chain, client.clone());
            asks.spawn(async move {
                let receipt =
                    client.request::<Value, _>("eth_getTransactionReceipt", rpc_params![hash]).await;
                (chain, receipt.ok().filter(|r| !r.is_null()))
            });
        }
        while let Some(joined) = asks.join_next().await {
            if let Ok((chain, Some(receipt))) = joined {
                return Some((chain, log_origins(&receipt["logs"])));
            }
        }
        None
    }
}

/// The message `hash` names (a message hash, or the hash of a transaction that sent or relayed it), with the
/// transaction hashes of its send and relays filled in where the chains tell them.
pub(crate) async fn find_message(shared: &Shared, hash: B256) -> Result<Message, LookupError> {
    let known = shared.tracker().message(&hash).map(|m| m.hash);
    let message_hash = match known {
        Some(found) => found,
        None => {
            let (chain, logs) = shared.rpc.transaction_logs(hash).await.ok_or(LookupError::NotFound(hash))?;
            let tracker = shared.tracker();
            logs.iter()
                .find_map(|l| tracker.message_at(chain, l.block, l.log_index).map(|m| m.hash))
                .ok_or(LookupError::NotFound(hash))?
        }
    };
    fill_transactions(shared, message_hash).await;
    shared.tracker().message(&message_hash).cloned().ok_or(LookupError::NotFound(hash))
}

/// Asks the chains for the transactions of a message's send and relay attempts that have none yet.
async fn fill_transactions(shared: &Shared, hash: B256) {
    let Some(message) = shared.tracker().message(&hash).cloned() else { return };
    let mut places = Vec::new();
    if message.sent_transaction.is_none() {
        places.push(message.sent);
    }
    places.extend(message.attempts.iter().filter(|a| a.transaction.is_none()).filter_map(|a| a.place));
    for place in places {
        let logs = shared.rpc.block_logs(place.chain, place.block_hash).await;
        if let Some(origin) = logs.iter().find(|l| l.block == place.block && l.log_index == place.log_index) {
            shared.tracker().set_transaction(&hash, Some(place), origin.transaction);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_origins_read_rpc_logs_and_skip_malformed_ones() {
        let tx = B256::repeat_byte(0xab);
        let logs = json!([
            { "blockNumber": "0x10", "logIndex": "0x2", "transactionHash": tx },
            { "blockNumber": "16", "logIndex": "0x3", "transactionHash": tx },
            { "logIndex": "0x4" }
        ]);
        assert_eq!(log_origins(&logs), [LogOrigin { block: 16, log_index: 2, transaction: tx }]);
        assert!(log_origins(&Value::Null).is_empty());
    }
}
