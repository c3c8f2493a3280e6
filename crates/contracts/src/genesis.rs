//! Genesis allocations: the accounts that put the predeploys and example apps on a new L2, and the deposit
//! portals on the L1.
//!
//! No constructor runs at genesis: every contract is placed as runtime bytecode. The predeploys work from empty
//! storage (the only non-code state is ETHLiquidity's initial balance); the bridge contracts read their
//! chain-specific settings (the addresses of their counterparts, the proof delays) from storage words that the
//! allocations below set, at the slots each contract's source documents.

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, U256};

use crate::{
    addresses,
    artifacts::Contract,
    bridge_addresses::{self, L1Bridge},
};

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

/// The settings of the L1 side of every L2's bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BridgeConfig {
    /// The only account that may propose output roots in the `DisputeGameFactory`s; anyone when zero.
    pub proposer: Address,
    /// How long a withdrawal proof must wait before the withdrawal can be finalized, in seconds.
    pub proof_maturity_delay_seconds: u64,
    /// How long after its creation a proposed output root can be used to finalize, in seconds.
    pub dispute_game_finality_delay_seconds: u64,
    /// The game type the portals accept proposals of.
    pub respected_game_type: u32,
}

impl BridgeConfig {
    /// Proof maturity delay by default: one L1 block of supersim's L1.
    pub const DEFAULT_PROOF_MATURITY_DELAY_SECONDS: u64 = 12;
    /// The permissioned output-root game type of the OP Stack, which supersim's portals respect.
    pub const PERMISSIONED_CANNON: u32 = 1;

    /// The settings with `proposer` and the defaults: a 12-second proof maturity delay, no finality delay, game
    /// type 1.
    pub fn new(proposer: Address) -> Self {
        BridgeConfig {
            proposer,
            proof_maturity_delay_seconds: Self::DEFAULT_PROOF_MATURITY_DELAY_SECONDS,
            dispute_game_finality_delay_seconds: 0,
            respected_game_type: Self::PERMISSIONED_CANNON,
        }
    }
}

/// Storage of a contract whose words are at slots 0, 1, 2, ...; zero words are left out.
fn slots(words: impl IntoIterator<Item = (u64, B256)>) -> BTreeMap<B256, B256> {
    words
        .into_iter()
        .filter(|(_, w)| *w != B256::ZERO)
        .map(|(slot, w)| (B256::from(U256::from(slot)), w))
        .collect()
}

fn word(address: Address) -> B256 {
    address.into_word()
}

fn number(value: u64) -> B256 {
    B256::from(U256::from(value))
}

fn contract_account(contract: Contract, storage: BTreeMap<B256, B256>) -> GenesisAccount {
    GenesisAccount {
        nonce: Some(1),
        code: Some(contract.deployed_bytecode()),
        storage: (!storage.is_empty()).then_some(storage),
        ..Default::default()
    }
}

/// The accounts to allocate in the L1 genesis for the bridges of the L2s `l2_chain_ids`: per L2, an
/// `OptimismPortal`, `L1CrossDomainMessenger`, `L1StandardBridge`, `DisputeGameFactory` and
/// `OptimismMintableERC20Factory` at
/// [`bridge_addresses::l1_bridge`], their settings in storage, and for the L2s 901 to 905 a `BridgeForwarder` at
/// each address of [`bridge_addresses::l1_bridge_aliases`]. Contracts have nonce 1 and no balance.
pub fn bridge_l1_allocs(
    l2_chain_ids: impl IntoIterator<Item = u64>,
    config: &BridgeConfig,
) -> BTreeMap<Address, GenesisAccount> {
    let mut allocs = BTreeMap::new();
    for id in l2_chain_ids {
        let real = bridge_addresses::l1_bridge(id);
        let aliases = bridge_addresses::l1_bridge_aliases(id);
        let forwarder = |pick: fn(&L1Bridge) -> Address| aliases.as_ref().map(pick).unwrap_or(Address::ZERO);

        // OptimismPortal: factory, forwarder, proof maturity delay, finality delay, respected game type.
        let portal = slots([
            (0, word(real.dispute_game_factory)),
            (1, word(forwarder(|b| b.portal))),
            (2, number(config.proof_maturity_delay_seconds)),
            (3, number(config.dispute_game_finality_delay_seconds)),
            (4, number(u64::from(config.respected_game_type))),
        ]);
        allocs.insert(real.portal, contract_account(Contract::OptimismPortal, portal));
        // L1CrossDomainMessenger: after the three words of CrossDomainMessenger, the portal and the forwarder.
        let messenger =
            slots([(3, word(real.portal)), (4, word(forwarder(|b| b.l1_cross_domain_messenger)))]);
        allocs.insert(
            real.l1_cross_domain_messenger,
            contract_account(Contract::L1CrossDomainMessenger, messenger),
        );
        // L1StandardBridge: after the deposits mapping, the messenger and the forwarder.
        let bridge = slots([
            (1, word(real.l1_cross_domain_messenger)),
            (2, word(forwarder(|b| b.l1_standard_bridge))),
        ]);
        allocs.insert(real.l1_standard_bridge, contract_account(Contract::L1StandardBridge, bridge));
        // DisputeGameFactory: proposer, forwarder.
        let factory = slots([(0, word(config.proposer)), (1, word(forwarder(|b| b.dispute_game_factory)))]);
        allocs.insert(real.dispute_game_factory, contract_account(Contract::DisputeGameFactory, factory));
        // OptimismMintableERC20Factory: after the deployments mapping, the L1 bridge and the forwarder.
        let token_factory = slots([
            (1, word(real.l1_standard_bridge)),
            (2, word(forwarder(|b| b.optimism_mintable_erc20_factory))),
        ]);
        allocs.insert(
            real.optimism_mintable_erc20_factory,
            contract_account(Contract::OptimismMintableERC20Factory, token_factory),
        );

        if let Some(aliases) = aliases {
            for (alias, target) in aliases.all().into_iter().zip(real.all()) {
                allocs.insert(alias, contract_account(Contract::BridgeForwarder, slots([(0, word(target))])));
            }
        }
    }
    allocs
}

/// The accounts to allocate in the genesis of the L2 `chain_id` for its side of the bridge: the predeploys
/// `L2CrossDomainMessenger` (knowing the chain's L1 messenger), `L2StandardBridge` (knowing the chain's L1
/// bridge) and `OptimismMintableERC20Factory`. `L2ToL1MessagePasser` is part of [`predeploy_allocs`].
pub fn bridge_l2_allocs(chain_id: u64) -> BTreeMap<Address, GenesisAccount> {
    let l1 = bridge_addresses::l1_bridge(chain_id);
    BTreeMap::from([
        (
            bridge_addresses::L2_CROSS_DOMAIN_MESSENGER,
            contract_account(
                Contract::L2CrossDomainMessenger,
                slots([(3, word(l1.l1_cross_domain_messenger))]),
            ),
        ),
        (
            bridge_addresses::L2_STANDARD_BRIDGE,
            contract_account(Contract::L2StandardBridge, slots([(1, word(l1.l1_standard_bridge))])),
        ),
        (
            bridge_addresses::OPTIMISM_MINTABLE_ERC20_FACTORY,
            contract_account(Contract::OptimismMintableERC20Factory, BTreeMap::new()),
        ),
    ])
}

/// The account of supersim's test token, `L2NativeSuperchainERC20`, at
/// [`bridge_addresses::L2_NATIVE_SUPERCHAIN_ERC20`]: the same on every L2.
pub fn test_token_allocs() -> BTreeMap<Address, GenesisAccount> {
    BTreeMap::from([(
        bridge_addresses::L2_NATIVE_SUPERCHAIN_ERC20,
        contract_account(Contract::L2NativeSuperchainERC20, BTreeMap::new()),
    )])
}

/// The account of `Multicall3` at [`bridge_addresses::MULTICALL3`], for any chain that lacks the preinstall (viem's
/// OP Stack withdrawal actions batch their reads of dispute games through it on the L1).
pub fn multicall3_allocs() -> BTreeMap<Address, GenesisAccount> {
    BTreeMap::from([(bridge_addresses::MULTICALL3, contract_account(Contract::Multicall3, BTreeMap::new()))])
}
