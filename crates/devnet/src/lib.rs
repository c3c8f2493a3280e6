//! superlink's devnet: a local Superchain in one process (L1, N interop L2s, verifier, autorelayer).
#![doc = include_str!("../README.md")]

pub mod accounts;
pub mod admission;
pub mod config;
pub mod deposits;
pub mod devnet;
pub mod error;
pub mod forged;
pub mod genesis;
pub mod replacement;
pub mod sequencer;
pub mod source;

pub use admission::{ADMISSION_SAFETY, InteropAdmission, NextBlockTime, inbox_entries};
pub use config::{DevnetConfig, FIRST_L2_CHAIN_ID, L1_CHAIN_ID, RELAYER_ACCOUNT_INDEX};
pub use deposits::DepositPortals;
pub use devnet::{Devnet, DevnetChain};
pub use error::DevnetError;
