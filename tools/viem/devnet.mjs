// A viem client against `superlink devnet`, as an app developer writes one: reads both L2s, sends the example
// counter's cross-chain message from 901, watches for its delivery on 902 over WebSocket, and checks what viem
// parses out of the receipts and transactions (the SentMessage event, the relay's access list).
//
// node tools/viem/devnet.mjs <901 HTTP URL> <902 HTTP URL> <902 WebSocket URL>
// Exits 0 and prints "ok" when every check holds; exits 1 with the failed check otherwise.

import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  parseAbi,
  parseEventLogs,
  webSocket,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

const [urlA, urlB, wsB] = process.argv.slice(2);
if (!urlA || !urlB || !wsB) {
  console.error("usage: node devnet.mjs <901 HTTP URL> <902 HTTP URL> <902 WebSocket URL>");
  process.exit(2);
}

const COUNTER = "0x5111000000000000000000000000000000000001";
const MESSENGER = "0x4200000000000000000000000000000000000023";
const INBOX = "0x4200000000000000000000000000000000000022";
// anvil's first development account, funded on every devnet chain.
const account = privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");

const counterAbi = parseAbi([
  "function incrementRemote(uint256 destination) returns (bytes32)",
  "function count() view returns (uint256)",
  "event Incremented(uint256 indexed source, address indexed requester, uint256 count)",
]);
const messengerAbi = parseAbi([
  "event SentMessage(uint256 indexed destination, address indexed target, uint256 indexed messageNonce, address sender, bytes message)",
  "event RelayedMessage(uint256 indexed source, uint256 indexed messageNonce, bytes32 indexed messageHash, bytes32 returnDataHash)",
]);

const chain = (id, url) =>
  defineChain({
    id,
    name: `superlink ${id}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

const a = createPublicClient({ chain: chain(901, urlA), transport: http(urlA) });
const b = createPublicClient({ chain: chain(902, urlB), transport: http(urlB) });
const bLive = createPublicClient({ chain: chain(902, urlB), transport: webSocket(wsB) });
// The wallet's requests, by method: viem 2.57 prepares a transaction with one `eth_fillTransaction` and falls
// back to separate nonce, fee and gas requests only when the node does not serve it.
const walletRequests = {};
const wallet = createWalletClient({
  account,
  chain: chain(901, urlA),
  transport: http(urlA, {
    onFetchRequest: async (request) => {
      const body = JSON.parse(await request.clone().text());
      for (const { method } of Array.isArray(body) ? body : [body]) walletRequests[method] = (walletRequests[method] ?? 0) + 1;
    },
  }),
});

check((await a.getChainId()) === 901, "901 reports chain ID 901");
check((await b.getChainId()) === 902, "902 reports chain ID 902");
check((await a.getBalance({ address: account.address })) > 0n, "the dev account is funded on 901");
check((await a.getBytecode({ address: INBOX }))?.length > 2, "the CrossL2Inbox predeploy has code");
const before = await b.readContract({ address: COUNTER, abi: counterAbi, functionName: "count" });

// Watch for the delivery before sending, over WebSocket.
const delivered = new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("no Incremented event on 902 within 60 s")), 60_000);
  const stop = bLive.watchContractEvent({
    address: COUNTER,
    abi: counterAbi,
    eventName: "Incremented",
    onLogs: (logs) => {
      clearTimeout(timer);
      stop();
      resolve(logs[0]);
    },
    onError: reject,
  });
});

const { request } = await a.simulateContract({
  account,
  address: COUNTER,
  abi: counterAbi,
  functionName: "incrementRemote",
  args: [902n],
});
const nonceBefore = await a.getTransactionCount({ address: account.address, blockTag: "pending" });
const hash = await wallet.writeContract(request);
check(walletRequests.eth_fillTransaction === 1, `viem filled the transaction with eth_fillTransaction: ${JSON.stringify(walletRequests)}`);
for (const fallback of ["eth_estimateGas", "eth_getTransactionCount", "eth_maxPriorityFeePerGas", "eth_getBlockByNumber"])
  check(!walletRequests[fallback], `viem did not fall back to ${fallback}: ${JSON.stringify(walletRequests)}`);
const receipt = await a.waitForTransactionReceipt({ hash });
check(receipt.status === "success", "the send succeeded");
const sent = parseEventLogs({ abi: messengerAbi, logs: receipt.logs, eventName: "SentMessage" });
check(sent.length === 1, "the receipt holds one SentMessage");
check(sent[0].args.destination === 902n, "the message is for 902");
check(sent[0].args.target.toLowerCase() === COUNTER, "the message targets the counter");
const tx = await a.getTransaction({ hash });
check(tx.type === "eip1559", `viem sent an EIP-1559 transaction (got ${tx.type})`);
check(tx.nonce === nonceBefore, `the filled nonce is the sender's next one (${nonceBefore}, got ${tx.nonce})`);

const event = await delivered;
check(event.args.source === 901n, "the increment came from 901");
check(event.args.requester === account.address, "the increment names the sender");
const after = await b.readContract({ address: COUNTER, abi: counterAbi, functionName: "count" });
check(after === before + 1n, `the counter on 902 went from ${before} to ${before + 1n} (got ${after})`);

// The relay transaction declares its executing message in an access list on the CrossL2Inbox.
const relayed = await b.getContractEvents({
  address: MESSENGER,
  abi: messengerAbi,
  eventName: "RelayedMessage",
  fromBlock: 0n,
});
const relay = relayed.find((log) => log.args.messageNonce === sent[0].args.messageNonce && log.args.source === 901n);
check(relay, "a RelayedMessage for the nonce on 902");
const relayTx = await b.getTransaction({ hash: relay.transactionHash });
const entry = relayTx.accessList?.find((item) => item.address.toLowerCase() === INBOX);
check(entry && entry.storageKeys.length >= 2, "the relay's access list declares the message on the inbox");
const sendBlock = await a.getBlock({ blockNumber: receipt.blockNumber });
const relayBlock = await b.getBlock({ blockNumber: relay.blockNumber });
check(relayBlock.timestamp > sendBlock.timestamp, "the relay is in a later block than the send");

await bLive.transport.getRpcClient().then((client) => client.close());
console.log("ok");
process.exit(0);
