//! An in-memory OP chain for the contract tests: op-revm over a `CacheDB`, genesis from
//! `superlink_contracts::predeploy_allocs`, one transaction per block, access lists and deposit transactions.

use alloy_primitives::{Address, B256, Bytes, Log, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent};
use op_revm::{DefaultOp, OpBuilder, OpContext, OpSpecId, OpTransaction};
use revm::{
    Context, DatabaseCommit, DatabaseRef, ExecuteEvm,
    context::{TxEnv, result::ExecutionResult},
    context_interface::transaction::{AccessList, AccessListItem},
    database::{CacheDB, EmptyDB},
    state::{AccountInfo, Bytecode},
};
use superlink_contracts::predeploy_allocs;

/// The EVM rules of the contract tests: the hardfork superlink's chain runs (its default configuration), so that
/// the contracts are tested under the rules they run under.
pub fn spec() -> OpSpecId {
    superlink_chain::ChainConfig::default().spec
}
/// Gas limit of every transaction the harness sends.
pub const TX_GAS_LIMIT: u64 = 5_000_000;

/// A transaction to execute.
#[derive(Debug, Clone)]
pub struct Tx {
    /// Sender.
    pub from: Address,
    /// Called account.
    pub to: Address,
    /// Calldata.
    pub data: Bytes,
    /// Value sent.
    pub value: U256,
    /// EIP-2930 access list: (address, storage keys).
    pub access_list: Vec<(Address, Vec<B256>)>,
    /// Whether it is a deposit transaction (type 0x7e, no access list).
    pub deposit: bool,
}

impl Tx {
    /// A plain call of `call` on `to` from `from`.
    pub fn call<C: SolCall>(from: Address, to: Address, call: &C) -> Self {
        Tx {
            from,
            to,
            data: call.abi_encode().into(),
            value: U256::ZERO,
            access_list: vec![],
            deposit: false,
        }
    }

    /// Sends `value` along.
    pub fn value(mut self, value: U256) -> Self {
        self.value = value;
        self
    }

    /// Declares `keys` of `address` in the access list.
    pub fn access(mut self, address: Address, keys: Vec<B256>) -> Self {
        self.access_list.push((address, keys));
        self
    }

    /// Turns the transaction into a deposit.
    pub fn into_deposit(mut self) -> Self {
        self.deposit = true;
        self
    }
}

/// What a transaction did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Whether it succeeded.
    pub success: bool,
    /// Return data, or revert data.
    pub output: Bytes,
    /// Logs (empty unless it succeeded).
    pub logs: Vec<Log>,
    /// Gas used, as a receipt reports it (read by the gas benchmark, which runs on this harness).
    #[allow(dead_code)]
    pub gas_used: u64,
    /// Block number and timestamp it was included at.
    pub block: (u64, u64),
}

impl Outcome {
    /// Panics unless the transaction succeeded.
    pub fn expect_success(self) -> Self {
        assert!(self.success, "transaction failed with output {}", self.output);
        self
    }

    /// Whether it reverted with the custom error `E`.
    pub fn reverted_with<E: SolError>(&self) -> bool {
        !self.success && self.output.len() >= 4 && self.output[..4] == E::SELECTOR
    }

    /// Decodes the return data as the return of `C`.
    pub fn returns<C: SolCall>(&self) -> C::Return {
        C::abi_decode_returns(&self.output).expect("return data decodes")
    }

    /// The logs of event `E` emitted by `emitter`, decoded, with their index in the block.
    pub fn events<E: SolEvent>(&self, emitter: Address) -> Vec<(usize, E)> {
        self.logs
            .iter()
            .enumerate()
            .filter(|(_, log)| log.address == emitter && log.topics().first() == Some(&E::SIGNATURE_HASH))
            .map(|(i, log)| (i, E::decode_log_data(&log.data).expect("event decodes")))
            .collect()
    }
}

/// One OP chain in memory.
pub struct Chain {
    db: CacheDB<EmptyDB>,
    /// The chain ID (`block.chainid`).
    pub chain_id: u64,
    /// Number of the next block.
    pub block_number: u64,
    /// Timestamp of the next block.
    pub timestamp: u64,
}

impl Chain {
    /// A chain at genesis with the predeploys and example apps allocated.
    pub fn new(chain_id: u64) -> Self {
        let db = CacheDB::new(EmptyDB::default());
        let mut chain = Chain { db, chain_id, block_number: 1, timestamp: 1_700_000_000 };
        chain.alloc(predeploy_allocs(chain_id));
        chain
    }

    /// Allocates `allocs` as a genesis would: code, nonce, balance and storage of each account.
    pub fn alloc(
        &mut self,
        allocs: std::collections::BTreeMap<Address, superlink_contracts::GenesisAccount>,
    ) {
        for (address, account) in allocs {
            let code = Bytecode::new_raw(account.code.clone().unwrap_or_default());
            let info = AccountInfo::default()
                .with_balance(account.balance)
                .with_nonce(account.nonce.unwrap_or_default())
                .with_code(code);
            self.db.insert_account_info(address, info);
            for (slot, value) in account.storage.unwrap_or_default() {
                self.db.insert_account_storage(address, slot.into(), value.into()).expect("in-memory insert");
            }
        }
    }

    /// Every non-zero storage word of `address`.
    pub fn storage_entries(&self, address: Address) -> Vec<(U256, U256)> {
        self.db
            .cache
            .accounts
            .get(&address)
            .map(|account| {
                account.storage.iter().filter(|(_, v)| !v.is_zero()).map(|(k, v)| (*k, *v)).collect()
            })
            .unwrap_or_default()
    }

    /// Places runtime `code` at `address`.
    pub fn set_code(&mut self, address: Address, code: Bytes) {
        let mut info = self.account(address);
        info = info.with_code(Bytecode::new_raw(code));
        self.db.insert_account_info(address, info);
    }

    /// Sets the balance of `address`.
    pub fn set_balance(&mut self, address: Address, balance: U256) {
        let info = self.account(address).with_balance(balance);
        self.db.insert_account_info(address, info);
    }

    /// The balance of `address`.
    pub fn balance(&self, address: Address) -> U256 {
        self.account(address).balance
    }

    /// A storage slot.
    pub fn storage(&self, address: Address, slot: U256) -> U256 {
        self.db.storage_ref(address, slot).expect("in-memory read")
    }

    /// The code at `address`.
    pub fn code(&self, address: Address) -> Bytes {
        self.account(address).code.map(|c| c.original_bytes()).unwrap_or_default()
    }

    /// The database (for op-revm's own readers).
    pub fn db_mut(&mut self) -> &mut CacheDB<EmptyDB> {
        &mut self.db
    }

    fn account(&self, address: Address) -> AccountInfo {
        self.db.basic_ref(address).expect("in-memory read").unwrap_or_default()
    }

    fn context(&self, db: CacheDB<EmptyDB>) -> OpContext<CacheDB<EmptyDB>> {
        let (chain_id, number, timestamp) = (self.chain_id, self.block_number, self.timestamp);
        let spec = spec();
        Context::op()
            .with_db(db)
            .modify_cfg_chained(|cfg| {
                cfg.spec = spec;
                cfg.chain_id = chain_id;
            })
            .modify_block_chained(|block| {
                block.number = U256::from(number);
                block.timestamp = U256::from(timestamp);
                block.basefee = 0;
                block.gas_limit = 60_000_000;
            })
    }

    fn build_tx(&self, tx: &Tx) -> OpTransaction<TxEnv> {
        let nonce = self.account(tx.from).nonce;
        let access_list = AccessList(
            tx.access_list
                .iter()
                .map(|(address, keys)| AccessListItem { address: *address, storage_keys: keys.clone() })
                .collect(),
        );
        let mut base = TxEnv::builder()
            .caller(tx.from)
            .call(tx.to)
            .data(tx.data.clone())
            .value(tx.value)
            .gas_limit(TX_GAS_LIMIT)
            .gas_price(0)
            .nonce(nonce)
            .chain_id(Some(self.chain_id));
        if tx.deposit {
            assert!(tx.access_list.is_empty(), "deposit transactions carry no access list");
            OpTransaction::builder().base(base).source_hash(B256::repeat_byte(0x42)).build_fill()
        } else {
            base = base.access_list(access_list).tx_type(Some(1));
            OpTransaction::builder().base(base).enveloped_tx(Some(Bytes::from_static(&[0x01]))).build_fill()
        }
    }

    /// Executes `tx` in a new block and commits its state changes.
    pub fn send(&mut self, tx: Tx) -> Outcome {
        let op_tx = self.build_tx(&tx);
        let block = (self.block_number, self.timestamp);
        let db = std::mem::replace(&mut self.db, CacheDB::new(EmptyDB::default()));
        let mut evm = self.context(db).build_op();
        let result = evm.transact(op_tx);
        self.db = evm.into_context().journaled_state.database;
        let result = result.expect("transaction is valid");
        self.db.commit(result.state);
        self.block_number += 1;
        self.timestamp += 2;
        outcome(result.result, block)
    }

    /// Executes `tx` on the current state without committing anything (an `eth_call`).
    pub fn simulate(&mut self, tx: Tx) -> Outcome {
        let op_tx = self.build_tx(&tx);
        let block = (self.block_number, self.timestamp);
        let db = std::mem::replace(&mut self.db, CacheDB::new(EmptyDB::default()));
        let mut evm = self.context(db).build_op();
        let result = evm.transact(op_tx);
        self.db = evm.into_context().journaled_state.database;
        outcome(result.expect("transaction is valid").result, block)
    }

    /// Calls a view function and decodes its return. The call is simulated as a deposit, which pays no L1 fee,
    /// so it needs no funded sender whatever the L1 attributes are.
    pub fn view<C: SolCall>(&mut self, to: Address, call: &C) -> C::Return {
        let outcome = self.simulate(Tx::call(Address::repeat_byte(0xee), to, call).into_deposit());
        assert!(outcome.success, "view call reverted with {}", outcome.output);
        outcome.returns::<C>()
    }
}

fn outcome(result: ExecutionResult<op_revm::OpHaltReason>, block: (u64, u64)) -> Outcome {
    let gas_used = result.tx_gas_used();
    match result {
        ExecutionResult::Success { logs, output, .. } => {
            Outcome { success: true, output: output.into_data(), logs, gas_used, block }
        }
        ExecutionResult::Revert { output, .. } => {
            Outcome { success: false, output, logs: vec![], gas_used, block }
        }
        ExecutionResult::Halt { reason, .. } => {
            panic!("transaction halted: {reason:?}")
        }
    }
}
