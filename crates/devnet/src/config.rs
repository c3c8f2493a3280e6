//! What a devnet runs: how many L2 chains, their ports and block times, the dependency set, the autorelayer.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use alloy_primitives::U256;
use superlink_protocol::DependencySet;

use crate::{accounts::DEV_MNEMONIC, error::DevnetError};

/// The L1's chain ID.
pub const L1_CHAIN_ID: u64 = 900;
/// The first L2's chain ID; the next ones count up from it.
pub const FIRST_L2_CHAIN_ID: u64 = 901;
/// How many development accounts are funded on every chain.
pub const DEV_ACCOUNT_COUNT: u32 = 10;
/// The development account that pays for the autorelayer's relays (the last one, left to the relayer).
pub const RELAYER_ACCOUNT_INDEX: u32 = DEV_ACCOUNT_COUNT - 1;

/// The configuration of a devnet. `Default` gives the standard layout: L1 900 on 8545, L2s 901 and 902 on
/// 9545 and 9546, the verifier on 8420, blocks every 12 s on L1 and 2 s on L2, autorelay on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevnetConfig {
    /// How many interop L2 chains (chain IDs 901, 902, ...).
    pub l2_count: u32,
    /// The L1's JSON-RPC port (0: any free port).
    pub l1_port: u16,
    /// The first L2's JSON-RPC port; the next L2s use the following ports (0: any free port for each).
    pub l2_starting_port: u16,
    /// The verifier's JSON-RPC port (0: any free port).
    pub verifier_port: u16,
    /// Seconds between L1 blocks.
    pub l1_block_time: u64,
    /// Seconds between L2 blocks (every L2 builds its block at the same timestamp).
    pub l2_block_time: u64,
    /// Whether to run the autorelayer.
    pub autorelay: bool,
    /// The L2 chains that form the interop dependency set (`None`: all of them).
    pub dependency_set: Option<Vec<u64>>,
    /// The address every server listens on.
    pub host: IpAddr,
    /// The mnemonic the development accounts derive from.
    pub mnemonic: String,
    /// The balance of each development account, in ether.
    pub balance_ether: u64,
}

impl Default for DevnetConfig {
    fn default() -> Self {
        Self {
            l2_count: 2,
            l1_port: 8545,
            l2_starting_port: 9545,
            verifier_port: 8420,
            l1_block_time: 12,
            l2_block_time: 2,
            autorelay: true,
            dependency_set: None,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            mnemonic: DEV_MNEMONIC.to_string(),
            balance_ether: 10_000,
        }
    }
}

impl DevnetConfig {
    /// The chain IDs of the L2s, ascending.
    pub fn l2_chain_ids(&self) -> Vec<u64> {
        (0..u64::from(self.l2_count)).map(|i| FIRST_L2_CHAIN_ID + i).collect()
    }

    /// Where L2 number `index` (0-based) listens.
    pub fn l2_addr(&self, index: u32) -> Result<SocketAddr, DevnetError> {
        let port = if self.l2_starting_port == 0 {
            0
        } else {
            u16::try_from(u32::from(self.l2_starting_port) + index).map_err(|_| {
                DevnetError::Config(format!(
                    "{} L2 chains starting at port {} run past port 65535",
                    self.l2_count, self.l2_starting_port
                ))
            })?
        };
        Ok(SocketAddr::new(self.host, port))
    }

    /// Where the L1 listens.
    pub fn l1_addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.l1_port)
    }

    /// Where the verifier listens.
    pub fn verifier_addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.verifier_port)
    }

    /// Checks the configuration and returns the dependency set it describes.
    pub fn validate(&self) -> Result<DependencySet, DevnetError> {
        if self.l2_count == 0 {
            return Err(DevnetError::Config("a devnet needs at least one L2 chain".into()));
        }
        if self.l1_block_time == 0 || self.l2_block_time == 0 {
            return Err(DevnetError::Config("block times must be at least 1 second".into()));
        }
        let l2s = self.l2_chain_ids();
        if let Some(last) = l2s.len().checked_sub(1) {
            self.l2_addr(u32::try_from(last).unwrap_or(u32::MAX))?;
        }
        let members = match &self.dependency_set {
            None => l2s.clone(),
            Some(members) => {
                if members.is_empty() {
                    return Err(DevnetError::Config("the dependency set is empty".into()));
                }
                if let Some(unknown) = members.iter().find(|id| !l2s.contains(id)) {
                    return Err(DevnetError::Config(format!(
                        "chain {unknown} of the dependency set is not one of the devnet's L2 chains {l2s:?}"
                    )));
                }
                members.clone()
            }
        };
        DependencySet::new(members.into_iter().map(U256::from))
            .map_err(|e| DevnetError::Config(format!("dependency set: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_layout_is_two_l2s_after_the_l1() {
        let config = DevnetConfig::default();
        assert_eq!(config.l2_chain_ids(), [901, 902]);
        assert_eq!(config.l2_addr(1).unwrap().port(), config.l2_starting_port + 1);
        let set = config.validate().unwrap();
        assert_eq!(set.chain_ids(), [U256::from(901), U256::from(902)]);
    }

    #[test]
    fn any_number_of_l2s_gets_consecutive_ids_and_ports() {
        let config = DevnetConfig { l2_count: 7, ..DevnetConfig::default() };
        let ids = config.l2_chain_ids();
        assert_eq!(ids.len(), 7);
        assert!(ids.windows(2).all(|w| w[1] == w[0] + 1));
        assert_eq!(config.validate().unwrap().len(), 7);
        assert_eq!(config.l2_addr(6).unwrap().port(), config.l2_starting_port + 6);
    }

    #[test]
    fn port_zero_stays_zero_for_every_l2() {
        let config = DevnetConfig { l2_starting_port: 0, l2_count: 3, ..DevnetConfig::default() };
        assert_eq!(config.l2_addr(2).unwrap().port(), 0);
    }

    #[test]
    fn bad_configurations_are_refused_with_a_reason() {
        let cases = [
            DevnetConfig { l2_count: 0, ..DevnetConfig::default() },
            DevnetConfig { l2_block_time: 0, ..DevnetConfig::default() },
            DevnetConfig { dependency_set: Some(vec![901, 999]), ..DevnetConfig::default() },
            DevnetConfig { dependency_set: Some(vec![]), ..DevnetConfig::default() },
            DevnetConfig { l2_starting_port: 65535, l2_count: 2, ..DevnetConfig::default() },
        ];
        for config in cases {
            let err = config.validate().unwrap_err();
            assert!(matches!(err, DevnetError::Config(_)), "{config:?}: {err}");
        }
    }

    #[test]
    fn a_partial_dependency_set_is_kept() {
        let config =
            DevnetConfig { l2_count: 3, dependency_set: Some(vec![901, 903]), ..DevnetConfig::default() };
        assert_eq!(config.validate().unwrap().chain_ids(), [U256::from(901), U256::from(903)]);
    }
}
