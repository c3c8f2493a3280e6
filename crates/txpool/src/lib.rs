//! # superlink-txpool
//!
//! The transaction pool of an OP Stack chain, as pure logic over alloy and op-alloy types: no EVM, no
//! networking, no locking.
//!
//! - [`decode_raw_transaction`] turns `eth_sendRawTransaction` bytes into a [`PoolTransaction`] (EIP-2718
//!   envelope, sender recovered); [`PoolTransaction::impersonated`] builds an unsigned one whose sender the
//!   caller names. Deposits never enter the pool.
//! - [`TxPool::add_transaction`] applies geth's admission rules (typed in [`InsertError`]) and the owner's
//!   [`AdmissionCheck`] hook, reading account state through [`AccountReader`].
//! - Each sender's transactions are split into pending (consecutive nonces from the account nonce) and queued
//!   (after a gap); filling the gap promotes them.
//! - [`TxPool::best_transactions`] yields pending transactions by effective tip, each sender's in nonce order;
//!   [`TxPool::remove_mined`], [`TxPool::on_new_block`] and [`TxPool::reinsert`] follow the chain.
//! - Limits and eviction are described on [`PoolConfig`].

pub mod admission;
pub mod config;
pub mod decode;
pub mod dropped;
pub mod error;
pub mod ordering;
pub mod pool;
pub mod pricing;
pub mod sender;
pub mod state;
pub mod transaction;
pub mod validation;

pub use admission::{AcceptAll, AdmissionCheck, AdmissionRejection};
pub use config::PoolConfig;
pub use decode::{DecodeError, decode_raw_transaction};
pub use dropped::{DropReason, DroppedTransaction};
pub use error::InsertError;
pub use ordering::BestTransactions;
pub use pool::{AddedTransaction, PoolContent, SenderTransactions, TxPool};
pub use pricing::{PriceKey, is_sufficient_replacement};
pub use sender::SubPool;
pub use state::{AccountInfo, AccountReader, InMemoryAccounts};
pub use transaction::{IMPERSONATION_SIGNATURE, PoolTransaction};
pub use validation::{IntrinsicGas, intrinsic_gas, validate_stateless};
