//! Black-box tests of `superlink verify`: the binary follows two anvil chains, answers the supervisor RPC,
//! shuts down cleanly on SIGTERM and resumes from its index after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use superlink_testkit::{Anvil, Cast, free_port};

struct Verifier {
    child: Child,
    url: String,
}

impl Verifier {
    fn start(deps: &Path, datadir: &Path, a: &Anvil, b: &Anvil, extra: &[&str]) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_superlink"))
            .arg("verify")
            .arg("--deps")
            .arg(deps)
            .args(["--rpc", &format!("901={}", a.url()), "--rpc", &format!("902={}", b.url())])
            .arg("--datadir")
            .arg(datadir)
            .args(["--port", &port.to_string(), "--poll-interval-ms", "50"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("superlink verify starts");
        Verifier { child, url: format!("http://127.0.0.1:{port}") }
    }

    /// Waits until `supervisor_localUnsafe(chain)` reports `number`.
    fn wait_local_unsafe(&self, cast: &Cast, chain: &str, number: u64) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(out) = cast.run(["rpc", "--rpc-url", &self.url, "supervisor_localUnsafe", chain]) {
                let v: serde_json::Value = serde_json::from_str(&out).unwrap();
                if v["number"].as_u64() == Some(number) {
                    return;
                }
                last = out;
            }
            thread::sleep(Duration::from_millis(100));
        }
        panic!("chain {chain} never reached local-unsafe {number}; last answer {last}");
    }

    /// Sends SIGTERM and returns the exit status and what the service logged.
    fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let out = std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap())
            .wait_with_output()
            .unwrap();
        (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

impl Drop for Verifier {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn follows_chains_stops_on_sigterm_and_resumes_after_restart() {
    let cast = Cast::new().unwrap();
    let a = Anvil::spawn(901, &[]).unwrap();
    let b = Anvil::spawn(902, &[]).unwrap();
    cast.run(["rpc", "--rpc-url", &a.url(), "anvil_mine", "5"]).unwrap();
    cast.run(["rpc", "--rpc-url", &b.url(), "anvil_mine", "3"]).unwrap();

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let deps = dir.join("deps.json");
    std::fs::write(&deps, r#"{"dependencies": {"901": {}, "902": {}}}"#).unwrap();
    let datadir = dir.join("index");

    let verifier = Verifier::start(&deps, &datadir, &a, &b, &[]);
    verifier.wait_local_unsafe(&cast, "0x385", 5);
    verifier.wait_local_unsafe(&cast, "0x386", 3);
    // Blocks without executing messages become cross-unsafe as soon as they are indexed.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = cast.run(["rpc", "--rpc-url", &verifier.url, "supervisor_syncStatus"]).unwrap();
        let status: serde_json::Value = serde_json::from_str(&out).unwrap();
        if status["chains"]["901"]["crossUnsafe"]["number"].as_u64() == Some(5) {
            break;
        }
        assert!(Instant::now() < deadline, "chain 901 never became cross-unsafe at 5: {out}");
        thread::sleep(Duration::from_millis(100));
    }
    let (status, log) = verifier.terminate();
    assert!(status.success(), "verify should exit 0 on SIGTERM; log:\n{log}");
    assert!(log.contains("stopped"), "the service says it stopped:\n{log}");

    // Restart on the same index after the chains moved on: it resumes and follows the new heads.
    cast.run(["rpc", "--rpc-url", &a.url(), "anvil_mine", "2"]).unwrap();
    // This time with a memory window: memory holds ten minutes below the heads, older messages are read from
    // the index, and the service says so.
    let verifier = Verifier::start(&deps, &datadir, &a, &b, &["--memory-window", "10m"]);
    verifier.wait_local_unsafe(&cast, "0x385", 7);
    verifier.wait_local_unsafe(&cast, "0x386", 3);
    let (status, log) = verifier.terminate();
    assert!(status.success(), "second run should exit 0; log:\n{log}");
    assert!(log.contains("memory holds this window") && log.contains("window_secs=600"), "{log}");
}

#[test]
fn bad_configuration_is_refused_with_exit_status_two() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let deps = dir.join("deps.json");
    std::fs::write(&deps, r#"{"dependencies": {"901": {}, "0x385": {}}}"#).unwrap();
    for args in [
        vec!["verify", "--deps", deps.to_str().unwrap(), "--rpc", "901=localhost:1"],
        vec!["verify", "--deps", "no-such-file.json", "--rpc", "901=http://127.0.0.1:1"],
        vec!["verify", "--deps", deps.to_str().unwrap(), "--rpc", "901=http://127.0.0.1:1"],
        vec!["verify", "--deps", "d.json", "--rpc", "901=http://127.0.0.1:1", "--memory-window", "a while"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_superlink")).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error:") && !stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
