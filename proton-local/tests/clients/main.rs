//! proton-local as its clients see it: the real AWS CLI for every operation, the real Rust SDK
//! (durability across kill -9, accounts kept apart, tampered signatures refused), the raw HTTP
//! transport, and the lock that keeps a second proton-local off a state file.

#![allow(clippy::unwrap_used)] // a test binary: a failed unwrap is a failed test

mod accounts;
mod aws_cli;
mod contract;
mod contract_components;
mod contract_failures;
mod contract_tags;
mod http;
mod sdk;
mod state_lock;
