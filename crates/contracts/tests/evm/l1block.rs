//! L1Block: the L1-attributes deposit sets exactly the storage op-revm reads for the L1 data fee and the operator
//! fee.

use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use op_revm::{L1BlockInfo, OpSpecId};
use superlink_contracts::{
    addresses::{DEPOSITOR_ACCOUNT, L1_BLOCK},
    bindings::L1Block,
};

use crate::harness::{Chain, Tx};

/// The L1 attributes of one block.
struct Attributes {
    base_fee_scalar: u32,
    blob_base_fee_scalar: u32,
    sequence_number: u64,
    timestamp: u64,
    number: u64,
    base_fee: U256,
    blob_base_fee: U256,
    hash: B256,
    batcher_hash: B256,
    operator_fee_scalar: u32,
    operator_fee_constant: u64,
    da_footprint_gas_scalar: u16,
}

fn attributes() -> Attributes {
    Attributes {
        base_fee_scalar: 0x0102_0304,
        blob_base_fee_scalar: 0x0506_0708,
        sequence_number: 0x1112_1314_1516_1718,
        timestamp: 1_700_000_123,
        number: 21_000_000,
        base_fee: U256::from(7_000_000_000u64),
        blob_base_fee: U256::from(3),
        hash: keccak256("l1 block"),
        batcher_hash: B256::left_padding_from(
            address!("0x6887246668a3b87F54DeB3b94Ba47a6f63F32985").as_slice(),
        ),
        operator_fee_scalar: 0x2122_2324,
        operator_fee_constant: 0x3132_3334_3536_3738,
        da_footprint_gas_scalar: 0x4142,
    }
}

/// The packed calldata of `setL1BlockValues{Ecotone,Isthmus,Jovian}()` (spec: protocol/*/l1-attributes).
fn calldata(signature: &str, a: &Attributes) -> Bytes {
    let mut data = keccak256(signature)[..4].to_vec();
    data.extend_from_slice(&a.base_fee_scalar.to_be_bytes());
    data.extend_from_slice(&a.blob_base_fee_scalar.to_be_bytes());
    data.extend_from_slice(&a.sequence_number.to_be_bytes());
    data.extend_from_slice(&a.timestamp.to_be_bytes());
    data.extend_from_slice(&a.number.to_be_bytes());
    data.extend_from_slice(&a.base_fee.to_be_bytes::<32>());
    data.extend_from_slice(&a.blob_base_fee.to_be_bytes::<32>());
    data.extend_from_slice(a.hash.as_slice());
    data.extend_from_slice(a.batcher_hash.as_slice());
    if signature != "setL1BlockValuesEcotone()" {
        data.extend_from_slice(&a.operator_fee_scalar.to_be_bytes());
        data.extend_from_slice(&a.operator_fee_constant.to_be_bytes());
    }
    if signature == "setL1BlockValuesJovian()" {
        data.extend_from_slice(&a.da_footprint_gas_scalar.to_be_bytes());
    }
    data.into()
}

fn attributes_deposit(from: Address, data: Bytes) -> Tx {
    Tx { from, to: L1_BLOCK, data, value: U256::ZERO, access_list: vec![], deposit: true }
}

#[test]
fn jovian_attributes_are_where_op_revm_reads_them() {
    let mut chain = Chain::new(901);
    let a = attributes();
    chain
        .send(attributes_deposit(DEPOSITOR_ACCOUNT, calldata("setL1BlockValuesJovian()", &a)))
        .expect_success();

    let info =
        L1BlockInfo::try_fetch(chain.db_mut(), U256::from(1), OpSpecId::JOVIAN).expect("in-memory read");
    assert_eq!(info.l1_base_fee, a.base_fee);
    assert_eq!(info.l1_base_fee_scalar, U256::from(a.base_fee_scalar));
    assert_eq!(info.l1_blob_base_fee, Some(a.blob_base_fee));
    assert_eq!(info.l1_blob_base_fee_scalar, Some(U256::from(a.blob_base_fee_scalar)));
    assert_eq!(info.operator_fee_scalar, Some(U256::from(a.operator_fee_scalar)));
    assert_eq!(info.operator_fee_constant, Some(U256::from(a.operator_fee_constant)));
    assert_eq!(info.da_footprint_gas_scalar, Some(a.da_footprint_gas_scalar));
    assert!(!info.empty_ecotone_scalars);

    // The public getters agree with the calldata.
    assert_eq!(chain.view(L1_BLOCK, &L1Block::numberCall {}), a.number);
    assert_eq!(chain.view(L1_BLOCK, &L1Block::timestampCall {}), a.timestamp);
    assert_eq!(chain.view(L1_BLOCK, &L1Block::hashCall {}), a.hash);
    assert_eq!(chain.view(L1_BLOCK, &L1Block::sequenceNumberCall {}), a.sequence_number);
    assert_eq!(chain.view(L1_BLOCK, &L1Block::batcherHashCall {}), a.batcher_hash);
    assert_eq!(chain.view(L1_BLOCK, &L1Block::basefeeCall {}), a.base_fee);
    assert_eq!(chain.view(L1_BLOCK, &L1Block::blobBaseFeeCall {}), a.blob_base_fee);
}

#[test]
fn ecotone_and_isthmus_attributes_are_where_op_revm_reads_them() {
    let mut chain = Chain::new(901);
    let a = attributes();
    chain
        .send(attributes_deposit(DEPOSITOR_ACCOUNT, calldata("setL1BlockValuesEcotone()", &a)))
        .expect_success();
    let info =
        L1BlockInfo::try_fetch(chain.db_mut(), U256::from(1), OpSpecId::ECOTONE).expect("in-memory read");
    assert_eq!(info.l1_base_fee, a.base_fee);
    assert_eq!(info.l1_base_fee_scalar, U256::from(a.base_fee_scalar));
    assert_eq!(info.l1_blob_base_fee_scalar, Some(U256::from(a.blob_base_fee_scalar)));

    let b = Attributes {
        operator_fee_scalar: 9,
        operator_fee_constant: 10,
        base_fee: U256::from(11),
        ..attributes()
    };
    chain
        .send(attributes_deposit(DEPOSITOR_ACCOUNT, calldata("setL1BlockValuesIsthmus()", &b)))
        .expect_success();
    let info =
        L1BlockInfo::try_fetch(chain.db_mut(), U256::from(2), OpSpecId::ISTHMUS).expect("in-memory read");
    assert_eq!(info.l1_base_fee, U256::from(11));
    assert_eq!(info.operator_fee_scalar, Some(U256::from(9)));
    assert_eq!(info.operator_fee_constant, Some(U256::from(10)));
}

#[test]
fn only_the_depositor_sets_attributes() {
    let mut chain = Chain::new(901);
    let user = address!("0x1000000000000000000000000000000000000001");
    let outcome = chain.send(attributes_deposit(user, calldata("setL1BlockValuesJovian()", &attributes())));
    assert!(outcome.reverted_with::<L1Block::NotDepositor>());
}

#[test]
fn short_attributes_read_as_zero_like_calldataload_does() {
    // The reference reads the packed attributes with CALLDATALOAD and puts no minimum on the calldata length:
    // missing bytes are zero.
    let mut chain = Chain::new(901);
    let a = attributes();
    let mut short = calldata("setL1BlockValuesJovian()", &a).to_vec();
    short.truncate(170);
    chain.send(attributes_deposit(DEPOSITOR_ACCOUNT, short.into())).expect_success();
    assert_eq!(chain.view(L1_BLOCK, &L1Block::numberCall {}), a.number);
    assert_eq!(chain.view(L1_BLOCK, &L1Block::operatorFeeScalarCall {}), a.operator_fee_scalar);
    // Bytes 168..170 of the operator fee constant were sent, the other six read as zero.
    let sent = a.operator_fee_constant & (u64::from(u16::MAX) << 48);
    assert_eq!(chain.view(L1_BLOCK, &L1Block::operatorFeeConstantCall {}), sent);
    assert_eq!(chain.view(L1_BLOCK, &L1Block::daFootprintGasScalarCall {}), 0);
}

#[test]
fn the_operator_fee_follows_the_hardfork_the_chain_ships() {
    // The operator-fee formula changed at Jovian (scalar × gas / 10⁶ before, scalar × gas × 100 after), so what
    // the harness pays the operator-fee vault shows which rules it runs: they must be the chain's.
    let spec = superlink_chain::ChainConfig::default().spec;
    let mut chain = Chain::new(901);
    let a = Attributes {
        base_fee_scalar: 0,
        blob_base_fee_scalar: 0,
        operator_fee_scalar: 1_000_000,
        operator_fee_constant: 7,
        ..attributes()
    };
    chain
        .send(attributes_deposit(DEPOSITOR_ACCOUNT, calldata("setL1BlockValuesIsthmus()", &a)))
        .expect_success();
    let info = L1BlockInfo::try_fetch(chain.db_mut(), U256::from(2), spec).expect("in-memory read");

    let user = address!("0x1000000000000000000000000000000000000001");
    let vault = address!("0x420000000000000000000000000000000000001b");
    chain.set_balance(user, U256::from(10u128.pow(18)));
    let call = L1Block::numberCall {};
    let outcome = chain.send(Tx::call(user, L1_BLOCK, &call)).expect_success();
    // The envelope only tells op-revm that the transaction is not a deposit (which pays no operator fee).
    let expected = info.operator_fee_charge(&[0x01], U256::from(outcome.gas_used), spec);
    assert!(expected > U256::ZERO);
    assert_eq!(chain.balance(vault), expected, "operator fee under {spec:?}");
}
