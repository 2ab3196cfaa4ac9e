//! Generates the gRPC code for the Terraform plugin protocol, go-plugin's
//! helper services and the health service.
//!
//! protox parses the .proto files in pure Rust (no system protoc needed);
//! tonic-prost-build turns the descriptors into prost messages plus tonic
//! servers and clients.

use std::error::Error;

const PROTO_DIR: &str = "proto";
const PROTO_FILES: [&str; 3] = [
    "proto/tfplugin6.proto",
    "proto/plugin.proto",
    "proto/health.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed={PROTO_DIR}");
    for file in PROTO_FILES {
        println!("cargo:rerun-if-changed={file}");
    }

    // Imports (google/protobuf/*.proto) come from protox's built-in copies;
    // they are left out of the set so no code is generated for them.
    let mut compiler = protox::Compiler::new([PROTO_DIR])?;
    compiler.include_source_info(true).include_imports(false);
    compiler.open_files(PROTO_FILES)?;
    let descriptors = compiler.file_descriptor_set();

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // Unimplemented RPCs answer UNIMPLEMENTED, which Terraform tolerates
        // for the optional ones; the provider overrides what it supports.
        .generate_default_stubs(true)
        // Timestamp is a two-field message; a local copy saves a dependency
        // on prost-types (google.protobuf.Empty already maps to `()`).
        .extern_path(
            ".google.protobuf.Timestamp",
            "crate::server::proto::wkt::Timestamp",
        )
        .compile_fds(descriptors)?;
    Ok(())
}
