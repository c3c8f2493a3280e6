//! Runs the walk-throughs in `docs/` as a user would: `docs/guide.md` (building an app on the devnet),
//! `docs/safety.md` (safety from the L1 and the devnet's faults) and `docs/proofs.md` (the fault-proof trace).
//! Every ```` ```sh ```` block of a document runs, in order, in bash, with the `superlink` binary under test and
//! the pinned cast on `PATH`, from the repository's root.
//!
//! - A block holding only `superlink devnet [FLAGS...]` (re)starts the devnet in the background with those flags,
//!   on free ports: the documents' default ports (8545, 9545, 9546, 8420 and the rollup nodes' 19545, 19546) are
//!   rewritten to them in every later block, so the test never collides with anything else on the machine.
//!   `superlink devnet status` and `superlink devnet fault ...` are commands like any other.
//! - Shell variables a document sets carry over from one block to the next, as in one terminal.
//! - A block must exit 0, unless it is marked ```` ```sh expect-error ````, then it must fail.
//! - A ```` ```text ```` block right after a command block is the output the document promises: each of its lines
//!   must be one of the lines printed (compared trimmed; `...` stands for any text).
//!
//! The documents run one after the other: each runs a devnet with fast blocks, and two at once on a small
//! machine would only make both slower.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use superlink_testkit::{free_port, repo_root, tool, wait_for_rpc};

const PATIENCE: Duration = Duration::from_secs(90);

/// Lets one document run at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// One fenced block of a document that the test runs.
#[derive(Debug, Clone)]
struct Step {
    /// Line of the document where the block starts (for messages).
    line: usize,
    code: String,
    expect_error: bool,
    /// The ```` ```text ```` block that follows, if any.
    expected: Option<String>,
}

fn steps(document: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    // Whether the last closed block was a command block with nothing but prose since.
    let mut after_command = false;
    for (number, line) in document.lines().enumerate() {
        if let Some((start, info, body)) = &mut open {
            if line.trim_start().starts_with("```") {
                let info = std::mem::take(info);
                let body = std::mem::take(body);
                let start = *start;
                open = None;
                let mut words = info.split_whitespace();
                match words.next() {
                    Some("sh") => {
                        let expect_error = words.any(|w| w == "expect-error");
                        steps.push(Step { line: start, code: body, expect_error, expected: None });
                        after_command = true;
                    }
                    Some("text") if after_command => {
                        steps.last_mut().unwrap().expected = Some(body);
                        after_command = false;
                    }
                    _ => after_command = false,
                }
            } else {
                body.push_str(line);
                body.push('\n');
            }
        } else if let Some(info) = line.trim_start().strip_prefix("```") {
            open = Some((number + 1, info.trim().to_string(), String::new()));
        }
    }
    assert!(open.is_none(), "the document has an unclosed code block");
    steps
}

/// Whether `line` (trimmed) matches `pattern` (trimmed), where `...` in the pattern stands for any text.
fn matches(pattern: &str, line: &str) -> bool {
    let (pattern, line) = (pattern.trim(), line.trim());
    let parts: Vec<&str> = pattern.split("...").collect();
    if parts.len() == 1 {
        return pattern == line;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !line.starts_with(first) || !line.ends_with(last) || line.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &line[first.len()..line.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// The `superlink devnet` command line of a block that starts a devnet: `superlink devnet` alone or followed
/// by flags, not one of its subcommands (`status`, `fault ...`).
fn devnet_start(code: &str) -> Option<&str> {
    code.lines().find(|line| {
        let mut words = line.split_whitespace();
        words.next() == Some("superlink")
            && words.next() == Some("devnet")
            && words.next().is_none_or(|flag| flag.starts_with('-'))
    })
}

fn assert_output(doc: &str, step: &Step, output: &str, log: &str) {
    let Some(expected) = &step.expected else { return };
    for wanted in expected.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            output.lines().any(|line| matches(wanted, line)),
            "{doc} line {}: expected a line `{wanted}` in the output:\n{output}\n{log}",
            step.line
        );
    }
}

/// The devnet's ports, and the rewriting of the documents' default ports to them.
#[derive(Debug, Clone, Copy)]
struct Ports {
    l1: u16,
    l2: u16,
    verifier: u16,
    rollup: u16,
}

impl Ports {
    fn free() -> Ports {
        let pair = |taken: &[u16]| loop {
            let first = free_port();
            let next_free = std::net::TcpListener::bind(("127.0.0.1", first.wrapping_add(1))).is_ok();
            if first != 0
                && first < 65_000
                && next_free
                && !taken.contains(&(first + 1))
                && !taken.contains(&first)
            {
                return first;
            }
        };
        let (l1, verifier) = (free_port(), free_port());
        let l2 = pair(&[l1, verifier]);
        let rollup = pair(&[l1, verifier, l2, l2 + 1]);
        Ports { l1, l2, verifier, rollup }
    }

    fn rewrite(&self, text: &str) -> String {
        text.replace("127.0.0.1:8545", &format!("127.0.0.1:{}", self.l1))
            .replace("127.0.0.1:9545", &format!("127.0.0.1:{}", self.l2))
            .replace("127.0.0.1:9546", &format!("127.0.0.1:{}", self.l2 + 1))
            .replace("127.0.0.1:8420", &format!("127.0.0.1:{}", self.verifier))
            .replace("127.0.0.1:19545", &format!("127.0.0.1:{}", self.rollup))
            .replace("127.0.0.1:19546", &format!("127.0.0.1:{}", self.rollup + 1))
    }
}

/// A devnet started by a document's block, stopped with SIGTERM when replaced or dropped.
struct Devnet {
    child: Child,
    output: Arc<Mutex<String>>,
    /// Where its log (stderr) goes, shown when a step fails.
    log: tempfile::NamedTempFile,
}

impl Devnet {
    fn start(line: &str, ports: Ports, path: &str) -> Devnet {
        let args: Vec<&str> = line.split_whitespace().skip(2).collect();
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new("superlink")
            .env("PATH", path)
            .arg("devnet")
            .args(&args)
            .args(["--l1-port", &ports.l1.to_string(), "--l2-starting-port", &ports.l2.to_string()])
            .args(["--verifier-port", &ports.verifier.to_string()])
            .args(["--rollup-starting-port", &ports.rollup.to_string()])
            .stdout(Stdio::piped())
            .stderr(log.reopen().unwrap())
            .spawn()
            .unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut text = sink.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        for port in [ports.l1, ports.l2, ports.l2 + 1] {
            assert!(
                wait_for_rpc(&format!("http://127.0.0.1:{port}"), PATIENCE),
                "port {port} never answered"
            );
        }
        // The banner is complete once its last line (the mnemonic) is out.
        let deadline = Instant::now() + PATIENCE;
        while !output.lock().unwrap().contains("Mnemonic:") {
            assert!(Instant::now() < deadline, "no banner");
            std::thread::sleep(Duration::from_millis(20));
        }
        Devnet { child, output, log }
    }

    /// The end of the devnet's log, for a failure's message.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log.path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        format!("the devnet's last log lines:\n{tail}")
    }

    fn stop(mut self) {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        let deadline = Instant::now() + PATIENCE;
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "the devnet did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The names of the shell variables a document assigns.
fn variables(steps: &[Step]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for step in steps {
        for word in step.code.split_whitespace() {
            let Some((name, _)) = word.split_once('=') else { continue };
            let valid = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && name.starts_with(|c: char| c.is_ascii_uppercase());
            if valid && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

fn dir_of(path: &Path) -> PathBuf {
    path.parent().unwrap().to_path_buf()
}

/// Runs every command block of `doc` (a path from the repository's root) in order and checks the output it
/// promises; returns how many devnets the document started.
fn run_document(doc: &str) -> usize {
    let _one_at_a_time = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    // Commands run from the repository's root, as the documents say.
    let root = repo_root();
    let text = std::fs::read_to_string(root.join(doc)).unwrap();
    let steps = steps(&text);
    assert!(steps.len() > 10, "{doc} lost its commands");
    let names = variables(&steps);
    let superlink = PathBuf::from(env!("CARGO_BIN_EXE_superlink"));
    let path = format!(
        "{}:{}:{}",
        dir_of(&superlink).display(),
        dir_of(&tool("cast").unwrap()).display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let state = tempfile::NamedTempFile::new().unwrap();
    let mut devnet: Option<Devnet> = None;
    let ports = Ports::free();
    let mut devnets_started = 0;

    for step in &steps {
        if let Some(line) = devnet_start(&step.code) {
            assert_eq!(
                step.code.trim(),
                line.trim(),
                "{doc} line {}: a devnet block holds only that",
                step.line
            );
            // A restart keeps the ports, so the URLs the document keeps in shell variables stay right.
            if let Some(previous) = devnet.take() {
                previous.stop();
            }
            let started = Devnet::start(line, ports, &path);
            let banner = started.output.lock().unwrap().clone();
            let rewritten =
                Step { expected: step.expected.as_ref().map(|e| ports.rewrite(e)), ..step.clone() };
            assert_output(doc, &rewritten, &banner, &started.log_tail());
            devnet = Some(started);
            devnets_started += 1;
            continue;
        }
        let Some(running) = &devnet else {
            panic!("{doc} line {}: a command before the devnet is started", step.line)
        };
        let script = format!(
            "if [ -s '{state}' ]; then . '{state}'; fi\n{errexit}\n{code}\nstatus=$?\nset +e\n\
             declare -p {names} > '{state}' 2>/dev/null\nexit $status\n",
            errexit = if step.expect_error { "" } else { "set -eo pipefail" },
            state = state.path().display(),
            code = ports.rewrite(&step.code),
            names = names.join(" "),
        );
        let out = Command::new("bash")
            .current_dir(&root)
            .env("PATH", &path)
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        let printed =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if step.expect_error {
            assert!(!out.status.success(), "{doc} line {}: expected a failure, got:\n{printed}", step.line);
        } else {
            assert!(
                out.status.success(),
                "{doc} line {}: the block failed:\n{}\n{printed}\n{}",
                step.line,
                step.code,
                running.log_tail()
            );
        }
        assert_output(doc, step, &printed, &running.log_tail());
    }
    devnet.unwrap().stop();
    devnets_started
}

#[test]
fn every_command_of_the_guide_works_as_the_guide_says() {
    // The viem step imports the pinned npm package.
    superlink_testkit::node_package("viem").unwrap();
    let devnets = run_document("docs/guide.md");
    assert_eq!(devnets, 2, "the guide starts the devnet, then restarts it without the autorelayer");
}

#[test]
fn every_command_of_the_safety_walk_through_works_as_it_says() {
    let devnets = run_document("docs/safety.md");
    assert_eq!(devnets, 2, "the walk-through starts the devnet, then restarts it with a shared batcher");
}

#[test]
fn every_command_of_the_proof_walk_through_works_as_it_says() {
    let devnets = run_document("docs/proofs.md");
    assert_eq!(devnets, 1, "the walk-through starts one devnet");
}

#[test]
fn output_patterns_match_as_documented() {
    assert!(matches("  status   relayed in 0x...", "status   relayed in 0xabc (block 3)"));
    assert!(matches("message 0x...  chain 901 -> chain 902", "message 0x12  chain 901 -> chain 902"));
    assert!(!matches("message 0x...  chain 901 -> chain 902", "message 0x12  chain 902 -> chain 901"));
    assert!(matches("...invalid executing message...", "Error: invalid executing message: x"));
    assert!(!matches("1", "10"));
    assert!(!matches("a...a", "a"));
}

#[test]
fn only_a_bare_devnet_command_starts_a_devnet() {
    assert_eq!(devnet_start("superlink devnet"), Some("superlink devnet"));
    let flags = "superlink devnet --l1-block-time 1 --shared-batcher";
    assert_eq!(devnet_start(flags), Some(flags));
    assert_eq!(devnet_start("superlink devnet status"), None);
    assert_eq!(devnet_start("superlink devnet fault halt-batcher 901"), None);
    assert_eq!(devnet_start("X=$(superlink devnet fault reorg-l1 3)"), None);
}
