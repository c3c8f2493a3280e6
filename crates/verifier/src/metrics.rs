//! Prometheus metrics of the verifier: heads per chain and level, checks, invalid blocks, indexing lag.

use std::net::SocketAddr;

use metrics::{counter, gauge};
use metrics_exporter_prometheus::PrometheusBuilder;

use crate::{chain_data::ChainId, error::VerifierError, state::ChainHeads};

/// Starts the Prometheus exporter on `addr` (it serves `/metrics`). Must run inside a tokio runtime; only one
/// exporter can be installed per process.
pub fn install_exporter(addr: SocketAddr) -> Result<(), VerifierError> {
    PrometheusBuilder::new()
        .with_http_listener(addr)
        .install()
        .map_err(|e| VerifierError::Metrics { addr, reason: e.to_string() })
}

/// Records every head of a chain.
pub fn record_heads(chain: ChainId, heads: &ChainHeads) {
    let levels = [
        ("unsafe", heads.local_unsafe),
        ("cross-unsafe", heads.cross_unsafe),
        ("local-safe", heads.local_safe),
        ("safe", heads.cross_safe),
        ("finalized", heads.finalized),
    ];
    for (level, head) in levels {
        if let Some(block) = head {
            gauge!("superlink_verifier_head_block", "chain" => chain.to_string(), "level" => level)
                .set(block.number as f64);
        }
    }
}

/// Counts one access-list check and its outcome (`valid` or the error code).
pub fn record_check(outcome: &'static str) {
    counter!("superlink_verifier_access_list_checks_total", "outcome" => outcome).increment(1);
}

/// Counts one block found invalid at a level.
pub fn record_invalid_block(chain: ChainId, level: &'static str) {
    counter!("superlink_verifier_invalid_blocks_total", "chain" => chain.to_string(), "level" => level)
        .increment(1);
}

/// Records how far the index is behind the chain's head, in blocks.
pub fn record_lag(chain: ChainId, blocks: u64) {
    gauge!("superlink_verifier_indexing_lag_blocks", "chain" => chain.to_string()).set(blocks as f64);
}

/// Counts indexed blocks and logs.
pub fn record_indexed(chain: ChainId, blocks: u64, logs: u64) {
    counter!("superlink_verifier_indexed_blocks_total", "chain" => chain.to_string()).increment(blocks);
    counter!("superlink_verifier_indexed_logs_total", "chain" => chain.to_string()).increment(logs);
}

/// Counts a reorg of a chain.
pub fn record_reorg(chain: ChainId) {
    counter!("superlink_verifier_reorgs_total", "chain" => chain.to_string()).increment(1);
}
