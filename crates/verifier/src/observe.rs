//! What the verifier tells observers (a dashboard, a recorder): every ingested block with its logs, every
//! rewind, and the heads after each change; plus the hook that lets such an observer add HTTP routes to the
//! RPC server.
//!
//! Events go out on a bounded broadcast channel and are only built while someone subscribes, so a verifier
//! nobody watches pays nothing. A subscriber that falls behind by more than [`EVENT_CAPACITY`] events is told
//! how many it missed (`RecvError::Lagged`).

use std::{fmt, sync::Arc};

use jsonrpsee::server::{HttpRequest, HttpResponse, TowerServiceNoHttp};
use tokio::sync::broadcast;
use tower::{BoxError, layer::util::Identity, util::BoxCloneServiceLayer};

use crate::{
    chain_data::{ChainId, SourceBlock},
    state::{ChainHeads, HeadEvent},
    verifier::Verifier,
};

/// How many events a slow subscriber may fall behind before it misses some.
pub const EVENT_CAPACITY: usize = 4096;

/// One change of the verifier's view.
#[derive(Debug, Clone)]
pub enum VerifierEvent {
    /// Consecutive blocks of a chain were indexed.
    Ingested {
        /// The chain.
        chain: ChainId,
        /// The blocks, with every log.
        blocks: Arc<[SourceBlock]>,
    },
    /// A chain's blocks after `to` were dropped (a reorg or a replaced block).
    Rewound {
        /// The chain.
        chain: ChainId,
        /// The last block kept.
        to: u64,
    },
    /// The heads were resolved again.
    Heads {
        /// What changed (promotions, demotions, blocks found invalid).
        events: Arc<[HeadEvent]>,
        /// Every chain's heads now, by ascending chain ID.
        heads: Arc<[(ChainId, ChainHeads)]>,
    },
}

/// The sending side kept by the verifier.
pub(crate) fn channel() -> broadcast::Sender<VerifierEvent> {
    broadcast::channel(EVENT_CAPACITY).0
}

/// Sends the event `make` builds, only when someone listens.
pub(crate) fn publish(sender: &broadcast::Sender<VerifierEvent>, make: impl FnOnce() -> VerifierEvent) {
    if sender.receiver_count() > 0 {
        // An error only means the last subscriber left in between.
        let _ = sender.send(make());
    }
}

/// An HTTP middleware of the RPC server: it sees every HTTP request first and passes on the ones it does not
/// answer (the JSON-RPC POSTs, WebSocket upgrades).
pub type HttpLayer = BoxCloneServiceLayer<TowerServiceNoHttp<Identity>, HttpRequest, HttpResponse, BoxError>;

/// Builds an [`HttpLayer`] for a verifier once it is open (the service opens it itself).
#[derive(Clone)]
pub struct HttpExtension(Arc<dyn Fn(&Verifier) -> HttpLayer + Send + Sync>);

impl HttpExtension {
    /// An extension that builds its layer with `make`.
    pub fn new(make: impl Fn(&Verifier) -> HttpLayer + Send + Sync + 'static) -> Self {
        Self(Arc::new(make))
    }

    /// The layer for `verifier`.
    pub fn layer(&self, verifier: &Verifier) -> HttpLayer {
        (self.0)(verifier)
    }
}

impl fmt::Debug for HttpExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HttpExtension")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;

    use alloy_primitives::{B256, U256};
    use superlink_protocol::DependencySet;
    use tokio::sync::broadcast::error::TryRecvError;

    use super::*;
    use crate::chain_data::BlockRef;

    fn block(number: u64, parent: B256) -> SourceBlock {
        let hash = B256::from(U256::from(number + 1));
        SourceBlock {
            block: BlockRef { hash, number, parent_hash: parent, timestamp: 1_000 + number },
            logs: vec![],
        }
    }

    #[test]
    fn a_subscriber_sees_every_ingest_rewind_and_head_change_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let deps = DependencySet::new([U256::from(901), U256::from(902)]).unwrap();
        let verifier = Verifier::open(deps, dir.path(), &BTreeMap::new()).unwrap();
        let genesis = block(0, B256::ZERO);
        // Nobody listens yet: nothing is queued for later subscribers.
        verifier.ingest(901, std::slice::from_ref(&genesis)).unwrap();
        let mut events = verifier.subscribe();
        assert!(matches!(events.try_recv(), Err(TryRecvError::Empty)));

        let next = block(1, genesis.block.hash);
        verifier.ingest(901, std::slice::from_ref(&next)).unwrap();
        match events.try_recv().unwrap() {
            VerifierEvent::Ingested { chain, blocks } => assert_eq!((chain, &blocks[..]), (901, &[next][..])),
            other => panic!("expected the ingested block, got {other:?}"),
        }
        match events.try_recv().unwrap() {
            VerifierEvent::Heads { heads, .. } => {
                assert_eq!(heads.iter().map(|(c, _)| *c).collect::<Vec<_>>(), [901, 902]);
                assert_eq!(heads[0].1.local_unsafe.map(|b| b.number), Some(1));
            }
            other => panic!("expected the heads, got {other:?}"),
        }
        verifier.rewind(901, 0).unwrap();
        assert!(matches!(events.try_recv().unwrap(), VerifierEvent::Rewound { chain: 901, to: 0 }));
        assert!(matches!(events.try_recv().unwrap(), VerifierEvent::Heads { .. }));
    }
}
