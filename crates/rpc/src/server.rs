//! Starting and stopping the server: HTTP and WebSocket on one port, open CORS, size limits, and the
//! background tasks that feed polling filters from the chain's events and expire idle ones.

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use jsonrpsee::{
    RpcModule,
    server::{IdProvider, Server, ServerConfig, ServerHandle},
    types::SubscriptionId,
};
use tokio::{net::ToSocketAddrs, sync::broadcast::error::RecvError, task::JoinHandle};

use crate::{
    api::{
        DebugApiServer, DevApiServer, EthApiServer, NetApiServer, PersonalApiServer, TxpoolApiServer,
        Web3ApiServer,
    },
    backend::EthBackend,
    chain_convert::rpc_event,
    context::{RpcConfig, RpcContext},
    cors::OpenCorsLayer,
};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address could not be bound.
    #[error("binding the JSON-RPC server: {0}")]
    Bind(#[source] std::io::Error),
    /// Two method tables declared the same method name.
    #[error("registering JSON-RPC methods: {0}")]
    Register(#[from] jsonrpsee::core::RegisterMethodError),
}

/// A running server; [`RpcServerHandle::stop`] shuts it down.
#[derive(Debug)]
pub struct RpcServerHandle {
    addr: SocketAddr,
    server: ServerHandle,
    tasks: Vec<JoinHandle<()>>,
}

impl RpcServerHandle {
    /// The bound address (the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://<addr>`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }

    /// Stops accepting connections, closes the open ones and ends the background tasks; returns once the
    /// server has stopped.
    pub async fn stop(self) {
        for task in &self.tasks {
            task.abort();
        }
        // `stop` fails only when the server already stopped, which is what we want anyway.
        let _ = self.server.stop();
        self.server.stopped().await;
    }
}

/// Subscription IDs as geth writes them: `0x`-prefixed hex, unique per server.
#[derive(Debug)]
struct HexIdProvider {
    next: AtomicU64,
    salt: u64,
}

impl IdProvider for HexIdProvider {
    fn next_id(&self) -> SubscriptionId<'static> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        SubscriptionId::Str(format!("0x{:016x}{n:016x}", self.salt).into())
    }
}

fn random_salt() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now())
}

/// Builds the method table of all namespaces over `context`.
pub fn rpc_module<B: EthBackend>(context: RpcContext<B>) -> Result<RpcModule<()>, ServeError> {
    let mut module = RpcModule::new(());
    module.merge(EthApiServer::into_rpc(context.clone()))?;
    module.merge(NetApiServer::into_rpc(context.clone()))?;
    module.merge(Web3ApiServer::into_rpc(context.clone()))?;
    module.merge(PersonalApiServer::into_rpc(context.clone()))?;
    module.merge(TxpoolApiServer::into_rpc(context.clone()))?;
    module.merge(DebugApiServer::into_rpc(context.clone()))?;
    module.merge(DevApiServer::into_rpc(context))?;
    Ok(module)
}

/// Serves `backend` on `addr` with the default limits.
pub async fn serve<B: EthBackend>(
    addr: impl ToSocketAddrs,
    backend: Arc<B>,
) -> Result<RpcServerHandle, ServeError> {
    serve_with_config(addr, backend, RpcConfig::default()).await
}

/// Serves `backend` on `addr` (HTTP and WebSocket on the same port) with `config`.
pub async fn serve_with_config<B: EthBackend>(
    addr: impl ToSocketAddrs,
    backend: Arc<B>,
    config: RpcConfig,
) -> Result<RpcServerHandle, ServeError> {
    let context = RpcContext::new(backend, config.clone());
    let server_config = ServerConfig::builder()
        .max_request_body_size(config.max_request_body_size)
        .max_response_body_size(config.max_response_body_size)
        .max_connections(config.max_connections)
        .max_subscriptions_per_connection(config.max_subscriptions_per_connection)
        .set_id_provider(HexIdProvider { next: AtomicU64::new(1), salt: random_salt() })
        // Small writes leave at once. With Nagle's algorithm a small write that follows an unacknowledged one
        // (the next answer on a WebSocket, a response written in parts) waits for the client's delayed ACK, up
        // to 40 ms. jsonrpsee's default today, set here so that an upgrade cannot change it unnoticed.
        .set_tcp_no_delay(true)
        .build();
    let server = Server::builder()
        .set_config(server_config)
        .set_http_middleware(tower::ServiceBuilder::new().layer(OpenCorsLayer))
        .build(addr)
        .await
        .map_err(ServeError::Bind)?;
    let local_addr = server.local_addr().map_err(ServeError::Bind)?;
    let tasks =
        vec![tokio::spawn(feed_filters(context.clone())), tokio::spawn(expire_filters(context.clone()))];
    let handle = server.start(rpc_module(context)?);
    Ok(RpcServerHandle { addr: local_addr, server: handle, tasks })
}

/// Hands every chain event to the installed polling filters.
async fn feed_filters<B: EthBackend>(context: RpcContext<B>) {
    let mut events = context.backend.events();
    loop {
        match events.recv().await {
            Ok(event) => {
                let event = rpc_event(&event);
                context.filters().on_event(&event)
            }
            Err(RecvError::Lagged(missed)) => {
                tracing::debug!(missed, "filters lagged behind the chain's events")
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Uninstalls filters nobody polls.
async fn expire_filters<B: EthBackend>(context: RpcContext<B>) {
    let period =
        (context.config.filter_idle_timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(30));
    let mut ticker = tokio::time::interval(period);
    loop {
        ticker.tick().await;
        let expired = context.filters().evict_idle(Instant::now());
        if expired > 0 {
            tracing::debug!(expired, "uninstalled idle filters");
        }
    }
}
