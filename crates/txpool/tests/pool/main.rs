//! Behaviour of the transaction pool as its owner (the chain) and the RPC layer see it.

// Test helpers unwrap: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admission;
mod decode;
mod helpers;
mod limits;
mod ordering;
mod properties;
mod replacement;
mod revalidation;
mod subpools;
