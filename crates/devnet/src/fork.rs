//! Fork mode (`superlink devnet fork`): the L1 and any of the L2s start from existing chains' state at a block,
//! read lazily over the remote nodes' standard JSON-RPC, with the devnet's own contracts installed on top.
//!
//! At start every remote is asked for its chain ID (which must match the L2 it stands for) and the header of
//! the fork block (the latest one unless a block is given); an unreachable node, a wrong chain ID or a missing
//! block stops the devnet before anything is served. The forked chain keeps the remote's chain ID, its first
//! block is the remote's fork block (same number and hash), and it goes on from there as any devnet chain.
//!
//! State the chain has not written is read at the fork block with `eth_getBalance`, `eth_getTransactionCount`,
//! `eth_getCode` and `eth_getStorageAt`, once per account and slot (the chain's cache keeps every answer). The
//! reads run on a thread of their own with its own runtime, so a chain read that misses its cache blocks only
//! the thread that reads the chain (chains' reads run on the blocking pool in fork mode), never an async
//! worker; each request gives up after the fork timeout.

use std::{
    collections::BTreeMap,
    fmt,
    future::Future,
    pin::Pin,
    sync::{Arc, mpsc},
    time::Duration,
};

use alloy_primitives::{Address, B256, Bytes, U64, U256};
use serde_json::{Value, json};
use superlink_chain::{
    Chain, ChainConfig, ForkError, ForkPoint, ForkSource, ForkedState, Genesis, RemoteAccount,
};
use superlink_client::NodeClient;
use tokio::sync::mpsc as async_mpsc;

use crate::{accounts::ether, control_rpc::parse_u64, error::DevnetError};

/// How long one request to a remote node may take by default.
pub const DEFAULT_FORK_TIMEOUT: Duration = Duration::from_secs(10);

/// A chain to fork: the node's JSON-RPC URL and, optionally, the block (else the node's latest block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkTarget {
    /// The remote node's HTTP JSON-RPC URL.
    pub url: String,
    /// The block to fork at.
    pub block: Option<u64>,
}

impl ForkTarget {
    /// Parses `URL` or `URL@BLOCK` (a trailing `@` followed by a decimal or `0x` number is the block; any other
    /// `@`, as in `https://user:key@host`, belongs to the URL).
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some((url, block)) = text.rsplit_once('@')
            && let Some(number) = parse_u64(block)
        {
            return Self::checked(url, Some(number));
        }
        Self::checked(text, None)
    }

    fn checked(url: &str, block: Option<u64>) -> Result<Self, String> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("`{url}` is not an http:// or https:// JSON-RPC URL"));
        }
        Ok(Self { url: url.to_string(), block })
    }
}

/// Parses one `--l2-fork` value: `CHAIN_ID=URL` or `CHAIN_ID=URL@BLOCK`.
pub fn parse_l2_fork(text: &str) -> Result<(u64, ForkTarget), String> {
    let (id, target) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not CHAIN_ID=URL (for example 901=http://127.0.0.1:9545)"))?;
    let id = parse_u64(id.trim()).ok_or_else(|| format!("`{id}` is not a chain ID"))?;
    Ok((id, ForkTarget::parse(target.trim())?))
}

/// Which chains of a devnet are forked, and from where. Empty (the default) for an ordinary devnet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkConfig {
    /// The L1's remote, if the L1 is forked.
    pub l1: Option<ForkTarget>,
    /// The forked L2s by chain ID: each keeps its chain ID, the devnet's other L2s start fresh.
    pub l2s: BTreeMap<u64, ForkTarget>,
    /// The block every target without its own block forks at (else each remote's latest block).
    pub block: Option<u64>,
    /// How long one request to a remote may take.
    pub timeout: Duration,
}

impl Default for ForkConfig {
    fn default() -> Self {
        Self { l1: None, l2s: BTreeMap::new(), block: None, timeout: DEFAULT_FORK_TIMEOUT }
    }
}

impl ForkConfig {
    /// Whether nothing is forked.
    pub fn is_empty(&self) -> bool {
        self.l1.is_none() && self.l2s.is_empty()
    }
}

/// A remote chain checked at start and ready to be forked.
#[derive(Debug, Clone)]
pub struct RemoteChain {
    /// The remote's chain ID (the forked chain keeps it).
    pub chain_id: u64,
    /// The remote's URL.
    pub url: String,
    /// The fork block.
    pub point: ForkPoint,
    /// The remote state at the fork block, with its cache.
    pub state: Arc<ForkedState>,
}

fn fork_error(url: &str, reason: impl fmt::Display) -> DevnetError {
    DevnetError::Fork { url: url.to_string(), reason: reason.to_string() }
}

/// Checks a remote and reads its fork block: the node must answer, serve `expected_chain_id` when given (an
/// L2 is forked from a node of the same chain), and have the block. `default_block` applies when the target
/// names none.
pub async fn connect(
    target: &ForkTarget,
    expected_chain_id: Option<u64>,
    default_block: Option<u64>,
    timeout: Duration,
) -> Result<RemoteChain, DevnetError> {
    let url = &target.url;
    let client = NodeClient::new(url, timeout).map_err(|e| fork_error(url, e))?;
    let chain_id = client.chain_id().await.map_err(|e| fork_error(url, e))?;
    let chain_id = u64::try_from(chain_id)
        .map_err(|_| fork_error(url, format!("its chain ID {chain_id} does not fit in 64 bits")))?;
    if let Some(expected) = expected_chain_id
        && expected != chain_id
    {
        return Err(fork_error(url, format!("it serves chain {chain_id}, not chain {expected}")));
    }
    let block = match target.block.or(default_block) {
        Some(block) => block,
        None => client.block_number().await.map_err(|e| fork_error(url, e))?,
    };
    let answer = client
        .request_json("eth_getBlockByNumber", vec![json!(format!("{block:#x}")), json!(false)])
        .await
        .map_err(|e| fork_error(url, e))?;
    if answer.is_null() {
        let head = client.block_number().await.map_err(|e| fork_error(url, e))?;
        return Err(fork_error(url, format!("it has no block {block} (its latest block is {head})")));
    }
    let header: alloy_rpc_types_eth::Header = serde_json::from_value(answer)
        .map_err(|e| fork_error(url, format!("block {block} has an unexpected shape: {e}")))?;
    let point = ForkPoint { header: header.inner, hash: header.hash };
    let source = RpcForkSource::start(url, block, timeout)?;
    Ok(RemoteChain { chain_id, url: url.clone(), point, state: Arc::new(ForkedState::new(Box::new(source))) })
}

/// The remotes of a devnet's forked chains, checked at start.
#[derive(Debug, Clone, Default)]
pub struct ForkedRemotes {
    /// The L1's remote, if the L1 is forked.
    pub l1: Option<RemoteChain>,
    /// The forked L2s' remotes by chain ID.
    pub l2s: BTreeMap<u64, RemoteChain>,
}

impl ForkedRemotes {
    /// When the devnet's block schedule starts: `now`, or later if a fork block is later, and a whole number of
    /// L2 block times after the first forked L2's fork block. An L2 builds each block one block time after its
    /// head, so a forked L2 keeps its fork block's timestamps apart from the others' by a fraction of a block
    /// time at most, and not at all when the block times line up (one-second blocks, or one forked L2).
    pub fn schedule_start(&self, now: u64, l2_block_time: u64) -> u64 {
        let latest =
            self.l1.iter().chain(self.l2s.values()).map(|remote| remote.point.header.timestamp).max();
        let start = latest.map_or(now, |latest| latest.max(now));
        match self.l2s.values().next() {
            Some(first) if l2_block_time > 0 => {
                let behind = (start - first.point.header.timestamp.min(start)) % l2_block_time;
                if behind == 0 { start } else { start + (l2_block_time - behind) }
            }
            _ => start,
        }
    }

    /// The block each forked L2 starts at (where the verifier starts indexing it).
    pub fn l2_start_blocks(&self) -> BTreeMap<u64, u64> {
        self.l2s.iter().map(|(id, remote)| (*id, remote.point.header.number)).collect()
    }
}

/// Checks every remote of `config`, all at once; every forked L2 must be one of the devnet's `l2_chain_ids`.
pub async fn connect_all(config: &ForkConfig, l2_chain_ids: &[u64]) -> Result<ForkedRemotes, DevnetError> {
    if let Some(unknown) = config.l2s.keys().find(|id| !l2_chain_ids.contains(id)) {
        return Err(DevnetError::Config(format!(
            "chain {unknown} is forked but is not one of the devnet's L2 chains {l2_chain_ids:?}"
        )));
    }
    let mut connecting = tokio::task::JoinSet::new();
    let (block, timeout) = (config.block, config.timeout);
    if let Some(target) = config.l1.clone() {
        connecting.spawn(async move { (None, connect(&target, None, block, timeout).await) });
    }
    for (id, target) in config.l2s.clone() {
        connecting.spawn(async move { (Some(id), connect(&target, Some(id), block, timeout).await) });
    }
    let mut remotes = ForkedRemotes::default();
    while let Some(joined) = connecting.join_next().await {
        let (chain, remote) =
            joined.map_err(|e| DevnetError::Task { task: "fork", reason: e.to_string() })?;
        match chain {
            None => remotes.l1 = Some(remote?),
            Some(id) => {
                remotes.l2s.insert(id, remote?);
            }
        }
    }
    Ok(remotes)
}

/// One chain of a devnet started from `genesis`, or forked from `remote` when it is forked: `genesis`'s
/// contracts are then installed on top of the remote state and its `funded` accounts get their genesis balance
/// over the remote's accounts (keeping the remote's nonces, code and storage). Blocking: funding reads the
/// accounts from the remote, and a genesis state root takes a while.
fn start_chain(
    genesis: Genesis,
    remote: Option<&RemoteChain>,
    funded: &[Address],
    balance_ether: u64,
) -> Result<Chain, DevnetError> {
    let Some(remote) = remote else { return Ok(Chain::new(&genesis, ChainConfig::default())) };
    let mut installed = genesis;
    installed.chain_id = remote.chain_id;
    installed.alloc.retain(|address, _| !funded.contains(address));
    let balances: Vec<(Address, U256)> = funded.iter().map(|a| (*a, ether(balance_ether))).collect();
    Chain::fork(&installed, remote.point.clone(), remote.state.clone(), &balances, ChainConfig::default())
        .map_err(|e| fork_error(&remote.url, e))
}

/// The devnet's chains in fork mode, off the async workers: the L1 and each L2 (`(genesis, funded accounts)`,
/// the L2s in chain-ID order) forked from its remote in `remotes` when it has one, else from its genesis.
pub async fn build_chains(
    remotes: &ForkedRemotes,
    l1: (Genesis, Vec<Address>),
    l2s: Vec<(Genesis, Vec<Address>)>,
    balance_ether: u64,
) -> Result<(Chain, Vec<Chain>), DevnetError> {
    let remotes = remotes.clone();
    tokio::task::spawn_blocking(move || {
        let (l1_genesis, l1_funded) = l1;
        let l1 = start_chain(l1_genesis, remotes.l1.as_ref(), &l1_funded, balance_ether)?;
        let l2s = l2s
            .into_iter()
            .map(|(genesis, funded)| {
                let remote = remotes.l2s.get(&genesis.chain_id);
                start_chain(genesis, remote, &funded, balance_ether)
            })
            .collect::<Result<Vec<Chain>, DevnetError>>()?;
        Ok((l1, l2s))
    })
    .await
    .map_err(|e| DevnetError::Task { task: "fork", reason: e.to_string() })?
}

/// One request for the reading thread: it runs on that thread's runtime with the thread's client and the fork
/// block, and sends its own answer back.
type Job = Box<dyn FnOnce(NodeClient, u64) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// A [`ForkSource`] over a node's JSON-RPC at one block. Its requests run on a thread of its own (with a
/// single-threaded runtime), so callers block only their own thread, for at most the timeout. The thread ends
/// when the source is dropped.
pub struct RpcForkSource {
    url: String,
    jobs: async_mpsc::UnboundedSender<Job>,
    wait: Duration,
}

impl fmt::Debug for RpcForkSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RpcForkSource").field("url", &self.url).finish_non_exhaustive()
    }
}

impl RpcForkSource {
    /// Starts the reading thread for the node at `url`, reading at `block`, each request giving up after
    /// `timeout`.
    pub fn start(url: &str, block: u64, timeout: Duration) -> Result<Self, DevnetError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| fork_error(url, format!("starting its reader: {e}")))?;
        let client = {
            let _context = runtime.enter();
            NodeClient::new(url, timeout).map_err(|e| fork_error(url, e))?
        };
        let (jobs, mut queue) = async_mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("fork-reader".into())
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = queue.recv().await {
                        tokio::spawn(job(client.clone(), block));
                    }
                });
            })
            .map_err(|e| fork_error(url, format!("starting its reader: {e}")))?;
        // The client's own timeout ends every request; the margin covers the hand-over between threads.
        Ok(Self { url: url.to_string(), jobs, wait: timeout + Duration::from_secs(2) })
    }

    /// Runs `request` on the reading thread and waits for its answer; `what` names the request in errors.
    fn ask<T, Fut>(
        &self,
        what: impl Fn() -> String,
        request: impl FnOnce(NodeClient, u64) -> Fut + Send + 'static,
    ) -> Result<T, ForkError>
    where
        T: Send + 'static,
        Fut: Future<Output = Result<T, String>> + Send + 'static,
    {
        let failed = |reason: String| ForkError { what: what(), reason };
        let (reply, answer) = mpsc::sync_channel(1);
        let job: Job = Box::new(move |client, block| {
            Box::pin(async move {
                // The asker may have given up waiting: nobody to tell then.
                let _ = reply.send(request(client, block).await);
            })
        });
        self.jobs.send(job).map_err(|_| failed(format!("the reader of {} has stopped", self.url)))?;
        match answer.recv_timeout(self.wait) {
            Ok(answer) => answer.map_err(failed),
            Err(_) => Err(failed(format!("{} did not answer within {:?}", self.url, self.wait))),
        }
    }
}

/// The account at `address` at `block`: balance, nonce and code, asked at once.
async fn account_at(client: NodeClient, block: u64, address: Address) -> Result<RemoteAccount, String> {
    let (at, address) = (json!(format!("{block:#x}")), json!(address));
    let (balance, nonce, code) = tokio::join!(
        client.request_json("eth_getBalance", vec![address.clone(), at.clone()]),
        client.request_json("eth_getTransactionCount", vec![address.clone(), at.clone()]),
        client.request_json("eth_getCode", vec![address, at]),
    );
    let balance: U256 = decode(balance.map_err(|e| e.to_string()), "eth_getBalance")?;
    let nonce: U64 = decode(nonce.map_err(|e| e.to_string()), "eth_getTransactionCount")?;
    let code: Bytes = decode(code.map_err(|e| e.to_string()), "eth_getCode")?;
    Ok(RemoteAccount { balance, nonce: nonce.to(), code })
}

/// The storage slot `slot` of `address` at `block`.
async fn storage_at(client: NodeClient, block: u64, address: Address, slot: U256) -> Result<U256, String> {
    let params = vec![json!(address), json!(B256::from(slot)), json!(format!("{block:#x}"))];
    let answer = client.request_json("eth_getStorageAt", params).await.map_err(|e| e.to_string());
    let word: B256 = decode(answer, "eth_getStorageAt")?;
    Ok(U256::from_be_bytes(word.0))
}

fn decode<T: serde::de::DeserializeOwned>(answer: Result<Value, String>, method: &str) -> Result<T, String> {
    serde_json::from_value(answer?).map_err(|e| format!("unexpected answer to {method}: {e}"))
}

impl ForkSource for RpcForkSource {
    fn account(&self, address: Address) -> Result<RemoteAccount, ForkError> {
        self.ask(|| format!("account {address}"), move |client, block| account_at(client, block, address))
    }

    fn storage(&self, address: Address, slot: U256) -> Result<U256, ForkError> {
        self.ask(
            || format!("storage slot {slot:#x} of {address}"),
            move |client, block| storage_at(client, block, address, slot),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_take_an_optional_block_after_the_url() {
        let plain = ForkTarget::parse("http://127.0.0.1:8545").unwrap();
        assert_eq!(plain, ForkTarget { url: "http://127.0.0.1:8545".into(), block: None });
        let at = ForkTarget::parse("http://127.0.0.1:8545@12").unwrap();
        assert_eq!(at.block, Some(12));
        assert_eq!(at.url, "http://127.0.0.1:8545");
        assert_eq!(ForkTarget::parse("https://node@0x10").unwrap().block, Some(16));
        let userinfo = ForkTarget::parse("https://user:key@rpc.example").unwrap();
        assert_eq!(userinfo.url, "https://user:key@rpc.example");
        assert_eq!(userinfo.block, None);
        assert!(ForkTarget::parse("127.0.0.1:8545").is_err());
    }

    #[test]
    fn l2_forks_name_their_chain() {
        let (id, target) = parse_l2_fork("901=http://127.0.0.1:9545@7").unwrap();
        assert_eq!((id, target.block), (901, Some(7)));
        assert!(parse_l2_fork("http://127.0.0.1:9545").is_err());
        assert!(parse_l2_fork("op=http://127.0.0.1:9545").is_err());
    }

    #[tokio::test]
    async fn an_unreachable_remote_is_refused_with_its_url() {
        // Port 9 (discard) on localhost: nothing listens there in a test environment.
        let target = ForkTarget::parse("http://127.0.0.1:9").unwrap();
        let error = connect(&target, None, None, Duration::from_secs(2)).await.unwrap_err();
        let text = error.to_string();
        assert!(text.contains("http://127.0.0.1:9"), "{text}");
        assert!(matches!(error, DevnetError::Fork { .. }), "{text}");
    }

    #[test]
    fn a_source_whose_node_is_gone_fails_reads_within_the_timeout() {
        let source = RpcForkSource::start("http://127.0.0.1:9", 0, Duration::from_secs(1)).unwrap();
        let error = source.account(Address::ZERO).unwrap_err();
        assert!(error.to_string().contains("127.0.0.1:9"), "{error}");
    }
}
