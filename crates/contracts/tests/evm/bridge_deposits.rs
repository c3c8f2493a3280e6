//! L1 → L2 through the standard bridge: ETH, an ERC-20 (locked on the L1, an `OptimismMintableERC20` minted on
//! the L2) and a plain message, each carried from the portal's `TransactionDeposited` to a deposit transaction of
//! the aliased L1 messenger on the L2; a failed relay replayed.

use alloy_primitives::{Address, Bytes, U256, address};
use alloy_sol_types::SolCall;
use superlink_contracts::{
    Contract,
    addresses::{TEST_SUPERCHAIN_ERC20, l1_to_l2_alias},
    bindings::{
        L1CrossDomainMessenger, L1StandardBridge, L2CrossDomainMessenger, L2StandardBridge,
        OptimismMintableERC20, OptimismMintableERC20Factory, TestSuperchainERC20,
    },
    bridge_addresses::{
        L2_CROSS_DOMAIN_MESSENGER, L2_STANDARD_BRIDGE, LEGACY_ERC20_ETH, OPTIMISM_MINTABLE_ERC20_FACTORY,
    },
};

use crate::{
    bridge_fixture::{ALICE, BOB, Bridge, ether, send},
    harness::{Chain, Tx},
};

/// An ERC-20 on the L1: the open-mint test token's code.
pub const L1_TOKEN: Address = address!("0x7000000000000000000000000000000000000007");

/// Creates the L2 representation of [`L1_TOKEN`] through the factory.
pub fn create_l2_token(bridge: &mut Bridge) -> Address {
    let call = OptimismMintableERC20Factory::createOptimismMintableERC20Call {
        _remoteToken: L1_TOKEN,
        _name: "Token".into(),
        _symbol: "TKN".into(),
    };
    let outcome = send(&mut bridge.l2, ALICE, OPTIMISM_MINTABLE_ERC20_FACTORY, &call).expect_success();
    let token = outcome.returns::<OptimismMintableERC20Factory::createOptimismMintableERC20Call>();
    let created = outcome.events::<OptimismMintableERC20Factory::OptimismMintableERC20Created>(
        OPTIMISM_MINTABLE_ERC20_FACTORY,
    );
    assert_eq!(created.len(), 1);
    assert_eq!((created[0].1.localToken, created[0].1.remoteToken), (token, L1_TOKEN));
    token
}

/// Places the L1 token and gives ALICE `amount` of it, approved to the L1 bridge at `spender`.
pub fn fund_l1_token(bridge: &mut Bridge, amount: u64, spender: Address) {
    bridge.l1.set_code(L1_TOKEN, Contract::TestSuperchainERC20.deployed_bytecode());
    let mint = TestSuperchainERC20::mintCall { _to: ALICE, _amount: U256::from(amount) };
    send(&mut bridge.l1, ALICE, L1_TOKEN, &mint).expect_success();
    let approve = TestSuperchainERC20::approveCall { _spender: spender, _amount: U256::from(amount) };
    send(&mut bridge.l1, ALICE, L1_TOKEN, &approve).expect_success();
}

/// The balance of `holder` in the ERC-20 `token`.
pub fn token_balance(chain: &mut Chain, token: Address, holder: Address) -> U256 {
    chain.view(token, &TestSuperchainERC20::balanceOfCall { holder })
}

#[test]
fn eth_deposited_through_the_l1_bridge_arrives_on_the_l2() {
    let mut bridge = Bridge::new();
    let l1_bridge = bridge.l1_bridge;
    let call =
        L1StandardBridge::depositETHCall { _minGasLimit: 200_000, _extraData: Bytes::from_static(b"hi") };
    let tx = Tx { value: ether(2), ..Tx::call(ALICE, l1_bridge.l1_standard_bridge, &call) };
    let outcome = bridge.l1.send(tx).expect_success();
    assert_eq!(bridge.l1.balance(l1_bridge.portal), ether(2), "the portal keeps the ETH");
    let initiated = outcome.events::<L1StandardBridge::ETHDepositInitiated>(l1_bridge.l1_standard_bridge);
    assert_eq!((initiated[0].1.from, initiated[0].1.to, initiated[0].1.amount), (ALICE, ALICE, ether(2)));

    let deposits = bridge.deposits(&outcome);
    assert_eq!(deposits.len(), 1);
    let deposit = &deposits[0];
    assert_eq!(
        deposit.from,
        l1_to_l2_alias(l1_bridge.l1_cross_domain_messenger),
        "sent by the aliased messenger"
    );
    assert_eq!(deposit.to, L2_CROSS_DOMAIN_MESSENGER);
    assert_eq!((deposit.mint, deposit.value), (ether(2), ether(2)));
    let relay =
        L2CrossDomainMessenger::relayMessageCall::abi_decode(&deposit.data).expect("a relayMessage call");
    assert_eq!((relay._sender, relay._target), (l1_bridge.l1_standard_bridge, L2_STANDARD_BRIDGE));

    let before = bridge.l2.balance(ALICE);
    let relayed = bridge.execute_deposit(deposit).expect_success();
    assert_eq!(bridge.l2.balance(ALICE), before + ether(2));
    assert_eq!(relayed.events::<L2CrossDomainMessenger::RelayedMessage>(L2_CROSS_DOMAIN_MESSENGER).len(), 1);
    let finalized = relayed.events::<L2StandardBridge::DepositFinalized>(L2_STANDARD_BRIDGE);
    assert_eq!(finalized.len(), 1);
    let event = &finalized[0].1;
    assert_eq!(
        (event.l1Token, event.l2Token, event.from, event.to),
        (Address::ZERO, LEGACY_ERC20_ETH, ALICE, ALICE)
    );
    assert_eq!(event.extraData, Bytes::from_static(b"hi"));
    assert_eq!(bridge.l2.balance(L2_CROSS_DOMAIN_MESSENGER), U256::ZERO, "nothing stays in the messenger");
}

#[test]
fn an_erc20_deposit_locks_the_l1_token_and_mints_its_l2_representation() {
    let mut bridge = Bridge::new();
    let l1_bridge = bridge.l1_bridge;
    let l2_token = create_l2_token(&mut bridge);
    fund_l1_token(&mut bridge, 1_000, l1_bridge.l1_standard_bridge);

    let call = L1StandardBridge::depositERC20Call {
        _l1Token: L1_TOKEN,
        _l2Token: l2_token,
        _amount: U256::from(400),
        _minGasLimit: 200_000,
        _extraData: Bytes::new(),
    };
    let outcome = send(&mut bridge.l1, ALICE, l1_bridge.l1_standard_bridge, &call).expect_success();
    assert_eq!(token_balance(&mut bridge.l1, L1_TOKEN, ALICE), U256::from(600));
    assert_eq!(token_balance(&mut bridge.l1, L1_TOKEN, l1_bridge.l1_standard_bridge), U256::from(400));
    let locked = bridge.l1.view(
        l1_bridge.l1_standard_bridge,
        &L1StandardBridge::depositsCall { localToken: L1_TOKEN, remoteToken: l2_token },
    );
    assert_eq!(locked, U256::from(400));
    assert_eq!(
        outcome.events::<L1StandardBridge::ERC20DepositInitiated>(l1_bridge.l1_standard_bridge).len(),
        1
    );

    for relayed in bridge.relay_deposits(&outcome) {
        let relayed = relayed.expect_success();
        assert_eq!(relayed.events::<OptimismMintableERC20::Mint>(l2_token).len(), 1);
    }
    assert_eq!(token_balance(&mut bridge.l2, l2_token, ALICE), U256::from(400));
    let supply = bridge.l2.view(l2_token, &OptimismMintableERC20::totalSupplyCall {});
    assert_eq!(supply, U256::from(400));
}

#[test]
fn a_message_reaches_its_l2_target_from_the_l1_sender() {
    let mut bridge = Bridge::new();
    let messenger = bridge.l1_bridge.l1_cross_domain_messenger;
    let mint = TestSuperchainERC20::mintCall { _to: BOB, _amount: U256::from(5) };
    let call = L1CrossDomainMessenger::sendMessageCall {
        _target: TEST_SUPERCHAIN_ERC20,
        _message: mint.abi_encode().into(),
        _minGasLimit: 100_000,
    };
    let nonce = bridge.l1.view(messenger, &L1CrossDomainMessenger::messageNonceCall {});
    assert_eq!(nonce >> 240, U256::from(1), "the nonce carries message version 1");
    let outcome = send(&mut bridge.l1, ALICE, messenger, &call).expect_success();
    let sent = outcome.events::<L1CrossDomainMessenger::SentMessage>(messenger);
    assert_eq!(
        (sent[0].1.target, sent[0].1.sender, sent[0].1.messageNonce),
        (TEST_SUPERCHAIN_ERC20, ALICE, nonce)
    );
    assert_eq!(
        bridge.l1.view(messenger, &L1CrossDomainMessenger::messageNonceCall {}),
        nonce + U256::from(1)
    );

    bridge.relay_deposits(&outcome).into_iter().for_each(|o| {
        o.expect_success();
    });
    assert_eq!(token_balance(&mut bridge.l2, TEST_SUPERCHAIN_ERC20, BOB), U256::from(5));
}

#[test]
fn a_failed_relay_can_be_replayed_once_by_anyone() {
    let mut bridge = Bridge::new();
    let messenger = bridge.l1_bridge.l1_cross_domain_messenger;
    // BOB holds nothing yet: the transfer fails on the first relay.
    let transfer = TestSuperchainERC20::transferCall { _to: ALICE, _amount: U256::from(3) };
    let call = L1CrossDomainMessenger::sendMessageCall {
        _target: TEST_SUPERCHAIN_ERC20,
        _message: transfer.abi_encode().into(),
        _minGasLimit: 100_000,
    };
    let outcome = send(&mut bridge.l1, ALICE, messenger, &call).expect_success();
    let deposit = bridge.deposits(&outcome).remove(0);
    let first = bridge.execute_deposit(&deposit).expect_success();
    let failed = first.events::<L2CrossDomainMessenger::FailedRelayedMessage>(L2_CROSS_DOMAIN_MESSENGER);
    assert_eq!(failed.len(), 1, "the deposit succeeds and records the failed message");
    let hash = failed[0].1.msgHash;
    assert!(
        bridge
            .l2
            .view(L2_CROSS_DOMAIN_MESSENGER, &L2CrossDomainMessenger::failedMessagesCall { msgHash: hash })
    );

    // The message's sender on the L1 is ALICE, whose alias now gets tokens; anyone replays.
    let relay = L2CrossDomainMessenger::relayMessageCall::abi_decode(&deposit.data).expect("relayMessage");
    let alias_sender = relay._sender;
    assert_eq!(alias_sender, ALICE);
    let funding = TestSuperchainERC20::mintCall { _to: L2_CROSS_DOMAIN_MESSENGER, _amount: U256::from(3) };
    send(&mut bridge.l2, BOB, TEST_SUPERCHAIN_ERC20, &funding).expect_success();
    let replay = send(&mut bridge.l2, BOB, L2_CROSS_DOMAIN_MESSENGER, &relay).expect_success();
    assert_eq!(
        replay.events::<L2CrossDomainMessenger::RelayedMessage>(L2_CROSS_DOMAIN_MESSENGER)[0].1.msgHash,
        hash
    );
    assert_eq!(token_balance(&mut bridge.l2, TEST_SUPERCHAIN_ERC20, ALICE), U256::from(3));

    let again = send(&mut bridge.l2, BOB, L2_CROSS_DOMAIN_MESSENGER, &relay);
    assert!(again.reverted_with::<L2CrossDomainMessenger::MessageAlreadyRelayed>());
    // Only the aliased L1 messenger may relay a message for the first time.
    let mut forged = relay.clone();
    forged._nonce += U256::from(1);
    let refused = send(&mut bridge.l2, BOB, L2_CROSS_DOMAIN_MESSENGER, &forged);
    assert!(refused.reverted_with::<L2CrossDomainMessenger::MessageCannotBeReplayed>());
}
