//! Reliability with real Terraform: bad input refused at plan with its attribute path, drift shown
//! exactly, faults and interruptions that lose or duplicate nothing, secrets kept out of logs
//! (tests/README.md lays out the suite).

#![allow(clippy::unwrap_used)] // a test binary: a failed unwrap is a failed test

mod bad_input;
mod drift;
mod faults;
mod interrupts;
mod secrets_in_logs;
