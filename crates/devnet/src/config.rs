//! What a devnet runs: how many L2 chains, their ports and block times, the dependency set, the autorelayer.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
};

use alloy_primitives::U256;
use superlink_contracts::BridgeConfig;
use superlink_protocol::DependencySet;

use crate::{accounts::DEV_MNEMONIC, error::DevnetError, fork::ForkConfig};

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
    /// The first L2's rollup-node RPC port (`optimism_*`); the next L2s use the following ports (0: any free port).
    pub rollup_starting_port: u16,
    /// L1 blocks between two batches of each L2 (at least 1).
    pub batch_interval: u64,
    /// One batcher posts every L2's channels in one L1 transaction (a meta-batch) instead of one batcher per L2.
    pub shared_batcher: bool,
    /// The sequencing window, in L1 blocks: an L2 block whose batch is not on the L1 within this many blocks of
    /// its L1 origin is replaced by a deposits-only block.
    pub sequencing_window: u64,
    /// How many blocks behind the L1 head L1 blocks are finalized.
    pub l1_finality_depth: u64,
    /// The directory the running command writes its log file to, if any. The devnet only reports it (supersim's
    /// `LogsDirectory` in `admin_getConfig`); logging belongs to the process.
    pub logs_directory: Option<PathBuf>,
    /// Fork mode: the chains that start from a remote chain's state (empty: none).
    pub fork: ForkConfig,
    /// Seconds a withdrawal proof must wait before the withdrawal can be finalized on the L1 (the portals'
    /// `proofMaturityDelaySeconds`).
    pub proof_maturity_delay: u64,
    /// Seconds after its proposal before an output root can be used to finalize a withdrawal (the portals'
    /// `disputeGameFinalityDelaySeconds`).
    pub dispute_game_finality_delay: u64,
    /// Seconds between two rounds of the proposer, each of which proposes the output root of every L2's safe
    /// head when it moved since the last proposal (0: no proposer).
    pub proposal_interval: u64,
    /// A state file to start from (`--load-state`): every chain as a devnet with the same settings saved it.
    pub load_state: Option<PathBuf>,
    /// Where to save every chain when the devnet shuts down (`--dump-state`).
    pub dump_state: Option<PathBuf>,
    /// A test-only fault: the L2 with this chain ID serves this block's header with a wrong `stateRoot` (every
    /// byte inverted) over JSON-RPC, while its hash, state and `eth_getProof` stay real and everything inside
    /// the devnet sees the true block. It exists to show that a challenger re-executing blocks
    /// (`superlink proof check --reexecute`) catches a node that lies about a state root.
    pub tampered_state_root: Option<(u64, u64)>,
}

/// The default sequencing window: 20 L1 blocks, four minutes at 12-second L1 blocks (OP Mainnet's is 3,600 blocks,
/// twelve hours), so a halted batcher's blocks are lost within a watchable time, and in 20 seconds with the
/// one-second L1 blocks of tests.
pub const DEFAULT_SEQUENCING_WINDOW: u64 = 20;

/// The default L1 finality depth: 5 blocks, a minute at 12-second L1 blocks (Ethereum takes about 64, two epochs,
/// some 13 minutes): finalized visibly trails safe, yet a user sees L2 blocks finalize while watching, and an L1
/// reorg of up to 5 blocks can be injected.
pub const DEFAULT_L1_FINALITY_DEPTH: u64 = 5;

/// The default proof maturity delay: 2 seconds (OP Mainnet's is 7 days), so a withdrawal proven in one L1 block
/// can be finalized in the next.
pub const DEFAULT_PROOF_MATURITY_DELAY: u64 = 2;

/// The default proposal interval: 2 seconds, so an L2 block's output root is on the L1 within an L1 block of the
/// block becoming safe (OP Mainnet's proposer proposes about every hour).
pub const DEFAULT_PROPOSAL_INTERVAL: u64 = 2;

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
            rollup_starting_port: 19545,
            batch_interval: 1,
            shared_batcher: false,
            sequencing_window: DEFAULT_SEQUENCING_WINDOW,
            l1_finality_depth: DEFAULT_L1_FINALITY_DEPTH,
            logs_directory: None,
            fork: ForkConfig::default(),
            proof_maturity_delay: DEFAULT_PROOF_MATURITY_DELAY,
            dispute_game_finality_delay: 0,
            proposal_interval: DEFAULT_PROPOSAL_INTERVAL,
            load_state: None,
            dump_state: None,
            tampered_state_root: None,
        }
    }
}

impl DevnetConfig {
    /// The chain IDs of the L2s, ascending: 901, 902, ... In fork mode the forked L2s keep their own chain
    /// IDs and count towards `l2_count`; the others take 901, 902, ... (skipping IDs already taken).
    pub fn l2_chain_ids(&self) -> Vec<u64> {
        let count = usize::try_from(self.l2_count).unwrap_or(usize::MAX).max(self.fork.l2s.len());
        let mut ids: Vec<u64> = self.fork.l2s.keys().copied().collect();
        let mut next = FIRST_L2_CHAIN_ID;
        while ids.len() < count {
            if !ids.contains(&next) {
                ids.push(next);
            }
            next += 1;
        }
        ids.sort_unstable();
        ids
    }

    /// The settings of every L2's L1 bridge contracts: the devnet's proposer
    /// ([`crate::accounts::proposer`]) and the configured delays.
    pub fn bridge_config(&self) -> BridgeConfig {
        BridgeConfig {
            proof_maturity_delay_seconds: self.proof_maturity_delay,
            dispute_game_finality_delay_seconds: self.dispute_game_finality_delay,
            ..BridgeConfig::new(crate::accounts::proposer().address())
        }
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

    /// Where L2 number `index` (0-based) serves its rollup-node RPC.
    pub fn rollup_addr(&self, index: u32) -> Result<SocketAddr, DevnetError> {
        let port = if self.rollup_starting_port == 0 {
            0
        } else {
            u16::try_from(u32::from(self.rollup_starting_port) + index).map_err(|_| {
                DevnetError::Config(format!(
                    "{} rollup-node ports starting at {} run past port 65535",
                    self.l2_count, self.rollup_starting_port
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
        if self.batch_interval == 0 {
            return Err(DevnetError::Config("the batch interval must be at least 1 L1 block".into()));
        }
        // A forked chain's state is partly the remote's, read on demand and never held whole: a state file could
        // not save it, and a saved devnet has no remote to start from.
        if !self.fork.is_empty() && (self.load_state.is_some() || self.dump_state.is_some()) {
            return Err(DevnetError::Config(
                "fork mode cannot load or save a state file (--load-state, --dump-state, --state): a forked \
                 chain's state is read from its remote as needed and is never held whole"
                    .into(),
            ));
        }
        // A batch is posted up to `batch_interval` L1 blocks after its blocks' origin and lands one block later:
        // a shorter window would lose every block.
        if self.sequencing_window <= self.batch_interval + 1 {
            return Err(DevnetError::Config(format!(
                "the sequencing window ({} L1 blocks) must be longer than the batch interval ({}) plus one, or \
                 every L2 block would expire before its batch lands",
                self.sequencing_window, self.batch_interval
            )));
        }
        let l2s = self.l2_chain_ids();
        if let Some(last) = l2s.len().checked_sub(1) {
            let last = u32::try_from(last).unwrap_or(u32::MAX);
            self.l2_addr(last)?;
            self.rollup_addr(last)?;
            let count = u32::try_from(l2s.len()).unwrap_or(u32::MAX);
            let overlaps = |a: u16, b: u16| {
                a != 0 && b != 0 && u32::from(a) < u32::from(b) + count && u32::from(b) < u32::from(a) + count
            };
            if overlaps(self.l2_starting_port, self.rollup_starting_port) {
                return Err(DevnetError::Config(format!(
                    "the L2 ports from {} and the rollup-node ports from {} overlap for {} L2 chains",
                    self.l2_starting_port, self.rollup_starting_port, count
                )));
            }
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
            DevnetConfig { batch_interval: 0, ..DevnetConfig::default() },
            DevnetConfig { batch_interval: 5, sequencing_window: 6, ..DevnetConfig::default() },
            DevnetConfig { rollup_starting_port: 9546, ..DevnetConfig::default() },
        ];
        for config in cases {
            let err = config.validate().unwrap_err();
            assert!(matches!(err, DevnetError::Config(_)), "{config:?}: {err}");
        }
    }

    #[test]
    fn forked_l2s_keep_their_ids_and_the_others_count_on_from_901() {
        let target = crate::fork::ForkTarget { url: "http://127.0.0.1:8545".into(), block: None };
        let mut fork = ForkConfig::default();
        fork.l2s.insert(902, target.clone());
        let config = DevnetConfig { l2_count: 3, fork: fork.clone(), ..DevnetConfig::default() };
        assert_eq!(config.l2_chain_ids(), [901, 902, 903]);
        fork.l2s.insert(10, target);
        let config = DevnetConfig { l2_count: 1, fork, ..DevnetConfig::default() };
        assert_eq!(config.l2_chain_ids(), [10, 902], "every forked chain runs, whatever the count");
    }

    #[test]
    fn a_partial_dependency_set_is_kept() {
        let config =
            DevnetConfig { l2_count: 3, dependency_set: Some(vec![901, 903]), ..DevnetConfig::default() };
        assert_eq!(config.validate().unwrap().chain_ids(), [U256::from(901), U256::from(903)]);
    }
}
