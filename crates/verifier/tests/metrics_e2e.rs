//! The Prometheus endpoint, in a test process of its own: the metrics recorder is global to a process, so no
//! other verifier may emit metrics before this one installs its exporter.

mod common;

use common::{Chain, scenarios::valid_message_and_bad_claims};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_report_heads_per_chain_and_level_and_count_checks() {
    valid_message_and_bad_claims(Chain::start(901), Chain::start(902), true).await;
}
