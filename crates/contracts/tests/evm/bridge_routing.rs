//! The bridge's addresses: the genesis allocations place each contract with its settings, and the L1 contracts
//! of chains 901 to 905 answer at both generations of supersim addresses with one state (the forwarders at the
//! current-genesis addresses pass the original caller on); a chain beyond 905 gets the ruled addresses.

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use superlink_contracts::{
    BridgeConfig, Contract,
    addresses::L2_TO_L1_MESSAGE_PASSER,
    bindings::{
        BridgeForwarder, DisputeGameFactory, L1CrossDomainMessenger, L1StandardBridge,
        L2CrossDomainMessenger, L2StandardBridge, L2ToL1MessagePasser, OptimismMintableERC20Factory,
        OptimismPortal,
    },
    bridge_addresses::{
        L1Bridge, L2_CROSS_DOMAIN_MESSENGER, L2_STANDARD_BRIDGE, l1_bridge, l1_bridge_aliases,
        ruled_l1_bridge,
    },
    bridge_l1_allocs, bridge_l2_allocs,
    withdrawal::{output_root, output_root_proof, propose_call, sent_message_slot, withdrawal_hash},
};

use crate::{
    bridge_deposits::{L1_TOKEN, create_l2_token, fund_l1_token, token_balance},
    bridge_fixture::{ALICE, BOB, Bridge, PROPOSER, ether},
    harness::{Chain, Tx},
};

fn aliases() -> L1Bridge {
    l1_bridge_aliases(901).expect("901 has supersim's current addresses")
}

#[test]
fn the_l1_genesis_places_the_contracts_with_their_settings_and_the_forwarders() {
    let config = BridgeConfig::new(PROPOSER);
    let allocs = bridge_l1_allocs([901, 906], &config);
    assert_eq!(allocs.len(), 5 + 5 + 5, "901: contracts and forwarders; 906: contracts only");
    assert_eq!(l1_bridge(906), ruled_l1_bridge(906));
    let code = |address: &Address| allocs[address].code.clone().unwrap_or_default();
    for (id, bridge) in [(901, l1_bridge(901)), (906, l1_bridge(906))] {
        assert_eq!(code(&bridge.portal), Contract::OptimismPortal.deployed_bytecode(), "{id}");
        assert_eq!(
            code(&bridge.l1_cross_domain_messenger),
            Contract::L1CrossDomainMessenger.deployed_bytecode()
        );
        assert_eq!(code(&bridge.l1_standard_bridge), Contract::L1StandardBridge.deployed_bytecode());
        assert_eq!(code(&bridge.dispute_game_factory), Contract::DisputeGameFactory.deployed_bytecode());
        assert_eq!(
            code(&bridge.optimism_mintable_erc20_factory),
            Contract::OptimismMintableERC20Factory.deployed_bytecode()
        );
    }
    for alias in aliases().all() {
        assert_eq!(code(&alias), Contract::BridgeForwarder.deployed_bytecode());
    }

    let mut l1 = Chain::new(900);
    l1.alloc(allocs);
    for (id, bridge) in [(901, l1_bridge(901)), (906, l1_bridge(906))] {
        let factory = l1.view(bridge.portal, &OptimismPortal::disputeGameFactoryCall {});
        assert_eq!(factory, bridge.dispute_game_factory, "{id}");
        let delay = l1.view(bridge.portal, &OptimismPortal::proofMaturityDelaySecondsCall {});
        assert_eq!(delay, U256::from(config.proof_maturity_delay_seconds));
        assert_eq!(
            l1.view(bridge.portal, &OptimismPortal::respectedGameTypeCall {}),
            config.respected_game_type
        );
        let portal = l1.view(bridge.l1_cross_domain_messenger, &L1CrossDomainMessenger::PORTALCall {});
        assert_eq!(portal, bridge.portal);
        let messenger = l1.view(bridge.l1_standard_bridge, &L1StandardBridge::MESSENGERCall {});
        assert_eq!(messenger, bridge.l1_cross_domain_messenger);
        assert_eq!(
            l1.view(bridge.l1_standard_bridge, &L1StandardBridge::OTHER_BRIDGECall {}),
            L2_STANDARD_BRIDGE
        );
        assert_eq!(l1.view(bridge.dispute_game_factory, &DisputeGameFactory::proposerCall {}), PROPOSER);
        let token_bridge =
            l1.view(bridge.optimism_mintable_erc20_factory, &OptimismMintableERC20Factory::bridgeCall {});
        assert_eq!(
            token_bridge, bridge.l1_standard_bridge,
            "the L1 factory's tokens belong to the L1 bridge"
        );
    }
    for (alias, target) in aliases().all().into_iter().zip(l1_bridge(901).all()) {
        assert_eq!(l1.view(alias, &BridgeForwarder::forwardTargetCall {}), target);
    }
}

#[test]
fn the_l2_genesis_points_the_predeploys_at_the_chains_l1_contracts() {
    for id in [901, 905, 906] {
        let mut l2 = Chain::new(id);
        l2.alloc(bridge_l2_allocs(id));
        let l1 = l1_bridge(id);
        let messenger =
            l2.view(L2_CROSS_DOMAIN_MESSENGER, &L2CrossDomainMessenger::l1CrossDomainMessengerCall {});
        assert_eq!(messenger, l1.l1_cross_domain_messenger, "{id}");
        let bridge = l2.view(L2_STANDARD_BRIDGE, &L2StandardBridge::l1TokenBridgeCall {});
        assert_eq!(bridge, l1.l1_standard_bridge, "{id}");
    }
}

#[test]
fn eth_sent_to_the_current_genesis_portal_is_deposited_by_the_sender_at_the_viem_portal() {
    let mut bridge = Bridge::new();
    let tx = Tx { value: ether(1), ..Tx::call(ALICE, aliases().portal, &OptimismPortal::versionCall {}) };
    let plain = Tx { data: Bytes::new(), ..tx };
    let outcome = bridge.l1.send(plain).expect_success();
    let deposits = bridge.deposits(&outcome);
    assert_eq!(deposits.len(), 1, "the event comes from the viem portal");
    assert_eq!((deposits[0].from, deposits[0].to, deposits[0].mint), (ALICE, ALICE, ether(1)));
    assert_eq!(bridge.l1.balance(bridge.l1_bridge.portal), ether(1));
    assert_eq!(bridge.l1.balance(aliases().portal), U256::ZERO);

    let version = bridge.l1.view(aliases().portal, &OptimismPortal::versionCall {});
    assert_eq!(version, bridge.l1.view(bridge.l1_bridge.portal, &OptimismPortal::versionCall {}));
}

#[test]
fn only_the_forwarder_can_name_another_caller() {
    let mut bridge = Bridge::new();
    // BOB appends ALICE's address himself, calling the portal directly: the deposit is still BOB's.
    let call = OptimismPortal::depositTransactionCall {
        _to: BOB,
        _value: U256::ZERO,
        _gasLimit: 100_000,
        _isCreation: false,
        _data: Bytes::new(),
    };
    let mut data = call.abi_encode();
    data.extend_from_slice(ALICE.as_slice());
    let tx = Tx { data: data.into(), ..Tx::call(BOB, bridge.l1_bridge.portal, &call) };
    let outcome = bridge.l1.send(tx).expect_success();
    assert_eq!(bridge.deposits(&outcome)[0].from, BOB);
    let pull = BridgeForwarder::pullERC20Call { _token: L1_TOKEN, _from: ALICE, _amount: U256::from(1) };
    let refused = bridge.l1.send(Tx::call(BOB, aliases().l1_standard_bridge, &pull));
    assert!(refused.reverted_with::<BridgeForwarder::NotTarget>());
}

#[test]
fn deposits_through_the_current_genesis_bridge_work_with_allowances_to_either_address() {
    let mut bridge = Bridge::new();
    let l2_token = create_l2_token(&mut bridge);
    // ALICE approves the current-genesis address, as an app written against supersim's genesis does.
    fund_l1_token(&mut bridge, 100, aliases().l1_standard_bridge);
    let call = L1StandardBridge::depositERC20Call {
        _l1Token: L1_TOKEN,
        _l2Token: l2_token,
        _amount: U256::from(60),
        _minGasLimit: 200_000,
        _extraData: Bytes::new(),
    };
    let outcome = bridge.l1.send(Tx::call(ALICE, aliases().l1_standard_bridge, &call)).expect_success();
    assert_eq!(token_balance(&mut bridge.l1, L1_TOKEN, bridge.l1_bridge.l1_standard_bridge), U256::from(60));
    for relayed in bridge.relay_deposits(&outcome) {
        relayed.expect_success();
    }
    assert_eq!(token_balance(&mut bridge.l2, l2_token, ALICE), U256::from(60));

    // depositETH is for accounts only: the forwarder passes ALICE on, so it is accepted.
    let eth = L1StandardBridge::depositETHCall { _minGasLimit: 100_000, _extraData: Bytes::new() };
    let tx = Tx { value: ether(1), ..Tx::call(ALICE, aliases().l1_standard_bridge, &eth) };
    let outcome = bridge.l1.send(tx).expect_success();
    let initiated =
        outcome.events::<L1StandardBridge::ETHDepositInitiated>(bridge.l1_bridge.l1_standard_bridge);
    assert_eq!(initiated[0].1.from, ALICE);
}

#[test]
fn only_the_proposer_proposes_at_either_address() {
    let mut bridge = Bridge::new();
    let proof = output_root_proof(Default::default(), Default::default(), Default::default());
    let call = propose_call(&bridge.config, 7, output_root(&proof));
    let by_bob = bridge.l1.send(Tx {
        data: call.clone(),
        ..Tx::call(BOB, aliases().dispute_game_factory, &DisputeGameFactory::gameCountCall {})
    });
    assert!(by_bob.reverted_with::<DisputeGameFactory::NotProposer>());
    let tx = Tx {
        data: call,
        ..Tx::call(PROPOSER, aliases().dispute_game_factory, &DisputeGameFactory::gameCountCall {})
    };
    bridge.l1.send(tx).expect_success();
    let count = bridge.l1.view(bridge.l1_bridge.dispute_game_factory, &DisputeGameFactory::gameCountCall {});
    assert_eq!(count, U256::from(1), "one registry behind both addresses");
    let games = bridge.l1.view(
        aliases().dispute_game_factory,
        &DisputeGameFactory::findLatestGamesCall { _gameType: 1, _start: U256::ZERO, _n: U256::from(5) },
    );
    assert_eq!(games.len(), 1);
    assert_eq!(games[0].rootClaim, output_root(&proof));
    assert_eq!(games[0].extraData, Bytes::copy_from_slice(&U256::from(7).to_be_bytes::<32>()));
}

#[test]
fn a_withdrawal_is_proven_and_finalized_through_the_current_genesis_portal() {
    let mut bridge = Bridge::new();
    let deposit = Tx {
        data: Bytes::new(),
        value: ether(2),
        ..Tx::call(ALICE, aliases().portal, &OptimismPortal::versionCall {})
    };
    bridge.l1.send(deposit).expect_success();
    let withdraw = L2ToL1MessagePasser::initiateWithdrawalCall {
        _target: BOB,
        _gasLimit: U256::from(50_000),
        _data: Bytes::new(),
    };
    let tx = Tx { value: ether(1), ..Tx::call(ALICE, L2_TO_L1_MESSAGE_PASSER, &withdraw) };
    let outcome = bridge.l2.send(tx).expect_success();
    let withdrawal = Bridge::withdrawals(&outcome).remove(0);
    let (proof, index) = bridge.propose();
    let (_, nodes) = bridge.passer_storage_proof(sent_message_slot(withdrawal_hash(&withdrawal)));
    let prove = OptimismPortal::proveWithdrawalTransactionCall {
        _tx: withdrawal.clone(),
        _disputeGameIndex: index,
        _outputRootProof: proof,
        _withdrawalProof: nodes,
    };
    let proven = bridge.l1.send(Tx::call(BOB, aliases().portal, &prove)).expect_success();
    let by = proven.events::<OptimismPortal::WithdrawalProvenExtension1>(bridge.l1_bridge.portal);
    assert_eq!(by[0].1.proofSubmitter, BOB, "the original caller is the submitter");
    bridge.wait_l1(bridge.config.proof_maturity_delay_seconds + 1);
    let before = bridge.l1.balance(BOB);
    let finalize = OptimismPortal::finalizeWithdrawalTransactionCall { _tx: withdrawal };
    bridge.l1.send(Tx::call(BOB, aliases().portal, &finalize)).expect_success();
    assert_eq!(bridge.l1.balance(BOB), before + ether(1));
}
