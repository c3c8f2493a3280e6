//! superlink's devnet: a local Superchain in one process (L1, N interop L2s, verifier, autorelayer).
#![doc = include_str!("../README.md")]

pub mod accounts;
pub mod admin_rpc;
pub mod admission;
pub mod config;
pub mod control;
pub mod control_rpc;
pub mod deposits;
pub mod devnet;
pub mod error;
pub mod faults;
pub mod forged;
pub mod fork;
pub mod genesis;
pub mod pipeline;
pub mod proposer;
pub mod replacement;
pub mod rollup_log;
pub mod rollup_rpc;
pub mod rollup_source;
pub mod sequencer;
pub mod source;
pub mod state_file;

pub use admin_rpc::{Readiness, SupersimAdmin, admin_module};
pub use admission::{ADMISSION_SAFETY, InteropAdmission, NextBlockTime, inbox_entries};
pub use config::{DevnetConfig, FIRST_L2_CHAIN_ID, L1_CHAIN_ID, RELAYER_ACCOUNT_INDEX};
pub use control_rpc::control_module;
pub use deposits::DepositPortals;
pub use devnet::{Devnet, DevnetChain};
pub use error::DevnetError;
pub use fork::{ForkConfig, ForkTarget};
pub use state_file::{DevnetState, StateFileError};
