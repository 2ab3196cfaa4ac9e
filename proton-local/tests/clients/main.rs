//! proton-local as its clients see it: the real AWS CLI for every operation, the real Rust SDK
//! (durability across kill -9, accounts kept apart, tampered signatures refused) and the raw HTTP
//! transport.

#![allow(clippy::unwrap_used)] // a test binary: a failed unwrap is a failed test

mod accounts;
mod aws_cli;
mod http;
mod sdk;
