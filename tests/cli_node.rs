//! Black-box tests of `superlink node`: the binary is started on a free port and driven with `cast`, and the
//! same scenario runs against anvil so the answers can be compared field for field.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn help_names_the_node_options() {
    let out = Command::new(env!("CARGO_BIN_EXE_superlink")).args(["node", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for option in ["--chain-id", "--port", "--host", "--block-time", "--accounts"] {
        assert!(text.contains(option), "node --help lacks {option}: {text}");
    }
}
