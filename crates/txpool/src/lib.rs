//! Transaction pool of an OP Stack chain: decoding, admission, pending and queued subpools, block-building
//! order, revalidation and limits.
#![doc = include_str!("../README.md")]

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
