//! Where the OP Stack standard bridge of each L2 lives: its L1 contracts (one set per L2) and its L2 predeploys.
//!
//! For the L2s 901 to 905 the L1 contracts sit at two sets of addresses, both from supersim's genesis: the
//! addresses `@eth-optimism/viem`'s supersim chain definitions list (supersim's genesis of February 2025, which app
//! code imports), and the addresses of supersim's current genesis. The contracts themselves, with all bridge
//! state, sit at the viem addresses ([`l1_bridge`]); at the current-genesis addresses ([`l1_bridge_aliases`]) sit
//! `BridgeForwarder`s that pass every call on to them with the original caller, so either address works and events
//! come from the viem addresses.
//!
//! Any other L2 gets addresses by a rule ([`ruled_l1_bridge`]): the bytes `b1d9e0`, a role byte (01 portal, 02 L1
//! messenger, 03 L1 standard bridge, 04 dispute game factory, 05 mintable-token factory), eight zero bytes, then the chain ID as a big-endian
//! `u64`. The portal of chain 906 is `0xb1d9e0010000000000000000000000000000038a`.

use alloy_primitives::{Address, address};

/// The L2 messenger towards the L1.
pub const L2_CROSS_DOMAIN_MESSENGER: Address = address!("0x4200000000000000000000000000000000000007");
/// The L2 standard bridge.
pub const L2_STANDARD_BRIDGE: Address = address!("0x4200000000000000000000000000000000000010");
/// The factory of L2 representations of L1 tokens.
pub const OPTIMISM_MINTABLE_ERC20_FACTORY: Address = address!("0x4200000000000000000000000000000000000012");
/// The token address that stands for ETH in the L2 standard bridge's legacy functions.
pub const LEGACY_ERC20_ETH: Address = address!("0xDeadDeAddeAddEAddeadDEaDDEAdDeaDDeAD0000");
/// supersim's open-mint test token, `L2NativeSuperchainERC20`, on every L2.
pub const L2_NATIVE_SUPERCHAIN_ERC20: Address = address!("0x420beeF000000000000000000000000000000001");

/// The Multicall3 preinstall, which viem's `multicall` (and so its OP Stack `getGames`) calls on the L1.
pub const MULTICALL3: Address = address!("0xcA11bde05977b3631167028862bE2a173976CA11");

/// The L1 contracts of one L2's bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct L1Bridge {
    /// `OptimismPortal`: deposits, and withdrawals proven and finalized.
    pub portal: Address,
    /// `L1CrossDomainMessenger`.
    pub l1_cross_domain_messenger: Address,
    /// `L1StandardBridge`.
    pub l1_standard_bridge: Address,
    /// `DisputeGameFactory`: the output roots the devnet proposes.
    pub dispute_game_factory: Address,
    /// `OptimismMintableERC20Factory`: L1 representations of L2 tokens.
    pub optimism_mintable_erc20_factory: Address,
}

impl L1Bridge {
    /// The five addresses, in the order of the fields.
    pub fn all(&self) -> [Address; 5] {
        [
            self.portal,
            self.l1_cross_domain_messenger,
            self.l1_standard_bridge,
            self.dispute_game_factory,
            self.optimism_mintable_erc20_factory,
        ]
    }
}

/// The chain IDs whose L1 bridge addresses come from supersim's genesis rather than the rule.
pub const SUPERSIM_CHAIN_IDS: [u64; 5] = [901, 902, 903, 904, 905];

/// The addresses of `@eth-optimism/viem`'s supersim chain definitions, chains 901 to 905.
const VIEM: [L1Bridge; 5] = [
    L1Bridge {
        portal: address!("0x6cd0121a4eeedb8f07007773e46b1aaac17e5e07"),
        l1_cross_domain_messenger: address!("0x9e4ee2b682076951592cb4da5559833fe62a8c01"),
        l1_standard_bridge: address!("0x31e3c5a665b5b9dbf6d91a72415c6ad71fdd1181"),
        dispute_game_factory: address!("0x831ba37de091e1a2c695a53e3a03d2a512bcc876"),
        optimism_mintable_erc20_factory: address!("0x2dd40b335b29282492e06a2d56daefd6653eb761"),
    },
    L1Bridge {
        portal: address!("0x0447b6c313d92ece78b7f4737b14ab7bf0c548ab"),
        l1_cross_domain_messenger: address!("0x9dfda35104757ef35700c605391f6314391a88d7"),
        l1_standard_bridge: address!("0xce59210a7fe02fea7a302fbd28bffe461a0964ff"),
        dispute_game_factory: address!("0x0d5bc1644accb793c0e3b9f69f2af881e9010665"),
        optimism_mintable_erc20_factory: address!("0xc8aa9f30a757201594c5a01aa3a596bc62d413a1"),
    },
    L1Bridge {
        portal: address!("0xd5d24833d21f039a97e7f67c8c681f2ec3ad3858"),
        l1_cross_domain_messenger: address!("0x5741bf82900aca6232d46b52cf78b1c1b3eb87b8"),
        l1_standard_bridge: address!("0x24729345269eaa41713671bdd32484ae7d69069b"),
        dispute_game_factory: address!("0x796768d6f0a25636cda7fa244b6c194ff70414f3"),
        optimism_mintable_erc20_factory: address!("0x5b68a53ec6eed8762d9b37633b2af6b9cb0b4b00"),
    },
    L1Bridge {
        portal: address!("0xde7bcd1f9fcf3a399362464c424d6d8ca493c749"),
        l1_cross_domain_messenger: address!("0x285af3ef218a23f76e3ce92a8422559106b5fc9f"),
        l1_standard_bridge: address!("0x6af84da4e248d66ed19894083d443d1f7a2be2ba"),
        dispute_game_factory: address!("0x768255ae083a774c488d3e974b3bfc9f9b3d07f3"),
        optimism_mintable_erc20_factory: address!("0x563adb71a39cf3307dd4a5091a45ee6007f4e8ef"),
    },
    L1Bridge {
        portal: address!("0x21a19eee99aca16932adbc951be42c3c88f8ef28"),
        l1_cross_domain_messenger: address!("0x5a48b91987b7b63bb3700f7514c1842c3570507d"),
        l1_standard_bridge: address!("0xab256ae2457431f7437bcc6081ca480edbcb4fda"),
        dispute_game_factory: address!("0x9551f9c5808a9c93934b1588353b291b964d397f"),
        optimism_mintable_erc20_factory: address!("0xd52ccdcd3d5fd182ead644d718e11d503bf45902"),
    },
];

/// The addresses of supersim's current genesis (the `…Proxy` contracts), chains 901 to 905.
const SUPERSIM_CURRENT: [L1Bridge; 5] = [
    L1Bridge {
        portal: address!("0x75ceb25776d0402972b736f6e13fd0616be98f22"),
        l1_cross_domain_messenger: address!("0xc8c71093ffc2092d61a72369d81940b839bb12b4"),
        l1_standard_bridge: address!("0x52af4dff31d13449b70993e21eb599c615a66541"),
        dispute_game_factory: address!("0x51095eac6e2b6da9811c6febbdd67add79135ce0"),
        optimism_mintable_erc20_factory: address!("0x0e1ea4d69f20767db8a359271e71e11f3f6b9660"),
    },
    L1Bridge {
        portal: address!("0x74c8f6fc78f669109d1ca279580ca3dc7f4f0a69"),
        l1_cross_domain_messenger: address!("0xd3a5c69a727fe1f31479e55ddb6dd3129109d84b"),
        l1_standard_bridge: address!("0x125c4ba308b6b0dc3c23bbd9891625dfa7f884c8"),
        dispute_game_factory: address!("0xee802cf29f1d865cf754629d660f5be0635ca756"),
        optimism_mintable_erc20_factory: address!("0xf301b6716535ce3b29827635bee965783b1dc1fb"),
    },
    L1Bridge {
        portal: address!("0x92fbc4e466db9a005a370b52fd26eb3f8f3efd92"),
        l1_cross_domain_messenger: address!("0x15234096021a7003e05fb2696b17d5858e4d92e1"),
        l1_standard_bridge: address!("0x8f8b34c7cd328388812bee0621886bf26978fabb"),
        dispute_game_factory: address!("0xbd6b0d1587614c5825c35a7670c947cf5ac1200f"),
        optimism_mintable_erc20_factory: address!("0x9dd27d39c77ec114021ede4f6f116f0ce691d887"),
    },
    L1Bridge {
        portal: address!("0x0c69f8a53ea95fff42b5f3b3aca03ddb113e2c22"),
        l1_cross_domain_messenger: address!("0x2a0407c612d07cd477eb861984a768a1f32cbdb6"),
        l1_standard_bridge: address!("0x2da1dd332c84b200b13b273bee5487190c54ee83"),
        dispute_game_factory: address!("0x77bca78b72fe096e6009847aee0db96b4b516db9"),
        optimism_mintable_erc20_factory: address!("0x1be8579684f87f705b0a3a9acaaf042fad5b6b45"),
    },
    L1Bridge {
        portal: address!("0x35db67e10269a4610b9cef56288be1d786e85588"),
        l1_cross_domain_messenger: address!("0x23b54cecd5e3f8ebdc7924253451efcc849b6f73"),
        l1_standard_bridge: address!("0xdec843d33712336f078d7c60b213326f8410e5c9"),
        dispute_game_factory: address!("0x222f7ecdd4103e9e5abf27f3e1d4fe4d0149260d"),
        optimism_mintable_erc20_factory: address!("0x89275586218b7fe1d3cc28369618a6475eeeb626"),
    },
];

/// The first three bytes of every ruled L1 bridge address (`b1d9e0`, to be read as "bridge").
pub const RULED_PREFIX: [u8; 3] = [0xb1, 0xd9, 0xe0];

/// The role byte of each contract in a ruled address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum L1Role {
    /// `OptimismPortal`.
    Portal = 1,
    /// `L1CrossDomainMessenger`.
    L1CrossDomainMessenger = 2,
    /// `L1StandardBridge`.
    L1StandardBridge = 3,
    /// `DisputeGameFactory`.
    DisputeGameFactory = 4,
    /// `OptimismMintableERC20Factory`.
    OptimismMintableERC20Factory = 5,
}

/// The ruled address of `role` for the L2 `l2_chain_id`: [`RULED_PREFIX`], the role byte, eight zero bytes, the
/// chain ID as a big-endian `u64`.
pub fn ruled_address(role: L1Role, l2_chain_id: u64) -> Address {
    let mut bytes = [0u8; 20];
    bytes[..3].copy_from_slice(&RULED_PREFIX);
    bytes[3] = role as u8;
    bytes[12..].copy_from_slice(&l2_chain_id.to_be_bytes());
    Address::from(bytes)
}

/// The L1 contracts of `l2_chain_id` by the rule, whatever the chain.
pub fn ruled_l1_bridge(l2_chain_id: u64) -> L1Bridge {
    L1Bridge {
        portal: ruled_address(L1Role::Portal, l2_chain_id),
        l1_cross_domain_messenger: ruled_address(L1Role::L1CrossDomainMessenger, l2_chain_id),
        l1_standard_bridge: ruled_address(L1Role::L1StandardBridge, l2_chain_id),
        dispute_game_factory: ruled_address(L1Role::DisputeGameFactory, l2_chain_id),
        optimism_mintable_erc20_factory: ruled_address(L1Role::OptimismMintableERC20Factory, l2_chain_id),
    }
}

fn supersim_index(l2_chain_id: u64) -> Option<usize> {
    SUPERSIM_CHAIN_IDS.iter().position(|id| *id == l2_chain_id)
}

/// Where the L1 contracts of `l2_chain_id`, with their state, live: viem's addresses for 901 to 905, the rule
/// for any other chain.
pub fn l1_bridge(l2_chain_id: u64) -> L1Bridge {
    match supersim_index(l2_chain_id) {
        Some(i) => VIEM[i],
        None => ruled_l1_bridge(l2_chain_id),
    }
}

/// The second addresses of the L1 contracts of `l2_chain_id` (forwarders to [`l1_bridge`]): supersim's current
/// genesis for 901 to 905, none for any other chain.
pub fn l1_bridge_aliases(l2_chain_id: u64) -> Option<L1Bridge> {
    supersim_index(l2_chain_id).map(|i| SUPERSIM_CURRENT[i])
}

/// The L2 whose portal (at either of its addresses) is `address`, among `l2_chain_ids`.
pub fn portal_chain(address: Address, l2_chain_ids: impl IntoIterator<Item = u64>) -> Option<u64> {
    l2_chain_ids.into_iter().find(|id| {
        l1_bridge(*id).portal == address || l1_bridge_aliases(*id).is_some_and(|a| a.portal == address)
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn supersim_chains_use_viem_addresses_with_current_genesis_aliases() {
        assert_eq!(l1_bridge(901).portal, address!("0x6cd0121a4eeedb8f07007773e46b1aaac17e5e07"));
        assert_eq!(
            l1_bridge_aliases(901).map(|a| a.portal),
            Some(address!("0x75ceb25776d0402972b736f6e13fd0616be98f22"))
        );
        assert_eq!(l1_bridge_aliases(906), None);
        let mut seen = BTreeSet::new();
        for id in SUPERSIM_CHAIN_IDS {
            let aliases = l1_bridge_aliases(id).unwrap_or_else(|| panic!("{id} has aliases"));
            for address in l1_bridge(id).all().into_iter().chain(aliases.all()) {
                assert!(seen.insert(address), "{address} appears twice");
            }
        }
    }

    #[test]
    fn other_chains_follow_the_rule() {
        let bridge = l1_bridge(906);
        assert_eq!(bridge.portal, address!("0xb1d9e0010000000000000000000000000000038a"));
        assert_eq!(bridge.l1_cross_domain_messenger, address!("0xb1d9e0020000000000000000000000000000038a"));
        assert_eq!(bridge.l1_standard_bridge, address!("0xb1d9e0030000000000000000000000000000038a"));
        assert_eq!(bridge.dispute_game_factory, address!("0xb1d9e0040000000000000000000000000000038a"));
        assert_eq!(
            bridge.optimism_mintable_erc20_factory,
            address!("0xb1d9e0050000000000000000000000000000038a")
        );
        assert_ne!(l1_bridge(907).portal, bridge.portal);
        assert_eq!(portal_chain(bridge.portal, [901, 906]), Some(906));
        assert_eq!(
            portal_chain(address!("0x75ceb25776d0402972b736f6e13fd0616be98f22"), [901, 906]),
            Some(901)
        );
        assert_eq!(portal_chain(bridge.l1_standard_bridge, [901, 906]), None);
    }
}
