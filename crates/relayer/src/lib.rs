//! Relaying of OP Stack interop messages sent through `L2ToL2CrossDomainMessenger`.
//!
//! A message sent on a source chain is a `SentMessage` log; it is delivered on its destination chain by a
//! `relayMessage` transaction that names the log by its `Identifier`, passes its payload and declares it in
//! the access list for `CrossL2Inbox`. This crate:
//! - [`message`]: builds that Identifier, payload, calldata and access list from source logs (pure);
//! - [`chain`]: the narrow [`ChainClient`] trait the relayer needs from a chain, and [`rpc`] its JSON-RPC
//!   implementation;
//! - [`wallet`]: signs and sends EIP-1559 transactions with access lists;
//! - [`relay`]: reads a source transaction's messages, checks, simulates, sends and confirms one relay;
//! - [`status`]: where a message stands on its destination;
//! - [`revert`]: decodes why a relay reverts and whether that can pass;
//! - [`backoff`] and [`service`]: the autorelayer that follows chains and relays everything, retrying what can
//!   pass and giving up, with a logged reason, what cannot.

pub mod backoff;
pub mod chain;
pub mod error;
pub mod message;
pub mod relay;
pub mod revert;
pub mod rpc;
pub mod service;
pub mod status;
pub mod wallet;

pub use backoff::Backoff;
pub use chain::{BlockInfo, CallRequest, ChainClient, FeeEstimate, LogFilter, LogInfo, ReceiptInfo};
pub use error::{ChainError, RelayError};
pub use message::{RelayableMessage, messages_in_block};
pub use relay::{
    RelayReceipt, check_relay, confirm_relay, is_relayed, messages_in_transaction, relay_call, relay_message,
    send_relay, verify_against_source,
};
pub use revert::RelayRevert;
pub use rpc::RpcChain;
pub use service::{
    Autorelayer, AutorelayerConfig, AutorelayerError, GivenUp, RelayerStats, RoundReport, StartFrom,
};
pub use status::{DeliveryStatus, delivery_status, find_relay};
pub use wallet::{BadPrivateKey, Wallet, wait_for_receipt};
