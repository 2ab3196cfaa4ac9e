//! End to end with the real Terraform CLI (1.15.5 and 1.0.3), the freshly built provider and
//! proton-local: one module per resource family or feature (tests/README.md lays out the suite).

#![allow(clippy::unwrap_used)] // a test binary: a failed unwrap is a failed test

mod actions;
mod complete;
mod component;
mod connection;
mod data_sources;
mod environment;
mod environment_template;
mod examples_valid;
mod https_endpoint;
mod loopback_tls;
mod provisioning;
mod query;
mod query_estate;
mod registry_protocol;
mod release_package;
mod service;
mod stop;
mod templates;
