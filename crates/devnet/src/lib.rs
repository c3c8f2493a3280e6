//! superlink's devnet: a local Superchain in one process.
//!
//! [`Devnet::start`] runs an L1 (chain 900) and N interop L2 chains (901, 902, ...), each served on its own
//! standard Ethereum JSON-RPC port with the interop predeploys and the example apps, and the development
//! accounts funded everywhere. One clock ([`clock`]) builds every L2's next block at the same timestamp. The
//! embedded verifier follows every L2 of the dependency set through the same JSON-RPC code path as in
//! production and serves the supervisor API; it is also each L2's sequencer policy ([`admission`]): a
//! transaction whose access list claims messages that the verifier does not accept is refused at submission,
//! with the reason, and dropped from the pool when a claim stops being valid. The autorelayer delivers every
//! message sent between the L2s. A block that the verifier finds invalid anyway (its message's source was
//! reorged out after inclusion) is replaced by a deposits-only block ([`replacement`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), superlink_devnet::DevnetError> {
//! use superlink_devnet::{Devnet, DevnetConfig};
//! let devnet = Devnet::start(DevnetConfig::default()).await?;
//! for chain in devnet.l2s() {
//!     println!("chain {} at {}", chain.chain_id, chain.url);
//! }
//! devnet.shutdown().await?;
//! # Ok(()) }
//! ```

pub mod accounts;
pub mod admission;
pub mod clock;
pub mod config;
pub mod devnet;
pub mod error;
pub mod genesis;
pub mod replacement;

pub use admission::{ADMISSION_SAFETY, InteropAdmission, NextBlockTime, inbox_entries};
pub use config::{DevnetConfig, FIRST_L2_CHAIN_ID, L1_CHAIN_ID, RELAYER_ACCOUNT_INDEX};
pub use devnet::{Devnet, DevnetChain};
pub use error::DevnetError;
