// The global setup of the `@eth-optimism/viem` spec run: starts `superlink devnet` where the package's test setup
// starts supersim, waits for the devnet's readiness probe, then runs the package's own `setupTicTacToe` (which
// places its example contract on both L2s with `anvil_setCode`). The teardown it returns stops the devnet.
//
// SUPERLINK_BIN (required): the superlink binary.
// SUPERLINK_DEVNET_LOG (optional): a file for the devnet's output; a temporary file otherwise.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { setupTicTacToe } from "@/test/setupTicTacToe.js";

// The ports the package's chain definitions (supersimL1, supersimL2A, supersimL2B) and supersim's admin API use.
const L1_PORT = 8545;
const L2_STARTING_PORT = 9545;
const ADMIN_PORT = 8420;
const READY_URL = `http://127.0.0.1:${ADMIN_PORT}/ready`;
const READY_PATIENCE_MS = 120_000;
const STOP_PATIENCE_MS = 20_000;

// How the devnet is started, in supersim's terms where both have the flag:
// - supersim's ports, spelled with supersim's flags;
// - autorelay off, supersim's default: the spec files relay their messages themselves and check that a message is
//   `ready-to-relay` before they do (the devnet relays automatically unless told not to);
// - two-second L1 blocks, so that the L1 specs' transactions are mined within the package's 20 s test timeout.
const ARGS = [
  "devnet",
  "--l1.port",
  String(L1_PORT),
  "--l2.starting.port",
  String(L2_STARTING_PORT),
  "--admin.port",
  String(ADMIN_PORT),
  "--interop.autorelay=false",
  "--l1-block-time",
  "2",
];

export default async function setup() {
  const bin = process.env.SUPERLINK_BIN;
  if (!bin) {
    throw new Error("SUPERLINK_BIN must name the superlink binary");
  }
  const logPath =
    process.env.SUPERLINK_DEVNET_LOG ??
    path.join(fs.mkdtempSync(path.join(os.tmpdir(), "viem-specs-")), "devnet.log");
  const log = fs.openSync(logPath, "w");
  const devnet = spawn(bin, ARGS, { stdio: ["ignore", log, log] });
  fs.closeSync(log);

  let exited = null;
  const exit = new Promise((resolve) => {
    devnet.on("exit", (code, signal) => {
      exited = { code, signal };
      resolve();
    });
    devnet.on("error", (error) => {
      exited = { error };
      resolve();
    });
  });
  const stop = async () => {
    if (exited) return;
    devnet.kill("SIGTERM");
    const timer = setTimeout(() => devnet.kill("SIGKILL"), STOP_PATIENCE_MS);
    await exit;
    clearTimeout(timer);
  };

  try {
    await waitUntilReady(() => exited, logPath);
    await setupTicTacToe();
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

// Polls the devnet's readiness probe until it answers 200; fails at once if the devnet exited (a port already
// taken, say), with its log.
async function waitUntilReady(exited, logPath) {
  const deadline = Date.now() + READY_PATIENCE_MS;
  for (;;) {
    const gone = exited();
    if (gone) {
      const why = gone.error ? gone.error.message : `exit code ${gone.code}, signal ${gone.signal}`;
      throw new Error(`superlink devnet stopped before it was ready (${why}):\n${readLog(logPath)}`);
    }
    try {
      const response = await fetch(READY_URL);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(`superlink devnet was not ready within ${READY_PATIENCE_MS / 1000} s:\n${readLog(logPath)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function readLog(logPath) {
  try {
    return fs.readFileSync(logPath, "utf8");
  } catch {
    return "(no log)";
  }
}
