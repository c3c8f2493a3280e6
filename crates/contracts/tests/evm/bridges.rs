//! SuperchainTokenBridge with a SuperchainERC20, and SuperchainETHBridge with ETHLiquidity: what is burnt on the
//! source chain is minted on the destination, and only the bridges can mint.

use alloy_primitives::{Address, U256, address};
use alloy_sol_types::SolCall;
use proptest::prelude::*;
use superlink_contracts::{
    addresses::{
        ETH_LIQUIDITY, ETH_LIQUIDITY_INITIAL_BALANCE, L2_TO_L2_CROSS_DOMAIN_MESSENGER as MESSENGER,
        SUPERCHAIN_ETH_BRIDGE, SUPERCHAIN_TOKEN_BRIDGE, TEST_SUPERCHAIN_ERC20 as TOKEN,
    },
    bindings::{
        ETHLiquidity, L2ToL2CrossDomainMessenger, SuperchainETHBridge, SuperchainTokenBridge,
        TestSuperchainERC20,
    },
};

use crate::{
    harness::{Chain, Outcome, Tx},
    interop::InitiatingMessage,
};

const SOURCE: u64 = 901;
const DESTINATION: u64 = 902;
const ALICE: Address = address!("0x1000000000000000000000000000000000000001");
const BOB: Address = address!("0x2000000000000000000000000000000000000002");
const RELAYER: Address = address!("0x3000000000000000000000000000000000000003");

fn balance(chain: &mut Chain, holder: Address) -> U256 {
    chain.view(TOKEN, &TestSuperchainERC20::balanceOfCall { holder })
}

fn supply(chain: &mut Chain) -> U256 {
    chain.view(TOKEN, &TestSuperchainERC20::totalSupplyCall {})
}

fn mint(chain: &mut Chain, to: Address, amount: U256) {
    chain
        .send(Tx::call(to, TOKEN, &TestSuperchainERC20::mintCall { _to: to, _amount: amount }))
        .expect_success();
}

fn send_erc20(amount: U256) -> Tx {
    let call = SuperchainTokenBridge::sendERC20Call {
        _token: TOKEN,
        _to: BOB,
        _amount: amount,
        _chainId: U256::from(DESTINATION),
    };
    Tx::call(ALICE, SUPERCHAIN_TOKEN_BRIDGE, &call)
}

fn relay(source: &Chain, destination: &mut Chain, sent: &Outcome) -> Outcome {
    destination.send(InitiatingMessage::sent_message(source, sent).relay_tx(RELAYER))
}

/// Bridges `amount` of `minted` tokens from Alice on 901 to Bob on 902 and checks conservation.
fn bridge_tokens(minted: U256, amount: U256) {
    let (mut source, mut destination) = (Chain::new(SOURCE), Chain::new(DESTINATION));
    mint(&mut source, ALICE, minted);

    let sent = source.send(send_erc20(amount)).expect_success();
    let (_, burn) = sent.events::<TestSuperchainERC20::CrosschainBurn>(TOKEN).remove(0);
    assert_eq!((burn._from, burn._amount, burn._sender), (ALICE, amount, SUPERCHAIN_TOKEN_BRIDGE));
    let (_, sent_event) = sent.events::<SuperchainTokenBridge::SentERC20>(SUPERCHAIN_TOKEN_BRIDGE).remove(0);
    assert_eq!(sent_event.destination, U256::from(DESTINATION));
    assert_eq!(balance(&mut source, ALICE), minted - amount);
    assert_eq!(supply(&mut source), minted - amount);

    let relayed = relay(&source, &mut destination, &sent);
    assert!(relayed.success, "relay reverted with {}", relayed.output);
    let (_, mint_event) = relayed.events::<TestSuperchainERC20::CrosschainMint>(TOKEN).remove(0);
    assert_eq!(
        (mint_event._to, mint_event._amount, mint_event._sender),
        (BOB, amount, SUPERCHAIN_TOKEN_BRIDGE)
    );
    let (_, relayed_event) =
        relayed.events::<SuperchainTokenBridge::RelayedERC20>(SUPERCHAIN_TOKEN_BRIDGE).remove(0);
    assert_eq!(
        (
            relayed_event.token,
            relayed_event.from,
            relayed_event.to,
            relayed_event.amount,
            relayed_event.source
        ),
        (TOKEN, ALICE, BOB, amount, U256::from(SOURCE))
    );
    assert_eq!(balance(&mut destination, BOB), amount);
    // Burnt on the source == minted on the destination: the supply across both chains is conserved.
    assert_eq!(supply(&mut source) + supply(&mut destination), minted);
}

#[test]
fn token_bridging_burns_on_the_source_and_mints_on_the_destination() {
    bridge_tokens(U256::from(1_000u64), U256::from(250u64));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn token_bridging_conserves_supply_for_any_amount(minted in any::<[u8; 32]>(), fraction in 0u64..=1000) {
        let minted = U256::from_be_bytes(minted);
        let amount = minted / U256::from(1000) * U256::from(fraction);
        bridge_tokens(minted, amount);
    }

    #[test]
    fn eth_bridging_conserves_eth_for_any_amount(amount in any::<u128>()) {
        bridge_eth(U256::from(amount));
    }
}

#[test]
fn only_the_token_bridge_may_mint_or_burn() {
    let mut chain = Chain::new(SOURCE);
    mint(&mut chain, ALICE, U256::from(10));
    let direct_mint = TestSuperchainERC20::crosschainMintCall { _to: ALICE, _amount: U256::from(5) };
    let direct_burn = TestSuperchainERC20::crosschainBurnCall { _from: ALICE, _amount: U256::from(5) };
    assert!(
        chain.send(Tx::call(ALICE, TOKEN, &direct_mint)).reverted_with::<TestSuperchainERC20::Unauthorized>()
    );
    assert!(
        chain.send(Tx::call(ALICE, TOKEN, &direct_burn)).reverted_with::<TestSuperchainERC20::Unauthorized>()
    );
    assert_eq!(balance(&mut chain, ALICE), U256::from(10));
}

#[test]
fn relay_erc20_only_through_the_messenger() {
    let mut chain = Chain::new(DESTINATION);
    let call = SuperchainTokenBridge::relayERC20Call {
        _token: TOKEN,
        _from: ALICE,
        _to: BOB,
        _amount: U256::from(1),
    };
    let outcome = chain.send(Tx::call(ALICE, SUPERCHAIN_TOKEN_BRIDGE, &call));
    assert!(outcome.reverted_with::<SuperchainTokenBridge::Unauthorized>());
}

#[test]
fn a_message_to_the_bridge_not_sent_by_the_bridge_is_refused() {
    let (mut source, mut destination) = (Chain::new(SOURCE), Chain::new(DESTINATION));
    // Alice asks the messenger herself to call relayERC20 on the destination's bridge.
    let forged = SuperchainTokenBridge::relayERC20Call {
        _token: TOKEN,
        _from: ALICE,
        _to: BOB,
        _amount: U256::from(7),
    };
    let send = L2ToL2CrossDomainMessenger::sendMessageCall {
        _destination: U256::from(DESTINATION),
        _target: SUPERCHAIN_TOKEN_BRIDGE,
        _message: forged.abi_encode().into(),
    };
    let sent = source.send(Tx::call(ALICE, MESSENGER, &send)).expect_success();
    let relayed = relay(&source, &mut destination, &sent);
    assert!(relayed.reverted_with::<SuperchainTokenBridge::InvalidCrossDomainSender>(), "{}", relayed.output);
    assert_eq!(balance(&mut destination, BOB), U256::ZERO);
}

#[test]
fn send_erc20_refuses_the_zero_address_and_tokens_without_erc7802() {
    let mut chain = Chain::new(SOURCE);
    mint(&mut chain, ALICE, U256::from(10));
    let to_zero = SuperchainTokenBridge::sendERC20Call {
        _token: TOKEN,
        _to: Address::ZERO,
        _amount: U256::from(1),
        _chainId: U256::from(DESTINATION),
    };
    let outcome = chain.send(Tx::call(ALICE, SUPERCHAIN_TOKEN_BRIDGE, &to_zero));
    assert!(outcome.reverted_with::<SuperchainTokenBridge::ZeroAddress>());
    let not_a_token = SuperchainTokenBridge::sendERC20Call { _token: BOB, ..to_zero.clone() };
    let not_a_token = SuperchainTokenBridge::sendERC20Call { _to: BOB, ..not_a_token };
    let outcome = chain.send(Tx::call(ALICE, SUPERCHAIN_TOKEN_BRIDGE, &not_a_token));
    assert!(outcome.reverted_with::<SuperchainTokenBridge::InvalidERC7802>());
}

/// Sends `amount` wei from Alice on 901 to Bob on 902 and checks that what the source burns the destination mints.
fn bridge_eth(amount: U256) {
    let (mut source, mut destination) = (Chain::new(SOURCE), Chain::new(DESTINATION));
    let funds = U256::from(u128::MAX) + U256::from(1);
    source.set_balance(ALICE, funds);

    let call = SuperchainETHBridge::sendETHCall { _to: BOB, _chainId: U256::from(DESTINATION) };
    let sent = source.send(Tx::call(ALICE, SUPERCHAIN_ETH_BRIDGE, &call).value(amount)).expect_success();
    assert_eq!(source.balance(ALICE), funds - amount);
    assert_eq!(source.balance(ETH_LIQUIDITY), ETH_LIQUIDITY_INITIAL_BALANCE + amount);
    assert_eq!(source.balance(SUPERCHAIN_ETH_BRIDGE), U256::ZERO);
    let (_, event) = sent.events::<SuperchainETHBridge::SendETH>(SUPERCHAIN_ETH_BRIDGE).remove(0);
    assert_eq!((event.from, event.to, event.amount), (ALICE, BOB, amount));

    let relayed = relay(&source, &mut destination, &sent);
    assert!(relayed.success, "relay reverted with {}", relayed.output);
    assert_eq!(destination.balance(BOB), amount);
    assert_eq!(destination.balance(ETH_LIQUIDITY), ETH_LIQUIDITY_INITIAL_BALANCE - amount);
    assert_eq!(destination.balance(SUPERCHAIN_ETH_BRIDGE), U256::ZERO);
    let (_, event) = relayed.events::<SuperchainETHBridge::RelayETH>(SUPERCHAIN_ETH_BRIDGE).remove(0);
    assert_eq!((event.from, event.to, event.amount, event.source), (ALICE, BOB, amount, U256::from(SOURCE)));
}

#[test]
fn eth_bridging_burns_into_and_mints_out_of_the_liquidity_pool() {
    bridge_eth(U256::from(3_000_000_000_000_000_000u128));
}

#[test]
fn only_the_eth_bridge_may_use_the_liquidity_pool_or_relay_eth() {
    let mut chain = Chain::new(DESTINATION);
    chain.set_balance(ALICE, U256::from(100));
    let burn = Tx::call(ALICE, ETH_LIQUIDITY, &ETHLiquidity::burnCall {}).value(U256::from(1));
    assert!(chain.send(burn).reverted_with::<ETHLiquidity::Unauthorized>());
    let mint = Tx::call(ALICE, ETH_LIQUIDITY, &ETHLiquidity::mintCall { _amount: U256::from(1) });
    assert!(chain.send(mint).reverted_with::<ETHLiquidity::Unauthorized>());
    let relay = SuperchainETHBridge::relayETHCall { _from: ALICE, _to: ALICE, _amount: U256::from(1) };
    assert!(
        chain
            .send(Tx::call(ALICE, SUPERCHAIN_ETH_BRIDGE, &relay))
            .reverted_with::<SuperchainETHBridge::Unauthorized>()
    );
    assert_eq!(chain.balance(ETH_LIQUIDITY), ETH_LIQUIDITY_INITIAL_BALANCE);
}

#[test]
fn send_eth_refuses_the_zero_address() {
    let mut chain = Chain::new(SOURCE);
    chain.set_balance(ALICE, U256::from(100));
    let call = SuperchainETHBridge::sendETHCall { _to: Address::ZERO, _chainId: U256::from(DESTINATION) };
    let outcome = chain.send(Tx::call(ALICE, SUPERCHAIN_ETH_BRIDGE, &call).value(U256::from(1)));
    assert!(outcome.reverted_with::<SuperchainETHBridge::ZeroAddress>());
}

#[test]
fn a_message_to_the_eth_bridge_not_sent_by_the_eth_bridge_is_refused() {
    let (mut source, mut destination) = (Chain::new(SOURCE), Chain::new(DESTINATION));
    let forged = SuperchainETHBridge::relayETHCall { _from: ALICE, _to: BOB, _amount: U256::from(7) };
    let send = L2ToL2CrossDomainMessenger::sendMessageCall {
        _destination: U256::from(DESTINATION),
        _target: SUPERCHAIN_ETH_BRIDGE,
        _message: forged.abi_encode().into(),
    };
    let sent = source.send(Tx::call(ALICE, MESSENGER, &send)).expect_success();
    let relayed = relay(&source, &mut destination, &sent);
    assert!(relayed.reverted_with::<SuperchainETHBridge::InvalidCrossDomainSender>(), "{}", relayed.output);
    assert_eq!(destination.balance(BOB), U256::ZERO);
    assert_eq!(destination.balance(ETH_LIQUIDITY), ETH_LIQUIDITY_INITIAL_BALANCE);
}
