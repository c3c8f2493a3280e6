//! The Permit2 preinstall, called through Permit2's published interface (declared here), with every signature made
//! in Rust by a secp256k1 key over the EIP-712 types Permit2's SDKs sign (declared here with `sol!`, hashed by
//! alloy), independently of the contract's own hashing.

use alloy_primitives::{Address, B256, Bytes, U160, U256, address, aliases::U48, keccak256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::{Eip712Domain, SolCall, SolError, SolEvent, SolStruct, eip712_domain, sol};
use superlink_contracts::{preinstall_allocs, preinstalls::PERMIT2};

use crate::harness::{Chain, Outcome, Tx};

sol! {
    /// Permit2's interface as published (`ISignatureTransfer`, `IAllowanceTransfer`); overloads are numbered in
    /// this order.
    interface IPermit2 {
        struct TokenPermissions { address token; uint256 amount; }
        struct PermitTransferFrom { TokenPermissions permitted; uint256 nonce; uint256 deadline; }
        struct PermitBatchTransferFrom { TokenPermissions[] permitted; uint256 nonce; uint256 deadline; }
        struct SignatureTransferDetails { address to; uint256 requestedAmount; }
        struct PermitDetails { address token; uint160 amount; uint48 expiration; uint48 nonce; }
        struct PermitSingle { PermitDetails details; address spender; uint256 sigDeadline; }
        struct PermitBatch { PermitDetails[] details; address spender; uint256 sigDeadline; }
        struct TokenSpenderPair { address token; address spender; }
        struct AllowanceTransferDetails { address from; address to; uint160 amount; address token; }

        event UnorderedNonceInvalidation(address indexed owner, uint256 word, uint256 mask);
        event NonceInvalidation(address indexed owner, address indexed token, address indexed spender, uint48 newNonce, uint48 oldNonce);
        event Approval(address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration);
        event Permit(address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration, uint48 nonce);
        event Lockdown(address indexed owner, address token, address spender);

        error SignatureExpired(uint256 signatureDeadline);
        error InvalidNonce();
        error InvalidAmount(uint256 maxAmount);
        error LengthMismatch();
        error AllowanceExpired(uint256 deadline);
        error InsufficientAllowance(uint256 amount);
        error ExcessiveInvalidation();
        error InvalidSignatureLength();
        error InvalidSignature();
        error InvalidSigner();
        error InvalidContractSignature();

        function DOMAIN_SEPARATOR() external view returns (bytes32);
        function nonceBitmap(address, uint256) external view returns (uint256);
        function permitTransferFrom(PermitTransferFrom permit, SignatureTransferDetails transferDetails, address owner, bytes signature) external;
        function permitWitnessTransferFrom(PermitTransferFrom permit, SignatureTransferDetails transferDetails, address owner, bytes32 witness, string witnessTypeString, bytes signature) external;
        function permitTransferFrom(PermitBatchTransferFrom permit, SignatureTransferDetails[] transferDetails, address owner, bytes signature) external;
        function permitWitnessTransferFrom(PermitBatchTransferFrom permit, SignatureTransferDetails[] transferDetails, address owner, bytes32 witness, string witnessTypeString, bytes signature) external;
        function invalidateUnorderedNonces(uint256 wordPos, uint256 mask) external;

        function allowance(address user, address token, address spender) external view returns (uint160 amount, uint48 expiration, uint48 nonce);
        function approve(address token, address spender, uint160 amount, uint48 expiration) external;
        function permit(address owner, PermitSingle permitSingle, bytes signature) external;
        function permit(address owner, PermitBatch permitBatch, bytes signature) external;
        function transferFrom(address from, address to, uint160 amount, address token) external;
        function transferFrom(AllowanceTransferDetails[] transferDetails) external;
        function lockdown(TokenSpenderPair[] approvals) external;
        function invalidateNonces(address token, address spender, uint48 newNonce) external;
    }
}

/// The EIP-712 messages a Permit2 user signs, as Permit2's SDK declares them (the spender is part of the signed
/// transfer messages, though not of the call), plus a witness type of an example app.
mod typed {
    alloy_sol_types::sol! {
        struct TokenPermissions { address token; uint256 amount; }
        struct PermitTransferFrom { TokenPermissions permitted; address spender; uint256 nonce; uint256 deadline; }
        struct PermitBatchTransferFrom { TokenPermissions[] permitted; address spender; uint256 nonce; uint256 deadline; }
        struct PermitDetails { address token; uint160 amount; uint48 expiration; uint48 nonce; }
        struct PermitSingle { PermitDetails details; address spender; uint256 sigDeadline; }
        struct PermitBatch { PermitDetails[] details; address spender; uint256 sigDeadline; }
        struct Order { address buyer; uint256 price; }
        struct PermitWitnessTransferFrom { TokenPermissions permitted; address spender; uint256 nonce; uint256 deadline; Order witness; }
        struct PermitBatchWitnessTransferFrom { TokenPermissions[] permitted; address spender; uint256 nonce; uint256 deadline; Order witness; }
    }
}

sol!(
    #[allow(missing_docs)]
    SilentToken,
    "../../contracts/artifacts/SilentToken.json"
);
sol!(
    #[allow(missing_docs)]
    FalseToken,
    "../../contracts/artifacts/FalseToken.json"
);
sol!(
    #[allow(missing_docs)]
    HashApprovingWallet,
    "../../contracts/artifacts/HashApprovingWallet.json"
);

use IPermit2::*;

const BOB: Address = address!("0x2000000000000000000000000000000000000002");
const CAROL: Address = address!("0x3000000000000000000000000000000000000003");
const TOKEN: Address = address!("0x7000000000000000000000000000000000000007");
const TOKEN_B: Address = address!("0x7000000000000000000000000000000000000008");
const FALSE_TOKEN: Address = address!("0x7000000000000000000000000000000000000009");
const WALLET: Address = address!("0x8000000000000000000000000000000000000008");
/// The witness type string a spender passes for [`typed::Order`]: the witness field, `)`, then the referenced types
/// in EIP-712 (alphabetical) order.
const ORDER_WITNESS: &str =
    "Order witness)Order(address buyer,uint256 price)TokenPermissions(address token,uint256 amount)";

struct Fixture {
    chain: Chain,
    key: PrivateKeySigner,
    owner: Address,
}

fn fixture(chain_id: u64) -> Fixture {
    let key = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x5a)).unwrap();
    let owner = key.address();
    let mut chain = Chain::new(chain_id);
    chain.alloc(preinstall_allocs());
    chain.set_code(TOKEN, SilentToken::DEPLOYED_BYTECODE.clone());
    chain.set_code(TOKEN_B, SilentToken::DEPLOYED_BYTECODE.clone());
    chain.set_code(FALSE_TOKEN, FalseToken::DEPLOYED_BYTECODE.clone());
    chain.set_code(WALLET, HashApprovingWallet::DEPLOYED_BYTECODE.clone());
    for account in [owner, BOB, CAROL] {
        chain.set_balance(account, U256::from(1_000_000));
    }
    for (token, holder) in [(TOKEN, owner), (TOKEN_B, owner), (TOKEN, WALLET)] {
        let mint = SilentToken::mintCall { to: holder, amount: U256::from(1_000) };
        chain.send(Tx::call(BOB, token, &mint)).expect_success();
    }
    for token in [TOKEN, TOKEN_B] {
        let approve = SilentToken::approveCall { spender: PERMIT2, amount: U256::MAX };
        chain.send(Tx::call(owner, token, &approve)).expect_success();
    }
    let approve = SilentToken::approveCall { spender: PERMIT2, amount: U256::MAX };
    let execute = HashApprovingWallet::executeCall { target: TOKEN, data: approve.abi_encode().into() };
    chain.send(Tx::call(BOB, WALLET, &execute)).expect_success();
    Fixture { chain, key, owner }
}

impl Fixture {
    fn domain(&self) -> Eip712Domain {
        eip712_domain! { name: "Permit2", chain_id: self.chain.chain_id, verifying_contract: PERMIT2, }
    }

    /// The owner's 65-byte `r ‖ s ‖ v` signature of `message`.
    fn sign<T: SolStruct>(&self, message: &T) -> Bytes {
        let digest = message.eip712_signing_hash(&self.domain());
        Bytes::copy_from_slice(&self.key.sign_hash_sync(&digest).unwrap().as_bytes())
    }

    /// The owner's 64-byte EIP-2098 signature of `message`.
    fn sign_compact<T: SolStruct>(&self, message: &T) -> Bytes {
        let digest = message.eip712_signing_hash(&self.domain());
        Bytes::copy_from_slice(&self.key.sign_hash_sync(&digest).unwrap().as_erc2098())
    }

    fn balance(&mut self, token: Address, holder: Address) -> U256 {
        self.chain.view(token, &SilentToken::balanceOfCall { holder })
    }

    /// The allowance as (amount, expiration, nonce).
    fn allowance(&mut self, owner: Address, token: Address, spender: Address) -> (U160, u64, u64) {
        let answer = self.chain.view(PERMIT2, &allowanceCall { user: owner, token, spender });
        (answer.amount, answer.expiration.to::<u64>(), answer.nonce.to::<u64>())
    }

    /// A deadline in the future.
    fn later(&self) -> U256 {
        U256::from(self.chain.timestamp + 1_000)
    }
}

fn signed_transfer(
    token: Address,
    amount: u64,
    spender: Address,
    nonce: u64,
    deadline: U256,
) -> typed::PermitTransferFrom {
    typed::PermitTransferFrom {
        permitted: typed::TokenPermissions { token, amount: U256::from(amount) },
        spender,
        nonce: U256::from(nonce),
        deadline,
    }
}

fn call_transfer(
    message: &typed::PermitTransferFrom,
    to: Address,
    requested: u64,
    owner: Address,
    signature: Bytes,
) -> permitTransferFrom_0Call {
    permitTransferFrom_0Call {
        permit: PermitTransferFrom {
            permitted: TokenPermissions { token: message.permitted.token, amount: message.permitted.amount },
            nonce: message.nonce,
            deadline: message.deadline,
        },
        transferDetails: SignatureTransferDetails { to, requestedAmount: U256::from(requested) },
        owner,
        signature,
    }
}

fn details(
    token: Address,
    amount: u64,
    expiration: u64,
    nonce: u64,
) -> (typed::PermitDetails, PermitDetails) {
    let (amount, expiration, nonce) = (U160::from(amount), U48::from(expiration), U48::from(nonce));
    (
        typed::PermitDetails { token, amount, expiration, nonce },
        PermitDetails { token, amount, expiration, nonce },
    )
}

fn reverted_with<E: SolError>(outcome: &Outcome) {
    assert!(outcome.reverted_with::<E>(), "expected {}, got {}", E::SIGNATURE, outcome.output);
}

#[test]
fn the_domain_separator_is_the_eip712_domain_of_the_chain_and_address() {
    for chain_id in [901u64, 902] {
        let mut fixture = fixture(chain_id);
        let domain = fixture.domain();
        let expected = keccak256(
            [
                keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)").as_slice(),
                keccak256("Permit2").as_slice(),
                &U256::from(chain_id).to_be_bytes::<32>(),
                B256::left_padding_from(PERMIT2.as_slice()).as_slice(),
            ]
            .concat(),
        );
        assert_eq!(domain.separator(), expected, "alloy's domain is the one written out");
        assert_eq!(fixture.chain.view(PERMIT2, &DOMAIN_SEPARATORCall {}), expected, "chain {chain_id}");
    }
}

#[test]
fn a_signed_transfer_moves_tokens_once() {
    let mut f = fixture(901);
    let owner = f.owner;
    let message = signed_transfer(TOKEN, 100, BOB, 0x105, f.later());
    let signature = f.sign(&message);
    let call = call_transfer(&message, CAROL, 60, owner, signature.clone());

    let stranger = f.chain.send(Tx::call(CAROL, PERMIT2, &call));
    reverted_with::<InvalidSigner>(&stranger);
    f.chain.send(Tx::call(BOB, PERMIT2, &call)).expect_success();
    assert_eq!(f.balance(TOKEN, CAROL), U256::from(60));
    assert_eq!(f.balance(TOKEN, owner), U256::from(940));
    let word = f.chain.view(PERMIT2, &nonceBitmapCall { _0: owner, _1: U256::from(1) });
    assert_eq!(word, U256::from(1) << 5, "nonce 0x105 is bit 5 of word 1");

    reverted_with::<InvalidNonce>(&f.chain.send(Tx::call(BOB, PERMIT2, &call)));
    assert_eq!(f.balance(TOKEN, CAROL), U256::from(60), "a replay moves nothing");

    let too_much = call_transfer(&message, CAROL, 101, owner, signature);
    let outcome = f.chain.send(Tx::call(BOB, PERMIT2, &too_much));
    assert!(outcome.reverted_with::<InvalidAmount>());
    assert_eq!(InvalidAmount::abi_decode(&outcome.output).unwrap().maxAmount, U256::from(100));

    let compact = signed_transfer(TOKEN, 10, BOB, 7, f.later());
    let call = call_transfer(&compact, CAROL, 10, owner, f.sign_compact(&compact));
    f.chain.send(Tx::call(BOB, PERMIT2, &call)).expect_success();
    assert_eq!(f.balance(TOKEN, CAROL), U256::from(70), "an EIP-2098 signature is accepted");

    let short =
        call_transfer(&signed_transfer(TOKEN, 1, BOB, 11, f.later()), CAROL, 1, owner, vec![1u8; 63].into());
    reverted_with::<InvalidSignatureLength>(&f.chain.send(Tx::call(BOB, PERMIT2, &short)));
    let mut garbage = vec![0u8; 65];
    garbage[64] = 27;
    let call = call_transfer(&signed_transfer(TOKEN, 1, BOB, 8, f.later()), CAROL, 1, owner, garbage.into());
    reverted_with::<InvalidSignature>(&f.chain.send(Tx::call(BOB, PERMIT2, &call)));
}

#[test]
fn an_expired_or_invalidated_permit_is_refused() {
    let mut f = fixture(901);
    let owner = f.owner;
    let deadline = U256::from(f.chain.timestamp - 1);
    let message = signed_transfer(TOKEN, 5, BOB, 1, deadline);
    let call = call_transfer(&message, CAROL, 5, owner, f.sign(&message));
    let outcome = f.chain.send(Tx::call(BOB, PERMIT2, &call));
    assert!(outcome.reverted_with::<SignatureExpired>(), "the deadline is a second before the block");
    assert_eq!(SignatureExpired::abi_decode(&outcome.output).unwrap().signatureDeadline, deadline);

    let message = signed_transfer(TOKEN, 5, BOB, 0x201, f.later());
    let call = call_transfer(&message, CAROL, 5, owner, f.sign(&message));
    let invalidate = invalidateUnorderedNoncesCall { wordPos: U256::from(2), mask: U256::from(0b11) };
    let outcome = f.chain.send(Tx::call(owner, PERMIT2, &invalidate)).expect_success();
    let events = outcome.events::<UnorderedNonceInvalidation>(PERMIT2);
    assert_eq!(
        (events[0].1.owner, events[0].1.word, events[0].1.mask),
        (owner, U256::from(2), U256::from(3))
    );
    reverted_with::<InvalidNonce>(&f.chain.send(Tx::call(BOB, PERMIT2, &call)));
}

#[test]
fn a_batch_transfer_moves_each_token_and_skips_zero_amounts() {
    let mut f = fixture(901);
    let owner = f.owner;
    let message = typed::PermitBatchTransferFrom {
        permitted: vec![
            typed::TokenPermissions { token: TOKEN, amount: U256::from(10) },
            typed::TokenPermissions { token: TOKEN_B, amount: U256::from(20) },
        ],
        spender: BOB,
        nonce: U256::from(3),
        deadline: f.later(),
    };
    let permit = PermitBatchTransferFrom {
        permitted: message
            .permitted
            .iter()
            .map(|p| TokenPermissions { token: p.token, amount: p.amount })
            .collect(),
        nonce: message.nonce,
        deadline: message.deadline,
    };
    let signature = f.sign(&message);
    let to = |amount: u64| SignatureTransferDetails { to: CAROL, requestedAmount: U256::from(amount) };
    let mismatch = permitTransferFrom_1Call {
        permit: permit.clone(),
        transferDetails: vec![to(1)],
        owner,
        signature: signature.clone(),
    };
    reverted_with::<LengthMismatch>(&f.chain.send(Tx::call(BOB, PERMIT2, &mismatch)));
    let call = permitTransferFrom_1Call { permit, transferDetails: vec![to(0), to(20)], owner, signature };
    f.chain.send(Tx::call(BOB, PERMIT2, &call)).expect_success();
    assert_eq!((f.balance(TOKEN, CAROL), f.balance(TOKEN_B, CAROL)), (U256::ZERO, U256::from(20)));
    reverted_with::<InvalidNonce>(&f.chain.send(Tx::call(BOB, PERMIT2, &call)));
}

#[test]
fn a_witness_transfer_binds_the_spenders_data() {
    let mut f = fixture(901);
    let owner = f.owner;
    let stub = "PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,";
    assert_eq!(
        format!("{stub}{ORDER_WITNESS}"),
        typed::PermitWitnessTransferFrom::eip712_encode_type(),
        "the witness string completes the type alloy encodes"
    );
    let order = typed::Order { buyer: CAROL, price: U256::from(77) };
    let message = typed::PermitWitnessTransferFrom {
        permitted: typed::TokenPermissions { token: TOKEN, amount: U256::from(30) },
        spender: BOB,
        nonce: U256::from(9),
        deadline: f.later(),
        witness: order.clone(),
    };
    let signature = f.sign(&message);
    let call = |witness: B256| permitWitnessTransferFrom_0Call {
        permit: PermitTransferFrom {
            permitted: TokenPermissions { token: TOKEN, amount: U256::from(30) },
            nonce: message.nonce,
            deadline: message.deadline,
        },
        transferDetails: SignatureTransferDetails { to: CAROL, requestedAmount: U256::from(30) },
        owner,
        witness,
        witnessTypeString: ORDER_WITNESS.into(),
        signature: signature.clone(),
    };
    let other = typed::Order { buyer: CAROL, price: U256::from(78) }.eip712_hash_struct();
    reverted_with::<InvalidSigner>(&f.chain.send(Tx::call(BOB, PERMIT2, &call(other))));
    f.chain.send(Tx::call(BOB, PERMIT2, &call(order.eip712_hash_struct()))).expect_success();
    assert_eq!(f.balance(TOKEN, CAROL), U256::from(30));

    let batch = typed::PermitBatchWitnessTransferFrom {
        permitted: vec![typed::TokenPermissions { token: TOKEN_B, amount: U256::from(4) }],
        spender: BOB,
        nonce: U256::from(10),
        deadline: f.later(),
        witness: order.clone(),
    };
    let call = permitWitnessTransferFrom_1Call {
        permit: PermitBatchTransferFrom {
            permitted: vec![TokenPermissions { token: TOKEN_B, amount: U256::from(4) }],
            nonce: batch.nonce,
            deadline: batch.deadline,
        },
        transferDetails: vec![SignatureTransferDetails { to: CAROL, requestedAmount: U256::from(4) }],
        owner,
        witness: order.eip712_hash_struct(),
        witnessTypeString: ORDER_WITNESS.into(),
        signature: f.sign(&batch),
    };
    f.chain.send(Tx::call(BOB, PERMIT2, &call)).expect_success();
    assert_eq!(f.balance(TOKEN_B, CAROL), U256::from(4));
}

#[test]
fn an_approved_allowance_is_drawn_on_until_it_expires() {
    let mut f = fixture(901);
    let owner = f.owner;
    let expiration = f.chain.timestamp + 100;
    let approve =
        approveCall { token: TOKEN, spender: BOB, amount: U160::from(50), expiration: U48::from(expiration) };
    let outcome = f.chain.send(Tx::call(owner, PERMIT2, &approve)).expect_success();
    let event = &outcome.events::<Approval>(PERMIT2)[0].1;
    assert_eq!((event.owner, event.token, event.spender), (owner, TOKEN, BOB));
    assert_eq!(f.allowance(owner, TOKEN, BOB), (U160::from(50), expiration, 0));

    let transfer =
        |amount: u64| transferFrom_0Call { from: owner, to: CAROL, amount: U160::from(amount), token: TOKEN };
    f.chain.send(Tx::call(BOB, PERMIT2, &transfer(30))).expect_success();
    assert_eq!(f.balance(TOKEN, CAROL), U256::from(30));
    assert_eq!(f.allowance(owner, TOKEN, BOB).0, U160::from(20));
    let outcome = f.chain.send(Tx::call(BOB, PERMIT2, &transfer(21)));
    assert!(outcome.reverted_with::<InsufficientAllowance>());
    assert_eq!(InsufficientAllowance::abi_decode(&outcome.output).unwrap().amount, U256::from(20));
    reverted_with::<AllowanceExpired>(&f.chain.send(Tx::call(CAROL, PERMIT2, &transfer(1))));

    let batch = transferFrom_1Call {
        transferDetails: vec![
            AllowanceTransferDetails { from: owner, to: CAROL, amount: U160::from(5), token: TOKEN },
            AllowanceTransferDetails { from: owner, to: BOB, amount: U160::from(5), token: TOKEN },
        ],
    };
    f.chain.send(Tx::call(BOB, PERMIT2, &batch)).expect_success();
    assert_eq!((f.balance(TOKEN, CAROL), f.balance(TOKEN, BOB)), (U256::from(35), U256::from(5)));

    // Expiration 0 is the approval's own block: spendable in it, expired in the next.
    let now = f.chain.timestamp;
    let approve = approveCall { token: TOKEN, spender: BOB, amount: U160::from(50), expiration: U48::ZERO };
    f.chain.send(Tx::call(owner, PERMIT2, &approve)).expect_success();
    assert_eq!(f.allowance(owner, TOKEN, BOB), (U160::from(50), now, 0));
    let outcome = f.chain.send(Tx::call(BOB, PERMIT2, &transfer(1)));
    assert!(outcome.reverted_with::<AllowanceExpired>());
    assert_eq!(AllowanceExpired::abi_decode(&outcome.output).unwrap().deadline, U256::from(now));

    let unlimited =
        approveCall { token: TOKEN, spender: BOB, amount: U160::MAX, expiration: U48::from(expiration) };
    f.chain.send(Tx::call(owner, PERMIT2, &unlimited)).expect_success();
    f.chain.send(Tx::call(BOB, PERMIT2, &transfer(100))).expect_success();
    assert_eq!(f.allowance(owner, TOKEN, BOB).0, U160::MAX, "never spent");

    let lockdown = lockdownCall { approvals: vec![TokenSpenderPair { token: TOKEN, spender: BOB }] };
    let outcome = f.chain.send(Tx::call(owner, PERMIT2, &lockdown)).expect_success();
    assert_eq!(outcome.events::<Lockdown>(PERMIT2)[0].1.spender, BOB);
    assert_eq!(f.allowance(owner, TOKEN, BOB), (U160::from(0), expiration, 0));
    reverted_with::<InsufficientAllowance>(&f.chain.send(Tx::call(BOB, PERMIT2, &transfer(1))));
}

#[test]
fn a_signed_permit_sets_the_allowance_and_advances_its_nonce() {
    let mut f = fixture(901);
    let owner = f.owner;
    let expiration = f.chain.timestamp + 500;
    let (signed, plain) = details(TOKEN, 40, expiration, 0);
    let message = typed::PermitSingle { details: signed, spender: BOB, sigDeadline: f.later() };
    let call = permit_0Call {
        owner,
        permitSingle: PermitSingle { details: plain, spender: BOB, sigDeadline: message.sigDeadline },
        signature: f.sign(&message),
    };
    let outcome = f.chain.send(Tx::call(CAROL, PERMIT2, &call)).expect_success();
    let event = &outcome.events::<Permit>(PERMIT2)[0].1;
    assert_eq!((event.owner, event.spender, event.nonce), (owner, BOB, U48::ZERO));
    assert_eq!(
        f.allowance(owner, TOKEN, BOB),
        (U160::from(40), expiration, 1),
        "anyone may submit it; the nonce moves on"
    );
    reverted_with::<InvalidNonce>(&f.chain.send(Tx::call(CAROL, PERMIT2, &call)));
    let transfer = transferFrom_0Call { from: owner, to: CAROL, amount: U160::from(40), token: TOKEN };
    f.chain.send(Tx::call(BOB, PERMIT2, &transfer)).expect_success();

    let (signed_a, plain_a) = details(TOKEN, 1, 0, 1);
    let (signed_b, plain_b) = details(TOKEN_B, 2, expiration, 0);
    let batch =
        typed::PermitBatch { details: vec![signed_a, signed_b], spender: BOB, sigDeadline: f.later() };
    let call = permit_1Call {
        owner,
        permitBatch: PermitBatch {
            details: vec![plain_a, plain_b],
            spender: BOB,
            sigDeadline: batch.sigDeadline,
        },
        signature: f.sign_compact(&batch),
    };
    let outcome = f.chain.send(Tx::call(BOB, PERMIT2, &call)).expect_success();
    assert_eq!(outcome.events::<Permit>(PERMIT2).len(), 2);
    let block_time = outcome.block.1;
    assert_eq!(
        f.allowance(owner, TOKEN, BOB),
        (U160::from(1), block_time, 2),
        "expiration 0 became the block's time"
    );
    assert_eq!(f.allowance(owner, TOKEN_B, BOB), (U160::from(2), expiration, 1));

    let (signed, plain) = details(TOKEN, 40, expiration, 2);
    let message = typed::PermitSingle { details: signed, spender: BOB, sigDeadline: f.later() };
    let stale = permit_0Call {
        owner,
        permitSingle: PermitSingle { details: plain, spender: BOB, sigDeadline: message.sigDeadline },
        signature: f.sign(&message),
    };
    let invalidate = invalidateNoncesCall { token: TOKEN, spender: BOB, newNonce: U48::from(5) };
    let outcome = f.chain.send(Tx::call(owner, PERMIT2, &invalidate)).expect_success();
    let event = &outcome.events::<NonceInvalidation>(PERMIT2)[0].1;
    assert_eq!((event.newNonce, event.oldNonce), (U48::from(5), U48::from(2)));
    reverted_with::<InvalidNonce>(&f.chain.send(Tx::call(BOB, PERMIT2, &stale)));
    reverted_with::<InvalidNonce>(&f.chain.send(Tx::call(owner, PERMIT2, &invalidate)));
    let far = invalidateNoncesCall { token: TOKEN, spender: BOB, newNonce: U48::from(5 + 65_536) };
    reverted_with::<ExcessiveInvalidation>(&f.chain.send(Tx::call(owner, PERMIT2, &far)));

    let (signed, plain) = details(TOKEN, 40, expiration, 5);
    let message =
        typed::PermitSingle { details: signed, spender: BOB, sigDeadline: U256::from(f.chain.timestamp - 1) };
    let expired = permit_0Call {
        owner,
        permitSingle: PermitSingle { details: plain, spender: BOB, sigDeadline: message.sigDeadline },
        signature: f.sign(&message),
    };
    reverted_with::<SignatureExpired>(&f.chain.send(Tx::call(BOB, PERMIT2, &expired)));
}

#[test]
fn a_contract_owner_signs_through_eip1271() {
    let mut f = fixture(901);
    let message = signed_transfer(TOKEN, 25, BOB, 1, f.later());
    let digest = message.eip712_signing_hash(&f.domain());
    let call = call_transfer(&message, CAROL, 25, WALLET, Bytes::from_static(b"any"));
    reverted_with::<InvalidContractSignature>(&f.chain.send(Tx::call(BOB, PERMIT2, &call)));
    let approve = HashApprovingWallet::approveHashCall { hash: digest };
    f.chain.send(Tx::call(CAROL, WALLET, &approve)).expect_success();
    f.chain.send(Tx::call(BOB, PERMIT2, &call)).expect_success();
    assert_eq!(f.balance(TOKEN, CAROL), U256::from(25));
    assert_eq!(f.balance(TOKEN, WALLET), U256::from(975));
}

#[test]
fn a_token_answering_false_is_refused() {
    let mut f = fixture(901);
    let owner = f.owner;
    let message = signed_transfer(FALSE_TOKEN, 5, BOB, 1, f.later());
    let call = call_transfer(&message, CAROL, 5, owner, f.sign(&message));
    let outcome = f.chain.send(Tx::call(BOB, PERMIT2, &call));
    let reason =
        alloy_sol_types::Revert::abi_decode(&outcome.output).expect("an Error(string) revert").reason;
    assert_eq!(reason, "TRANSFER_FROM_FAILED");
}

#[test]
fn the_interface_has_the_originals_selectors() {
    let artifact: serde_json::Value =
        serde_json::from_str(include_str!("../../../../contracts/artifacts/Permit2.json")).unwrap();
    let abi: alloy_json_abi::JsonAbi = serde_json::from_value(artifact["abi"].clone()).unwrap();
    let mut ours: Vec<String> = abi.functions().map(|f| f.signature()).collect();
    ours.sort();
    let mut published: Vec<String> = [
        DOMAIN_SEPARATORCall::SIGNATURE,
        nonceBitmapCall::SIGNATURE,
        permitTransferFrom_0Call::SIGNATURE,
        permitWitnessTransferFrom_0Call::SIGNATURE,
        permitTransferFrom_1Call::SIGNATURE,
        permitWitnessTransferFrom_1Call::SIGNATURE,
        invalidateUnorderedNoncesCall::SIGNATURE,
        allowanceCall::SIGNATURE,
        approveCall::SIGNATURE,
        permit_0Call::SIGNATURE,
        permit_1Call::SIGNATURE,
        transferFrom_0Call::SIGNATURE,
        transferFrom_1Call::SIGNATURE,
        lockdownCall::SIGNATURE,
        invalidateNoncesCall::SIGNATURE,
    ]
    .map(String::from)
    .to_vec();
    published.sort();
    assert_eq!(ours, published, "exactly the published functions");
    let mut events: Vec<String> = abi.events().map(|e| e.signature()).collect();
    events.sort();
    let mut expected_events: Vec<&str> = vec![
        Approval::SIGNATURE,
        Lockdown::SIGNATURE,
        NonceInvalidation::SIGNATURE,
        Permit::SIGNATURE,
        UnorderedNonceInvalidation::SIGNATURE,
    ];
    expected_events.sort();
    assert_eq!(events, expected_events);
    let errors: std::collections::BTreeSet<String> = abi.errors().map(|e| e.signature()).collect();
    for error in [
        SignatureExpired::SIGNATURE,
        InvalidNonce::SIGNATURE,
        InvalidAmount::SIGNATURE,
        LengthMismatch::SIGNATURE,
        AllowanceExpired::SIGNATURE,
        InsufficientAllowance::SIGNATURE,
        ExcessiveInvalidation::SIGNATURE,
        InvalidSignatureLength::SIGNATURE,
        InvalidSignature::SIGNATURE,
        InvalidSigner::SIGNATURE,
        InvalidContractSignature::SIGNATURE,
    ] {
        assert!(errors.contains(error), "{error}");
    }
}
