//! Shared helpers for superlink benchmarks and load generators (see the bench targets and `src/bin`).

pub mod counter;
pub mod synthetic;
