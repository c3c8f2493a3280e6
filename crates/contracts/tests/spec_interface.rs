//! Every predeploy presents the interface of the specification, so that tools compiled against the OP Stack's
//! ABIs work with ours: each function selector, event topic (with the same indexed parameters) and error selector
//! the specification names is in the committed ABI artifact, payable exactly where the specification says so, and
//! the artifact has nothing beyond it except the items of an explicit allow-list.
//!
//! The interfaces are written down below as Solidity signatures, quoted from the specification text (`specs/` of
//! the OP Stack specs: `interop/predeploys.md`, `interop/superchain-eth-bridge.md`, `interop/eth-liquidity.md`,
//! `interop/token-bridging.md`, `protocol/withdrawals.md` and the `l1-attributes.md` of Ecotone, Isthmus and
//! Jovian). Where the specification names a function or error without spelling out its signature, or its
//! interface leaves an item to the reference contracts (`version()`, the errors), the signature is the one of the
//! reference interfaces of the OP Stack contracts, in a list of its own. The README lists every deliberate
//! difference.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::BTreeMap;

use alloy_json_abi::{Error, Event, Function, JsonAbi, StateMutability};
use alloy_primitives::{B256, Selector};
use superlink_contracts::Contract;

/// The `Identifier` struct of interop messages, as its ABI tuple (origin, blockNumber, logIndex, timestamp,
/// chainId).
const IDENTIFIER_TUPLE: &str = "(address,uint256,uint256,uint256,uint256)";

/// The interface one predeploy must present.
struct Interface {
    /// The contract whose artifact is compared.
    contract: Contract,
    /// Signatures quoted from the specification text.
    spec: &'static [&'static str],
    /// Signatures the specification leaves to the reference interfaces: required all the same.
    reference: &'static [&'static str],
    /// Items of the specification this predeploy deliberately does not provide, each with the reason (also in
    /// the README). The test checks that they are indeed absent, so that this list stays true.
    not_provided: &'static [(&'static str, &'static str)],
    /// Allow-list of items of ours that neither the specification nor the reference interfaces have, each with
    /// the reason (also in the README). Anything else beyond the interface fails the test.
    extra: &'static [(&'static str, &'static str)],
}

fn interfaces() -> Vec<Interface> {
    vec![
        Interface {
            contract: Contract::CrossL2Inbox,
            // interop/predeploys.md, "validateMessage" and "`ExecutingMessage` Event".
            spec: &[
                "function validateMessage(Identifier calldata _id, bytes32 _msgHash)",
                "event ExecutingMessage(bytes32 indexed msgHash, Identifier identifier)",
            ],
            // The specification names `calculateChecksum` ("implements the checksum computation") without its
            // signature; the errors and `version()` are the reference interface's.
            reference: &[
                "function calculateChecksum(Identifier memory _id, bytes32 _msgHash) pure returns (bytes32 checksum_)",
                "function version() view returns (string)",
                "error NotInAccessList()",
                "error BlockNumberTooHigh()",
                "error TimestampTooHigh()",
                "error LogIndexTooHigh()",
            ],
            not_provided: &[(
                "error NonDeclaredExecutingMessage()",
                "the name used by the specification's pseudo-code for an undeclared message; the reference \
                 contract, and so every ABI compiled against it, names it NotInAccessList()",
            )],
            extra: &[],
        },
        Interface {
            contract: Contract::L2ToL2CrossDomainMessenger,
            // interop/predeploys.md, "L2ToL2CrossDomainMessenger": "Message Versioning", "Sending Messages",
            // "Re-sending Messages", "Relaying Messages".
            spec: &[
                "function messageNonce() public view returns (uint256)",
                "function sendMessage(uint256 _destination, address _target, bytes calldata _message) external \
                 returns (bytes32)",
                "event SentMessage(uint256 indexed destination, address indexed target, uint256 indexed \
                 messageNonce, address sender, bytes message)",
                "function resendMessage(uint256 _destination, uint256 _nonce, address _sender, address _target, \
                 bytes calldata _message) external",
                "function relayMessage(Identifier calldata _id, bytes calldata _sentMessage) external payable \
                 returns (bytes memory returnData_)",
                "event RelayedMessage(uint256 indexed source, uint256 indexed messageNonce, bytes32 indexed \
                 messageHash, bytes32 returnDataHash)",
            ],
            // The specification asks for the `successfulMessages` and `sentMessages` mappings and for public
            // getters of the sender and source without naming their signatures.
            reference: &[
                "function successfulMessages(bytes32) view returns (bool)",
                "function sentMessages(uint256) view returns (bytes32)",
                "function crossDomainMessageSender() view returns (address sender_)",
                "function crossDomainMessageSource() view returns (uint256 source_)",
                "function crossDomainMessageContext() view returns (address sender_, uint256 source_)",
                "function messageVersion() view returns (uint16)",
                "function version() view returns (string)",
                "error NotEntered()",
                "error IdOriginNotL2ToL2CrossDomainMessenger()",
                "error EventPayloadNotSentMessage()",
                "error MessageDestinationSameChain()",
                "error MessageDestinationNotRelayChain()",
                "error MessageTargetL2ToL2CrossDomainMessenger()",
                "error MessageAlreadyRelayed()",
                "error ReentrantCall()",
                "error InvalidMessage()",
            ],
            not_provided: &[],
            extra: &[],
        },
        Interface {
            contract: Contract::SuperchainETHBridge,
            // interop/superchain-eth-bridge.md, "Function Specification" and "Events".
            spec: &[
                "function sendETH(address _to, uint256 _chainId) external payable returns (bytes32 msgHash_)",
                "function relayETH(address _from, address _to, uint256 _amount) external",
                "event SendETH(address indexed from, address indexed to, uint256 amount, uint256 destination)",
                "event RelayETH(address indexed from, address indexed to, uint256 amount, uint256 source)",
            ],
            reference: &[
                "function version() view returns (string)",
                "error ZeroAddress()",
                "error Unauthorized()",
                "error InvalidCrossDomainSender()",
            ],
            not_provided: &[],
            extra: &[],
        },
        Interface {
            contract: Contract::EthLiquidity,
            // interop/eth-liquidity.md, "Function Specification" and "Events".
            spec: &[
                "function mint(uint256 _amount) external",
                "function burn() external payable",
                "event LiquidityMinted(address indexed caller, uint256 value)",
                "event LiquidityBurned(address indexed caller, uint256 value)",
            ],
            reference: &["function version() view returns (string)", "error Unauthorized()"],
            not_provided: &[],
            extra: &[],
        },
        Interface {
            contract: Contract::SuperchainTokenBridge,
            // interop/predeploys.md, "SuperchainTokenBridge": "Functions" and "Events".
            spec: &[
                "function sendERC20(address _tokenAddress, address _to, uint256 _amount, uint256 _chainId) \
                 returns (bytes32 msgHash_)",
                "function relayERC20(address _tokenAddress, address _from, address _to, uint256 _amount)",
                "event SentERC20(address indexed tokenAddress, address indexed from, address indexed to, uint256 \
                 amount, uint256 destination)",
                "event RelayedERC20(address indexed tokenAddress, address indexed from, address indexed to, \
                 uint256 amount, uint256 source)",
            ],
            reference: &[
                "function version() view returns (string)",
                "error ZeroAddress()",
                "error Unauthorized()",
                "error InvalidCrossDomainSender()",
                "error InvalidERC7802()",
            ],
            not_provided: &[],
            extra: &[],
        },
        Interface {
            contract: Contract::SuperchainERC20,
            // interop/token-bridging.md, "`IERC7802`", and the ERC-20 interface the standard implements
            // (property 1; `name`, `symbol` and `decimals` are ERC-20's optional getters).
            spec: &[
                "function crosschainMint(address _account, uint256 _amount)",
                "function crosschainBurn(address _account, uint256 _amount)",
                "event CrosschainMint(address indexed _to, uint256 _amount, address indexed _sender)",
                "event CrosschainBurn(address indexed _from, uint256 _amount, address indexed _sender)",
                "function name() view returns (string)",
                "function symbol() view returns (string)",
                "function decimals() view returns (uint8)",
                "function totalSupply() view returns (uint256)",
                "function balanceOf(address _owner) view returns (uint256 balance)",
                "function transfer(address _to, uint256 _value) returns (bool success)",
                "function transferFrom(address _from, address _to, uint256 _value) returns (bool success)",
                "function approve(address _spender, uint256 _value) returns (bool success)",
                "function allowance(address _owner, address _spender) view returns (uint256 remaining)",
                "event Transfer(address indexed _from, address indexed _to, uint256 _value)",
                "event Approval(address indexed _owner, address indexed _spender, uint256 _value)",
            ],
            // ERC-7802 extends ERC-165; the errors are those of the reference token.
            reference: &[
                "function supportsInterface(bytes4 _interfaceId) view returns (bool)",
                "function version() view returns (string)",
                "error Unauthorized()",
                "error InsufficientBalance()",
                "error InsufficientAllowance()",
            ],
            not_provided: &[],
            extra: &[],
        },
        Interface {
            contract: Contract::L1Block,
            // protocol/ecotone/l1-attributes.md ("L1 Attributes Predeployed Contract": the stored values, and
            // `l1FeeOverhead`/`l1FeeScalar` that "can continue to be accessed"), isthmus/l1-attributes.md and
            // jovian/l1-attributes.md (the setters and the operator-fee and DA-footprint values).
            spec: &[
                "function setL1BlockValuesEcotone()",
                "function setL1BlockValuesIsthmus()",
                "function setL1BlockValuesJovian()",
                "function number() view returns (uint64)",
                "function timestamp() view returns (uint64)",
                "function basefee() view returns (uint256)",
                "function hash() view returns (bytes32)",
                "function blobBaseFee() view returns (uint256)",
                "function sequenceNumber() view returns (uint64)",
                "function batcherHash() view returns (bytes32)",
                "function baseFeeScalar() view returns (uint32)",
                "function blobBaseFeeScalar() view returns (uint32)",
                "function l1FeeOverhead() view returns (uint256)",
                "function l1FeeScalar() view returns (uint256)",
                "function operatorFeeScalar() view returns (uint32)",
                "function operatorFeeConstant() view returns (uint64)",
                "function daFootprintGasScalar() view returns (uint16)",
            ],
            reference: &[
                "function DEPOSITOR_ACCOUNT() pure returns (address)",
                "function version() view returns (string)",
                "error NotDepositor()",
            ],
            not_provided: &[
                (
                    "function setL1BlockValues(uint64 _number, uint64 _timestamp, uint256 _basefee, bytes32 _hash, \
                     uint64 _sequenceNumber, bytes32 _batcherHash, uint256 _l1FeeOverhead, uint256 _l1FeeScalar)",
                    "the pre-Ecotone setter, which \"MUST never be called\" after Ecotone: superlink's chains run \
                     Isthmus from genesis",
                ),
                (
                    "function setIsthmus()",
                    "isthmus/predeploys.md: copies network-specific configuration into storage once on the \
                     activation block; superlink's chains activate Isthmus at genesis and have no such \
                     configuration",
                ),
            ],
            extra: &[],
        },
        Interface {
            contract: Contract::L2ToL1MessagePasser,
            // protocol/withdrawals.md, "The L2ToL1MessagePasser Contract" (its interface block, with the
            // visibility written before the mutability).
            spec: &[
                "event MessagePassed(uint256 indexed nonce, address indexed sender, address indexed target, \
                 uint256 value, uint256 gasLimit, bytes data, bytes32 withdrawalHash)",
                "event WithdrawerBalanceBurnt(uint256 indexed amount)",
                "function burn() external",
                "function initiateWithdrawal(address _target, uint256 _gasLimit, bytes memory _data) external \
                 payable",
                "function messageNonce() public view returns (uint256)",
                "function sentMessages(bytes32) external view returns (bool)",
            ],
            reference: &[
                "function MESSAGE_VERSION() view returns (uint16)",
                "function version() view returns (string)",
            ],
            not_provided: &[],
            extra: &[],
        },
    ]
}

/// What identifies an ABI item on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// A function, by selector.
    Function(Selector),
    /// An event, by topic 0 and which of its parameters are indexed.
    Event(B256, u64),
    /// An error, by selector.
    Error(Selector),
}

/// One ABI item: its key, its readable signature and, for functions, whether it accepts ETH.
#[derive(Debug, Clone)]
struct Item {
    key: Key,
    signature: String,
    payable: bool,
}

fn indexed_mask(event: &Event) -> u64 {
    event.inputs.iter().enumerate().filter(|(_, p)| p.indexed).map(|(i, _)| 1u64 << i).sum()
}

fn function_item(function: &Function) -> Item {
    Item {
        key: Key::Function(function.selector()),
        signature: format!("function {}", function.signature()),
        payable: function.state_mutability == StateMutability::Payable,
    }
}

fn event_item(event: &Event) -> Item {
    Item {
        key: Key::Event(event.selector(), indexed_mask(event)),
        signature: format!("event {} (indexed mask {:#b})", event.signature(), indexed_mask(event)),
        payable: false,
    }
}

fn error_item(error: &Error) -> Item {
    Item {
        key: Key::Error(error.selector()),
        signature: format!("error {}", error.signature()),
        payable: false,
    }
}

/// Parses one Solidity signature as written in the specification, with `Identifier` standing for its tuple.
fn parse(signature: &str) -> Item {
    let text = signature.replace("Identifier", IDENTIFIER_TUPLE);
    let text = text.trim_end_matches(';');
    if let Some(rest) = text.strip_prefix("function ") {
        function_item(&Function::parse(rest).unwrap_or_else(|e| panic!("{signature}: {e}")))
    } else if let Some(rest) = text.strip_prefix("event ") {
        event_item(&Event::parse(rest).unwrap_or_else(|e| panic!("{signature}: {e}")))
    } else if let Some(rest) = text.strip_prefix("error ") {
        error_item(&Error::parse(rest).unwrap_or_else(|e| panic!("{signature}: {e}")))
    } else {
        panic!("not a function, event or error: {signature}")
    }
}

/// Every function, event and error of the committed ABI artifact of `contract`.
fn artifact_items(contract: Contract) -> BTreeMap<Key, Item> {
    let artifact: serde_json::Value =
        serde_json::from_str(contract.artifact_json()).expect("artifact is JSON");
    let abi: JsonAbi = serde_json::from_value(artifact["abi"].clone()).expect("artifact has an ABI");
    let functions = abi.functions().map(function_item);
    let events = abi.events().map(event_item);
    let errors = abi.errors().map(error_item);
    functions.chain(events).chain(errors).map(|item| (item.key, item)).collect()
}

#[test]
fn every_predeploy_presents_the_interface_of_the_specification() {
    let mut problems = Vec::new();
    for interface in interfaces() {
        let name = interface.contract.name();
        let mut ours = artifact_items(interface.contract);
        assert!(!ours.is_empty(), "{name}: the artifact has no ABI items");
        for signature in interface.spec.iter().chain(interface.reference) {
            let wanted = parse(signature);
            match ours.remove(&wanted.key) {
                None => problems.push(format!("{name}: missing {}", wanted.signature)),
                Some(found) if found.payable != wanted.payable => problems.push(format!(
                    "{name}: {} is {}payable, the specification says {}payable",
                    found.signature,
                    if found.payable { "" } else { "not " },
                    if wanted.payable { "" } else { "not " },
                )),
                Some(_) => {}
            }
        }
        for (signature, _why) in interface.not_provided {
            let absent = parse(signature);
            if ours.contains_key(&absent.key) {
                problems.push(format!("{name}: {} is listed as not provided, but it is", absent.signature));
            }
        }
        for (signature, _why) in interface.extra {
            let allowed = parse(signature);
            if ours.remove(&allowed.key).is_none() {
                problems.push(format!("{name}: allow-listed {} is not in the ABI", allowed.signature));
            }
        }
        for item in ours.values() {
            problems
                .push(format!("{name}: {} is neither in the specification nor allow-listed", item.signature));
        }
    }
    assert!(problems.is_empty(), "interface differences:\n{}", problems.join("\n"));
}

/// A few keys checked against their well-known published values, so that the comparison above cannot pass by
/// computing both sides wrong in the same way.
#[test]
fn the_signatures_give_the_published_selectors() {
    let cases: [(&str, &str); 6] = [
        ("function validateMessage(Identifier calldata _id, bytes32 _msgHash)", "ab4d6f75"),
        ("function sendMessage(uint256 _destination, address _target, bytes calldata _message)", "7056f41f"),
        ("function relayMessage(Identifier calldata _id, bytes calldata _sentMessage)", "8d1d298f"),
        (
            "function resendMessage(uint256 _destination, uint256 _nonce, address _sender, address _target, \
             bytes calldata _message)",
            "6b0c3c5e",
        ),
        ("function sendERC20(address, address, uint256, uint256)", "c1a433d8"),
        ("function sendETH(address _to, uint256 _chainId)", "64a197f3"),
    ];
    for (signature, selector) in cases {
        let Key::Function(found) = parse(signature).key else { panic!("{signature} is a function") };
        assert_eq!(alloy_primitives::hex::encode(found), selector, "{signature}");
    }
}
