// viem's `multicall` against the chains of `superlink devnet`, as an app developer uses it: several reads in one
// `eth_call` through the Multicall3 preinstall at 0xcA11bde05977b3631167028862bE2a173976CA11, one of which
// fails without failing the others, and a read of the Create2Deployer preinstall checked against viem's own
// CREATE2 address computation.
//
// node tools/viem/multicall.mjs <HTTP URL> <chain ID> [<HTTP URL> <chain ID> ...]
// Exits 0 and prints "ok" when every check holds on every chain; exits 1 with the failed check otherwise.

import { createPublicClient, defineChain, getContractAddress, http, keccak256, parseAbi } from "viem";

const args = process.argv.slice(2);
if (args.length === 0 || args.length % 2 !== 0) {
  console.error("usage: node multicall.mjs <HTTP URL> <chain ID> [<HTTP URL> <chain ID> ...]");
  process.exit(2);
}

const MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11";
const CREATE2_DEPLOYER = "0x13b0D85CcB8bf860b6b79AF3029fCA081AE9beF2";
// anvil's first development account, funded on every devnet chain.
const ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const SALT = "0x000000000000000000000000000000000000000000000000000000000000beef";
const INIT_CODE = "0x67602a5f5260205ff35f5260086018f3";

const multicallAbi = parseAbi([
  "function getChainId() view returns (uint256)",
  "function getEthBalance(address) view returns (uint256)",
  "function getCurrentBlockTimestamp() view returns (uint256)",
]);
const deployerAbi = parseAbi([
  "function computeAddress(bytes32 salt, bytes32 codeHash) view returns (address)",
  "function pause()",
]);

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
}

for (let i = 0; i < args.length; i += 2) {
  const [url, id] = [args[i], Number(args[i + 1])];
  const chain = defineChain({
    id,
    name: `superlink ${id}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
    contracts: { multicall3: { address: MULTICALL3 } },
  });
  const client = createPublicClient({ chain, transport: http(url) });
  // Both reads of the balance at one block: other clients may spend from the account meanwhile.
  const blockNumber = await client.getBlockNumber();
  const [chainId, balance, timestamp, predicted, paused] = await client.multicall({
    blockNumber,
    contracts: [
      { address: MULTICALL3, abi: multicallAbi, functionName: "getChainId" },
      { address: MULTICALL3, abi: multicallAbi, functionName: "getEthBalance", args: [ACCOUNT] },
      { address: MULTICALL3, abi: multicallAbi, functionName: "getCurrentBlockTimestamp" },
      {
        address: CREATE2_DEPLOYER,
        abi: deployerAbi,
        functionName: "computeAddress",
        args: [SALT, keccak256(INIT_CODE)],
      },
      { address: CREATE2_DEPLOYER, abi: deployerAbi, functionName: "pause" },
    ],
  });
  check(chainId.status === "success" && chainId.result === BigInt(id), `chain ${id}: getChainId is ${id}`);
  const expectedBalance = await client.getBalance({ address: ACCOUNT, blockNumber });
  check(expectedBalance > 0n, `chain ${id}: the dev account is funded`);
  check(balance.status === "success" && balance.result === expectedBalance, `chain ${id}: getEthBalance is the balance`);
  check(timestamp.status === "success" && timestamp.result > 1_600_000_000n, `chain ${id}: a block timestamp`);
  const expected = getContractAddress({ opcode: "CREATE2", from: CREATE2_DEPLOYER, salt: SALT, bytecode: INIT_CODE });
  check(predicted.status === "success", `chain ${id}: computeAddress answers`);
  check(predicted.result === expected, `chain ${id}: computeAddress is ${expected} (got ${predicted.result})`);
  check(paused.status === "failure", `chain ${id}: the reverting call fails alone`);
}

console.log("ok");
process.exit(0);
