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
/// [`CheckError`]s again ([`CheckError::from_rpc`]). A call that gets no answer (the verifier cannot be
/// reached, or takes longer than the timeout) fails with [`CheckError::Remote`] and code 0, naming the URL.
#[derive(Debug, Clone)]
pub struct RemoteChecker {
    client: HttpClient,
    url: String,
    timeout: Duration,
}

impl RemoteChecker {
    /// How long a call waits for its answer by default.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// A checker calling the verifier at `url` (HTTP), waiting up to [`RemoteChecker::DEFAULT_TIMEOUT`].
    pub fn new(url: &str) -> Result<Self, CheckError> {
        Self::with_timeout(url, Self::DEFAULT_TIMEOUT)
    }

    /// A checker calling the verifier at `url` (HTTP), waiting up to `timeout` for each answer.
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<Self, CheckError> {
        let client = HttpClientBuilder::default()
            .request_timeout(timeout)
            .build(url)
            .map_err(|e| CheckError::Remote { code: 0, message: format!("{url}: {e}") })?;
        Ok(Self { client, url: url.to_string(), timeout })
    }

    /// The verifier's URL.
    pub fn url(&self) -> &str {
        &self.url
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
            Err(ClientError::RequestTimeout) => Err(CheckError::Remote {
                code: 0,
                message: format!("{}: no answer within {:?}", self.url, self.timeout),
            }),
            Err(e) => Err(CheckError::Remote { code: 0, message: format!("{}: {e}", self.url) }),
        }
    }
}
