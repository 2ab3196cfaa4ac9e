//! proton-local as its clients see it: the real AWS CLI for every operation, the real Rust SDK
//! (durability across kill -9, accounts kept apart, tampered signatures refused), the raw HTTP
//! transport, the lock that keeps a second proton-local off a state file, and template bundles
//! (from a folder and through moto's S3 server).

#![allow(clippy::unwrap_used)] // a test binary: a failed unwrap is a failed test

mod accounts;
mod aws_cli;
mod bundles;
mod contract;
mod contract_components;
mod contract_failures;
mod contract_rules;
mod contract_tags;
mod contract_validations;
mod dependencies;
mod http;
mod rendering;
mod sdk;
mod state_lock;
