//! `proton_environment_account_connection` (one connection by ID) and
//! `proton_environment_account_connections` (those this account requested or was asked to accept).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::types::{
    EnvironmentAccountConnectionRequesterAccountType, EnvironmentAccountConnectionStatus,
};
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::shared::connection::Connection;
use crate::tf::schema::{Attribute, Validator};

use super::shape::{self, computed, missing, text};

const STATUSES: &[&str] = &["PENDING", "CONNECTED", "REJECTED"];

/// One connection as a listing describes it.
pub type Item = Connection;

fn item_attributes() -> Vec<Attribute> {
    vec![
        computed("id", "ID of the connection."),
        shape::arn("connection"),
        computed("status", "`PENDING`, `CONNECTED` or `REJECTED`."),
        computed(
            "management_account_id",
            "The management account (where the environment and its templates live).",
        ),
        computed(
            "environment_account_id",
            "The environment account (where the environment is provisioned).",
        ),
        computed("environment_name", "The environment the connection is for."),
        computed(
            "role_arn",
            "IAM role in the environment account Proton provisions with, if set.",
        ),
        computed(
            "component_role_arn",
            "IAM role for directly defined components, if set.",
        ),
        computed(
            "requested_at",
            "When the connection was requested (RFC 3339).",
        ),
        shape::last_modified_at("connection"),
    ]
}

/// `data "proton_environment_account_connection"`.
pub struct EnvironmentAccountConnection;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct One {
    #[serde(flatten)]
    pub connection: Item,
    pub codebuild_role_arn: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
}

impl DataSource for EnvironmentAccountConnection {
    type Model = One;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = shape::keyed(
            vec![
                shape::uuid("id")
                    .required()
                    .describe("ID of the connection."),
            ],
            item_attributes(),
        );
        attributes.extend([
            computed(
                "codebuild_role_arn",
                "IAM role for CodeBuild-based provisioning, if set.",
            ),
            shape::tags("connection"),
        ]);
        DataSourceSpec {
            type_name: "proton_environment_account_connection",
            description: "Reads an AWS Proton environment account connection by ID, from either of its \
                accounts.",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: One) -> Result<One, Error> {
        let id = config.connection.id;
        let found = ctx
            .api
            .get_environment_account_connection(&id)
            .await?
            .ok_or_else(|| missing(format!("environment account connection with ID {id:?}")))?;
        let tags = ctx.api.list_tags(found.arn()).await?;
        Ok(One {
            connection: Item::from(&found),
            codebuild_role_arn: text(found.codebuild_role_arn()),
            tags: Some(tags),
        })
    }
}

/// `data "proton_environment_account_connections"`.
pub struct EnvironmentAccountConnections;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Many {
    pub requested_by: String,
    pub environment_name: Option<String>,
    pub statuses: Option<Vec<String>>,
    pub environment_account_connections: Option<Vec<Item>>,
}

impl DataSource for EnvironmentAccountConnections {
    type Model = Many;

    fn spec(&self) -> DataSourceSpec {
        DataSourceSpec {
            type_name: "proton_environment_account_connections",
            description: "Lists AWS Proton environment account connections: those this account requested \
                (as an environment account) or was asked to accept (as a management account).",
            attributes: vec![
                Attribute::string("requested_by")
                    .required()
                    .validate(Validator::one_of(&["ENVIRONMENT_ACCOUNT", "MANAGEMENT_ACCOUNT"]))
                    .describe(
                        "`ENVIRONMENT_ACCOUNT` for connections this account requested, \
                         `MANAGEMENT_ACCOUNT` for connections to this account.",
                    ),
                shape::name_filter(
                    "environment_name",
                    "Only connections for this environment.",
                ),
                Attribute::string_list("statuses")
                    .optional()
                    .validate(Validator::each(Validator::one_of(STATUSES)))
                    .describe("Only connections in one of these statuses (`PENDING`, `CONNECTED`, `REJECTED`)."),
                shape::list(
                    "environment_account_connections",
                    "The connections, as ListEnvironmentAccountConnections describes them.",
                    item_attributes(),
                ),
            ],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: Many) -> Result<Many, Error> {
        let statuses: Vec<EnvironmentAccountConnectionStatus> = config
            .statuses
            .iter()
            .flatten()
            .map(|s| EnvironmentAccountConnectionStatus::from(s.as_str()))
            .collect();
        let found = ctx
            .api
            .list_environment_account_connections(
                EnvironmentAccountConnectionRequesterAccountType::from(
                    config.requested_by.as_str(),
                ),
                config.environment_name.as_deref(),
                &statuses,
            )
            .await?;
        Ok(Many {
            environment_account_connections: Some(found.iter().map(Item::from).collect()),
            ..config
        })
    }
}
