//! End to end against two of superlink's own chains (as `superlink node` serves them): the verifier follows
//! them over JSON-RPC exactly as it follows anvil or op-geth.

mod common;

use common::{
    Chain,
    scenarios::{source_revert_demotes_dependent, valid_message_and_bad_claims},
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_superlink_chains_a_valid_message_is_accepted_while_bad_claims_get_their_errors() {
    valid_message_and_bad_claims(Chain::start_superlink(901), Chain::start_superlink(902), false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_superlink_chains_reverting_the_source_block_demotes_the_dependent_block() {
    source_revert_demotes_dependent(Chain::start_superlink(901), Chain::start_superlink(902)).await;
}
