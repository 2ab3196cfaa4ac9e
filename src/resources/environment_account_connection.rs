//! `proton_environment_account_connection`: a request, made from an environment account, that lets a
//! management account's environment be provisioned in this account.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::aws::deployment_status::{self as phase, Phase};
use crate::aws::types::{
    EnvironmentAccountConnection as ApiConnection, EnvironmentAccountConnectionRequesterAccountType,
};
use crate::aws::{NewEnvironmentAccountConnection, timestamp};
use crate::engine::wait::{Poll, wait_for};
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec, Timeouts};
use crate::tf::Value;
use crate::tf::schema::{Attribute, Validator};

use crate::shared::attributes;
use crate::shared::changed_value;
use crate::shared::list_filters::ConnectionFilter;

pub struct EnvironmentAccountConnection;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub id: Option<String>,
    pub management_account_id: Option<String>,
    pub environment_name: Option<String>,
    pub role_arn: Option<String>,
    pub codebuild_role_arn: Option<String>,
    pub component_role_arn: Option<String>,
    pub wait_for_connected: Option<bool>,
    pub arn: Option<String>,
    pub status: Option<String>,
    pub environment_account_id: Option<String>,
    pub requested_at: Option<String>,
    pub last_modified_at: Option<String>,
}

impl Model {
    pub(crate) fn reported(connection: ApiConnection, known: &Model) -> Self {
        Self {
            id: Some(connection.id().to_string()),
            management_account_id: Some(connection.management_account_id().to_string()),
            environment_name: Some(connection.environment_name().to_string()),
            role_arn: Some(connection.role_arn().to_string()).filter(|r| !r.is_empty()),
            codebuild_role_arn: connection.codebuild_role_arn().map(str::to_string),
            component_role_arn: connection.component_role_arn().map(str::to_string),
            wait_for_connected: Some(known.wait_for_connected.unwrap_or(false)),
            arn: Some(connection.arn().to_string()),
            status: Some(connection.status().as_str().to_string()),
            environment_account_id: Some(connection.environment_account_id().to_string()),
            requested_at: Some(timestamp(connection.requested_at())),
            last_modified_at: Some(timestamp(connection.last_modified_at())),
        }
    }
}

pub(crate) fn role(name: &str) -> Attribute {
    Attribute::string(name)
        .validate(Validator::length(1, 2048))
        .validate(Validator::IamRoleArn)
}

/// Waits while the connection is PENDING; REJECTED is an error. The connection as last seen comes
/// back either way (it exists, so a failed create keeps it in state).
pub(crate) async fn wait_connected(
    ctx: &Ctx,
    id: &str,
    known: &Model,
) -> Result<Model, Failure<Model>> {
    let what = format!("environment account connection {id} to be accepted");
    let last = std::sync::Mutex::new(None);
    let outcome = wait_for(ctx, &what, || async {
        let Some(connection) = ctx.api.get_environment_account_connection(id).await? else {
            return Ok(Poll::Done(None));
        };
        if phase::connection(connection.status()) == Phase::Working {
            let status = connection.status().as_str().to_string();
            if let Ok(mut slot) = last.lock() {
                *slot = Some(connection);
            }
            return Ok(Poll::Pending(status));
        }
        Ok(Poll::Done(Some(connection)))
    })
    .await;
    let reported = |connection| Model::reported(connection, known);
    match outcome {
        Ok(Some(connection)) if phase::connection(connection.status()) == Phase::Succeeded => {
            Ok(reported(connection))
        }
        Ok(Some(connection)) => Err(Failure::with_state(
            Error::Failed(format!(
                "environment account connection {id} was {}",
                connection.status().as_str()
            )),
            reported(connection),
        )),
        Ok(None) => {
            Err(Error::Failed(format!("environment account connection {id} was deleted")).into())
        }
        Err(error) => Err(Failure {
            error,
            state: last.into_inner().ok().flatten().map(reported),
        }),
    }
}

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, Error> {
    value
        .as_deref()
        .ok_or_else(|| Error::Invalid(format!("{name} must be known to request a connection")))
}

impl Resource for EnvironmentAccountConnection {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_environment_account_connection",
            description: "An AWS Proton environment account connection, requested from the environment \
                account (configure this resource with that account's provider): it lets one environment of \
                the management account be provisioned in this account. The management account accepts it \
                with `proton_environment_account_connection_accepter` (or in the console). Only the \
                environment account can update or delete it.\n\n\
                Destroying it deletes the connection, even while an environment uses it: Proton then \
                can't manage that environment's infrastructure until a new connection for the same \
                environment account and environment is accepted, and what the environment provisioned \
                is left for you to clean up. Destroy the environment first (or give it a new connection) \
                unless that is what you want.",
            version: 0,
            attributes: vec![
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("ID of the connection (what the management account accepts)."),
                Attribute::string("management_account_id")
                    .required()
                    .requires_replace()
                    .validate(Validator::pattern(r"\d{12}", "must be a 12-digit AWS account ID"))
                    .describe("The management account: where the environment and its templates live."),
                attributes::resource_name("environment_name")
                    .required()
                    .requires_replace()
                    .describe("Name of the management account's environment this connection is for."),
                role("role_arn").optional_computed().use_state_for_unknown().describe(
                    "IAM role in this account that Proton uses to provision the environment. This or \
                     `codebuild_role_arn` is needed; Proton cannot remove it once set.",
                ),
                role("codebuild_role_arn")
                    .optional_computed()
                    .use_state_for_unknown()
                    .describe(
                        "IAM role in this account for CodeBuild-based provisioning. Proton cannot remove \
                         it once set.",
                    ),
                role("component_role_arn")
                    .optional_computed()
                    .use_state_for_unknown()
                    .describe(
                        "IAM role in this account for directly defined components of the environment. \
                         Proton cannot remove it once set.",
                    ),
                Attribute::bool("wait_for_connected")
                    .default_value(Value::Bool(false))
                    .describe(
                        "Make create wait (up to the create timeout) until the management account accepts \
                         the connection; a rejection fails the apply. Leave it false when the same \
                         configuration accepts it (the accepter needs this resource's `id` first).",
                    ),
                attributes::arn("environment account connection"),
                Attribute::string("status")
                    .computed()
                    .describe("`PENDING`, `CONNECTED` or `REJECTED`; the management account moves it on."),
                Attribute::string("environment_account_id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("This (the environment) account's ID."),
                Attribute::string("requested_at")
                    .computed()
                    .use_state_for_unknown()
                    .describe("When the connection was requested (RFC 3339)."),
                attributes::last_modified_at("environment account connection"),
            ],
            blocks: vec![],
            identity: &["id"],
            tags: true,
            timeouts: Timeouts {
                create: Some(Duration::from_secs(30 * 60)),
                update: None,
                delete: None,
            },
            rules: vec![],
        }
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        let created = ctx
            .api
            .create_environment_account_connection(NewEnvironmentAccountConnection {
                management_account_id: required(
                    &planned.management_account_id,
                    "management_account_id",
                )?,
                environment_name: required(&planned.environment_name, "environment_name")?,
                role_arn: planned.role_arn.as_deref(),
                codebuild_role_arn: planned.codebuild_role_arn.as_deref(),
                component_role_arn: planned.component_role_arn.as_deref(),
                tags: &ctx.tags,
                client_token: &ctx.client_token,
            })
            .await?;
        let id = created.id().to_string();
        if planned.wait_for_connected != Some(true)
            || phase::connection(created.status()) != Phase::Working
        {
            return Ok(Model::reported(created, &planned));
        }
        wait_connected(ctx, &id, &planned).await
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        let Some(id) = current.id.as_deref() else {
            return Ok(None);
        };
        Ok(ctx
            .api
            .get_environment_account_connection(id)
            .await?
            .map(|connection| Model::reported(connection, &current)))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let id = required(&prior.id, "id")?;
        let role = changed_value(&planned.role_arn, &prior.role_arn);
        let codebuild = changed_value(&planned.codebuild_role_arn, &prior.codebuild_role_arn);
        let component = changed_value(&planned.component_role_arn, &prior.component_role_arn);
        let connection = if role.is_some() || codebuild.is_some() || component.is_some() {
            ctx.api
                .update_environment_account_connection(id, role, codebuild, component)
                .await?
        } else {
            ctx.api
                .get_environment_account_connection(id)
                .await?
                .ok_or_else(|| {
                    Error::Failed(format!(
                        "environment account connection {id} no longer exists"
                    ))
                })?
        };
        Ok(Model::reported(connection, &planned))
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        match current.id.as_deref() {
            Some(id) => Ok(ctx.api.delete_environment_account_connection(id).await?),
            None => Ok(()),
        }
    }

    fn move_from(
        &self,
        source_type: &str,
        source: &serde_json::Value,
    ) -> Option<serde_json::Value> {
        (source_type == "awscc_proton_environment_account_connection")
            .then(|| crate::shared::awscc::moved_connection_state(source))
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Environment account connections this account (the environment account) requested, \
                optionally for one environment and in some statuses only.",
            filters: ConnectionFilter::attributes(
                "Only connections for this environment (in the management account).",
            ),
        })
    }

    async fn list(&self, ctx: &Ctx, filter: &Value) -> Result<Vec<Model>, Error> {
        let requester = EnvironmentAccountConnectionRequesterAccountType::EnvironmentAccount;
        Ok(ConnectionFilter::ids(ctx, requester, filter)
            .await?
            .into_iter()
            .map(|id| Model {
                id: Some(id),
                ..Model::default()
            })
            .collect())
    }
}
