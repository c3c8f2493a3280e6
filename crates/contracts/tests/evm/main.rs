//! The contracts executed on op-revm in memory, one test per rule of the interop spec.

mod apps;
mod bridges;
mod harness;
mod inbox;
mod interop;
mod l1block;
mod messenger;
mod reference;
