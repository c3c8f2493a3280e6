//! One client of a node's standard Ethereum JSON-RPC over HTTP (op-geth, op-reth, anvil, superlink's own
//! chains), shared by everything in superlink that reads or writes a chain through its node.
//!
//! - [`NodeClient`]: the transport (jsonrpsee's HTTP client with a timeout and a response-size bound), the
//!   `eth_` methods superlink uses with typed answers, and a batched read of blocks with their receipts;
//! - [`wire`]: the minimal shapes answers are read into, lenient about fields superlink does not use, so
//!   receipts of any transaction type (deposits included) are accepted;
//! - [`ClientError`]: every failure names the endpoint and the method, and keeps a JSON-RPC error's code,
//!   message and revert data for callers that tell reverts from other refusals.
//!
//! The verifier's chain source and the relayer's chain client are thin adapters over this crate: each maps
//! [`ClientError`] to its own error type and adds its own checks of the answers.

pub mod client;
pub mod error;
pub mod wire;

pub use client::{BlockNumberOrTag, NodeClient};
pub use error::ClientError;
pub use wire::{BlockHeader, CallArgs, Log, LogQuery, Receipt};
