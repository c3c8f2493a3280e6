// One sender, many transactions in flight, as an app written with viem sends them: a wallet client with a local
// account sends N transfers with explicit nonces (start, start+1, ...), `inFlight` at a time, and waits for each
// receipt with `waitForTransactionReceipt` before its slot takes the next nonce. With 32 in flight the node sees
// nonces arrive out of order (a later nonce before an earlier one) and must mine them all.
//
// node tools/viem/inflight.mjs <URL> [transactions (default 1000)] [in flight (default 32)] [send|raw]
//
// `send` (the default) calls `sendTransaction`, which signs each transfer as it goes (viem signs in JavaScript:
// 1.5-6 ms a signature on a loaded 2-core machine, which bounds the rate whatever the node); `raw` signs every
// transfer with the account before the clock starts and sends the bytes with `sendRawTransaction`, so the rate
// measures the node and viem's request and receipt handling.
//
// Prints one JSON line: {"txs", "inFlight", "mode", "secs", "txPerSec", "p50Ms", "p99Ms", "blocks", "requests"}, where
// the latencies are from the send to the receipt of each transaction, "blocks" is how many blocks the
// transfers landed in, and "requests" counts the JSON-RPC requests viem sent (by method). Exits 1 with the
// failed check when a receipt is not a success, the sender's nonce does not count every transfer, or the
// recipient did not get every wei.

import { createPublicClient, createWalletClient, defineChain, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const [url, txsArg = "1000", inFlightArg = "32", mode = "send"] = process.argv.slice(2);
const txs = Number.parseInt(txsArg, 10);
const inFlight = Number.parseInt(inFlightArg, 10);
if (!url || !(txs > 0) || !(inFlight > 0) || !["send", "raw"].includes(mode)) {
  console.error("usage: node inflight.mjs <URL> [transactions] [in flight] [send|raw]");
  process.exit(2);
}

// anvil's (and superlink node's) twentieth development account: other load the same run sends comes from the
// first sixteen.
const account = privateKeyToAccount("0xdf57089febbacf7ba0bc227dafbffa9fc08a93fdc68e1e42411a14efcf23656e");

setTimeout(() => {
  console.error("timed out");
  process.exit(1);
}, 600_000).unref();

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

// Every request viem sends, counted by method (the transport's request hook sees each one).
const requests = {};
const transport = http(url, {
  onFetchRequest: async (request) => {
    try {
      const body = JSON.parse(await request.clone().text());
      for (const { method } of Array.isArray(body) ? body : [body]) requests[method] = (requests[method] ?? 0) + 1;
    } catch {
      requests["?"] = (requests["?"] ?? 0) + 1;
    }
  },
});

const probe = createPublicClient({ transport: http(url) });
const chainId = await probe.getChainId();
const chain = defineChain({
  id: chainId,
  name: `chain ${chainId}`,
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [url] } },
});
// Receipts are polled every 50 ms (viem's default for a chain without a block time is 4 s, which would measure
// the poll, not the node); with automine a receipt is usually there at the first look, right after the send.
const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
const wallet = createWalletClient({ account, chain, transport, pollingInterval: 50 });

const recipient = "0x000000000000000000000000000000000000beef";
const start = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
const recipientBefore = await publicClient.getBalance({ address: recipient });
// Fees fixed once, as an app that sets them does: four times the current gas price (and at least 10 gwei) stays
// above the base fee for the whole run on both nodes.
const gasPrice = await publicClient.getGasPrice();
const maxFeePerGas = gasPrice * 4n > 10_000_000_000n ? gasPrice * 4n : 10_000_000_000n;
const maxPriorityFeePerGas = 1_000_000n;
const transfer = (i) => ({
  to: recipient,
  value: 1n,
  nonce: start + i,
  gas: 21_000n,
  maxFeePerGas,
  maxPriorityFeePerGas,
});
const signed = [];
if (mode === "raw") {
  for (let i = 0; i < txs; i++) signed.push(await account.signTransaction({ ...transfer(i), chainId, type: "eip1559" }));
}
for (const key of Object.keys(requests)) delete requests[key];

const latencies = [];
const blocks = new Set();
let next = 0;
const began = performance.now();
async function slot() {
  while (next < txs) {
    const i = next++;
    const sent = performance.now();
    const hash =
      mode === "raw"
        ? await wallet.sendRawTransaction({ serializedTransaction: signed[i] })
        : await wallet.sendTransaction(transfer(i));
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50, timeout: 120_000 });
    latencies.push(performance.now() - sent);
    check(receipt.status === "success", `transfer ${i} (${hash}) succeeded: ${receipt.status}`);
    check(receipt.from.toLowerCase() === account.address.toLowerCase(), `transfer ${i} came from the sender`);
    blocks.add(receipt.blockNumber);
  }
}
try {
  await Promise.all(Array.from({ length: inFlight }, slot));
  const secs = (performance.now() - began) / 1000;
  const sent = { ...requests };
  const nonce = await publicClient.getTransactionCount({ address: account.address });
  check(nonce === start + txs, `the sender's nonce is ${start + txs}: ${nonce}`);
  const recipientAfter = await publicClient.getBalance({ address: recipient });
  check(recipientAfter - recipientBefore === BigInt(txs), `the recipient got ${txs} wei: ${recipientAfter - recipientBefore}`);
  latencies.sort((a, b) => a - b);
  const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  console.log(
    JSON.stringify({
      txs,
      inFlight,
      mode,
      secs: Number(secs.toFixed(3)),
      txPerSec: Math.round(txs / secs),
      p50Ms: Number(at(0.5).toFixed(2)),
      p99Ms: Number(at(0.99).toFixed(2)),
      blocks: blocks.size,
      requests: sent,
    }),
  );
  process.exit(0);
} catch (error) {
  console.error(error?.shortMessage ?? error?.message ?? String(error));
  process.exit(1);
}
