//! `proton_account_settings`: the one set of Proton settings of an account in a region.

use serde::{Deserialize, Serialize};

use crate::aws::SettingsChanges;
use crate::aws::types::AccountSettings as ApiSettings;
use crate::engine::{Ctx, Error, Failure, Resource, ResourceSpec, Timeouts};
use crate::tf::schema::{Attribute, Nesting, Validator};

use crate::shared::attributes;
use crate::shared::repository_branch::Repository;

pub struct AccountSettings;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub region: Option<String>,
    pub pipeline_service_role_arn: Option<String>,
    pub pipeline_codebuild_role_arn: Option<String>,
    pub pipeline_provisioning_repository: Option<Repository>,
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.filter(|t| !t.is_empty()).map(str::to_string)
}

impl Model {
    fn reported(settings: &ApiSettings, region: Option<String>) -> Self {
        Self {
            region,
            pipeline_service_role_arn: non_empty(settings.pipeline_service_role_arn()),
            pipeline_codebuild_role_arn: non_empty(settings.pipeline_codebuild_role_arn()),
            pipeline_provisioning_repository: settings
                .pipeline_provisioning_repository()
                .map(Repository::from),
        }
    }
}

/// A role ARN to send: the wanted one, or "" to clear it, when it differs from the current one.
fn role<'a>(wanted: &'a Option<String>, now: &Option<String>) -> Option<&'a str> {
    (wanted != now).then(|| wanted.as_deref().unwrap_or_default())
}

impl Model {
    /// The calls that turn `current` into `self`; empty strings clear role ARNs.
    fn changes_from(&self, current: &Model) -> SettingsChanges<'_> {
        let repository = (self.pipeline_provisioning_repository
            != current.pipeline_provisioning_repository)
            .then(|| {
                self.pipeline_provisioning_repository
                    .as_ref()
                    .map(Repository::to_send)
            });
        SettingsChanges {
            pipeline_service_role_arn: role(
                &self.pipeline_service_role_arn,
                &current.pipeline_service_role_arn,
            ),
            pipeline_codebuild_role_arn: role(
                &self.pipeline_codebuild_role_arn,
                &current.pipeline_codebuild_role_arn,
            ),
            pipeline_provisioning_repository: repository,
        }
    }
}

fn is_empty(changes: &SettingsChanges<'_>) -> bool {
    changes.pipeline_service_role_arn.is_none()
        && changes.pipeline_codebuild_role_arn.is_none()
        && changes.pipeline_provisioning_repository.is_none()
}

/// The provider's region, which is where these settings live.
fn region(ctx: &Ctx) -> Result<String, Error> {
    ctx.api.region().ok_or_else(|| {
        Error::Invalid("the provider has no region; set `region` in the provider block".into())
    })
}

/// Settings are per region: an object of another region cannot be managed through this provider.
fn check_region(ctx: &Ctx, current: &Model) -> Result<String, Error> {
    let here = region(ctx)?;
    match current.region.as_deref() {
        Some(there) if there != here => Err(Error::Invalid(format!(
            "these account settings belong to region {there}, but the provider is configured for {here}"
        ))),
        _ => Ok(here),
    }
}

impl AccountSettings {
    /// Makes the settings what `wanted` says, from whatever they are now.
    async fn apply(&self, ctx: &Ctx, wanted: &Model, region: String) -> Result<Model, Error> {
        let settings = ctx.api.get_account_settings().await?;
        let current = Model::reported(&settings, Some(region.clone()));
        let changes = wanted.changes_from(&current);
        if is_empty(&changes) {
            return Ok(current);
        }
        let updated = ctx.api.update_account_settings(changes).await?;
        Ok(Model::reported(&updated, Some(region)))
    }
}

impl Resource for AccountSettings {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_account_settings",
            description: "The AWS Proton settings of the account in the provider's region (one per account \
                and region). Creating this resource takes the settings over as configured (unset arguments \
                are cleared); destroying it resets them: role ARNs cleared, provisioning repository removed.",
            version: 0,
            attributes: vec![
                Attribute::string("region")
                    .computed()
                    .use_state_for_unknown()
                    .describe(
                        "The region whose settings these are: the provider's region. It identifies the \
                         settings, so it is the import ID.",
                    ),
                Attribute::string("pipeline_service_role_arn")
                    .optional()
                    .validate(Validator::IamRoleArn)
                    .describe("IAM role Proton uses to provision pipelines it manages."),
                Attribute::string("pipeline_codebuild_role_arn")
                    .optional()
                    .validate(Validator::IamRoleArn)
                    .describe("IAM role Proton uses for CodeBuild-provisioned pipelines."),
                Attribute::nested(
                    "pipeline_provisioning_repository",
                    Nesting::Single,
                    vec![
                        attributes::repository_provider("provider")
                            .required()
                            .describe("Where the repository is hosted."),
                        attributes::repository_name("name")
                            .required()
                            .describe("The linked repository as `owner/repository`."),
                        attributes::branch("branch")
                            .required()
                            .describe("The branch Proton opens pull requests against."),
                    ],
                )
                .optional()
                .describe(
                    "Linked repository (see `proton_repository`) for self-managed pipeline provisioning. \
                     Removing it removes the repository from the settings.",
                ),
            ],
            blocks: vec![],
            identity: &["region"],
            tags: false,
            timeouts: Timeouts::NONE,
            rules: vec![],
        }
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        let here = region(ctx)?;
        Ok(self.apply(ctx, &planned, here).await?)
    }

    /// The settings always exist; an out-of-band reset shows as a change to the arguments.
    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        let here = check_region(ctx, &current)?;
        let settings = ctx.api.get_account_settings().await?;
        Ok(Some(Model::reported(&settings, Some(here))))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let here = check_region(ctx, &prior)?;
        Ok(self.apply(ctx, &planned, here).await?)
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        let here = check_region(ctx, &current)?;
        self.apply(ctx, &Model::default(), here).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_clear_with_empty_strings_and_remove_the_repository() {
        let current = Model {
            region: Some("us-east-1".into()),
            pipeline_service_role_arn: Some("arn:aws:iam::123456789012:role/a".into()),
            pipeline_codebuild_role_arn: None,
            pipeline_provisioning_repository: Some(Repository {
                provider: "GITHUB".into(),
                name: "o/r".into(),
                branch: "main".into(),
            }),
        };
        let reset = Model::default();
        let changes = reset.changes_from(&current);
        assert_eq!(changes.pipeline_service_role_arn, Some(""));
        assert_eq!(changes.pipeline_codebuild_role_arn, None);
        assert!(matches!(
            changes.pipeline_provisioning_repository,
            Some(None)
        ));
        let same = Model {
            region: None,
            pipeline_service_role_arn: current.pipeline_service_role_arn.clone(),
            pipeline_codebuild_role_arn: None,
            pipeline_provisioning_repository: current.pipeline_provisioning_repository.clone(),
        };
        assert!(is_empty(&same.changes_from(&current)));
    }
}
