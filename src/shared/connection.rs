//! An environment account connection as Proton reports it, which the connection data sources and the
//! accepter resource share.

use serde::{Deserialize, Serialize};

use crate::aws::timestamp;
use crate::aws::types::{
    EnvironmentAccountConnection as ApiConnection, EnvironmentAccountConnectionSummary,
};

/// The fields a connection and its listing's summary both have (flattened into each model).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub arn: Option<String>,
    pub status: Option<String>,
    pub management_account_id: Option<String>,
    pub environment_account_id: Option<String>,
    pub environment_name: Option<String>,
    pub role_arn: Option<String>,
    pub component_role_arn: Option<String>,
    pub requested_at: Option<String>,
    pub last_modified_at: Option<String>,
}

/// Optional text, with Proton's "" for none as null.
fn text(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_string)
}

/// The full shape and the summary: their getters share names.
macro_rules! connection_from {
    ($($ty:ty),*) => {$(
        impl From<&$ty> for Connection {
            fn from(c: &$ty) -> Self {
                Self {
                    id: c.id().to_string(),
                    arn: Some(c.arn().to_string()),
                    status: Some(c.status().as_str().to_string()),
                    management_account_id: Some(c.management_account_id().to_string()),
                    environment_account_id: Some(c.environment_account_id().to_string()),
                    environment_name: Some(c.environment_name().to_string()),
                    role_arn: text(Some(c.role_arn())),
                    component_role_arn: text(c.component_role_arn()),
                    requested_at: Some(timestamp(c.requested_at())),
                    last_modified_at: Some(timestamp(c.last_modified_at())),
                }
            }
        }
    )*};
}

connection_from!(ApiConnection, EnvironmentAccountConnectionSummary);
