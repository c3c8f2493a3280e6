//! A JSON-RPC fuzzer for black-box robustness tests and long campaigns.
//!
//! It sends a server random and malformed requests over plain HTTP/1.1 (so it can also send what no JSON-RPC
//! client would: broken JSON, invalid UTF-8, deep nesting, oversized bodies), single and in batches, and checks
//! after every request that the server answered in time with a well-formed JSON-RPC response (or refused the
//! body with an HTTP 4xx status), and every few requests that it still answers a liveness request correctly.
//! Cases come from a seeded generator, so a failing case can be replayed from its seed and number.

use std::{
    collections::BTreeMap,
    fmt,
    io::{Read, Write},
    net::{SocketAddr, TcpStream},
    time::{Duration, Instant},
};

use serde_json::{Map, Value, json};

/// A small, seeded pseudo-random generator (SplitMix64): reproducible campaigns without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }

    /// True with probability `percent`/100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn hex(&mut self, bytes: usize) -> String {
        let mut out = String::with_capacity(2 + bytes * 2);
        out.push_str("0x");
        for _ in 0..bytes {
            out.push_str(&format!("{:02x}", self.next_u64() as u8));
        }
        out
    }
}

/// One method of the surface under test, with example parameter lists that a correct client would send.
#[derive(Debug, Clone)]
pub struct Method {
    /// The method name.
    pub name: &'static str,
    /// Well-formed parameter lists (each a JSON array); the fuzzer sends them as they are and mutated.
    pub examples: Vec<Value>,
}

impl Method {
    /// A method with example parameter lists.
    pub fn new(name: &'static str, examples: Vec<Value>) -> Self {
        Self { name, examples }
    }
}

/// What a campaign sends and how long it may take.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// The seed of the case generator.
    pub seed: u64,
    /// How many cases at most.
    pub cases: u64,
    /// How long the campaign may run at most (it stops after the case in flight).
    pub max_duration: Duration,
    /// How long one request may take before the server counts as hung.
    pub request_timeout: Duration,
    /// A liveness request sent every `liveness_every` cases, and the result it must return.
    pub liveness: (Value, Value),
    /// How often the liveness request is sent.
    pub liveness_every: u64,
    /// One case in this many sends a body over `oversized_bytes` (0: never).
    pub oversized_one_in: u64,
    /// The size of an oversized body.
    pub oversized_bytes: usize,
    /// Whether a failed case is recorded and the campaign goes on (while the liveness request succeeds).
    pub keep_going: bool,
}

/// What a campaign did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Cases sent.
    pub cases: u64,
    /// Single requests among them.
    pub single: u64,
    /// Batches among them, and the requests they held.
    pub batches: u64,
    /// Requests inside batches.
    pub batched_requests: u64,
    /// Malformed bodies (broken JSON, invalid UTF-8, deep nesting, wrong shapes).
    pub malformed: u64,
    /// Oversized bodies.
    pub oversized: u64,
    /// Answers by JSON-RPC error code (`0`: a result), counted per request.
    pub outcomes: BTreeMap<i64, u64>,
    /// Answers by HTTP status other than 200.
    pub http_statuses: BTreeMap<u16, u64>,
    /// Malformed bodies answered with an empty or `null` body.
    pub unanswered: u64,
    /// The slowest answer.
    pub slowest: Duration,
    /// How long the campaign ran.
    pub elapsed: Duration,
    /// The failed cases, when the campaign keeps going after one.
    pub failures: Vec<Failure>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} cases in {:.1} s ({} single, {} batches of {} requests, {} malformed, {} oversized); slowest answer \
             {} ms; JSON-RPC outcomes {:?}; HTTP statuses {:?}; {} malformed bodies left unanswered",
            self.cases,
            self.elapsed.as_secs_f64(),
            self.single,
            self.batches,
            self.batched_requests,
            self.malformed,
            self.oversized,
            self.slowest.as_millis(),
            self.outcomes,
            self.http_statuses,
            self.unanswered
        )?;
        for failure in &self.failures {
            write!(f, "\n  failed: {failure}")?;
        }
        Ok(())
    }
}

/// Why a campaign failed: the case, and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The case number (replay with the same seed).
    pub case: u64,
    /// What was sent (cut to 300 characters).
    pub sent: String,
    /// What went wrong.
    pub problem: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "case {}: {} (sent {})", self.case, self.problem, self.sent)
    }
}

impl std::error::Error for Failure {}

/// An HTTP answer: status and body.
#[derive(Debug, Clone)]
struct HttpAnswer {
    status: u16,
    body: Vec<u8>,
}

/// Posts `body` to `addr` as HTTP/1.1 with `Connection: close` and reads the whole answer.
fn post(addr: SocketAddr, body: &[u8], timeout: Duration) -> Result<HttpAnswer, String> {
    let mut stream = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    let write = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body));
    let mut raw = Vec::new();
    let read = stream.read_to_end(&mut raw);
    if let Err(e) = &read {
        if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) {
            return Err(format!("no answer within {} ms", timeout.as_millis()));
        }
        if raw.is_empty() {
            return Err(format!("read: {e} (write: {write:?})"));
        }
    }
    if raw.is_empty() {
        return Err(format!("connection closed without an answer (write: {write:?})"));
    }
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("answer without a header end")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status line in {head:?}"))?;
    let mut body = raw[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body)?;
    }
    Ok(HttpAnswer { status, body })
}

/// Sends one JSON-RPC request over a fresh connection and returns the parsed answer.
pub fn call(addr: SocketAddr, request: &Value, timeout: Duration) -> Result<Value, String> {
    let answer = post(addr, request.to_string().as_bytes(), timeout)?;
    serde_json::from_slice(&answer.body)
        .map_err(|e| format!("HTTP {}: answer is not JSON: {e}", answer.status))
}

/// Decodes a chunked HTTP body.
fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").ok_or("chunk size line missing")?;
        let size_text = String::from_utf8_lossy(&raw[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| format!("chunk size {size_text:?}: {e}"))?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        let chunk = raw.get(..size).ok_or("chunk shorter than its size")?;
        out.extend_from_slice(chunk);
        raw = raw.get(size + 2..).ok_or("chunk not terminated")?;
    }
}

/// Checks one JSON-RPC response object and counts its outcome.
fn check_response(value: &Value, outcomes: &mut BTreeMap<i64, u64>) -> Result<(), String> {
    let object = value.as_object().ok_or_else(|| format!("response is not an object: {value}"))?;
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        return Err(format!("response without jsonrpc 2.0: {value}"));
    }
    match (object.get("result"), object.get("error")) {
        (Some(_), None) => *outcomes.entry(0).or_default() += 1,
        (None, Some(error)) => {
            let code = error
                .get("code")
                .and_then(Value::as_i64)
                .ok_or_else(|| format!("error without code: {value}"))?;
            if !error.get("message").is_some_and(Value::is_string) {
                return Err(format!("error without message: {value}"));
            }
            if code == -32603 && error.to_string().contains("panic") {
                return Err(format!("the server reports a panic: {value}"));
            }
            *outcomes.entry(code).or_default() += 1;
        }
        _ => return Err(format!("response with neither or both of result and error: {value}")),
    }
    Ok(())
}

/// Values that tend to find edge cases: tags, boundary numbers, malformed and huge hex strings.
fn interesting_string(rng: &mut Rng) -> String {
    match rng.below(16) {
        0 => String::new(),
        1 => rng
            .pick(&["latest", "pending", "earliest", "safe", "finalized", "unsafe", "cross-unsafe"])
            .to_string(),
        2 => rng.pick(&["0x", "0x0", "0x1", "0x00", "0x7fffffffffffffff", "0xffffffffffffffff"]).to_string(),
        3 => "0x10000000000000000".into(),
        4 => format!("0x{}", "f".repeat(64)),
        5 => format!("0x{}", "f".repeat(65 + rng.below(60))),
        6 => rng.hex(20),
        7 => rng.hex(32),
        8 => {
            let len = rng.below(200);
            rng.hex(len)
        }
        9 => format!("0x{}", "abc".repeat(1 + rng.below(5))),
        10 => rng.pick(&["0xgg", "zz", "-1", "1e9", "0X1", " 0x1", "0x-1"]).to_string(),
        11 => "9".repeat(1 + rng.below(100)),
        12 => "é漢字😀\u{0}".into(),
        13 => rng.hex(32_768),
        14 => rng.pick(&["901", "902", "0x385", "0x386", "1"]).to_string(),
        _ => format!("{}", rng.next_u64()),
    }
}

const KEYS: &[&str] = &[
    "from",
    "to",
    "data",
    "input",
    "value",
    "gas",
    "gasPrice",
    "maxFeePerGas",
    "nonce",
    "blockHash",
    "address",
    "topics",
    "fromBlock",
    "toBlock",
    "chainID",
    "chainId",
    "timestamp",
    "timeout",
    "accessList",
    "hash",
    "number",
    "blockNumber",
    "logIndex",
    "origin",
    "payload",
    "time",
    "baseFee",
    "balance",
    "code",
    "stateDiff",
];

/// A random JSON value of at most `depth` levels.
pub fn random_value(rng: &mut Rng, depth: u32) -> Value {
    let kinds = if depth == 0 { 4 } else { 7 };
    match rng.below(kinds) {
        0 => Value::Null,
        1 => Value::Bool(rng.percent(50)),
        2 => match rng.below(6) {
            0 => json!(0),
            1 => json!(-1),
            2 => json!(u64::MAX),
            3 => json!(i64::MIN),
            4 => json!(1.5e300),
            _ => json!(rng.below(1000)),
        },
        3 => Value::String(interesting_string(rng)),
        4 | 5 => {
            let len = rng.below(5);
            Value::Array((0..len).map(|_| random_value(rng, depth - 1)).collect())
        }
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.below(5) {
                map.insert(rng.pick(KEYS).to_string(), random_value(rng, depth - 1));
            }
            Value::Object(map)
        }
    }
}

/// A mutation of a well-formed parameter value: one field replaced, dropped or added, or a type changed.
fn mutate(rng: &mut Rng, value: &Value, depth: u32) -> Value {
    match value {
        Value::Array(items) if !items.is_empty() && rng.percent(70) => {
            let mut items = items.clone();
            let i = rng.below(items.len());
            match rng.below(4) {
                0 => items[i] = random_value(rng, 2),
                1 => {
                    items.truncate(i);
                }
                2 => items.push(random_value(rng, 2)),
                _ => items[i] = mutate(rng, &items[i], depth + 1),
            }
            Value::Array(items)
        }
        Value::Object(map) if !map.is_empty() && rng.percent(70) => {
            let mut map = map.clone();
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = rng.pick(&keys).clone();
            match rng.below(3) {
                0 => {
                    map.remove(&key);
                }
                1 => {
                    let replaced =
                        if depth < 3 { mutate(rng, &map[&key], depth + 1) } else { random_value(rng, 1) };
                    map.insert(key, replaced);
                }
                _ => {
                    map.insert(rng.pick(KEYS).to_string(), random_value(rng, 2));
                }
            }
            Value::Object(map)
        }
        _ => random_value(rng, 2),
    }
}

/// One request object for a method of the surface (or an unknown one).
fn request(rng: &mut Rng, surface: &[Method], id: u64) -> Value {
    if rng.percent(3) {
        let name =
            format!("{}_{}", rng.pick(&["eth", "debug", "admin", "supervisor", "x"]), rng.next_u64() % 1000);
        return json!({"jsonrpc": "2.0", "id": id, "method": name, "params": []});
    }
    let method = rng.pick(surface);
    let example = if method.examples.is_empty() { json!([]) } else { rng.pick(&method.examples).clone() };
    let params = match rng.below(10) {
        0..=2 => example,
        3..=7 => mutate(rng, &example, 0),
        8 => random_value(rng, 3),
        _ => return json!({"jsonrpc": "2.0", "id": id, "method": method.name}),
    };
    let id_value = match rng.below(12) {
        0 => json!(format!("id-{id}")),
        1 => Value::Null,
        _ => json!(id),
    };
    json!({"jsonrpc": "2.0", "id": id_value, "method": method.name, "params": params})
}

/// A malformed body: what a broken or hostile client might send.
fn malformed(rng: &mut Rng, surface: &[Method]) -> Vec<u8> {
    let valid = request(rng, surface, 1).to_string().into_bytes();
    match rng.below(10) {
        0 => valid[..rng.below(valid.len())].to_vec(),
        1 => {
            let mut bytes = valid;
            let i = rng.below(bytes.len());
            bytes[i] = 0xff;
            bytes
        }
        2 => {
            let depth = 1 + rng.below(20_000);
            let mut bytes = "[".repeat(depth).into_bytes();
            bytes.extend("]".repeat(depth).into_bytes());
            bytes
        }
        3 => b"".to_vec(),
        4 => rng.pick(&["[]", "{}", "null", "1", "\"x\"", "[1,2]", "[[]]"]).as_bytes().to_vec(),
        5 => json!({"jsonrpc": "2.0", "id": 1, "method": 7, "params": []}).to_string().into_bytes(),
        6 => json!({"jsonrpc": "1.0", "id": 1, "method": surface[0].name}).to_string().into_bytes(),
        7 => json!({"jsonrpc": "2.0", "id": {"a": 1}, "method": surface[0].name, "params": "x"})
            .to_string()
            .into_bytes(),
        8 => {
            let mut bytes = valid.clone();
            bytes.extend_from_slice(&valid);
            bytes
        }
        _ => (0..rng.below(512)).map(|_| rng.next_u64() as u8).collect(),
    }
}

/// One case to send: the body, the batch length when it is a batch, and whether it is malformed.
struct Case {
    body: Vec<u8>,
    batch_len: Option<usize>,
    malformed: bool,
}

/// Draws the next case and counts its kind.
fn next_case(
    rng: &mut Rng,
    surface: &[Method],
    campaign: &Campaign,
    number: u64,
    report: &mut Report,
) -> Case {
    let oversized = campaign.oversized_one_in > 0 && rng.next_u64().is_multiple_of(campaign.oversized_one_in);
    let kind = rng.below(100);
    if oversized {
        report.oversized += 1;
        let filler = "a".repeat(campaign.oversized_bytes);
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": rng.pick(surface).name, "params": [filler]});
        Case { body: body.to_string().into_bytes(), batch_len: None, malformed: true }
    } else if kind < 15 {
        report.malformed += 1;
        Case { body: malformed(rng, surface), batch_len: None, malformed: true }
    } else if kind < 30 {
        let len = 1 + rng.below(20);
        report.batches += 1;
        report.batched_requests += len as u64;
        let batch: Vec<Value> = (0..len).map(|i| request(rng, surface, number * 100 + i as u64)).collect();
        Case { body: Value::Array(batch).to_string().into_bytes(), batch_len: Some(len), malformed: false }
    } else {
        report.single += 1;
        Case {
            body: request(rng, surface, number).to_string().into_bytes(),
            batch_len: None,
            malformed: false,
        }
    }
}

/// Sends one case and checks the answer.
fn exchange(addr: SocketAddr, case: &Case, timeout: Duration, report: &mut Report) -> Result<(), String> {
    let sent_at = Instant::now();
    let answer = post(addr, &case.body, timeout)?;
    report.slowest = report.slowest.max(sent_at.elapsed());
    if answer.status != 200 {
        *report.http_statuses.entry(answer.status).or_default() += 1;
        if case.malformed && (400..500).contains(&answer.status) {
            return Ok(());
        }
        return Err(format!(
            "HTTP {}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body[..answer.body.len().min(300)])
        ));
    }
    let value: Value = if answer.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&answer.body)
            .map_err(|e| format!("answer is not JSON ({e}): {}", String::from_utf8_lossy(&answer.body)))?
    };
    match &value {
        // A body that is not a request (an id of the wrong type, say) may go unanswered; a request may not.
        Value::Null if case.malformed => {
            report.unanswered += 1;
            Ok(())
        }
        Value::Array(items) => {
            // A batch gets at most one answer per request (a malformed body may be a batch too).
            if let Some(len) = case.batch_len
                && items.len() > len
            {
                return Err(format!("{} answers to a batch of {len}", items.len()));
            }
            items.iter().try_for_each(|item| check_response(item, &mut report.outcomes))
        }
        _ => check_response(&value, &mut report.outcomes),
    }
}

/// Runs a campaign against the server at `addr`. Returns what it did, with every failed case when
/// `campaign.keep_going` is set; otherwise the first failure ends it. A failed liveness request always ends it.
pub fn run(addr: SocketAddr, surface: &[Method], campaign: &Campaign) -> Result<Report, Failure> {
    let started = Instant::now();
    let mut rng = Rng::new(campaign.seed);
    let mut report = Report::default();
    let (liveness, expected) = &campaign.liveness;
    for number in 0..campaign.cases {
        if started.elapsed() >= campaign.max_duration {
            break;
        }
        let case = next_case(&mut rng, surface, campaign, number, &mut report);
        report.cases += 1;
        let fail = |problem: String| Failure {
            case: number,
            sent: String::from_utf8_lossy(&case.body[..case.body.len().min(300)]).into_owned(),
            problem,
        };
        if let Err(problem) = exchange(addr, &case, campaign.request_timeout, &mut report) {
            if !campaign.keep_going {
                return Err(fail(problem));
            }
            report.failures.push(fail(problem));
        }
        if (number + 1).is_multiple_of(campaign.liveness_every.max(1)) {
            let value = call(addr, liveness, campaign.request_timeout)
                .map_err(|e| fail(format!("liveness request after this case: {e}")))?;
            if value.get("result") != Some(expected) {
                return Err(fail(format!(
                    "liveness request answered {value} after this case, not {expected}"
                )));
            }
        }
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_reproducible_from_its_seed() {
        let surface = [
            Method::new("eth_chainId", vec![json!([])]),
            Method::new("eth_getBalance", vec![json!(["0x00", "latest"])]),
        ];
        let draw = |seed| {
            let mut rng = Rng::new(seed);
            (0..50).map(|i| request(&mut rng, &surface, i)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn responses_without_the_json_rpc_envelope_are_failures() {
        let mut outcomes = BTreeMap::new();
        check_response(&json!({"jsonrpc": "2.0", "id": 1, "result": "0x1"}), &mut outcomes).unwrap();
        check_response(
            &json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "bad"}}),
            &mut outcomes,
        )
        .unwrap();
        assert_eq!(outcomes, BTreeMap::from([(0, 1), (-32602, 1)]));
        assert!(check_response(&json!({"id": 1, "result": 1}), &mut outcomes).is_err());
        assert!(check_response(&json!({"jsonrpc": "2.0", "id": 1}), &mut outcomes).is_err());
        assert!(
            check_response(&json!({"jsonrpc": "2.0", "error": {"message": "no code"}}), &mut outcomes)
                .is_err()
        );
    }

    #[test]
    fn chunked_bodies_are_decoded() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap(), b"abcde");
        assert!(dechunk(b"5\r\nab").is_err());
    }
}
