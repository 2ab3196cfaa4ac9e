//! Proton resources: one small declarative file each. Adding one = a file here, a line in [`all`], and
//! its example under `examples/resources/`.

pub mod attributes;
pub(crate) mod environment_template;

use crate::engine::DynResource;

pub use environment_template::EnvironmentTemplate;

/// Every resource this provider offers.
pub fn all() -> Vec<Box<dyn DynResource>> {
    vec![Box::new(EnvironmentTemplate)]
}
