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
//! - [`preinstalls`]: the OP Stack preinstalls (Multicall3, Create2Deployer, the deterministic deployment proxy, ...)
//!   that every chain, the L1 included, carries at their standard addresses: [`preinstall_allocs`];
//! - [`withdrawal`]: withdrawal hashes, the storage slot a withdrawal proof opens, output roots and proposals.
//!
//! The standard bridge, for whoever wires it into a devnet: the L1 genesis takes [`bridge_l1_allocs`] (and
//! [`multicall3_allocs`] for viem), every L2 genesis [`bridge_l2_allocs`] and [`test_token_allocs`] besides
//! [`predeploy_allocs`]. Deposits are the `TransactionDeposited` logs (`bindings::OptimismPortal::TransactionDeposited`,
//! the same event and `opaqueData` packing as `DepositPortal`'s) that the portal at
//! `bridge_addresses::l1_bridge(id).portal` emits, whichever of its addresses was called
//! (`bridge_addresses::portal_chain` maps a portal back to its L2). Withdrawals become provable once the proposer
//! sends [`withdrawal::propose_call`] for an L2 block at or after the withdrawal's to
//! `bridge_addresses::l1_bridge(id).dispute_game_factory`.

pub mod addresses;
pub mod artifacts;
pub mod bindings;
pub mod bridge_addresses;
pub mod genesis;
pub mod preinstalls;
pub mod withdrawal;

pub use artifacts::Contract;
pub use genesis::{
    BridgeConfig, GenesisAccount, bridge_l1_allocs, bridge_l2_allocs, deposit_portal_allocs,
    multicall3_allocs, predeploy_allocs, test_token_allocs,
};
pub use preinstalls::{Preinstall, preinstall_allocs};
