//! End to end with the real Terraform CLI (1.15.5 and 1.0.3), the freshly built provider and
//! proton-local: one module per resource family or feature (tests/README.md lays out the suite).

#![allow(clippy::unwrap_used)] // a test binary: a failed unwrap is a failed test

mod action_trigger;
mod actions;
mod complete;
mod component;
mod connection;
mod data_sources;
mod deployment_plan;
mod environment;
mod environment_template;
mod examples_valid;
mod failure_paths;
mod https_endpoint;
mod identity;
mod import_config;
mod loopback_tls;
mod progress;
mod provider_settings;
mod provisioning;
mod query;
mod query_estate;
mod registry_protocol;
mod release_package;
mod request_budget;
mod service;
mod spec_validation;
mod stop;
mod templates;
