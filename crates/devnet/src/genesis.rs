//! The genesis of every devnet chain: the development accounts and the OP Stack preinstalls everywhere, on the L1
//! one deposit portal per L2, and on the L2s the interop predeploys and example apps.

use alloy_primitives::{Address, B256, U256};
use superlink_chain::{Genesis, GenesisAccount};
use superlink_contracts::genesis::{deposit_portal_allocs, predeploy_allocs};
use superlink_contracts::preinstall_allocs;
use superlink_protocol::predeploys::L1_BLOCK;

use crate::accounts::{batcher, batcher_hash, ether};

/// The L1's genesis at `timestamp`: the deposit portal of each of the L2s `l2_chain_ids` (at
/// `superlink_contracts::addresses::deposit_portal`) and the development accounts, each with `balance_ether`.
pub fn l1_genesis(
    chain_id: u64,
    timestamp: u64,
    l2_chain_ids: &[u64],
    accounts: &[Address],
    balance_ether: u64,
) -> Genesis {
    let genesis =
        Genesis::new(chain_id, timestamp).with_alloc(deposit_portal_allocs(l2_chain_ids.iter().copied()));
    let genesis = genesis.with_alloc(preinstall_allocs());
    fund(genesis, accounts, balance_ether)
}

/// The storage slot of `batcherHash` in the `L1Block` predeploy.
const L1_BLOCK_BATCHER_HASH_SLOT: u64 = 4;

/// An interop L2's genesis at `timestamp`: the predeploys, the example apps, and the development accounts. The
/// `L1Block` predeploy names the chain's own batcher from genesis on, so no two L2s share a genesis block.
pub fn l2_genesis(chain_id: u64, timestamp: u64, accounts: &[Address], balance_ether: u64) -> Genesis {
    let mut allocs = predeploy_allocs(chain_id);
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
    fn every_chain_carries_the_preinstalls() {
        let l1 = Chain::new(&l1_genesis(900, 1_000, &[901], &[], 1), ChainConfig::default());
        let l2 = Chain::new(&l2_genesis(901, 1_000, &[], 1), ChainConfig::default());
        let latest = alloy_eips::BlockId::latest();
        for preinstall in superlink_contracts::Preinstall::ALL {
            for chain in [&l1, &l2] {
                assert_eq!(chain.code(preinstall.address(), latest).unwrap(), preinstall.deployed_bytecode());
            }
        }
    }

    #[test]
    fn the_l1_has_the_accounts_and_a_portal_per_l2_but_no_predeploys() {
        let account = Address::repeat_byte(0xbb);
        let chain = Chain::new(&l1_genesis(900, 1_000, &[901, 902], &[account], 1), ChainConfig::default());
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
