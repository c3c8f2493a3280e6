//! The interop predeploys of the OP Stack, superlink's example apps and its L1 deposit portal, as the EVM runs
//! them.
//!
//! The Solidity sources live in `contracts/src` at the repository root and are compiled reproducibly by
//! `contracts/build.sh` into `contracts/artifacts`. This crate embeds those artifacts at compile time and offers:
//! - [`addresses`]: where every predeploy and example app lives (the same address on every chain);
//! - [`artifacts`]: each contract's ABI JSON, creation bytecode and runtime bytecode;
//! - [`bindings`]: `alloy_sol_types` bindings (calls, events, errors, structs) of every contract;
//! - [`genesis`]: the genesis allocations that place the predeploys on an L2 and the deposit portals on the L1.

pub mod addresses;
pub mod artifacts;
pub mod bindings;
pub mod genesis;

pub use artifacts::Contract;
pub use genesis::{GenesisAccount, deposit_portal_allocs, predeploy_allocs};
