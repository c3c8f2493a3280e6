//! The dev method handlers (`evm_*`, `anvil_*`, `hardhat_*`): thin translations to the backend's dev
//! operations, answering as anvil answers.

use alloy_primitives::{Address, B256, Bytes, U64, U256};
use jsonrpsee::core::{RpcResult, async_trait};

use crate::{
    api::{DevApiServer, EvmMineParam},
    backend::{EthBackend, MineRequest},
    context::RpcContext,
};

/// The mine request `evm_mine` stands for.
pub fn evm_mine_request(param: Option<EvmMineParam>) -> MineRequest {
    match param {
        None => MineRequest { blocks: 1, timestamp: None, interval: None },
        Some(EvmMineParam::Timestamp(timestamp)) => {
            MineRequest { blocks: 1, timestamp: Some(timestamp.to()), interval: None }
        }
        Some(EvmMineParam::Options { timestamp, blocks }) => MineRequest {
            blocks: blocks.map_or(1, |b| b.to::<u64>().max(1)),
            timestamp: timestamp.map(|t| t.to()),
            interval: None,
        },
    }
}

#[async_trait]
impl<B: EthBackend> DevApiServer for RpcContext<B> {
    async fn evm_mine(&self, param: Option<EvmMineParam>) -> RpcResult<String> {
        let request = evm_mine_request(param);
        self.blocking(move |backend| backend.mine(request)).await?;
        Ok("0x0".to_string())
    }

    async fn anvil_mine(&self, blocks: Option<U64>, interval: Option<U64>) -> RpcResult<()> {
        let request = MineRequest {
            blocks: blocks.map_or(1, |b| b.to::<u64>().max(1)),
            timestamp: None,
            interval: interval.map(|i| i.to()),
        };
        self.blocking(move |backend| backend.mine(request)).await
    }

    async fn snapshot(&self) -> RpcResult<U256> {
        self.blocking(|backend| backend.snapshot()).await
    }

    async fn revert(&self, id: U256) -> RpcResult<bool> {
        self.blocking(move |backend| backend.revert_to_snapshot(id)).await
    }

    async fn increase_time(&self, seconds: U64) -> RpcResult<u64> {
        self.blocking(move |backend| backend.increase_time(seconds.to())).await
    }

    async fn set_automine(&self, enabled: bool) -> RpcResult<()> {
        self.blocking(move |backend| backend.set_automine(enabled)).await
    }

    async fn automine(&self) -> RpcResult<bool> {
        self.blocking(move |backend| backend.automine()).await
    }

    async fn set_next_block_timestamp(&self, timestamp: U64) -> RpcResult<()> {
        self.blocking(move |backend| backend.set_next_block_timestamp(timestamp.to())).await
    }

    async fn set_balance(&self, address: Address, balance: U256) -> RpcResult<()> {
        self.blocking(move |backend| backend.set_balance(address, balance)).await
    }

    async fn set_code(&self, address: Address, code: Bytes) -> RpcResult<()> {
        self.blocking(move |backend| backend.set_code(address, code)).await
    }

    async fn set_storage_at(&self, address: Address, slot: U256, value: B256) -> RpcResult<bool> {
        self.blocking(move |backend| backend.set_storage_at(address, B256::from(slot), value))
            .await
            .map(|()| true)
    }

    async fn set_nonce(&self, address: Address, nonce: U64) -> RpcResult<()> {
        self.blocking(move |backend| backend.set_nonce(address, nonce.to())).await
    }

    async fn impersonate_account(&self, address: Address) -> RpcResult<()> {
        self.blocking(move |backend| backend.impersonate_account(address)).await
    }

    async fn stop_impersonating_account(&self, address: Address) -> RpcResult<()> {
        self.blocking(move |backend| backend.stop_impersonating_account(address)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evm_mine_accepts_nothing_a_timestamp_or_options() {
        assert_eq!(evm_mine_request(None).blocks, 1);
        let param: EvmMineParam = serde_json::from_str("\"0x64\"").unwrap();
        assert_eq!(evm_mine_request(Some(param)).timestamp, Some(100));
        let param: EvmMineParam = serde_json::from_str(r#"{"timestamp": 7, "blocks": "0x3"}"#).unwrap();
        assert_eq!(
            evm_mine_request(Some(param)),
            MineRequest { blocks: 3, timestamp: Some(7), interval: None }
        );
    }
}
