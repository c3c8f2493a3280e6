//! The genesis of every devnet chain: the development accounts funded everywhere; on the L1 one deposit portal
//! and one OP Stack standard bridge per L2 (and Multicall3); on the L2s the interop predeploys, the example apps,
//! the L2 side of the standard bridge and supersim's test token; the OP Stack preinstalls on every chain.

use alloy_primitives::{Address, B256, U256};
use superlink_chain::{Genesis, GenesisAccount};
use superlink_contracts::{
    BridgeConfig, bridge_addresses, bridge_l1_allocs, bridge_l2_allocs,
    genesis::{deposit_portal_allocs, predeploy_allocs},
    multicall3_allocs, preinstall_allocs, test_token_allocs,
};
use superlink_protocol::predeploys::L1_BLOCK;

use crate::accounts::{batcher, batcher_hash, ether};

/// The L1 side of the devnet's bridges: the settings of every L2's L1 contracts, and the ETH each L2's
/// `OptimismPortal` holds from genesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1Bridges {
    /// The proposer, the proof maturity and game finality delays, the respected game type.
    pub config: BridgeConfig,
    /// The wei each portal holds at genesis: the ETH the L2's genesis gives its accounts, as if it had been
    /// deposited, so withdrawing that ETH pays out on the L1 as a deposited one does.
    pub portal_balance: U256,
}

impl Default for L1Bridges {
    /// The devnet's proposer ([`crate::accounts::proposer`]), the default delays of
    /// [`crate::config::DevnetConfig`], portals without ETH.
    fn default() -> Self {
        let defaults = crate::config::DevnetConfig::default();
        L1Bridges { config: defaults.bridge_config(), portal_balance: U256::ZERO }
    }
}

/// The L1's genesis at `timestamp`: for each of the L2s `l2_chain_ids` its deposit portal (at
/// `superlink_contracts::addresses::deposit_portal`) and its standard bridge (at
/// `superlink_contracts::bridge_addresses::l1_bridge`, and the forwarders at its second addresses), Multicall3,
/// and the development accounts, each with `balance_ether`.
pub fn l1_genesis(
    chain_id: u64,
    timestamp: u64,
    l2_chain_ids: &[u64],
    accounts: &[Address],
    balance_ether: u64,
    bridges: &L1Bridges,
) -> Genesis {
    let mut bridge = bridge_l1_allocs(l2_chain_ids.iter().copied(), &bridges.config);
    for id in l2_chain_ids {
        if let Some(portal) = bridge.get_mut(&bridge_addresses::l1_bridge(*id).portal) {
            portal.balance = bridges.portal_balance;
        }
    }
    let genesis = Genesis::new(chain_id, timestamp)
        .with_alloc(deposit_portal_allocs(l2_chain_ids.iter().copied()))
        .with_alloc(bridge)
        .with_alloc(multicall3_allocs())
        .with_alloc(preinstall_allocs());
    fund(genesis, accounts, balance_ether)
}

/// The storage slot of `batcherHash` in the `L1Block` predeploy.
const L1_BLOCK_BATCHER_HASH_SLOT: u64 = 4;

/// An interop L2's genesis at `timestamp`: the predeploys, the example apps, the L2 side of the standard bridge
/// (`L2CrossDomainMessenger`, `L2StandardBridge`, `OptimismMintableERC20Factory`, pointing at the chain's L1
/// contracts), supersim's test token, and the development accounts. The `L1Block` predeploy names the chain's own
/// batcher from genesis on, so no two L2s share a genesis block.
pub fn l2_genesis(chain_id: u64, timestamp: u64, accounts: &[Address], balance_ether: u64) -> Genesis {
    let mut allocs = predeploy_allocs(chain_id);
    allocs.extend(bridge_l2_allocs(chain_id));
    allocs.extend(test_token_allocs());
    if let Some(l1_block) = allocs.get_mut(&L1_BLOCK) {
        let batcher = batcher_hash(batcher(chain_id).address());
        l1_block
            .storage
            .get_or_insert_default()
            .insert(B256::from(U256::from(L1_BLOCK_BATCHER_HASH_SLOT)), batcher);
    }
    let genesis = Genesis::new(chain_id, timestamp).with_alloc(allocs);
    let genesis = genesis.with_alloc(preinstall_allocs());
    fund(genesis, accounts, balance_ether)
}

fn fund(mut genesis: Genesis, accounts: &[Address], balance_ether: u64) -> Genesis {
    for address in accounts {
        genesis = genesis.with_account(
            *address,
            GenesisAccount { balance: ether(balance_ether), ..GenesisAccount::default() },
        );
    }
    genesis
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::U256;
    use superlink_chain::{Chain, ChainConfig};
    use superlink_contracts::addresses::{CROSS_CHAIN_COUNTER, CROSS_L2_INBOX, deposit_portal};

    #[test]
    fn l2s_carry_the_predeploys_and_fund_the_accounts() {
        let account = Address::repeat_byte(0xaa);
        let chain = Chain::new(&l2_genesis(901, 1_000, &[account], 5), ChainConfig::default());
        let latest = alloy_eips::BlockId::latest();
        assert_eq!(chain.balance(account, latest).unwrap(), ether(5));
        assert!(!chain.code(CROSS_L2_INBOX, latest).unwrap().is_empty());
        assert!(!chain.code(CROSS_CHAIN_COUNTER, latest).unwrap().is_empty());
        assert_eq!(chain.head().timestamp(), 1_000);
    }

    #[test]
    fn every_l2_has_its_own_genesis_block_naming_its_own_batcher() {
        let a = Chain::new(&l2_genesis(901, 1_000, &[], 5), ChainConfig::default());
        let b = Chain::new(&l2_genesis(902, 1_000, &[], 5), ChainConfig::default());
        assert_ne!(a.head().hash(), b.head().hash());
        let latest = alloy_eips::BlockId::latest();
        let slot = U256::from(L1_BLOCK_BATCHER_HASH_SLOT);
        let recorded = a.storage(L1_BLOCK, slot, latest).unwrap();
        assert_eq!(B256::from(recorded), batcher_hash(batcher(901).address()));
        assert_ne!(batcher(901).address(), batcher(902).address());
        assert_eq!(batcher(901).address(), batcher(901).address(), "the same batcher after a restart");
    }

    #[test]
    fn l2s_carry_the_bridge_predeploys_pointing_at_their_own_l1_contracts_and_the_test_token() {
        use superlink_contracts::{Contract, bridge_addresses::*};
        let latest = alloy_eips::BlockId::latest();
        for id in [901, 906] {
            let chain = Chain::new(&l2_genesis(id, 1_000, &[], 1), ChainConfig::default());
            for (address, contract) in [
                (L2_CROSS_DOMAIN_MESSENGER, Contract::L2CrossDomainMessenger),
                (L2_STANDARD_BRIDGE, Contract::L2StandardBridge),
                (OPTIMISM_MINTABLE_ERC20_FACTORY, Contract::OptimismMintableERC20Factory),
                (L2_NATIVE_SUPERCHAIN_ERC20, Contract::L2NativeSuperchainERC20),
            ] {
                assert_eq!(
                    chain.code(address, latest).unwrap(),
                    contract.deployed_bytecode(),
                    "{id} {address}"
                );
            }
            // The L2 standard bridge knows its L1 counterpart (slot 1).
            let other = chain.storage(L2_STANDARD_BRIDGE, U256::from(1), latest).unwrap();
            assert_eq!(B256::from(other), l1_bridge(id).l1_standard_bridge.into_word());
        }
    }

    #[test]
    fn every_chain_carries_the_preinstalls() {
        let l1 = Chain::new(
            &l1_genesis(900, 1_000, &[901], &[], 1, &L1Bridges::default()),
            ChainConfig::default(),
        );
        let l2 = Chain::new(&l2_genesis(901, 1_000, &[], 1), ChainConfig::default());
        let latest = alloy_eips::BlockId::latest();
        for preinstall in superlink_contracts::Preinstall::ALL {
            for chain in [&l1, &l2] {
                assert_eq!(chain.code(preinstall.address(), latest).unwrap(), preinstall.deployed_bytecode());
            }
        }
    }

    #[test]
    fn the_l1_has_every_l2s_bridge_at_both_addresses_with_the_portal_backing_the_l2s_eth() {
        use superlink_contracts::{Contract, bridge_addresses::*};
        let bridges = L1Bridges { portal_balance: ether(7), ..L1Bridges::default() };
        let chain =
            Chain::new(&l1_genesis(900, 1_000, &[901, 906], &[], 1, &bridges), ChainConfig::default());
        let latest = alloy_eips::BlockId::latest();
        for id in [901, 906] {
            let bridge = l1_bridge(id);
            assert_eq!(
                chain.code(bridge.portal, latest).unwrap(),
                Contract::OptimismPortal.deployed_bytecode()
            );
            assert_eq!(chain.balance(bridge.portal, latest).unwrap(), ether(7));
            for address in bridge.all() {
                assert!(!chain.code(address, latest).unwrap().is_empty(), "{id}: {address}");
            }
        }
        let aliases = l1_bridge_aliases(901).unwrap();
        assert_eq!(
            chain.code(aliases.portal, latest).unwrap(),
            Contract::BridgeForwarder.deployed_bytecode()
        );
        assert_eq!(chain.balance(aliases.portal, latest).unwrap(), U256::ZERO);
        assert!(chain.code(l1_bridge(902).portal, latest).unwrap().is_empty(), "no bridge for an L2 not run");
        assert_eq!(chain.code(MULTICALL3, latest).unwrap(), Contract::Multicall3.deployed_bytecode());
    }

    #[test]
    fn the_l1_has_the_accounts_and_a_portal_per_l2_but_no_predeploys() {
        let account = Address::repeat_byte(0xbb);
        let chain = Chain::new(
            &l1_genesis(900, 1_000, &[901, 902], &[account], 1, &L1Bridges::default()),
            ChainConfig::default(),
        );
        let latest = alloy_eips::BlockId::latest();
        assert_eq!(chain.balance(account, latest).unwrap(), ether(1));
        assert!(chain.code(CROSS_L2_INBOX, latest).unwrap().is_empty());
        let portal_code = superlink_contracts::Contract::DepositPortal.deployed_bytecode();
        for id in [901, 902] {
            assert_eq!(chain.code(deposit_portal(id), latest).unwrap(), portal_code);
        }
        assert!(chain.code(deposit_portal(903), latest).unwrap().is_empty());
        assert_eq!(chain.chain_id(), 900);
        assert_ne!(chain.balance(Address::repeat_byte(0xcc), latest).unwrap(), U256::from(1));
    }
}
