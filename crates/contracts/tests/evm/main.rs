//! The contracts executed on op-revm in memory, one test per rule of the interop spec.

mod bridges;
mod harness;
mod inbox;
mod interop;
mod messenger;
mod reference;
