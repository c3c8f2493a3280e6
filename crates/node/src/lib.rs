//! A superlink chain as a running service.
//!
//! [`ChainService`] holds one `superlink-chain` [`Chain`](superlink_chain::Chain) behind a read-write lock:
//! queries take [`ChainService::read`] and run alongside each other, changes take [`ChainService::write`].
//! Every new block, pool entry and reorganisation is published as a [`ChainEvent`] on a broadcast channel.
//! The service also keeps the dev clock of future blocks ([`DevClock`]: `evm_increaseTime`,
//! `evm_setNextBlockTimestamp`, a [`TimeSource`] of its owner's choosing) and mines on submission when
//! automine is on. [`run_block_loop`] builds blocks on a schedule: `superlink node --block-time` mines one
//! chain with it, the devnet's sequencer builds the rounds of all its chains with it.
//!
//! ```text
//! let service = Arc::new(ChainService::new(chain));
//! let head = service.read().head_number();
//! service.write().set_balance(address, balance);
//! let block = service.mine_block()?; // published to every subscriber of service.events()
//! ```

pub mod block_loop;
pub mod clock;
pub mod error;
pub mod events;
pub mod service;

pub use block_loop::{BlockSchedule, run_block_loop};
pub use clock::{DevClock, TimeSource};
pub use error::NodeError;
pub use events::ChainEvent;
pub use service::{ChainService, MAX_BLOCKS_PER_REQUEST, MAX_SNAPSHOTS, MineRequest};
