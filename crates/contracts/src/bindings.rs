//! `alloy_sol_types` bindings of every contract, generated at compile time from the committed artifacts.
//!
//! Each contract is a module named after it, holding one type per function call (`<name>Call`, with its
//! `<name>Return`), event, error and struct, the `<Contract>Calls`/`<Contract>Events`/`<Contract>Errors` enums that
//! decode any of them, and the `BYTECODE`/`DEPLOYED_BYTECODE` statics (creation and runtime code).
//! The Identifier struct of the interop messages is `CrossL2Inbox::Identifier` (and, with the same layout, in
//! every contract that takes one).

// The generated items carry the Solidity signatures as docs, but not every generated field and variant has one.
#![allow(missing_docs, clippy::too_many_arguments)]

use alloy_sol_types::sol;

sol!(
    #[derive(Debug, PartialEq, Eq)]
    CrossL2Inbox,
    "../../contracts/artifacts/CrossL2Inbox.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    L2ToL2CrossDomainMessenger,
    "../../contracts/artifacts/L2ToL2CrossDomainMessenger.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    SuperchainTokenBridge,
    "../../contracts/artifacts/SuperchainTokenBridge.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    SuperchainERC20,
    "../../contracts/artifacts/SuperchainERC20.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    TestSuperchainERC20,
    "../../contracts/artifacts/TestSuperchainERC20.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    SuperchainETHBridge,
    "../../contracts/artifacts/SuperchainETHBridge.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    ETHLiquidity,
    "../../contracts/artifacts/ETHLiquidity.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    L1Block,
    "../../contracts/artifacts/L1Block.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    L2ToL1MessagePasser,
    "../../contracts/artifacts/L2ToL1MessagePasser.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    CrossChainCounter,
    "../../contracts/artifacts/CrossChainCounter.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    MessageProbe,
    "../../contracts/artifacts/MessageProbe.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    DepositPortal,
    "../../contracts/artifacts/DepositPortal.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    OptimismPortal,
    "../../contracts/artifacts/OptimismPortal.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    L1CrossDomainMessenger,
    "../../contracts/artifacts/L1CrossDomainMessenger.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    L1StandardBridge,
    "../../contracts/artifacts/L1StandardBridge.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    DisputeGameFactory,
    "../../contracts/artifacts/DisputeGameFactory.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    OutputRootGame,
    "../../contracts/artifacts/OutputRootGame.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    BridgeForwarder,
    "../../contracts/artifacts/BridgeForwarder.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    L2CrossDomainMessenger,
    "../../contracts/artifacts/L2CrossDomainMessenger.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    L2StandardBridge,
    "../../contracts/artifacts/L2StandardBridge.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    OptimismMintableERC20Factory,
    "../../contracts/artifacts/OptimismMintableERC20Factory.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    OptimismMintableERC20,
    "../../contracts/artifacts/OptimismMintableERC20.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    L2NativeSuperchainERC20,
    "../../contracts/artifacts/L2NativeSuperchainERC20.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    MerkleTrieProbe,
    "../../contracts/artifacts/MerkleTrieProbe.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    SenderProbe,
    "../../contracts/artifacts/SenderProbe.json"
);
sol!(
    #[derive(Debug, PartialEq, Eq)]
    Multicall3,
    "../../contracts/artifacts/Multicall3.json"
);
