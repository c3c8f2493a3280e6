//! Black-box tests of `superlink devnet`: the binary runs on free ports with one-second L2 blocks, and cast
//! (and `superlink relay`) drive it as an app developer would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use serde_json::Value;

#[path = "support/devnet.rs"]
mod devnet;
#[path = "support/messages.rs"]
mod messages;

use devnet::{Devnet, KEY_0, KEY_1, KEY_2, address_of, cast, json, ok};
use messages::{
    COUNTER, MESSENGER, count, increment_remote, number, pooled, relay_call, relayed_messages, sent_log,
    superlink, with_last_digit_changed,
};

#[test]
fn every_chain_answers_with_its_chain_id_and_funds_the_dev_accounts_then_exits_0_on_sigterm() {
    let devnet = Devnet::start(&["--l2-count", "5"]);
    let info = &devnet.info;
    let mut chains = vec![info["l1"].clone()];
    chains.extend(info["l2s"].as_array().unwrap().iter().cloned());
    let ids: Vec<u64> = chains.iter().map(|c| c["chainId"].as_u64().unwrap()).collect();
    assert_eq!(ids, [900, 901, 902, 903, 904, 905]);
    let accounts = info["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 10);
    for account in accounts {
        let key = account["privateKey"].as_str().unwrap();
        assert_eq!(ok(&["wallet", "address", "--private-key", key]), account["address"].as_str().unwrap());
    }
    for chain in &chains {
        let url = chain["rpcUrl"].as_str().unwrap();
        assert_eq!(ok(&["chain-id", "--rpc-url", url]), chain["chainId"].to_string());
        for account in accounts {
            let address = account["address"].as_str().unwrap();
            assert_eq!(ok(&["balance", address, "--rpc-url", url]), account["balance"].as_str().unwrap());
        }
    }
    // Every chain has its own genesis block.
    let genesis: std::collections::BTreeSet<String> = chains
        .iter()
        .map(|c| ok(&["block", "0", "--field", "hash", "--rpc-url", c["rpcUrl"].as_str().unwrap()]))
        .collect();
    assert_eq!(genesis.len(), chains.len(), "chains share a genesis block: {genesis:?}");
    // The predeploys and the example app have code on every L2.
    for chain in info["l2s"].as_array().unwrap() {
        let url = chain["rpcUrl"].as_str().unwrap();
        for address in [info["predeploys"]["CrossL2Inbox"].as_str().unwrap(), COUNTER] {
            assert_ne!(ok(&["code", address, "--rpc-url", url]), "0x", "{address} on {url}");
        }
    }
    assert_eq!(info["exampleApps"]["CrossChainCounter"].as_str().unwrap().to_lowercase(), COUNTER);
    // The verifier follows the whole dependency set.
    let status: Value =
        serde_json::from_str(&ok(&["rpc", "supervisor_syncStatus", "--rpc-url", &devnet.verifier()]))
            .unwrap();
    let followed: Vec<&String> = status["chains"].as_object().unwrap().keys().collect();
    assert_eq!(followed, ["901", "902", "903", "904", "905"]);
    // Blocks of every L2 are built at the same timestamps.
    let (u901, u905) = (devnet.l2(901), devnet.l2(905));
    let block = devnet.wait_for("901 and 905 pass block 2", || {
        let a: u64 = ok(&["block-number", "--rpc-url", &u901]).parse().unwrap();
        let b: u64 = ok(&["block-number", "--rpc-url", &u905]).parse().unwrap();
        (a >= 2 && b >= 2).then_some(2)
    });
    let ts = |url: &str| ok(&["block", &block.to_string(), "--field", "timestamp", "--rpc-url", url]);
    assert_eq!(ts(&u901), ts(&u905));

    let (status, log) = devnet.terminate();
    assert!(status.success(), "devnet should exit 0 on SIGTERM: {log}");
    assert!(log.contains("devnet stopped"), "{log}");
}

#[test]
fn a_message_is_relayed_automatically_and_the_receiving_block_becomes_cross_unsafe_then_cross_safe() {
    let devnet = Devnet::start(&["--l1-block-time", "2"]);
    let (u901, u902) = (devnet.l2(901), devnet.l2(902));
    let before = count(&u902);
    increment_remote(&u901);
    devnet.wait_for("the counter on 902 changes", || (count(&u902) == before + 1).then_some(()));
    // The block that executed the relay on 902.
    let logs = relayed_messages(&u902);
    let receiving = number(&logs.as_array().unwrap().last().expect("a RelayedMessage log")["blockNumber"]);
    let verifier = devnet.verifier();
    devnet.wait_for("the receiving block is cross-unsafe", || {
        let head: Value =
            serde_json::from_str(&ok(&["rpc", "supervisor_crossUnsafe", "902", "--rpc-url", &verifier]))
                .ok()?;
        (number(&head["number"]) >= receiving).then_some(())
    });
    let status: Value =
        serde_json::from_str(&ok(&["rpc", "supervisor_syncStatus", "--rpc-url", &verifier])).unwrap();
    assert!(number(&status["chains"]["902"]["crossUnsafe"]["number"]) >= receiving, "{status}");
    // The next L1 block labels it safe; the verifier then finds it cross-safe.
    devnet.wait_for("the receiving block is cross-safe", || {
        let head: Value =
            serde_json::from_str(&ok(&["rpc", "supervisor_crossSafe", "902", "--rpc-url", &verifier]))
                .ok()?;
        (number(&head["derived"]["number"]) >= receiving).then_some(())
    });
    let (exit, log) = devnet.terminate();
    assert!(exit.success(), "{log}");
    assert!(log.contains("message relayed"), "{log}");
}

#[test]
fn two_devnets_on_different_ports_run_side_by_side_without_sharing_state() {
    let (a, b) = (Devnet::start(&[]), Devnet::start(&[]));
    assert_ne!(a.l2(901), b.l2(901));
    // Two messages through devnet A, one through devnet B: each counter sees only its own devnet's messages.
    for _ in 0..2 {
        increment_remote(&a.l2(901));
    }
    increment_remote(&b.l2(901));
    a.wait_for("devnet A delivers both", || (count(&a.l2(902)) == 2).then_some(()));
    b.wait_for("devnet B delivers its one", || (count(&b.l2(902)) == 1).then_some(()));
    let nonce =
        |url: &str| ok(&["nonce", "--rpc-url", url, &ok(&["wallet", "address", "--private-key", KEY_0])]);
    assert_eq!(nonce(&a.l2(901)), "2");
    assert_eq!(nonce(&b.l2(901)), "1");
    for devnet in [a, b] {
        let (exit, log) = devnet.terminate();
        assert!(exit.success(), "{log}");
    }
}

#[test]
fn viem_sends_a_message_watches_it_arrive_over_websocket_and_reads_the_relay() {
    let devnet = Devnet::start(&[]);
    let viem = superlink_testkit::node_package("viem").unwrap();
    let script = viem.parent().unwrap().parent().unwrap().join("viem").join("devnet.mjs");
    let ws = devnet.info["l2s"][1]["wsUrl"].as_str().unwrap().to_string();
    let out = Command::new("node")
        .arg(&script)
        .args([devnet.l2(901), devnet.l2(902), ws])
        .output()
        .expect("node runs");
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the viem client failed:\n{printed}\ndevnet log:\n{}", devnet.log());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
}

#[test]
fn without_autorelay_superlink_relay_delivers_undeclared_relays_fail_and_forged_ones_are_refused_at_every_entry()
 {
    let devnet = Devnet::start(&["--no-autorelay"]);
    assert!(devnet.info["autorelay"].is_null());
    let (u901, u902) = (devnet.l2(901), devnet.l2(902));
    let sent = increment_remote(&u901);
    let tx = sent["transactionHash"].as_str().unwrap();
    let log = sent_log(&sent, &u901);
    // Nobody relays it: the counter stays put for a few blocks.
    let start: u64 = ok(&["block-number", "--rpc-url", &u902]).parse().unwrap();
    devnet.wait_for("two more blocks on 902", || {
        let now: u64 = ok(&["block-number", "--rpc-url", &u902]).parse().unwrap();
        (now >= start + 2).then_some(())
    });
    assert_eq!(count(&u902), 0);
    // The relay executes only when its transaction declares the message: simulated with the access list it
    // delivers; without it the inbox reverts (NotInAccessList), and a transaction that carries it anyway is
    // mined as failed and changes nothing.
    let (access_list, calldata) = relay_call(&log, &log.payload);
    let relayer = address_of(KEY_2);
    let simulate = |extra: &[&str]| {
        let mut args =
            vec!["call", "--from", relayer.as_str(), MESSENGER, calldata.as_str(), "--rpc-url", &u902];
        args.extend(extra);
        cast(&args)
    };
    simulate(&["--access-list", &access_list]).expect("the declared relay executes");
    let undeclared = simulate(&[]).expect_err("an undeclared relay must revert");
    assert!(undeclared.contains(&ok(&["sig", "NotInAccessList()"])), "{undeclared}");
    let mined = json(&[
        "send",
        "--json",
        "--private-key",
        KEY_2,
        "--gas-limit",
        "1000000",
        MESSENGER,
        &calldata,
        "--rpc-url",
        &u902,
    ]);
    assert_eq!(mined["status"], "0x0", "{mined}");
    assert_eq!(count(&u902), 0);
    // Waiting for a relay that nobody sends ends with an error that says so, after printing the status.
    let waited =
        superlink(&["message", "status", "--from-rpc", &u901, "--to-rpc", &u902, "--tx", tx, "--wait", "1"]);
    assert!(!waited.status.success());
    assert!(String::from_utf8_lossy(&waited.stdout).contains("sent (not relayed yet)"));
    assert!(String::from_utf8_lossy(&waited.stderr).contains("still not relayed after waiting 1 s"));

    let out = superlink(&[
        "relay",
        "--from-rpc",
        &u901,
        "--to-rpc",
        &u902,
        "--tx",
        tx,
        "--private-key",
        KEY_1,
        "--json",
    ]);
    assert!(out.status.success(), "superlink relay failed: {}", String::from_utf8_lossy(&out.stderr));
    devnet.wait_for("the counter on 902 changes", || (count(&u902) == 1).then_some(()));

    // Forged relays are refused by the sequencer's pool with the verifier's reason at every entry, and nothing
    // is mined. The genuine relay declares the message; with one of its checksum's bytes changed it does not.
    let logs = relayed_messages(&u902);
    let relay_tx = logs.as_array().unwrap().last().unwrap()["transactionHash"].as_str().unwrap().to_string();
    let relay: Value = serde_json::from_str(&ok(&["tx", &relay_tx, "--json", "--rpc-url", &u902])).unwrap();
    let mut mismatched = relay["accessList"].clone();
    let keys = mismatched[0]["storageKeys"].as_array_mut().unwrap();
    let checksum = keys.last_mut().unwrap();
    *checksum = Value::String(with_last_digit_changed(checksum.as_str().unwrap()));
    let mismatched = mismatched.to_string();
    let input = relay["input"].as_str().unwrap().to_string();
    // A payload the source never emitted, declared honestly: its checksum is right, the log is not there.
    let (forged_list, forged_input) = relay_call(&log, &with_last_digit_changed(&log.payload));

    let impersonated = "0x000000000000000000000000000000000000dEaD";
    ok(&["rpc", "anvil_impersonateAccount", impersonated, "--rpc-url", &u902]);
    ok(&["rpc", "anvil_setBalance", impersonated, "0xde0b6b3a7640000", "--rpc-url", &u902]);
    // (entry, how cast signs, the sender, the access list, the calldata)
    let entries = [
        ("eth_sendRawTransaction", ["--private-key", KEY_2], &relayer, &mismatched, &input),
        ("eth_sendTransaction", ["--unlocked", "--from"], &relayer, &forged_list, &forged_input),
        ("an impersonated send", ["--unlocked", "--from"], &impersonated.to_string(), &mismatched, &input),
    ];
    for (entry, signing, from, access_list, calldata) in entries {
        let nonce_before = ok(&["nonce", "--rpc-url", &u902, from]);
        let mut args = vec!["send"];
        args.extend(signing);
        if signing[0] == "--unlocked" {
            args.push(from);
        }
        args.extend([MESSENGER, calldata, "--access-list", access_list, "--gas-limit", "1000000"]);
        args.extend(["--rpc-url", &u902]);
        let refused = cast(&args).expect_err("a forged relay must be refused");
        assert!(refused.contains("invalid executing message"), "{entry}: {refused}");
        assert!(refused.contains("does not match the log"), "{entry}: {refused}");
        assert_eq!(ok(&["nonce", "--rpc-url", &u902, from]), nonce_before, "{entry}: nothing is mined");
    }
    assert_eq!(count(&u902), 1);
}

#[test]
fn a_pending_relay_is_dropped_when_its_source_block_is_rewound() {
    let devnet = Devnet::start(&["--no-autorelay"]);
    let (u901, u902) = (devnet.l2(901), devnet.l2(902));
    let snapshot = ok(&["rpc", "evm_snapshot", "--rpc-url", &u901]);
    let sent = increment_remote(&u901);
    let log = sent_log(&sent, &u901);

    // The relay, built by hand, with a nonce one ahead so that it waits in the pool.
    let (access_list, calldata) = relay_call(&log, &log.payload);
    let relayer = address_of(KEY_1);
    let nonce: u64 = ok(&["nonce", &relayer, "--rpc-url", &u902]).parse().unwrap();
    let relay = ok(&[
        "send",
        "--async",
        "--private-key",
        KEY_1,
        "--nonce",
        &(nonce + 1).to_string(),
        "--gas-limit",
        "1000000",
        "--access-list",
        &access_list,
        MESSENGER,
        &calldata,
        "--rpc-url",
        &u902,
    ]);
    assert!(pooled(&u902, &relay), "the relay waits in 902's pool");
    // While its message stands, the re-checks after each block keep it.
    let start: u64 = ok(&["block-number", "--rpc-url", &u902]).parse().unwrap();
    devnet.wait_for("two more blocks on 902", || {
        let now: u64 = ok(&["block-number", "--rpc-url", &u902]).parse().unwrap();
        (now >= start + 2).then_some(())
    });
    assert!(pooled(&u902, &relay), "a relay of a standing message stays pooled");

    // 901 goes back to before the message; the verifier follows, and 902's next re-check drops the relay.
    assert_eq!(ok(&["rpc", "evm_revert", snapshot.trim_matches('"'), "--rpc-url", &u901]), "true");
    devnet.wait_for("the relay is dropped from 902's pool", || (!pooled(&u902, &relay)).then_some(()));
    assert!(devnet.log().contains(&relay), "the devnet logs the dropped relay: {}", devnet.log());
    assert_eq!(ok(&["nonce", &relayer, "--rpc-url", &u902]), nonce.to_string());
    assert_eq!(count(&u902), 0);
}

#[test]
fn a_bad_configuration_is_refused_with_exit_status_2() {
    let out = superlink(&["devnet", "--l2-count", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let out = superlink(&["devnet", "--dependency-set", "901,999", "--l1-port", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("999"));
}
