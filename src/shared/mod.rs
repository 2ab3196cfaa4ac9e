//! What several resources, data sources and actions share, so that `src/resources/` holds only
//! resources:
//! - [`attributes`]: attribute builders for shapes that recur (names, ARNs, versions, repositories).
//! - [`deployment`]: the deployed resources' (environment, service instance, service pipeline,
//!   component) deployment fields, plan rule and waits.
//! - [`list_filters`]: reading a `terraform query` list block's `config`, and filters that recur.
//! - [`service_part`]: what a service instance and a service pipeline share.
//! - [`connection`]: an environment account connection as the data sources and the accepter see it.
//! - [`awscc`]: state moved in from hashicorp/awscc's resources.
//! - [`template`]: the state of environment and service templates, driven by the kind.
//! - [`spec_check`]: specs checked against their template version's schema, at plan and apply.

pub mod attributes;
pub mod awscc;
pub mod connection;
pub mod deployment;
pub mod list_filters;
pub mod repository_branch;
pub mod service_part;
pub mod spec_check;
pub mod template;

/// What an update sends for an optional argument: the planned value only when it changed.
pub fn changed_value<'a>(wanted: &'a Option<String>, was: &Option<String>) -> Option<&'a str> {
    wanted.as_deref().filter(|_| wanted != was)
}
