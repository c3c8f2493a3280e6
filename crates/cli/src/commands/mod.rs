//! The subcommands of `superlink`.

mod encode;

use clap::Subcommand;

use crate::error::CliError;

/// A `superlink` subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Encode interop data: access-list entries, super roots, message hashes.
    #[command(subcommand)]
    Encode(encode::EncodeCommand),
}

/// Runs one subcommand to completion.
pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Encode(cmd) => encode::run(cmd),
    }
}
