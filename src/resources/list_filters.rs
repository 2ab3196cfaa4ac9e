//! What the list resources (`terraform query`) share: the list block's `config` read into a typed
//! filter, and filter arguments that recur.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::aws::types::EnvironmentAccountConnectionStatus;
use crate::engine::{Error, model_from_value};
use crate::tf::Value;
use crate::tf::schema::{Attribute, Validator};

use super::attributes;

/// The list block's `config` as `T`; a list block without `config` filters nothing.
pub fn read<T: DeserializeOwned + Default>(config: &Value) -> Result<T, Error> {
    if config.is_null() {
        return Ok(T::default());
    }
    model_from_value(config)
}

/// An optional filter on a template name.
pub fn template_name(what: &str) -> Attribute {
    attributes::resource_name("template_name")
        .optional()
        .describe(&format!(
            "Only versions of this {what} template. Unset: the versions of every {what} template."
        ))
}

/// An optional filter on a major version (`"1"`).
pub fn major_version() -> Attribute {
    attributes::version_part("major_version")
        .optional()
        .describe("Only versions of this major version (`\"1\"`).")
}

/// Connection statuses to keep (ListEnvironmentAccountConnections' `statuses`).
pub fn connection_statuses() -> Attribute {
    Attribute::string_set("statuses")
        .optional()
        .validate(Validator::each(Validator::one_of(&[
            "PENDING",
            "CONNECTED",
            "REJECTED",
        ])))
        .describe("Only connections in one of these statuses: `PENDING`, `CONNECTED`, `REJECTED`.")
}

/// The filter of the template version list resources.
#[derive(Debug, Default, Deserialize)]
pub struct VersionFilter {
    pub template_name: Option<String>,
    pub major_version: Option<String>,
}

/// The filter arguments of the template version list resources.
pub fn version_filters(what: &str) -> Vec<Attribute> {
    vec![template_name(what), major_version()]
}

/// The filter of the environment account connection list resources.
#[derive(Debug, Default, Deserialize)]
pub struct ConnectionFilter {
    pub environment_name: Option<String>,
    pub statuses: Option<Vec<String>>,
}

impl ConnectionFilter {
    pub fn statuses(&self) -> Vec<EnvironmentAccountConnectionStatus> {
        self.statuses
            .iter()
            .flatten()
            .map(|s| EnvironmentAccountConnectionStatus::from(s.as_str()))
            .collect()
    }
}
