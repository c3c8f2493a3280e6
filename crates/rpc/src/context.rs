//! What every method handler shares: the backend, the installed filters and the server's limits; and the
//! helpers that run backend work: on the blocking pool (a bounded number at once), so a long block build never
//! stalls the async workers that serve other connections, or, for quick reads while nothing changes the
//! chain, right on the connection's task.

use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::Duration,
};

use jsonrpsee::types::ErrorObjectOwned;
use tokio::sync::Semaphore;

use crate::{
    backend::{BackendResult, EthBackend},
    error::{BackendError, RpcError},
    filters::FilterRegistry,
};

/// Limits and identity of a server.
#[derive(Debug, Clone)]
pub struct RpcConfig {
    /// Largest accepted request body, in bytes (HTTP body or WebSocket message).
    pub max_request_body_size: u32,
    /// Largest response, in bytes.
    pub max_response_body_size: u32,
    /// Most simultaneous connections.
    pub max_connections: u32,
    /// Most subscriptions one WebSocket connection may hold.
    pub max_subscriptions_per_connection: u32,
    /// Widest `eth_getLogs` range, in blocks.
    pub max_log_block_range: u64,
    /// Filters not polled for this long are uninstalled.
    pub filter_idle_timeout: Duration,
    /// Most unpolled items one filter keeps (the oldest are dropped first).
    pub max_filter_buffer: usize,
    /// What `web3_clientVersion` answers.
    pub client_version: String,
    /// Most requests one server runs on the blocking thread pool at once; the rest wait their turn without
    /// holding a thread (changes to a chain run one at a time anyway, and every extra thread costs memory).
    pub max_blocking_tasks: usize,
}

impl Default for RpcConfig {
    fn default() -> Self {
        RpcConfig {
            max_request_body_size: 10 * 1024 * 1024,
            max_response_body_size: 100 * 1024 * 1024,
            max_connections: 1000,
            max_subscriptions_per_connection: 1024,
            max_log_block_range: 10_000,
            filter_idle_timeout: Duration::from_secs(300),
            max_filter_buffer: 10_000,
            client_version: format!("superlink/{}", env!("CARGO_PKG_VERSION")),
            max_blocking_tasks: std::thread::available_parallelism().map_or(4, |cores| cores.get() * 2),
        }
    }
}

/// The state shared by all handlers of one server.
#[derive(Debug)]
pub struct RpcContext<B> {
    /// The chain.
    pub backend: Arc<B>,
    /// The installed polling filters.
    pub filters: Arc<Mutex<FilterRegistry>>,
    /// The server's limits.
    pub config: RpcConfig,
    /// Permits to run on the blocking pool ([`RpcConfig::max_blocking_tasks`] of them).
    pub blocking_permits: Arc<Semaphore>,
}

impl<B> Clone for RpcContext<B> {
    fn clone(&self) -> Self {
        RpcContext {
            backend: self.backend.clone(),
            filters: self.filters.clone(),
            config: self.config.clone(),
            blocking_permits: self.blocking_permits.clone(),
        }
    }
}

impl<B: EthBackend> RpcContext<B> {
    /// A context over `backend` with `config`.
    pub fn new(backend: Arc<B>, config: RpcConfig) -> Self {
        let filters = FilterRegistry::new(config.filter_idle_timeout, config.max_filter_buffer);
        let blocking_permits = Arc::new(Semaphore::new(config.max_blocking_tasks.max(1)));
        RpcContext { backend, filters: Arc::new(Mutex::new(filters)), config, blocking_permits }
    }

    /// The filter registry, locked (a panic in another holder does not poison it for good).
    pub fn filters(&self) -> MutexGuard<'_, FilterRegistry> {
        self.filters.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs a quick read (a state query, a block, an `eth_call`): at once on this task when the backend
    /// can serve it without waiting, which saves two thread hand-offs per request, else on the blocking pool.
    pub async fn read<T, F>(&self, work: F) -> Result<T, ErrorObjectOwned>
    where
        T: Send + 'static,
        F: FnOnce(&B) -> BackendResult<T> + Send + 'static,
    {
        if self.backend.reads_without_waiting() {
            return work(&self.backend).map_err(|e| RpcError::Backend(e).into());
        }
        self.blocking(work).await
    }

    /// Runs `work` on the blocking thread pool (every backend call goes through here: the backend may hold a
    /// lock while it mines or executes).
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, ErrorObjectOwned>
    where
        T: Send + 'static,
        F: FnOnce(&B) -> BackendResult<T> + Send + 'static,
    {
        let backend = self.backend.clone();
        let permit = self.blocking_permits.clone().acquire_owned().await.map_err(|closed| {
            ErrorObjectOwned::from(RpcError::Backend(BackendError::Internal(format!(
                "blocking pool: {closed}"
            ))))
        })?;
        let task = tokio::task::spawn_blocking(move || {
            let result = work(&backend);
            drop(permit);
            result
        });
        match task.await {
            Ok(result) => result.map_err(|e| RpcError::Backend(e).into()),
            Err(join) => {
                Err(RpcError::Backend(BackendError::Internal(format!("backend task failed: {join}"))).into())
            }
        }
    }
}
