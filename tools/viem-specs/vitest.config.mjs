// Runs the spec files that `@eth-optimism/viem` ships in its npm package (`src/**/*.spec.ts`), in place and
// unchanged, against `superlink devnet`. The package's own test setup starts supersim; ours (globalSetup.mjs)
// starts `superlink devnet` on supersim's ports instead, which the package's chain definitions name. Everything
// else is what the package's own configuration sets: the `@` alias to its `src/` and a 20 s test timeout.
//
// The spec files and the package's sources import `viem` from viem 2.17.9, the oldest viem the package supports
// (its peer range is ^2.17.9), installed beside the current one as `viem-2.17.9`. Two spec files
// (depositCrossDomainMessage, withdrawCrossDomainMessage) assert, as their comments say, a bug of the viem they
// were written with: `parseEventLogs` given `eventName: 'SentMessageExtension1'` also returns the `SentMessage`
// log (the name was matched as a substring). Current viem returns only the extension log, so with it those two
// assertions fail whatever the chain does; with the viem the specs were written against they hold. The current
// viem drives the bridge with the same package in tools/viem/bridge.mjs.
//
// SUPERLINK_BIN=<path of the superlink binary> node tools/node_modules/.bin/vitest run \
//   --config tools/viem-specs/vitest.config.mjs
//
// tests/cli_viem_specs.rs runs it in `cargo test` and checks that every spec file passed.

import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = path.resolve(here, "..");
const pkg = path.join(tools, "node_modules", "@eth-optimism", "viem");
const src = path.join(pkg, "src");
const specsViem = path.join(tools, "node_modules", "viem-2.17.9");

export default defineConfig({
  root: here,
  // Vite's cache goes under tools/node_modules (git-ignored), never into the package's folder.
  cacheDir: path.join(tools, "node_modules", ".vite-viem-specs"),
  resolve: {
    // `viem` and its subpaths (`viem/op-stack`, `viem/accounts`) resolve to the viem the specs were written with.
    alias: { "@": src, viem: specsViem },
  },
  server: {
    // The spec files and the modules they import are TypeScript sources inside node_modules: transform them
    // instead of handing them to Node as prebuilt dependencies.
    deps: { inline: [/@eth-optimism[\\/]viem[\\/]src/] },
  },
  test: {
    dir: src,
    include: ["**/*.spec.ts"],
    // The default excludes skip anything under node_modules, which is where the package lives.
    exclude: [],
    globalSetup: [path.join(here, "globalSetup.mjs")],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Every spec file sends from the same development account: files run one after another so that no two
    // pick the same nonce, as they would if run side by side.
    fileParallelism: false,
  },
});
