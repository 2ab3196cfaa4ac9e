//! Terraform's value model and wire encodings.

pub mod codec;
pub mod types;
pub mod value;

pub use types::Type;
pub use value::{Number, Value};
pub mod diagnostics;
pub mod path;
pub mod schema;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use path::{AttributePath, PathStep};
