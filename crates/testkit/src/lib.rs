//! Test support shared by superlink's crates.
//!
//! Black-box tests drive superlink with real Ethereum clients. Those clients (`cast`, `anvil`, `solcjs`) come
//! from the npm registry at the versions pinned in `tools/package.json`; [`tool`] installs them on first use
//! (once per machine, guarded against parallel test processes) and returns the path of the requested binary.
//! [`Anvil`] starts an anvil node on a free loopback port, waits until that very process answers with its chain ID
//! ([`wait_for_chain`]) and stops it when dropped; [`Cast`] runs cast commands and returns their trimmed output.
//! [`rpc_fuzz`] sends a JSON-RPC server random and malformed requests and checks that it keeps answering
//! well-formed responses.

mod process;
pub mod rpc_fuzz;
mod tools;

pub use process::{Anvil, Cast, NotReady, chain_id_at, free_port, wait_for_chain, wait_for_rpc};
pub use tools::{ToolError, node_package, repo_root, tool};
