// The OP Stack standard bridge of `superlink devnet` as an app developer reaches it with viem: the chain
// definitions of `@eth-optimism/viem` (supersim's L1 and L2s, with the L1 bridge addresses app code imports), its
// bridge actions, and viem's OP Stack actions. Deposits ETH to 901 and 902, deposits an L1 ERC-20 into an
// OptimismMintableERC20 created through the L2 factory, deposits a message, then withdraws ETH and the ERC-20 from
// 901 and proves and finalizes both on the L1, against the output roots the devnet proposes.
//
// node tools/viem/bridge.mjs <L1 URL> <901 URL> <902 URL> <L1 token creation bytecode>
// The bytecode is that of an ERC-20 anyone may mint (`mint(address,uint256)`), deployed on the L1 by the script.
// Exits 0 and prints "ok" when every check holds; exits 1 with the failed check otherwise.

import { createPublicClient, createWalletClient, erc20Abi, getAddress, http, parseAbi, parseEther, parseEventLogs } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { getL2TransactionHashes, publicActionsL1, publicActionsL2, walletActionsL1, walletActionsL2 } from "viem/op-stack";
import { depositCrossDomainMessage, depositERC20, withdrawOptimismERC20 } from "@eth-optimism/viem/actions";
import { supersimL1, supersimL2A as chainA, supersimL2B as chainB } from "@eth-optimism/viem/chains";

const [l1Url, urlA, urlB, tokenBytecode] = process.argv.slice(2);
if (!l1Url || !urlA || !urlB || !tokenBytecode) {
  console.error("usage: node bridge.mjs <L1 URL> <901 URL> <902 URL> <L1 token creation bytecode>");
  process.exit(2);
}

// anvil's fourth development account, funded on every devnet chain (the others are left to other clients).
const account = privateKeyToAccount("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");
const FACTORY = "0x4200000000000000000000000000000000000012";
const L2_TOKEN_ABI = parseAbi([
  "function createOptimismMintableERC20(address remoteToken, string name, string symbol) returns (address)",
  "event OptimismMintableERC20Created(address indexed localToken, address indexed remoteToken, address deployer)",
  "function mint(address to, uint256 amount)",
  "function balanceOf(address) view returns (uint256)",
  "function remoteToken() view returns (address)",
]);

// Nothing here should take long on a devnet with short block times: a hang is a failure.
setTimeout(() => {
  console.error("timed out");
  process.exit(1);
}, 300_000).unref();

// An address that holds nothing anywhere, so every balance it ends with is what the bridge brought it.
const fresh = () => privateKeyToAccount(generatePrivateKey()).address;

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

// `@eth-optimism/viem` lists the portal as `optimismPortal`; viem's OP Stack actions look for `portal`, so an app
// names it once more, as it would against supersim.
const withPortal = (chain) => ({ ...chain, contracts: { ...chain.contracts, portal: chain.contracts.optimismPortal } });
const supersimL2A = withPortal(chainA);
const supersimL2B = withPortal(chainB);

const l1Public = createPublicClient({ chain: supersimL1, transport: http(l1Url) }).extend(publicActionsL1());
const l1Wallet = createWalletClient({ account, chain: supersimL1, transport: http(l1Url) }).extend(walletActionsL1());
const l2 = (chain, url) => ({
  chain,
  public: createPublicClient({ chain, transport: http(url) }).extend(publicActionsL2()),
  wallet: createWalletClient({ account, chain, transport: http(url) }).extend(walletActionsL2()),
});
const a = l2(supersimL2A, urlA);
const b = l2(supersimL2B, urlB);

async function l1Receipt(hash, what) {
  const receipt = await l1Public.waitForTransactionReceipt({ hash });
  check(receipt.status === "success", `${what} succeeded on the L1`);
  return receipt;
}

// Waits for the L2 transactions the portal logs of an L1 receipt derive, and returns their receipts.
async function arrived(chain, l1, what) {
  const hashes = getL2TransactionHashes(l1);
  check(hashes.length === 1, `${what}: one deposit derived from the L1 receipt (${hashes.length})`);
  const receipt = await chain.public.waitForTransactionReceipt({ hash: hashes[0], timeout: 90_000 });
  check(receipt.status === "success", `${what}: the deposit succeeded on the L2`);
  return receipt;
}

// 1. ETH, through the portal of each chain's definition.
for (const [chain, recipient] of [[a, fresh()], [b, fresh()]]) {
  const hash = await l1Wallet.depositTransaction({
    request: { gas: 100_000n, mint: parseEther("1"), to: recipient },
    targetChain: chain.chain,
  });
  await arrived(chain, await l1Receipt(hash, "ETH deposit"), `ETH deposit to ${chain.chain.id}`);
  check((await chain.public.getBalance({ address: recipient })) === parseEther("1"), `1 ETH arrived on ${chain.chain.id}`);
}

// 2. An ERC-20 of the L1 into its OptimismMintableERC20 on 901.
const deployed = await l1Receipt(await l1Wallet.deployContract({ abi: [], bytecode: tokenBytecode }), "token deployment");
const l1Token = getAddress(deployed.contractAddress);
await l1Receipt(await l1Wallet.writeContract({ address: l1Token, abi: L2_TOKEN_ABI, functionName: "mint", args: [account.address, 1000n] }), "mint");
const created = await a.public.waitForTransactionReceipt({
  hash: await a.wallet.writeContract({ address: FACTORY, abi: L2_TOKEN_ABI, functionName: "createOptimismMintableERC20", args: [l1Token, "Bridged", "BRG"] }),
});
const [{ args: { localToken: l2Token } }] = parseEventLogs({ abi: L2_TOKEN_ABI, eventName: "OptimismMintableERC20Created", logs: created.logs });
check((await a.public.readContract({ address: l2Token, abi: L2_TOKEN_ABI, functionName: "remoteToken" })) === l1Token, "the L2 token knows its L1 token");
const l1Bridge = supersimL2A.contracts.l1StandardBridge[supersimL1.id].address;
await l1Receipt(await l1Wallet.writeContract({ address: l1Token, abi: erc20Abi, functionName: "approve", args: [l1Bridge, 400n] }), "approve");
const erc20Hash = await depositERC20(l1Wallet, {
  account,
  tokenAddress: l1Token,
  remoteTokenAddress: l2Token,
  amount: 400n,
  targetChain: supersimL2A,
  remoteClient: a.public,
});
await arrived(a, await l1Receipt(erc20Hash, "ERC-20 deposit"), "ERC-20 deposit");
check((await a.public.readContract({ address: l2Token, abi: L2_TOKEN_ABI, functionName: "balanceOf", args: [account.address] })) === 400n, "400 tokens on 901");
check((await l1Public.readContract({ address: l1Token, abi: erc20Abi, functionName: "balanceOf", args: [l1Bridge] })) === 400n, "the L1 bridge holds the deposited tokens");

// 3. A message: the L1 messenger calls supersim's test token on 901 through the L2 messenger.
const TEST_TOKEN = "0x420beeF000000000000000000000000000000001";
const messaged = fresh();
const messageHash = await depositCrossDomainMessage(l1Wallet, {
  account,
  target: TEST_TOKEN,
  message: "0x40c10f19" + messaged.slice(2).padStart(64, "0") + (77).toString(16).padStart(64, "0"),
  minGasLimit: 200_000n,
  targetChain: supersimL2A,
});
await arrived(a, await l1Receipt(messageHash, "message deposit"), "message deposit");
check((await a.public.readContract({ address: TEST_TOKEN, abi: L2_TOKEN_ABI, functionName: "balanceOf", args: [messaged] })) === 77n, "the message minted on 901");

// 4. Withdrawals from 901, proven and finalized with viem's OP Stack actions.
async function proveAndFinalize(receipt, what) {
  const { game, withdrawal } = await l1Public.waitToProve({ receipt, targetChain: supersimL2A });
  check(game.l2BlockNumber >= receipt.blockNumber, `${what}: the game covers the withdrawal's block`);
  check((await l1Public.getWithdrawalStatus({ receipt, targetChain: supersimL2A })) === "ready-to-prove", `${what}: ready to prove`);
  const proveArgs = await a.public.buildProveWithdrawal({ game, withdrawal });
  await l1Receipt(await l1Wallet.proveWithdrawal(proveArgs), `${what}: proof`);
  const { period } = await l1Public.getTimeToFinalize({ withdrawalHash: withdrawal.withdrawalHash, targetChain: supersimL2A });
  check(period > 0, `${what}: a proof maturity delay is read from the portal (${period})`);
  await l1Public.waitToFinalize({ withdrawalHash: withdrawal.withdrawalHash, targetChain: supersimL2A });
  // The delay is measured in L1 block time: wait until an L1 block past it can include the finalization.
  for (;;) {
    const status = await l1Public.getWithdrawalStatus({ receipt, targetChain: supersimL2A });
    if (status === "ready-to-finalize") break;
    check(status === "waiting-to-finalize", `${what}: waiting to finalize (${status})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await l1Receipt(await l1Wallet.finalizeWithdrawal({ targetChain: supersimL2A, withdrawal }), `${what}: finalization`);
  check((await l1Public.getWithdrawalStatus({ receipt, targetChain: supersimL2A })) === "finalized", `${what}: finalized`);
}

const withdrawn = fresh();
const ethWithdrawal = await a.public.waitForTransactionReceipt({
  hash: await a.wallet.initiateWithdrawal({ request: { gas: 21_000n, to: withdrawn, value: parseEther("0.25") } }),
});
check(ethWithdrawal.status === "success", "the ETH withdrawal was initiated on 901");
await proveAndFinalize(ethWithdrawal, "ETH withdrawal");
check((await l1Public.getBalance({ address: withdrawn })) === parseEther("0.25"), "the withdrawn ETH arrived on the L1");

const tokenWithdrawal = await a.public.waitForTransactionReceipt({
  hash: await withdrawOptimismERC20(a.wallet, { account, tokenAddress: l2Token, amount: 150n, to: withdrawn }),
});
check(tokenWithdrawal.status === "success", "the ERC-20 withdrawal was initiated on 901");
check((await a.public.readContract({ address: l2Token, abi: L2_TOKEN_ABI, functionName: "balanceOf", args: [account.address] })) === 250n, "150 tokens burnt on 901");
await proveAndFinalize(tokenWithdrawal, "ERC-20 withdrawal");
check((await l1Public.readContract({ address: l1Token, abi: erc20Abi, functionName: "balanceOf", args: [withdrawn] })) === 150n, "the withdrawn tokens arrived on the L1");

console.log("ok");
