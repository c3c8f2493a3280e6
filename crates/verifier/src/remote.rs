//! A [`MessageChecker`] that asks a remote verifier (or op-interop-filter) over `interop_checkAccessList`.

use std::time::Duration;

use alloy_primitives::B256;
use jsonrpsee::{
    core::{ClientError, client::ClientT},
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
};
use superlink_protocol::SafetyLevel;

use crate::{
    access_check::{ExecutingDescriptor, ExecutingDescriptorJson, MessageChecker},
    error::CheckError,
};

/// Checks access lists with a remote verifier's `interop_checkAccessList`; the answer's error codes become
/// [`CheckError`]s again ([`CheckError::from_rpc`]).
#[derive(Debug, Clone)]
pub struct RemoteChecker {
    client: HttpClient,
}

impl RemoteChecker {
    /// A checker calling the verifier at `url` (HTTP).
    pub fn new(url: &str) -> Result<Self, CheckError> {
        let client = HttpClientBuilder::default()
            .request_timeout(Duration::from_secs(10))
            .build(url)
            .map_err(|e| CheckError::Remote { code: 0, message: e.to_string() })?;
        Ok(Self { client })
    }
}

impl MessageChecker for RemoteChecker {
    async fn check_access_list(
        &self,
        entries: &[B256],
        min_safety: SafetyLevel,
        descriptor: ExecutingDescriptor,
    ) -> Result<(), CheckError> {
        let params =
            rpc_params![entries.to_vec(), min_safety.as_str(), ExecutingDescriptorJson::from(descriptor)];
        let answer: Result<Option<()>, ClientError> =
            self.client.request("interop_checkAccessList", params).await;
        match answer {
            Ok(_) => Ok(()),
            Err(ClientError::Call(e)) => Err(CheckError::from_rpc(e.code(), e.message().to_string())),
            Err(e) => Err(CheckError::Remote { code: 0, message: e.to_string() }),
        }
    }
}
