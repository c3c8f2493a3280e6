//! The JSON-RPC server (HTTP and WebSocket on one port): the tx-pool filter API of op-interop-filter
//! (`interop_checkAccessList`, `interop_getBlockHashByNumber`, `admin_getFailsafeEnabled`), the legacy
//! supervisor API (`supervisor_*`, `supervisor_checkAccessList` included), the super-root API
//! (`superroot_atTimestamp`), the verifier's own `superlink_invalidBlocks` and `superlink_ready` (whether it has
//! caught up with its chains, [`crate::ReadinessReport`]), and the fault-proof trace (`superlink_transition`,
//! `superlink_traceClaim`, `superlink_traceClaimAt`); [`serve_with_extra`] adds the
//! methods of another module (the devnet's `devnet_*`) on the same port.

use std::{collections::BTreeMap, net::SocketAddr, sync::Arc, time::Duration};

use alloy_primitives::{B256, U64, U256};
use jsonrpsee::{
    RpcModule,
    server::{Server, ServerConfig, ServerHandle},
    types::{ErrorObjectOwned, Params},
};
use serde_json::Value;
use superlink_protocol::{CONSOLIDATION_STEP, SafetyLevel, TracePosition, trace_position};

use crate::{
    access_check::ExecutingDescriptorJson,
    api::{ChainSyncStatus, DerivedIdPair, InvalidBlockJson, SyncStatus, chain_key},
    chain_data::{BlockId, BlockRef, ChainId},
    error::{CheckError, ErrorCode, INVALID_PARAMS, QueryError, VerifierError},
    observe::HttpLayer,
    readiness::ReadinessReport,
    source::ChainSource,
    state::VerifierState,
    superroot::{remember_invalid_outputs, super_root_at_timestamp, superroot_at_timestamp},
    trace::{trace_claim, transition},
    verifier::Verifier,
    view::ChainLookup,
};

/// What every RPC method reads.
#[derive(Debug)]
pub struct RpcContext<S> {
    /// The verifier.
    pub verifier: Verifier,
    /// The chain sources (for output roots).
    pub sources: BTreeMap<ChainId, Arc<S>>,
}

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, message.into(), None::<()>)
}

impl From<QueryError> for ErrorObjectOwned {
    fn from(e: QueryError) -> Self {
        error(e.code(), e.to_string())
    }
}

impl From<CheckError> for ErrorObjectOwned {
    fn from(e: CheckError) -> Self {
        error(e.code(), e.to_string())
    }
}

/// Reads a chain ID given as a hex string, a decimal string or a JSON number.
fn chain_param(value: &Value) -> Result<U256, ErrorObjectOwned> {
    let parsed = match value {
        Value::String(s) => match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            Some(hex) => U256::from_str_radix(hex, 16).ok(),
            None => U256::from_str_radix(s, 10).ok(),
        },
        Value::Number(n) => n.as_u64().map(U256::from),
        _ => None,
    };
    parsed.ok_or_else(|| error(INVALID_PARAMS, format!("invalid chain ID {value}")))
}

/// Reads a `u64` given as a hex string (`"0x5"`), a decimal string or a JSON number.
fn u64_param(value: &Value, what: &str) -> Result<u64, ErrorObjectOwned> {
    let parsed = match value {
        Value::String(s) => match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => s.parse().ok(),
        },
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    parsed.ok_or_else(|| error(INVALID_PARAMS, format!("invalid {what} {value}")))
}

/// The single timestamp parameter of the super-root methods.
fn timestamp_of(params: &Params<'_>) -> Result<u64, ErrorObjectOwned> {
    let (value,): (Value,) = params.parse()?;
    u64_param(&value, "timestamp")
}

/// `superlink_traceClaim(timestamp, step)`: the position, the step at most the consolidation step's.
fn claim_position_of(params: &Params<'_>) -> Result<TracePosition, ErrorObjectOwned> {
    let (timestamp, step): (Value, Value) = params.parse()?;
    let (timestamp, step) = (u64_param(&timestamp, "timestamp")?, u64_param(&step, "step")?);
    if step > CONSOLIDATION_STEP {
        return Err(error(
            INVALID_PARAMS,
            format!("step {step} is out of range: a transition has steps 0 to {CONSOLIDATION_STEP}"),
        ));
    }
    Ok(TracePosition { timestamp, step })
}

/// `superlink_traceClaimAt(prestateTimestamp, traceIndex[, poststateTimestamp])`: the position the index stands
/// for, clamped to the poststate's super root when one is given.
fn indexed_position_of(params: &Params<'_>) -> Result<(TracePosition, u64), ErrorObjectOwned> {
    let values: Vec<Value> = params.parse()?;
    let (prestate, index, poststate) = match values.as_slice() {
        [prestate, index] => (prestate, index, None),
        [prestate, index, poststate] => (prestate, index, Some(poststate)),
        _ => {
            return Err(error(
                INVALID_PARAMS,
                "expected [prestateTimestamp, traceIndex] or [prestateTimestamp, traceIndex, poststateTimestamp]",
            ));
        }
    };
    let prestate = u64_param(prestate, "prestate timestamp")?;
    let index = u64_param(index, "trace index")?;
    let poststate = poststate.map(|p| u64_param(p, "poststate timestamp")).transpose()?;
    if poststate.is_some_and(|p| p <= prestate) {
        return Err(error(INVALID_PARAMS, "the poststate timestamp must be after the prestate timestamp"));
    }
    let position =
        trace_position(prestate, poststate, index).map_err(|e| error(INVALID_PARAMS, e.to_string()))?;
    Ok((position, index))
}

/// `checkAccessList(inboxEntries, minSafety, executingDescriptor)`, under either namespace.
fn check_access_list_method<S>(
    params: Params<'_>,
    ctx: &RpcContext<S>,
) -> Result<Option<()>, ErrorObjectOwned> {
    let (entries, min_safety, descriptor): (Vec<B256>, String, Value) = params.parse()?;
    let descriptor: ExecutingDescriptorJson = serde_json::from_value(descriptor)
        .map_err(|e| error(INVALID_PARAMS, format!("invalid executing descriptor: {e}")))?;
    let min_safety: SafetyLevel = min_safety
        .parse()
        .map_err(|e: superlink_protocol::SafetyLevelParseError| error(INVALID_PARAMS, e.to_string()))?;
    ctx.verifier.check_access_list_now(&entries, min_safety, descriptor.into())?;
    Ok(None)
}

/// `interop_getBlockHashByNumber(chainID, blockNumber)`: the hash of an indexed block, by number or `"latest"`.
fn block_hash_by_number(params: &Params<'_>, state: &VerifierState) -> Result<B256, ErrorObjectOwned> {
    let (chain, number): (Value, Value) = params.parse()?;
    let chain_id = chain_param(&chain)?;
    let chain = state
        .chain_key(chain_id)
        .map_err(|_| error(ErrorCode::UnknownChain.code(), format!("unknown chain {chain_id}")))?;
    let number = match &number {
        Value::String(tag) if tag == "latest" => {
            let latest = state.latest(chain).ok_or_else(|| {
                error(ErrorCode::FutureData.code(), format!("latest block of chain {chain} not found"))
            })?;
            return Ok(latest.hash);
        }
        Value::String(tag) if !tag.starts_with("0x") && !tag.starts_with("0X") => {
            return Err(error(INVALID_PARAMS, format!("unsupported block tag {tag:?}")));
        }
        other => u64_param(other, "block number")?,
    };
    match state.view().block(chain, number) {
        Some(block) => Ok(block.block.hash),
        None => {
            let skipped = state.view().range(chain).is_some_and(|(first, _)| number < first);
            let code = if skipped { ErrorCode::SkippedData } else { ErrorCode::FutureData };
            Err(error(code.code(), format!("block {number} of chain {chain} not found")))
        }
    }
}

/// The L1 source of a derived block named by `{hash, number}`, as `source_of` gives it at one level.
fn derived_source(
    state: &VerifierState,
    chain: ChainId,
    derived: BlockId,
    source_of: fn(&VerifierState, ChainId, u64) -> Option<BlockRef>,
    level: &str,
) -> Result<BlockRef, ErrorObjectOwned> {
    match state.view().block(chain, derived.number) {
        Some(block) if block.block.hash != derived.hash => Err(error(
            ErrorCode::ConflictingData.code(),
            format!("chain {chain} block {} is {}, not {}", derived.number, block.block.hash, derived.hash),
        )),
        Some(_) => source_of(state, chain, derived.number).ok_or_else(|| {
            error(
                ErrorCode::FutureData.code(),
                format!("chain {chain} block {} is not {level} from a known L1 block", derived.number),
            )
        }),
        None => Err(error(
            ErrorCode::FutureData.code(),
            format!("chain {chain} block {} not found in the index", derived.number),
        )),
    }
}

fn chain_of(params: &Params<'_>, state: &VerifierState) -> Result<ChainId, ErrorObjectOwned> {
    let (value,): (Value,) = params.parse()?;
    Ok(state.chain_key(chain_param(&value)?)?)
}

fn initialized(chain: ChainId, head: Option<BlockRef>) -> Result<BlockRef, ErrorObjectOwned> {
    head.ok_or_else(|| QueryError::Uninitialized(chain).into())
}

/// Builds the RPC module over a verifier and its chain sources.
pub fn rpc_module<S: ChainSource>(context: RpcContext<S>) -> Result<RpcModule<RpcContext<S>>, VerifierError> {
    let mut module = RpcModule::new(context);
    let reg = |e: jsonrpsee::core::RegisterMethodError| VerifierError::Config(e.to_string());
    for name in ["interop_checkAccessList", "supervisor_checkAccessList"] {
        module.register_method(name, |params, ctx, _| check_access_list_method(params, ctx)).map_err(reg)?;
    }
    module
        .register_method("interop_getBlockHashByNumber", |params, ctx, _| -> Result<B256, ErrorObjectOwned> {
            block_hash_by_number(&params, &ctx.verifier.read())
        })
        .map_err(reg)?;
    module
        .register_method("superlink_ready", |_, ctx, _| -> Result<ReadinessReport, ErrorObjectOwned> {
            Ok(ctx.verifier.readiness_report())
        })
        .map_err(reg)?;
    // The verifier has no failsafe mode: it never rejects every interop transaction wholesale.
    module.register_method("admin_getFailsafeEnabled", |_, _, _| false).map_err(reg)?;
    module
        .register_method("supervisor_localUnsafe", |params, ctx, _| -> Result<BlockId, ErrorObjectOwned> {
            let state = ctx.verifier.read();
            let chain = chain_of(&params, &state)?;
            Ok(initialized(chain, state.heads(chain).and_then(|h| h.local_unsafe))?.id())
        })
        .map_err(reg)?;
    module
        .register_method("supervisor_crossUnsafe", |params, ctx, _| -> Result<BlockId, ErrorObjectOwned> {
            let state = ctx.verifier.read();
            let chain = chain_of(&params, &state)?;
            Ok(initialized(chain, state.heads(chain).and_then(|h| h.cross_unsafe))?.id())
        })
        .map_err(reg)?;
    module
        .register_method(
            "supervisor_localSafe",
            |params, ctx, _| -> Result<DerivedIdPair, ErrorObjectOwned> {
                let state = ctx.verifier.read();
                let chain = chain_of(&params, &state)?;
                let derived = initialized(chain, state.heads(chain).and_then(|h| h.local_safe))?;
                let source = VerifierState::id_or_zero(state.derived_from(chain, derived.number));
                Ok(DerivedIdPair { source, derived: derived.id() })
            },
        )
        .map_err(reg)?;
    module
        .register_method(
            "supervisor_crossSafe",
            |params, ctx, _| -> Result<DerivedIdPair, ErrorObjectOwned> {
                let state = ctx.verifier.read();
                let chain = chain_of(&params, &state)?;
                let derived = initialized(chain, state.heads(chain).and_then(|h| h.cross_safe))?;
                let source = VerifierState::id_or_zero(state.cross_derived_from(chain, derived.number));
                Ok(DerivedIdPair { source, derived: derived.id() })
            },
        )
        .map_err(reg)?;
    module
        .register_method("supervisor_finalized", |params, ctx, _| -> Result<BlockId, ErrorObjectOwned> {
            let state = ctx.verifier.read();
            let chain = chain_of(&params, &state)?;
            Ok(initialized(chain, state.heads(chain).and_then(|h| h.finalized))?.id())
        })
        .map_err(reg)?;
    module
        .register_method("supervisor_finalizedL1", |_, ctx, _| -> Result<BlockRef, ErrorObjectOwned> {
            ctx.verifier.read().finalized_l1().ok_or_else(|| {
                error(
                    ErrorCode::FutureData.code(),
                    "L1 finality is not known yet: no finalized L1 block has been seen (without a rollup RPC the \
                     verifier reads each chain's own safe and finalized tags)",
                )
            })
        })
        .map_err(reg)?;
    module
        .register_method(
            "supervisor_crossDerivedToSource",
            |params, ctx, _| -> Result<BlockRef, ErrorObjectOwned> {
                let (chain, derived): (Value, BlockId) = params.parse()?;
                let state = ctx.verifier.read();
                let chain = state.chain_key(chain_param(&chain)?)?;
                derived_source(&state, chain, derived, VerifierState::cross_derived_from, "cross-safe")
            },
        )
        .map_err(reg)?;
    module
        .register_method(
            "supervisor_localSafeDerivedFrom",
            |params, ctx, _| -> Result<BlockRef, ErrorObjectOwned> {
                let (chain, derived): (Value, BlockId) = params.parse()?;
                let state = ctx.verifier.read();
                let chain = state.chain_key(chain_param(&chain)?)?;
                derived_source(&state, chain, derived, VerifierState::derived_from, "local-safe")
            },
        )
        .map_err(reg)?;
    module
        .register_method(
            "supervisor_localSafeDerivedAt",
            |params, ctx, _| -> Result<BlockId, ErrorObjectOwned> {
                let (chain, source): (Value, BlockId) = params.parse()?;
                let state = ctx.verifier.read();
                let chain = state.chain_key(chain_param(&chain)?)?;
                match state.local_safe_derived_at(chain, source) {
                    Ok(Some(block)) => Ok(block.id()),
                    Ok(None) => Err(error(
                        ErrorCode::ConflictingData.code(),
                        format!(
                            "chain {chain} derived nothing from L1 block {} ({}): not the L1 block its derivation read",
                            source.number, source.hash
                        ),
                    )),
                    Err(latest) => Err(error(
                        ErrorCode::FutureData.code(),
                        format!(
                            "chain {chain}'s derivation has not read L1 block {} yet (latest: {})",
                            source.number,
                            latest.map_or_else(|| "none".to_string(), |l| l.number.to_string())
                        ),
                    )),
                }
            },
        )
        .map_err(reg)?;
    module
        .register_method(
            "supervisor_allSafeDerivedAt",
            |params, ctx, _| -> Result<BTreeMap<String, BlockId>, ErrorObjectOwned> {
                let (source,): (BlockId,) = params.parse()?;
                let state = ctx.verifier.read();
                let scope = state.l1_scope();
                if scope.is_none_or(|s| s.number < source.number) {
                    return Err(error(
                        ErrorCode::FutureData.code(),
                        format!(
                            "L1 block {} is not yet processed by every chain's derivation",
                            source.number
                        ),
                    ));
                }
                Ok(state
                    .all_safe_derived_at(source.number)
                    .into_iter()
                    .map(|(chain, block)| (chain_key(chain), VerifierState::id_or_zero(block)))
                    .collect())
            },
        )
        .map_err(reg)?;
    module
        .register_method("supervisor_syncStatus", |_, ctx, _| -> Result<SyncStatus, ErrorObjectOwned> {
            Ok(sync_status(&ctx.verifier.read()))
        })
        .map_err(reg)?;
    module
        .register_method("supervisor_dependencySetV1", |_, ctx, _| -> Result<Value, ErrorObjectOwned> {
            let json = ctx.verifier.read().dependencies().to_json();
            serde_json::from_str(&json).map_err(|e| error(ErrorCode::DataCorruption.code(), e.to_string()))
        })
        .map_err(reg)?;
    module
        .register_method(
            "superlink_invalidBlocks",
            |_, ctx, _| -> Result<Vec<InvalidBlockJson>, ErrorObjectOwned> {
                Ok(ctx
                    .verifier
                    .read()
                    .invalid_blocks()
                    .into_iter()
                    .map(|b| InvalidBlockJson {
                        chain_id: U64::from(b.chain),
                        block: b.block,
                        level: b.level.as_str().to_string(),
                        reason: b.reason,
                    })
                    .collect())
            },
        )
        .map_err(reg)?;
    module
        .register_async_method("supervisor_superRootAtTimestamp", |params, ctx, _| async move {
            let timestamp = timestamp_of(&params)?;
            super_root_at_timestamp(&ctx.verifier, &ctx.sources, timestamp)
                .await
                .map_err(ErrorObjectOwned::from)
        })
        .map_err(reg)?;
    module
        .register_async_method("superroot_atTimestamp", |params, ctx, _| async move {
            let timestamp = timestamp_of(&params)?;
            superroot_at_timestamp(&ctx.verifier, &ctx.sources, timestamp)
                .await
                .map_err(ErrorObjectOwned::from)
        })
        .map_err(reg)?;
    module
        .register_async_method("superlink_transition", |params, ctx, _| async move {
            let timestamp = timestamp_of(&params)?;
            transition(&ctx.verifier, &ctx.sources, timestamp)
                .await
                .map(|t| t.to_json())
                .map_err(ErrorObjectOwned::from)
        })
        .map_err(reg)?;
    module
        .register_async_method("superlink_traceClaim", |params, ctx, _| async move {
            let position = claim_position_of(&params)?;
            trace_claim(&ctx.verifier, &ctx.sources, position, None).await.map_err(ErrorObjectOwned::from)
        })
        .map_err(reg)?;
    module
        .register_async_method("superlink_traceClaimAt", |params, ctx, _| async move {
            let (position, index) = indexed_position_of(&params)?;
            trace_claim(&ctx.verifier, &ctx.sources, position, Some(index))
                .await
                .map_err(ErrorObjectOwned::from)
        })
        .map_err(reg)?;
    Ok(module)
}

/// `supervisor_syncStatus` from the state.
pub fn sync_status(state: &VerifierState) -> SyncStatus {
    let mut chains = BTreeMap::new();
    let mut safe_timestamp = u64::MAX;
    let mut finalized_timestamp = u64::MAX;
    for chain in state.chains() {
        let heads = state.heads(chain).unwrap_or_default();
        let id = VerifierState::id_or_zero;
        safe_timestamp = safe_timestamp.min(heads.cross_safe.map_or(0, |b| b.timestamp));
        finalized_timestamp = finalized_timestamp.min(heads.finalized.map_or(0, |b| b.timestamp));
        chains.insert(
            chain_key(chain),
            ChainSyncStatus {
                local_unsafe: heads.local_unsafe.unwrap_or_default(),
                local_safe: id(heads.local_safe),
                cross_unsafe: id(heads.cross_unsafe),
                safe: id(heads.cross_safe),
                finalized: id(heads.finalized),
            },
        );
    }
    SyncStatus {
        min_synced_l1: state.l1_scope().unwrap_or_default(),
        safe_timestamp: if chains.is_empty() { 0 } else { safe_timestamp },
        finalized_timestamp: if chains.is_empty() { 0 } else { finalized_timestamp },
        chains,
    }
}

/// Starts the server on `addr` (HTTP and WebSocket); returns its handle and the bound address.
pub async fn serve<S: ChainSource>(
    verifier: Verifier,
    sources: BTreeMap<ChainId, Arc<S>>,
    addr: SocketAddr,
) -> Result<(ServerHandle, SocketAddr), VerifierError> {
    serve_with(verifier, sources, addr, None).await
}

/// [`serve`], with `http` (when given) answering the HTTP requests it handles before the JSON-RPC service.
pub async fn serve_with<S: ChainSource>(
    verifier: Verifier,
    sources: BTreeMap<ChainId, Arc<S>>,
    addr: SocketAddr,
    http: Option<HttpLayer>,
) -> Result<(ServerHandle, SocketAddr), VerifierError> {
    serve_with_extra(verifier, sources, addr, http, None).await
}

/// [`serve_with`], with `extra` (when given) served on the same port next to the verifier's methods: how a
/// devnet adds its `devnet_*` control methods to the one port users already know. A method of `extra` whose
/// name the verifier already serves is refused ([`VerifierError::MethodClash`]) before anything is bound, so
/// no caller can shadow a supervisor method by accident.
pub async fn serve_with_extra<S: ChainSource>(
    verifier: Verifier,
    sources: BTreeMap<ChainId, Arc<S>>,
    addr: SocketAddr,
    http: Option<HttpLayer>,
    extra: Option<RpcModule<()>>,
) -> Result<(ServerHandle, SocketAddr), VerifierError> {
    let mut module = rpc_module(RpcContext { verifier: verifier.clone(), sources: sources.clone() })?;
    if let Some(extra) = extra {
        module.merge(extra).map_err(|e| match e {
            jsonrpsee::core::RegisterMethodError::AlreadyRegistered(method) => {
                VerifierError::MethodClash { method }
            }
            other => VerifierError::Config(other.to_string()),
        })?;
    }
    let serve_error = |e: std::io::Error| VerifierError::Serve { addr, reason: e.to_string() };
    let config = ServerConfig::builder().max_connections(10_000).build();
    let middleware = tower::ServiceBuilder::new().option_layer(http);
    let server = Server::builder()
        .set_config(config)
        .set_http_middleware(middleware)
        .build(addr)
        .await
        .map_err(serve_error)?;
    let bound = server.local_addr().map_err(serve_error)?;
    let handle = server.start(module);
    tokio::spawn(keep_replaced_outputs(verifier, sources, handle.clone()));
    Ok((handle, bound))
}

/// How often the outputs of blocks found invalid are read, before their replacement removes them.
const INVALID_OUTPUT_POLL: Duration = Duration::from_millis(250);

/// Until the server stops: reads the outputs of blocks found invalid while their chains still serve them, for
/// the optimistic outputs of `superroot_atTimestamp`.
async fn keep_replaced_outputs<S: ChainSource>(
    verifier: Verifier,
    sources: BTreeMap<ChainId, Arc<S>>,
    handle: ServerHandle,
) {
    let stopped = handle.stopped();
    tokio::pin!(stopped);
    loop {
        tokio::select! {
            () = &mut stopped => return,
            () = tokio::time::sleep(INVALID_OUTPUT_POLL) => remember_invalid_outputs(&verifier, &sources).await,
        }
    }
}
