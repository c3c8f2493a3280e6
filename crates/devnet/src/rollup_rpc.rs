//! The rollup-node RPC of one devnet L2, with op-node's method names and JSON shapes, so the tools written for an
//! OP Stack chain (op-proposer, op-challenger, dashboards, `cast rpc optimism_syncStatus`) read a devnet L2 as
//! they read a real one:
//!
//! - `optimism_syncStatus`: the L1 blocks from the chain's [`RollupLog`], the unsafe head from the chain, the
//!   local-safe head from the log and the cross-unsafe, safe (cross-safe, as an interop op-node reports it) and
//!   finalized heads from the embedded verifier;
//! - `optimism_outputAtBlock`: a block's version-0 output root with its inputs and the sync status;
//! - `optimism_safeHeadAtL1Block`: the local-safe head recorded for the highest L1 block at or below a number;
//! - `optimism_rollupConfig`: the chain's rollup configuration (`rollup.json`);
//! - `optimism_version`.
//!
//! Numbers inside block references are JSON numbers and method parameters are hex quantities, as op-node's Go
//! types encode and decode them.

use std::{net::SocketAddr, sync::Arc};

use alloy_primitives::{Address, B64, B256, U256};
use jsonrpsee::{
    RpcModule,
    core::RegisterMethodError,
    server::{Server, ServerHandle},
    types::{ErrorObjectOwned, Params},
};
use serde::{Deserialize, Serialize};
use superlink_chain::{Chain, L1Attributes, StoredBlock};
use superlink_node::ChainService;
use superlink_protocol::OutputV0;
use superlink_verifier::{BlockId, BlockRef, ChainHeads, Verifier};

use crate::{
    error::DevnetError,
    rollup_log::{RollupLog, RollupParams, RollupState},
};

/// What `optimism_version` answers.
pub const ROLLUP_RPC_VERSION: &str = concat!("superlink-devnet/v", env!("CARGO_PKG_VERSION"));

/// JSON-RPC code of a parameter that is missing or malformed.
pub const INVALID_PARAMS: i32 = -32602;
/// JSON-RPC code of an answer op-node does not have (an unknown block, no safe-head record): the generic server
/// error, as op-node's Go server reports its errors.
pub const NOT_FOUND: i32 = -32000;
/// JSON-RPC code of a failure inside the server.
pub const INTERNAL_ERROR: i32 = -32603;

/// An L2 block reference as op-node reports it (`eth.L2BlockRef`): the block, its L1 origin and its position in
/// that origin's epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L2BlockRef {
    /// Block hash.
    pub hash: B256,
    /// Block number.
    pub number: u64,
    /// Parent block hash.
    pub parent_hash: B256,
    /// Block timestamp.
    pub timestamp: u64,
    /// The L1 origin (the key is all lower case in op-node's JSON).
    #[serde(rename = "l1origin")]
    pub l1_origin: BlockId,
    /// Position of the block within its L1 origin's epoch.
    pub sequence_number: u64,
}

/// op-node's `SyncStatus`: where derivation is on the L1 and the L2 heads of every safety level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupSyncStatus {
    /// The last L1 block derivation read.
    pub current_l1: BlockRef,
    /// The finalized L1 block derivation has taken into account (at most `current_l1`).
    pub current_l1_finalized: BlockRef,
    /// The L1 head.
    pub head_l1: BlockRef,
    /// The safe L1 block.
    pub safe_l1: BlockRef,
    /// The finalized L1 block.
    pub finalized_l1: BlockRef,
    /// The chain's head.
    pub unsafe_l2: L2BlockRef,
    /// The verifier's cross-unsafe head (reported by op-node versions that still have the field; decoders of
    /// newer versions skip it).
    pub cross_unsafe_l2: L2BlockRef,
    /// The local-safe head: derived from the L1 up to `current_l1`.
    pub local_safe_l2: L2BlockRef,
    /// The safe head: cross-safe, as the verifier decides it (op-node in interop mode reports cross-safe here).
    pub safe_l2: L2BlockRef,
    /// The finalized head, as the verifier decides it.
    pub finalized_l2: L2BlockRef,
    /// The head derivation is working on: the local-safe head (the devnet applies every derived block at once).
    pub pending_safe_l2: L2BlockRef,
}

/// op-node's `OutputResponse` (`optimism_outputAtBlock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputResponse {
    /// The output version (version 0: 32 zero bytes).
    pub version: B256,
    /// The output root.
    pub output_root: B256,
    /// The block.
    pub block_ref: L2BlockRef,
    /// The storage root of the `L2ToL1MessagePasser` in the block's state.
    pub withdrawal_storage_root: B256,
    /// The block's state root.
    pub state_root: B256,
    /// The sync status when the output was read.
    pub sync_status: RollupSyncStatus,
}

/// op-node's `SafeHeadResponse` (`optimism_safeHeadAtL1Block`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SafeHeadResponse {
    /// The L1 block the record is for.
    pub l1_block: BlockId,
    /// The local-safe L2 head once that L1 block was read.
    pub safe_head: BlockId,
}

/// The genesis system configuration of `rollup.json` (`eth.SystemConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemConfigJson {
    /// The address batches must come from.
    pub batcher_addr: Address,
    /// The pre-Ecotone fee overhead (zero: unused since Ecotone).
    pub overhead: B256,
    /// The fee scalars, Ecotone encoding: version 1, blob base fee scalar and base fee scalar.
    pub scalar: B256,
    /// The L2 block gas limit.
    pub gas_limit: u64,
    /// The Holocene EIP-1559 parameters: denominator and elasticity, 4 bytes each (zero: those of
    /// `chain_op_config`).
    #[serde(rename = "eip1559Params")]
    pub eip1559_params: B64,
    /// The Isthmus operator fee parameters (zero: no operator fee).
    pub operator_fee_params: B256,
}

/// The `genesis` object of `rollup.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisJson {
    /// The L1 block the L2 starts after.
    pub l1: BlockId,
    /// The L2 genesis block.
    pub l2: BlockId,
    /// The L2 genesis timestamp.
    pub l2_time: u64,
    /// The system configuration at genesis.
    pub system_config: SystemConfigJson,
}

/// The execution layer's fee parameters op-node reads from `rollup.json` for chains it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainOpConfigJson {
    /// The EIP-1559 elasticity multiplier.
    #[serde(rename = "eip1559Elasticity")]
    pub eip1559_elasticity: u64,
    /// The EIP-1559 base fee change denominator.
    #[serde(rename = "eip1559Denominator")]
    pub eip1559_denominator: u64,
    /// The denominator since Canyon.
    #[serde(rename = "eip1559DenominatorCanyon")]
    pub eip1559_denominator_canyon: u64,
}

/// op-node's rollup configuration (`rollup.Config`, `optimism_rollupConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupConfigJson {
    /// The genesis anchor.
    pub genesis: GenesisJson,
    /// Seconds between L2 blocks.
    pub block_time: u64,
    /// The maximum sequencer drift, in seconds.
    pub max_sequencer_drift: u64,
    /// The sequencing window, in L1 blocks.
    pub seq_window_size: u64,
    /// The channel timeout, in L1 blocks.
    pub channel_timeout: u64,
    /// The L1 chain ID.
    pub l1_chain_id: u64,
    /// The L2 chain ID.
    pub l2_chain_id: u64,
    /// Regolith activation time.
    pub regolith_time: u64,
    /// Canyon activation time.
    pub canyon_time: u64,
    /// Delta activation time.
    pub delta_time: u64,
    /// Ecotone activation time.
    pub ecotone_time: u64,
    /// Fjord activation time.
    pub fjord_time: u64,
    /// Granite activation time.
    pub granite_time: u64,
    /// Holocene activation time.
    pub holocene_time: u64,
    /// Isthmus activation time.
    pub isthmus_time: u64,
    /// Interop activation time.
    pub interop_time: u64,
    /// Where batches go on the L1.
    pub batch_inbox_address: Address,
    /// The L1 deposit contract.
    pub deposit_contract_address: Address,
    /// The L1 `SystemConfig` contract (zero: the devnet's L1 has none, its system configuration is fixed).
    pub l1_system_config_address: Address,
    /// The execution layer's fee parameters, when the chain's headers carry them.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub chain_op_config: Option<ChainOpConfigJson>,
}

/// What the rollup-node RPC of one L2 reads.
#[derive(Debug, Clone)]
pub struct RollupRpcContext {
    /// What derivation found.
    pub log: RollupLog,
    /// The running chain.
    pub chain: Arc<ChainService>,
    /// The embedded verifier (cross-unsafe, cross-safe and finalized heads).
    pub verifier: Verifier,
}

fn rpc_error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, message.into(), None::<()>)
}

/// Reads a hex quantity (`"0x1a"`), as Go's `hexutil.Uint64` takes it.
pub fn parse_hex_u64(text: &str) -> Option<u64> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X"))?;
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// The single block-number parameter of `optimism_outputAtBlock` and `optimism_safeHeadAtL1Block`.
fn number_param(params: &Params<'_>, what: &str) -> Result<u64, ErrorObjectOwned> {
    let text: String = params.one().map_err(|e| {
        rpc_error(INVALID_PARAMS, format!("expected one {what} as a hex quantity (\"0x…\"): {}", e.message()))
    })?;
    parse_hex_u64(&text).ok_or_else(|| {
        rpc_error(
            INVALID_PARAMS,
            format!("invalid {what} {text:?}: expected a hex quantity such as \"0x1a\""),
        )
    })
}

/// The fields of the log the sync status reports, copied out under a short read lock.
#[derive(Debug, Clone, Copy)]
struct LogView {
    params: RollupParams,
    current_l1: BlockRef,
    head_l1: BlockRef,
    safe_l1: BlockRef,
    finalized_l1: BlockRef,
    local_safe: BlockId,
}

impl LogView {
    fn of(state: &RollupState) -> Self {
        Self {
            params: state.params,
            current_l1: state.current_l1,
            head_l1: state.head_l1,
            safe_l1: state.safe_l1,
            finalized_l1: state.finalized_l1,
            local_safe: state.local_safe,
        }
    }
}

/// The reference of a stored block; genesis, which has no L1 attributes, has the rollup's genesis L1 block as
/// origin.
pub fn l2_block_ref(block: &StoredBlock, genesis_l1: BlockId) -> L2BlockRef {
    let (l1_origin, sequence_number) = match &block.attributes {
        Some(attributes) => {
            (BlockId::new(attributes.l1.number, attributes.l1.hash), attributes.sequence_number)
        }
        None => (genesis_l1, 0),
    };
    L2BlockRef {
        hash: block.hash(),
        number: block.number(),
        parent_hash: block.header.parent_hash,
        timestamp: block.timestamp(),
        l1_origin,
        sequence_number,
    }
}

/// The chain's block `id` when the chain still has it (the same hash at that height).
fn resolve(chain: &Chain, genesis_l1: BlockId, id: BlockId) -> Option<L2BlockRef> {
    chain.block_by_number(id.number).filter(|b| b.hash() == id.hash).map(|b| l2_block_ref(&b, genesis_l1))
}

/// A verifier head as the chain has it.
fn resolve_head(chain: &Chain, genesis_l1: BlockId, head: Option<BlockRef>) -> Option<L2BlockRef> {
    head.and_then(|h| resolve(chain, genesis_l1, h.id()))
}

/// The sync status from a view of the log, the verifier's heads of the chain and the chain itself. A head the
/// chain no longer has at its height (the chain was reorged since it was read) falls back to the next lower
/// level, down to genesis.
fn sync_status(chain: &Chain, log: &LogView, heads: Option<ChainHeads>) -> RollupSyncStatus {
    let params = &log.params;
    let genesis_l1 = params.genesis_l1;
    let genesis = resolve(chain, genesis_l1, params.genesis_l2).unwrap_or(L2BlockRef {
        hash: params.genesis_l2.hash,
        number: params.genesis_l2.number,
        parent_hash: B256::ZERO,
        timestamp: params.genesis_time,
        l1_origin: genesis_l1,
        sequence_number: 0,
    });
    let heads = heads.unwrap_or_default();
    let finalized = resolve_head(chain, genesis_l1, heads.finalized).unwrap_or(genesis);
    let safe = resolve_head(chain, genesis_l1, heads.cross_safe).unwrap_or(finalized);
    let local_safe = resolve(chain, genesis_l1, log.local_safe).unwrap_or(safe);
    let cross_unsafe = resolve_head(chain, genesis_l1, heads.cross_unsafe).unwrap_or(safe);
    let unsafe_l2 = l2_block_ref(&chain.head(), genesis_l1);
    // Derivation has taken the finalized L1 block into account once it read that far; before, the last block
    // it read is an ancestor of the finalized one, so final too.
    let current_l1_finalized =
        if log.finalized_l1.number <= log.current_l1.number { log.finalized_l1 } else { log.current_l1 };
    RollupSyncStatus {
        current_l1: log.current_l1,
        current_l1_finalized,
        head_l1: log.head_l1,
        safe_l1: log.safe_l1,
        finalized_l1: log.finalized_l1,
        unsafe_l2,
        cross_unsafe_l2: cross_unsafe,
        local_safe_l2: local_safe,
        safe_l2: safe,
        finalized_l2: finalized,
        pending_safe_l2: local_safe,
    }
}

impl RollupRpcContext {
    /// Runs `read` on the blocking pool with the log's fields, the verifier's heads of the chain and the chain
    /// locked for reading, one lock at a time (the sequencer holds the chain's write lock while it builds a block,
    /// which must not stall an async worker).
    async fn read_chain<T: Send + 'static>(
        &self,
        read: impl FnOnce(&Chain, &LogView, Option<ChainHeads>) -> Result<T, ErrorObjectOwned> + Send + 'static,
    ) -> Result<T, ErrorObjectOwned> {
        let ctx = self.clone();
        tokio::task::spawn_blocking(move || {
            let log = LogView::of(&ctx.log.read());
            let heads = ctx.verifier.heads(log.params.l2_chain_id);
            let chain = ctx.chain.read();
            read(&chain, &log, heads)
        })
        .await
        .map_err(|e| rpc_error(INTERNAL_ERROR, format!("reading the chain failed: {e}")))?
    }

    /// `optimism_syncStatus`.
    pub async fn sync_status(&self) -> Result<RollupSyncStatus, ErrorObjectOwned> {
        self.read_chain(|chain, log, heads| Ok(sync_status(chain, log, heads))).await
    }

    /// `optimism_outputAtBlock`: the version-0 output of block `number`; an error when the chain has no such
    /// block.
    pub async fn output_at_block(&self, number: u64) -> Result<OutputResponse, ErrorObjectOwned> {
        self.read_chain(move |chain, log, heads| {
            let block = chain.block_by_number(number).ok_or_else(|| {
                rpc_error(
                    NOT_FOUND,
                    format!("L2 block {number} not found: the chain's head is block {}", chain.head_number()),
                )
            })?;
            // Since Isthmus the header's withdrawals root is the L2ToL1MessagePasser's storage root.
            let withdrawal_storage_root = block.header.withdrawals_root.ok_or_else(|| {
                rpc_error(
                    INTERNAL_ERROR,
                    format!("L2 block {number} has no withdrawals root (the message passer's storage root)"),
                )
            })?;
            let output = OutputV0 {
                state_root: block.header.state_root,
                message_passer_storage_root: withdrawal_storage_root,
                block_hash: block.hash(),
            };
            Ok(OutputResponse {
                version: B256::ZERO,
                output_root: output.root(),
                block_ref: l2_block_ref(&block, log.params.genesis_l1),
                withdrawal_storage_root,
                state_root: block.header.state_root,
                sync_status: sync_status(chain, log, heads),
            })
        })
        .await
    }

    /// `optimism_safeHeadAtL1Block`: the record of the highest L1 block at or below `l1_number`; an error when
    /// there is none (below the oldest record kept) or `l1_number` is above the last L1 block read.
    pub fn safe_head_at_l1_block(&self, l1_number: u64) -> Result<SafeHeadResponse, ErrorObjectOwned> {
        let state = self.log.read();
        let record = state.reported_safe_head(l1_number);
        let oldest = state.records.front().map(|r| r.l1.number);
        let current = state.current_l1.number;
        drop(state);
        let record = record.ok_or_else(|| {
            let kept = oldest.map_or_else(|| "none".to_string(), |o| format!("L1 blocks {o}..={current}"));
            rpc_error(
                NOT_FOUND,
                format!("safe head at L1 block {l1_number} not found (records kept: {kept})"),
            )
        })?;
        Ok(SafeHeadResponse { l1_block: record.l1.id(), safe_head: record.safe })
    }

    /// `optimism_rollupConfig`.
    pub async fn rollup_config(&self) -> Result<RollupConfigJson, ErrorObjectOwned> {
        self.read_chain(|chain, log, _| {
            let genesis = chain.block_by_number(log.params.genesis_l2.number).unwrap_or_else(|| chain.head());
            Ok(rollup_config(&log.params, chain.gas_limit(), genesis.header.extra_data.as_ref()))
        })
        .await
    }
}

/// The EIP-1559 denominator and elasticity of a Holocene `extraData` (version 0, two big-endian `u32`s).
fn holocene_eip1559(extra_data: &[u8]) -> Option<(u32, u32)> {
    match extra_data {
        [0, d0, d1, d2, d3, e0, e1, e2, e3] => {
            Some((u32::from_be_bytes([*d0, *d1, *d2, *d3]), u32::from_be_bytes([*e0, *e1, *e2, *e3])))
        }
        _ => None,
    }
}

/// The Ecotone encoding of the fee scalars: version byte 1, then the blob base fee scalar and the base fee
/// scalar in the last eight bytes.
fn ecotone_scalar(base_fee_scalar: u32, blob_base_fee_scalar: u32) -> B256 {
    let mut scalar = B256::ZERO;
    scalar[0] = 1;
    scalar[24..28].copy_from_slice(&blob_base_fee_scalar.to_be_bytes());
    scalar[28..].copy_from_slice(&base_fee_scalar.to_be_bytes());
    scalar
}

/// The rollup configuration of a chain with `params`, block gas limit `gas_limit` and genesis `extraData`
/// `genesis_extra_data`: every hardfork up to Isthmus, and interop, active from genesis.
pub fn rollup_config(params: &RollupParams, gas_limit: u64, genesis_extra_data: &[u8]) -> RollupConfigJson {
    let fees = L1Attributes::default();
    let eip1559 = holocene_eip1559(genesis_extra_data);
    RollupConfigJson {
        genesis: GenesisJson {
            l1: params.genesis_l1,
            l2: params.genesis_l2,
            l2_time: params.genesis_time,
            system_config: SystemConfigJson {
                batcher_addr: params.batcher,
                overhead: B256::ZERO,
                scalar: ecotone_scalar(fees.base_fee_scalar, fees.blob_base_fee_scalar),
                gas_limit,
                eip1559_params: eip1559.map_or(B64::ZERO, |(denominator, elasticity)| {
                    let mut packed = B64::ZERO;
                    packed[..4].copy_from_slice(&denominator.to_be_bytes());
                    packed[4..].copy_from_slice(&elasticity.to_be_bytes());
                    packed
                }),
                operator_fee_params: B256::from(U256::from(
                    (u128::from(fees.operator_fee_scalar) << 64) | u128::from(fees.operator_fee_constant),
                )),
            },
        },
        block_time: params.block_time,
        max_sequencer_drift: params.max_sequencer_drift,
        seq_window_size: params.sequencing_window,
        channel_timeout: params.channel_timeout,
        l1_chain_id: params.l1_chain_id,
        l2_chain_id: params.l2_chain_id,
        regolith_time: 0,
        canyon_time: 0,
        delta_time: 0,
        ecotone_time: 0,
        fjord_time: 0,
        granite_time: 0,
        holocene_time: 0,
        isthmus_time: 0,
        interop_time: 0,
        batch_inbox_address: params.batch_inbox,
        deposit_contract_address: params.deposit_contract,
        l1_system_config_address: Address::ZERO,
        chain_op_config: eip1559.map(|(denominator, elasticity)| ChainOpConfigJson {
            eip1559_elasticity: elasticity.into(),
            eip1559_denominator: denominator.into(),
            eip1559_denominator_canyon: denominator.into(),
        }),
    }
}

/// The `optimism_*` methods over `ctx`, for a server of the caller's (or an in-process caller).
pub fn rollup_rpc_module(ctx: RollupRpcContext) -> Result<RpcModule<RollupRpcContext>, RegisterMethodError> {
    let mut module = RpcModule::new(ctx);
    module
        .register_async_method("optimism_syncStatus", |_, ctx, _| async move { ctx.sync_status().await })?;
    module.register_async_method("optimism_outputAtBlock", |params, ctx, _| async move {
        let number = number_param(&params, "L2 block number")?;
        ctx.output_at_block(number).await
    })?;
    module.register_method("optimism_safeHeadAtL1Block", |params, ctx, _| {
        let number = number_param(&params, "L1 block number")?;
        ctx.safe_head_at_l1_block(number)
    })?;
    module.register_async_method(
        "optimism_rollupConfig",
        |_, ctx, _| async move { ctx.rollup_config().await },
    )?;
    module.register_method("optimism_version", |_, _, _| ROLLUP_RPC_VERSION)?;
    Ok(module)
}

/// Serves the rollup-node RPC of the chain `log` describes on `addr` (HTTP and WebSocket); returns the server's
/// handle and the bound address (`addr` may ask for port 0).
pub async fn serve_rollup_rpc(
    addr: SocketAddr,
    log: RollupLog,
    chain: Arc<ChainService>,
    verifier: Verifier,
) -> Result<(ServerHandle, SocketAddr), DevnetError> {
    let chain_id = log.chain_id();
    let serve_error = |e: std::io::Error| DevnetError::Serve { chain_id, addr, reason: e.to_string() };
    let server = Server::builder().build(addr).await.map_err(serve_error)?;
    let bound = server.local_addr().map_err(serve_error)?;
    let module = rollup_rpc_module(RollupRpcContext { log, chain, verifier })
        .map_err(|e| DevnetError::Serve { chain_id, addr, reason: e.to_string() })?;
    Ok((server.start(module), bound))
}

#[cfg(test)]
mod tests {
    use super::*;
    use superlink_chain::ChainConfig;

    use crate::{genesis::l2_genesis, rollup_log::RollupState};

    const GENESIS_TIME: u64 = 1_000;

    fn l1(number: u64) -> BlockRef {
        let hash = |n: u64| B256::from(U256::from(0x1000u64.wrapping_add(n)));
        BlockRef {
            hash: hash(number),
            number,
            parent_hash: hash(number.wrapping_sub(1)),
            timestamp: 500 + 12 * number,
        }
    }

    /// A chain with blocks 1..=4 on L1 origins 1, 1, 2, 2, and its log at L1 block 2 with local-safe head 3.
    fn chain_and_log() -> (Chain, RollupState) {
        let mut chain = Chain::new(&l2_genesis(901, GENESIS_TIME, &[], 1), ChainConfig::default());
        for (number, origin) in [(1, 1), (2, 1), (3, 2), (4, 2)] {
            let origin = l1(origin);
            chain.set_l1_origin(L1Attributes {
                number: origin.number,
                hash: origin.hash,
                timestamp: origin.timestamp,
                ..L1Attributes::default()
            });
            chain.mine(GENESIS_TIME + 2 * number).unwrap();
        }
        let id = |n: u64| chain.block_by_number(n).unwrap().header.hash();
        let params = RollupParams {
            l2_chain_id: 901,
            l1_chain_id: 900,
            genesis_l1: l1(0).id(),
            genesis_l2: BlockId::new(0, id(0)),
            genesis_time: GENESIS_TIME,
            block_time: 2,
            sequencing_window: 8,
            channel_timeout: 50,
            max_sequencer_drift: 1800,
            batch_inbox: Address::repeat_byte(0xff),
            batcher: Address::repeat_byte(0xba),
            deposit_contract: Address::repeat_byte(0xde),
        };
        let mut state = RollupState::new(params, l1(0));
        state.push(l1(1), BlockId::new(1, id(1)));
        state.push(l1(2), BlockId::new(3, id(3)));
        (chain, state)
    }

    fn head(chain: &Chain, number: u64) -> Option<BlockRef> {
        chain.block_by_number(number).map(|b| BlockRef {
            hash: b.hash(),
            number,
            parent_hash: b.header.parent_hash,
            timestamp: b.timestamp(),
        })
    }

    #[test]
    fn block_numbers_are_hex_quantities() {
        assert_eq!(parse_hex_u64("0x1a"), Some(26));
        assert_eq!(parse_hex_u64("0X0"), Some(0));
        assert_eq!(parse_hex_u64("0xffffffffffffffff"), Some(u64::MAX));
        for bad in ["26", "0x", "", "0x1g", "0x10000000000000000", "-0x1"] {
            assert_eq!(parse_hex_u64(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn l2_references_carry_the_l1_origin_and_the_position_in_its_epoch() {
        let (chain, state) = chain_and_log();
        let genesis = l2_block_ref(&chain.block_by_number(0).unwrap(), state.params.genesis_l1);
        assert_eq!((genesis.l1_origin, genesis.sequence_number), (l1(0).id(), 0));
        let refs: Vec<(u64, u64)> = (1..=4)
            .map(|n| l2_block_ref(&chain.block_by_number(n).unwrap(), state.params.genesis_l1))
            .map(|r| (r.l1_origin.number, r.sequence_number))
            .collect();
        assert_eq!(refs, [(1, 0), (1, 1), (2, 0), (2, 1)]);
        let third = l2_block_ref(&chain.block_by_number(3).unwrap(), state.params.genesis_l1);
        assert_eq!(third.l1_origin.hash, l1(2).hash);
        assert_eq!(third.parent_hash, chain.block_by_number(2).unwrap().hash());
        assert_eq!(third.timestamp, GENESIS_TIME + 6);
    }

    #[test]
    fn the_sync_status_takes_the_verifier_s_heads_and_the_log_s_local_safe_head() {
        let (chain, state) = chain_and_log();
        let heads = ChainHeads {
            local_unsafe: head(&chain, 4),
            cross_unsafe: head(&chain, 4),
            local_safe: head(&chain, 3),
            cross_safe: head(&chain, 2),
            finalized: head(&chain, 1),
        };
        let status = sync_status(&chain, &LogView::of(&state), Some(heads));
        let numbers = [
            status.unsafe_l2,
            status.cross_unsafe_l2,
            status.local_safe_l2,
            status.safe_l2,
            status.finalized_l2,
            status.pending_safe_l2,
        ]
        .map(|r| r.number);
        assert_eq!(numbers, [4, 4, 3, 2, 1, 3]);
        assert_eq!(status.current_l1, l1(2));
        assert_eq!(status.finalized_l1, l1(0));
        assert_eq!(status.current_l1_finalized, l1(0));
    }

    #[test]
    fn heads_the_chain_no_longer_has_fall_back_to_the_next_lower_level() {
        let (chain, mut state) = chain_and_log();
        let replaced = |n: u64| head(&chain, n).map(|b| BlockRef { hash: B256::repeat_byte(0xee), ..b });
        // The verifier saw blocks 2..=4 of a branch the chain has left; the log names a block it never had.
        let heads = ChainHeads {
            local_unsafe: replaced(4),
            cross_unsafe: replaced(4),
            local_safe: replaced(3),
            cross_safe: replaced(2),
            finalized: head(&chain, 1),
        };
        state.local_safe = BlockId::new(3, B256::repeat_byte(0xee));
        let status = sync_status(&chain, &LogView::of(&state), Some(heads));
        assert_eq!(status.finalized_l2.number, 1);
        assert_eq!(status.safe_l2, status.finalized_l2, "cross-safe falls back to finalized");
        assert_eq!(status.local_safe_l2, status.safe_l2);
        assert_eq!(status.cross_unsafe_l2, status.safe_l2);
        assert_eq!(status.unsafe_l2.number, 4, "the chain's own head is always there");

        // Before the verifier knows the chain, every verified level is genesis.
        let status = sync_status(&chain, &LogView::of(&state), None);
        assert_eq!(status.finalized_l2.hash, state.params.genesis_l2.hash);
        assert_eq!(status.safe_l2.number, 0);
        assert_eq!(status.cross_unsafe_l2.number, 0);
    }

    #[test]
    fn current_l1_finalized_is_never_above_current_l1() {
        let (chain, mut state) = chain_and_log();
        state.finalize_l1(l1(1));
        let status = sync_status(&chain, &LogView::of(&state), None);
        assert_eq!(status.current_l1_finalized, l1(1));
        state.finalize_l1(l1(5));
        let status = sync_status(&chain, &LogView::of(&state), None);
        assert_eq!((status.finalized_l1, status.current_l1_finalized), (l1(5), l1(2)));
    }

    #[test]
    fn the_rollup_config_has_the_chain_s_fee_parameters_and_every_fork_at_genesis() {
        let (chain, state) = chain_and_log();
        let genesis = chain.block_by_number(0).unwrap();
        let config = rollup_config(&state.params, chain.gas_limit(), genesis.header.extra_data.as_ref());
        let system = config.genesis.system_config;
        assert_eq!(system.batcher_addr, Address::repeat_byte(0xba));
        assert_eq!(system.gas_limit, chain.gas_limit());
        // Denominator 50 and elasticity 6, as the chain's headers carry them.
        assert_eq!(system.eip1559_params, B64::from([0, 0, 0, 50, 0, 0, 0, 6]));
        let op = config.chain_op_config.unwrap();
        assert_eq!((op.eip1559_denominator, op.eip1559_elasticity), (50, 6));
        // Ecotone scalar: version 1, blob base fee scalar, base fee scalar.
        let fees = L1Attributes::default();
        assert_eq!(system.scalar[0], 1);
        assert_eq!(system.scalar[24..28], fees.blob_base_fee_scalar.to_be_bytes());
        assert_eq!(system.scalar[28..], fees.base_fee_scalar.to_be_bytes());
        assert_eq!((config.isthmus_time, config.interop_time), (0, 0));
        assert_eq!(
            (config.genesis.l1, config.genesis.l2, config.genesis.l2_time),
            (l1(0).id(), state.params.genesis_l2, GENESIS_TIME)
        );
        // A header without Holocene parameters leaves them to the protocol defaults.
        let config = rollup_config(&state.params, chain.gas_limit(), &[]);
        assert_eq!(config.genesis.system_config.eip1559_params, B64::ZERO);
        assert_eq!(config.chain_op_config, None);
    }
}
