//! The subcommands of `superlink`.

mod autorelay;
mod bridge;
mod client;
mod devnet;
mod devnet_control;
mod encode;
mod messaging;
mod node;
mod proof;
mod proof_reexecute;
mod verify;

use clap::Subcommand;

use crate::error::CliError;

/// A `superlink` subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Encode interop data: access-list entries, super roots, message hashes.
    #[command(subcommand)]
    Encode(encode::EncodeCommand),
    /// Run one OP Stack chain with the interop predeploys on a standard Ethereum JSON-RPC port.
    Node(node::NodeArgs),
    /// Run the verifier: index every chain of a dependency set, validate executing messages, track safety, and
    /// serve the supervisor RPC.
    Verify(verify::VerifyArgs),
    /// Send a cross-chain message through L2ToL2CrossDomainMessenger.
    SendMessage(messaging::SendMessageArgs),
    /// Relay the messages of a source transaction on their destination chain.
    Relay(messaging::RelayArgs),
    /// Follow cross-chain messages.
    #[command(subcommand)]
    Message(messaging::MessageCommand),
    /// Bridge SuperchainERC20 tokens or ETH to another chain.
    #[command(subcommand)]
    Bridge(bridge::BridgeCommand),
    /// Relay every message sent between the given chains, until Ctrl-C or SIGTERM.
    Autorelay(autorelay::AutorelayArgs),
    /// Run a local Superchain: an L1 and N interop L2 chains, the verifier and the autorelayer, until Ctrl-C or
    /// SIGTERM; or, with `fault` or `status`, act on a running one through its control port.
    Devnet(Box<devnet::DevnetArgs>),
    /// Fault-proof tools: the interop trace of a verifier (print its claims, check a claim against it) and
    /// stateless re-execution of blocks.
    #[command(subcommand)]
    Proof(proof::ProofCommand),
}

/// Runs one subcommand to completion.
pub fn run(command: Command) -> Result<(), CliError> {
    match command {
        Command::Encode(cmd) => encode::run(cmd),
        Command::Verify(args) => verify::run(args),
        Command::Node(args) => node::run(args),
        Command::SendMessage(args) => messaging::send_message(args),
        Command::Relay(args) => messaging::relay(args),
        Command::Message(messaging::MessageCommand::Status(args)) => messaging::status(args),
        Command::Bridge(cmd) => bridge::run(cmd),
        Command::Autorelay(args) => autorelay::run(args),
        Command::Devnet(args) => devnet::run(*args),
        Command::Proof(cmd) => proof::run(cmd),
    }
}
