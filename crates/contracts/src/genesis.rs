//! Genesis allocations: the accounts that put the predeploys and example apps on a new L2, and the deposit
//! portals on the L1.
//!
//! No constructor runs at genesis: every contract is placed as runtime bytecode, and each is written to work from
//! empty storage. The only non-code state is ETHLiquidity's initial balance.

use std::collections::BTreeMap;

use alloy_primitives::Address;

use crate::{addresses, artifacts::Contract};

/// One account of a genesis allocation (alloy's genesis type: nonce, balance, code, storage).
pub use alloy_genesis::GenesisAccount;

/// The accounts to allocate at genesis on chain `chain_id` for its interop predeploys (CrossL2Inbox,
/// L2ToL2CrossDomainMessenger, SuperchainTokenBridge, SuperchainETHBridge, ETHLiquidity with a balance of
/// `type(uint248).max` wei, L1Block, L2ToL1MessagePasser) and the example apps (CrossChainCounter,
/// TestSuperchainERC20), keyed by address.
///
/// Contract accounts get nonce 1 (as after a contract creation, EIP-161). The allocation is the same on every
/// chain today, since no predeploy keeps chain-specific storage; `chain_id` is the place where such storage would
/// come from. Dev accounts are not part of it.
pub fn predeploy_allocs(chain_id: u64) -> BTreeMap<Address, GenesisAccount> {
    let _ = chain_id;
    let mut allocs = BTreeMap::new();
    for contract in Contract::ALL {
        let Some(address) = contract.genesis_address() else { continue };
        let account =
            GenesisAccount { nonce: Some(1), code: Some(contract.deployed_bytecode()), ..Default::default() };
        allocs.insert(address, account);
    }
    if let Some(liquidity) = allocs.get_mut(&addresses::ETH_LIQUIDITY) {
        liquidity.balance = addresses::ETH_LIQUIDITY_INITIAL_BALANCE;
    }
    allocs
}

/// The accounts to allocate in the L1 genesis for the deposit portals of the L2s `l2_chain_ids`: one
/// `DepositPortal` per L2 at [`addresses::deposit_portal`], with nonce 1 and no balance, keyed by address.
pub fn deposit_portal_allocs(
    l2_chain_ids: impl IntoIterator<Item = u64>,
) -> BTreeMap<Address, GenesisAccount> {
    let code = Contract::DepositPortal.deployed_bytecode();
    l2_chain_ids
        .into_iter()
        .map(|id| {
            let account = GenesisAccount { nonce: Some(1), code: Some(code.clone()), ..Default::default() };
            (addresses::deposit_portal(id), account)
        })
        .collect()
}
