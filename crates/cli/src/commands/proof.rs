//! `superlink proof trace` and `superlink proof check`: the interop fault-proof trace of a verifier
//! (`superlink_transition`), printed step by step, and a challenger's check of a claim against it.
//!
//! A check finds the first step at which the claim's trace leaves the canonical one, and plays the bisection a
//! dispute game would play to get there: from the agreed pre-state, each move asks for the claim halfway through
//! the disputed range; agreeing with it (a defence) moves the range after it, disagreeing (an attack) before it,
//! until one step is left, the step the game executes. With a claim's preimage the first differing step is
//! known: a chain whose claimed output root is not its optimistic block's is refuted at that chain's derivation
//! step; a super output whose every output matches the optimistic blocks but not the consolidated super root is
//! refuted at the consolidation step, which replaced an invalid block. Claims are recomputed here from the
//! transition's parts (the pre-state, the optimistic blocks, the post-state) with the protocol crate, and
//! compared with those the verifier served.

use std::time::Duration;

use alloy_primitives::{B256, hex};
use clap::{Args, Subcommand};
use serde::Serialize;
use serde_json::{Value, json};
use superlink_client::{ClientError, NodeClient};
use superlink_protocol::{
    CONSOLIDATION_STEP, ClaimPreimage, OptimisticBlock, StepKind, SuperTransition, SuperV1,
    TRANSITION_STEPS_PER_TIMESTAMP, TracePosition, TransitionState, trace_index, trace_position,
};
use superlink_verifier::TransitionJson;

use crate::{commands::client, error::CliError, parse};

/// Where `superlink verify` and a devnet serve the verifier by default.
pub const DEFAULT_VERIFIER_URL: &str = "http://127.0.0.1:8420";

/// How long one request to the verifier may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The most timestamps one `proof trace` prints.
const MAX_TIMESTAMPS: u64 = 10_000;

/// The supervisor API's "future data": the verifier does not hold the data as cross-safe yet.
const FUTURE_DATA: i64 = -321401;

/// JSON-RPC "method not found".
const METHOD_NOT_FOUND: i64 = -32601;

/// The interop fault-proof trace.
#[derive(Debug, Subcommand)]
pub enum ProofCommand {
    /// Print the claims of the transitions from each timestamp of a range to the next.
    Trace(TraceArgs),
    /// Check a claim (a super root at a timestamp, or the claim at a trace index) against the canonical trace;
    /// exit 1 and show where it is refuted when it is not canonical.
    Check(CheckArgs),
    /// Re-execute blocks statelessly from the node's execution witnesses and compare the roots it serves.
    Reexecute(super::proof_reexecute::ReexecuteArgs),
}

/// Where the verifier is.
#[derive(Debug, Args)]
pub struct VerifierArgs {
    /// The verifier (`superlink verify`, or a devnet's control port).
    #[arg(long, value_name = "URL", env = "SUPERLINK_VERIFIER_URL", default_value = DEFAULT_VERIFIER_URL)]
    verifier: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// `superlink proof trace`.
#[derive(Debug, Args)]
pub struct TraceArgs {
    #[command(flatten)]
    verifier: VerifierArgs,
    /// The first timestamp transitioned from.
    #[arg(long, value_name = "T", value_parser = parse::u64)]
    from: u64,
    /// The last timestamp transitioned from (default: `--from`).
    #[arg(long, value_name = "T", value_parser = parse::u64)]
    to: Option<u64>,
}

/// `superlink proof check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    verifier: VerifierArgs,
    /// The claim: a 32-byte hash, or its preimage in hex (a `SuperV1` super output, as a super dispute game's
    /// extra data holds it, or a transition state).
    #[arg(long, value_name = "ROOT")]
    claim: String,
    /// Check the claim as the super root at this timestamp.
    #[arg(long, value_name = "T", value_parser = parse::u64, conflicts_with_all = ["trace_index", "prestate_timestamp"])]
    timestamp: Option<u64>,
    /// Check the claim as the one at this trace index of a game (with `--prestate-timestamp`).
    #[arg(long, value_name = "I", value_parser = parse::u64, requires = "prestate_timestamp")]
    trace_index: Option<u64>,
    /// The timestamp of the game's agreed prestate (its anchor super root).
    #[arg(long, value_name = "T", value_parser = parse::u64, requires = "trace_index")]
    prestate_timestamp: Option<u64>,
    /// The timestamp of the game's proposal: trace indices at or past it stand for its super root.
    #[arg(long, value_name = "T", value_parser = parse::u64, requires = "trace_index")]
    poststate_timestamp: Option<u64>,
    /// Trust no node: re-execute every derivation step's block statelessly (from its parent's state root and the
    /// chain node's `debug_executionWitness`) and require the recomputed roots to equal both what the node serves
    /// and the output root the trace commits to. Needs `--l2-rpc` for every chain of the dependency set.
    #[arg(long, requires = "l2_rpc")]
    reexecute: bool,
    /// A chain's node, `CHAIN_ID=URL`, for `--reexecute` (repeat for every chain).
    #[arg(long = "l2-rpc", value_name = "CHAIN_ID=URL", value_parser = parse_chain_url)]
    l2_rpc: Vec<(u64, String)>,
}

/// Parses `CHAIN_ID=URL`.
fn parse_chain_url(text: &str) -> Result<(u64, String), String> {
    let (id, url) = text.split_once('=').ok_or_else(|| format!("expected CHAIN_ID=URL, got {text:?}"))?;
    let id = parse::u64(id.trim())?;
    let url = url.trim();
    if url.is_empty() {
        return Err(format!("no URL for chain {id}"));
    }
    Ok((id, url.to_string()))
}

/// Runs a proof command.
pub fn run(command: ProofCommand) -> Result<(), CliError> {
    match command {
        ProofCommand::Trace(args) => trace(args),
        ProofCommand::Check(args) => check(args),
        ProofCommand::Reexecute(args) => super::proof_reexecute::run(args),
    }
}

/// A transition as the verifier served it, with its claims recomputed from its parts.
struct Served {
    json: TransitionJson,
    trace: SuperTransition,
}

impl Served {
    fn chain_of(&self, step: u64) -> Option<u64> {
        match self.trace.kind(step) {
            StepKind::Derivation { chain_index } => {
                self.json.derivation.get(chain_index).map(|d| d.chain_id.0)
            }
            _ => None,
        }
    }

    /// What step `step` is, in words.
    fn describe(&self, step: u64) -> String {
        if step >= TRANSITION_STEPS_PER_TIMESTAMP {
            return format!("super root at {}", self.json.post_timestamp);
        }
        match (self.trace.kind(step), self.chain_of(step)) {
            (StepKind::SuperRoot, _) => format!("super root at {}", self.json.timestamp),
            (StepKind::Derivation { .. }, Some(chain)) => format!("derivation of chain {chain}"),
            (StepKind::Derivation { .. }, None) => "derivation".to_string(),
            (StepKind::Padding, _) => "padding".to_string(),
        }
    }
}

fn verifier_error(url: &str, error: ClientError) -> CliError {
    match error {
        ClientError::BadEndpoint { .. } => CliError::BadInput(error.to_string()),
        ClientError::Unreachable { reason, .. } => CliError::Unavailable(format!(
            "no verifier at {url}: {reason} (pass --verifier or set SUPERLINK_VERIFIER_URL)"
        )),
        ClientError::Rpc { code: METHOD_NOT_FOUND, method, .. } => {
            CliError::Unavailable(format!("{url} serves no {method}: it is not a superlink verifier"))
        }
        ClientError::Rpc { code: FUTURE_DATA, message, .. } => {
            CliError::Unavailable(format!("not yet: {message} (the verifier answers once it is)"))
        }
        ClientError::Rpc { method, message, .. } => CliError::Unavailable(format!("{method}: {message}")),
        ClientError::Decode { .. } => CliError::Unavailable(error.to_string()),
    }
}

/// Asks the verifier for the transition from `timestamp` and recomputes its claims.
async fn fetch(node: &NodeClient, url: &str, timestamp: u64) -> Result<Served, CliError> {
    let raw = node
        .request_json("superlink_transition", vec![json!(timestamp)])
        .await
        .map_err(|e| verifier_error(url, e))?;
    let json: TransitionJson = serde_json::from_value(raw).map_err(|e| {
        CliError::Unavailable(format!("unexpected answer to superlink_transition from {url}: {e}"))
    })?;
    let pending = json
        .derivation
        .iter()
        .map(|d| OptimisticBlock { block_hash: d.block.hash, output_root: d.output_root })
        .collect();
    let trace = SuperTransition::new(json.pre.super_output.clone(), pending, json.post.super_output.clone())
        .map_err(|e| {
            CliError::Unavailable(format!("the transition from {timestamp} served by {url}: {e}"))
        })?;
    let inconsistent = json.derivation.iter().any(|d| d.claim != trace.claim_at(d.step))
        || json.pre.super_root != trace.claim_at(0)
        || json.consolidation.post_super_root != trace.claim_at(TRANSITION_STEPS_PER_TIMESTAMP);
    if inconsistent {
        return Err(CliError::Service(format!(
            "the transition from {timestamp} served by {url} is inconsistent: its claims are not those of its blocks"
        )));
    }
    Ok(Served { json, trace })
}

fn connect(url: &str) -> Result<NodeClient, CliError> {
    NodeClient::new(url, TIMEOUT).map_err(|e| verifier_error(url, e))
}

fn trace(args: TraceArgs) -> Result<(), CliError> {
    let to = args.to.unwrap_or(args.from);
    if to < args.from {
        return Err(CliError::BadInput(format!("--to {to} is before --from {}", args.from)));
    }
    if to - args.from >= MAX_TIMESTAMPS {
        return Err(CliError::BadInput(format!("at most {MAX_TIMESTAMPS} timestamps at a time")));
    }
    let url = args.verifier.verifier.clone();
    let node = connect(&url)?;
    let served = client::block_on(async {
        let mut all = Vec::new();
        for timestamp in args.from..=to {
            all.push(fetch(&node, &url, timestamp).await?);
        }
        Ok(all)
    })?;
    if args.verifier.json {
        let all: Vec<&TransitionJson> = served.iter().map(|s| &s.json).collect();
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    for (i, transition) in served.iter().enumerate() {
        if i > 0 {
            println!();
        }
        print!("{}", trace_table(transition));
    }
    Ok(())
}

/// The claims of one transition, one line per step (padding summed up in one).
fn trace_table(served: &Served) -> String {
    let json = &served.json;
    let mut out = format!(
        "transition {} -> {} ({} steps, consolidation from step {})\n",
        json.timestamp, json.post_timestamp, json.steps_per_timestamp, json.consolidation_step
    );
    let row = |step: &str, what: String, claim: B256| format!("  {step:<11} {what:<60} {claim}\n");
    out.push_str(&row("0", format!("super root at {}", json.timestamp), json.pre.super_root));
    for d in &json.derivation {
        let what = format!("chain {} block {} {}", d.chain_id.0, d.block.number, short(d.block.hash));
        out.push_str(&row(&d.step.to_string(), what, d.claim));
        out.push_str(&format!("  {:<11}   output root {}\n", "", d.output_root));
    }
    if let Some(padding) = &json.padding {
        let steps = format!("{}-{}", padding.from_step, padding.to_step);
        let count = padding.to_step - padding.from_step + 1;
        out.push_str(&row(&steps, format!("padding ({count} steps), first"), padding.first_claim));
        out.push_str(&row("", "padding, last".to_string(), padding.last_claim));
    }
    let consolidate = format!("{}->", json.consolidation.step);
    if json.consolidation.replaced.is_empty() {
        out.push_str(&row(
            &consolidate,
            format!("consolidation: every block valid, super root at {}", json.post_timestamp),
            json.consolidation.post_super_root,
        ));
    } else {
        out.push_str(&row(
            &consolidate,
            format!("consolidation: super root at {}", json.post_timestamp),
            json.consolidation.post_super_root,
        ));
        for r in &json.consolidation.replaced {
            out.push_str(&format!(
                "  {:<11}   replaced chain {} block {} {} by {}: {}\n",
                "",
                r.chain_id.0,
                r.original.number,
                short(r.original.hash),
                short(r.replacement.hash),
                r.reason
            ));
        }
    }
    out
}

fn short(hash: B256) -> String {
    let text = hash.to_string();
    format!("({}…{})", &text[..10], &text[text.len() - 4..])
}

/// What the claim given on the command line is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Claim {
    Hash(B256),
    Preimage(ClaimPreimage),
}

impl Claim {
    fn parse(text: &str) -> Result<Self, CliError> {
        let raw = hex::decode(text.trim())
            .map_err(|e| CliError::BadInput(format!("--claim `{text}` is not hex: {e}")))?;
        if raw.len() == 32 {
            return Ok(Claim::Hash(B256::from_slice(&raw)));
        }
        ClaimPreimage::decode(&raw).map(Claim::Preimage).map_err(|e| {
            CliError::BadInput(format!(
                "--claim is neither a 32-byte hash nor a super output or transition state preimage: {e}"
            ))
        })
    }

    fn hash(&self) -> B256 {
        match self {
            Claim::Hash(hash) => *hash,
            Claim::Preimage(preimage) => preimage.hash(),
        }
    }
}

/// Where a claim's trace first leaves the canonical one, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Divergence {
    /// The first step (of the transition) whose claim differs: the step the game executes is the one into it.
    step: u64,
    /// Whether the claim's intermediate states are known (from its preimage): otherwise only the claim at the
    /// position itself is known to differ, and no bisection is played.
    known: bool,
    /// Why, in lines.
    reasons: Vec<String>,
}

/// One move of the bisection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Move {
    step: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_index: Option<u64>,
    what: String,
    canonical: B256,
    claimant_agrees: bool,
}

/// The bisection over steps `lo` (agreed) to `hi` (disputed) of a trace whose claims first differ at `first`:
/// each move takes the canonical claim halfway; the claimant agrees with it when it is before `first`.
fn bisect(lo: u64, hi: u64, first: u64) -> Vec<(u64, bool)> {
    let (mut lo, mut hi) = (lo, hi);
    let mut moves = Vec::new();
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let agrees = mid < first;
        moves.push((mid, agrees));
        if agrees {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    moves
}

/// Where a claimed super output (the post-state of `served`) first leaves the canonical trace.
fn super_divergence(served: &Served, claimed: &SuperV1) -> Divergence {
    let json = &served.json;
    for (i, d) in json.derivation.iter().enumerate() {
        let step = d.step;
        let chain = d.chain_id.0;
        match claimed.outputs.get(i) {
            Some(o) if o.chain_id != alloy_primitives::U256::from(chain) => {
                return Divergence {
                    step,
                    known: true,
                    reasons: vec![format!(
                        "the claim lists chain {} where the dependency set's next chain is {chain}",
                        o.chain_id
                    )],
                };
            }
            Some(o) if o.output_root != d.output_root => {
                return Divergence {
                    step,
                    known: true,
                    reasons: vec![format!(
                        "chain {chain} block {}: claimed output root {}, derivation gives {}",
                        d.block.number, o.output_root, d.output_root
                    )],
                };
            }
            Some(_) => {}
            None => {
                return Divergence {
                    step,
                    known: true,
                    reasons: vec![format!("the claim has no output for chain {chain}")],
                };
            }
        }
    }
    if claimed.outputs.len() > json.derivation.len() {
        return Divergence {
            step: TRANSITION_STEPS_PER_TIMESTAMP,
            known: true,
            reasons: vec![format!(
                "the claim has {} outputs, the dependency set {} chains",
                claimed.outputs.len(),
                json.derivation.len()
            )],
        };
    }
    let mut reasons = Vec::new();
    for r in &json.consolidation.replaced {
        reasons.push(format!(
            "chain {} block {} ({}) is invalid and replaced by {}: claimed output root {}, consolidation gives {}",
            r.chain_id.0, r.original.number, r.original.hash, r.replacement.hash, r.original_output_root,
            r.replacement_output_root
        ));
        reasons.push(format!("  {}", r.reason));
        for m in &r.invalid_messages {
            let id = match &m.identifier {
                Some(id) => format!(
                    "chain {} block {} log {} (timestamp {}, origin {})",
                    id.chain_id, id.block_number, id.log_index, id.timestamp, id.origin
                ),
                None => "an identifier out of range".to_string(),
            };
            reasons
                .push(format!("  log {} executes {id}, msgHash {}: {}", m.log_index, m.msg_hash, m.reason));
        }
    }
    if reasons.is_empty() {
        reasons.push(format!("consolidation gives the super root {}", json.consolidation.post_super_root));
    }
    Divergence { step: TRANSITION_STEPS_PER_TIMESTAMP, known: true, reasons }
}

/// Where a claimed transition state at `step` of `served` first leaves the canonical trace.
fn state_divergence(served: &Served, step: u64, claimed: &TransitionState) -> Divergence {
    let json = &served.json;
    if claimed.super_root != json.pre.encoded {
        return Divergence {
            step: 0,
            known: true,
            reasons: vec![format!(
                "the state starts from another super output at {} (super root {}, canonical {})",
                json.timestamp,
                alloy_primitives::keccak256(&claimed.super_root),
                json.pre.super_root
            )],
        };
    }
    for (i, d) in json.derivation.iter().enumerate() {
        if d.step > step {
            break;
        }
        let reason = match claimed.pending_progress.get(i) {
            None => format!("the state has no block of chain {} (derived at step {})", d.chain_id.0, d.step),
            Some(b) if b.block_hash != d.block.hash => format!(
                "chain {} block {}: claimed block hash {}, derivation gives {}",
                d.chain_id.0, d.block.number, b.block_hash, d.block.hash
            ),
            Some(b) if b.output_root != d.output_root => format!(
                "chain {} block {}: claimed output root {}, derivation gives {}",
                d.chain_id.0, d.block.number, b.output_root, d.output_root
            ),
            Some(_) => continue,
        };
        return Divergence { step: d.step, known: true, reasons: vec![reason] };
    }
    let derived = (step as usize).min(json.derivation.len());
    if claimed.pending_progress.len() > derived {
        return Divergence {
            step: derived as u64 + 1,
            known: true,
            reasons: vec![format!(
                "the state holds {} blocks after {step} steps, where {derived} chains are derived",
                claimed.pending_progress.len()
            )],
        };
    }
    Divergence {
        step,
        known: true,
        reasons: vec![format!("the state counts {} steps where it is the state after {step}", claimed.step)],
    }
}

/// The report of `proof check`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    canonical: bool,
    claim: B256,
    canonical_claim: B256,
    timestamp: u64,
    step: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_index: Option<u64>,
    /// The transition bisected: from `transition` to `transition + 1`.
    transition: u64,
    /// Every derivation step of that transition: the chain and the optimistic block it derives.
    derivation_steps: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refuted_at: Option<Value>,
    moves: Vec<Move>,
    reasons: Vec<String>,
}

fn check(args: CheckArgs) -> Result<(), CliError> {
    let claim = Claim::parse(&args.claim)?;
    let (position, index, prestate) = match (args.timestamp, args.trace_index, args.prestate_timestamp) {
        (Some(timestamp), None, None) => (TracePosition { timestamp, step: 0 }, None, None),
        (None, Some(index), Some(prestate)) => {
            if args.poststate_timestamp.is_some_and(|p| p <= prestate) {
                return Err(CliError::BadInput(
                    "--poststate-timestamp must be after --prestate-timestamp".to_string(),
                ));
            }
            let position = trace_position(prestate, args.poststate_timestamp, index)
                .map_err(|e| CliError::BadInput(e.to_string()))?;
            (position, Some(index), Some(prestate))
        }
        _ => {
            return Err(CliError::BadInput(
                "give --timestamp T, or --trace-index I with --prestate-timestamp T0".to_string(),
            ));
        }
    };
    // A super root is the post-state of the transition before it; any other claim is inside its own.
    let (transition_from, step) = if position.step == 0 {
        let from = position.timestamp.checked_sub(1).ok_or_else(|| {
            CliError::BadInput("timestamp 0 has no transition before it to check".to_string())
        })?;
        (from, TRANSITION_STEPS_PER_TIMESTAMP)
    } else {
        (position.timestamp, position.step)
    };
    match &claim {
        Claim::Preimage(ClaimPreimage::Super(s)) if step != TRANSITION_STEPS_PER_TIMESTAMP => {
            return Err(CliError::BadInput(format!(
                "the claim is a super output (at {}), but the position is step {step} of {}: a transition state is \
                 expected there",
                s.timestamp, position.timestamp
            )));
        }
        Claim::Preimage(ClaimPreimage::Super(s)) if s.timestamp != position.timestamp => {
            return Err(CliError::BadInput(format!(
                "the claim is the super output at {}, not at {}",
                s.timestamp, position.timestamp
            )));
        }
        Claim::Preimage(ClaimPreimage::Transition(_)) if step == TRANSITION_STEPS_PER_TIMESTAMP => {
            return Err(CliError::BadInput(format!(
                "the claim is a transition state, but the position is the super root at {}",
                position.timestamp
            )));
        }
        _ => {}
    }
    let url = args.verifier.verifier.clone();
    let node = connect(&url)?;
    let served = client::block_on(fetch(&node, &url, transition_from))?;
    if args.reexecute {
        reexecute_steps(&served, &args.l2_rpc, args.verifier.json)?;
    }
    let canonical_claim = served.trace.claim_at(step);
    let index_of = |s: u64| {
        let p = if s == TRANSITION_STEPS_PER_TIMESTAMP {
            TracePosition { timestamp: transition_from + 1, step: 0 }
        } else {
            TracePosition { timestamp: transition_from, step: s }
        };
        prestate.and_then(|pre| trace_index(pre, p).ok())
    };
    let derivation_steps = served
        .json
        .derivation
        .iter()
        .map(|d| json!({"step": d.step, "chainID": d.chain_id.0, "blockNumber": d.block.number, "blockHash": d.block.hash}))
        .collect();
    let mut report = Report {
        canonical: claim.hash() == canonical_claim,
        claim: claim.hash(),
        canonical_claim,
        timestamp: position.timestamp,
        step: position.step,
        trace_index: index,
        transition: transition_from,
        derivation_steps,
        refuted_at: None,
        moves: Vec::new(),
        reasons: Vec::new(),
    };
    let where_ = match index {
        Some(i) => format!("trace index {i} ({}, step {})", position.timestamp, position.step),
        None => format!("the super root at {}", position.timestamp),
    };
    if report.canonical {
        if args.verifier.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            println!("canonical: the claim {} is {where_}", report.claim);
        }
        return Ok(());
    }
    let divergence = match &claim {
        Claim::Hash(_) => Divergence {
            step,
            known: false,
            reasons: vec![format!(
                "the claim {} differs from the canonical claim {canonical_claim}",
                claim.hash()
            )],
        },
        Claim::Preimage(ClaimPreimage::Super(s)) => super_divergence(&served, s),
        Claim::Preimage(ClaimPreimage::Transition(t)) => state_divergence(&served, step, t),
    };
    let mut text = format!("not canonical: the claim {} is not {where_}\n", report.claim);
    text.push_str(&format!("canonical claim there: {canonical_claim}\n"));
    if divergence.known && divergence.step > 0 {
        text.push_str(&format!(
            "bisection over the transition {} -> {}, from the agreed super root at {} (step 0) to step {step}:\n",
            transition_from,
            transition_from + 1,
            transition_from
        ));
        for (number, (mid, agrees)) in bisect(0, step, divergence.step).into_iter().enumerate() {
            let canonical = served.trace.claim_at(mid);
            let m = Move {
                step: mid,
                trace_index: index_of(mid),
                what: served.describe(mid),
                canonical,
                claimant_agrees: agrees,
            };
            let index_text = m.trace_index.map(|i| format!(" (trace index {i})")).unwrap_or_default();
            let verdict = if agrees {
                "the claim agrees: defend, the fault is after it"
            } else {
                "the claim differs: attack, the fault is at or before it"
            };
            text.push_str(&format!(
                "  move {}: step {mid}{index_text}, {}: canonical {canonical}; {verdict}\n",
                number + 1,
                m.what
            ));
            report.moves.push(m);
        }
    }
    let refuted_step = divergence.step;
    let executed = if refuted_step == TRANSITION_STEPS_PER_TIMESTAMP {
        format!(
            "the consolidation step (from step {CONSOLIDATION_STEP} to the super root at {})",
            transition_from + 1
        )
    } else if refuted_step == 0 {
        format!("step 0: the super root at {transition_from} it starts from is not canonical")
    } else {
        format!("step {refuted_step}, the {}", served.describe(refuted_step))
    };
    if divergence.known {
        text.push_str(&format!("refuted at {executed} of {} -> {}\n", transition_from, transition_from + 1));
    } else {
        let what = if position.step == 0 {
            format!("the super root at {}", position.timestamp)
        } else {
            served.describe(position.step)
        };
        text.push_str(&format!(
            "the claim differs at step {} of {} ({what}); give its preimage to find the step that refutes it\n",
            position.step, position.timestamp
        ));
    }
    for reason in &divergence.reasons {
        text.push_str(&format!("  {reason}\n"));
    }
    report.refuted_at = Some(json!({
        "transition": transition_from,
        "step": refuted_step,
        "kind": if refuted_step == TRANSITION_STEPS_PER_TIMESTAMP { "consolidation".to_string() } else { served.trace.kind(refuted_step).name().to_string() },
        "chainID": served.chain_of(refuted_step),
        "traceIndex": index_of(refuted_step),
    }));
    report.reasons = divergence.reasons.clone();
    if args.verifier.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{text}");
    }
    Err(CliError::Service(format!("the claim is not {where_}")))
}

/// Re-executes, statelessly, the block behind every derivation step of `served`: the optimistic block, or, when
/// consolidation replaced it (its node no longer serves the original), the deposits-only replacement the post
/// super root commits to. A block whose recomputed roots differ from what its node serves, or whose recomputed
/// output root differs from the one the trace commits to, fails the check: the claims rest on a state root
/// nobody re-derived.
fn reexecute_steps(served: &Served, nodes: &[(u64, String)], quiet: bool) -> Result<(), CliError> {
    let mut problems = Vec::new();
    for step in &served.json.derivation {
        let chain = step.chain_id.0;
        let replaced = served
            .json
            .consolidation
            .replaced
            .iter()
            .find(|r| r.chain_id.0 == chain && r.original.hash == step.block.hash);
        let (block, expected_hash, expected_output, what) = match replaced {
            Some(r) => (r.replacement, r.replacement.hash, r.replacement_output_root, "its replacement"),
            None => (step.block, step.block.hash, step.output_root, "the optimistic block"),
        };
        let url =
            nodes.iter().find(|(id, _)| *id == chain).map(|(_, url)| url.as_str()).ok_or_else(|| {
                CliError::BadInput(format!(
                    "--reexecute needs --l2-rpc {chain}=URL: step {} derives chain {chain}",
                    step.step
                ))
            })?;
        let node = NodeClient::new(url, superlink_stateless::check::REQUEST_TIMEOUT)
            .map_err(|e| CliError::Unavailable(format!("chain {chain} node {url}: {e}")))?;
        let number = block.number;
        let check = client::block_on(async {
            superlink_stateless::check_block_with(&node, number)
                .await
                .map_err(|e| CliError::Unavailable(format!("re-executing chain {chain} block {number}: {e}")))
        })?;
        let mut wrong = Vec::new();
        if check.block_hash != expected_hash {
            wrong.push(format!(
                "the node serves block hash {}, the trace has {expected_hash}",
                check.block_hash
            ));
        }
        if check.state_root.served != check.state_root.recomputed {
            wrong.push(format!(
                "state root served {}, re-execution gives {}",
                check.state_root.served, check.state_root.recomputed
            ));
        }
        for field in check.mismatches().into_iter().filter(|f| *f != "stateRoot") {
            wrong.push(format!("its {field} differs from the re-executed one"));
        }
        if check.output_root.recomputed != expected_output {
            wrong.push(format!(
                "output root in the trace {expected_output}, re-execution gives {}",
                check.output_root.recomputed
            ));
        }
        let at = format!("step {} (chain {chain} block {}, {what})", step.step, block.number);
        if wrong.is_empty() {
            if !quiet {
                println!(
                    "re-executed {at}: state root {}, output root {} match",
                    check.state_root.recomputed, check.output_root.recomputed
                );
            }
        } else {
            problems.push(format!("{at}: {}", wrong.join("; ")));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    for problem in &problems {
        eprintln!("re-execution refutes {problem}");
    }
    Err(CliError::Service(format!(
        "re-execution disagrees with the trace at {} derivation step(s): {}",
        problems.len(),
        problems.join(" | ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bisection_ends_on_the_first_differing_step() {
        for first in [1, 2, 3, 511, 512, 513, 1023, 1024] {
            let moves = bisect(0, 1024, first);
            assert_eq!(moves.len(), 10, "1024 steps take 10 moves");
            // The last agreed and first disputed steps around `first`.
            let agreed = moves.iter().filter(|(_, a)| *a).map(|(s, _)| *s).max().unwrap_or(0);
            let disputed = moves.iter().filter(|(_, a)| !*a).map(|(s, _)| *s).min().unwrap_or(1024);
            assert_eq!((agreed, disputed), (first - 1, first), "first {first}: {moves:?}");
        }
    }

    #[test]
    fn the_first_move_asks_for_the_claim_halfway() {
        assert_eq!(bisect(0, 1024, 2)[0], (512, false));
        assert_eq!(bisect(0, 1024, 1024)[0], (512, true));
        assert!(bisect(0, 1, 1).is_empty());
    }

    #[test]
    fn a_claim_is_a_hash_or_a_preimage() {
        let hash = B256::repeat_byte(7);
        assert_eq!(Claim::parse(&hash.to_string()).unwrap(), Claim::Hash(hash));
        let output = superlink_protocol::OutputRootWithChain {
            chain_id: alloy_primitives::U256::from(901),
            output_root: hash,
        };
        let super_v1 = SuperV1::new(5, vec![output]).unwrap();
        let parsed = Claim::parse(&hex::encode_prefixed(super_v1.encode())).unwrap();
        assert_eq!(parsed.hash(), super_v1.hash());
        assert!(matches!(Claim::parse("0x1234"), Err(CliError::BadInput(_))));
        assert!(matches!(Claim::parse("zz"), Err(CliError::BadInput(_))));
    }
}
