//! `proton_environment_account_connection_accepter`: the management account's side of an environment
//! account connection (accepts the request), like aws_vpc_peering_connection_accepter.

use serde::{Deserialize, Serialize};

use crate::aws::types::{
    EnvironmentAccountConnection as ApiConnection,
    EnvironmentAccountConnectionRequesterAccountType, EnvironmentAccountConnectionStatus,
};
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec, Timeouts};
use crate::tf::Value;
use crate::tf::schema::{Attribute, Validator};

use crate::shared::attributes;
use crate::shared::connection::Connection;
use crate::shared::list_filters::ConnectionFilter;

pub struct EnvironmentAccountConnectionAccepter;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Model {
    #[serde(flatten)]
    pub connection: Connection,
    pub codebuild_role_arn: Option<String>,
}

impl From<ApiConnection> for Model {
    fn from(connection: ApiConnection) -> Self {
        Self {
            codebuild_role_arn: connection.codebuild_role_arn().map(str::to_string),
            connection: Connection::from(&connection),
        }
    }
}

fn computed(name: &str, description: &str) -> Attribute {
    Attribute::string(name)
        .computed()
        .use_state_for_unknown()
        .describe(description)
}

impl Resource for EnvironmentAccountConnectionAccepter {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_environment_account_connection_accepter",
            description: "Accepts an AWS Proton environment account connection from the management account \
                (configure this resource with that account's provider). Creating it accepts a `PENDING` \
                connection (one already `CONNECTED` is simply taken over; a `REJECTED` one is an error). \
                Destroying it changes nothing in Proton: the connection stays connected until the \
                environment account deletes it (`proton_environment_account_connection`), as \
                aws_vpc_peering_connection_accepter leaves a peering in place.",
            version: 0,
            attributes: vec![
                Attribute::string("id")
                    .required()
                    .requires_replace()
                    .validate(Validator::pattern(
                        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                        "must be an environment account connection ID (a lowercase UUID)",
                    ))
                    .describe("ID of the connection to accept."),
                attributes::arn("environment account connection"),
                Attribute::string("status")
                    .computed()
                    .describe("`CONNECTED` once accepted; `REJECTED` if it was rejected since."),
                computed(
                    "management_account_id",
                    "This (the management) account's ID.",
                ),
                computed(
                    "environment_account_id",
                    "The account the environment is provisioned in.",
                ),
                computed(
                    "environment_name",
                    "The management account's environment the connection is for.",
                ),
                computed("role_arn", "The environment account's provisioning role."),
                computed(
                    "codebuild_role_arn",
                    "The environment account's CodeBuild provisioning role.",
                ),
                computed(
                    "component_role_arn",
                    "The environment account's role for directly defined components.",
                ),
                computed(
                    "requested_at",
                    "When the connection was requested (RFC 3339).",
                ),
                attributes::last_modified_at("environment account connection"),
            ],
            blocks: vec![],
            identity: &["id"],
            tags: false,
            timeouts: Timeouts::NONE,
            rules: vec![],
        }
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        let id = planned.connection.id.as_str();
        let connection = ctx
            .api
            .get_environment_account_connection(id)
            .await?
            .ok_or_else(|| {
                Error::Failed(format!(
                    "environment account connection {id} does not exist (or is not for this account)"
                ))
            })?;
        match connection.status() {
            EnvironmentAccountConnectionStatus::Connected => Ok(connection.into()),
            EnvironmentAccountConnectionStatus::Pending => Ok(ctx
                .api
                .accept_environment_account_connection(id)
                .await?
                .into()),
            other => Err(Error::Failed(format!(
                "environment account connection {id} is {} and cannot be accepted",
                other.as_str()
            ))
            .into()),
        }
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        Ok(ctx
            .api
            .get_environment_account_connection(&current.connection.id)
            .await?
            .map(Model::from))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        _prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        // Only the id is configurable and it replaces: nothing to change in Proton.
        let id = planned.connection.id.as_str();
        ctx.api
            .get_environment_account_connection(id)
            .await?
            .map(Model::from)
            .ok_or_else(|| {
                Error::Failed(format!(
                    "environment account connection {id} no longer exists"
                ))
                .into()
            })
    }

    /// Leaves the connection as it is (see the resource description).
    async fn delete(&self, _ctx: &Ctx, current: Model) -> Result<(), Error> {
        tracing::info!(
            id = %current.connection.id,
            "destroying the accepter leaves the environment account connection in place"
        );
        Ok(())
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Environment account connections other accounts asked this account (the management \
                account) to accept, optionally for one environment and in some statuses only.",
            filters: ConnectionFilter::attributes("Only connections for this environment."),
        })
    }

    async fn list(&self, ctx: &Ctx, filter: &Value) -> Result<Vec<Model>, Error> {
        let requester = EnvironmentAccountConnectionRequesterAccountType::ManagementAccount;
        Ok(ConnectionFilter::ids(ctx, requester, filter)
            .await?
            .into_iter()
            .map(|id| Model {
                connection: Connection {
                    id,
                    ..Connection::default()
                },
                ..Model::default()
            })
            .collect())
    }
}
