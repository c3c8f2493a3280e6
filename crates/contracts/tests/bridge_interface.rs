//! The standard bridge and supersim's test token present the interfaces of the OP Stack contracts they stand in
//! for, so that viem's OP Stack actions, cast and apps compiled against those ABIs work with them: every function
//! below (with its return types, which clients decode) and every event (with its indexed parameters) is in the
//! committed ABI artifact, payable exactly where the reference is.
//!
//! The signatures are those of the reference interfaces (`IOptimismPortal2`, `IDisputeGameFactory`,
//! `IDisputeGame`, `ICrossDomainMessenger`, `IL1StandardBridge`, `IL2StandardBridge`,
//! `IOptimismMintableERC20Factory`, `IOptimismMintableERC20`, and supersim's `L2NativeSuperchainERC20`), written
//! out as Solidity signatures, with `WithdrawalTransaction` and `OutputRootProof` standing for their tuples. The
//! portal's list holds every portal, factory and game function viem's `depositTransaction`, `getWithdrawalStatus`,
//! `getGames`, `getTimeToFinalize`, `proveWithdrawal` and `finalizeWithdrawal` call, and the events its
//! `getL2TransactionHashes` and `getWithdrawals` read.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use alloy_json_abi::{Event, Function, JsonAbi, StateMutability};
use alloy_primitives::hex;
use superlink_contracts::Contract;

const WITHDRAWAL_TRANSACTION: &str = "(uint256,address,address,uint256,uint256,bytes)";
const OUTPUT_ROOT_PROOF: &str = "(bytes32,bytes32,bytes32,bytes32)";

fn interfaces() -> Vec<(Contract, Vec<&'static str>)> {
    vec![
        (
            Contract::OptimismPortal,
            vec![
                "function depositTransaction(address _to, uint256 _value, uint64 _gasLimit, bool _isCreation, bytes _data) payable",
                "function minimumGasLimit(uint64 _byteCount) pure returns (uint64)",
                "function version() view returns (string)",
                "function respectedGameType() view returns (uint32)",
                "function disputeGameFactory() view returns (address)",
                "function numProofSubmitters(bytes32 _withdrawalHash) view returns (uint256)",
                "function proofSubmitters(bytes32, uint256) view returns (address)",
                "function provenWithdrawals(bytes32, address) view returns (address disputeGameProxy, uint64 timestamp)",
                "function checkWithdrawal(bytes32 _withdrawalHash, address _proofSubmitter) view",
                "function finalizedWithdrawals(bytes32) view returns (bool)",
                "function proofMaturityDelaySeconds() view returns (uint256)",
                "function disputeGameFinalityDelaySeconds() view returns (uint256)",
                "function l2Sender() view returns (address)",
                "function proveWithdrawalTransaction(WithdrawalTransaction _tx, uint256 _disputeGameIndex, OutputRootProof _outputRootProof, bytes[] _withdrawalProof)",
                "function finalizeWithdrawalTransaction(WithdrawalTransaction _tx)",
                "function finalizeWithdrawalTransactionExternalProof(WithdrawalTransaction _tx, address _proofSubmitter)",
                "event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData)",
                "event WithdrawalProven(bytes32 indexed withdrawalHash, address indexed from, address indexed to)",
                "event WithdrawalProvenExtension1(bytes32 indexed withdrawalHash, address indexed proofSubmitter)",
                "event WithdrawalFinalized(bytes32 indexed withdrawalHash, bool success)",
            ],
        ),
        (
            Contract::DisputeGameFactory,
            vec![
                "function create(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) payable returns (address proxy_)",
                "function gameCount() view returns (uint256 gameCount_)",
                "function gameAtIndex(uint256 _index) view returns (uint32 gameType_, uint64 timestamp_, address proxy_)",
                "function games(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) view returns (address proxy_, uint64 timestamp_)",
                "function findLatestGames(uint32 _gameType, uint256 _start, uint256 _n) view returns ((uint256,bytes32,uint64,bytes32,bytes)[] games_)",
                "event DisputeGameCreated(address indexed disputeProxy, uint32 indexed gameType, bytes32 indexed rootClaim)",
            ],
        ),
        (
            Contract::OutputRootGame,
            vec![
                "function l2SequenceNumber() view returns (uint256)",
                "function l2BlockNumber() view returns (uint256)",
                "function rootClaim() view returns (bytes32)",
                "function gameType() view returns (uint32)",
                "function createdAt() view returns (uint64)",
                "function resolvedAt() view returns (uint64)",
                "function status() view returns (uint8)",
                "function extraData() view returns (bytes)",
                "function gameData() view returns (uint32 gameType_, bytes32 rootClaim_, bytes extraData_)",
                "function gameCreator() view returns (address)",
            ],
        ),
        (
            Contract::L1CrossDomainMessenger,
            messenger(&[
                "function PORTAL() view returns (address)",
                "function portal() view returns (address)",
            ]),
        ),
        (
            Contract::L2CrossDomainMessenger,
            messenger(&["function l1CrossDomainMessenger() view returns (address)"]),
        ),
        (
            Contract::L1StandardBridge,
            bridge(&[
                "function depositETH(uint32 _minGasLimit, bytes _extraData) payable",
                "function depositETHTo(address _to, uint32 _minGasLimit, bytes _extraData) payable",
                "function depositERC20(address _l1Token, address _l2Token, uint256 _amount, uint32 _minGasLimit, bytes _extraData)",
                "function depositERC20To(address _l1Token, address _l2Token, address _to, uint256 _amount, uint32 _minGasLimit, bytes _extraData)",
                "function finalizeETHWithdrawal(address _from, address _to, uint256 _amount, bytes _extraData) payable",
                "function finalizeERC20Withdrawal(address _l1Token, address _l2Token, address _from, address _to, uint256 _amount, bytes _extraData)",
                "function l2TokenBridge() view returns (address)",
                "event ETHDepositInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData)",
                "event ETHWithdrawalFinalized(address indexed from, address indexed to, uint256 amount, bytes extraData)",
                "event ERC20DepositInitiated(address indexed l1Token, address indexed l2Token, address indexed from, address to, uint256 amount, bytes extraData)",
                "event ERC20WithdrawalFinalized(address indexed l1Token, address indexed l2Token, address indexed from, address to, uint256 amount, bytes extraData)",
            ]),
        ),
        (
            Contract::L2StandardBridge,
            bridge(&[
                "function withdraw(address _l2Token, uint256 _amount, uint32 _minGasLimit, bytes _extraData) payable",
                "function withdrawTo(address _l2Token, address _to, uint256 _amount, uint32 _minGasLimit, bytes _extraData) payable",
                "function finalizeDeposit(address _l1Token, address _l2Token, address _from, address _to, uint256 _amount, bytes _extraData) payable",
                "function l1TokenBridge() view returns (address)",
                "event WithdrawalInitiated(address indexed l1Token, address indexed l2Token, address indexed from, address to, uint256 amount, bytes extraData)",
                "event DepositFinalized(address indexed l1Token, address indexed l2Token, address indexed from, address to, uint256 amount, bytes extraData)",
            ]),
        ),
        (
            Contract::OptimismMintableERC20Factory,
            vec![
                "function createOptimismMintableERC20(address _remoteToken, string _name, string _symbol) returns (address)",
                "function createOptimismMintableERC20WithDecimals(address _remoteToken, string _name, string _symbol, uint8 _decimals) returns (address)",
                "function createStandardL2Token(address _remoteToken, string _name, string _symbol) returns (address)",
                "function deployments(address) view returns (address)",
                "function bridge() view returns (address)",
                "function BRIDGE() view returns (address)",
                "event OptimismMintableERC20Created(address indexed localToken, address indexed remoteToken, address deployer)",
                "event StandardL2TokenCreated(address indexed remoteToken, address indexed localToken)",
            ],
        ),
        (
            Contract::OptimismMintableERC20,
            vec![
                "function remoteToken() view returns (address)",
                "function bridge() view returns (address)",
                "function l1Token() view returns (address)",
                "function l2Bridge() view returns (address)",
                "function REMOTE_TOKEN() view returns (address)",
                "function BRIDGE() view returns (address)",
                "function mint(address _to, uint256 _amount)",
                "function burn(address _from, uint256 _amount)",
                "function supportsInterface(bytes4 _interfaceId) view returns (bool)",
                "function decimals() view returns (uint8)",
                "event Mint(address indexed account, uint256 amount)",
                "event Burn(address indexed account, uint256 amount)",
            ],
        ),
        (
            Contract::L2NativeSuperchainERC20,
            vec![
                "function mint(address _to, uint256 _amount)",
                "function burn(address _from, uint256 _amount)",
                "function crosschainMint(address _to, uint256 _amount)",
                "function crosschainBurn(address _from, uint256 _amount)",
                "function name() view returns (string)",
                "function symbol() view returns (string)",
                "function decimals() view returns (uint8)",
                "event Mint(address indexed account, uint256 amount)",
                "event Burn(address indexed account, uint256 amount)",
                "event CrosschainMint(address indexed to, uint256 amount, address indexed sender)",
                "event CrosschainBurn(address indexed from, uint256 amount, address indexed sender)",
                "error ZeroAddress()",
            ],
        ),
    ]
}

/// `ICrossDomainMessenger`, with the side's own getters.
fn messenger(own: &[&'static str]) -> Vec<&'static str> {
    let mut signatures = vec![
        "function sendMessage(address _target, bytes _message, uint32 _minGasLimit) payable",
        "function relayMessage(uint256 _nonce, address _sender, address _target, uint256 _value, uint256 _minGasLimit, bytes _message) payable",
        "function xDomainMessageSender() view returns (address)",
        "function messageNonce() view returns (uint256)",
        "function successfulMessages(bytes32) view returns (bool)",
        "function failedMessages(bytes32) view returns (bool)",
        "function baseGas(bytes _message, uint32 _minGasLimit) pure returns (uint64)",
        "function OTHER_MESSENGER() view returns (address)",
        "function otherMessenger() view returns (address)",
        "function MESSAGE_VERSION() view returns (uint16)",
        "event SentMessage(address indexed target, address sender, bytes message, uint256 messageNonce, uint256 gasLimit)",
        "event SentMessageExtension1(address indexed sender, uint256 value)",
        "event RelayedMessage(bytes32 indexed msgHash)",
        "event FailedRelayedMessage(bytes32 indexed msgHash)",
    ];
    signatures.extend_from_slice(own);
    signatures
}

/// `StandardBridge`, with the side's legacy functions and events.
fn bridge(own: &[&'static str]) -> Vec<&'static str> {
    let mut signatures = vec![
        "function bridgeETH(uint32 _minGasLimit, bytes _extraData) payable",
        "function bridgeETHTo(address _to, uint32 _minGasLimit, bytes _extraData) payable",
        "function bridgeERC20(address _localToken, address _remoteToken, uint256 _amount, uint32 _minGasLimit, bytes _extraData)",
        "function bridgeERC20To(address _localToken, address _remoteToken, address _to, uint256 _amount, uint32 _minGasLimit, bytes _extraData)",
        "function finalizeBridgeETH(address _from, address _to, uint256 _amount, bytes _extraData) payable",
        "function finalizeBridgeERC20(address _localToken, address _remoteToken, address _from, address _to, uint256 _amount, bytes _extraData)",
        "function deposits(address, address) view returns (uint256)",
        "function messenger() view returns (address)",
        "function MESSENGER() view returns (address)",
        "function otherBridge() view returns (address)",
        "function OTHER_BRIDGE() view returns (address)",
        "event ETHBridgeInitiated(address indexed from, address indexed to, uint256 amount, bytes extraData)",
        "event ETHBridgeFinalized(address indexed from, address indexed to, uint256 amount, bytes extraData)",
        "event ERC20BridgeInitiated(address indexed localToken, address indexed remoteToken, address indexed from, address to, uint256 amount, bytes extraData)",
        "event ERC20BridgeFinalized(address indexed localToken, address indexed remoteToken, address indexed from, address to, uint256 amount, bytes extraData)",
    ];
    signatures.extend_from_slice(own);
    signatures
}

fn expand(signature: &str) -> String {
    // Only the types (followed by a parameter name), not function names that contain the words.
    signature
        .replace("WithdrawalTransaction _", &format!("{WITHDRAWAL_TRANSACTION} _"))
        .replace("OutputRootProof _", &format!("{OUTPUT_ROOT_PROOF} _"))
}

fn abi(contract: Contract) -> JsonAbi {
    let artifact: serde_json::Value =
        serde_json::from_str(contract.artifact_json()).expect("artifact is JSON");
    serde_json::from_value(artifact["abi"].clone()).expect("artifact has an ABI")
}

fn indexed(event: &Event) -> Vec<bool> {
    event.inputs.iter().map(|p| p.indexed).collect()
}

fn output_types(function: &Function) -> Vec<String> {
    function.outputs.iter().map(|p| p.selector_type().into_owned()).collect()
}

#[test]
fn the_bridge_contracts_present_the_reference_interfaces() {
    let mut problems = Vec::new();
    for (contract, signatures) in interfaces() {
        let abi = abi(contract);
        for signature in signatures {
            let text = expand(signature);
            if let Some(rest) = text.strip_prefix("function ") {
                let wanted = Function::parse(rest).unwrap_or_else(|e| panic!("{signature}: {e}"));
                let found = abi.functions().find(|f| f.selector() == wanted.selector());
                match found {
                    None => problems.push(format!("{contract}: missing {signature}")),
                    Some(found) => {
                        let payable = |f: &Function| f.state_mutability == StateMutability::Payable;
                        if payable(found) != payable(&wanted) {
                            problems.push(format!("{contract}: {signature}: payable differs"));
                        }
                        if output_types(found) != output_types(&wanted) {
                            problems
                                .push(format!("{contract}: {signature}: returns {:?}", output_types(found)));
                        }
                    }
                }
            } else if let Some(rest) = text.strip_prefix("event ") {
                let wanted = Event::parse(rest).unwrap_or_else(|e| panic!("{signature}: {e}"));
                match abi.events().find(|e| e.selector() == wanted.selector()) {
                    None => problems.push(format!("{contract}: missing {signature}")),
                    Some(found) if indexed(found) != indexed(&wanted) => {
                        problems.push(format!("{contract}: {signature}: indexed parameters differ"))
                    }
                    Some(_) => {}
                }
            } else if let Some(rest) = text.strip_prefix("error ") {
                let wanted =
                    alloy_json_abi::Error::parse(rest).unwrap_or_else(|e| panic!("{signature}: {e}"));
                if !abi.errors().any(|e| e.selector() == wanted.selector()) {
                    problems.push(format!("{contract}: missing {signature}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "interface differences:\n{}", problems.join("\n"));
}

/// The keys clients match on, against their published values, so that the comparison above cannot pass by
/// computing both sides wrong in the same way.
#[test]
fn the_signatures_give_the_published_selectors_and_topics() {
    let functions = [
        ("depositTransaction(address,uint256,uint64,bool,bytes)", "e9e05c42"),
        (
            "proveWithdrawalTransaction((uint256,address,address,uint256,uint256,bytes),uint256,(bytes32,bytes32,bytes32,bytes32),bytes[])",
            "4870496f",
        ),
        ("finalizeWithdrawalTransaction((uint256,address,address,uint256,uint256,bytes))", "8c3152e9"),
        (
            "finalizeWithdrawalTransactionExternalProof((uint256,address,address,uint256,uint256,bytes),address)",
            "43ca1c50",
        ),
        ("sendMessage(address,bytes,uint32)", "3dbb202b"),
        ("relayMessage(uint256,address,address,uint256,uint256,bytes)", "d764ad0b"),
        ("depositETH(uint32,bytes)", "b1a1a882"),
        ("depositERC20(address,address,uint256,uint32,bytes)", "58a997f6"),
        ("withdraw(address,uint256,uint32,bytes)", "32b7006d"),
        ("createOptimismMintableERC20(address,string,string)", "ce5ac90f"),
        ("create(uint32,bytes32,bytes)", "82ecf2f6"),
        ("gameAtIndex(uint256)", "bb8aa1fc"),
        ("mint(address,uint256)", "40c10f19"),
        ("burn(address,uint256)", "9dc29fac"),
    ];
    for (signature, selector) in functions {
        let function = Function::parse(signature).expect("signature parses");
        assert_eq!(hex::encode(function.selector()), selector, "{signature}");
    }
    let portal = abi(Contract::OptimismPortal);
    let deposited = portal.events().find(|e| e.name == "TransactionDeposited").expect("TransactionDeposited");
    assert_eq!(
        hex::encode(deposited.selector()),
        "b3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32"
    );
}
