//! The JSON-RPC server (HTTP and WebSocket on one port): the supervisor API, the super-root API and the
//! verifier's own `superlink_invalidBlocks`.

use std::{collections::BTreeMap, net::SocketAddr, sync::Arc};

use alloy_primitives::{B256, U64, U256};
use jsonrpsee::{
    RpcModule,
    server::{Server, ServerConfig, ServerHandle},
    types::{ErrorObjectOwned, Params},
};
use serde_json::Value;
use superlink_protocol::SafetyLevel;

use crate::{
    api::{ChainSyncStatus, DerivedIdPair, InvalidBlockJson, SyncStatus, chain_key},
    chain_data::{BlockId, BlockRef, ChainId},
    checker::ExecutingDescriptorJson,
    error::{CheckError, ErrorCode, QueryError, VerifierError},
    observe::HttpLayer,
    source::ChainSource,
    state::VerifierState,
    superroot::{super_root_at_timestamp, superroot_at_timestamp},
    verifier::Verifier,
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
    parsed.ok_or_else(|| error(-32602, format!("invalid chain ID {value}")))
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
    module
        .register_method(
            "supervisor_checkAccessList",
            |params, ctx, _| -> Result<Option<()>, ErrorObjectOwned> {
                let (entries, min_safety, descriptor): (Vec<B256>, String, ExecutingDescriptorJson) =
                    params.parse()?;
                let min_safety: SafetyLevel = min_safety
                    .parse()
                    .map_err(|e: superlink_protocol::SafetyLevelParseError| error(-32602, e.to_string()))?;
                ctx.verifier.check_access_list_now(&entries, min_safety, descriptor.into())?;
                Ok(None)
            },
        )
        .map_err(reg)?;
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
                let derived = initialized(chain, state.heads(chain).and_then(|h| h.local_safe))?.id();
                Ok(DerivedIdPair { source: BlockId::default(), derived })
            },
        )
        .map_err(reg)?;
    module
        .register_method(
            "supervisor_crossSafe",
            |params, ctx, _| -> Result<DerivedIdPair, ErrorObjectOwned> {
                let state = ctx.verifier.read();
                let chain = chain_of(&params, &state)?;
                let derived = initialized(chain, state.heads(chain).and_then(|h| h.cross_safe))?.id();
                Ok(DerivedIdPair { source: BlockId::default(), derived })
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
        .register_method("supervisor_finalizedL1", |_, _, _| -> Result<BlockRef, ErrorObjectOwned> {
            Err(error(
                ErrorCode::FutureData.code(),
                "L1 finality is not known: this verifier reads each chain's own safe and finalized tags",
            ))
        })
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
            let (timestamp,): (U64,) = params.parse()?;
            super_root_at_timestamp(&ctx.verifier, &ctx.sources, timestamp.to())
                .await
                .map_err(ErrorObjectOwned::from)
        })
        .map_err(reg)?;
    module
        .register_async_method("superroot_atTimestamp", |params, ctx, _| async move {
            let (timestamp,): (U64,) = params.parse()?;
            superroot_at_timestamp(&ctx.verifier, &ctx.sources, timestamp.to())
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
        min_synced_l1: BlockRef::default(),
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
    let module = rpc_module(RpcContext { verifier, sources })?;
    Ok((server.start(module), bound))
}
