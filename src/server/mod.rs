//! The plugin protocol: the only module that sees protobuf types.
//!
//! - `plugin`, `handshake`, `tls`, `listener`: go-plugin's handshake line, AutoMTLS and the socket.
//! - `controller`, `logging`, `catch_panic`: go-plugin's controller/stdio/health services, logs
//!   Terraform reads, panics turned into diagnostics.
//! - `provider_service`: the tfplugin6 `Provider` service; each RPC delegates to its file in `rpc/`,
//!   which decodes the request, looks its type up once, calls the engine and encodes the answer
//!   (terraform-plugin-framework's `internal/proto6server` layout).
//! - `proto`: the generated types.

pub mod catch_panic;
pub mod controller;
pub mod handshake;
pub mod listener;
pub mod logging;
pub mod plugin;
pub mod proto;
pub mod provider_service;
mod rpc;
pub mod tls;
