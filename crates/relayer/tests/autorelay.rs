//! The autorelayer against two anvil chains: it finds every message by itself, delivers each exactly once,
//! gives up a message whose target reverts, and a second relayer running at the same time or restarted from a
//! checkpoint never relays anything twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use alloy_primitives::{Bytes, U256};
use alloy_sol_types::SolCall;
use superlink_contracts::{
    Contract,
    addresses::{CROSS_CHAIN_COUNTER as COUNTER, L2_TO_L2_CROSS_DOMAIN_MESSENGER as MESSENGER},
    bindings::CrossChainCounter,
};
use superlink_relayer::{Autorelayer, AutorelayerConfig, Backoff, RpcChain, StartFrom, Wallet};
use support::{Chain, DEV_KEYS, address_of, two_chains};

const RELAYED: &str = "RelayedMessage(uint256,uint256,bytes32,bytes32)";

fn config() -> AutorelayerConfig {
    AutorelayerConfig {
        poll_interval: Duration::from_millis(50),
        backoff: Backoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(200),
            max_attempts: 3,
        },
        start: StartFrom::Genesis,
        ..AutorelayerConfig::default()
    }
}

async fn relayer(a: &Chain, b: &Chain, key: &str, config: AutorelayerConfig) -> Autorelayer<RpcChain> {
    let chains = vec![RpcChain::new(&a.url()).unwrap(), RpcChain::new(&b.url()).unwrap()];
    Autorelayer::new(chains, Wallet::from_private_key(key).unwrap(), config).await.expect("relayer starts")
}

/// Runs rounds until nothing is pending (at least one round), or 30 seconds pass.
async fn settle(relayer: &mut Autorelayer<RpcChain>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        relayer.poll_once().await;
        if relayer.pending_count() == 0 || Instant::now() > deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn count(chain: &Chain) -> U256 {
    chain.uint(COUNTER, "count()(uint256)", &[])
}

/// Messages sent on both chains by the example app, plus one whose target reverts (an account that is not a
/// CrossChainCounter asks the counter to count: `increment` rejects it).
fn send_messages(a: &Chain, b: &Chain) {
    let user = DEV_KEYS[0];
    a.send(user, COUNTER, "incrementRemote(uint256)", &["902"]);
    a.send(user, COUNTER, "incrementRemote(uint256)", &["902"]);
    b.send(user, COUNTER, "incrementRemote(uint256)", &["901"]);
    let forged_call =
        Bytes::from(CrossChainCounter::incrementCall { _requester: address_of(user) }.abi_encode())
            .to_string();
    a.send(
        user,
        MESSENGER,
        "sendMessage(uint256,address,bytes)",
        &["902", &COUNTER.to_string(), &forged_call],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_autorelayer_delivers_every_message_once_and_gives_up_a_reverting_target() {
    let (a, b) = two_chains();
    let mut relayer = relayer(&a, &b, DEV_KEYS[1], config()).await;
    send_messages(&a, &b);
    settle(&mut relayer).await;

    assert_eq!(count(&b), U256::from(2), "both increments from 901 arrived on 902");
    assert_eq!(count(&a), U256::from(1), "the increment from 902 arrived on 901");
    let stats = relayer.stats();
    assert_eq!(stats.messages_found, 4);
    assert_eq!(stats.relayed, 3);
    assert_eq!(
        stats.transactions_sent, 3,
        "one transaction per deliverable message, none for the reverting one"
    );
    assert_eq!(relayer.given_up().len(), 1);
    assert!(relayer.given_up()[0].reason.contains("TargetCallFailed"), "{}", relayer.given_up()[0].reason);
    assert!(stats.gas_used > 0);

    // More rounds change nothing: nothing is relayed twice.
    for _ in 0..5 {
        relayer.poll_once().await;
    }
    assert_eq!(relayer.stats().transactions_sent, 3);
    assert_eq!(b.count_logs(MESSENGER, RELAYED), 2);
    assert_eq!(a.count_logs(MESSENGER, RELAYED), 1);
    assert_eq!(count(&b), U256::from(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relayers_at_once_deliver_each_message_exactly_once() {
    let (a, b) = two_chains();
    let first = relayer(&a, &b, DEV_KEYS[1], config()).await;
    let second = relayer(&a, &b, DEV_KEYS[2], config()).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let watched = first.subscribe();
    let watched_second = second.subscribe();
    let one = tokio::spawn(first.run(stopped.clone()));
    let two = tokio::spawn(second.run(stopped));
    send_messages(&a, &b);

    // Both relayers are stopped once each has found the four messages and settled them: relayed by itself or by the
    // other, or given up. A duplicate relay would show in the counts checked below.
    let settled = |s: &superlink_relayer::RelayerStats| {
        s.messages_found == 4 && s.relayed + s.relayed_by_others + s.given_up == s.messages_found
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(&b) < U256::from(2)
        || count(&a) < U256::from(1)
        || !settled(&watched.borrow())
        || !settled(&watched_second.borrow())
    {
        assert!(
            Instant::now() < deadline,
            "the relayers did not settle: {:?} {:?}",
            *watched.borrow(),
            *watched_second.borrow()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(true).unwrap();
    let (one, two) = (one.await.unwrap(), two.await.unwrap());

    assert_eq!(count(&b), U256::from(2));
    assert_eq!(count(&a), U256::from(1));
    assert_eq!(b.count_logs(MESSENGER, RELAYED), 2);
    assert_eq!(a.count_logs(MESSENGER, RELAYED), 1);
    let (s1, s2) = (one.stats(), two.stats());
    assert_eq!(*watched.borrow(), s1, "the published counters are the relayer's");
    assert_eq!(s1.relayed + s2.relayed, 3, "each message relayed by exactly one of them: {s1:?} {s2:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayer_restarted_from_its_checkpoint_resumes_without_relaying_again() {
    let (a, b) = two_chains();
    let dir = tempfile::tempdir().unwrap();
    let with_file =
        || AutorelayerConfig { checkpoint_file: Some(dir.path().join("relayer.json")), ..config() };

    let mut first = relayer(&a, &b, DEV_KEYS[1], with_file()).await;
    a.send(DEV_KEYS[0], COUNTER, "incrementRemote(uint256)", &["902"]);
    settle(&mut first).await;
    assert_eq!(first.stats().relayed, 1);
    let saved = first.checkpoint();
    drop(first);

    // While the relayer is down, one more message is sent; the restarted relayer finds only that one.
    a.send(DEV_KEYS[0], COUNTER, "incrementRemote(uint256)", &["902"]);
    let mut second = relayer(&a, &b, DEV_KEYS[1], with_file()).await;
    assert_eq!(second.checkpoint().get(&U256::from(901)), saved.get(&U256::from(901)));
    settle(&mut second).await;
    assert_eq!(second.stats().messages_found, 1);
    assert_eq!(second.stats().relayed, 1);
    assert_eq!(count(&b), U256::from(2));

    // A relayer that rescans everything finds both messages relayed and sends nothing.
    let mut rescan = relayer(&a, &b, DEV_KEYS[2], config()).await;
    settle(&mut rescan).await;
    assert_eq!(rescan.stats().messages_found, 2);
    assert_eq!(rescan.stats().transactions_sent, 0);
    assert_eq!(rescan.stats().relayed_by_others, 2);
}

/// While the destination's inbox refuses every message without a reason (as a node whose checker does not
/// know the source block yet does), the relayer retries with backoff; once the inbox accepts, the message is
/// delivered. A failure that never passes is given up after the configured attempts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_that_can_pass_are_retried_until_the_message_is_delivered() {
    let (a, b) = two_chains();
    let inbox = superlink_contracts::addresses::CROSS_L2_INBOX;
    // Runtime code `0x5f5ffd`: PUSH0 PUSH0 REVERT, a revert without data.
    b.cast(&["rpc", "anvil_setCode", &inbox.to_string(), "0x5f5ffd"]).unwrap();
    let patient = AutorelayerConfig {
        backoff: Backoff {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(40),
            max_attempts: 1000,
        },
        ..config()
    };
    let mut first = relayer(&a, &b, DEV_KEYS[1], patient).await;
    a.send(DEV_KEYS[0], COUNTER, "incrementRemote(uint256)", &["902"]);
    for _ in 0..5 {
        first.poll_once().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(first.stats().retries >= 2, "{:?}", first.stats());
    assert_eq!(first.stats().transactions_sent, 0, "nothing is sent while the simulation fails");
    assert_eq!(first.pending_count(), 1);
    assert!(first.given_up().is_empty());

    let code = Contract::CrossL2Inbox.deployed_bytecode().to_string();
    b.cast(&["rpc", "anvil_setCode", &inbox.to_string(), &code]).unwrap();
    settle(&mut first).await;
    assert_eq!(first.stats().relayed, 1);
    assert_eq!(count(&b), U256::from(1));

    // With a broken inbox for good, a second message is given up after three attempts.
    b.cast(&["rpc", "anvil_setCode", &inbox.to_string(), "0x5f5ffd"]).unwrap();
    a.send(DEV_KEYS[0], COUNTER, "incrementRemote(uint256)", &["902"]);
    let mut impatient = relayer(&a, &b, DEV_KEYS[2], config()).await;
    settle(&mut impatient).await;
    assert_eq!(impatient.given_up().len(), 1, "{:?}", impatient.stats());
    assert!(
        impatient.given_up()[0].reason.contains("after 3 attempts"),
        "{}",
        impatient.given_up()[0].reason
    );
    assert_eq!(count(&b), U256::from(1));
}

/// Another sender using the relayer's key makes its remembered nonce stale: the node refuses the relay, the
/// relayer learns the nonce again and the retry delivers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nonce_race_is_retried_with_a_fresh_nonce() {
    let (a, b) = two_chains();
    let mut relayer = relayer(&a, &b, DEV_KEYS[1], config()).await;
    a.send(DEV_KEYS[0], COUNTER, "incrementRemote(uint256)", &["902"]);
    settle(&mut relayer).await;
    assert_eq!(relayer.stats().relayed, 1);

    let elsewhere = address_of(DEV_KEYS[3]).to_string();
    b.send(DEV_KEYS[1], address_of(DEV_KEYS[3]), "", &["--value", "1"]);
    b.cast(&["send", "--private-key", DEV_KEYS[1], &elsewhere, "--value", "1"]).unwrap();
    a.send(DEV_KEYS[0], COUNTER, "incrementRemote(uint256)", &["902"]);
    settle(&mut relayer).await;
    let stats = relayer.stats();
    assert_eq!(stats.relayed, 2, "{stats:?} {:?}", relayer.given_up());
    assert!(stats.retries >= 1, "the stale nonce was refused once: {stats:?}");
    assert_eq!(count(&b), U256::from(2));
}
