//! `version()`: every predeploy (and the SuperchainERC20 base, through the test token) answers its semantic
//! version, as the reference predeploys do.

use alloy_primitives::Address;
use alloy_sol_types::SolCall;
use superlink_contracts::{
    addresses::{
        CROSS_L2_INBOX, ETH_LIQUIDITY, L1_BLOCK, L2_TO_L1_MESSAGE_PASSER, L2_TO_L2_CROSS_DOMAIN_MESSENGER,
        SUPERCHAIN_ETH_BRIDGE, SUPERCHAIN_TOKEN_BRIDGE, TEST_SUPERCHAIN_ERC20,
    },
    bindings::{
        CrossL2Inbox, ETHLiquidity, L1Block, L2ToL1MessagePasser, L2ToL2CrossDomainMessenger,
        SuperchainETHBridge, SuperchainTokenBridge, TestSuperchainERC20,
    },
};

use crate::harness::Chain;

/// Whether `version` reads `MAJOR.MINOR.PATCH`, each a decimal number without leading zeros.
fn is_semantic_version(version: &str) -> bool {
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (*p == "0" || !p.starts_with('0'))
        })
}

fn version<C: SolCall<Return = String>>(chain: &mut Chain, at: Address, call: C) -> String {
    chain.view(at, &call)
}

#[test]
fn every_predeploy_answers_its_semantic_version() {
    let mut chain = Chain::new(901);
    let versions = [
        ("CrossL2Inbox", version(&mut chain, CROSS_L2_INBOX, CrossL2Inbox::versionCall {})),
        (
            "L2ToL2CrossDomainMessenger",
            version(&mut chain, L2_TO_L2_CROSS_DOMAIN_MESSENGER, L2ToL2CrossDomainMessenger::versionCall {}),
        ),
        (
            "SuperchainETHBridge",
            version(&mut chain, SUPERCHAIN_ETH_BRIDGE, SuperchainETHBridge::versionCall {}),
        ),
        ("ETHLiquidity", version(&mut chain, ETH_LIQUIDITY, ETHLiquidity::versionCall {})),
        (
            "SuperchainTokenBridge",
            version(&mut chain, SUPERCHAIN_TOKEN_BRIDGE, SuperchainTokenBridge::versionCall {}),
        ),
        ("SuperchainERC20", version(&mut chain, TEST_SUPERCHAIN_ERC20, TestSuperchainERC20::versionCall {})),
        ("L1Block", version(&mut chain, L1_BLOCK, L1Block::versionCall {})),
        (
            "L2ToL1MessagePasser",
            version(&mut chain, L2_TO_L1_MESSAGE_PASSER, L2ToL1MessagePasser::versionCall {}),
        ),
    ];
    for (name, version) in versions {
        assert!(is_semantic_version(&version), "{name} answers version {version:?}");
    }
    assert!(!is_semantic_version("1.0"), "the check itself refuses a short version");
    assert!(!is_semantic_version("1.02.0"), "the check itself refuses leading zeros");
}
