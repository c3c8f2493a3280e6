//! viem's OP Stack actions against the bridge: an L1 and an L2 on anvil carry the genesis allocations of
//! `bridge_l1_allocs`/`bridge_l2_allocs` (placed with `anvil_setCode`/`anvil_setStorageAt`), and
//! `tests/viem/bridge_round_trip.mjs` deposits with `depositTransaction`, then withdraws and proves and finalizes
//! with `getWithdrawalStatus`, `buildProveWithdrawal`, `proveWithdrawal`, `getTimeToFinalize` and
//! `finalizeWithdrawal`, exactly as an app does against supersim, configured with viem's supersim addresses or with
//! those of supersim's current genesis.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::{collections::BTreeMap, path::Path, process::Command};

use alloy_primitives::{Address, address};
use superlink_contracts::{
    BridgeConfig, GenesisAccount,
    bridge_addresses::{L1Bridge, l1_bridge, l1_bridge_aliases},
    bridge_l1_allocs, bridge_l2_allocs, multicall3_allocs, predeploy_allocs,
};
use superlink_testkit::{Anvil, Cast};

/// anvil's second development account, the proposer.
const PROPOSER: Address = address!("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");

fn place(anvil: &Anvil, cast: &Cast, allocs: BTreeMap<Address, GenesisAccount>) {
    let url = anvil.url();
    let rpc = |args: &[&str]| {
        let mut all = vec!["rpc"];
        all.extend_from_slice(args);
        all.extend(["--rpc-url", &url]);
        cast.run(all).expect("anvil RPC");
    };
    for (address, account) in allocs {
        let address = address.to_string();
        rpc(&["anvil_setCode", &address, &account.code.unwrap_or_default().to_string()]);
        for (slot, value) in account.storage.unwrap_or_default() {
            rpc(&["anvil_setStorageAt", &address, &slot.to_string(), &value.to_string()]);
        }
    }
}

/// Runs the viem round trip with the app configured with `configured` (the L1 contracts of chain 901 at one of
/// their generations of addresses).
fn round_trip(configured: L1Bridge) {
    let config = BridgeConfig::new(PROPOSER);
    let (l1, l2) = (Anvil::spawn(900, &[]).expect("anvil L1"), Anvil::spawn(901, &[]).expect("anvil L2"));
    let cast = Cast::new().expect("cast");
    let mut l1_allocs = bridge_l1_allocs([901], &config);
    l1_allocs.extend(multicall3_allocs());
    place(&l1, &cast, l1_allocs);
    let mut l2_allocs = predeploy_allocs(901);
    l2_allocs.extend(bridge_l2_allocs(901));
    place(&l2, &cast, l2_allocs);

    let addresses = serde_json::json!({
        "portal": configured.portal.to_string(),
        "l1StandardBridge": configured.l1_standard_bridge.to_string(),
        "l1CrossDomainMessenger": configured.l1_cross_domain_messenger.to_string(),
        "disputeGameFactory": configured.dispute_game_factory.to_string(),
        "proofMaturityDelaySeconds": config.proof_maturity_delay_seconds,
        "ethHolder": l1_bridge(901).portal.to_string(),
    });
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/viem/bridge_round_trip.mjs");
    let output = Command::new("node")
        .arg(&script)
        .args([l1.url(), l2.url(), addresses.to_string()])
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "viem round trip failed:\n{stdout}\n{stderr}");
    assert_eq!(stdout.trim(), "ok");
}

#[test]
fn a_deposit_and_a_withdrawal_round_trip_with_viems_op_stack_actions() {
    round_trip(l1_bridge(901));
}

#[test]
fn the_round_trip_works_as_well_at_supersims_current_genesis_addresses() {
    round_trip(l1_bridge_aliases(901).expect("901 has current-genesis addresses"));
}
