//! What a service instance and a service pipeline share: each is a part of a service, deployed from
//! a spec and a version of the service's template, that Proton creates and deletes with the service.

use serde::{Deserialize, Serialize};

use crate::aws::timestamp;
use crate::aws::types::{ServiceInstance, ServicePipeline};
use crate::tf::schema::yaml_equal;

use super::deployment::{self, Deploy, DeploymentFields, Running, Versioned, Versions};

/// The state a service instance and a service pipeline have in common (flattened into each model).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Part {
    pub spec: Option<String>,
    pub template_major_version: Option<String>,
    pub template_minor_version: Option<String>,
    pub cancel_on_timeout: Option<bool>,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub template_name: Option<String>,
    #[serde(flatten)]
    pub deployment: DeploymentFields,
    pub deployment_type: Option<String>,
}

/// The API shapes of a service's parts: their getters share names.
pub trait ApiPart: Versioned {
    fn arn(&self) -> &str;
    /// When it was created (RFC 3339).
    fn created_at(&self) -> String;
    fn template_name(&self) -> &str;
}

macro_rules! api_part {
    ($($ty:ty),*) => {$(
        impl ApiPart for $ty {
            fn arn(&self) -> &str {
                <$ty>::arn(self)
            }
            fn created_at(&self) -> String {
                timestamp(<$ty>::created_at(self))
            }
            fn template_name(&self) -> &str {
                <$ty>::template_name(self)
            }
        }
    )*};
}

api_part!(ServiceInstance, ServicePipeline);

impl Part {
    /// The part as Proton reports it; `cancel_on_timeout` only Terraform knows, from `known`.
    pub fn reported(part: &impl ApiPart, known: &Part) -> Self {
        let versions = part.versions();
        Self {
            spec: part.spec().map(str::to_string),
            template_major_version: versions.major.map(str::to_string),
            template_minor_version: versions.minor.map(str::to_string),
            cancel_on_timeout: Some(known.cancel_on_timeout.unwrap_or(false)),
            arn: Some(part.arn().to_string()),
            created_at: Some(part.created_at()),
            template_name: Some(part.template_name().to_string()),
            deployment: part.fields(),
            // Proton does not report it: the last plan set it.
            deployment_type: known.deployment_type.clone(),
        }
    }

    pub fn versions(&self) -> Versions<'_> {
        Versions {
            major: self.template_major_version.as_deref(),
            minor: self.template_minor_version.as_deref(),
        }
    }

    /// What the part runs according to this (prior) state, its last deployment `succeeded` or not.
    pub fn running(&self, succeeded: bool) -> Running<'_> {
        Running {
            template: self.template_name.as_deref(),
            spec: self.spec.as_deref(),
            versions: self.versions(),
            succeeded,
        }
    }

    /// How to deploy this (planned) state onto a part running `now`: a spec equal by meaning and the
    /// same versions after a success deploy nothing. An unknown planned spec keeps the running one.
    pub fn deploy_onto(&self, now: &Running<'_>) -> Deploy<'_> {
        let same_spec = match (now.spec, self.spec.as_deref()) {
            (Some(now), Some(wanted)) => now == wanted || yaml_equal(now, wanted),
            (_, None) => true,
            (None, Some(_)) => false,
        };
        deployment::deploy(now.versions, self.versions(), !same_spec || !now.succeeded)
    }

    pub fn cancels_on_timeout(&self) -> bool {
        self.cancel_on_timeout.unwrap_or(false)
    }
}
