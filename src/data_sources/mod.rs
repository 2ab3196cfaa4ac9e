//! Data sources: reads of Proton objects by key.

mod environment_template;

use crate::engine::DynDataSource;

pub use environment_template::EnvironmentTemplate;

pub fn all() -> Vec<Box<dyn DynDataSource>> {
    vec![Box::new(EnvironmentTemplate)]
}
