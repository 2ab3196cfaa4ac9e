//! Fast tests without Terraform: the wire format, the DynamicValue codec, the provider service over
//! in-process gRPC, the go-plugin handshake of the real binary, panics turned into diagnostics, and
//! bounded fuzzing. One binary so it links once (tests/README.md lays out the suite).

#![allow(clippy::unwrap_used)] // a test binary: a failed unwrap is a failed test

mod codec_props;
mod fuzz;
mod panics;
mod plugin_handshake;
mod proto_wire;
mod provider_service;
