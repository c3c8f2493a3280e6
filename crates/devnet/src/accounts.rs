//! The development accounts: anvil's well-known mnemonic, so existing scripts, wallets and tutorials work.

use alloy_primitives::{Address, B256, U256, hex, keccak256};
use alloy_signer_local::{MnemonicBuilder, PrivateKeySigner};

/// The mnemonic anvil and hardhat derive their development accounts from.
pub const DEV_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// One ether in wei.
const ETHER: u128 = 1_000_000_000_000_000_000;

/// A development account could not be derived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("deriving account {index} from the mnemonic: {reason}")]
pub struct AccountError {
    /// The derivation index that failed.
    pub index: u32,
    /// Why.
    pub reason: String,
}

/// The first `count` accounts of `mnemonic` on the path `m/44'/60'/0'/0/{index}`.
pub fn derive(mnemonic: &str, count: u32) -> Result<Vec<PrivateKeySigner>, AccountError> {
    (0..count)
        .map(|index| {
            MnemonicBuilder::from_phrase(mnemonic)
                .index(index)
                .and_then(|builder| builder.build())
                .map_err(|e| AccountError { index, reason: e.to_string() })
        })
        .collect()
}

/// The batcher account of L2 `chain_id`: a key derived from the chain ID, so every L2 has its own batcher (named
/// in its L1 attributes, `batcherHash`, from genesis on) and a restarted devnet has the same ones.
pub fn batcher(chain_id: u64) -> PrivateKeySigner {
    derived_key(b"superlink devnet batcher", chain_id)
}

/// The batcher that posts every L2's batches in one transaction (meta-batches) when the devnet runs with a shared
/// batcher.
pub fn shared_batcher() -> PrivateKeySigner {
    derived_key(b"superlink devnet shared batcher", 0)
}

/// The account the devnet's sequencers sign forged executing messages with (`devnet_injectInvalidMessage`):
/// funded on every L2, used by nothing else, so a fault never takes a nonce a user counts on.
pub fn fault_injector() -> PrivateKeySigner {
    derived_key(b"superlink devnet fault injector", 0)
}

/// The account the devnet's proposer posts output roots to the L1's `DisputeGameFactory`s from: funded on the L1,
/// the only account the factories accept proposals of, used by nothing else.
pub fn proposer() -> PrivateKeySigner {
    derived_key(b"superlink devnet proposer", 0)
}

/// A key derived from `label` and `index`, the same on every run.
fn derived_key(label: &[u8], index: u64) -> PrivateKeySigner {
    let seed = keccak256([label, &index.to_be_bytes()].concat());
    // A keccak output is a valid secp256k1 key with overwhelming probability; step on in the rare case it is not.
    (0u8..=u8::MAX)
        .find_map(|tweak| PrivateKeySigner::from_bytes(&keccak256([seed.as_slice(), &[tweak]].concat())).ok())
        .unwrap_or_else(PrivateKeySigner::random)
}

/// The L1 address L2 `chain_id`'s batcher sends its batches to: `0xff`, zeros, then the chain ID in the last
/// eight bytes (an address no key controls, as the OP Stack's batch inboxes are).
pub fn batch_inbox(chain_id: u64) -> Address {
    let mut bytes = [0u8; 20];
    bytes[0] = 0xff;
    bytes[12..].copy_from_slice(&chain_id.to_be_bytes());
    Address::from(bytes)
}

/// The batch inbox of the shared batcher: [`batch_inbox`] of chain ID 0.
pub fn shared_batch_inbox() -> Address {
    batch_inbox(0)
}

/// The versioned hash of a batcher address that the `L1Block` predeploy records (version 0: the address,
/// right-aligned in 32 bytes).
pub fn batcher_hash(batcher: Address) -> B256 {
    B256::left_padding_from(batcher.as_slice())
}

/// `ether` whole ether in wei.
pub fn ether(ether: u64) -> U256 {
    U256::from(ether) * U256::from(ETHER)
}

/// The `0x`-prefixed hex private key of `signer`.
pub fn private_key_hex(signer: &PrivateKeySigner) -> String {
    format!("0x{}", hex::encode(signer.to_bytes()))
}

/// The lines of the start-up banner that list the accounts and their keys.
pub fn banner(signers: &[PrivateKeySigner], balance_ether: u64) -> String {
    let mut text = String::from("Available accounts\n==================\n");
    for (i, signer) in signers.iter().enumerate() {
        text.push_str(&format!("({i}) {} ({balance_ether} ETH)\n", signer.address()));
    }
    text.push_str("\nPrivate keys\n==================\n");
    for (i, signer) in signers.iter().enumerate() {
        text.push_str(&format!("({i}) {}\n", private_key_hex(signer)));
    }
    text
}

/// The addresses of `signers`.
pub fn addresses(signers: &[PrivateKeySigner]) -> Vec<Address> {
    signers.iter().map(|s| s.address()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_account_is_anvils() {
        let signers = derive(DEV_MNEMONIC, 2).unwrap();
        let expected: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266".parse().unwrap();
        assert_eq!(signers[0].address(), expected);
        assert_ne!(signers[0].address(), signers[1].address());
    }

    #[test]
    fn a_bad_mnemonic_is_an_error() {
        let err = derive("not a mnemonic", 1).unwrap_err();
        assert_eq!(err.index, 0);
    }

    #[test]
    fn the_banner_lists_every_address_and_key() {
        let signers = derive(DEV_MNEMONIC, 3).unwrap();
        let text = banner(&signers, 7);
        for signer in &signers {
            assert!(text.contains(&signer.address().to_string()));
            assert!(text.contains(&private_key_hex(signer)));
        }
        assert!(text.contains("(7 ETH)"));
    }
}
