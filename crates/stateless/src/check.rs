//! [`check_block`]: a block of a node re-executed statelessly and compared with what the node serves.

use std::time::Duration;

use alloy_consensus::Header;
use alloy_primitives::B256;
use alloy_rpc_types_eth::{Block, EIP1186AccountProofResponse};
use jsonrpsee::rpc_params;
use superlink_chain::ExecutionWitness;
use superlink_client::NodeClient;
use superlink_protocol::{output_root_v0, predeploys::L2_TO_L1_MESSAGE_PASSER};

use crate::{
    error::{StatelessError, StatelessErrorKind},
    reexecute::{ExecutionConfig, Reexecution, StatelessBlock, reexecute},
};

/// How long one JSON-RPC request may take (a witness of a large block is a large answer).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// One compared value: what the node serves and what re-execution computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldCheck<T> {
    /// The node's value.
    pub served: T,
    /// The recomputed value.
    pub recomputed: T,
}

impl<T: PartialEq> FieldCheck<T> {
    /// Whether the two agree.
    pub fn matches(&self) -> bool {
        self.served == self.recomputed
    }
}

/// The comparison of one block: every root the node serves next to the recomputed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockCheck {
    /// The chain ID.
    pub chain_id: u64,
    /// The block number.
    pub number: u64,
    /// The block hash the node serves.
    pub block_hash: B256,
    /// The header's `stateRoot`.
    pub state_root: FieldCheck<B256>,
    /// The header's `receiptsRoot`.
    pub receipts_root: FieldCheck<B256>,
    /// The header's `gasUsed`.
    pub gas_used: FieldCheck<u64>,
    /// The `L2ToL1MessagePasser` storage root: `eth_getProof`'s `storageHash` at the block.
    pub message_passer_storage_root: FieldCheck<B256>,
    /// The output root: from the served state root, `storageHash` and block hash; recomputed from the
    /// re-executed roots and the hash of the header carrying them.
    pub output_root: FieldCheck<B256>,
    /// Transactions executed with a sender taken on the node's word (impersonated on a development node).
    pub impersonated_senders: usize,
}

impl BlockCheck {
    /// Whether every compared value agrees.
    pub fn all_match(&self) -> bool {
        self.state_root.matches()
            && self.receipts_root.matches()
            && self.gas_used.matches()
            && self.message_passer_storage_root.matches()
            && self.output_root.matches()
    }

    /// The names of the values that disagree.
    pub fn mismatches(&self) -> Vec<&'static str> {
        [
            ("stateRoot", self.state_root.matches()),
            ("receiptsRoot", self.receipts_root.matches()),
            ("gasUsed", self.gas_used.matches()),
            ("messagePasserStorageRoot", self.message_passer_storage_root.matches()),
            ("outputRoot", self.output_root.matches()),
        ]
        .into_iter()
        .filter(|(_, matches)| !matches)
        .map(|(name, _)| name)
        .collect()
    }
}

fn tag(number: u64) -> String {
    format!("{number:#x}")
}

/// Fetches block `number`, its parent's header and its execution witness from the node at `rpc_url`,
/// re-executes the block statelessly and compares the results with what the node serves. A mismatch is a
/// result, not an error; errors are failures to fetch or to execute (a witness missing a node, a parent
/// header that does not hash to the block's `parentHash`).
pub async fn check_block(rpc_url: &str, number: u64) -> Result<BlockCheck, StatelessError> {
    let client = NodeClient::new(rpc_url, REQUEST_TIMEOUT).map_err(|e| StatelessError::new(0, number, e))?;
    check_block_with(&client, number).await
}

/// [`check_block`] with a client the caller already has.
pub async fn check_block_with(client: &NodeClient, number: u64) -> Result<BlockCheck, StatelessError> {
    let chain_id: u64 = client.chain_id().await.map_err(|e| StatelessError::new(0, number, e))?.to();
    let fail = |kind: StatelessErrorKind| StatelessError::new(chain_id, number, kind);
    if number == 0 {
        return Err(fail(StatelessErrorKind::Genesis));
    }
    let block: Option<Block<op_alloy_rpc_types::Transaction>> = client
        .request("eth_getBlockByNumber", rpc_params![tag(number), true])
        .await
        .map_err(|e| fail(e.into()))?;
    let block = block.ok_or_else(|| fail(StatelessErrorKind::BlockNotFound(number)))?;
    let parent: Option<Block<B256>> = client
        .request("eth_getBlockByNumber", rpc_params![tag(number - 1), false])
        .await
        .map_err(|e| fail(e.into()))?;
    let parent = parent.ok_or_else(|| fail(StatelessErrorKind::BlockNotFound(number - 1)))?.header.inner;
    let witness: ExecutionWitness = client
        .request("debug_executionWitness", rpc_params![tag(number)])
        .await
        .map_err(|e| fail(e.into()))?;
    let proof: EIP1186AccountProofResponse = client
        .request("eth_getProof", rpc_params![L2_TO_L1_MESSAGE_PASSER, Vec::<B256>::new(), tag(number)])
        .await
        .map_err(|e| fail(e.into()))?;

    let block_hash = block.header.hash;
    let block = StatelessBlock::from_rpc(block);
    let served = block.header.clone();
    let impersonated_senders = block.impersonated();
    let config = ExecutionConfig::isthmus(chain_id);
    let recomputed = reexecute_blocking(block, parent, witness, config).await?;
    Ok(compare(chain_id, block_hash, &served, proof.storage_hash, &recomputed, impersonated_senders))
}

/// Runs [`reexecute`] on the blocking thread pool.
async fn reexecute_blocking(
    block: StatelessBlock,
    parent: Header,
    witness: ExecutionWitness,
    config: ExecutionConfig,
) -> Result<Reexecution, StatelessError> {
    let number = block.header.number;
    tokio::task::spawn_blocking(move || reexecute(&block, &parent, &witness, &config)).await.map_err(|e| {
        StatelessError::new(config.chain_id, number, StatelessErrorKind::Interrupted(e.to_string()))
    })?
}

fn compare(
    chain_id: u64,
    block_hash: B256,
    served: &Header,
    served_passer_root: B256,
    recomputed: &Reexecution,
    impersonated_senders: usize,
) -> BlockCheck {
    BlockCheck {
        chain_id,
        number: served.number,
        block_hash,
        state_root: FieldCheck { served: served.state_root, recomputed: recomputed.state_root },
        receipts_root: FieldCheck { served: served.receipts_root, recomputed: recomputed.receipts_root },
        gas_used: FieldCheck { served: served.gas_used, recomputed: recomputed.gas_used },
        message_passer_storage_root: FieldCheck {
            served: served_passer_root,
            recomputed: recomputed.message_passer_storage_root,
        },
        output_root: FieldCheck {
            served: output_root_v0(served.state_root, served_passer_root, block_hash),
            recomputed: recomputed.output_root,
        },
        impersonated_senders,
    }
}
