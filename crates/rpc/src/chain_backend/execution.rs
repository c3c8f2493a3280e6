//! Calls, gas estimates and access lists on the chain, and how their outcomes reach the client (reverts with
//! their data, halts in geth's words).

use alloy_eips::BlockId;
use alloy_primitives::{Bytes, U256};
use alloy_rpc_types_eth::{AccessListResult, TransactionRequest};
use superlink_chain::ExecutionOutcome;

use super::{ChainBackend, chain_error};
use crate::{
    backend::{BackendResult, CallExecutor, CallOverrides},
    error::BackendError,
};

fn execution_result(outcome: ExecutionOutcome) -> BackendResult<Bytes> {
    if outcome.success {
        return Ok(outcome.output);
    }
    if let Some(data) = outcome.revert_data {
        return Err(BackendError::Reverted { data });
    }
    let reason = outcome.halt_reason.map(|reason| format!("{reason:?}")).unwrap_or_default();
    Err(BackendError::Halted(halt_message(&reason)))
}

/// geth's wording for the common halts; the EVM's name otherwise.
fn halt_message(reason: &str) -> String {
    if reason.contains("OutOfGas") {
        "out of gas".to_string()
    } else if reason.contains("InvalidFEOpcode") || reason.contains("OpcodeNotFound") {
        "invalid opcode".to_string()
    } else if reason.contains("StackUnderflow") {
        "stack underflow".to_string()
    } else if reason.contains("StackOverflow") {
        "stack overflow".to_string()
    } else {
        format!("execution halted: {reason}")
    }
}

impl CallExecutor for ChainBackend {
    fn call(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<Bytes> {
        let outcome = self
            .read()
            .call(&request, block, overrides.state.as_ref(), overrides.block.as_deref())
            .map_err(|e| chain_error(e, Some(block)))?;
        execution_result(outcome)
    }

    fn estimate_gas(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<u64> {
        self.read()
            .estimate_gas(&request, block, overrides.state.as_ref(), overrides.block.as_deref())
            .map_err(|e| chain_error(e, Some(block)))
    }

    fn create_access_list(
        &self,
        request: TransactionRequest,
        block: BlockId,
        overrides: CallOverrides,
    ) -> BackendResult<AccessListResult> {
        let outcome = self
            .read()
            .create_access_list(&request, block, overrides.state.as_ref())
            .map_err(|e| chain_error(e, Some(block)))?;
        let error = execution_result(outcome.outcome).err().map(|e| e.to_string());
        Ok(AccessListResult {
            access_list: outcome.access_list,
            gas_used: U256::from(outcome.gas_used),
            error,
        })
    }
}
