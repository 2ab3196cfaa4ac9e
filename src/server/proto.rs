//! Generated protobuf and gRPC types. build.rs produces them from `proto/`;
//! this module only gives them a home. Everything else in the crate should
//! meet prost types through `crate::server` conversions, not directly.

/// Terraform plugin protocol 6.10 (`tfplugin6.Provider`).
#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    unreachable_pub,
    rustdoc::all
)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin helper services: controller, stdio and broker.
#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    unreachable_pub,
    rustdoc::all
)]
pub mod plugin {
    tonic::include_proto!("plugin");
}

/// Standard gRPC health checking (`grpc.health.v1.Health`).
#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    unreachable_pub,
    rustdoc::all
)]
pub mod health {
    tonic::include_proto!("grpc.health.v1");
}

/// Stand-ins for the protobuf well-known types the protocol uses.
pub mod wkt {
    /// `google.protobuf.Timestamp`: seconds and nanoseconds since the Unix
    /// epoch, UTC. Same field numbers and types as the well-known message.
    #[derive(Clone, Copy, PartialEq, Eq, Hash, prost::Message)]
    pub struct Timestamp {
        /// Whole seconds since 1970-01-01T00:00:00Z.
        #[prost(int64, tag = "1")]
        pub seconds: i64,
        /// Non-negative fraction of a second, below 1_000_000_000.
        #[prost(int32, tag = "2")]
        pub nanos: i32,
    }
}
