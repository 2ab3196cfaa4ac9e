//! What the list resources (`terraform query`) share: the list block's `config` read into a typed
//! filter, and filter arguments that recur.

use std::future::Future;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::aws::ApiError;
use crate::aws::types::{
    EnvironmentAccountConnectionRequesterAccountType, EnvironmentAccountConnectionStatus,
    EnvironmentTemplateSummary, ServiceTemplateSummary,
};
use crate::engine::{Ctx, Error, model_from_value};
use crate::tf::Value;
use crate::tf::schema::{Attribute, Nesting, Validator};

use super::attributes;

/// ListServiceInstances' filter keys (ListServiceInstancesFilterBy), as the API spells them.
const SERVICE_INSTANCE_FILTER_KEYS: &[&str] = &[
    "name",
    "deploymentStatus",
    "templateName",
    "serviceName",
    "deployedTemplateVersionStatus",
    "environmentName",
    "lastDeploymentAttemptedAtBefore",
    "lastDeploymentAttemptedAtAfter",
    "createdAtBefore",
    "createdAtAfter",
];

/// The optional `filters` blocks passed on to ListServiceInstances (the data source and the list
/// resource take the same ones); `description` says how they combine.
pub fn service_instance_filters(description: &str) -> Attribute {
    Attribute::nested(
        "filters",
        Nesting::List,
        vec![
            Attribute::string("key")
                .required()
                .validate(Validator::one_of(SERVICE_INSTANCE_FILTER_KEYS))
                .describe("What to filter on, as the API names it."),
            Attribute::string("value")
                .required()
                .validate(Validator::length(1, 1024))
                .describe(
                    "The value to match; for the `...AtBefore`/`...AtAfter` keys an RFC 3339 time \
                     such as `2025-01-31T12:00:00Z`.",
                ),
        ],
    )
    .optional()
    .describe(description)
}

/// The list block's `config` as `T`; a list block without `config` filters nothing.
pub fn read<T: Serialize + DeserializeOwned + Default>(config: &Value) -> Result<T, Error> {
    if config.is_null() {
        return Ok(T::default());
    }
    model_from_value(config, &[])
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
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct VersionFilter {
    pub template_name: Option<String>,
    pub major_version: Option<String>,
}

impl VersionFilter {
    /// The versions this filter asks for: those of its template, or of every template
    /// `all_templates` names. A template deleted since it was listed is skipped: it has no versions
    /// left to find.
    pub async fn versions<V, T, TF, VF>(
        &self,
        all_templates: impl FnOnce() -> TF,
        versions_of: impl Fn(String) -> VF,
    ) -> Result<Vec<V>, Error>
    where
        TF: Future<Output = Result<Vec<T>, ApiError>>,
        T: TemplateName,
        VF: Future<Output = Result<Vec<V>, ApiError>>,
    {
        let templates = match &self.template_name {
            Some(name) => vec![name.clone()],
            None => all_templates()
                .await?
                .iter()
                .map(|t| t.template_name().to_string())
                .collect(),
        };
        let mut found = Vec::new();
        for template in templates {
            match versions_of(template).await {
                Ok(versions) => found.extend(versions),
                Err(error) if error.is_not_found() && self.template_name.is_none() => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(found)
    }
}

/// The name of a template as its kind's listing reports it.
pub trait TemplateName {
    fn template_name(&self) -> &str;
}

impl TemplateName for EnvironmentTemplateSummary {
    fn template_name(&self) -> &str {
        self.name()
    }
}

impl TemplateName for ServiceTemplateSummary {
    fn template_name(&self) -> &str {
        self.name()
    }
}

impl TemplateName for String {
    fn template_name(&self) -> &str {
        self
    }
}

/// The filter arguments of the template version list resources.
pub fn version_filters(what: &str) -> Vec<Attribute> {
    vec![template_name(what), major_version()]
}

/// The filter of the environment account connection list resources.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ConnectionFilter {
    pub environment_name: Option<String>,
    pub statuses: Option<Vec<String>>,
}

impl ConnectionFilter {
    /// The filter arguments of a connection listing; `environment` describes `environment_name`.
    pub fn attributes(environment: &str) -> Vec<Attribute> {
        vec![
            attributes::resource_name("environment_name")
                .optional()
                .describe(environment),
            connection_statuses(),
        ]
    }

    /// The IDs of the connections the list block's `config` asks for, of those `requester` asked for.
    pub async fn ids(
        ctx: &Ctx,
        requester: EnvironmentAccountConnectionRequesterAccountType,
        config: &Value,
    ) -> Result<Vec<String>, Error> {
        let filter: ConnectionFilter = read(config)?;
        Ok(ctx
            .api
            .list_environment_account_connections(
                requester,
                filter.environment_name.as_deref(),
                &filter.statuses(),
            )
            .await?
            .iter()
            .map(|c| c.id().to_string())
            .collect())
    }

    pub fn statuses(&self) -> Vec<EnvironmentAccountConnectionStatus> {
        self.statuses
            .iter()
            .flatten()
            .map(|s| EnvironmentAccountConnectionStatus::from(s.as_str()))
            .collect()
    }
}
