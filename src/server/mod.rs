pub mod controller;
pub mod handshake;
pub mod listener;
pub mod logging;
pub mod plugin;
pub mod proto;
pub mod provider_service;
pub mod tls;
