//! The `net_`, `web3_` and `personal_` method handlers: identity of the node, and message signing with
//! unlocked accounts.

use alloy_primitives::{Address, B256, Bytes, U64, keccak256};
use jsonrpsee::core::{RpcResult, async_trait};

use crate::{
    api::{NetApiServer, PersonalApiServer, Web3ApiServer},
    backend::EthBackend,
    context::RpcContext,
};

#[async_trait]
impl<B: EthBackend> NetApiServer for RpcContext<B> {
    async fn version(&self) -> RpcResult<String> {
        Ok(self.backend.chain_id().to_string())
    }

    async fn listening(&self) -> RpcResult<bool> {
        Ok(true)
    }

    async fn peer_count(&self) -> RpcResult<U64> {
        Ok(U64::ZERO)
    }
}

#[async_trait]
impl<B: EthBackend> Web3ApiServer for RpcContext<B> {
    async fn client_version(&self) -> RpcResult<String> {
        Ok(self.config.client_version.clone())
    }

    async fn sha3(&self, data: Bytes) -> RpcResult<B256> {
        Ok(keccak256(&data))
    }
}

#[async_trait]
impl<B: EthBackend> PersonalApiServer for RpcContext<B> {
    async fn sign(&self, message: Bytes, address: Address) -> RpcResult<Bytes> {
        self.blocking(move |backend| backend.sign_message(address, message)).await
    }
}
