//! Errors of the `superlink` command and the exit status each maps to.

/// Everything that can make a `superlink` command fail.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input is well-formed for the parser but not acceptable (exit status 2, like a usage error).
    #[error("{0}")]
    BadInput(String),
    /// A service the command asks could not be reached or cannot answer yet: nothing was judged (exit status
    /// 2, so a script can tell it from a negative answer).
    #[error("{0}")]
    Unavailable(String),
    /// A long-running service stopped with an error.
    #[error("{0}")]
    Service(String),
    /// Writing the output failed.
    #[error("writing output: {0}")]
    Output(#[from] std::io::Error),
    /// Serializing JSON output failed.
    #[error("encoding JSON output: {0}")]
    Json(#[from] serde_json::Error),
}

impl CliError {
    /// The process exit status for this error: 2 for bad input (as clap uses for usage errors), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::BadInput(_) | CliError::Unavailable(_) => 2,
            CliError::Service(_) | CliError::Output(_) | CliError::Json(_) => 1,
        }
    }
}
