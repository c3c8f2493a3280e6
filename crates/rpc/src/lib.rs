//! Ethereum JSON-RPC for superlink's chains.
//!
//! [`serve`] starts one server per chain: HTTP and WebSocket on one port, open CORS, request size limits.
//! It speaks the `eth_`, `net_` and `web3_` namespaces as geth does (OP-flavoured transactions and
//! receipts, geth's error codes and messages, execution reverts as code 3 with the revert data), polling
//! filters with idle expiry, `eth_subscribe` (`newHeads`, `logs`, `newPendingTransactions`), and the
//! anvil/hardhat dev methods test suites use, geth's `eth_fillTransaction` (what wallets and viem ask before
//! they sign), and geth's `txpool_` inspection methods. The chain is reached through the [`EthBackend`] traits (one per concern); new
//! blocks and pending transactions arrive as `superlink-node` chain events on a broadcast channel, so nothing
//! polls. [`ChainBackend`] implements the trait over a `superlink-node` [`ChainService`] (the running chain,
//! with its automining, dev clock, snapshots and rewinds) and the dev keys `eth_sendTransaction` signs with.
//!
//! ```text
//! let backend = Arc::new(ChainBackend::new(chain, dev_signers));
//! let server = superlink_rpc::serve("127.0.0.1:8545", backend).await?;
//! println!("listening on {}", server.http_url()); // WebSocket on the same port: server.ws_url()
//! server.stop().await;
//! ```

pub mod api;
pub mod backend;
pub mod chain_backend;
pub mod chain_convert;
pub mod context;
pub mod cors;
pub mod debug;
pub mod dev;
pub mod error;
pub mod eth;
pub mod filters;
pub mod log_query;
pub mod pubsub;
pub mod server;
pub mod txpool;
pub mod types;
pub mod web3;

pub use backend::{
    BackendResult, BlockProvider, CallExecutor, CallOverrides, DevAccounts, DevControl, EthBackend,
    FeeOracle, MineRequest, PoolTransactions, StateProvider, TransactionSubmitter,
};
pub use chain_backend::ChainBackend;
pub use context::RpcConfig;
pub use error::{BackendError, RpcError, TxRejection};
pub use server::{RpcServerHandle, ServeError, rpc_module, serve, serve_with_config};
pub use superlink_node::{ChainService, TimeSource};
pub use types::{NewBlock, RpcBlock, RpcEvent, RpcHeader, RpcReceipt, RpcTransaction};
