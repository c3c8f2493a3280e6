//! `superlink`: OP Stack native interop from the command line.
//!
//! Today it offers the `encode` tools that anyone debugging interop needs (access-list entries for executing
//! messages, super roots, cross-domain message hashes). Bad input is reported in one line with exit status 2;
//! nothing panics on what the user types.

mod commands;
mod dev_accounts;
mod error;
mod parse;
mod runtime;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::Command;

/// mimalloc instead of glibc malloc: under many concurrent requests glibc keeps trimming and regrowing its
/// per-thread heaps (page faults and `madvise` calls on every request).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// OP Stack native interop: tools, verifier and a local Superchain.
#[derive(Debug, Parser)]
#[command(name = "superlink", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
