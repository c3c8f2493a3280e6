//! The compiled contracts: ABI JSON, creation bytecode and runtime bytecode of each, embedded at compile time
//! from `contracts/artifacts` (written by `contracts/build.sh`, solc 0.8.30, EVM version prague).

use alloy_primitives::Bytes;

use crate::{addresses, bindings};

/// A contract whose artifact this crate embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Contract {
    /// The inbox that validates executing messages.
    CrossL2Inbox,
    /// The messenger between interop chains.
    L2ToL2CrossDomainMessenger,
    /// The bridge of SuperchainERC20 tokens.
    SuperchainTokenBridge,
    /// The abstract SuperchainERC20 token (ABI only: it has no bytecode of its own).
    SuperchainERC20,
    /// A freely mintable SuperchainERC20 for examples and tests.
    TestSuperchainERC20,
    /// The bridge of native ETH.
    SuperchainETHBridge,
    /// The ETH pool of the ETH bridge.
    EthLiquidity,
    /// The L1 attributes of the current block.
    L1Block,
    /// The withdrawal recorder.
    L2ToL1MessagePasser,
    /// The example app of cross-chain messaging.
    CrossChainCounter,
    /// A test target that records how a relayed message reached it.
    MessageProbe,
    /// The L1 entry point of deposits into one L2 (one portal per L2, see [`addresses::deposit_portal`]).
    DepositPortal,
    /// The L1 portal of one L2: deposits, and withdrawals proven against proposed output roots.
    OptimismPortal,
    /// The L1 messenger of one L2.
    L1CrossDomainMessenger,
    /// The L1 standard bridge of one L2.
    L1StandardBridge,
    /// The registry of one L2's proposed output roots on the L1.
    DisputeGameFactory,
    /// One proposed output root (created by the `DisputeGameFactory`).
    OutputRootGame,
    /// A second address of an L1 bridge contract, forwarding every call to it.
    BridgeForwarder,
    /// The L2 messenger towards the L1.
    L2CrossDomainMessenger,
    /// The L2 standard bridge.
    L2StandardBridge,
    /// The factory of L2 representations of L1 tokens.
    OptimismMintableERC20Factory,
    /// An L2 representation of an L1 token (created by the factory).
    OptimismMintableERC20,
    /// supersim's open-mint test token.
    L2NativeSuperchainERC20,
    /// A test wrapper of the Merkle-Patricia proof verifier.
    MerkleTrieProbe,
    /// A test target of L1 ↔ L2 messages that records the sender the messenger names.
    SenderProbe,
    /// Batched calls with the Multicall3 interface clients expect at its preinstall address.
    Multicall3,
}

impl Contract {
    /// Every embedded contract.
    pub const ALL: [Contract; 26] = [
        Contract::CrossL2Inbox,
        Contract::L2ToL2CrossDomainMessenger,
        Contract::SuperchainTokenBridge,
        Contract::SuperchainERC20,
        Contract::TestSuperchainERC20,
        Contract::SuperchainETHBridge,
        Contract::EthLiquidity,
        Contract::L1Block,
        Contract::L2ToL1MessagePasser,
        Contract::CrossChainCounter,
        Contract::MessageProbe,
        Contract::DepositPortal,
        Contract::OptimismPortal,
        Contract::L1CrossDomainMessenger,
        Contract::L1StandardBridge,
        Contract::DisputeGameFactory,
        Contract::OutputRootGame,
        Contract::BridgeForwarder,
        Contract::L2CrossDomainMessenger,
        Contract::L2StandardBridge,
        Contract::OptimismMintableERC20Factory,
        Contract::OptimismMintableERC20,
        Contract::L2NativeSuperchainERC20,
        Contract::MerkleTrieProbe,
        Contract::SenderProbe,
        Contract::Multicall3,
    ];

    /// The contract's Solidity name (also its artifact's file name, without `.json`).
    pub const fn name(self) -> &'static str {
        match self {
            Contract::CrossL2Inbox => "CrossL2Inbox",
            Contract::L2ToL2CrossDomainMessenger => "L2ToL2CrossDomainMessenger",
            Contract::SuperchainTokenBridge => "SuperchainTokenBridge",
            Contract::SuperchainERC20 => "SuperchainERC20",
            Contract::TestSuperchainERC20 => "TestSuperchainERC20",
            Contract::SuperchainETHBridge => "SuperchainETHBridge",
            Contract::EthLiquidity => "ETHLiquidity",
            Contract::L1Block => "L1Block",
            Contract::L2ToL1MessagePasser => "L2ToL1MessagePasser",
            Contract::CrossChainCounter => "CrossChainCounter",
            Contract::MessageProbe => "MessageProbe",
            Contract::DepositPortal => "DepositPortal",
            Contract::OptimismPortal => "OptimismPortal",
            Contract::L1CrossDomainMessenger => "L1CrossDomainMessenger",
            Contract::L1StandardBridge => "L1StandardBridge",
            Contract::DisputeGameFactory => "DisputeGameFactory",
            Contract::OutputRootGame => "OutputRootGame",
            Contract::BridgeForwarder => "BridgeForwarder",
            Contract::L2CrossDomainMessenger => "L2CrossDomainMessenger",
            Contract::L2StandardBridge => "L2StandardBridge",
            Contract::OptimismMintableERC20Factory => "OptimismMintableERC20Factory",
            Contract::OptimismMintableERC20 => "OptimismMintableERC20",
            Contract::L2NativeSuperchainERC20 => "L2NativeSuperchainERC20",
            Contract::MerkleTrieProbe => "MerkleTrieProbe",
            Contract::SenderProbe => "SenderProbe",
            Contract::Multicall3 => "Multicall3",
        }
    }

    /// The artifact as committed: a JSON object with `contractName`, `sourceName`, `abi`, `bytecode` and
    /// `deployedBytecode` (0x-hex).
    pub const fn artifact_json(self) -> &'static str {
        match self {
            Contract::CrossL2Inbox => include_str!("../../../contracts/artifacts/CrossL2Inbox.json"),
            Contract::L2ToL2CrossDomainMessenger => {
                include_str!("../../../contracts/artifacts/L2ToL2CrossDomainMessenger.json")
            }
            Contract::SuperchainTokenBridge => {
                include_str!("../../../contracts/artifacts/SuperchainTokenBridge.json")
            }
            Contract::SuperchainERC20 => include_str!("../../../contracts/artifacts/SuperchainERC20.json"),
            Contract::TestSuperchainERC20 => {
                include_str!("../../../contracts/artifacts/TestSuperchainERC20.json")
            }
            Contract::SuperchainETHBridge => {
                include_str!("../../../contracts/artifacts/SuperchainETHBridge.json")
            }
            Contract::EthLiquidity => include_str!("../../../contracts/artifacts/ETHLiquidity.json"),
            Contract::L1Block => include_str!("../../../contracts/artifacts/L1Block.json"),
            Contract::L2ToL1MessagePasser => {
                include_str!("../../../contracts/artifacts/L2ToL1MessagePasser.json")
            }
            Contract::CrossChainCounter => {
                include_str!("../../../contracts/artifacts/CrossChainCounter.json")
            }
            Contract::MessageProbe => include_str!("../../../contracts/artifacts/MessageProbe.json"),
            Contract::DepositPortal => include_str!("../../../contracts/artifacts/DepositPortal.json"),
            Contract::OptimismPortal => include_str!("../../../contracts/artifacts/OptimismPortal.json"),
            Contract::L1CrossDomainMessenger => {
                include_str!("../../../contracts/artifacts/L1CrossDomainMessenger.json")
            }
            Contract::L1StandardBridge => include_str!("../../../contracts/artifacts/L1StandardBridge.json"),
            Contract::DisputeGameFactory => {
                include_str!("../../../contracts/artifacts/DisputeGameFactory.json")
            }
            Contract::OutputRootGame => include_str!("../../../contracts/artifacts/OutputRootGame.json"),
            Contract::BridgeForwarder => include_str!("../../../contracts/artifacts/BridgeForwarder.json"),
            Contract::L2CrossDomainMessenger => {
                include_str!("../../../contracts/artifacts/L2CrossDomainMessenger.json")
            }
            Contract::L2StandardBridge => include_str!("../../../contracts/artifacts/L2StandardBridge.json"),
            Contract::OptimismMintableERC20Factory => {
                include_str!("../../../contracts/artifacts/OptimismMintableERC20Factory.json")
            }
            Contract::OptimismMintableERC20 => {
                include_str!("../../../contracts/artifacts/OptimismMintableERC20.json")
            }
            Contract::L2NativeSuperchainERC20 => {
                include_str!("../../../contracts/artifacts/L2NativeSuperchainERC20.json")
            }
            Contract::MerkleTrieProbe => include_str!("../../../contracts/artifacts/MerkleTrieProbe.json"),
            Contract::SenderProbe => include_str!("../../../contracts/artifacts/SenderProbe.json"),
            Contract::Multicall3 => include_str!("../../../contracts/artifacts/Multicall3.json"),
        }
    }

    /// The creation bytecode (constructor and runtime code); empty for the abstract `SuperchainERC20`.
    pub fn bytecode(self) -> Bytes {
        match self {
            Contract::CrossL2Inbox => bindings::CrossL2Inbox::BYTECODE.clone(),
            Contract::L2ToL2CrossDomainMessenger => bindings::L2ToL2CrossDomainMessenger::BYTECODE.clone(),
            Contract::SuperchainTokenBridge => bindings::SuperchainTokenBridge::BYTECODE.clone(),
            Contract::SuperchainERC20 => Bytes::new(),
            Contract::TestSuperchainERC20 => bindings::TestSuperchainERC20::BYTECODE.clone(),
            Contract::SuperchainETHBridge => bindings::SuperchainETHBridge::BYTECODE.clone(),
            Contract::EthLiquidity => bindings::ETHLiquidity::BYTECODE.clone(),
            Contract::L1Block => bindings::L1Block::BYTECODE.clone(),
            Contract::L2ToL1MessagePasser => bindings::L2ToL1MessagePasser::BYTECODE.clone(),
            Contract::CrossChainCounter => bindings::CrossChainCounter::BYTECODE.clone(),
            Contract::MessageProbe => bindings::MessageProbe::BYTECODE.clone(),
            Contract::DepositPortal => bindings::DepositPortal::BYTECODE.clone(),
            Contract::OptimismPortal => bindings::OptimismPortal::BYTECODE.clone(),
            Contract::L1CrossDomainMessenger => bindings::L1CrossDomainMessenger::BYTECODE.clone(),
            Contract::L1StandardBridge => bindings::L1StandardBridge::BYTECODE.clone(),
            Contract::DisputeGameFactory => bindings::DisputeGameFactory::BYTECODE.clone(),
            Contract::OutputRootGame => bindings::OutputRootGame::BYTECODE.clone(),
            Contract::BridgeForwarder => bindings::BridgeForwarder::BYTECODE.clone(),
            Contract::L2CrossDomainMessenger => bindings::L2CrossDomainMessenger::BYTECODE.clone(),
            Contract::L2StandardBridge => bindings::L2StandardBridge::BYTECODE.clone(),
            Contract::OptimismMintableERC20Factory => {
                bindings::OptimismMintableERC20Factory::BYTECODE.clone()
            }
            Contract::OptimismMintableERC20 => bindings::OptimismMintableERC20::BYTECODE.clone(),
            Contract::L2NativeSuperchainERC20 => bindings::L2NativeSuperchainERC20::BYTECODE.clone(),
            Contract::MerkleTrieProbe => bindings::MerkleTrieProbe::BYTECODE.clone(),
            Contract::SenderProbe => bindings::SenderProbe::BYTECODE.clone(),
            Contract::Multicall3 => bindings::Multicall3::BYTECODE.clone(),
        }
    }

    /// The runtime bytecode: what sits at the contract's address; empty for the abstract `SuperchainERC20`.
    pub fn deployed_bytecode(self) -> Bytes {
        match self {
            Contract::CrossL2Inbox => bindings::CrossL2Inbox::DEPLOYED_BYTECODE.clone(),
            Contract::L2ToL2CrossDomainMessenger => {
                bindings::L2ToL2CrossDomainMessenger::DEPLOYED_BYTECODE.clone()
            }
            Contract::SuperchainTokenBridge => bindings::SuperchainTokenBridge::DEPLOYED_BYTECODE.clone(),
            Contract::SuperchainERC20 => Bytes::new(),
            Contract::TestSuperchainERC20 => bindings::TestSuperchainERC20::DEPLOYED_BYTECODE.clone(),
            Contract::SuperchainETHBridge => bindings::SuperchainETHBridge::DEPLOYED_BYTECODE.clone(),
            Contract::EthLiquidity => bindings::ETHLiquidity::DEPLOYED_BYTECODE.clone(),
            Contract::L1Block => bindings::L1Block::DEPLOYED_BYTECODE.clone(),
            Contract::L2ToL1MessagePasser => bindings::L2ToL1MessagePasser::DEPLOYED_BYTECODE.clone(),
            Contract::CrossChainCounter => bindings::CrossChainCounter::DEPLOYED_BYTECODE.clone(),
            Contract::MessageProbe => bindings::MessageProbe::DEPLOYED_BYTECODE.clone(),
            Contract::DepositPortal => bindings::DepositPortal::DEPLOYED_BYTECODE.clone(),
            Contract::OptimismPortal => bindings::OptimismPortal::DEPLOYED_BYTECODE.clone(),
            Contract::L1CrossDomainMessenger => bindings::L1CrossDomainMessenger::DEPLOYED_BYTECODE.clone(),
            Contract::L1StandardBridge => bindings::L1StandardBridge::DEPLOYED_BYTECODE.clone(),
            Contract::DisputeGameFactory => bindings::DisputeGameFactory::DEPLOYED_BYTECODE.clone(),
            Contract::OutputRootGame => bindings::OutputRootGame::DEPLOYED_BYTECODE.clone(),
            Contract::BridgeForwarder => bindings::BridgeForwarder::DEPLOYED_BYTECODE.clone(),
            Contract::L2CrossDomainMessenger => bindings::L2CrossDomainMessenger::DEPLOYED_BYTECODE.clone(),
            Contract::L2StandardBridge => bindings::L2StandardBridge::DEPLOYED_BYTECODE.clone(),
            Contract::OptimismMintableERC20Factory => {
                bindings::OptimismMintableERC20Factory::DEPLOYED_BYTECODE.clone()
            }
            Contract::OptimismMintableERC20 => bindings::OptimismMintableERC20::DEPLOYED_BYTECODE.clone(),
            Contract::L2NativeSuperchainERC20 => bindings::L2NativeSuperchainERC20::DEPLOYED_BYTECODE.clone(),
            Contract::MerkleTrieProbe => bindings::MerkleTrieProbe::DEPLOYED_BYTECODE.clone(),
            Contract::SenderProbe => bindings::SenderProbe::DEPLOYED_BYTECODE.clone(),
            Contract::Multicall3 => bindings::Multicall3::DEPLOYED_BYTECODE.clone(),
        }
    }

    /// The fixed address the genesis places this contract at, for the predeploys and example apps; `None` for
    /// contracts that are deployed by other means (the abstract token and the test probe) and for the L1 deposit
    /// portal, which has one address per L2 ([`addresses::deposit_portal`]), and for the bridge contracts and the
    /// supersim test token, which [`crate::genesis`] places with their chain-specific storage.
    pub const fn genesis_address(self) -> Option<alloy_primitives::Address> {
        match self {
            Contract::CrossL2Inbox => Some(addresses::CROSS_L2_INBOX),
            Contract::L2ToL2CrossDomainMessenger => Some(addresses::L2_TO_L2_CROSS_DOMAIN_MESSENGER),
            Contract::SuperchainTokenBridge => Some(addresses::SUPERCHAIN_TOKEN_BRIDGE),
            Contract::SuperchainERC20 | Contract::MessageProbe | Contract::DepositPortal => None,
            // The bridge contracts have chain-specific addresses and storage: `genesis::bridge_l1_allocs`,
            // `genesis::bridge_l2_allocs` and `genesis::test_token_allocs` place them.
            Contract::OptimismPortal
            | Contract::L1CrossDomainMessenger
            | Contract::L1StandardBridge
            | Contract::DisputeGameFactory
            | Contract::OutputRootGame
            | Contract::BridgeForwarder
            | Contract::L2CrossDomainMessenger
            | Contract::L2StandardBridge
            | Contract::OptimismMintableERC20Factory
            | Contract::OptimismMintableERC20
            | Contract::L2NativeSuperchainERC20
            | Contract::MerkleTrieProbe
            | Contract::SenderProbe
            | Contract::Multicall3 => None,
            Contract::TestSuperchainERC20 => Some(addresses::TEST_SUPERCHAIN_ERC20),
            Contract::SuperchainETHBridge => Some(addresses::SUPERCHAIN_ETH_BRIDGE),
            Contract::EthLiquidity => Some(addresses::ETH_LIQUIDITY),
            Contract::L1Block => Some(addresses::L1_BLOCK),
            Contract::L2ToL1MessagePasser => Some(addresses::L2_TO_L1_MESSAGE_PASSER),
            Contract::CrossChainCounter => Some(addresses::CROSS_CHAIN_COUNTER),
        }
    }
}

impl std::fmt::Display for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
