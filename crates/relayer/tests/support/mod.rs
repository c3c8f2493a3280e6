//! Two interop chains on anvil for black-box tests: chain 901 and chain 902, each with the predeploys and the
//! example apps of `superlink_contracts::predeploy_allocs` placed by `anvil_setCode`/`anvil_setBalance`/
//! `anvil_setStorageAt`, so every contract sits at the same address on both.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use alloy_primitives::{Address, U256};
use superlink_testkit::{Anvil, Cast};

/// anvil's dev accounts (private key, address), derived from its default mnemonic.
pub const DEV_KEYS: [&str; 4] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];

/// One anvil chain with the interop contracts.
pub struct Chain {
    /// The node.
    pub anvil: Anvil,
    /// Its chain ID.
    pub id: u64,
    cast: Cast,
}

impl Chain {
    /// Starts anvil with chain ID `id` and places the predeploys and example apps.
    pub fn start(id: u64) -> Self {
        let chain = Chain {
            anvil: Anvil::spawn(id, &[]).expect("anvil starts"),
            id,
            cast: Cast::new().expect("cast"),
        };
        for (address, account) in superlink_contracts::predeploy_allocs(id) {
            let a = address.to_string();
            if let Some(code) = &account.code {
                chain.rpc(&["anvil_setCode", &a, &code.to_string()]);
            }
            if account.balance != U256::ZERO {
                chain.rpc(&["anvil_setBalance", &a, &format!("{:#x}", account.balance)]);
            }
            for (slot, value) in account.storage.iter().flatten() {
                chain.rpc(&["anvil_setStorageAt", &a, &slot.to_string(), &value.to_string()]);
            }
        }
        chain
    }

    /// Places the runtime code of `contract` at `address` (the same on every chain that does this).
    pub fn place(&self, address: Address, contract: superlink_contracts::Contract) {
        self.rpc(&["anvil_setCode", &address.to_string(), &contract.deployed_bytecode().to_string()]);
    }

    /// The node's URL.
    pub fn url(&self) -> String {
        self.anvil.url()
    }

    fn rpc(&self, args: &[&str]) -> String {
        let url = self.url();
        let mut all = vec!["rpc"];
        all.extend_from_slice(args);
        all.extend(["--rpc-url", &url]);
        self.cast.run(all).unwrap_or_else(|e| panic!("cast rpc {args:?}: {e}"))
    }

    /// `cast <args> --rpc-url <this chain>`.
    pub fn cast(&self, args: &[&str]) -> Result<String, String> {
        let url = self.url();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--rpc-url", &url]);
        self.cast.run(all)
    }

    /// `cast send` from dev account `key`; the receipt as JSON, which must have succeeded.
    pub fn send(&self, key: &str, to: Address, signature: &str, args: &[&str]) -> serde_json::Value {
        let to = to.to_string();
        let mut all = vec!["send", "--private-key", key, "--json", &to];
        if !signature.is_empty() {
            all.push(signature);
        }
        all.extend_from_slice(args);
        let out = self.cast(&all).unwrap_or_else(|e| panic!("cast send {signature}: {e}"));
        let receipt: serde_json::Value = serde_json::from_str(&out).expect("receipt JSON");
        assert_eq!(receipt["status"], "0x1", "cast send {signature} failed: {receipt}");
        receipt
    }

    /// `cast call` returning the decoded first output.
    pub fn call(&self, to: Address, signature: &str, args: &[&str]) -> String {
        let to = to.to_string();
        let mut all = vec!["call", &to, signature];
        all.extend_from_slice(args);
        let out = self.cast(&all).unwrap_or_else(|e| panic!("cast call {signature}: {e}"));
        // cast prints `123 [1.23e2]` for big numbers: keep the exact figure.
        out.split_whitespace().next().unwrap_or_default().to_string()
    }

    /// A uint256 view result.
    pub fn uint(&self, to: Address, signature: &str, args: &[&str]) -> U256 {
        self.call(to, signature, args).parse().expect("a number")
    }

    /// The balance of `who` in wei.
    pub fn balance(&self, who: Address) -> U256 {
        let who = who.to_string();
        self.cast(&["balance", &who]).expect("balance").parse().expect("a number")
    }

    /// Number of logs `address` emitted with `event` over the whole chain.
    pub fn count_logs(&self, address: Address, event: &str) -> usize {
        let a = address.to_string();
        let out =
            self.cast(&["logs", "--json", "--from-block", "0", "--address", &a, event]).expect("cast logs");
        serde_json::from_str::<Vec<serde_json::Value>>(&out).expect("logs JSON").len()
    }
}

/// Chains 901 and 902.
pub fn two_chains() -> (Chain, Chain) {
    (Chain::start(901), Chain::start(902))
}

/// The address of a dev key.
pub fn address_of(key: &str) -> Address {
    superlink_relayer::Wallet::from_private_key(key).expect("dev key").address()
}
