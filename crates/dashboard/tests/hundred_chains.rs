//! The dashboard on a real verifier following 100 chains under message load: every chain sends messages to
//! the next one and relays the previous one's, while the page's routes are asked for the state. The routes
//! must stay fast, the tracker must keep up with the verifier, and the answers must stay small.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::SolEvent;
use http::{Method, Request, StatusCode};
use http_body::Body as _;
use jsonrpsee::server::{HttpBody, HttpRequest, HttpResponse};
use superlink_dashboard::{Dashboard, DashboardConfig};
use superlink_protocol::{
    DependencySet, ExecutingMessage, Identifier, SentMessage,
    messenger::abi::RelayedMessage,
    payload_hash,
    predeploys::{CROSS_L2_INBOX, L2_TO_L2_CROSS_DOMAIN_MESSENGER},
};
use superlink_verifier::{BlockRef, SourceBlock, SourceLog, Verifier};
use tower::{BoxError, Layer, Service, ServiceExt, service_fn};

const CHAINS: u64 = 100;
const ROUNDS: u64 = 12;
const PER_BLOCK: u64 = 3;

fn chain(i: u64) -> u64 {
    1_000 + i
}

fn hash_of(chain: u64, number: u64) -> B256 {
    keccak256([chain.to_be_bytes(), number.to_be_bytes()].concat())
}

/// The `SentMessage` logs block `number` of chain `i` carries (to the next chain).
fn sent_logs(i: u64, number: u64) -> Vec<(SentMessage, SourceLog)> {
    (0..PER_BLOCK)
        .map(|k| {
            let message = SentMessage {
                destination: U256::from(chain((i + 1) % CHAINS)),
                target: Address::repeat_byte(0x77),
                nonce: U256::from(number * PER_BLOCK + k),
                sender: Address::repeat_byte(0x55),
                message: Bytes::from(format!("{i}/{number}/{k}").into_bytes()),
            };
            let (topics, data) = message.encode_log();
            (message, SourceLog { address: L2_TO_L2_CROSS_DOMAIN_MESSENGER, topics, data })
        })
        .collect()
}

/// Block `number` of chain `i`: its sends, then the relays of what the previous chain sent one block before.
fn block(i: u64, number: u64) -> SourceBlock {
    let mut logs: Vec<SourceLog> = sent_logs(i, number).into_iter().map(|(_, log)| log).collect();
    let from = (i + CHAINS - 1) % CHAINS;
    if number > 0 {
        for (k, (message, log)) in (0u32..).zip(sent_logs(from, number - 1)) {
            let exec = ExecutingMessage {
                identifier: Identifier {
                    origin: L2_TO_L2_CROSS_DOMAIN_MESSENGER,
                    block_number: number - 1,
                    log_index: k,
                    timestamp: 1_000 + 2 * (number - 1),
                    chain_id: U256::from(chain(from)),
                },
                msg_hash: payload_hash(&log.topics, &log.data),
            };
            let (topics, data) = exec.encode_log();
            logs.push(SourceLog { address: CROSS_L2_INBOX, topics, data });
            let relayed = RelayedMessage {
                source: U256::from(chain(from)),
                messageNonce: message.nonce,
                messageHash: message.message_hash(U256::from(chain(from))),
                returnDataHash: B256::ZERO,
            };
            let (topics, data) = relayed.encode_log_data().split();
            logs.push(SourceLog { address: L2_TO_L2_CROSS_DOMAIN_MESSENGER, topics, data });
        }
    }
    let parent = if number == 0 { B256::ZERO } else { hash_of(chain(i), number - 1) };
    SourceBlock {
        block: BlockRef {
            hash: hash_of(chain(i), number),
            number,
            parent_hash: parent,
            timestamp: 1_000 + 2 * number,
        },
        logs,
    }
}

async fn get(
    service: &mut (impl Service<HttpRequest, Response = HttpResponse, Error = BoxError> + Send),
    path: &str,
) -> (StatusCode, String) {
    let request = Request::builder().method(Method::GET).uri(path).body(HttpBody::empty()).unwrap();
    let response = service.ready().await.unwrap().call(request).await.unwrap();
    let status = response.status();
    let mut body = response.into_body();
    let mut bytes = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
        if let Ok(data) = frame.unwrap().into_data() {
            bytes.extend_from_slice(&data);
        }
    }
    (status, String::from_utf8(bytes).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_chains_under_message_load_keep_the_routes_fast_and_every_message_tracked() {
    let dir = tempfile::tempdir().unwrap();
    let deps = DependencySet::new((0..CHAINS).map(|i| U256::from(chain(i)))).unwrap();
    let verifier = Verifier::open(deps, dir.path(), &BTreeMap::new()).unwrap();
    let dashboard = Dashboard::start(&verifier, DashboardConfig::default());
    let rpc =
        service_fn(|_: HttpRequest| async { Ok::<_, BoxError>(HttpResponse::new(HttpBody::from("rpc"))) });
    let mut service = dashboard.layer().layer(rpc);

    let feeder = verifier.clone();
    let load = tokio::task::spawn_blocking(move || {
        for number in 0..ROUNDS {
            for i in 0..CHAINS {
                feeder.ingest(chain(i), &[block(i, number)]).unwrap();
            }
        }
    });
    let mut slowest = Duration::ZERO;
    while !load.is_finished() {
        let started = Instant::now();
        let (status, body) = get(&mut service, "/api/state").await;
        slowest = slowest.max(started.elapsed());
        assert_eq!(status, StatusCode::OK);
        assert!(body.len() < 1_000_000, "the state stays small: {} bytes", body.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    load.await.unwrap();
    // Speed is measured, not asserted: the slowest answer is reported for the record.
    eprintln!("slowest /api/state answer under the 100-chain load: {slowest:?}");

    // Every message sent before the last round is relayed, the last round's wait; nothing was missed.
    let total = CHAINS * ROUNDS * PER_BLOCK;
    let deadline = Instant::now() + Duration::from_secs(30);
    let state = loop {
        let state = dashboard.state();
        if state.counts.values().sum::<u64>() == total
            && state.counts["relayed"] == total - CHAINS * PER_BLOCK
        {
            break state;
        }
        assert!(Instant::now() < deadline, "the tracker did not catch up: {:?}", state.counts);
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(state.missed_events, 0);
    assert_eq!(state.chains.len(), 100);
    assert!(state.chains.iter().all(|lane| lane.heads.cross_unsafe.is_some()));
    let samples = (total - CHAINS * PER_BLOCK).min(DashboardConfig::default().tracker.max_samples as u64);
    assert_eq!(state.latency.len() as u64, samples, "latency samples are kept up to their bound");
    assert!(state.latency.iter().all(|s| s.latency_secs == 2));

    // The page has the controls 100 lanes need, and JSON-RPC requests still pass through.
    let (status, page) = get(&mut service, "/").await;
    assert_eq!(status, StatusCode::OK);
    for control in ["id=\"chain-filter\"", "id=\"collapse-all\"", "id=\"expand-all\""] {
        assert!(page.contains(control), "the page lacks {control}");
    }
    let (_, passed) = get(&mut service, "/metrics").await;
    assert_eq!(passed, "rpc");
    let (first, _) = sent_logs(0, 0).remove(0);
    let hash = first.message_hash(U256::from(chain(0)));
    let (status, life) = get(&mut service, &format!("/api/message/{hash}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(life.contains("\"kind\":\"relayed\""), "{life}");
}
