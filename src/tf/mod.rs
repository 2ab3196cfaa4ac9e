//! Terraform's value model and wire encodings.

pub mod codec;
pub mod types;
pub mod value;

pub use types::Type;
pub use value::{Number, Value};
