//! Black-box tests of safety derived from the L1, one devnet per scenario: the `superlink` binary runs a devnet with
//! one-second L1 and L2 blocks, faults are injected with `superlink devnet fault ...`, and what a user sees is read
//! with `superlink devnet status --json`, `superlink message status`, the verifier's and the rollup nodes' RPC and
//! cast: a halted batcher, a batcher halted past the sequencing window, a shared batcher, a forged message, an L1
//! reorg, an equivocating sequencer, and a standalone verifier following the same devnet.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

#[path = "support/devnet.rs"]
mod devnet;
#[path = "support/messages.rs"]
mod messages;

use devnet::{Devnet, KEY_0, PATIENCE, address_of, cast, free_ports, json, ok};
use messages::{COUNTER, count, number, relayed_messages, superlink};

/// The example `TestSuperchainERC20` (every L2).
const TOKEN: &str = "0x5111000000000000000000000000000000000002";
/// The type of a deposit transaction.
const DEPOSIT_TX_TYPE: &str = "0x7e";

/// Runs `superlink ARGS --json`; its output as JSON, failing the test if the command fails.
fn superlink_json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = superlink(&all);
    assert!(out.status.success(), "superlink {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("superlink {args:?} printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stdout))
    })
}

/// `superlink devnet ARGS --control-url <the devnet's control port> --json`.
fn control(devnet: &Devnet, args: &[&str]) -> Value {
    let url = devnet.verifier();
    let mut all = vec!["devnet"];
    all.extend_from_slice(args);
    all.extend(["--control-url", url.as_str()]);
    superlink_json(&all)
}

/// `superlink devnet status --json`.
fn status(devnet: &Devnet) -> Value {
    control(devnet, &["status"])
}

/// A block as `{number, hash}`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Id {
    number: u64,
    hash: String,
}

fn id(v: &Value) -> Id {
    Id {
        number: number(&v["number"]),
        hash: v["hash"].as_str().unwrap_or_else(|| panic!("no hash: {v}")).into(),
    }
}

/// One chain's row of `superlink devnet status --json`.
#[derive(Debug, Clone)]
struct Heads {
    unsafe_head: u64,
    cross_unsafe: u64,
    local_safe: Id,
    local_safe_from: Option<Id>,
    cross_safe: Id,
    cross_safe_from: Option<Id>,
    finalized: u64,
    halted: bool,
    posted: Option<u64>,
}

fn heads(status: &Value, chain_id: u64) -> Heads {
    let chain = status["chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["chainId"] == chain_id)
        .unwrap_or_else(|| panic!("no chain {chain_id} in {status}"));
    let from = |level: &str| chain[level].get("derivedFrom").filter(|v| !v.is_null()).map(id);
    Heads {
        unsafe_head: number(&chain["unsafeHead"]["number"]),
        cross_unsafe: number(&chain["crossUnsafe"]["number"]),
        local_safe: id(&chain["localSafe"]["derived"]),
        local_safe_from: from("localSafe"),
        cross_safe: id(&chain["crossSafe"]["derived"]),
        cross_safe_from: from("crossSafe"),
        finalized: number(&chain["finalized"]["derived"]["number"]),
        halted: chain["batcher"]["halted"].as_bool().unwrap(),
        posted: chain["batcher"]["posted"].as_u64(),
    }
}

/// `cast rpc METHOD PARAMS... --rpc-url URL`, parsed.
fn rpc(url: &str, method: &str, params: &[&str]) -> Value {
    let mut args = vec!["rpc", "--rpc-url", url, method];
    args.extend_from_slice(params);
    json(&args)
}

/// The hash of block `number` (or a tag) of the chain at `url`.
fn block_hash(url: &str, block: &str) -> String {
    ok(&["block", block, "--field", "hash", "--rpc-url", url])
}

/// The number of the block tagged `tag` (`safe`, `finalized`) on the chain at `url`.
fn tagged(url: &str, tag: &str) -> u64 {
    ok(&["block", tag, "--field", "number", "--rpc-url", url]).parse().unwrap()
}

/// Whether every transaction of block `number` of the chain at `url` is a deposit.
fn only_deposits(url: &str, number: u64) -> bool {
    let block = json(&["block", &number.to_string(), "--full", "--json", "--rpc-url", url]);
    let txs = block["transactions"].as_array().unwrap();
    !txs.is_empty() && txs.iter().all(|tx| tx["type"] == DEPOSIT_TX_TYPE)
}

/// The block that holds `tx` on the chain at `url`, if the chain has the transaction.
fn receipt_block(url: &str, tx: &str) -> Option<Id> {
    let out = cast(&["receipt", "--async", "--json", tx, "--rpc-url", url]).ok()?;
    let receipt: Value = serde_json::from_str(&out).unwrap();
    Some(Id { number: number(&receipt["blockNumber"]), hash: receipt["blockHash"].as_str().unwrap().into() })
}

/// Sends the counter's `incrementRemote(902)` from dev account 0 on the chain at `url`: (tx hash, its block).
fn increment_remote(url: &str) -> (String, Id) {
    let receipt = json(&[
        "send",
        "--json",
        "--private-key",
        KEY_0,
        COUNTER,
        "incrementRemote(uint256)",
        "902",
        "--rpc-url",
        url,
    ]);
    assert_eq!(receipt["status"], "0x1", "{receipt}");
    let block =
        Id { number: number(&receipt["blockNumber"]), hash: receipt["blockHash"].as_str().unwrap().into() };
    (receipt["transactionHash"].as_str().unwrap().into(), block)
}

fn token_balance(url: &str, owner: &str) -> u64 {
    let out = ok(&["call", TOKEN, "balanceOf(address)(uint256)", owner, "--rpc-url", url]);
    out.split_whitespace().next().unwrap().parse().unwrap()
}

/// `superlink message status` of the one message `tx` sent from 901 to 902: `Ok(its JSON entry)`, or
/// `Err(the error it printed)`.
fn message_status(devnet: &Devnet, tx: &str) -> Result<Value, String> {
    let out = superlink(&[
        "message",
        "status",
        "--from-rpc",
        &devnet.l2(901),
        "--to-rpc",
        &devnet.l2(902),
        "--tx",
        tx,
        "--json",
    ]);
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    Ok(doc["messages"][0].clone())
}

/// Waits until the message of `tx` (901 to 902) is reported relayed by a transaction; the relay transaction and
/// its block.
fn wait_relayed(devnet: &Devnet, tx: &str) -> (String, Id) {
    let (relay, number) = devnet.wait_for("the autorelayer relays the message", || {
        let status = message_status(devnet, tx).ok()?;
        let delivery = &status["delivery"];
        // `relayed` may come a moment before the relay's log is found: then without a transaction.
        let relay = delivery["transaction"].as_str().filter(|_| status["status"] == "relayed")?;
        Some((relay.to_string(), number(&delivery["blockNumber"])))
    });
    let hash = block_hash(&devnet.l2(902), &number.to_string());
    (relay, Id { number, hash })
}

/// A block is still at its place on the chain at `url`.
fn still_there(url: &str, block: &Id) -> bool {
    block_hash(url, &block.number.to_string()) == block.hash
}

/// The L1 block hash at `number`.
fn l1_hash(devnet: &Devnet, number: u64) -> String {
    block_hash(&devnet.l1(), &number.to_string())
}

#[test]
fn a_halted_batcher_stalls_its_chains_safety_and_the_safety_of_a_chain_that_consumed_its_message() {
    let devnet =
        Devnet::start(&["--l1-block-time", "1", "--sequencing-window", "60", "--l1-finality-depth", "2"]);
    let (a, b) = (devnet.l2(901), devnet.l2(902));
    devnet.wait_for("both chains are local-safe past block 2", || {
        let s = status(&devnet);
        (heads(&s, 901).local_safe.number > 2 && heads(&s, 902).local_safe.number > 2).then_some(())
    });

    let halted = control(&devnet, &["fault", "halt-batcher", "901"]);
    assert_eq!(halted["halted"], true, "{halted}");
    // What was posted before the halt may still land; nothing after it.
    let posted = halted["posted"].as_u64().expect("the batcher posted before the halt");
    let (tx, sent) = increment_remote(&a);
    assert!(
        sent.number > posted,
        "the message is sent after the last batch ({posted}): block {}",
        sent.number
    );
    let (relay_tx, relay) = wait_relayed(&devnet, &tx);
    assert_eq!(count(&b), 1);

    // 902 derives its relay block and goes on; 901 builds and cross-validates blocks but derives none of them.
    let s = devnet.wait_for("902 is local-safe past its relay and 901 cross-unsafe past the message", || {
        let s = status(&devnet);
        let (h1, h2) = (heads(&s, 901), heads(&s, 902));
        (h2.local_safe.number > relay.number + 2 && h1.cross_unsafe > sent.number + 2).then_some(s)
    });
    let (h1, h2) = (heads(&s, 901), heads(&s, 902));
    assert!(h1.halted && !h2.halted, "only 901's batcher is halted: {s}");
    assert!(
        h1.local_safe.number <= posted,
        "901 local-safe {} passed its last batch {posted}",
        h1.local_safe.number
    );
    assert!(
        h1.cross_safe.number <= posted,
        "901 cross-safe {} passed its last batch {posted}",
        h1.cross_safe.number
    );
    assert!(h1.unsafe_head > sent.number + 2 && h1.unsafe_head >= h1.cross_unsafe);
    assert!(h2.cross_unsafe >= relay.number, "the relay is valid at cross-unsafe: {s}");
    assert!(
        h2.cross_safe.number < relay.number,
        "902's cross-safe {} passed its relay (block {}) of a message 901 has not derived",
        h2.cross_safe.number,
        relay.number
    );
    assert!(tagged(&a, "safe") <= posted, "`cast block safe` on 901 passed the last batch");
    assert!(tagged(&b, "safe") < relay.number, "`cast block safe` on 902 passed the relay");
    let cross_safe = rpc(&devnet.verifier(), "supervisor_crossSafe", &["902"]);
    assert!(number(&cross_safe["derived"]["number"]) < relay.number, "{cross_safe}");

    let resumed = control(&devnet, &["fault", "resume-batcher", "901"]);
    assert_eq!(resumed["halted"], false, "{resumed}");
    let s =
        devnet.wait_for("both chains are cross-safe and finalized past the message and its relay", || {
            let s = status(&devnet);
            let (h1, h2) = (heads(&s, 901), heads(&s, 902));
            (h1.local_safe.number > relay.number
                && h2.local_safe.number > relay.number
                && h1.cross_safe.number >= sent.number
                && h2.cross_safe.number >= relay.number
                && h1.finalized >= sent.number
                && h2.finalized >= relay.number)
                .then_some(s)
        });
    assert!(!heads(&s, 901).halted);
    assert!(tagged(&a, "safe") >= sent.number && tagged(&b, "safe") >= relay.number);
    assert!(tagged(&a, "finalized") >= sent.number, "`cast block finalized` on 901 follows");
    assert!(tagged(&b, "finalized") >= relay.number, "`cast block finalized` on 902 follows");
    // Nothing was replaced: the message and its relay stand where they were.
    assert!(still_there(&a, &sent) && still_there(&b, &relay));
    assert_eq!(receipt_block(&b, &relay_tx), Some(relay));
    assert_eq!(count(&b), 1);
}

#[test]
fn a_batcher_halted_past_the_sequencing_window_loses_its_blocks_and_the_relays_of_their_messages() {
    let devnet = Devnet::start(&["--l1-block-time", "1", "--sequencing-window", "12"]);
    let (a, b) = (devnet.l2(901), devnet.l2(902));
    let me = address_of(KEY_0);
    let minted = json(&[
        "send",
        "--json",
        "--private-key",
        KEY_0,
        TOKEN,
        "mint(address,uint256)",
        &me,
        "1000",
        "--rpc-url",
        &a,
    ]);
    let mint_block = number(&minted["blockNumber"]);
    devnet.wait_for("the mint is cross-safe", || {
        (heads(&status(&devnet), 901).cross_safe.number >= mint_block).then_some(())
    });
    let total = token_balance(&a, &me) + token_balance(&b, &me);
    assert_eq!(total, 1000);

    control(&devnet, &["fault", "halt-batcher", "901"]);
    let sent = superlink_json(&[
        "bridge",
        "erc20",
        "--from-rpc",
        &a,
        "--to-chain",
        "902",
        "--to",
        &me,
        "--token",
        TOKEN,
        "--amount",
        "400",
        "--private-key",
        KEY_0,
    ]);
    let tx = sent["transactionHash"].as_str().unwrap().to_string();
    let burnt = receipt_block(&a, &tx).expect("the bridge transaction is mined");
    let (relay_tx, relay) = wait_relayed(&devnet, &tx);
    assert_eq!(token_balance(&b, &me), 400, "minted on 902 by the relay");

    // The window passes with no batch of 901: its block with the burn is replaced by a deposits-only block, and
    // the relay on 902, which executes a message that no longer exists, with it.
    devnet.wait_for("the burn's block and the relay's block are replaced", || {
        (!still_there(&a, &burnt) && !still_there(&b, &relay)).then_some(())
    });
    assert!(only_deposits(&a, burnt.number), "901's block {} keeps a user transaction", burnt.number);
    assert!(only_deposits(&b, relay.number), "902's block {} keeps a user transaction", relay.number);
    let control_status = status(&devnet);
    assert!(heads(&control_status, 901).halted, "the batcher is still halted: {control_status}");

    control(&devnet, &["fault", "resume-batcher", "901"]);
    let settled = devnet.wait_for("both chains are cross-safe past the replaced blocks", || {
        let s = status(&devnet);
        (heads(&s, 901).cross_safe.number > burnt.number + 2
            && heads(&s, 902).cross_safe.number > relay.number + 2)
            .then_some(s)
    });
    assert!(!heads(&settled, 901).halted);
    // The old relay is no longer a delivery: its transaction left 902 (or sits in another block).
    let relay_now = receipt_block(&b, &relay_tx);
    assert!(relay_now.as_ref().is_none_or(|r| *r != relay), "the relay still stands: {relay_now:?}");
    match receipt_block(&a, &tx) {
        // The bridge transaction was lost with its block: the message never existed, nothing is delivered.
        None => {
            let error = message_status(&devnet, &tx).expect_err("the message's transaction is gone");
            assert!(error.contains("is not known to the source chain"), "{error}");
            assert_eq!(relayed_messages(&b), json!([]), "no delivery is left on 902");
            assert_eq!(token_balance(&a, &me), 1000, "the burn is undone");
        }
        // Executed again in a later block: its message is relayed again, by another relay.
        Some(again) => {
            assert_ne!(again, burnt, "the burn is still in its replaced block");
            let (relay_again, _) = wait_relayed(&devnet, &tx);
            assert_ne!(relay_again, relay_tx, "still reported relayed by the replaced relay");
        }
    }
    assert_eq!(
        token_balance(&a, &me) + token_balance(&b, &me),
        total,
        "the supply across 901 and 902 is conserved"
    );
}

#[test]
fn a_halted_shared_batcher_stalls_every_chain_together_and_invalidates_nothing() {
    let devnet = Devnet::start(&[
        "--l1-block-time",
        "1",
        "--shared-batcher",
        "--sequencing-window",
        "60",
        "--l1-finality-depth",
        "2",
    ]);
    let (a, b) = (devnet.l2(901), devnet.l2(902));
    // One batcher, one inbox: both rollup nodes read the same address.
    let inbox_a = rpc(&devnet.rollup(901), "optimism_rollupConfig", &[])["batch_inbox_address"].clone();
    let inbox_b = rpc(&devnet.rollup(902), "optimism_rollupConfig", &[])["batch_inbox_address"].clone();
    assert_eq!(inbox_a, inbox_b);
    let inbox = inbox_a.as_str().unwrap().to_lowercase();

    // Every chain becomes local-safe from the same L1 block, which holds one batcher transaction for both.
    let l1_block = devnet.wait_for("both chains' local-safe heads come from the same L1 block", || {
        let s = status(&devnet);
        let (h1, h2) = (heads(&s, 901), heads(&s, 902));
        let from = h1.local_safe_from.clone()?;
        (h1.local_safe.number > 2 && h2.local_safe.number > 2 && h2.local_safe_from.as_ref() == Some(&from))
            .then_some(from)
    });
    let at_l1 = format!("{:#x}", l1_block.number);
    for chain in [901, 902] {
        let record = rpc(&devnet.rollup(chain), "optimism_safeHeadAtL1Block", &[&at_l1]);
        assert_eq!(id(&record["l1Block"]), l1_block, "chain {chain}: {record}");
    }
    let l1 = json(&["block", &l1_block.number.to_string(), "--full", "--json", "--rpc-url", &devnet.l1()]);
    let to_inbox = l1["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|tx| tx["to"].as_str().is_some_and(|to| to.to_lowercase() == inbox))
        .count();
    assert_eq!(to_inbox, 1, "one meta-batch transaction carries both chains' batches: {l1}");

    // Halting through one chain halts the one batcher: both chains report it halted.
    let halted = control(&devnet, &["fault", "halt-batcher", "901"]);
    assert_eq!(halted["halted"], true);
    let s = status(&devnet);
    assert_eq!(s["sharedBatcher"], true);
    let posted: Vec<u64> = [901, 902]
        .map(|c| {
            let h = heads(&s, c);
            assert!(h.halted, "chain {c}'s batches are halted too: {s}");
            h.posted.unwrap()
        })
        .to_vec();
    let (tx, sent) = increment_remote(&a);
    let (relay_tx, relay) = wait_relayed(&devnet, &tx);
    let s = devnet.wait_for("both chains build past the relay", || {
        let s = status(&devnet);
        (heads(&s, 901).cross_unsafe > relay.number + 2 && heads(&s, 902).cross_unsafe > relay.number + 2)
            .then_some(s)
    });
    for (chain, posted) in [901, 902].into_iter().zip(posted) {
        let h = heads(&s, chain);
        assert!(
            h.local_safe.number <= posted,
            "chain {chain} local-safe {} passed {posted}: {s}",
            h.local_safe.number
        );
        assert!(h.cross_safe.number <= posted, "chain {chain} cross-safe passed {posted}: {s}");
    }

    // Resumed through the other chain: both catch up, and the relay stands.
    let resumed = control(&devnet, &["fault", "resume-batcher", "902"]);
    assert_eq!(resumed["halted"], false);
    assert!(!heads(&status(&devnet), 901).halted, "resuming the shared batcher resumes every chain");
    let s = devnet.wait_for("both chains are cross-safe past the relay", || {
        let s = status(&devnet);
        (heads(&s, 901).cross_safe.number > relay.number && heads(&s, 902).cross_safe.number > relay.number)
            .then_some(s)
    });
    let (h1, h2) = (heads(&s, 901), heads(&s, 902));
    assert!(h1.local_safe_from.is_some() && h2.local_safe_from.is_some(), "{s}");
    assert!(still_there(&a, &sent), "the message's block was replaced");
    assert!(still_there(&b, &relay), "the relay's block was replaced");
    assert!(!only_deposits(&b, relay.number));
    assert_eq!(receipt_block(&b, &relay_tx), Some(relay.clone()));
    assert_eq!(message_status(&devnet, &tx).unwrap()["delivery"]["transaction"], relay_tx.as_str());
    assert_eq!(count(&b), 1);
    let invalid = rpc(&devnet.verifier(), "superlink_invalidBlocks", &[]);
    assert_eq!(invalid, json!([]), "the verifier found nothing invalid");
}

#[test]
fn a_forged_message_is_never_cross_unsafe_and_its_block_is_replaced_once_derived() {
    let devnet = Devnet::start(&["--l1-block-time", "1"]);
    let b = devnet.l2(902);
    devnet.wait_for("902 has a few blocks", || (tagged(&b, "latest") > 2).then_some(()));
    let injected = control(&devnet, &["fault", "inject-invalid-message", "902"]);
    let forged =
        Id { number: number(&injected["blockNumber"]), hash: injected["blockHash"].as_str().unwrap().into() };
    let forged_tx = injected["transactionHash"].as_str().unwrap().to_string();

    let verifier = devnet.verifier();
    let mut seen_below = false;
    let replacement = devnet.wait_for("the forged block is replaced and cross-unsafe moves past it", || {
        let cross_unsafe = id(&rpc(&verifier, "supervisor_crossUnsafe", &["902"]));
        assert_ne!(cross_unsafe.hash, forged.hash, "the forged block became cross-unsafe");
        seen_below |= cross_unsafe.number < forged.number;
        let now = block_hash(&b, &forged.number.to_string());
        (now != forged.hash && cross_unsafe.number > forged.number).then_some(now)
    });
    assert!(seen_below, "cross-unsafe was watched while the forged block was the chain's");
    assert!(only_deposits(&b, forged.number), "the replacement holds only deposits");
    assert_eq!(receipt_block(&b, &forged_tx), None, "the forged transaction left the chain");
    // The replacement and its descendants become safe.
    let s = devnet.wait_for("902 is cross-safe past the replaced block", || {
        let s = status(&devnet);
        (heads(&s, 902).cross_safe.number > forged.number).then_some(s)
    });
    assert_eq!(block_hash(&b, &forged.number.to_string()), replacement, "the replacement stays: {s}");
    assert!(tagged(&b, "safe") > forged.number);
}

#[test]
fn after_an_l1_reorg_local_safe_is_derived_again_from_the_new_branch() {
    let devnet = Devnet::start(&["--l1-block-time", "1"]);
    let before = devnet.wait_for("both chains are derived up to the L1 head", || {
        let s = status(&devnet);
        let head = id(&s["l1"]["head"]);
        let caught_up = [901, 902].iter().all(|c| heads(&s, *c).local_safe_from.as_ref() == Some(&head));
        (head.number >= 4 && caught_up).then_some(s)
    });
    let reorg = control(&devnet, &["fault", "reorg-l1", "2"]);
    let (fork, old_head, new_head) = (id(&reorg["fork"]), id(&reorg["oldHead"]), id(&reorg["newHead"]));
    assert_eq!(new_head.number, old_head.number);
    assert_ne!(l1_hash(&devnet, old_head.number), old_head.hash, "the old head is no longer canonical");
    let mut derived_before = Vec::new();
    for chain in [901, 902] {
        let h = heads(&before, chain);
        let from = h.local_safe_from.unwrap();
        assert!(from.number > fork.number, "the L1 moved two blocks between the status and the reorg");
        assert_ne!(
            l1_hash(&devnet, from.number),
            from.hash,
            "chain {chain}'s L1 source is no longer canonical"
        );
        derived_before.push((chain, h.local_safe, from));
    }

    let after = devnet.wait_for("both chains are derived from the new branch past the old head", || {
        let s = status(&devnet);
        let done = derived_before.iter().all(|(chain, safe, _)| {
            let h = heads(&s, *chain);
            h.local_safe.number > safe.number
                && h.local_safe_from.as_ref().is_some_and(|f| f.number > old_head.number)
                && h.cross_safe_from.as_ref().is_some_and(|f| f.number > old_head.number)
        });
        done.then_some(s)
    });
    for (chain, _, from) in &derived_before {
        let h = heads(&after, *chain);
        for (level, source) in
            [("local-safe", h.local_safe_from.unwrap()), ("cross-safe", h.cross_safe_from.unwrap())]
        {
            assert_eq!(
                l1_hash(&devnet, source.number),
                source.hash,
                "chain {chain}'s {level} source is canonical"
            );
        }
        // The rollup node's record at the replaced L1 height names the new branch's block.
        let record =
            rpc(&devnet.rollup(*chain), "optimism_safeHeadAtL1Block", &[&format!("{:#x}", from.number)]);
        let l1 = id(&record["l1Block"]);
        assert!(l1.number > fork.number && l1.number <= from.number, "chain {chain}: {record}");
        assert_eq!(
            l1.hash,
            l1_hash(&devnet, l1.number),
            "chain {chain} derived from the new branch: {record}"
        );
        assert_ne!(l1.hash, from.hash);
    }
}

#[test]
fn an_equivocated_message_is_relayed_once_after_its_first_relay_is_replaced() {
    let devnet = Devnet::start(&["--l1-block-time", "1", "--sequencing-window", "60"]);
    let (a, b) = (devnet.l2(901), devnet.l2(902));
    control(&devnet, &["fault", "halt-batcher", "901"]);
    let (tx, sent) = increment_remote(&a);
    let (relay_tx, relay) = wait_relayed(&devnet, &tx);
    assert_eq!(count(&b), 1);

    // The sequencer rebuilds its unsafe blocks from the message's block up, without their transactions.
    let head: u64 = ok(&["block-number", "--rpc-url", &a]).parse().unwrap();
    let depth = (head - sent.number + 1).to_string();
    let reorg = control(&devnet, &["fault", "reorg-l2", "901", &depth]);
    let replaced: Vec<Id> = reorg["replaced"].as_array().unwrap().iter().map(id).collect();
    assert!(replaced.contains(&sent), "{reorg}");
    assert!(!still_there(&a, &sent));

    // The transaction went back to the pool and lands in a later block; the relay's block on 902 is replaced.
    let resent = devnet.wait_for("the message is sent again in a later block", || {
        receipt_block(&a, &tx).filter(|block| *block != sent)
    });
    assert!(resent.number > sent.number, "{resent:?}");
    control(&devnet, &["fault", "resume-batcher", "901"]);
    devnet.wait_for("the relay's block is replaced", || (!still_there(&b, &relay)).then_some(()));
    assert!(only_deposits(&b, relay.number));
    assert!(receipt_block(&b, &relay_tx).is_none_or(|r| r != relay));

    // The message sent again is relayed, and everything becomes safe.
    let (second_tx, second) = wait_relayed(&devnet, &tx);
    assert_ne!(second_tx, relay_tx);
    devnet.wait_for("both chains are cross-safe past the second relay", || {
        let s = status(&devnet);
        (heads(&s, 901).cross_safe.number >= resent.number
            && heads(&s, 902).cross_safe.number >= second.number)
            .then_some(())
    });
    assert!(still_there(&a, &resent) && still_there(&b, &second));
    assert_eq!(count(&b), 1, "one send, one increment");
    assert_eq!(relayed_messages(&b).as_array().map_or(0, Vec::len), 1, "one delivery on 902");
}

/// A `superlink verify` process, killed on drop.
struct Standalone {
    child: Child,
    url: String,
    log: tempfile::NamedTempFile,
    _dir: tempfile::TempDir,
}

impl Standalone {
    /// `superlink verify` over the devnet's L2 nodes and rollup nodes.
    fn start(devnet: &Devnet) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let deps = dir.path().join("deps.json");
        std::fs::write(
            &deps,
            r#"{"dependencies": {"901": {}, "902": {}}, "overrideMessageExpiryWindow": 0}"#,
        )
        .unwrap();
        let port = free_ports(1);
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_superlink"));
        command.arg("verify").arg("--deps").arg(&deps).arg("--datadir").arg(dir.path().join("index"));
        for chain in [901, 902] {
            command.args(["--rpc", &format!("{chain}={}", devnet.l2(chain))]);
            command.args(["--rollup-rpc", &format!("{chain}={}", devnet.rollup(chain))]);
        }
        let child = command
            .args(["--port", &port.to_string(), "--poll-interval-ms", "100"])
            .stdout(Stdio::null())
            .stderr(log.reopen().unwrap())
            .spawn()
            .expect("superlink verify starts");
        Standalone { child, url: format!("http://127.0.0.1:{port}"), log, _dir: dir }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }
}

impl Drop for Standalone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a verifier reports of the devnet: each chain's local-safe and cross-safe heads with their L1 sources,
/// and the super root at `timestamp` with the outputs it is made of. Errors (not caught up yet) as text.
fn verifier_view(url: &str, timestamp: u64) -> Value {
    let call = |method: &str, params: &[&str]| {
        let mut args = vec!["rpc", "--rpc-url", url, method];
        args.extend_from_slice(params);
        cast(&args).map_or_else(|e| json!({ "error": e }), |out| serde_json::from_str(&out).unwrap())
    };
    let super_root = call("superroot_atTimestamp", &[&timestamp.to_string()]);
    json!({
        "localSafe": [call("supervisor_localSafe", &["901"]), call("supervisor_localSafe", &["902"])],
        "crossSafe": [call("supervisor_crossSafe", &["901"]), call("supervisor_crossSafe", &["902"])],
        "superRoot": super_root.get("data").cloned().unwrap_or_else(|| super_root.clone()),
        "optimistic": super_root.get("optimistic_at_timestamp").cloned().unwrap_or(Value::Null),
    })
}

#[test]
fn a_standalone_verifier_over_the_devnets_nodes_agrees_with_the_embedded_one_after_an_l1_reorg() {
    let devnet = Devnet::start(&["--l1-block-time", "1"]);
    let standalone = Standalone::start(&devnet);
    let before = devnet.wait_for("901 is derived up to the L1 head", || {
        let s = status(&devnet);
        let head = id(&s["l1"]["head"]);
        let h = heads(&s, 901);
        (head.number >= 4 && h.local_safe_from.as_ref() == Some(&head)).then_some(h)
    });
    let reorg = control(&devnet, &["fault", "reorg-l1", "2"]);
    let (fork, old_head) = (id(&reorg["fork"]), id(&reorg["oldHead"]));
    // A block derived from the replaced branch: its super root is made again from the new branch.
    let timestamp: u64 = ok(&[
        "block",
        &before.local_safe.number.to_string(),
        "--field",
        "timestamp",
        "--rpc-url",
        &devnet.l2(901),
    ])
    .parse()
    .unwrap();

    let deadline = Instant::now() + PATIENCE;
    let (embedded, own) = loop {
        let embedded = verifier_view(&devnet.verifier(), timestamp);
        let own = verifier_view(&standalone.url, timestamp);
        // Both caught up with the new branch: the super root rests on a canonical L1 block, and cross-safe is
        // derived from past the old head.
        let required = &embedded["superRoot"]["verified_required_l1"];
        let derived_again =
            required["number"].as_u64().is_some_and(|n| {
                n > fork.number && required["hash"].as_str() == Some(l1_hash(&devnet, n).as_str())
            }) && embedded["crossSafe"][0]["source"]["number"].as_u64().is_some_and(|n| n > old_head.number);
        if derived_again && embedded == own {
            break (embedded, own);
        }
        assert!(
            Instant::now() < deadline,
            "the verifiers do not agree after the L1 reorg at {}:\nembedded:   {embedded}\nstandalone: {own}\n\
             standalone log:\n{}\ndevnet log:\n{}",
            fork.number,
            standalone.log(),
            devnet.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(embedded, own);
    let required = id(&own["superRoot"]["verified_required_l1"]);
    assert_eq!(
        required.hash,
        l1_hash(&devnet, required.number),
        "the super root rests on the canonical L1: {own}"
    );
    assert!(own["superRoot"]["super_root"].is_string(), "{own}");
    for level in ["localSafe", "crossSafe"] {
        for chain in own[level].as_array().unwrap() {
            let source = id(&chain["source"]);
            assert_eq!(
                source.hash,
                l1_hash(&devnet, source.number),
                "{level} rests on the canonical L1: {own}"
            );
        }
    }
}
