//! `proton_repository`: a Git repository linked to Proton through a CodeStar connection, used for
//! template sync, service sync and self-managed provisioning.

use serde::{Deserialize, Serialize};

use crate::aws::NewRepository;
use crate::aws::types::Repository as ApiRepository;
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec, Timeouts};
use crate::tf::Value;
use crate::tf::schema::{Attribute, Validator};

use crate::shared::attributes;

pub struct Repository;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Model {
    /// `provider` is a meta-argument Terraform reserves in resource blocks, hence the longer name.
    pub repository_provider: String,
    pub name: String,
    /// Optional only in the model: an import starts from the key alone.
    pub connection_arn: Option<String>,
    pub encryption_key: Option<String>,
    pub arn: Option<String>,
}

impl From<ApiRepository> for Model {
    fn from(repository: ApiRepository) -> Self {
        Self {
            repository_provider: repository.provider().as_str().to_string(),
            name: repository.name().to_string(),
            connection_arn: Some(repository.connection_arn().to_string()),
            encryption_key: repository.encryption_key().map(str::to_string),
            arn: Some(repository.arn().to_string()),
        }
    }
}

impl Resource for Repository {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_repository",
            description: "A Git repository linked to AWS Proton through an AWS CodeStar connection. Proton \
                cannot change a link: every argument but `tags` replaces it, and Proton refuses to delete a link that \
                sync configurations, account settings or environments still use, so move those off it first.",
            version: 0,
            attributes: vec![
                attributes::repository_provider("repository_provider")
                    .required()
                    .requires_replace()
                    .describe(
                        "Where the repository is hosted (the API's `provider`; Terraform reserves that name).",
                    ),
                attributes::repository_name("name")
                    .required()
                    .requires_replace()
                    .describe("The repository as `owner/repository`."),
                Attribute::string("connection_arn")
                    .required()
                    .requires_replace()
                    .validate(Validator::length(1, 200))
                    .validate(Validator::Arn)
                    .describe("ARN of the AWS CodeStar connection that reaches the repository."),
                attributes::encryption_key().optional().requires_replace().describe(
                    "ARN of a customer managed KMS key that encrypts the repository's data in Proton.",
                ),
                attributes::arn("repository link"),
            ],
            blocks: vec![],
            identity: &["repository_provider", "name"],
            tags: true,
            timeouts: Timeouts::NONE,
            rules: vec![],
        }
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        let created = ctx
            .api
            .create_repository(NewRepository {
                provider: &planned.repository_provider,
                name: &planned.name,
                connection_arn: planned.connection_arn.as_deref().unwrap_or_default(),
                encryption_key: planned.encryption_key.as_deref(),
                tags: &ctx.tags,
            })
            .await?;
        Ok(created.into())
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        Ok(ctx
            .api
            .get_repository(&current.repository_provider, &current.name)
            .await?
            .map(Model::from))
    }

    /// Only tags change in place, and the engine handles those; this just reports the link.
    async fn update(
        &self,
        ctx: &Ctx,
        _prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        match ctx
            .api
            .get_repository(&planned.repository_provider, &planned.name)
            .await?
        {
            Some(found) => Ok(found.into()),
            None => Err(Error::Invalid(format!(
                "repository {}:{} no longer exists",
                planned.repository_provider, planned.name
            ))
            .into()),
        }
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        Ok(ctx
            .api
            .delete_repository(&current.repository_provider, &current.name)
            .await?)
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Every repository linked to Proton in the account and region.",
            filters: vec![],
        })
    }

    async fn list(&self, ctx: &Ctx, _filter: &Value) -> Result<Vec<Model>, Error> {
        Ok(ctx
            .api
            .list_repositories()
            .await?
            .iter()
            .map(|r| Model {
                repository_provider: r.provider().as_str().to_string(),
                name: r.name().to_string(),
                ..Model::default()
            })
            .collect())
    }
}
