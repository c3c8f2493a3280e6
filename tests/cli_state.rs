//! Black-box tests of `superlink devnet --dump-state` and `--load-state`: a devnet saved on SIGTERM starts again
//! where it stopped (blocks and hashes, balances, storage, receipts, messages relayed and waiting) and goes on;
//! a corrupt file or one of another devnet is refused with the reason and left as it was.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

#[path = "support/devnet.rs"]
mod devnet;
#[path = "support/messages.rs"]
mod messages;

use devnet::{Devnet, KEY_0, KEY_1, PATIENCE, json, ok};
use messages::{count, increment_remote, number, relayed_messages, superlink};

/// A contract whose calldata word is stored in slot 0 (empty calldata returns it), with the code that deploys it.
const STORE_INIT: &str = "0x6018600c60003960186000f33615600c57600035600055005b60005460005260206000f3";
/// A recipient of a plain transfer.
const RECIPIENT: &str = "0x000000000000000000000000000000000000bEEF";

/// `cast block BLOCK --field FIELD` on the chain at `url`.
fn block_field(url: &str, block: &str, field: &str) -> String {
    ok(&["block", block, "--field", field, "--rpc-url", url])
}

fn block_number(url: &str) -> u64 {
    ok(&["block-number", "--rpc-url", url]).parse().unwrap()
}

/// The status of the message sent by `tx` on 901 for 902, as `superlink message status --json` reports it.
fn message_status(u901: &str, u902: &str, tx: &str) -> String {
    let out = superlink(&["message", "status", "--json", "--from-rpc", u901, "--to-rpc", u902, "--tx", tx]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    status["messages"][0]["status"].as_str().unwrap().to_string()
}

/// Runs `superlink devnet` with `args`, which must refuse to start; its standard error.
fn refused(args: &[&str]) -> String {
    let stderr = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_superlink"))
        .arg("devnet")
        .args(args)
        .stdout(Stdio::null())
        .stderr(stderr.reopen().unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the devnet started with {args:?} instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(stderr.path()).unwrap();
    assert!(!status.success(), "{args:?} exited with success: {log}");
    log
}

fn digest(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_devnet_saved_on_sigterm_starts_again_where_it_stopped_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("devnet-state.json");
    let path = file.to_str().unwrap();

    // The first devnet: a transfer, a contract with storage, a message relayed by hand and one left waiting.
    let first = Devnet::start(&["--no-autorelay", "--l1-block-time", "2", "--dump-state", path]);
    let (u901, u902) = (first.l2(901), first.l2(902));
    let transfer =
        json(&["send", "--json", "--private-key", KEY_0, RECIPIENT, "--value", "1234", "--rpc-url", &u901]);
    let transfer_tx = transfer["transactionHash"].as_str().unwrap().to_string();
    let deployed =
        json(&["send", "--json", "--private-key", KEY_0, "--rpc-url", &u901, "--create", STORE_INIT]);
    let store = deployed["contractAddress"].as_str().unwrap().to_string();
    let word = format!("0x{:064x}", 42);
    ok(&["send", "--private-key", KEY_0, &store, &word, "--rpc-url", &u901]);
    let relayed = increment_remote(&u901);
    let relayed_tx = relayed["transactionHash"].as_str().unwrap().to_string();
    let out = superlink(&[
        "relay",
        "--json",
        "--from-rpc",
        &u901,
        "--to-rpc",
        &u902,
        "--tx",
        &relayed_tx,
        "--private-key",
        KEY_1,
    ]);
    assert!(out.status.success(), "superlink relay failed: {}", String::from_utf8_lossy(&out.stderr));
    let relay: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let relay_tx = relay["relays"][0]["transactionHash"].as_str().unwrap().to_string();
    first.wait_for("the relayed message counts on 902", || (count(&u902) == 1).then_some(()));
    let waiting = increment_remote(&u901);
    let waiting_tx = waiting["transactionHash"].as_str().unwrap().to_string();
    assert_eq!(message_status(&u901, &u902, &waiting_tx), "sent");
    // Wait until the blocks so far are safe, so there is a safe label to restore.
    let sent_in = number(&waiting["blockNumber"]);
    first.wait_for("the waiting message's block is safe on 901", || {
        (block_field(&u901, "safe", "number").parse::<u64>().unwrap() >= sent_in).then_some(())
    });
    let (status, log) = first.terminate();
    assert!(status.success(), "the devnet failed on SIGTERM: {log}");
    assert!(log.contains("devnet state saved"), "{log}");
    assert!(file.is_file());

    // What the first devnet had when it stopped, read from the saved file's chains (the last blocks are the
    // ones it built before the signal).
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["format"], "superlink-devnet-state");
    let saved_901_blocks = saved["devnet"]["l2s"][0]["blocks"].as_array().unwrap().len() as u64;
    let saved_safe = saved["devnet"]["l2s"][0]["safe"].as_u64().unwrap();
    let saved_head =
        saved["devnet"]["l2s"][0]["blocks"][saved_901_blocks as usize - 1]["header"].as_str().unwrap();
    let saved_head_hash = ok(&["keccak", saved_head]);
    assert!(saved_safe >= sent_in);

    // The second devnet starts from the file, with the autorelayer on.
    let second = Devnet::start(&["--l1-block-time", "2", "--load-state", path]);
    let (v901, v902) = (second.l2(901), second.l2(902));
    assert!(block_number(&v901) >= saved_901_blocks - 1);
    let old_head = (saved_901_blocks - 1).to_string();
    assert_eq!(block_field(&v901, &old_head, "hash"), saved_head_hash, "the same head block");
    // Blocks, receipts and state are the first devnet's.
    let receipt = json(&["receipt", "--json", &transfer_tx, "--rpc-url", &v901]);
    assert_eq!(receipt["status"], "0x1");
    assert_eq!(receipt["blockHash"], transfer["blockHash"]);
    assert_eq!(
        block_field(&v901, &number(&transfer["blockNumber"]).to_string(), "hash"),
        transfer["blockHash"].as_str().unwrap()
    );
    assert_eq!(ok(&["balance", RECIPIENT, "--rpc-url", &v901]), "1234");
    assert_eq!(ok(&["storage", &store, "0", "--rpc-url", &v901]), word);
    assert_eq!(ok(&["call", &store, "--rpc-url", &v901]), word);
    let relay_receipt = json(&["receipt", "--json", &relay_tx, "--rpc-url", &v902]);
    assert_eq!(relay_receipt["status"], "0x1");
    // The safe label comes back once the L1 is derived again.
    second.wait_for("901's safe block is back where it was", || {
        (block_field(&v901, "safe", "number").parse::<u64>().unwrap() >= saved_safe).then_some(())
    });
    // The relayed message stays relayed once; the waiting one is relayed by the autorelayer now.
    assert_eq!(message_status(&v901, &v902, &relayed_tx), "relayed");
    second.wait_for("the waiting message is relayed after the load", || (count(&v902) == 2).then_some(()));
    assert_eq!(message_status(&v901, &v902, &waiting_tx), "relayed");
    // The devnet goes on: new blocks on top, later in time, and a new message relayed.
    let head_time: u64 = block_field(&v901, &old_head, "timestamp").parse().unwrap();
    let later = increment_remote(&v901);
    assert!(number(&later["blockNumber"]) > saved_901_blocks - 1);
    let later_time: u64 =
        block_field(&v901, &number(&later["blockNumber"]).to_string(), "timestamp").parse().unwrap();
    assert!(later_time > head_time);
    second.wait_for("the new message is relayed", || (count(&v902) == 3).then_some(()));
    let relays = relayed_messages(&v902);
    assert_eq!(relays.as_array().unwrap().len(), 3, "each message relayed once: {relays}");
    assert_eq!(
        relays[0]["transactionHash"],
        relay_tx.as_str(),
        "the relay by hand, found in the loaded blocks"
    );

    // A corrupt copy and a devnet of another shape are refused, and the files stay as they were.
    let corrupt = dir.path().join("corrupt.json");
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() / 2 + bytes[bytes.len() / 2..].iter().position(|b| b.is_ascii_digit()).unwrap();
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&corrupt, &bytes).unwrap();
    let good = digest(&file);
    let log =
        refused(&["--load-state", corrupt.to_str().unwrap(), "--dump-state", corrupt.to_str().unwrap()]);
    assert!(log.contains("is corrupt"), "{log}");
    assert_eq!(digest(&corrupt), bytes, "the refused file is left as it was");
    let log = refused(&["--l2-count", "3", "--state", path]);
    assert!(log.contains("another devnet") && log.contains("--l2-count 2"), "{log}");
    assert_eq!(digest(&file), good, "the refused file is left as it was");
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &good[..good.len() / 3]).unwrap();
    let log = refused(&["--load-state", truncated.to_str().unwrap()]);
    assert!(log.contains("not a superlink devnet state file"), "{log}");
}
