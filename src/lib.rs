//! terraform-provider-proton: a Terraform and OpenTofu provider for AWS Proton.
//!
//! The layers, each only calling the one below it:
//! - [`server`]: the plugin protocol (go-plugin handshake, AutoMTLS, tfplugin6 over gRPC); the only
//!   module that sees protobuf types.
//! - [`engine`]: Terraform's rules for plan, apply, read and import, written once for every resource.
//! - [`resources`] and [`data_sources`]: one small declarative file per Proton object.
//! - [`aws`]: the only code that calls aws-sdk-proton.
//!
//! [`tf`] holds the value model, codecs and schema; [`provider`] the provider block. proton-local, the
//! local Proton endpoint, is a separate binary under `src/bin/proton-local/`.

pub mod actions;
pub mod aws;
pub mod data_sources;
pub mod docs;
pub mod engine;
pub mod provider;
pub mod resources;
pub mod server;
pub mod tf;
