//! supersim's test token, `L2NativeSuperchainERC20` at `0x420beeF…0001`: anyone mints and burns, and the
//! SuperchainTokenBridge (alone) moves it between chains by burn and mint.

use alloy_primitives::{Address, U256, address};
use superlink_contracts::{
    addresses::SUPERCHAIN_TOKEN_BRIDGE,
    bindings::{L2NativeSuperchainERC20 as Token, SuperchainTokenBridge},
    bridge_addresses::L2_NATIVE_SUPERCHAIN_ERC20 as TOKEN,
    test_token_allocs,
};

use crate::{
    harness::{Chain, Tx},
    interop::InitiatingMessage,
};

const ALICE: Address = address!("0x1000000000000000000000000000000000000001");
const BOB: Address = address!("0x2000000000000000000000000000000000000002");
const RELAYER: Address = address!("0x3000000000000000000000000000000000000003");

fn chain(id: u64) -> Chain {
    let mut chain = Chain::new(id);
    chain.alloc(test_token_allocs());
    chain
}

fn balance(chain: &mut Chain, holder: Address) -> U256 {
    chain.view(TOKEN, &Token::balanceOfCall { holder })
}

#[test]
fn it_presents_supersims_name_symbol_and_decimals() {
    let mut chain = chain(901);
    assert_eq!(chain.view(TOKEN, &Token::nameCall {}), "L2NativeSuperchainERC20");
    assert_eq!(chain.view(TOKEN, &Token::symbolCall {}), "MOCK");
    assert_eq!(chain.view(TOKEN, &Token::decimalsCall {}), 18);
}

#[test]
fn anyone_mints_and_burns() {
    let mut chain = chain(901);
    let minted = chain.send(Tx::call(BOB, TOKEN, &Token::mintCall { _to: ALICE, _amount: U256::from(10) }));
    let minted = minted.expect_success();
    let events = minted.events::<Token::Mint>(TOKEN);
    assert_eq!((events[0].1.account, events[0].1.amount), (ALICE, U256::from(10)));
    assert_eq!(minted.events::<Token::Transfer>(TOKEN).len(), 1);
    assert_eq!(balance(&mut chain, ALICE), U256::from(10));

    let burnt = chain.send(Tx::call(BOB, TOKEN, &Token::burnCall { _from: ALICE, _amount: U256::from(4) }));
    let events = burnt.expect_success().events::<Token::Burn>(TOKEN);
    assert_eq!((events[0].1.account, events[0].1.amount), (ALICE, U256::from(4)));
    assert_eq!(balance(&mut chain, ALICE), U256::from(6));
    assert_eq!(chain.view(TOKEN, &Token::totalSupplyCall {}), U256::from(6));

    let to_zero =
        chain.send(Tx::call(BOB, TOKEN, &Token::mintCall { _to: Address::ZERO, _amount: U256::from(1) }));
    assert!(to_zero.reverted_with::<Token::ZeroAddress>());
    let too_much =
        chain.send(Tx::call(BOB, TOKEN, &Token::burnCall { _from: ALICE, _amount: U256::from(7) }));
    assert!(too_much.reverted_with::<Token::InsufficientBalance>());
}

#[test]
fn only_the_token_bridge_mints_and_burns_across_chains() {
    let mut chain = chain(901);
    let call = Token::crosschainMintCall { _to: ALICE, _amount: U256::from(1) };
    assert!(chain.send(Tx::call(ALICE, TOKEN, &call)).reverted_with::<Token::Unauthorized>());
    let burn = Token::crosschainBurnCall { _from: ALICE, _amount: U256::from(1) };
    assert!(chain.send(Tx::call(ALICE, TOKEN, &burn)).reverted_with::<Token::Unauthorized>());
    let supports = Token::supportsInterfaceCall { _interfaceId: [0x33, 0x33, 0x19, 0x94].into() };
    assert!(chain.view(TOKEN, &supports), "ERC-7802");
}

#[test]
fn it_moves_from_one_chain_to_another_through_the_token_bridge() {
    let (mut source, mut destination) = (chain(901), chain(902));
    source
        .send(Tx::call(ALICE, TOKEN, &Token::mintCall { _to: ALICE, _amount: U256::from(100) }))
        .expect_success();
    let send = SuperchainTokenBridge::sendERC20Call {
        _token: TOKEN,
        _to: BOB,
        _amount: U256::from(30),
        _chainId: U256::from(902),
    };
    let sent = source.send(Tx::call(ALICE, SUPERCHAIN_TOKEN_BRIDGE, &send)).expect_success();
    assert_eq!(balance(&mut source, ALICE), U256::from(70));
    let burnt = sent.events::<Token::CrosschainBurn>(TOKEN);
    assert_eq!((burnt[0].1._from, burnt[0].1._sender), (ALICE, SUPERCHAIN_TOKEN_BRIDGE));
    let relay = InitiatingMessage::sent_message(&source, &sent).relay_tx(RELAYER);
    let relayed = destination.send(relay).expect_success();
    let minted = relayed.events::<Token::CrosschainMint>(TOKEN);
    assert_eq!((minted[0].1._to, minted[0].1._sender), (BOB, SUPERCHAIN_TOKEN_BRIDGE));
    assert_eq!(balance(&mut destination, BOB), U256::from(30));
}
