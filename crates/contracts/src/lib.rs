//! The interop predeploys of the OP Stack, superlink's example apps and its L1 deposit portal, as the EVM runs
//! them.
//!
//! The Solidity sources live in `contracts/src` at the repository root and are compiled reproducibly by
//! `contracts/build.sh` into `contracts/artifacts`. This crate embeds those artifacts at compile time and offers:
//! - [`addresses`]: where every predeploy and example app lives (the same address on every chain);
//! - [`artifacts`]: each contract's ABI JSON, creation bytecode and runtime bytecode;
//! - [`bindings`]: `alloy_sol_types` bindings (calls, events, errors, structs) of every contract;
//! - [`bridge_addresses`]: where the OP Stack standard bridge of each L2 lives on the L1, and its L2 predeploys;
//! - [`genesis`]: the genesis allocations that place the predeploys on an L2, the deposit portals on the L1, and the
//!   standard bridge on both;
//! - [`withdrawal`]: withdrawal hashes, the storage slot a withdrawal proof opens, output roots and proposals.

pub mod addresses;
pub mod artifacts;
pub mod bindings;
pub mod bridge_addresses;
pub mod genesis;
pub mod withdrawal;

pub use artifacts::Contract;
pub use genesis::{
    BridgeConfig, GenesisAccount, bridge_l1_allocs, bridge_l2_allocs, deposit_portal_allocs,
    multicall3_allocs, predeploy_allocs, test_token_allocs,
};
