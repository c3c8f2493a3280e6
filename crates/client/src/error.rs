//! Why a request to a node failed.

use alloy_primitives::Bytes;

/// A failed JSON-RPC request; every variant names the node's endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// The endpoint given is not a usable JSON-RPC URL.
    #[error("`{endpoint}` is not a usable JSON-RPC URL: {reason}")]
    BadEndpoint {
        /// The text given.
        endpoint: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The node could not be reached, or did not answer in time.
    #[error("{endpoint} is not reachable ({method}): {reason}")]
    Unreachable {
        /// Where the node was expected.
        endpoint: String,
        /// The method called.
        method: &'static str,
        /// What the transport reported.
        reason: String,
    },
    /// The node answered with a JSON-RPC error object.
    #[error("{method} failed on {endpoint}: {message} (code {code})")]
    Rpc {
        /// Where the node is.
        endpoint: String,
        /// The method called.
        method: &'static str,
        /// The JSON-RPC error code.
        code: i64,
        /// The error message.
        message: String,
        /// The error's `data`, when it is a hex byte string (revert data).
        data: Option<Bytes>,
    },
    /// The node's answer did not have the expected shape.
    #[error("unexpected answer to {method} from {endpoint}: {reason}")]
    Decode {
        /// Where the node is.
        endpoint: String,
        /// The method called.
        method: &'static str,
        /// What was wrong with it.
        reason: String,
    },
}

impl ClientError {
    /// The method whose request failed (`None` for an unusable endpoint).
    pub fn method(&self) -> Option<&'static str> {
        match self {
            ClientError::BadEndpoint { .. } => None,
            ClientError::Unreachable { method, .. }
            | ClientError::Rpc { method, .. }
            | ClientError::Decode { method, .. } => Some(method),
        }
    }

    /// Whether the node reported that the call reverted (JSON-RPC code 3, or a message that says so).
    pub fn is_revert(&self) -> bool {
        match self {
            ClientError::Rpc { code, message, .. } => {
                *code == 3 || message.to_ascii_lowercase().contains("revert")
            }
            _ => false,
        }
    }
}
