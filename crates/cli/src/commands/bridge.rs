//! `superlink bridge erc20` and `superlink bridge eth`: moving SuperchainERC20 tokens (`sendERC20` of
//! SuperchainTokenBridge) and native ETH (`sendETH` of SuperchainETHBridge) to another chain. Both print the
//! message to relay on the destination.

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use clap::{Args, Subcommand};
use superlink_contracts::{
    addresses::{SUPERCHAIN_ETH_BRIDGE, SUPERCHAIN_TOKEN_BRIDGE},
    bindings::{SuperchainETHBridge::sendETHCall, SuperchainTokenBridge::sendERC20Call},
};
use superlink_relayer::CallRequest;

use crate::{
    commands::client::{address, block_on, connect, destination, print_sent, send_and_read_messages, wallet},
    error::CliError,
    parse,
};

/// `superlink bridge ...`.
#[derive(Debug, Subcommand)]
pub enum BridgeCommand {
    /// Send SuperchainERC20 tokens to another chain (burned here, minted there once relayed).
    Erc20(Erc20Args),
    /// Send native ETH to another chain (burned into ETHLiquidity here, paid out there once relayed).
    Eth(EthArgs),
}

/// What both bridge commands take.
#[derive(Debug, Args)]
pub struct Common {
    /// JSON-RPC URL of the source chain.
    #[arg(long, value_name = "URL")]
    from_rpc: String,
    /// Chain ID of the destination chain.
    #[arg(long, value_name = "N", value_parser = parse::u256)]
    to_chain: U256,
    /// Recipient on the destination chain.
    #[arg(long, value_name = "ADDR", value_parser = address)]
    to: Address,
    /// Private key of the sender (or the SUPERLINK_PRIVATE_KEY environment variable).
    #[arg(long, value_name = "KEY", env = "SUPERLINK_PRIVATE_KEY", hide_env_values = true)]
    private_key: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `superlink bridge erc20`.
#[derive(Debug, Args)]
pub struct Erc20Args {
    #[command(flatten)]
    common: Common,
    /// The SuperchainERC20 token (same address on both chains).
    #[arg(long, value_name = "ADDR", value_parser = address)]
    token: Address,
    /// Amount in the token's smallest unit.
    #[arg(long, value_name = "N", value_parser = parse::u256)]
    amount: U256,
}

/// `superlink bridge eth`.
#[derive(Debug, Args)]
pub struct EthArgs {
    #[command(flatten)]
    common: Common,
    /// Amount in wei.
    #[arg(long, value_name = "WEI", value_parser = parse::u256)]
    amount: U256,
}

/// Runs a `superlink bridge` subcommand.
pub fn run(command: BridgeCommand) -> Result<(), CliError> {
    let (common, call) = match command {
        BridgeCommand::Erc20(args) => {
            let input = sendERC20Call {
                _token: args.token,
                _to: args.common.to,
                _amount: args.amount,
                _chainId: destination(args.common.to_chain)?,
            }
            .abi_encode();
            (
                args.common,
                CallRequest { to: SUPERCHAIN_TOKEN_BRIDGE, input: input.into(), ..Default::default() },
            )
        }
        BridgeCommand::Eth(args) => {
            let input = sendETHCall { _to: args.common.to, _chainId: destination(args.common.to_chain)? }
                .abi_encode();
            let call = CallRequest {
                to: SUPERCHAIN_ETH_BRIDGE,
                value: args.amount,
                input: input.into(),
                ..Default::default()
            };
            (args.common, call)
        }
    };
    let chain = connect(&common.from_rpc)?;
    let wallet = wallet(common.private_key.as_deref())?;
    block_on(async move {
        let (tx, messages) = send_and_read_messages(&chain, &wallet, &call).await?;
        print_sent(tx, &messages, common.json)
    })
}
