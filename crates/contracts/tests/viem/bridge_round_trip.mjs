// An app's round trip through the OP Stack standard bridge with viem's OP Stack actions, against an L1 (900) and an
// L2 (901) that carry the bridge's genesis allocations: a deposit with `depositTransaction`, then a withdrawal
// initiated on the L2, proposed (as the devnet's proposer does), and taken through `getWithdrawalStatus`,
// `buildProveWithdrawal`, `proveWithdrawal`, `getTimeToFinalize` and `finalizeWithdrawal` on the L1.
//
// node bridge_round_trip.mjs <L1 URL> <L2 URL> <addresses JSON: {portal, l1StandardBridge, l1CrossDomainMessenger,
//      disputeGameFactory, proofMaturityDelaySeconds, ethHolder}>
// The addresses are those the app is configured with (either generation); `ethHolder` is where the deposited ETH
// ends up (the portal behind them).
// Exits 0 and prints "ok" when every check holds; exits 1 with the failed check otherwise.

// viem is installed under tools/ (npm ci --prefix tools); import it from there.
const viemDir = new URL("../../../../tools/node_modules/viem/_esm/", import.meta.url);
const viem = await import(new URL("index.js", viemDir));
const opStack = await import(new URL("op-stack/index.js", viemDir));
const accounts = await import(new URL("accounts/index.js", viemDir));
const { createPublicClient, createWalletClient, defineChain, encodeAbiParameters, http, keccak256, parseAbi, parseEther, toHex } = viem;
const { chainConfig, getL2TransactionHashes, getWithdrawals, publicActionsL1, publicActionsL2, walletActionsL1, walletActionsL2 } = opStack;

const [l1Url, l2Url, addressesJson] = process.argv.slice(2);
if (!l1Url || !l2Url || !addressesJson) {
  console.error("usage: node bridge_round_trip.mjs <L1 URL> <L2 URL> <addresses JSON>");
  process.exit(2);
}
const addresses = JSON.parse(addressesJson);

const user = accounts.privateKeyToAccount("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const proposer = accounts.privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const recipient = "0x00000000000000000000000000000000000b0b00";
const nativeCurrency = { name: "Ether", symbol: "ETH", decimals: 18 };

const l1 = defineChain({
  id: 900,
  name: "L1",
  nativeCurrency,
  rpcUrls: { default: { http: [l1Url] } },
  contracts: { multicall3: { address: "0xcA11bde05977b3631167028862bE2a173976CA11" } },
});
const l2 = defineChain({
  ...chainConfig,
  id: 901,
  name: "L2A",
  nativeCurrency,
  rpcUrls: { default: { http: [l2Url] } },
  sourceId: 900,
  contracts: {
    ...chainConfig.contracts,
    portal: { 900: { address: addresses.portal } },
    l1StandardBridge: { 900: { address: addresses.l1StandardBridge } },
    l1CrossDomainMessenger: { 900: { address: addresses.l1CrossDomainMessenger } },
    disputeGameFactory: { 900: { address: addresses.disputeGameFactory } },
  },
});

const publicL1 = createPublicClient({ chain: l1, transport: http() }).extend(publicActionsL1());
const publicL2 = createPublicClient({ chain: l2, transport: http() }).extend(publicActionsL2());
const walletL1 = createWalletClient({ account: user, chain: l1, transport: http() }).extend(walletActionsL1());
const walletL2 = createWalletClient({ account: user, chain: l2, transport: http() }).extend(walletActionsL2());
const proposerL1 = createWalletClient({ account: proposer, chain: l1, transport: http() });

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

async function advanceL1(seconds) {
  await publicL1.request({ method: "evm_increaseTime", params: [toHex(seconds)] });
  await publicL1.request({ method: "evm_mine", params: [] });
}

async function status(receipt) {
  return publicL1.getWithdrawalStatus({ receipt, targetChain: l2 });
}

// 1. A deposit: the portal emits TransactionDeposited, viem derives the L2 transaction hash from it.
const depositHash = await walletL1.depositTransaction({
  request: { gas: 100_000n, mint: parseEther("2"), to: user.address },
  targetChain: l2,
});
const depositReceipt = await publicL1.waitForTransactionReceipt({ hash: depositHash });
check(depositReceipt.status === "success", "the deposit succeeded");
const l2Hashes = getL2TransactionHashes(depositReceipt);
check(l2Hashes.length === 1, `one L2 deposit transaction derived (${l2Hashes.length})`);
check((await publicL1.getBalance({ address: addresses.ethHolder })) === parseEther("2"), "the portal holds the deposit");

// 2. A withdrawal initiated on the L2.
const withdrawHash = await walletL2.initiateWithdrawal({
  request: { gas: 50_000n, to: recipient, value: parseEther("0.5") },
});
const receipt = await publicL2.waitForTransactionReceipt({ hash: withdrawHash });
const [withdrawal] = getWithdrawals(receipt);
check(withdrawal && withdrawal.target.toLowerCase() === recipient, "viem finds the withdrawal in the receipt");
check((await status(receipt)) === "waiting-to-prove", "waiting to prove before any proposal");

// 3. The proposer posts the output root of the withdrawal's block.
const block = await publicL2.getBlock({ blockNumber: receipt.blockNumber });
const passer = await publicL2.getProof({ address: "0x4200000000000000000000000000000000000016", storageKeys: [], blockNumber: receipt.blockNumber });
const outputRoot = keccak256(
  encodeAbiParameters(
    [{ type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }, { type: "bytes32" }],
    [toHex(0, { size: 32 }), block.stateRoot, passer.storageHash, block.hash],
  ),
);
const factoryAbi = parseAbi(["function create(uint32 gameType, bytes32 rootClaim, bytes extraData) payable returns (address)"]);
const proposal = await proposerL1.writeContract({
  address: addresses.disputeGameFactory,
  abi: factoryAbi,
  functionName: "create",
  args: [1, outputRoot, toHex(receipt.blockNumber, { size: 32 })],
});
check((await publicL1.waitForTransactionReceipt({ hash: proposal })).status === "success", "the proposal succeeded");
await advanceL1(2);
check((await status(receipt)) === "ready-to-prove", "ready to prove once proposed");

// 4. Prove with viem's actions.
const game = await publicL1.getGame({ l2BlockNumber: receipt.blockNumber, targetChain: l2 });
const proveArgs = await publicL2.buildProveWithdrawal({ game, withdrawal });
const proveHash = await walletL1.proveWithdrawal(proveArgs);
check((await publicL1.waitForTransactionReceipt({ hash: proveHash })).status === "success", "the proof succeeded");
check((await status(receipt)) === "waiting-to-finalize", "waiting to finalize during the maturity delay");
const { period } = await publicL1.getTimeToFinalize({ withdrawalHash: withdrawal.withdrawalHash, targetChain: l2 });
check(period === addresses.proofMaturityDelaySeconds, `the maturity delay is read from the portal (${period})`);

// 5. Finalize after the delay.
await advanceL1(addresses.proofMaturityDelaySeconds + 1);
check((await status(receipt)) === "ready-to-finalize", "ready to finalize after the delay");
const finalizeHash = await walletL1.finalizeWithdrawal({ targetChain: l2, withdrawal });
check((await publicL1.waitForTransactionReceipt({ hash: finalizeHash })).status === "success", "finalized");
check((await status(receipt)) === "finalized", "reported finalized");
check((await publicL1.getBalance({ address: recipient })) === parseEther("0.5"), "the recipient got the ETH on the L1");

console.log("ok");
