//! `proton_repository`, `proton_repositories` and `proton_repository_sync_definitions`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::RepositorySync;
use crate::aws::types::{RepositorySummary, RepositorySyncDefinition};
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::resources::repository::Model as RepositoryModel;
use crate::shared::attributes::{repository_name, repository_provider};
use crate::tf::schema::{Attribute, Validator};

use super::shape::{self, computed, missing};

/// The repository arguments every repository data source starts with.
pub fn repository_arguments(name: &str) -> Vec<Attribute> {
    vec![
        repository_provider("repository_provider").required().describe(
            "Where the repository is hosted: `GITHUB`, `GITHUB_ENTERPRISE` or `BITBUCKET` (the API's \
             `provider`; Terraform reserves that name).",
        ),
        repository_name(name)
            .required()
            .describe("The repository, as `owner/repository`."),
    ]
}

pub fn sync_type() -> Attribute {
    Attribute::string("sync_type")
        .required()
        .validate(Validator::one_of(&["TEMPLATE_SYNC", "SERVICE_SYNC"]))
        .describe("`TEMPLATE_SYNC` or `SERVICE_SYNC`.")
}

/// `data "proton_repository"`.
pub struct Repository;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct One {
    #[serde(flatten)]
    pub repository: RepositoryModel,
    pub tags: Option<BTreeMap<String, String>>,
}

impl DataSource for Repository {
    type Model = One;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = repository_arguments("name");
        attributes.extend([
            computed(
                "connection_arn",
                "ARN of the AWS CodeStar connection that reaches the repository.",
            ),
            computed(
                "encryption_key",
                "ARN of the customer managed KMS key, if any.",
            ),
            shape::arn("repository link"),
            shape::tags("repository link"),
        ]);
        DataSourceSpec {
            type_name: "proton_repository",
            description: "Reads a repository linked to AWS Proton, by provider and name.",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: One) -> Result<One, Error> {
        let (provider, name) = (
            config.repository.repository_provider,
            config.repository.name,
        );
        let found = ctx
            .api
            .get_repository(&provider, &name)
            .await?
            .ok_or_else(|| missing(format!("{provider} repository named {name:?}")))?;
        let tags = ctx.api.list_tags(found.arn()).await?;
        Ok(One {
            repository: found.into(),
            tags: Some(tags),
        })
    }
}

/// A repository link as ListRepositories describes it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Item {
    pub repository_provider: String,
    pub name: String,
    pub arn: String,
    pub connection_arn: String,
}

impl From<&RepositorySummary> for Item {
    fn from(r: &RepositorySummary) -> Self {
        Self {
            repository_provider: r.provider().as_str().to_string(),
            name: r.name().to_string(),
            arn: r.arn().to_string(),
            connection_arn: r.connection_arn().to_string(),
        }
    }
}

/// `data "proton_repositories"`.
pub struct Repositories;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Many {
    pub repositories: Option<Vec<Item>>,
}

impl DataSource for Repositories {
    type Model = Many;

    fn spec(&self) -> DataSourceSpec {
        DataSourceSpec {
            type_name: "proton_repositories",
            description: "Lists every repository linked to AWS Proton in the account and region.",
            attributes: vec![shape::list(
                "repositories",
                "The repository links.",
                vec![
                    computed(
                        "repository_provider",
                        "`GITHUB`, `GITHUB_ENTERPRISE` or `BITBUCKET`.",
                    ),
                    computed("name", "The repository, as `owner/repository`."),
                    shape::arn("repository link"),
                    computed("connection_arn", "ARN of the AWS CodeStar connection."),
                ],
            )],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, _config: Many) -> Result<Many, Error> {
        let found = ctx.api.list_repositories().await?;
        Ok(Many {
            repositories: Some(found.iter().map(Item::from).collect()),
        })
    }
}

/// What a repository syncs: one definition per template or service.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Definition {
    pub target: String,
    pub parent: String,
    pub branch: String,
    pub directory: String,
}

impl From<&RepositorySyncDefinition> for Definition {
    fn from(d: &RepositorySyncDefinition) -> Self {
        Self {
            target: d.target().to_string(),
            parent: d.parent().to_string(),
            branch: d.branch().to_string(),
            directory: d.directory().to_string(),
        }
    }
}

/// `data "proton_repository_sync_definitions"`.
pub struct RepositorySyncDefinitions;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Definitions {
    pub repository_provider: String,
    pub repository_name: String,
    pub sync_type: String,
    pub sync_definitions: Option<Vec<Definition>>,
}

impl DataSource for RepositorySyncDefinitions {
    type Model = Definitions;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = repository_arguments("repository_name");
        attributes.push(sync_type());
        attributes.push(shape::list(
            "sync_definitions",
            "What the repository syncs: one definition per synced template or service.",
            vec![
                computed(
                    "target",
                    "The synced object: a template name, or a service name.",
                ),
                computed("parent", "The object the target belongs to."),
                computed("branch", "The branch synced from."),
                computed(
                    "directory",
                    "The directory (template sync) or file (service sync) synced from.",
                ),
            ],
        ));
        DataSourceSpec {
            type_name: "proton_repository_sync_definitions",
            description: "Lists what a linked repository syncs into AWS Proton: templates \
                (`TEMPLATE_SYNC`) or services (`SERVICE_SYNC`).",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: Definitions) -> Result<Definitions, Error> {
        let found = ctx
            .api
            .list_repository_sync_definitions(RepositorySync {
                provider: &config.repository_provider,
                name: &config.repository_name,
                sync_type: &config.sync_type,
            })
            .await?;
        Ok(Definitions {
            sync_definitions: Some(found.iter().map(Definition::from).collect()),
            ..config
        })
    }
}
