//! Ethereum JSON-RPC for superlink's chains.
//!
//! [`serve`] starts one server per chain: HTTP and WebSocket on one port, open CORS, request size limits.
//! It speaks the `eth_`, `net_` and `web3_` namespaces as geth does (OP-flavoured transactions and
//! receipts, geth's error codes and messages, execution reverts as code 3 with the revert data), polling
//! filters with idle expiry, `eth_subscribe` (`newHeads`, `logs`, `newPendingTransactions`), and the
//! anvil/hardhat dev methods test suites use, and geth's `txpool_` inspection methods. The chain is reached through the [`EthBackend`] trait; new
//! blocks and pending transactions arrive as [`ChainEvent`]s on a broadcast channel, so nothing polls.
//! [`ChainBackend`] implements the trait over a `superlink-chain` chain (automining, dev keys that
//! `eth_sendTransaction` signs with, impersonation, the dev clock, snapshots, rewinds).
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
pub mod dev;
pub mod error;
pub mod eth;
pub mod filters;
pub mod log_query;
pub mod pubsub;
pub mod server;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod txpool;
pub mod types;
pub mod web3;

pub use backend::{BackendResult, CallOverrides, EthBackend, MineRequest, PoolTransactions};
pub use chain_backend::{ChainBackend, TimeSource};
pub use context::RpcConfig;
pub use error::{BackendError, RpcError, TxRejection};
pub use server::{RpcServerHandle, ServeError, rpc_module, serve, serve_with_config};
pub use types::{ChainEvent, NewBlock, RpcBlock, RpcHeader, RpcReceipt, RpcTransaction};
