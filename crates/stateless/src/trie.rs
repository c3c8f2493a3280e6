//! A partial Merkle-Patricia trie: the parts of a trie an execution witness reveals, with every other subtree
//! kept as the hash its parent commits to. Lookups, inserts and deletions reveal nodes from the witness as
//! they reach them (a node is found by its hash, so a revealed node is always the one the parent committed
//! to); reaching a hash the witness does not hold is [`TrieError::MissingNode`]. The root is recomputed from
//! the revealed nodes and the untouched hashes.

use std::collections::HashMap;

use alloy_primitives::{B256, Bytes, keccak256};
use alloy_trie::{
    EMPTY_ROOT_HASH, Nibbles, TrieMask,
    nodes::{BranchNode, ExtensionNode, LeafNode, RlpNode, TrieNode},
};

/// Why a partial trie could not answer or be changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrieError {
    /// The execution needed a node the witness does not hold.
    #[error("witness is missing node {hash} (at trie path 0x{path})")]
    MissingNode {
        /// The node's hash, as its parent commits to it.
        hash: B256,
        /// The nibble path where the node hangs, in hex.
        path: String,
    },
    /// A witness node is not a valid trie node.
    #[error("witness node {hash} is not a valid trie node: {reason}")]
    BadNode {
        /// The node's hash.
        hash: B256,
        /// What the decoder reported.
        reason: String,
    },
}

/// Witness trie nodes by their hash. Building it hashes every node, so a node can only ever stand for the
/// hash it was filed under.
#[derive(Debug, Clone, Default)]
pub struct NodeStore {
    nodes: HashMap<B256, Bytes>,
}

impl NodeStore {
    /// Files every node under its keccak hash.
    pub fn new<'a>(nodes: impl IntoIterator<Item = &'a Bytes>) -> Self {
        Self { nodes: nodes.into_iter().map(|node| (keccak256(node), node.clone())).collect() }
    }

    /// Number of distinct nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the store holds no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn get(&self, hash: &B256) -> Option<&Bytes> {
        self.nodes.get(hash)
    }
}

/// One node of a partial trie. Paths are kept as one nibble per byte.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    /// No node (an empty trie, or an empty branch slot).
    Empty,
    /// A subtree not revealed yet, known only by its hash.
    Hash(B256),
    /// A leaf: the rest of the key and the value.
    Leaf { key: Vec<u8>, value: Vec<u8> },
    /// An extension: a shared run of nibbles and the node below it.
    Extension { key: Vec<u8>, child: Box<Node> },
    /// A branch with sixteen slots (state tries keep no values in branches).
    Branch { children: Box<[Node; 16]> },
}

fn empty_children() -> Box<[Node; 16]> {
    Box::new(std::array::from_fn(|_| Node::Empty))
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn hex_path(path: &[u8]) -> String {
    path.iter().map(|nibble| format!("{nibble:x}")).collect()
}

/// Turns a decoded trie node into a partial-trie node; inline children are decoded in place.
fn from_trie_node(node: TrieNode, hash: B256) -> Result<Node, TrieError> {
    let bad = |reason: String| TrieError::BadNode { hash, reason };
    let child = |reference: &RlpNode| -> Result<Node, TrieError> {
        match reference.as_hash() {
            Some(child) => Ok(Node::Hash(child)),
            None => {
                let decoded = alloy_rlp::Decodable::decode(&mut reference.as_slice())
                    .map_err(|e: alloy_rlp::Error| bad(e.to_string()))?;
                from_trie_node(decoded, hash)
            }
        }
    };
    Ok(match node {
        TrieNode::EmptyRoot => Node::Empty,
        TrieNode::Leaf(leaf) => Node::Leaf { key: leaf.key.to_vec(), value: leaf.value },
        TrieNode::Extension(extension) => {
            Node::Extension { key: extension.key.to_vec(), child: Box::new(child(&extension.child)?) }
        }
        TrieNode::Branch(branch) => {
            let mut children = empty_children();
            let mut stack = branch.stack.iter();
            for index in 0..16u8 {
                if branch.state_mask.is_bit_set(index) {
                    let reference =
                        stack.next().ok_or_else(|| bad("branch mask names a missing child".into()))?;
                    children[usize::from(index)] = child(reference)?;
                }
            }
            Node::Branch { children }
        }
    })
}

/// Replaces a hash node by the node the store holds for it.
fn reveal(node: &mut Node, store: &NodeStore, path: &[u8]) -> Result<(), TrieError> {
    if let Node::Hash(hash) = *node {
        let Some(bytes) = store.get(&hash) else { return Err(missing(hash, path)) };
        let decoded: TrieNode = alloy_rlp::Decodable::decode(&mut bytes.as_ref())
            .map_err(|e: alloy_rlp::Error| TrieError::BadNode { hash, reason: e.to_string() })?;
        *node = from_trie_node(decoded, hash)?;
    }
    Ok(())
}

/// A partial Merkle-Patricia trie over 32-byte hashed keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialTrie {
    root: Node,
}

impl PartialTrie {
    /// The trie with root `root`, nothing revealed yet.
    pub fn new(root: B256) -> Self {
        Self { root: if root == EMPTY_ROOT_HASH { Node::Empty } else { Node::Hash(root) } }
    }

    /// Whether the trie holds no key (always known: only an empty root is empty).
    pub fn is_empty(&self) -> bool {
        matches!(self.root, Node::Empty)
    }

    /// The value at `key` (a hashed key), revealing nodes along its path.
    pub fn get(&mut self, store: &NodeStore, key: &B256) -> Result<Option<Vec<u8>>, TrieError> {
        let path = Nibbles::unpack(key).to_vec();
        let mut node = &mut self.root;
        let mut depth = 0;
        loop {
            reveal(node, store, &path[..depth])?;
            match node {
                Node::Empty => return Ok(None),
                Node::Hash(hash) => return Err(missing(*hash, &path[..depth])),
                Node::Leaf { key, value } => {
                    return Ok((key.as_slice() == &path[depth..]).then(|| value.clone()));
                }
                Node::Extension { key, child } => {
                    if !path[depth..].starts_with(key) {
                        return Ok(None);
                    }
                    depth += key.len();
                    node = child;
                }
                Node::Branch { children } => {
                    let Some(nibble) = path.get(depth) else { return Ok(None) };
                    depth += 1;
                    node = &mut children[usize::from(*nibble)];
                }
            }
        }
    }

    /// Sets the value at `key` (a hashed key).
    pub fn insert(&mut self, store: &NodeStore, key: &B256, value: Vec<u8>) -> Result<(), TrieError> {
        let path = Nibbles::unpack(key).to_vec();
        insert(&mut self.root, store, &path, 0, value)
    }

    /// Removes the value at `key` (a hashed key), collapsing nodes left with a single child.
    pub fn remove(&mut self, store: &NodeStore, key: &B256) -> Result<(), TrieError> {
        let path = Nibbles::unpack(key).to_vec();
        remove(&mut self.root, store, &path, 0)
    }

    /// The root hash.
    pub fn root(&self) -> B256 {
        match &self.root {
            Node::Empty => EMPTY_ROOT_HASH,
            Node::Hash(hash) => *hash,
            node => {
                let reference = reference(node);
                reference.as_hash().unwrap_or_else(|| keccak256(reference.as_slice()))
            }
        }
    }
}

fn insert(
    node: &mut Node,
    store: &NodeStore,
    path: &[u8],
    depth: usize,
    value: Vec<u8>,
) -> Result<(), TrieError> {
    reveal(node, store, &path[..depth])?;
    let rest = &path[depth..];
    match node {
        Node::Empty => {
            *node = Node::Leaf { key: rest.to_vec(), value };
        }
        Node::Hash(hash) => return Err(missing(*hash, &path[..depth])),
        Node::Leaf { key, value: old } => {
            if key.as_slice() == rest {
                *old = value;
                return Ok(());
            }
            let shared = common_prefix(key, rest);
            let mut children = empty_children();
            children[usize::from(key[shared])] =
                Node::Leaf { key: key[shared + 1..].to_vec(), value: std::mem::take(old) };
            children[usize::from(rest[shared])] = Node::Leaf { key: rest[shared + 1..].to_vec(), value };
            *node = with_prefix(&rest[..shared], Node::Branch { children });
        }
        Node::Extension { key, child } => {
            let shared = common_prefix(key, rest);
            if shared == key.len() {
                return insert(child, store, path, depth + shared, value);
            }
            let mut children = empty_children();
            let below = std::mem::replace(child.as_mut(), Node::Empty);
            children[usize::from(key[shared])] = with_prefix(&key[shared + 1..], below);
            children[usize::from(rest[shared])] = Node::Leaf { key: rest[shared + 1..].to_vec(), value };
            *node = with_prefix(&rest[..shared], Node::Branch { children });
        }
        Node::Branch { children } => {
            let nibble = usize::from(rest[0]);
            return insert(&mut children[nibble], store, path, depth + 1, value);
        }
    }
    Ok(())
}

/// `node` below an extension of `prefix` (or `node` itself when the prefix is empty).
fn with_prefix(prefix: &[u8], node: Node) -> Node {
    if prefix.is_empty() { node } else { Node::Extension { key: prefix.to_vec(), child: Box::new(node) } }
}

/// The error for a hash node still in place after [`reveal`] (which never leaves one behind).
fn missing(hash: B256, path: &[u8]) -> TrieError {
    TrieError::MissingNode { hash, path: hex_path(path) }
}

fn remove(node: &mut Node, store: &NodeStore, path: &[u8], depth: usize) -> Result<(), TrieError> {
    reveal(node, store, &path[..depth])?;
    let rest = &path[depth..];
    match node {
        Node::Empty => {}
        Node::Hash(hash) => return Err(missing(*hash, &path[..depth])),
        Node::Leaf { key, .. } => {
            if key.as_slice() == rest {
                *node = Node::Empty;
            }
        }
        Node::Extension { key, child } => {
            if !rest.starts_with(key) {
                return Ok(());
            }
            let key_len = key.len();
            remove(child, store, path, depth + key_len)?;
            // The child may have shrunk to a leaf or an extension: merge it into this extension.
            let merged = match std::mem::replace(child.as_mut(), Node::Empty) {
                Node::Empty => Node::Empty,
                Node::Leaf { key: tail, value } => {
                    Node::Leaf { key: [key.as_slice(), &tail].concat(), value }
                }
                Node::Extension { key: tail, child: below } => {
                    Node::Extension { key: [key.as_slice(), &tail].concat(), child: below }
                }
                other => Node::Extension { key: key.clone(), child: Box::new(other) },
            };
            *node = merged;
        }
        Node::Branch { children } => {
            let Some(nibble) = rest.first().map(|n| usize::from(*n)) else { return Ok(()) };
            remove(&mut children[nibble], store, path, depth + 1)?;
            let mut remaining = children.iter().enumerate().filter(|(_, child)| **child != Node::Empty);
            let only = match (remaining.next(), remaining.next()) {
                (Some((index, _)), None) => index,
                (None, _) => {
                    *node = Node::Empty;
                    return Ok(());
                }
                _ => return Ok(()),
            };
            // One child left: the branch collapses into it, so the child's kind must be known.
            let mut child_path = path[..depth].to_vec();
            child_path.push(only as u8);
            reveal(&mut children[only], store, &child_path)?;
            let nibble = only as u8;
            *node = match std::mem::replace(&mut children[only], Node::Empty) {
                Node::Leaf { key, value } => Node::Leaf { key: [&[nibble][..], &key].concat(), value },
                Node::Extension { key, child } => {
                    Node::Extension { key: [&[nibble][..], &key].concat(), child }
                }
                other => Node::Extension { key: vec![nibble], child: Box::new(other) },
            };
        }
    }
    Ok(())
}

/// The reference a parent holds to `node`: its RLP when shorter than 32 bytes, its hash otherwise.
fn reference(node: &Node) -> RlpNode {
    let mut buf = Vec::new();
    match node {
        Node::Empty => RlpNode::from_rlp(&[alloy_rlp::EMPTY_STRING_CODE]),
        Node::Hash(hash) => RlpNode::word_rlp(hash),
        Node::Leaf { key, value } => {
            LeafNode::new(Nibbles::from_nibbles(key), value.clone()).as_ref().rlp(&mut buf)
        }
        Node::Extension { key, child } => {
            ExtensionNode::new(Nibbles::from_nibbles(key), reference(child)).as_ref().rlp(&mut buf)
        }
        Node::Branch { children } => {
            let mut mask = TrieMask::default();
            let mut stack = Vec::new();
            for (index, child) in children.iter().enumerate() {
                if *child != Node::Empty {
                    mask.set_bit(index as u8);
                    stack.push(reference(child));
                }
            }
            BranchNode::new(stack, mask).as_ref().rlp(&mut buf)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use alloy_primitives::{B256, Bytes, U256, keccak256};
    use alloy_trie::{
        HashBuilder, Nibbles,
        proof::{ProofNodes, ProofRetainer},
    };
    use proptest::prelude::*;
    use superlink_chain::witness::deletion_targets;

    use super::*;

    fn key(i: u16) -> B256 {
        keccak256(i.to_be_bytes())
    }

    fn value(v: u32) -> Vec<u8> {
        alloy_rlp::encode(U256::from(v))
    }

    /// The root of `leaves` and the nodes on the paths to `targets`, as a node computes them.
    fn build(leaves: &BTreeMap<B256, Vec<u8>>, targets: Vec<Nibbles>) -> (B256, Vec<Bytes>) {
        let mut builder = HashBuilder::default().with_proof_retainer(ProofRetainer::new(targets));
        for (key, value) in leaves {
            builder.add_leaf(Nibbles::unpack(key), value);
        }
        let root = builder.root();
        let nodes: ProofNodes = builder.take_proof_nodes();
        (root, nodes.into_nodes_sorted().into_iter().map(|(_, node)| node).collect())
    }

    fn root_of(leaves: &BTreeMap<B256, Vec<u8>>) -> B256 {
        build(leaves, Vec::new()).0
    }

    /// An operation of the random sequences: set key `k` to `v`, or delete it when `v` is zero.
    fn apply(leaves: &mut BTreeMap<B256, Vec<u8>>, (k, v): (u16, u32)) {
        if v == 0 {
            leaves.remove(&key(k));
        } else {
            leaves.insert(key(k), value(v));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Given the proof paths of the keys it changes (and the siblings along deleted keys' paths, as
        /// witnesses carry them), a partial trie reaches the same root as rebuilding the whole trie.
        #[test]
        fn partial_trie_root_equals_full_rebuild(
            initial in proptest::collection::vec((0u16..300, 1u32..1000), 0..120),
            ops in proptest::collection::vec((0u16..300, prop_oneof![Just(0u32), 1u32..1000]), 1..60),
        ) {
            let mut leaves = BTreeMap::new();
            for op in &initial {
                apply(&mut leaves, *op);
            }
            let mut targets = Vec::new();
            for (k, v) in &ops {
                let path = Nibbles::unpack(key(*k));
                if *v == 0 {
                    targets.extend(deletion_targets(&path));
                }
                targets.push(path);
            }
            let (root, nodes) = build(&leaves, targets);
            let store = NodeStore::new(&nodes);
            let mut trie = PartialTrie::new(root);
            prop_assert_eq!(trie.root(), root);
            for (k, _) in &ops {
                prop_assert_eq!(trie.get(&store, &key(*k)).unwrap(), leaves.get(&key(*k)).cloned());
            }
            for op in &ops {
                apply(&mut leaves, *op);
                if op.1 == 0 {
                    trie.remove(&store, &key(op.0)).unwrap();
                } else {
                    trie.insert(&store, &key(op.0), value(op.1)).unwrap();
                }
                prop_assert_eq!(trie.root(), root_of(&leaves));
            }
            prop_assert_eq!(trie.is_empty(), leaves.is_empty());
        }
    }

    /// Deleting one of two leaves under a branch collapses the branch into the other leaf: the witness must
    /// hold that sibling, and without it the deletion names the missing node.
    #[test]
    fn collapsing_a_branch_needs_the_sibling() {
        // Two keys that share no first nibble hang off the root branch as leaves of their own.
        let (a, b) = (0u16..)
            .flat_map(|i| (i + 1..i + 40).map(move |j| (i, j)))
            .find(|(i, j)| key(*i)[0] >> 4 != key(*j)[0] >> 4)
            .unwrap();
        let mut leaves = BTreeMap::from([(key(a), value(1)), (key(b), value(2))]);
        // Pad the leaves so they are hashed, not inlined, in the branch.
        for v in leaves.values_mut() {
            *v = alloy_rlp::encode(Bytes::from(vec![7u8; 40]));
        }
        let (root, only_path) = build(&leaves, vec![Nibbles::unpack(key(a))]);
        let mut trie = PartialTrie::new(root);
        let error = trie.remove(&NodeStore::new(&only_path), &key(a)).unwrap_err();
        assert!(matches!(error, TrieError::MissingNode { .. }), "{error}");
        assert!(error.to_string().starts_with("witness is missing node"), "{error}");

        let (_, with_siblings) = build(
            &leaves,
            deletion_targets(&Nibbles::unpack(key(a))).chain([Nibbles::unpack(key(a))]).collect(),
        );
        let mut trie = PartialTrie::new(root);
        trie.remove(&NodeStore::new(&with_siblings), &key(a)).unwrap();
        leaves.remove(&key(a));
        assert_eq!(trie.root(), root_of(&leaves));
    }

    /// A node filed under the wrong hash is never used: the store files every node under its own hash.
    #[test]
    fn a_forged_node_does_not_stand_for_the_root() {
        let leaves = BTreeMap::from([(key(1), value(1)), (key(2), value(2))]);
        let root = root_of(&leaves);
        let forged = BTreeMap::from([(key(1), value(9)), (key(2), value(2))]);
        let (_, forged_nodes) = build(&forged, vec![Nibbles::unpack(key(1))]);
        let mut trie = PartialTrie::new(root);
        let error = trie.get(&NodeStore::new(&forged_nodes), &key(1)).unwrap_err();
        assert_eq!(error, TrieError::MissingNode { hash: root, path: String::new() });
    }
}
