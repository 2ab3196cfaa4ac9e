//! `proton_account_settings` and `proton_resources_summary`: what holds for the whole account and
//! region.

use serde::{Deserialize, Serialize};

use crate::aws::types::ResourceCountsSummary;
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::tf::schema::Attribute;

use super::environments::{Branch, branch_attributes};
use super::shape::{self, computed, text};

/// `data "proton_account_settings"`.
pub struct AccountSettings;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Settings {
    pub region: Option<String>,
    pub pipeline_service_role_arn: Option<String>,
    pub pipeline_codebuild_role_arn: Option<String>,
    pub pipeline_provisioning_repository: Option<Branch>,
}

impl DataSource for AccountSettings {
    type Model = Settings;

    fn spec(&self) -> DataSourceSpec {
        DataSourceSpec {
            type_name: "proton_account_settings",
            description: "Reads the AWS Proton settings of the account in the provider's region.",
            attributes: vec![
                computed(
                    "region",
                    "The region the settings belong to (the provider's).",
                ),
                computed(
                    "pipeline_service_role_arn",
                    "IAM role Proton provisions pipelines it manages with, if set.",
                ),
                computed(
                    "pipeline_codebuild_role_arn",
                    "IAM role for CodeBuild-provisioned pipelines, if set.",
                ),
                shape::object(
                    "pipeline_provisioning_repository",
                    "The repository self-managed pipeline provisioning opens pull requests in, if set.",
                    branch_attributes(),
                ),
            ],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, _config: Settings) -> Result<Settings, Error> {
        let settings = ctx.api.get_account_settings().await?;
        Ok(Settings {
            region: ctx.api.region(),
            pipeline_service_role_arn: text(settings.pipeline_service_role_arn()),
            pipeline_codebuild_role_arn: text(settings.pipeline_codebuild_role_arn()),
            pipeline_provisioning_repository: settings
                .pipeline_provisioning_repository()
                .map(Branch::from),
        })
    }
}

/// How many objects of one kind there are, and how up to date.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Counts {
    pub total: i64,
    pub failed: Option<i64>,
    pub up_to_date: Option<i64>,
    pub behind_major: Option<i64>,
    pub behind_minor: Option<i64>,
}

impl From<&ResourceCountsSummary> for Counts {
    fn from(c: &ResourceCountsSummary) -> Self {
        Self {
            total: i64::from(c.total()),
            failed: c.failed().map(i64::from),
            up_to_date: c.up_to_date().map(i64::from),
            behind_major: c.behind_major().map(i64::from),
            behind_minor: c.behind_minor().map(i64::from),
        }
    }
}

/// `data "proton_resources_summary"`.
pub struct ResourcesSummary;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    pub environment_templates: Option<Counts>,
    pub environments: Option<Counts>,
    pub service_templates: Option<Counts>,
    pub services: Option<Counts>,
    pub service_instances: Option<Counts>,
    pub pipelines: Option<Counts>,
    pub components: Option<Counts>,
}

fn counts(name: &str, what: &str) -> Attribute {
    shape::object(
        name,
        &format!("Counts of {what}."),
        vec![
            shape::number("total", "How many there are."),
            shape::number("failed", "How many failed their last deployment."),
            shape::number(
                "up_to_date",
                "How many run the recommended version of their template.",
            ),
            shape::number(
                "behind_major",
                "How many run an older major version than the recommended one.",
            ),
            shape::number(
                "behind_minor",
                "How many run an older minor version of the recommended major version.",
            ),
        ],
    )
}

impl DataSource for ResourcesSummary {
    type Model = Summary;

    fn spec(&self) -> DataSourceSpec {
        DataSourceSpec {
            type_name: "proton_resources_summary",
            description: "Reads how many AWS Proton objects of each kind the account has in the region, \
                and how many are failed or behind their template's recommended version.",
            attributes: vec![
                counts("environment_templates", "environment templates"),
                counts("environments", "environments"),
                counts("service_templates", "service templates"),
                counts("services", "services"),
                counts("service_instances", "service instances"),
                counts("pipelines", "service pipelines"),
                counts("components", "components"),
            ],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, _config: Summary) -> Result<Summary, Error> {
        let found = ctx.api.get_resources_summary().await?;
        Ok(Summary {
            environment_templates: found.environment_templates().map(Counts::from),
            environments: found.environments().map(Counts::from),
            service_templates: found.service_templates().map(Counts::from),
            services: found.services().map(Counts::from),
            service_instances: found.service_instances().map(Counts::from),
            pipelines: found.pipelines().map(Counts::from),
            components: found.components().map(Counts::from),
        })
    }
}
