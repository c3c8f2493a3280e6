//! The subcommands of `superlink`.

mod encode;
mod verify;

use clap::Subcommand;

use crate::error::CliError;

/// A `superlink` subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Encode interop data: access-list entries, super roots, message hashes.
    #[command(subcommand)]
    Encode(encode::EncodeCommand),
    /// Run the verifier: index every chain of a dependency set, validate executing messages, track safety, and
    /// serve the supervisor RPC.
    Verify(verify::VerifyArgs),
}

/// Runs one subcommand to completion.
pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Encode(cmd) => encode::run(cmd),
        Command::Verify(args) => verify::run(args),
    }
}
