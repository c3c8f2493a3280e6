//! The `devnet_*` JSON-RPC methods of the control port: each one calls the running devnet's
//! [`DevnetControl`], so faults can be injected and the devnet's state read with any JSON-RPC client
//! (`cast rpc`, curl, `superlink devnet fault ...`). The devnet serves them on the verifier's port, next to
//! `supervisor_*` and `interop_*` ([`superlink_verifier::serve_with_extra`]).
//!
//! | method | params | result |
//! |---|---|---|
//! | `devnet_haltBatcher` | `chainId` | [`BatcherReport`] |
//! | `devnet_resumeBatcher` | `chainId` | [`BatcherReport`] |
//! | `devnet_injectInvalidMessage` | `chainId` | [`InjectedMessage`] |
//! | `devnet_reorgL1` | `depth` | [`L1Reorg`] |
//! | `devnet_reorgL2` | `chainId`, `depth` | [`L2Reorg`] |
//! | `devnet_status` | none | [`DevnetStatus`] |
//!
//! Chain IDs and depths are JSON numbers, `0x` hex strings or decimal strings, as the verifier's own methods
//! take chain IDs. A fault the devnet refuses for what was asked (an unknown chain, a depth out of range, a
//! fault that makes no sense now) is an invalid-params error (-32602); one the devnet could not carry out (a
//! chain refused the change, the devnet is stopping) is a server error ([`DEVNET_FAILED`]).
//!
//! [`BatcherReport`]: crate::faults::BatcherReport
//! [`InjectedMessage`]: crate::faults::InjectedMessage
//! [`L1Reorg`]: crate::faults::L1Reorg
//! [`L2Reorg`]: crate::faults::L2Reorg
//! [`DevnetStatus`]: crate::faults::DevnetStatus

use std::sync::Arc;

use jsonrpsee::{
    RpcModule,
    core::RegisterMethodError,
    types::{ErrorObjectOwned, Params},
};
use serde::Serialize;
use serde_json::Value;
use superlink_verifier::INVALID_PARAMS;
use tracing::{info, warn};

use crate::faults::{DevnetControl, FaultError};

/// The JSON-RPC code of a fault the devnet accepted but could not carry out (a chain refused the change, the
/// devnet is shutting down). In the range JSON-RPC leaves to servers.
pub const DEVNET_FAILED: i32 = -32000;
/// The JSON-RPC code of a fault whose execution ended abnormally inside the devnet.
pub const INTERNAL_ERROR: i32 = -32603;

/// The names of the methods [`control_module`] serves.
pub const METHODS: [&str; 6] = [
    "devnet_haltBatcher",
    "devnet_resumeBatcher",
    "devnet_injectInvalidMessage",
    "devnet_reorgL1",
    "devnet_reorgL2",
    "devnet_status",
];

/// The JSON-RPC error object of a fault the devnet refused or failed to inject: what the user asked for is
/// wrong (invalid params, -32602) or the devnet could not do it ([`DEVNET_FAILED`]); the message is the error's.
pub fn fault_error_object(error: &FaultError) -> ErrorObjectOwned {
    let code = match error {
        FaultError::UnknownChain(_) | FaultError::Depth { .. } | FaultError::Refused(_) => INVALID_PARAMS,
        FaultError::Chain { .. } | FaultError::ShuttingDown => DEVNET_FAILED,
    };
    ErrorObjectOwned::owned(code, error.to_string(), None::<()>)
}

/// The `devnet_*` methods over `control`, to merge into the control port's server.
pub fn control_module(control: Arc<dyn DevnetControl>) -> RpcModule<()> {
    let mut module = RpcModule::new(());
    // Every name is registered once in a fresh module: registration cannot clash, but a failure is still
    // reported rather than assumed away.
    if let Err(e) = register(&mut module, control) {
        warn!(error = %e, "devnet control methods not registered");
    }
    module
}

fn register(module: &mut RpcModule<()>, control: Arc<dyn DevnetControl>) -> Result<(), RegisterMethodError> {
    let c = control.clone();
    module.register_async_method("devnet_haltBatcher", move |params, _, _| {
        let control = c.clone();
        async move {
            let chain_id = one_number(&params, "chain ID")?;
            info!(chain_id, "devnet_haltBatcher");
            call("devnet_haltBatcher", control, move |c| c.halt_batcher(chain_id)).await
        }
    })?;
    let c = control.clone();
    module.register_async_method("devnet_resumeBatcher", move |params, _, _| {
        let control = c.clone();
        async move {
            let chain_id = one_number(&params, "chain ID")?;
            info!(chain_id, "devnet_resumeBatcher");
            call("devnet_resumeBatcher", control, move |c| c.resume_batcher(chain_id)).await
        }
    })?;
    let c = control.clone();
    module.register_async_method("devnet_injectInvalidMessage", move |params, _, _| {
        let control = c.clone();
        async move {
            let chain_id = one_number(&params, "chain ID")?;
            info!(chain_id, "devnet_injectInvalidMessage");
            call("devnet_injectInvalidMessage", control, move |c| c.inject_invalid_message(chain_id)).await
        }
    })?;
    let c = control.clone();
    module.register_async_method("devnet_reorgL1", move |params, _, _| {
        let control = c.clone();
        async move {
            let depth = one_number(&params, "depth")?;
            info!(depth, "devnet_reorgL1");
            call("devnet_reorgL1", control, move |c| c.reorg_l1(depth)).await
        }
    })?;
    let c = control.clone();
    module.register_async_method("devnet_reorgL2", move |params, _, _| {
        let control = c.clone();
        async move {
            let (chain_id, depth) = two_numbers(&params, "chain ID", "depth")?;
            info!(chain_id, depth, "devnet_reorgL2");
            call("devnet_reorgL2", control, move |c| c.reorg_l2(chain_id, depth)).await
        }
    })?;
    module.register_async_method("devnet_status", move |_, _, _| {
        let control = control.clone();
        async move {
            info!("devnet_status");
            call("devnet_status", control, |c| Ok(c.status())).await
        }
    })?;
    Ok(())
}

/// Runs one call of the devnet's control on the blocking pool (faults build blocks) and maps its outcome.
async fn call<T, F>(
    method: &'static str,
    control: Arc<dyn DevnetControl>,
    f: F,
) -> Result<T, ErrorObjectOwned>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&dyn DevnetControl) -> Result<T, FaultError> + Send + 'static,
{
    match tokio::task::spawn_blocking(move || f(control.as_ref())).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => {
            info!(method, error = %e, "devnet control call refused");
            Err(fault_error_object(&e))
        }
        Err(e) => {
            warn!(method, error = %e, "devnet control call ended abnormally");
            Err(ErrorObjectOwned::owned(
                INTERNAL_ERROR,
                format!("{method} did not complete inside the devnet: {e}"),
                None::<()>,
            ))
        }
    }
}

fn invalid_params(message: String) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(INVALID_PARAMS, message, None::<()>)
}

/// Reads a `u64` written as `0x` hex or in decimal digits.
pub fn parse_u64(text: &str) -> Option<u64> {
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() => u64::from_str_radix(hex, 16).ok(),
        Some(_) => None,
        None if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
        None => None,
    }
}

/// Reads a `u64` given as a JSON number, a `0x` hex string or a decimal string.
pub fn number_param(value: &Value, what: &str) -> Result<u64, ErrorObjectOwned> {
    let parsed = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => parse_u64(s),
        _ => None,
    };
    parsed.ok_or_else(|| {
        invalid_params(format!(
            "invalid {what} {value}: expected an unsigned 64-bit number (JSON number, 0x hex or decimal string)"
        ))
    })
}

fn one_number(params: &Params<'_>, what: &str) -> Result<u64, ErrorObjectOwned> {
    let (value,): (Value,) = params.parse()?;
    number_param(&value, what)
}

fn two_numbers(params: &Params<'_>, first: &str, second: &str) -> Result<(u64, u64), ErrorObjectOwned> {
    let (a, b): (Value, Value) = params.parse()?;
    Ok((number_param(&a, first)?, number_param(&b, second)?))
}

#[cfg(test)]
mod tests {
    //! The wire layer, checked over HTTP: a stand-in for the devnet (it records what it was asked and answers
    //! fixed values, or the error it is told to) is served with `serve_with_extra` next to a real verifier's
    //! methods, on a free port.

    use std::{collections::BTreeMap, net::SocketAddr, sync::Mutex};

    use alloy_primitives::{B256, U256};
    use jsonrpsee::{
        core::{ClientError, client::ClientT, params::ArrayParams},
        http_client::{HttpClient, HttpClientBuilder},
        rpc_params,
        server::ServerHandle,
    };
    use serde_json::json;
    use superlink_protocol::DependencySet;
    use superlink_verifier::{BlockId, RpcChainSource, Verifier, serve_with_extra};

    use super::*;
    use crate::faults::{
        BatcherReport, ChainStatus, DerivedHead, DevnetStatus, InjectedMessage, L1Reorg, L1Status, L2Reorg,
    };

    const CHAINS: [u64; 2] = [901, 902];

    fn block(number: u64) -> BlockId {
        BlockId::new(number, B256::with_last_byte(number as u8))
    }

    /// What the stand-in does on its next call.
    enum Next {
        Answer,
        Fail(FaultError),
        Panic,
    }

    /// Stands in for the running devnet: records each call as `name(args)` and answers fixed values.
    struct FakeDevnet {
        calls: Mutex<Vec<String>>,
        next: Mutex<Next>,
    }

    impl FakeDevnet {
        fn new() -> Arc<Self> {
            Arc::new(Self { calls: Mutex::new(Vec::new()), next: Mutex::new(Next::Answer) })
        }

        fn fail_next(&self, next: Next) {
            *self.next.lock().unwrap() = next;
        }

        fn calls(&self) -> Vec<String> {
            self.calls.lock().unwrap().clone()
        }

        fn enter(&self, call: String, chain: Option<u64>) -> Result<(), FaultError> {
            self.calls.lock().unwrap().push(call);
            let next = std::mem::replace(&mut *self.next.lock().unwrap(), Next::Answer);
            match next {
                Next::Fail(e) => return Err(e),
                Next::Panic => panic!("the stand-in devnet was told to fail abnormally"),
                Next::Answer => {}
            }
            match chain {
                Some(id) if !CHAINS.contains(&id) => Err(FaultError::UnknownChain(id)),
                _ => Ok(()),
            }
        }

        fn report(halted: bool) -> BatcherReport {
            BatcherReport { halted, posted: Some(40), last_inclusion: Some(19), transactions: 7 }
        }
    }

    impl DevnetControl for FakeDevnet {
        fn halt_batcher(&self, chain_id: u64) -> Result<BatcherReport, FaultError> {
            self.enter(format!("halt_batcher({chain_id})"), Some(chain_id))?;
            Ok(Self::report(true))
        }

        fn resume_batcher(&self, chain_id: u64) -> Result<BatcherReport, FaultError> {
            self.enter(format!("resume_batcher({chain_id})"), Some(chain_id))?;
            Ok(Self::report(false))
        }

        fn inject_invalid_message(&self, chain_id: u64) -> Result<InjectedMessage, FaultError> {
            self.enter(format!("inject_invalid_message({chain_id})"), Some(chain_id))?;
            Ok(InjectedMessage {
                chain_id,
                block_number: 57,
                block_hash: B256::repeat_byte(0xab),
                transaction_hash: B256::repeat_byte(0xcd),
            })
        }

        fn reorg_l1(&self, depth: u64) -> Result<L1Reorg, FaultError> {
            self.enter(format!("reorg_l1({depth})"), None)?;
            Ok(L1Reorg { fork: block(20 - depth), old_head: block(20), new_head: block(20) })
        }

        fn reorg_l2(&self, chain_id: u64, depth: u64) -> Result<L2Reorg, FaultError> {
            self.enter(format!("reorg_l2({chain_id}, {depth})"), Some(chain_id))?;
            Ok(L2Reorg {
                chain_id,
                fork: block(50 - depth),
                replaced: (51 - depth..=50).map(block).collect(),
                replacements: (51 - depth..=50).map(|n| BlockId::new(n, B256::repeat_byte(0xee))).collect(),
            })
        }

        fn status(&self) -> DevnetStatus {
            let _ = self.enter("status()".into(), None);
            let derived =
                |n: u64, l1: Option<u64>| DerivedHead { derived: block(n), derived_from: l1.map(block) };
            DevnetStatus {
                l1: L1Status { head: block(20), safe: block(18), finalized: block(18) },
                chains: vec![ChainStatus {
                    chain_id: 901,
                    unsafe_head: block(50),
                    cross_unsafe: block(49),
                    local_safe: derived(40, Some(19)),
                    cross_safe: derived(40, Some(19)),
                    finalized: derived(0, None),
                    batcher: Self::report(false),
                }],
                shared_batcher: false,
                batch_interval: 1,
                sequencing_window: 12,
                l1_finality_depth: 2,
            }
        }
    }

    /// The control methods of `fake`, served with a verifier of chains 901 and 902 on a free port.
    struct Served {
        _dir: tempfile::TempDir,
        handle: ServerHandle,
        client: HttpClient,
    }

    impl Served {
        async fn start(fake: Arc<FakeDevnet>) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let deps = DependencySet::new(CHAINS.map(U256::from)).unwrap();
            let verifier = Verifier::open(deps, dir.path(), &BTreeMap::new()).unwrap();
            let sources = BTreeMap::<u64, Arc<RpcChainSource>>::new();
            let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
            let module = control_module(fake);
            let (handle, bound) =
                serve_with_extra(verifier, sources, addr, None, Some(module)).await.unwrap();
            let client = HttpClientBuilder::default().build(format!("http://{bound}")).unwrap();
            Self { _dir: dir, handle, client }
        }

        async fn call(&self, method: &str, params: ArrayParams) -> Result<Value, ClientError> {
            self.client.request(method, params).await
        }

        /// The code and message of the error `method` answers.
        async fn error(&self, method: &str, params: ArrayParams) -> (i32, String) {
            match self.call(method, params).await {
                Err(ClientError::Call(e)) => (e.code(), e.message().to_string()),
                other => panic!("{method} should answer a JSON-RPC error, got {other:?}"),
            }
        }
    }

    impl Drop for Served {
        fn drop(&mut self) {
            let _ = self.handle.stop();
        }
    }

    #[tokio::test]
    async fn every_method_answers_the_devnets_result_in_camel_case_json() {
        let fake = FakeDevnet::new();
        let served = Served::start(fake.clone()).await;

        let halted = served.call("devnet_haltBatcher", rpc_params![901]).await.unwrap();
        assert_eq!(halted, json!({"halted": true, "posted": 40, "lastInclusion": 19, "transactions": 7}));
        let resumed = served.call("devnet_resumeBatcher", rpc_params![902]).await.unwrap();
        assert_eq!(resumed["halted"], json!(false));

        let injected = served.call("devnet_injectInvalidMessage", rpc_params![901]).await.unwrap();
        assert_eq!(
            injected,
            json!({
                "chainId": 901,
                "blockNumber": 57,
                "blockHash": B256::repeat_byte(0xab),
                "transactionHash": B256::repeat_byte(0xcd),
            })
        );

        let l1 = served.call("devnet_reorgL1", rpc_params![3]).await.unwrap();
        assert_eq!(l1["fork"], json!({"number": 17, "hash": B256::with_last_byte(17)}));
        assert_eq!(l1["oldHead"]["number"], json!(20));
        assert_eq!(l1["newHead"]["number"], json!(20));

        let l2 = served.call("devnet_reorgL2", rpc_params![902, 2]).await.unwrap();
        assert_eq!(l2["chainId"], json!(902));
        assert_eq!(l2["fork"]["number"], json!(48));
        assert_eq!(l2["replaced"].as_array().unwrap().len(), 2);
        assert_eq!(l2["replacements"][1], json!({"number": 50, "hash": B256::repeat_byte(0xee)}));

        let status = served.call("devnet_status", rpc_params![]).await.unwrap();
        assert_eq!(status["l1"]["safe"]["number"], json!(18));
        assert_eq!(status["sharedBatcher"], json!(false));
        assert_eq!(status["l1FinalityDepth"], json!(2));
        let chain = &status["chains"][0];
        assert_eq!(chain["chainId"], json!(901));
        assert_eq!(chain["unsafeHead"]["number"], json!(50));
        assert_eq!(chain["crossUnsafe"]["number"], json!(49));
        assert_eq!(chain["localSafe"]["derivedFrom"]["number"], json!(19));
        assert_eq!(chain["crossSafe"]["derived"]["number"], json!(40));
        // A head derived from no L1 block yet has no `derivedFrom` key at all.
        assert_eq!(chain["finalized"], json!({"derived": {"number": 0, "hash": B256::ZERO}}));
        assert_eq!(chain["batcher"]["lastInclusion"], json!(19));

        assert_eq!(
            fake.calls(),
            [
                "halt_batcher(901)",
                "resume_batcher(902)",
                "inject_invalid_message(901)",
                "reorg_l1(3)",
                "reorg_l2(902, 2)",
                "status()"
            ]
        );
    }

    #[tokio::test]
    async fn the_verifiers_methods_are_served_on_the_same_port() {
        let served = Served::start(FakeDevnet::new()).await;
        let failsafe = served.call("admin_getFailsafeEnabled", rpc_params![]).await.unwrap();
        assert_eq!(failsafe, json!(false));
        let deps = served.call("supervisor_dependencySetV1", rpc_params![]).await.unwrap();
        assert!(deps["dependencies"].get("901").is_some(), "dependency set: {deps}");
    }

    #[tokio::test]
    async fn numbers_are_taken_as_json_numbers_hex_strings_and_decimal_strings() {
        let fake = FakeDevnet::new();
        let served = Served::start(fake.clone()).await;
        served.call("devnet_haltBatcher", rpc_params!["0x385"]).await.unwrap();
        served.call("devnet_haltBatcher", rpc_params!["902"]).await.unwrap();
        served.call("devnet_reorgL1", rpc_params!["0xA"]).await.unwrap();
        served.call("devnet_reorgL2", rpc_params!["0x386", "4"]).await.unwrap();
        assert_eq!(
            fake.calls(),
            ["halt_batcher(901)", "halt_batcher(902)", "reorg_l1(10)", "reorg_l2(902, 4)"]
        );
    }

    #[tokio::test]
    async fn malformed_numbers_and_missing_params_are_invalid_params_and_reach_no_fault() {
        let fake = FakeDevnet::new();
        let served = Served::start(fake.clone()).await;
        for bad in [
            json!("abc"),
            json!("0x"),
            json!(""),
            json!(-1),
            json!(1.5),
            json!(null),
            json!("0x1ffffffffffffffff"),
        ] {
            let (code, message) = served.error("devnet_haltBatcher", rpc_params![bad.clone()]).await;
            assert_eq!(code, INVALID_PARAMS, "{bad}");
            assert!(message.contains("invalid chain ID"), "{bad}: {message}");
        }
        let (code, message) = served.error("devnet_reorgL2", rpc_params![901, "deep"]).await;
        assert_eq!(code, INVALID_PARAMS);
        assert!(message.contains("invalid depth \"deep\""), "{message}");
        assert_eq!(served.error("devnet_reorgL1", rpc_params![]).await.0, INVALID_PARAMS);
        assert_eq!(served.error("devnet_reorgL2", rpc_params![901]).await.0, INVALID_PARAMS);
        assert_eq!(
            served.error("devnet_injectInvalidMessage", rpc_params![901, 902]).await.0,
            INVALID_PARAMS
        );
        assert!(fake.calls().is_empty(), "no fault may be injected on malformed params: {:?}", fake.calls());
    }

    #[tokio::test]
    async fn refusals_are_invalid_params_and_failures_server_errors_with_the_devnets_message() {
        let fake = FakeDevnet::new();
        let served = Served::start(fake.clone()).await;

        let (code, message) = served.error("devnet_haltBatcher", rpc_params![999]).await;
        assert_eq!((code, message.as_str()), (INVALID_PARAMS, "the devnet runs no L2 with chain ID 999"));

        fake.fail_next(Next::Fail(FaultError::Depth { depth: 99, reason: "the L1 has 20 blocks".into() }));
        let (code, message) = served.error("devnet_reorgL1", rpc_params![99]).await;
        assert_eq!(
            (code, message.as_str()),
            (INVALID_PARAMS, "reorg depth 99 is out of range: the L1 has 20 blocks")
        );

        fake.fail_next(Next::Fail(FaultError::Refused("no other chain to forge a message from".into())));
        let (code, message) = served.error("devnet_injectInvalidMessage", rpc_params![901]).await;
        assert_eq!((code, message.as_str()), (INVALID_PARAMS, "no other chain to forge a message from"));

        fake.fail_next(Next::Fail(FaultError::Chain { chain_id: 902, reason: "block refused".into() }));
        let (code, message) = served.error("devnet_reorgL2", rpc_params![902, 1]).await;
        assert_eq!((code, message.as_str()), (DEVNET_FAILED, "chain 902: block refused"));

        fake.fail_next(Next::Fail(FaultError::ShuttingDown));
        let (code, message) = served.error("devnet_resumeBatcher", rpc_params![901]).await;
        assert_eq!((code, message.as_str()), (DEVNET_FAILED, "the devnet is shutting down"));
    }

    #[tokio::test]
    async fn a_call_that_ends_abnormally_is_an_internal_error_and_the_port_keeps_serving() {
        let fake = FakeDevnet::new();
        let served = Served::start(fake.clone()).await;
        fake.fail_next(Next::Panic);
        let (code, message) = served.error("devnet_haltBatcher", rpc_params![901]).await;
        assert_eq!(code, INTERNAL_ERROR);
        assert!(message.contains("devnet_haltBatcher did not complete"), "{message}");
        let halted = served.call("devnet_haltBatcher", rpc_params![901]).await.unwrap();
        assert_eq!(halted["halted"], json!(true));
    }

    #[test]
    fn the_module_serves_exactly_the_documented_methods() {
        let module = control_module(FakeDevnet::new());
        let mut names: Vec<&str> = module.method_names().collect();
        names.sort_unstable();
        let mut expected = METHODS.to_vec();
        expected.sort_unstable();
        assert_eq!(names, expected);
    }
}
