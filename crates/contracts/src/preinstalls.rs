//! The OP Stack preinstalls (`specs/protocol/preinstalls.md`): third-party contracts that every OP chain carries
//! from genesis at the addresses they have on every other chain, so that tools which assume them (viem's
//! `multicall`, `forge script` deployments with a CREATE2 salt, Safe tooling) work unchanged.
//!
//! superlink places its own implementations, written from the contracts' public interfaces and behaviour, at the
//! standard addresses ([`Preinstall`], [`preinstall_allocs`]); their code is not the original bytecode, so the
//! addresses of contracts they create from their own code (`Create2Deployer.deployERC1820Implementer`) differ from
//! other chains', while every address computed from a caller's init code is the same (CreateX's guarded salts and
//! CREATE3 proxy included), and so is every EIP-712 digest Permit2 and the Safe singletons check. The Safe
//! singletons keep the storage layout, events and revert strings of Safe v1.3.0, so Safe tooling and proxies work
//! with them. Tools that recognise a preinstall by its code hash rather than its interface do not recognise these.
//! Every contract of the specification's list is placed.

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, Bytes, U256, address};

use crate::{Contract, GenesisAccount, bridge_addresses};

/// `alloy_sol_types` bindings of the preinstalls written for superlink (Multicall3's are in
/// [`crate::bindings::Multicall3`]), generated at compile time from the committed artifacts.
#[allow(missing_docs, clippy::too_many_arguments)]
pub mod bindings {
    use alloy_sol_types::sol;

    sol!(
        #[derive(Debug, PartialEq, Eq)]
        DeterministicDeploymentProxy,
        "../../contracts/artifacts/DeterministicDeploymentProxy.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        Create2Deployer,
        "../../contracts/artifacts/Create2Deployer.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        ERC1820Implementer,
        "../../contracts/artifacts/ERC1820Implementer.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        MultiSend,
        "../../contracts/artifacts/MultiSend.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        MultiSendCallOnly,
        "../../contracts/artifacts/MultiSendCallOnly.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        SenderCreator,
        "../../contracts/artifacts/SenderCreator.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        Safe,
        "../../contracts/artifacts/Safe.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        SafeL2,
        "../../contracts/artifacts/SafeL2.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        CreateX,
        "../../contracts/artifacts/CreateX.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        Permit2,
        "../../contracts/artifacts/Permit2.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        EntryPointV06,
        "../../contracts/artifacts/EntryPointV06.json"
    );
    sol!(
        #[derive(Debug, PartialEq, Eq)]
        EntryPointV07,
        "../../contracts/artifacts/EntryPointV07.json"
    );
}

/// Multicall3: batched calls (`aggregate3` and the rest of its interface).
pub const MULTICALL3: Address = bridge_addresses::MULTICALL3;
/// Create2Deployer: `deploy(value, salt, code)` with CREATE2.
pub const CREATE2_DEPLOYER: Address = address!("0x13b0D85CcB8bf860b6b79AF3029fCA081AE9beF2");
/// The deterministic deployment proxy: calldata `salt ‖ initCode`, CREATE2, answers the 20-byte address.
pub const DETERMINISTIC_DEPLOYMENT_PROXY: Address = address!("0x4e59b44847b379578588920cA78FbF26c0B4956C");
/// The Safe singleton factory: the deterministic deployment proxy's calling convention at a second address.
pub const SAFE_SINGLETON_FACTORY: Address = address!("0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7");
/// MultiSend (Safe v1.3.0): batches of calls and delegatecalls, for a Safe to delegatecall.
pub const MULTI_SEND: Address = address!("0x998739BFdAAdde7C933B942a68053933098f9EDa");
/// MultiSendCallOnly (Safe v1.3.0): batches of calls.
pub const MULTI_SEND_CALL_ONLY: Address = address!("0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B");
/// The SenderCreator of the ERC-4337 v0.6.0 entry point.
pub const SENDER_CREATOR_V06: Address = address!("0x7fc98430eaedbb6070b35b39d798725049088348");
/// The SenderCreator of the ERC-4337 v0.7.0 entry point.
pub const SENDER_CREATOR_V07: Address = address!("0xEFC2c1444eBCC4Db75e7613d20C6a62fF67A167C");

/// The Safe (v1.3.0) singleton: the multisig wallet that Safe proxies delegate to.
pub const SAFE: Address = address!("0x69f4D1788e39c87893C980c06EdF4b7f686e2938");
/// The SafeL2 (v1.3.0) singleton: the Safe, also emitting every transaction's parameters for indexers.
pub const SAFE_L2: Address = address!("0xfb1bffC9d739B8D520DaF37dF666da4C687191EA");
/// CreateX: CREATE, CREATE2 and CREATE3 deployments with salt protection, and their address predictions.
pub const CREATEX: Address = address!("0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed");
/// Permit2: ERC-20 signature transfers and allowances by EIP-712 signature.
pub const PERMIT2: Address = address!("0x000000000022D473030F116dDEE9F6B43aC78BA3");
/// The ERC-4337 v0.6.0 EntryPoint.
pub const ENTRY_POINT_V06: Address = address!("0x5FF137D4b0FDCD49DcA30c7CF57E578a026d2789");
/// The ERC-4337 v0.7.0 EntryPoint.
pub const ENTRY_POINT_V07: Address = address!("0x0000000071727De22E5E9d8BAf0edAc6f37da032");

/// A preinstall of the OP Stack's list that superlink places, with its own implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Preinstall {
    /// Batched calls.
    Multicall3,
    /// CREATE2 with a value from its own balance, and address predictions.
    Create2Deployer,
    /// CREATE2 with calldata `salt ‖ initCode`.
    DeterministicDeploymentProxy,
    /// The same factory as [`Preinstall::DeterministicDeploymentProxy`], at the Safe singleton factory's address.
    SafeSingletonFactory,
    /// Safe batches of calls and delegatecalls.
    MultiSend,
    /// Safe batches of calls.
    MultiSendCallOnly,
    /// The ERC-4337 v0.6.0 helper that calls account factories.
    SenderCreatorV06,
    /// The ERC-4337 v0.7.0 helper that calls account factories.
    SenderCreatorV07,
    /// The Safe (v1.3.0) multisig singleton.
    Safe,
    /// The SafeL2 (v1.3.0) multisig singleton, with events for indexers.
    SafeL2,
    /// CREATE, CREATE2 and CREATE3 deployments with salt protection.
    CreateX,
    /// ERC-20 signature transfers and signed allowances.
    Permit2,
    /// The ERC-4337 v0.6.0 entry point: user operations, paymasters, deposits and stakes, simulations.
    EntryPointV06,
    /// The ERC-4337 v0.7.0 entry point: packed user operations, paymasters, deposits and stakes.
    EntryPointV07,
}

impl Preinstall {
    /// Every preinstall superlink places.
    pub const ALL: [Preinstall; 14] = [
        Preinstall::Multicall3,
        Preinstall::Create2Deployer,
        Preinstall::DeterministicDeploymentProxy,
        Preinstall::SafeSingletonFactory,
        Preinstall::MultiSend,
        Preinstall::MultiSendCallOnly,
        Preinstall::SenderCreatorV06,
        Preinstall::SenderCreatorV07,
        Preinstall::Safe,
        Preinstall::SafeL2,
        Preinstall::CreateX,
        Preinstall::Permit2,
        Preinstall::EntryPointV06,
        Preinstall::EntryPointV07,
    ];

    /// The name the specification gives it.
    pub const fn name(self) -> &'static str {
        match self {
            Preinstall::Multicall3 => "Multicall3",
            Preinstall::Create2Deployer => "Create2Deployer",
            Preinstall::DeterministicDeploymentProxy => "DeterministicDeploymentProxy",
            Preinstall::SafeSingletonFactory => "SafeSingletonFactory",
            Preinstall::MultiSend => "MultiSend",
            Preinstall::MultiSendCallOnly => "MultiSendCallOnly",
            Preinstall::SenderCreatorV06 => "SenderCreator (ERC-4337 v0.6.0)",
            Preinstall::SenderCreatorV07 => "SenderCreator (ERC-4337 v0.7.0)",
            Preinstall::Safe => "Safe (v1.3.0)",
            Preinstall::SafeL2 => "SafeL2 (v1.3.0)",
            Preinstall::CreateX => "CreateX",
            Preinstall::Permit2 => "Permit2",
            Preinstall::EntryPointV06 => "EntryPoint (ERC-4337 v0.6.0)",
            Preinstall::EntryPointV07 => "EntryPoint (ERC-4337 v0.7.0)",
        }
    }

    /// Its standard address, the same on every chain.
    pub const fn address(self) -> Address {
        match self {
            Preinstall::Multicall3 => MULTICALL3,
            Preinstall::Create2Deployer => CREATE2_DEPLOYER,
            Preinstall::DeterministicDeploymentProxy => DETERMINISTIC_DEPLOYMENT_PROXY,
            Preinstall::SafeSingletonFactory => SAFE_SINGLETON_FACTORY,
            Preinstall::MultiSend => MULTI_SEND,
            Preinstall::MultiSendCallOnly => MULTI_SEND_CALL_ONLY,
            Preinstall::SenderCreatorV06 => SENDER_CREATOR_V06,
            Preinstall::SenderCreatorV07 => SENDER_CREATOR_V07,
            Preinstall::Safe => SAFE,
            Preinstall::SafeL2 => SAFE_L2,
            Preinstall::CreateX => CREATEX,
            Preinstall::Permit2 => PERMIT2,
            Preinstall::EntryPointV06 => ENTRY_POINT_V06,
            Preinstall::EntryPointV07 => ENTRY_POINT_V07,
        }
    }

    /// The runtime bytecode placed at [`Preinstall::address`]: superlink's own implementation.
    pub fn deployed_bytecode(self) -> Bytes {
        match self {
            Preinstall::Multicall3 => Contract::Multicall3.deployed_bytecode(),
            Preinstall::Create2Deployer => bindings::Create2Deployer::DEPLOYED_BYTECODE.clone(),
            Preinstall::DeterministicDeploymentProxy | Preinstall::SafeSingletonFactory => {
                bindings::DeterministicDeploymentProxy::DEPLOYED_BYTECODE.clone()
            }
            Preinstall::MultiSend => bindings::MultiSend::DEPLOYED_BYTECODE.clone(),
            Preinstall::MultiSendCallOnly => bindings::MultiSendCallOnly::DEPLOYED_BYTECODE.clone(),
            Preinstall::SenderCreatorV06 | Preinstall::SenderCreatorV07 => {
                bindings::SenderCreator::DEPLOYED_BYTECODE.clone()
            }
            Preinstall::Safe => bindings::Safe::DEPLOYED_BYTECODE.clone(),
            Preinstall::SafeL2 => bindings::SafeL2::DEPLOYED_BYTECODE.clone(),
            Preinstall::CreateX => bindings::CreateX::DEPLOYED_BYTECODE.clone(),
            Preinstall::Permit2 => bindings::Permit2::DEPLOYED_BYTECODE.clone(),
            Preinstall::EntryPointV06 => bindings::EntryPointV06::DEPLOYED_BYTECODE.clone(),
            Preinstall::EntryPointV07 => bindings::EntryPointV07::DEPLOYED_BYTECODE.clone(),
        }
    }

    /// The genesis storage placed with the code, empty for all but the Safe singletons. Those hold threshold 1
    /// (slot 4 of the Safe's layout), as the original singletons' constructors leave them: `setup` refuses a Safe
    /// whose threshold is set, so the singleton itself can never become a wallet, only the proxies that
    /// delegate to it.
    pub fn genesis_storage(self) -> BTreeMap<B256, B256> {
        match self {
            Preinstall::Safe | Preinstall::SafeL2 => {
                BTreeMap::from([(SAFE_THRESHOLD_SLOT, B256::from(U256::from(1)))])
            }
            _ => BTreeMap::new(),
        }
    }
}

/// The storage slot of a Safe's threshold (v1.3.0 layout: singleton, modules, owners, owner count, threshold).
pub const SAFE_THRESHOLD_SLOT: B256 = B256::with_last_byte(4);

impl std::fmt::Display for Preinstall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The accounts to allocate in the genesis of every chain, the L1 and each L2 alike, for the preinstalls
/// ([`Preinstall::ALL`]): each contract's runtime code at its standard address, with nonce 1 (as after a
/// contract creation), no balance and its [`Preinstall::genesis_storage`] (none for most), keyed by address.
/// Includes the account of [`crate::multicall3_allocs`], so either may be added without the other.
pub fn preinstall_allocs() -> BTreeMap<Address, GenesisAccount> {
    Preinstall::ALL
        .into_iter()
        .map(|preinstall| {
            let storage = preinstall.genesis_storage();
            let account = GenesisAccount {
                nonce: Some(1),
                code: Some(preinstall.deployed_bytecode()),
                storage: (!storage.is_empty()).then_some(storage),
                ..Default::default()
            };
            (preinstall.address(), account)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        bridge_addresses::{SUPERSIM_CHAIN_IDS, l1_bridge, l1_bridge_aliases},
        genesis::{
            BridgeConfig, bridge_l1_allocs, bridge_l2_allocs, deposit_portal_allocs, multicall3_allocs,
            predeploy_allocs, test_token_allocs,
        },
    };
    use alloy_primitives::keccak256;

    /// The table of `specs/protocol/preinstalls.md`, with the v0.7.0 ERC-4337 pair and CreateX.
    const SPEC: [(&str, Address); 14] = [
        ("Safe", address!("0x69f4D1788e39c87893C980c06EdF4b7f686e2938")),
        ("SafeL2", address!("0xfb1bffC9d739B8D520DaF37dF666da4C687191EA")),
        ("MultiSend", address!("0x998739BFdAAdde7C933B942a68053933098f9EDa")),
        ("MultiSendCallOnly", address!("0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B")),
        ("SafeSingletonFactory", address!("0x914d7Fec6aaC8cd542e72Bca78B30650d45643d7")),
        ("Multicall3", address!("0xcA11bde05977b3631167028862bE2a173976CA11")),
        ("Create2Deployer", address!("0x13b0D85CcB8bf860b6b79AF3029fCA081AE9beF2")),
        ("CreateX", address!("0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed")),
        ("DeterministicDeploymentProxy", address!("0x4e59b44847b379578588920cA78FbF26c0B4956C")),
        ("Permit2", address!("0x000000000022D473030F116dDEE9F6B43aC78BA3")),
        ("EntryPointV06", address!("0x5FF137D4b0FDCD49DcA30c7CF57E578a026d2789")),
        ("SenderCreatorV06", address!("0x7fc98430eaedbb6070b35b39d798725049088348")),
        ("EntryPointV07", address!("0x0000000071727De22E5E9d8BAf0edAc6f37da032")),
        ("SenderCreatorV07", address!("0xEFC2c1444eBCC4Db75e7613d20C6a62fF67A167C")),
    ];

    #[test]
    fn every_address_of_the_specification_is_placed_once() {
        let placed: Vec<Address> = Preinstall::ALL.iter().map(|p| p.address()).collect();
        for (name, address) in SPEC {
            let count = placed.iter().filter(|a| **a == address).count();
            assert_eq!(count, 1, "{name} at {address} is placed exactly once");
        }
        assert_eq!(placed.len(), SPEC.len(), "nothing beyond the specification's list");
    }

    #[test]
    fn every_placed_preinstall_has_code_no_balance_and_only_the_safes_have_storage() {
        let allocs = preinstall_allocs();
        assert_eq!(allocs.len(), Preinstall::ALL.len(), "one account per preinstall, no two at one address");
        for preinstall in Preinstall::ALL {
            let account = &allocs[&preinstall.address()];
            let code = account.code.as_ref().expect("a preinstall has code");
            assert!(!code.is_empty(), "{preinstall} has code");
            assert_eq!(code, &preinstall.deployed_bytecode());
            assert_eq!(account.nonce, Some(1));
            assert!(account.balance.is_zero(), "{preinstall} holds no ETH");
            match preinstall {
                Preinstall::Safe | Preinstall::SafeL2 => {
                    let locked = BTreeMap::from([(SAFE_THRESHOLD_SLOT, B256::with_last_byte(1))]);
                    assert_eq!(account.storage.as_ref(), Some(&locked), "{preinstall} starts locked");
                }
                _ => assert!(account.storage.is_none(), "{preinstall} starts with empty storage"),
            }
        }
    }

    #[test]
    fn the_factories_share_one_implementation_and_the_others_are_distinct() {
        let code = |p: Preinstall| keccak256(p.deployed_bytecode());
        assert_eq!(code(Preinstall::DeterministicDeploymentProxy), code(Preinstall::SafeSingletonFactory));
        assert_eq!(code(Preinstall::SenderCreatorV06), code(Preinstall::SenderCreatorV07));
        assert_ne!(code(Preinstall::MultiSend), code(Preinstall::MultiSendCallOnly));
        assert_ne!(code(Preinstall::Create2Deployer), code(Preinstall::DeterministicDeploymentProxy));
        assert_ne!(code(Preinstall::Safe), code(Preinstall::SafeL2));
        assert_ne!(code(Preinstall::EntryPointV06), code(Preinstall::EntryPointV07));
    }

    #[test]
    fn the_multicall3_account_agrees_with_the_bridge_allocation() {
        let bridge = multicall3_allocs();
        let ours = preinstall_allocs();
        for (address, account) in bridge {
            assert_eq!(ours.get(&address), Some(&account), "adding both allocations places one Multicall3");
        }
    }

    #[test]
    fn no_preinstall_collides_with_a_predeploy_an_app_a_portal_or_a_bridge_contract() {
        let mut ids: Vec<u64> = SUPERSIM_CHAIN_IDS.to_vec();
        ids.extend([906, 2_151_908]);
        let config = BridgeConfig::new(Address::repeat_byte(0x11));
        let mut others: BTreeMap<Address, GenesisAccount> = BTreeMap::new();
        for &id in &ids {
            others.extend(predeploy_allocs(id));
            others.extend(bridge_l2_allocs(id));
            for address in
                l1_bridge(id).all().into_iter().chain(l1_bridge_aliases(id).iter().flat_map(|b| b.all()))
            {
                others.insert(address, GenesisAccount::default());
            }
        }
        others.extend(bridge_l1_allocs(ids.iter().copied(), &config));
        others.extend(deposit_portal_allocs(ids.iter().copied()));
        others.extend(test_token_allocs());
        assert!(others.len() > 50, "the allocations compared are the real ones");
        for preinstall in Preinstall::ALL {
            assert!(!others.contains_key(&preinstall.address()), "{preinstall} collides");
        }
    }
}
