//! The devnet in process: every chain on its own port at one clock, and the verifier as the L2s' admission
//! policy for transactions that declare executing messages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use alloy_consensus::TxEip1559;
use alloy_primitives::{Address, B256, Bytes, TxKind, U256};
use alloy_sol_types::SolCall;
use op_alloy_consensus::OpTypedTransaction;
use superlink_contracts::{
    addresses::{CROSS_CHAIN_COUNTER, L2_TO_L2_CROSS_DOMAIN_MESSENGER},
    bindings::CrossChainCounter,
};
use superlink_devnet::{
    Devnet, DevnetChain, DevnetConfig, InteropAdmission, NextBlockTime, source::InProcessSource,
};
use superlink_protocol::{Identifier, access_list, payload_from_log, payload_hash, relay_message_calldata};
use superlink_txpool::{AdmissionCheck, PoolTransaction};
use superlink_verifier::{BlockTag, ChainSource, RpcChainSource};

fn config() -> DevnetConfig {
    DevnetConfig {
        l2_count: 3,
        l1_port: 0,
        l2_starting_port: 0,
        verifier_port: 0,
        rollup_starting_port: 0,
        l1_block_time: 2,
        l2_block_time: 1,
        autorelay: false,
        dependency_set: Some(vec![901, 902]),
        ..DevnetConfig::default()
    }
}

/// Waits (bounded) until `done`.
async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Submits, as an impersonated sender, a call declaring `entries` for `CrossL2Inbox`.
fn submit_with_claims(chain: &DevnetChain, claims: &[(Identifier, B256)]) -> Result<B256, String> {
    submit_to_messenger(chain, Address::repeat_byte(0x77), None, 200_000, Bytes::new(), claims)
}

/// Submits, as the funded impersonated `sender`, a call of the messenger with `input` that declares `claims`
/// for `CrossL2Inbox`; `nonce` defaults to the sender's next one.
fn submit_to_messenger(
    chain: &DevnetChain,
    sender: Address,
    nonce: Option<u64>,
    gas_limit: u64,
    input: Bytes,
    claims: &[(Identifier, B256)],
) -> Result<B256, String> {
    let mut guard = chain.service.write();
    guard.impersonate(sender);
    guard.set_balance(sender, U256::from(10u128.pow(20)));
    let tx = TxEip1559 {
        chain_id: chain.chain_id,
        nonce: nonce.unwrap_or_else(|| guard.pending_nonce(sender)),
        gas_limit,
        max_fee_per_gas: 10_000_000_000,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(L2_TO_L2_CROSS_DOMAIN_MESSENGER),
        input,
        access_list: access_list(claims.iter().map(|(id, hash)| (id, *hash))),
        ..TxEip1559::default()
    };
    let pooled = PoolTransaction::impersonated(OpTypedTransaction::Eip1559(tx), sender).unwrap();
    guard.submit_transaction(pooled).map(|added| added.hash).map_err(|e| e.to_string())
}

fn claim_on(chain_id: u64, block_number: u64, timestamp: u64) -> (Identifier, B256) {
    let id = Identifier {
        origin: CROSS_CHAIN_COUNTER,
        block_number,
        log_index: 0,
        timestamp,
        chain_id: U256::from(chain_id),
    };
    (id, B256::repeat_byte(0x42))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_l2_builds_its_blocks_at_the_same_timestamps_and_the_verifier_follows_the_dependency_set() {
    let devnet = Devnet::start(config()).await.unwrap();
    assert_eq!(devnet.l1().chain_id, 900);
    let ids: Vec<u64> = devnet.l2s().iter().map(|c| c.chain_id).collect();
    assert_eq!(ids, [901, 902, 903]);
    for chain in devnet.l2s().iter().chain([devnet.l1()]) {
        assert!(chain.url.starts_with("http://127.0.0.1:") && !chain.url.ends_with(":0"), "{}", chain.url);
    }
    wait_until("three blocks on every L2", || {
        devnet.l2s().iter().all(|c| c.service.read().head_number() >= 3)
    })
    .await;
    for number in 1..=3 {
        let timestamps: Vec<u64> = devnet
            .l2s()
            .iter()
            .map(|c| c.service.read().block_by_number(number).unwrap().timestamp())
            .collect();
        assert!(timestamps.windows(2).all(|w| w[0] == w[1]), "block {number}: {timestamps:?}");
        let genesis = devnet.genesis_timestamp();
        assert_eq!(timestamps[0], genesis + number * devnet.config().l2_block_time);
    }
    wait_until("the verifier indexes both chains of the set", || {
        [901, 902].iter().all(|c| devnet.verifier().latest(*c).is_some_and(|b| b.number >= 1))
    })
    .await;
    assert_eq!(devnet.verifier().chains(), [901, 902]);
    // An L1 block labels the L2 heads safe.
    wait_until("an L2 block is safe", || devnet.l2(901).unwrap().service.read().safe_number() >= 1).await;
    devnet.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_the_verifier_does_not_accept_are_refused_with_its_reason() {
    let devnet = Devnet::start(config()).await.unwrap();
    let (l2a, l2c) = (devnet.l2(901).unwrap().clone(), devnet.l2(903).unwrap().clone());
    let l2b = devnet.l2(902).unwrap().clone();
    wait_until("the verifier indexes block 1 of 901", || {
        devnet.verifier().latest(901).is_some_and(|b| b.number >= 1)
    })
    .await;
    let block_1 = devnet.verifier().block(901, 1).unwrap();

    // A message in a block 901 has not built yet.
    let future = claim_on(901, 10_000, block_1.timestamp);
    let err = submit_with_claims(&l2b, &[future]).unwrap_err();
    assert!(err.contains("rejected"), "{err}");
    assert!(err.contains("10000"), "the reason names the block: {err}");

    // A log that block 1 does not have.
    let missing = claim_on(901, 1, block_1.timestamp);
    let missing = (Identifier { log_index: 500, ..missing.0 }, missing.1);
    let err = submit_with_claims(&l2b, &[missing]).unwrap_err();
    assert!(err.contains("rejected"), "{err}");

    // The timestamp of the claim does not match the block's.
    let wrong_time = claim_on(901, 1, block_1.timestamp - 1);
    assert!(submit_with_claims(&l2b, &[wrong_time]).is_err());

    // 903 is outside the dependency set: it may not execute messages at all.
    let err = submit_with_claims(&l2c, &[claim_on(901, 1, block_1.timestamp)]).unwrap_err();
    assert!(err.contains("rejected"), "{err}");

    // Nothing refused reached a pool; a transaction without claims is admitted anywhere.
    for chain in [&l2a, &l2b, &l2c] {
        assert_eq!(chain.service.read().pool().len(), 0, "chain {}", chain.chain_id);
    }
    submit_with_claims(&l2c, &[]).unwrap();
    assert_eq!(l2c.service.read().pool().len(), 1);
    devnet.shutdown().await.unwrap();
}

/// The block of 901 holding the first `SentMessage`, with the claim that declares it.
fn find_sent_message(chain: &DevnetChain) -> Option<(u64, (Identifier, B256), Vec<u8>)> {
    let guard = chain.service.read();
    for number in 1..=guard.head_number() {
        let block = guard.block_by_number(number)?;
        let logs = block.receipts.iter().flat_map(|r| r.logs().iter().cloned());
        for (index, log) in logs.enumerate() {
            if log.address == L2_TO_L2_CROSS_DOMAIN_MESSENGER {
                let id = Identifier {
                    origin: log.address,
                    block_number: number,
                    log_index: u32::try_from(index).unwrap(),
                    timestamp: block.timestamp(),
                    chain_id: U256::from(chain.chain_id),
                };
                let (topics, data) = (log.data.topics(), &log.data.data);
                return Some((number, (id, payload_hash(topics, data)), payload_from_log(topics, data)));
            }
        }
    }
    None
}

/// Sends a message 901 -> 902 through the example app (as an impersonated sender) and waits until its block
/// is cross-unsafe; returns the block number, the claim that declares it and its payload.
async fn send_message(devnet: &Devnet, l2a: &DevnetChain) -> (u64, (Identifier, B256), Vec<u8>) {
    {
        let sender = Address::repeat_byte(0x55);
        let mut guard = l2a.service.write();
        guard.impersonate(sender);
        guard.set_balance(sender, U256::from(10u128.pow(20)));
        let input = CrossChainCounter::incrementRemoteCall { _destination: U256::from(902) }.abi_encode();
        let tx = TxEip1559 {
            chain_id: 901,
            nonce: guard.pending_nonce(sender),
            gas_limit: 300_000,
            max_fee_per_gas: 10_000_000_000,
            max_priority_fee_per_gas: 1,
            to: TxKind::Call(CROSS_CHAIN_COUNTER),
            input: input.into(),
            ..TxEip1559::default()
        };
        guard
            .submit_transaction(
                PoolTransaction::impersonated(OpTypedTransaction::Eip1559(tx), sender).unwrap(),
            )
            .unwrap();
    }
    let mut found = None;
    wait_until("the message is built into a 901 block", || {
        found = find_sent_message(l2a);
        found.is_some()
    })
    .await;
    let (number, claim, payload) = found.unwrap();
    wait_until("the source block is cross-unsafe", || {
        devnet.verifier().heads(901).and_then(|h| h.cross_unsafe).is_some_and(|b| b.number >= number)
    })
    .await;
    (number, claim, payload)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_builder_checks_a_relay_for_the_timestamp_of_the_block_it_builds() {
    let devnet = Devnet::start(config()).await.unwrap();
    let l2a = devnet.l2(901).unwrap().clone();
    let (_, claim, payload) = send_message(&devnet, &l2a).await;
    let relay = TxEip1559 {
        chain_id: 902,
        gas_limit: 500_000,
        max_fee_per_gas: 10_000_000_000,
        to: TxKind::Call(L2_TO_L2_CROSS_DOMAIN_MESSENGER),
        input: relay_message_calldata(&claim.0, &payload),
        access_list: access_list([(&claim.0, claim.1)]),
        ..TxEip1559::default()
    };
    let relay = PoolTransaction::impersonated(OpTypedTransaction::Eip1559(relay), Address::repeat_byte(0x67))
        .unwrap();
    let sent_at = claim.0.timestamp;
    // Admitted for a next block far ahead, but a block at the message's own timestamp may not execute it.
    let admission = InteropAdmission::new(902, devnet.verifier().clone(), NextBlockTime::new(sent_at + 10));
    assert!(admission.check(&relay).is_ok());
    let refused = admission.check_inclusion(&relay, sent_at).unwrap_err();
    let expected = format!("message timestamp {sent_at} is not before the executing timestamp {sent_at}");
    assert!(refused.reason.contains(&expected), "{}", refused.reason);
    assert!(admission.check_inclusion(&relay, sent_at + 1).is_ok());
    devnet.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_whose_relay_became_invalid_is_replaced_by_a_deposits_only_block_once_derived() {
    let devnet = Devnet::start(config()).await.unwrap();
    let (l2a, l2b) = (devnet.l2(901).unwrap().clone(), devnet.l2(902).unwrap().clone());
    // 901's blocks stay unsafe, so the source block can be reorged away below.
    devnet.control().halt_batcher(901).unwrap();
    let (number, claim, payload) = send_message(&devnet, &l2a).await;
    let relayer = Address::repeat_byte(0x67);
    let input = relay_message_calldata(&claim.0, &payload);
    let hash = submit_to_messenger(&l2b, relayer, None, 500_000, input, &[claim]).unwrap();
    let mut included = None;
    wait_until("902 includes the relay", || {
        included = l2b.service.read().transaction(&hash).map(|(block, _)| (block.number(), block.hash()));
        included.is_some()
    })
    .await;
    let (relay_block, relay_hash) = included.unwrap();
    wait_until("the relay's block is cross-unsafe", || {
        devnet.verifier().heads(902).and_then(|h| h.cross_unsafe).is_some_and(|b| b.number >= relay_block)
    })
    .await;

    // The source block is reorged out after the relay was built: the relay's block is now invalid. Once both
    // are derived from the L1, the devnet replaces it.
    l2a.service.rewind_to(number - 1).unwrap();
    devnet.control().resume_batcher(901).unwrap();
    wait_until("the relay's block is replaced", || {
        let guard = l2b.service.read();
        guard.block_by_number(relay_block).is_some_and(|b| b.hash() != relay_hash)
    })
    .await;
    {
        let guard = l2b.service.read();
        assert!(guard.transaction(&hash).is_none(), "the invalid relay is gone from the chain");
        let replaced = guard.block_by_number(relay_block).unwrap();
        assert!(replaced.transactions.iter().all(|tx| tx.envelope.is_deposit()), "a deposits-only block");
    }
    devnet.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_relay_is_dropped_when_its_source_block_is_reorged_out() {
    let devnet = Devnet::start(DevnetConfig { l1_block_time: 3_600, ..config() }).await.unwrap();
    let (l2a, l2b) = (devnet.l2(901).unwrap().clone(), devnet.l2(902).unwrap().clone());
    let (number, claim, _) = send_message(&devnet, &l2a).await;

    // A relay that cannot be built yet (a nonce gap keeps it queued) is admitted: its claim is valid.
    let relayer = Address::repeat_byte(0x66);
    let hash = submit_to_messenger(&l2b, relayer, Some(1), 300_000, Bytes::new(), &[claim]).unwrap();
    assert!(l2b.service.read().pool().contains(&hash));
    // While the claim stays valid, the re-checks after each block keep it.
    let head = l2b.service.read().head_number();
    wait_until("two more 902 blocks", || l2b.service.read().head_number() >= head + 2).await;
    assert!(l2b.service.read().pool().contains(&hash));

    // 901 reorgs the message's block away; the verifier follows, and after 902's next block the pool's
    // re-check drops the relay.
    l2a.service.rewind_to(number - 1).unwrap();
    wait_until("the pending relay is dropped", || !l2b.service.read().pool().contains(&hash)).await;
    assert_eq!(l2b.service.read().nonce(relayer, alloy_eips::BlockId::latest()).unwrap(), 0);
    devnet.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_in_process_source_answers_what_the_json_rpc_source_answers() {
    let devnet = Devnet::start(config()).await.unwrap();
    let l2a = devnet.l2(901).unwrap().clone();
    let (number, _, _) = send_message(&devnet, &l2a).await;
    wait_until("an L2 block is labelled safe", || l2a.service.read().safe_number() >= 1).await;
    let local = InProcessSource::new(901, l2a.service.clone());
    let remote = RpcChainSource::new(901, &l2a.url).unwrap();
    let head = local.head_number().await.unwrap();
    assert!(head >= number);
    for n in 0..=head {
        let (a, b) = (local.block(n).await.unwrap(), remote.block(n).await.unwrap());
        assert_eq!(a, b, "block {n}");
        assert_eq!(local.block_ref(n).await.unwrap(), remote.block_ref(n).await.unwrap());
        if n > 0 {
            assert_eq!(
                local.output_inputs(n).await.unwrap(),
                remote.output_inputs(n).await.unwrap(),
                "block {n}"
            );
        }
    }
    assert!(!local.block(number).await.unwrap().unwrap().logs.is_empty(), "the message block has logs");
    assert_eq!(local.block(head + 1_000).await.unwrap(), None);
    // Labels only move forward: when two local reads around the remote one agree, the remote must agree too.
    for tag in [BlockTag::Safe, BlockTag::Finalized] {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let before = local.tagged(tag).await.unwrap();
            let remote_view = remote.tagged(tag).await.unwrap();
            if local.tagged(tag).await.unwrap() == before {
                assert_eq!(before, remote_view, "{tag:?}");
                assert!(before.is_some());
                break;
            }
            assert!(Instant::now() < deadline, "the {tag:?} label never held still");
        }
    }
    devnet.shutdown().await.unwrap();
}
