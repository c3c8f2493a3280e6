//! `superlink encode ...`: offline encoders for the values interop transactions and proofs carry.

use std::io::{self, Write};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use clap::{Args, Subcommand};
use serde_json::json;
use superlink_protocol::{
    Identifier, OutputRootWithChain, SuperV1, access_list, access_list_keys, message_hash,
};

use crate::{error::CliError, parse};

/// Encoders for interop values.
#[derive(Debug, Subcommand)]
pub enum EncodeCommand {
    /// Print the CrossL2Inbox access-list storage keys that declare one executing message.
    AccessList(AccessListArgs),
    /// Print the super root (SuperV1) of chains' output roots at a timestamp.
    SuperRoot(SuperRootArgs),
    /// Print the L2ToL2CrossDomainMessenger hash of a message.
    MessageHash(MessageHashArgs),
}

/// The Identifier of the initiating message and the message itself.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("message").required(true).args(["msg_hash", "payload"])))]
pub struct AccessListArgs {
    /// Address that emitted the initiating log.
    #[arg(long)]
    origin: Address,
    /// Block number of the initiating log on its chain.
    #[arg(long, value_parser = parse::u64)]
    block_number: u64,
    /// Index of the initiating log among all logs of its block.
    #[arg(long, value_parser = parse::u32)]
    log_index: u32,
    /// Timestamp of the block holding the initiating log.
    #[arg(long, value_parser = parse::u64)]
    timestamp: u64,
    /// Chain ID of the source chain (decimal or 0x-hex, up to 256 bits).
    #[arg(long, value_parser = parse::u256)]
    chain_id: U256,
    /// keccak256 of the message payload (the log's topics then its data).
    #[arg(long, value_parser = parse::b256)]
    msg_hash: Option<B256>,
    /// The message payload itself (the log's topics then its data), hashed for you.
    #[arg(long, value_parser = parse::bytes)]
    payload: Option<Bytes>,
    /// Print the access list as JSON, as `cast send --access-list` and viem accept it.
    #[arg(long)]
    json: bool,
}

/// A timestamp and the output root of each chain.
#[derive(Debug, Args)]
pub struct SuperRootArgs {
    /// The super root's timestamp.
    #[arg(long, value_parser = parse::u64)]
    timestamp: u64,
    /// One `CHAIN_ID:OUTPUT_ROOT` per chain, in any order.
    #[arg(value_name = "CHAIN_ID:OUTPUT_ROOT", required = true, value_parser = parse::chain_output)]
    outputs: Vec<(U256, B256)>,
    /// Print the encoded super output and its hash as JSON.
    #[arg(long)]
    json: bool,
}

/// The fields the messenger hashes.
#[derive(Debug, Args)]
pub struct MessageHashArgs {
    /// Destination chain ID.
    #[arg(long, value_parser = parse::u256)]
    destination: U256,
    /// Source chain ID.
    #[arg(long, value_parser = parse::u256)]
    source: U256,
    /// The message nonce (version in the top two bytes).
    #[arg(long, value_parser = parse::u256)]
    nonce: U256,
    /// The account that called sendMessage.
    #[arg(long)]
    sender: Address,
    /// The contract called on the destination.
    #[arg(long)]
    target: Address,
    /// The calldata delivered to the target, in hex.
    #[arg(long, value_parser = parse::bytes)]
    message: Bytes,
}

/// Runs one `encode` subcommand, printing to standard output.
pub fn run(cmd: EncodeCommand) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match cmd {
        EncodeCommand::AccessList(args) => print_access_list(args, &mut out),
        EncodeCommand::SuperRoot(args) => print_super_root(args, &mut out),
        EncodeCommand::MessageHash(args) => {
            let hash = message_hash(
                args.destination,
                args.source,
                args.nonce,
                args.sender,
                args.target,
                &args.message,
            );
            writeln!(out, "{hash}")?;
            Ok(())
        }
    }
}

fn print_access_list(args: AccessListArgs, out: &mut impl Write) -> Result<(), CliError> {
    let msg_hash = match (args.msg_hash, args.payload) {
        (Some(hash), _) => hash,
        (None, Some(payload)) => keccak256(&payload),
        (None, None) => return Err(CliError::BadInput("one of --msg-hash or --payload is required".into())),
    };
    let id = Identifier {
        origin: args.origin,
        block_number: args.block_number,
        log_index: args.log_index,
        timestamp: args.timestamp,
        chain_id: args.chain_id,
    };
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&access_list([(&id, msg_hash)]))?)?;
    } else {
        for key in access_list_keys(&id, msg_hash) {
            writeln!(out, "{key}")?;
        }
    }
    Ok(())
}

fn print_super_root(args: SuperRootArgs, out: &mut impl Write) -> Result<(), CliError> {
    let outputs = args
        .outputs
        .iter()
        .map(|&(chain_id, output_root)| OutputRootWithChain { chain_id, output_root })
        .collect();
    let output = SuperV1::new(args.timestamp, outputs).map_err(|e| CliError::BadInput(e.to_string()))?;
    let hash = output.hash();
    if args.json {
        let chains: Vec<_> = output
            .outputs
            .iter()
            .map(|o| json!({ "chainId": o.chain_id.to_string(), "outputRoot": o.output_root }))
            .collect();
        let doc = json!({
            "timestamp": output.timestamp,
            "chains": chains,
            "superOutput": output.encode(),
            "superRoot": hash,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(out, "{hash}")?;
    }
    Ok(())
}
