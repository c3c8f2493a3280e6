//! Helpers for the black-box tests: a raw HTTP JSON-RPC client (so tests read the exact JSON a client
//! receives) and transaction signing with the well-known dev keys.

#![allow(dead_code)]

use std::net::SocketAddr;

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_eips::Encodable2718;
use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use op_alloy_consensus::OpTxEnvelope;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The first of the well-known dev keys (anvil/hardhat).
pub const DEV_KEY_0: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
/// The second well-known dev key.
pub const DEV_KEY_1: &str = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/// A signer for a dev key.
pub fn signer(key: &str) -> PrivateKeySigner {
    key.parse().unwrap()
}

/// An HTTP response: status, headers (lower-cased names), body.
#[derive(Debug)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpReply {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Sends one raw HTTP request.
pub async fn http(addr: SocketAddr, method: &str, body: &str, extra_headers: &[(&str, &str)]) -> HttpReply {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = format!(
        "{method} / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra_headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    HttpReply { status, headers, body: body.to_string() }
}

/// Posts a raw body and returns the parsed JSON reply.
pub async fn post_raw(addr: SocketAddr, body: &str) -> Value {
    http(addr, "POST", body, &[]).await.json()
}

/// Calls `method` with `params`; the whole JSON-RPC response object.
pub async fn call(addr: SocketAddr, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    post_raw(addr, &body).await
}

/// Calls `method` and returns its `result`, failing the test on an error.
pub async fn result(addr: SocketAddr, method: &str, params: Value) -> Value {
    let reply = call(addr, method, params).await;
    assert!(reply.get("error").is_none(), "{method} failed: {reply}");
    reply["result"].clone()
}

/// Calls `method` and returns its `error` object, failing the test on success.
pub async fn error(addr: SocketAddr, method: &str, params: Value) -> Value {
    let reply = call(addr, method, params).await;
    assert!(reply.get("error").is_some(), "{method} unexpectedly succeeded: {reply}");
    reply["error"].clone()
}

/// A hex quantity as u128.
pub fn quantity(value: &Value) -> u128 {
    let text = value.as_str().unwrap_or_else(|| panic!("not a hex string: {value}"));
    u128::from_str_radix(text.trim_start_matches("0x"), 16).unwrap()
}

/// A hex quantity as U256.
pub fn quantity256(value: &Value) -> U256 {
    value.as_str().unwrap().parse().unwrap()
}

/// Fields of an EIP-1559 transfer/call.
#[derive(Debug, Clone)]
pub struct TxFields {
    pub chain_id: u64,
    pub nonce: u64,
    pub to: Option<Address>,
    pub value: U256,
    pub input: Bytes,
    pub gas_limit: u64,
    pub max_fee_per_gas: u128,
    pub max_priority_fee_per_gas: u128,
}

impl TxFields {
    /// A call with ample gas and fees.
    pub fn call(chain_id: u64, nonce: u64, to: Address, input: Bytes) -> Self {
        TxFields {
            chain_id,
            nonce,
            to: Some(to),
            value: U256::ZERO,
            input,
            gas_limit: 200_000,
            max_fee_per_gas: 10_000_000_000,
            max_priority_fee_per_gas: 1_000_000_000,
        }
    }
}

/// Signs an EIP-1559 transaction; its EIP-2718 bytes.
pub fn sign(key: &str, fields: TxFields) -> Bytes {
    let tx = TxEip1559 {
        chain_id: fields.chain_id,
        nonce: fields.nonce,
        gas_limit: fields.gas_limit,
        max_fee_per_gas: fields.max_fee_per_gas,
        max_priority_fee_per_gas: fields.max_priority_fee_per_gas,
        to: fields.to.map_or(TxKind::Create, TxKind::Call),
        value: fields.value,
        access_list: Default::default(),
        input: fields.input,
    };
    let signature = signer(key).sign_hash_sync(&tx.signature_hash()).unwrap();
    Bytes::from(OpTxEnvelope::Eip1559(tx.into_signed(signature)).encoded_2718())
}
