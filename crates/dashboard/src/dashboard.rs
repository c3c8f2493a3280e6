//! The running dashboard: subscribes to a verifier's events, feeds the tracker, and publishes what changed
//! to the page's event streams a few times a second.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use alloy_primitives::B256;
use superlink_verifier::{ChainId, HttpExtension, HttpLayer, Verifier, VerifierEvent};
use tokio::sync::broadcast::{self, error::RecvError};
use tower::util::BoxCloneServiceLayer;
use tracing::{debug, warn};

use crate::{
    http::DashboardLayer,
    lookup::ChainRpc,
    model::{Message, StateView},
    tracker::{FailedRelay, Tracker, TrackerConfig},
};

/// How the dashboard runs.
#[derive(Debug, Clone)]
pub struct DashboardConfig {
    /// What the tracker keeps.
    pub tracker: TrackerConfig,
    /// Each chain's JSON-RPC URL, to find transaction hashes when a message is looked up (optional).
    pub rpc_urls: BTreeMap<ChainId, String>,
    /// How often changes go out to the pages.
    pub publish_interval: Duration,
    /// How many pages may follow the event stream at once.
    pub max_streams: usize,
}

impl Default for DashboardConfig {
    /// The default tracker bounds, no RPC URLs, changes every 250 ms, 64 streams.
    fn default() -> Self {
        Self {
            tracker: TrackerConfig::default(),
            rpc_urls: BTreeMap::new(),
            publish_interval: Duration::from_millis(250),
            max_streams: 64,
        }
    }
}

/// What the feed task and the HTTP side share.
#[derive(Debug)]
pub(crate) struct Shared {
    tracker: Mutex<Tracker>,
    /// Each delta as JSON, for the event streams.
    pub(crate) deltas: broadcast::Sender<Arc<str>>,
    pub(crate) rpc: ChainRpc,
    pub(crate) max_streams: usize,
    pub(crate) streams: std::sync::atomic::AtomicUsize,
}

impl Shared {
    pub(crate) fn tracker(&self) -> MutexGuard<'_, Tracker> {
        self.tracker.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Unix milliseconds now.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or_default()
}

/// A running dashboard. Cheap to clone; its feed stops when the verifier is dropped.
#[derive(Debug, Clone)]
pub struct Dashboard {
    shared: Arc<Shared>,
}

impl Dashboard {
    /// Subscribes to `verifier` and starts feeding the tracker (needs a Tokio runtime). Only what the verifier
    /// does from now on is seen: messages in blocks indexed before are not tracked.
    pub fn start(verifier: &Verifier, config: DashboardConfig) -> Self {
        let events = verifier.subscribe();
        let mut tracker = Tracker::new(config.tracker, verifier.chains());
        let heads: Vec<_> =
            verifier.chains().into_iter().filter_map(|c| verifier.heads(c).map(|h| (c, h))).collect();
        tracker.heads(&heads, &[], now_ms());
        let shared = Arc::new(Shared {
            tracker: Mutex::new(tracker),
            deltas: broadcast::channel(256).0,
            rpc: ChainRpc::new(&config.rpc_urls),
            max_streams: config.max_streams,
            streams: std::sync::atomic::AtomicUsize::new(0),
        });
        tokio::spawn(feed(events, shared.clone(), config.publish_interval));
        Self { shared }
    }

    /// The dashboard's HTTP routes, to put in front of the verifier's JSON-RPC server.
    pub fn layer(&self) -> DashboardLayer {
        DashboardLayer::new(self.shared.clone())
    }

    /// [`Dashboard::layer`] in the form [`superlink_verifier::serve_with`] takes.
    pub fn http_layer(&self) -> HttpLayer {
        BoxCloneServiceLayer::new(self.layer())
    }

    /// An extension for [`superlink_verifier::VerifierConfig`]: the service starts a dashboard on its
    /// verifier once the index is open.
    pub fn extension(config: DashboardConfig) -> HttpExtension {
        HttpExtension::new(move |verifier| Dashboard::start(verifier, config.clone()).http_layer())
    }

    /// The state the page shows now.
    pub fn state(&self) -> StateView {
        self.shared.tracker().snapshot()
    }

    /// The tracked message with message hash `hash` (the `L2ToL2CrossDomainMessenger` hash), as the page shows it:
    /// where it was sent, its state and its relay attempts. `None` when the tracker has not seen it (sent before
    /// the dashboard started, dropped as one of the oldest past [`TrackerConfig::max_messages`], or its block not
    /// indexed yet).
    pub fn message(&self, hash: &B256) -> Option<Message> {
        self.shared.tracker().message(hash).cloned()
    }

    /// Records a relay that failed without leaving a log (for relayers that report their attempts).
    pub fn report_failed_relay(&self, failed: FailedRelay) {
        self.shared.tracker().failed_relay(failed, now_ms());
    }
}

fn apply(tracker: &mut Tracker, event: VerifierEvent) {
    let now = now_ms();
    match event {
        VerifierEvent::Ingested { chain, blocks } => {
            for block in blocks.iter() {
                tracker.ingest(chain, block, now);
            }
        }
        VerifierEvent::Rewound { chain, to } => tracker.rewind(chain, to, now),
        VerifierEvent::Heads { events, heads } => tracker.heads(&heads, &events, now),
    }
}

async fn feed(mut events: broadcast::Receiver<VerifierEvent>, shared: Arc<Shared>, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => apply(&mut shared.tracker(), event),
                Err(RecvError::Lagged(missed)) => {
                    warn!(missed, "the dashboard fell behind the verifier's events");
                    shared.tracker().missed(missed);
                }
                Err(RecvError::Closed) => {
                    debug!("verifier gone; dashboard feed stopped");
                    return;
                }
            },
            _ = tick.tick() => {
                let delta = shared.tracker().take_delta();
                if let Some(delta) = delta
                    && shared.deltas.receiver_count() > 0
                {
                    match serde_json::to_string(&delta) {
                        Ok(json) => { let _ = shared.deltas.send(json.into()); }
                        Err(e) => warn!(error = %e, "a dashboard delta did not serialise"),
                    }
                }
            }
        }
    }
}
