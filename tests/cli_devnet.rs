//! Black-box tests of `superlink devnet`.
