//! Read-only execution against the state of some block: `eth_call` with state and block overrides, gas
//! estimation by binary search (as geth does), and access-list creation.

use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_primitives::{Address, B256, Bytes, Log, TxKind, U256};
use alloy_rpc_types_eth::{BlockOverrides, TransactionRequest, state::StateOverride};
use op_revm::{
    DefaultOp, L1BlockInfo, OpBuilder, OpHaltReason, OpSpecId, OpTransaction, OpTransactionError,
    precompiles::OpPrecompiles,
};
use revm::{
    Context, ExecuteEvm,
    bytecode::Bytecode,
    context::{
        BlockEnv, TxEnv,
        result::{EVMError, ExecutionResult, InvalidTransaction},
    },
    context_interface::either::Either,
    database::CacheDB,
    database_interface::DatabaseRef,
    primitives::KECCAK_EMPTY,
    state::EvmState,
};

use crate::{builder::cfg_env, db::StateView, error::ChainError};

/// The gas every transaction pays before executing anything.
pub const MIN_TRANSACTION_GAS: u64 = 21_000;

/// What a call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionOutcome {
    /// Whether it ran to completion without reverting or halting.
    pub success: bool,
    /// Gas used (after refunds).
    pub gas_used: u64,
    /// Return data of a successful call (the runtime code for a create).
    pub output: Bytes,
    /// Logs it would emit.
    pub logs: Vec<Log>,
    /// The revert payload, when it reverted.
    pub revert_data: Option<Bytes>,
    /// Why it halted (out of gas, invalid opcode, ...), when it halted.
    pub halt_reason: Option<OpHaltReason>,
}

impl ExecutionOutcome {
    fn from_result(result: ExecutionResult<OpHaltReason>) -> Self {
        let gas_used = result.tx_gas_used();
        match result {
            ExecutionResult::Success { logs, output, .. } => Self {
                success: true,
                gas_used,
                output: output.into_data(),
                logs,
                revert_data: None,
                halt_reason: None,
            },
            ExecutionResult::Revert { logs, output, .. } => Self {
                success: false,
                gas_used,
                output: Bytes::new(),
                logs,
                revert_data: Some(output),
                halt_reason: None,
            },
            ExecutionResult::Halt { reason, logs, .. } => Self {
                success: false,
                gas_used,
                output: Bytes::new(),
                logs,
                revert_data: None,
                halt_reason: Some(reason),
            },
        }
    }
}

/// An access list and the gas the call uses with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessListOutcome {
    /// Accounts and slots the call touches (without the sender, the target and precompiles).
    pub access_list: AccessList,
    /// Gas used with that access list.
    pub gas_used: u64,
    /// The outcome of the final run.
    pub outcome: ExecutionOutcome,
}

/// The state and block a call runs against.
#[derive(Debug, Clone)]
pub struct CallContext<'a> {
    /// State as of the chosen block.
    pub view: StateView<'a>,
    /// Block environment the call sees.
    pub block: BlockEnv,
    /// Chain ID.
    pub chain_id: u64,
    /// OP hardfork.
    pub spec: OpSpecId,
}

impl CallContext<'_> {
    /// Applies `eth_call` block overrides.
    pub fn apply_block_overrides(&mut self, overrides: &BlockOverrides) {
        if let Some(number) = overrides.number {
            self.block.number = number;
        }
        if let Some(time) = overrides.time {
            self.block.timestamp = U256::from(time);
        }
        if let Some(gas_limit) = overrides.gas_limit {
            self.block.gas_limit = gas_limit;
        }
        if let Some(coinbase) = overrides.coinbase {
            self.block.beneficiary = coinbase;
        }
        if let Some(random) = overrides.random {
            self.block.prevrandao = Some(random);
        }
        if let Some(base_fee) = overrides.base_fee {
            self.block.basefee = base_fee.saturating_to();
        }
    }

    fn database(&self, overrides: Option<&StateOverride>) -> Result<CacheDB<StateView<'_>>, ChainError> {
        let mut db = CacheDB::new(self.view.clone());
        let Some(overrides) = overrides else { return Ok(db) };
        for (address, account) in overrides {
            let mut info = db.basic_ref(*address)?.unwrap_or_default();
            if let Some(balance) = account.balance {
                info.balance = balance;
            }
            if let Some(nonce) = account.nonce {
                info.nonce = nonce;
            }
            if let Some(code) = &account.code {
                let bytecode = Bytecode::new_raw_checked(code.clone())
                    .map_err(|error| ChainError::Execution(format!("invalid override code: {error:?}")))?;
                info.code_hash = if code.is_empty() { KECCAK_EMPTY } else { bytecode.hash_slow() };
                info.code = Some(bytecode);
            }
            db.insert_account_info(*address, info);
            if let Some(state) = &account.state {
                let slots = state.iter().map(|(slot, value)| ((*slot).into(), (*value).into()));
                db.replace_account_storage(*address, slots.collect())?;
            }
            if let Some(diff) = &account.state_diff {
                for (slot, value) in diff {
                    db.insert_account_storage(*address, (*slot).into(), (*value).into())?;
                }
            }
        }
        Ok(db)
    }

    /// The transaction environment a request describes. Missing fields get `eth_call` defaults: sender
    /// zero, gas the block's gas limit, price zero (then the base fee is not enforced), no value.
    fn tx_env(&self, request: &TransactionRequest, gas_limit: Option<u64>) -> OpTransaction<TxEnv> {
        let data = request.input.input().cloned().unwrap_or_default();
        let authorization_list = request.authorization_list.clone().unwrap_or_default();
        let priced = request.gas_price.is_some() || request.max_fee_per_gas.is_some();
        let tx_type = if !authorization_list.is_empty() {
            4
        } else if request.max_fee_per_gas.is_some() || request.max_priority_fee_per_gas.is_some() {
            2
        } else if request.access_list.is_some() {
            1
        } else {
            0
        };
        let gas_price = request.max_fee_per_gas.or(request.gas_price).unwrap_or_default();
        // An unset fee cap is zero, as in geth, so a tip alone is above the cap and refused.
        let gas_priority_fee =
            if tx_type >= 2 { Some(request.max_priority_fee_per_gas.unwrap_or(0)) } else { None };
        let base = TxEnv {
            tx_type,
            caller: request.from.unwrap_or_default(),
            gas_limit: gas_limit.or(request.gas).unwrap_or(self.block.gas_limit),
            gas_price: if priced { gas_price } else { 0 },
            kind: request.to.unwrap_or(TxKind::Create),
            value: request.value.unwrap_or_default(),
            data,
            nonce: request.nonce.unwrap_or_default(),
            chain_id: Some(self.chain_id),
            access_list: request.access_list.clone().unwrap_or_default(),
            gas_priority_fee,
            authorization_list: authorization_list.into_iter().map(Either::Left).collect(),
            ..TxEnv::default()
        };
        // An empty envelope means no L1 data fee and no operator fee for simulated calls.
        OpTransaction { base, enveloped_tx: Some(Bytes::new()), deposit: Default::default() }
    }

    fn run(
        &self,
        request: &TransactionRequest,
        overrides: Option<&StateOverride>,
        gas_limit: Option<u64>,
    ) -> Result<(ExecutionOutcome, EvmState), ChainError> {
        check_call_args(request, self.chain_id).map_err(ChainError::CallArgs)?;
        let db = self.database(overrides)?;
        let priced = request.gas_price.is_some() || request.max_fee_per_gas.is_some();
        let mut cfg = cfg_env(self.chain_id, self.spec);
        // geth never checks the nonce of a call: the request's nonce is only what the EVM sees.
        cfg.disable_nonce_check = true;
        cfg.disable_base_fee = !priced;
        cfg.disable_block_gas_limit = true;
        cfg.disable_eip3607 = true;
        let tx = self.tx_env(request, gas_limit);
        let mut evm = Context::op()
            .with_db(db)
            .with_block(self.block.clone())
            .with_cfg(cfg)
            .with_chain(L1BlockInfo::default())
            .build_op();
        let result = evm.transact(tx).map_err(call_refusal)?;
        Ok((ExecutionOutcome::from_result(result.result), result.state))
    }

    /// Executes `request` without committing anything.
    pub fn call(
        &self,
        request: &TransactionRequest,
        overrides: Option<&StateOverride>,
    ) -> Result<ExecutionOutcome, ChainError> {
        self.run(request, overrides, None).map(|(outcome, _)| outcome)
    }

    /// The smallest gas limit with which `request` succeeds, found by binary search between the gas used
    /// and the cap (the request's gas, or the block gas limit).
    pub fn estimate_gas(
        &self,
        request: &TransactionRequest,
        overrides: Option<&StateOverride>,
    ) -> Result<u64, ChainError> {
        check_call_args(request, self.chain_id)?;
        // As geth: a gas limit below the cheapest transaction is no cap at all.
        let mut cap = request.gas.filter(|gas| *gas >= MIN_TRANSACTION_GAS).unwrap_or(self.block.gas_limit);
        if let Some(allowance) = self.fee_allowance(request, overrides)? {
            cap = cap.min(allowance);
        }
        let first = match self.run(request, overrides, Some(cap)) {
            Ok((outcome, _)) => outcome,
            // Too little gas for the intrinsic cost means the cap is too low, not that the call is wrong.
            Err(ChainError::CallArgs(CallArgsError::IntrinsicGasTooLow { .. })) => {
                return Err(ChainError::GasEstimateFailed { cap, revert: None });
            }
            Err(error) => return Err(error),
        };
        if !first.success {
            return Err(ChainError::GasEstimateFailed { cap, revert: first.revert_data });
        }
        let mut low = first.gas_used.max(MIN_TRANSACTION_GAS).saturating_sub(1);
        let mut high = cap;
        // Most calls succeed with a little more than they used (the 63/64 rule); try that first.
        let optimistic =
            first.gas_used.saturating_add(first.gas_used / 63).saturating_add(2_300).max(MIN_TRANSACTION_GAS);
        if optimistic < high {
            let (outcome, _) = self.run(request, overrides, Some(optimistic))?;
            if outcome.success {
                high = optimistic;
            } else {
                low = optimistic;
            }
        }
        while low + 1 < high {
            let mid = low + (high - low) / 2;
            let (outcome, _) = self.run(request, overrides, Some(mid))?;
            if outcome.success {
                high = mid;
            } else {
                low = mid;
            }
        }
        Ok(high)
    }

    /// With a fee cap, the most gas the sender can pay for after the value, as geth caps estimates:
    /// `(balance - value) / fee cap`. `None` without a fee cap (then fees are not charged).
    fn fee_allowance(
        &self,
        request: &TransactionRequest,
        overrides: Option<&StateOverride>,
    ) -> Result<Option<u64>, ChainError> {
        let fee_cap = request.max_fee_per_gas.or(request.gas_price).unwrap_or_default();
        if fee_cap == 0 {
            return Ok(None);
        }
        let sender = request.from.unwrap_or_default();
        let balance =
            self.database(overrides)?.basic_ref(sender)?.map(|info| info.balance).unwrap_or_default();
        let value = request.value.unwrap_or_default();
        let Some(available) = balance.checked_sub(value) else {
            return Err(ChainError::CallArgs(CallArgsError::InsufficientFunds { balance, cost: value }));
        };
        Ok(Some((available / U256::from(fee_cap)).saturating_to()))
    }

    /// Runs `request` and lists every account and slot it touches (besides the sender, the target and
    /// precompiles), re-running with the list until it is stable, as geth's access-list tracer does.
    pub fn create_access_list(
        &self,
        request: &TransactionRequest,
        overrides: Option<&StateOverride>,
    ) -> Result<AccessListOutcome, ChainError> {
        let mut request = request.clone();
        let sender = request.from.unwrap_or_default();
        let target = match request.to {
            Some(TxKind::Call(to)) => Some(to),
            _ => None,
        };
        let mut list = request.access_list.clone().unwrap_or_default();
        for _ in 0..4 {
            request.access_list = Some(list.clone());
            let (outcome, state) = self.run(&request, overrides, None)?;
            let next = touched_list(&state, sender, target, &self.block.beneficiary, self.spec);
            if next == list {
                return Ok(AccessListOutcome { access_list: list, gas_used: outcome.gas_used, outcome });
            }
            list = next;
        }
        request.access_list = Some(list.clone());
        let (outcome, _) = self.run(&request, overrides, None)?;
        Ok(AccessListOutcome { access_list: list, gas_used: outcome.gas_used, outcome })
    }
}

/// Fee vaults op-revm pays on every transaction; they never belong in an access list.
const FEE_VAULTS: [Address; 3] = [
    op_revm::constants::BASE_FEE_RECIPIENT,
    op_revm::constants::L1_FEE_RECIPIENT,
    op_revm::constants::OPERATOR_FEE_RECIPIENT,
];

fn touched_list(
    state: &EvmState,
    sender: Address,
    target: Option<Address>,
    coinbase: &Address,
    spec: OpSpecId,
) -> AccessList {
    // Only the precompiles of the active hardfork are warm anyway; other low addresses are plain accounts.
    let precompiles = OpPrecompiles::new_with_spec(spec).precompiles();
    let mut items: Vec<AccessListItem> = state
        .iter()
        .filter(|(address, account)| {
            // As geth does: the sender and the target are warm anyway, so they appear only for the storage
            // slots the call touches in them; the fee recipients and precompiles never appear.
            let warm_anyway = **address == sender || Some(**address) == target;
            (!warm_anyway || !account.storage.is_empty())
                && *address != coinbase
                && !FEE_VAULTS.contains(address)
                && !precompiles.contains(address)
        })
        .map(|(address, account)| {
            let mut keys: Vec<B256> = account.storage.keys().map(|slot| B256::from(*slot)).collect();
            keys.sort();
            AccessListItem { address: *address, storage_keys: keys }
        })
        .collect();
    items.sort_by_key(|item| item.address);
    AccessList(items)
}

/// Why call arguments were refused before or while the EVM validated them, in geth's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallArgsError {
    /// `gasPrice` mixed with EIP-1559 fee fields.
    #[error("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")]
    MixedFeeFields,
    /// `data` and `input` disagree.
    #[error(
        "both \"data\" and \"input\" are set and not equal. Please use \"input\" to pass transaction call data"
    )]
    DataInputMismatch,
    /// `chainId` names another chain.
    #[error("chainId does not match node's (have={have}, want={want})")]
    ChainIdMismatch {
        /// The request's chain ID.
        have: U256,
        /// This chain's ID.
        want: u64,
    },
    /// The tip is above the fee cap.
    #[error("max priority fee per gas higher than max fee per gas")]
    TipAboveFeeCap,
    /// The fee cap is below the block's base fee.
    #[error("max fee per gas less than block base fee")]
    FeeCapBelowBaseFee,
    /// The sender cannot pay gas * price + value.
    #[error("insufficient funds for gas * price + value: have {balance} want {cost}")]
    InsufficientFunds {
        /// The sender's balance.
        balance: U256,
        /// What the call would cost at most.
        cost: U256,
    },
    /// The gas limit does not cover the intrinsic gas.
    #[error("intrinsic gas too low: gas {gas_limit}, minimum needed {intrinsic}")]
    IntrinsicGasTooLow {
        /// The call's gas limit.
        gas_limit: u64,
        /// The intrinsic gas of the call.
        intrinsic: u64,
    },
}

/// Refuses the argument combinations geth refuses before running a call.
pub fn check_call_args(request: &TransactionRequest, chain_id: u64) -> Result<(), CallArgsError> {
    if request.gas_price.is_some()
        && (request.max_fee_per_gas.is_some() || request.max_priority_fee_per_gas.is_some())
    {
        return Err(CallArgsError::MixedFeeFields);
    }
    if let (Some(data), Some(input)) = (&request.input.data, &request.input.input)
        && data != input
    {
        return Err(CallArgsError::DataInputMismatch);
    }
    if let Some(have) = request.chain_id
        && have != chain_id
    {
        return Err(CallArgsError::ChainIdMismatch { have: U256::from(have), want: chain_id });
    }
    Ok(())
}

/// The EVM's refusal of a call, in geth's words where geth has them.
fn call_refusal(error: EVMError<crate::error::StateError, OpTransactionError>) -> ChainError {
    let invalid = match &error {
        EVMError::Transaction(OpTransactionError::Base(invalid)) => invalid,
        _ => return ChainError::Execution(error.to_string()),
    };
    let args = match invalid {
        InvalidTransaction::PriorityFeeGreaterThanMaxFee => CallArgsError::TipAboveFeeCap,
        InvalidTransaction::GasPriceLessThanBasefee => CallArgsError::FeeCapBelowBaseFee,
        InvalidTransaction::LackOfFundForMaxFee { fee, balance } => {
            CallArgsError::InsufficientFunds { balance: **balance, cost: **fee }
        }
        InvalidTransaction::CallGasCostMoreThanGasLimit { initial_gas, gas_limit } => {
            CallArgsError::IntrinsicGasTooLow { gas_limit: *gas_limit, intrinsic: *initial_gas }
        }
        _ => return ChainError::Execution(error.to_string()),
    };
    ChainError::CallArgs(args)
}

#[cfg(test)]
mod tests {
    use alloy_primitives::bytes;
    use alloy_rpc_types_eth::TransactionInput;

    use super::*;

    const CHAIN: u64 = 901;

    #[test]
    fn equal_data_and_input_pass_and_differing_ones_are_refused() {
        let mut request = TransactionRequest {
            input: TransactionInput::both(bytes!("12")),
            ..TransactionRequest::default()
        };
        assert_eq!(check_call_args(&request, CHAIN), Ok(()));
        request.input = TransactionInput { input: Some(bytes!("12")), data: Some(bytes!("13")) };
        assert_eq!(check_call_args(&request, CHAIN), Err(CallArgsError::DataInputMismatch));
    }

    #[test]
    fn a_legacy_price_with_either_eip1559_fee_is_refused() {
        for (max_fee, tip) in [(Some(1), None), (None, Some(1)), (Some(1), Some(1))] {
            let request = TransactionRequest {
                gas_price: Some(1),
                max_fee_per_gas: max_fee,
                max_priority_fee_per_gas: tip,
                ..TransactionRequest::default()
            };
            assert_eq!(check_call_args(&request, CHAIN), Err(CallArgsError::MixedFeeFields));
        }
        let alone = TransactionRequest { gas_price: Some(1), ..TransactionRequest::default() };
        assert_eq!(check_call_args(&alone, CHAIN), Ok(()));
    }

    #[test]
    fn only_this_chains_id_is_accepted() {
        let ours = TransactionRequest { chain_id: Some(CHAIN), ..TransactionRequest::default() };
        assert_eq!(check_call_args(&ours, CHAIN), Ok(()));
        let other = TransactionRequest { chain_id: Some(1), ..TransactionRequest::default() };
        let refusal = check_call_args(&other, CHAIN).unwrap_err();
        assert_eq!(refusal.to_string(), "chainId does not match node's (have=1, want=901)");
    }

    #[test]
    fn no_arguments_at_all_are_a_valid_call() {
        assert_eq!(check_call_args(&TransactionRequest::default(), CHAIN), Ok(()));
    }
}
