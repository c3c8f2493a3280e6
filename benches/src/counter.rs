//! The example `CrossChainCounter` every L2 of a devnet has: the message the relay benchmarks send and the
//! count they watch arrive.

use alloy_primitives::{Bytes, U256};
use alloy_sol_types::SolCall;
use superlink_contracts::{
    addresses::CROSS_CHAIN_COUNTER,
    bindings::CrossChainCounter::{countCall, incrementRemoteCall},
};
use superlink_relayer::{CallRequest, ChainClient};

/// Why the counter could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CounterError {
    /// The call failed.
    #[error("calling count(): {0}")]
    Call(#[from] superlink_relayer::ChainError),
    /// The answer is not a uint256.
    #[error("decoding count(): {0}")]
    Decode(#[from] alloy_sol_types::Error),
}

/// The counter's `count()` on `chain`: how many messages it has received.
pub async fn count(chain: &impl ChainClient) -> Result<U256, CounterError> {
    let call = CallRequest {
        to: CROSS_CHAIN_COUNTER,
        input: countCall {}.abi_encode().into(),
        ..Default::default()
    };
    Ok(countCall::abi_decode_returns(&chain.call(&call).await?)?)
}

/// The call that sends one message to the counter on chain `destination` (`incrementRemote`).
pub fn increment_remote(destination: u64) -> CallRequest {
    CallRequest {
        to: CROSS_CHAIN_COUNTER,
        input: Bytes::from(incrementRemoteCall { _destination: U256::from(destination) }.abi_encode()),
        ..Default::default()
    }
}
