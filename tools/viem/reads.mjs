// Many small reads at once, as a dashboard or an indexer written with viem sends them: a public client on viem's
// HTTP transport (fetch, with keep-alive connections) keeps `concurrency` `eth_blockNumber` requests in flight
// until N have been answered. The rate is bounded by the node's per-request latency, not its CPU, so it shows
// delays between the HTTP server and the client (Nagle, delayed acknowledgements, connection handling).
//
// node tools/viem/reads.mjs <URL> [requests (default 20000)] [concurrency (default 32)]
//
// Prints one JSON line: {"requests", "concurrency", "secs", "perSec", "p50Ms", "p99Ms"}, the latencies from
// each request to its answer. Exits 1 with the failed check when an answer is not a block number.

import { createPublicClient, http } from "viem";

const [url, requestsArg = "20000", concurrencyArg = "32"] = process.argv.slice(2);
const total = Number.parseInt(requestsArg, 10);
const concurrency = Number.parseInt(concurrencyArg, 10);
if (!url || !(total > 0) || !(concurrency > 0)) {
  console.error("usage: node reads.mjs <URL> [requests] [concurrency]");
  process.exit(2);
}

setTimeout(() => {
  console.error("timed out");
  process.exit(1);
}, 600_000).unref();

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

// No batching and no caching: every call is one HTTP request (`getBlockNumber` would answer from a cache).
const client = createPublicClient({ transport: http(url, { retryCount: 0 }) });
const read = () => client.request({ method: "eth_blockNumber" });

// Warm up: open the connections and let both sides settle before the clock starts.
await Promise.all(Array.from({ length: concurrency }, read));

const latencies = [];
let next = 0;
const began = performance.now();
async function slot() {
  while (next < total) {
    next++;
    const sent = performance.now();
    const answer = await read();
    latencies.push(performance.now() - sent);
    check(typeof answer === "string" && /^0x[0-9a-f]+$/.test(answer), `eth_blockNumber answered a quantity: ${answer}`);
  }
}
try {
  await Promise.all(Array.from({ length: concurrency }, slot));
  const secs = (performance.now() - began) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  console.log(
    JSON.stringify({
      requests: total,
      concurrency,
      secs: Number(secs.toFixed(3)),
      perSec: Math.round(total / secs),
      p50Ms: Number(at(0.5).toFixed(2)),
      p99Ms: Number(at(0.99).toFixed(2)),
    }),
  );
  process.exit(0);
} catch (error) {
  console.error(error?.shortMessage ?? error?.message ?? String(error));
  process.exit(1);
}
