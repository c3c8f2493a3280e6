//! `@eth-optimism/viem`'s own spec files, from its npm package, run unchanged against `superlink devnet`: the
//! interop actions (sendSuperchainERC20, sendCrossDomainMessage, relayCrossDomainMessage, sendETH), the L1 bridge
//! actions (depositERC20, depositCrossDomainMessage, withdrawOptimismERC20, withdrawCrossDomainMessage) and
//! encodeAccessList. They were written against supersim; only how the devnet is started differs
//! (`tools/viem-specs`: vitest with our global setup, which starts this build's binary on supersim's ports).
//!
//! The spec files name supersim's ports in their chain definitions (L1 8545, L2s 9545 and 9546, admin 8420), so
//! this is the one test of the suite that binds fixed ports: every other test takes free ports from the
//! operating system, which hands out ports far above these, and `cargo test` runs one test binary at a time.
//! This file holds a single test for the same reason.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::BTreeSet,
    fs,
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;
use superlink_testkit::{node_package, repo_root, tool};

/// The ports the spec files' chain definitions and supersim's admin API use, and the devnet's rollup-node ports
/// for the two L2s (superlink's own defaults, also fixed).
const FIXED_PORTS: [u16; 6] = [8545, 9545, 9546, 8420, 19545, 19546];
/// How long the whole run may take on a loaded machine before it is stopped (it takes a few minutes).
const PATIENCE: Duration = Duration::from_secs(20 * 60);

#[test]
fn eth_optimism_viem_spec_files_pass_against_the_devnet() {
    for port in FIXED_PORTS {
        assert!(
            TcpListener::bind(("127.0.0.1", port)).is_ok(),
            "port {port} is taken by another process: the spec files need supersim's ports free"
        );
    }
    let package = node_package("@eth-optimism/viem").unwrap();
    let expected = spec_files(&package.join("src"));
    assert!(expected.len() >= 9, "the package ships its spec files: {expected:?}");
    let vitest = tool("vitest").unwrap();
    let config = repo_root().join("tools").join("viem-specs").join("vitest.config.mjs");
    let dir = tempfile::tempdir().unwrap();
    let (report, devnet_log) = (dir.path().join("report.json"), dir.path().join("devnet.log"));
    let (stdout, stderr) = (dir.path().join("stdout.txt"), dir.path().join("stderr.txt"));

    let mut child = Command::new("node")
        .arg(&vitest)
        .args(["run", "--config"])
        .arg(&config)
        .args(["--reporter=default", "--reporter=json"])
        .arg(format!("--outputFile.json={}", report.display()))
        .env("SUPERLINK_BIN", env!("CARGO_BIN_EXE_superlink"))
        .env("SUPERLINK_DEVNET_LOG", &devnet_log)
        .env("NO_COLOR", "1")
        .current_dir(repo_root())
        // Its own process group, so that a run that hangs is stopped with the devnet it started.
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout).unwrap())
        .stderr(fs::File::create(&stderr).unwrap())
        .spawn()
        .expect("node runs vitest");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > PATIENCE {
            let _ = Command::new("kill").args(["-KILL", &format!("-{}", child.id())]).status();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let printed = format!(
        "vitest output:\n{}{}\ndevnet log (last lines):\n{}",
        fs::read_to_string(&stdout).unwrap_or_default(),
        fs::read_to_string(&stderr).unwrap_or_default(),
        last_lines(&fs::read_to_string(&devnet_log).unwrap_or_default(), 60)
    );
    let Some(status) = status else {
        panic!("the spec run did not finish within {PATIENCE:?}\n{printed}");
    };
    let Ok(text) = fs::read_to_string(&report) else {
        panic!("vitest wrote no report ({status})\n{printed}");
    };
    let report: Value = serde_json::from_str(&text).unwrap();

    let results = report["testResults"].as_array().unwrap();
    let ran: BTreeSet<String> =
        results.iter().map(|file| relative(&package, file["name"].as_str().unwrap())).collect();
    assert_eq!(ran, expected, "every spec file of the package ran\n{printed}");
    let mut failures = Vec::new();
    let mut passed = 0;
    for file in results {
        let name = relative(&package, file["name"].as_str().unwrap());
        let tests = file["assertionResults"].as_array().unwrap();
        if file["status"] != "passed" || tests.is_empty() {
            let message = file["message"].as_str().unwrap_or_default();
            failures.push(format!("{name}: {} ({} tests) {message}", file["status"], tests.len()));
        }
        for test in tests {
            if test["status"] == "passed" {
                passed += 1;
            } else {
                let why = test["failureMessages"].as_array().and_then(|m| m.first()).and_then(Value::as_str);
                failures.push(format!(
                    "{name} > {}: {}\n    {}",
                    test["fullName"].as_str().unwrap_or_default(),
                    test["status"],
                    why.unwrap_or("").lines().take(12).collect::<Vec<_>>().join("\n    ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "failing spec files and tests:\n{}\n\n{printed}", failures.join("\n"));
    assert!(status.success(), "vitest exited with {status}\n{printed}");
    println!("{} spec files, {passed} tests passed in {:?}", ran.len(), started.elapsed());
}

/// The package's spec files, as paths relative to the package folder.
fn spec_files(src: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.to_string_lossy().ends_with(".spec.ts") {
                found.insert(relative(src.parent().unwrap(), &path.to_string_lossy()));
            }
        }
    }
    found
}

/// `path` relative to the package folder (vitest reports absolute paths).
fn relative(package: &Path, path: &str) -> String {
    let package = fs::canonicalize(package).unwrap_or_else(|_| package.to_path_buf());
    let path = fs::canonicalize(path).unwrap_or_else(|_| PathBuf::from(path));
    path.strip_prefix(&package).map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
}

fn last_lines(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(count)..].join("\n")
}
