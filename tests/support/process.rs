//! A started `superlink` process for black-box tests: its output kept in a file, stopped with SIGTERM (which must
//! end it cleanly) or killed, and killed on drop.

#![allow(dead_code)]

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A started `superlink` process.
pub struct Process {
    /// The child, until it is stopped.
    pub child: Option<Child>,
    what: String,
    log: tempfile::NamedTempFile,
}

impl Process {
    /// Starts the binary under test with `args`, named `what` in failure messages.
    pub fn start(what: &str, args: &[&str]) -> Process {
        let log = tempfile::NamedTempFile::new().unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_superlink"))
            .args(args)
            .env_remove("SUPERLINK_PRIVATE_KEY")
            .stdout(log.reopen().unwrap())
            .stderr(log.reopen().unwrap())
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{what} starts: {e}"));
        Process { child: Some(child), what: what.to_string(), log }
    }

    /// What it printed so far, headed by its name.
    pub fn log(&self) -> String {
        format!("--- {} ---\n{}", self.what, std::fs::read_to_string(self.log.path()).unwrap_or_default())
    }

    /// Sends SIGTERM and waits up to `patience` for the exit, which must be clean.
    pub fn stop(&mut self, patience: Duration) {
        let mut child = self.child.take().expect("running");
        Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        let deadline = Instant::now() + patience;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "{} did not stop on SIGTERM", self.what);
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "{} exited with {status}:\n{}", self.what, self.log());
    }

    /// Kills it at once (SIGKILL): a crash, as far as anyone talking to it can tell.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}
