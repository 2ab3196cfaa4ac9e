//! `proton_environment` (one environment by name) and `proton_environments` (every environment,
//! optionally of some template major versions).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::TemplateMajor;
use crate::aws::types::{Environment as ApiEnvironment, EnvironmentSummary, RepositoryBranch};
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::shared::attributes::version_part;
use crate::tf::schema::{Attribute, Nesting};

use crate::shared::deployment::{self, DeploymentFields};

use super::shape::{self, computed, missing, text};

/// One environment as a listing describes it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Item {
    pub name: String,
    pub description: Option<String>,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub template_name: Option<String>,
    pub template_major_version: Option<String>,
    pub template_minor_version: Option<String>,
    pub proton_service_role_arn: Option<String>,
    pub environment_account_connection_id: Option<String>,
    pub environment_account_id: Option<String>,
    pub provisioning: Option<String>,
    pub component_role_arn: Option<String>,
    #[serde(flatten)]
    pub deployment: DeploymentFields,
}

macro_rules! item_from {
    ($($ty:ty),*) => {$(
        impl From<&$ty> for Item {
            fn from(e: &$ty) -> Self {
                Self {
                    name: e.name().to_string(),
                    description: text(e.description()),
                    arn: Some(e.arn().to_string()),
                    created_at: Some(crate::aws::timestamp(e.created_at())),
                    template_name: Some(e.template_name().to_string()),
                    template_major_version: Some(e.template_major_version().to_string()),
                    template_minor_version: Some(e.template_minor_version().to_string()),
                    proton_service_role_arn: text(e.proton_service_role_arn()),
                    environment_account_connection_id: text(e.environment_account_connection_id()),
                    environment_account_id: text(e.environment_account_id()),
                    provisioning: e.provisioning().map(|p| p.as_str().to_string()),
                    component_role_arn: text(e.component_role_arn()),
                    deployment: DeploymentFields::listed(e),
                }
            }
        }
    )*};
}

item_from!(ApiEnvironment, EnvironmentSummary);

fn item_attributes() -> Vec<Attribute> {
    [
        computed("name", "Name of the environment."),
        computed("description", "Description of the environment."),
        shape::arn("environment"),
        shape::created_at("environment"),
        computed(
            "template_name",
            "The environment template it is deployed from.",
        ),
        computed("template_major_version", "Major version of the template."),
        computed("template_minor_version", "Minor version of the template."),
        computed(
            "proton_service_role_arn",
            "IAM role Proton provisions the environment with, if it uses one.",
        ),
        computed(
            "environment_account_connection_id",
            "The environment account connection it is provisioned through, if any.",
        ),
        computed(
            "environment_account_id",
            "The account it is provisioned in, when it uses a connection.",
        ),
        computed(
            "provisioning",
            "`CUSTOMER_MANAGED` for a customer-managed template (infrastructure provisioned outside Proton), else null.",
        ),
        computed(
            "component_role_arn",
            "IAM role Proton uses for directly defined components, if set.",
        ),
    ]
    .into_iter()
    .chain(deployment::data_source_attributes("environment"))
    .collect()
}

/// A linked repository branch (self-managed provisioning).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Branch {
    pub arn: String,
    pub provider: String,
    pub name: String,
    pub branch: String,
}

impl From<&RepositoryBranch> for Branch {
    fn from(b: &RepositoryBranch) -> Self {
        Self {
            arn: b.arn().to_string(),
            provider: b.provider().as_str().to_string(),
            name: b.name().to_string(),
            branch: b.branch().to_string(),
        }
    }
}

pub fn branch_attributes() -> Vec<Attribute> {
    vec![
        computed("arn", "ARN of the repository link."),
        computed("provider", "`GITHUB`, `GITHUB_ENTERPRISE` or `BITBUCKET`."),
        computed("name", "The repository, as `owner/name`."),
        computed("branch", "The branch."),
    ]
}

/// `data "proton_environment"`.
pub struct Environment;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct One {
    #[serde(flatten)]
    pub environment: Item,
    pub spec: Option<String>,
    pub codebuild_role_arn: Option<String>,
    pub provisioning_repository: Option<Branch>,
    pub tags: Option<BTreeMap<String, String>>,
}

impl DataSource for Environment {
    type Model = One;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = shape::keyed(
            vec![shape::name_argument("name", "Name of the environment.")],
            item_attributes(),
        );
        attributes.extend([
            computed("spec", "The environment's spec (YAML) as last deployed."),
            computed(
                "codebuild_role_arn",
                "IAM role for CodeBuild-based provisioning, if set.",
            ),
            shape::object(
                "provisioning_repository",
                "The repository self-managed provisioning opens pull requests in, if any.",
                branch_attributes(),
            ),
            shape::tags("environment"),
        ]);
        DataSourceSpec {
            type_name: "proton_environment",
            description: "Reads an AWS Proton environment by name: its template version, roles, \
                deployment status and spec.",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: One) -> Result<One, Error> {
        let name = config.environment.name;
        let found = ctx
            .api
            .get_environment(&name)
            .await?
            .ok_or_else(|| missing(format!("environment named {name:?}")))?;
        let tags = ctx.api.list_tags(found.arn()).await?;
        Ok(One {
            environment: Item::from(&found),
            spec: found.spec().map(str::to_string),
            codebuild_role_arn: text(found.codebuild_role_arn()),
            provisioning_repository: found.provisioning_repository().map(Branch::from),
            tags: Some(tags),
        })
    }
}

/// `data "proton_environments"`.
pub struct Environments;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TemplateFilter {
    pub template_name: String,
    pub major_version: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Many {
    pub environment_templates: Option<Vec<TemplateFilter>>,
    pub environments: Option<Vec<Item>>,
}

impl DataSource for Environments {
    type Model = Many;

    fn spec(&self) -> DataSourceSpec {
        DataSourceSpec {
            type_name: "proton_environments",
            description: "Lists AWS Proton environments: every one, or those deployed from some \
                environment template major versions.",
            attributes: vec![
                Attribute::nested(
                    "environment_templates",
                    Nesting::List,
                    vec![
                        shape::name_argument("template_name", "Name of an environment template."),
                        version_part("major_version")
                            .required()
                            .describe("One of its major versions (`\"1\"`)."),
                    ],
                )
                .optional()
                .describe("Only environments deployed from one of these template major versions."),
                shape::list(
                    "environments",
                    "The environments, as ListEnvironments describes them (no spec).",
                    item_attributes(),
                ),
            ],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: Many) -> Result<Many, Error> {
        let filters: Vec<TemplateMajor<'_>> = config
            .environment_templates
            .iter()
            .flatten()
            .map(|f| TemplateMajor {
                template_name: &f.template_name,
                major_version: &f.major_version,
            })
            .collect();
        let environments = ctx.api.list_environments(&filters).await?;
        Ok(Many {
            environments: Some(environments.iter().map(Item::from).collect()),
            ..config
        })
    }
}
