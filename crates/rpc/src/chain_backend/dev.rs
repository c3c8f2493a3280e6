//! The dev methods: mining on request, snapshots, the dev clock, state edits and impersonation, through the
//! chain service.

use alloy_primitives::{Address, B256, Bytes, U256};
use superlink_node::MineRequest;

use super::{ChainBackend, chain_error, node_error};
use crate::backend::{BackendResult, DevControl};

impl DevControl for ChainBackend {
    fn mine(&self, request: MineRequest) -> BackendResult<()> {
        self.service.mine(request).map_err(node_error)
    }

    fn snapshot(&self) -> BackendResult<U256> {
        self.service.snapshot().map(U256::from).map_err(node_error)
    }

    fn revert_to_snapshot(&self, id: U256) -> BackendResult<bool> {
        let Ok(id) = u64::try_from(id) else { return Ok(false) };
        self.service.revert_to_snapshot(id).map_err(|e| chain_error(e, None))
    }

    fn increase_time(&self, seconds: u64) -> BackendResult<u64> {
        self.service.increase_time(seconds).map_err(node_error)
    }

    fn automine(&self) -> BackendResult<bool> {
        Ok(self.service.automine())
    }

    fn set_automine(&self, enabled: bool) -> BackendResult<()> {
        self.service.set_automine(enabled);
        Ok(())
    }

    fn set_next_block_timestamp(&self, timestamp: u64) -> BackendResult<()> {
        self.service.set_next_block_timestamp(timestamp).map_err(node_error)
    }

    fn set_balance(&self, address: Address, balance: U256) -> BackendResult<()> {
        self.prefetch(address, None)?;
        self.service.write().set_balance(address, balance);
        Ok(())
    }

    fn set_code(&self, address: Address, code: Bytes) -> BackendResult<()> {
        self.prefetch(address, None)?;
        self.service.write().set_code(address, code);
        Ok(())
    }

    fn set_storage_at(&self, address: Address, slot: B256, value: B256) -> BackendResult<()> {
        let slot = U256::from_be_bytes(slot.0);
        self.prefetch(address, Some(slot))?;
        self.service.write().set_storage(address, slot, U256::from_be_bytes(value.0));
        Ok(())
    }

    fn set_nonce(&self, address: Address, nonce: u64) -> BackendResult<()> {
        self.prefetch(address, None)?;
        self.service.write().set_nonce(address, nonce);
        Ok(())
    }

    fn impersonate_account(&self, address: Address) -> BackendResult<()> {
        self.service.write().impersonate(address);
        Ok(())
    }

    fn stop_impersonating_account(&self, address: Address) -> BackendResult<()> {
        self.service.write().stop_impersonating(address);
        Ok(())
    }
}

impl ChainBackend {
    /// Reads the account (and a slot) a developer edit changes before the edit takes the write lock: a forked
    /// chain reads what it does not hold yet from its remote, and an edit must keep the remote's other fields
    /// (an unreachable remote fails the edit here, with the reason).
    fn prefetch(&self, address: Address, slot: Option<U256>) -> BackendResult<()> {
        let chain = self.service.read();
        if !chain.is_forked() {
            return Ok(());
        }
        let latest = alloy_eips::BlockId::latest();
        chain.code(address, latest).map_err(|e| chain_error(e, None))?;
        if let Some(slot) = slot {
            chain.storage(address, slot, latest).map_err(|e| chain_error(e, None))?;
        }
        Ok(())
    }
}
