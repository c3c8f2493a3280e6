//! `superlink proof`: fault-proof tools.

use clap::Subcommand;

use super::proof_reexecute;

/// A `superlink proof` subcommand.
#[derive(Debug, Subcommand)]
pub enum ProofCommand {
    /// Re-execute blocks statelessly from the node's execution witnesses and compare the roots it serves.
    Reexecute(proof_reexecute::ReexecuteArgs),
}

/// Runs one `proof` subcommand.
pub fn run(command: ProofCommand) -> Result<(), crate::error::CliError> {
    match command {
        ProofCommand::Reexecute(args) => proof_reexecute::run(args),
    }
}
