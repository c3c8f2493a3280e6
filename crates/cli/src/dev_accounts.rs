//! The development accounts, from `superlink-devnet`'s accounts module, with derivation errors as bad input.

use alloy_signer_local::PrivateKeySigner;
pub use superlink_devnet::accounts::{DEV_MNEMONIC, addresses, banner, ether};

use crate::error::CliError;

/// The first `count` accounts of `mnemonic`; a mnemonic that does not derive is bad input.
pub fn derive(mnemonic: &str, count: u32) -> Result<Vec<PrivateKeySigner>, CliError> {
    superlink_devnet::accounts::derive(mnemonic, count).map_err(|e| CliError::BadInput(e.to_string()))
}
