//! The contracts executed on op-revm in memory, one test per rule of the interop spec.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod agreement;
mod apps;
mod bridge_deposits;
mod bridge_fixture;
mod bridge_messages;
mod bridge_routing;
mod bridge_withdrawals;
mod bridges;
mod createx;
mod dispute_games;
mod entrypoint;
mod harness;
mod inbox;
mod interop;
mod l1block;
mod merkle_trie;
mod messenger;
mod permit2;
mod portal;
mod preinstalls;
mod reference;
mod safe;
mod test_token;
mod versions;
