//! Proton resources: one small declarative file each. Adding one = a file here, a line in [`all`], and
//! its example under `examples/resources/`.

pub(crate) mod account_settings;
pub mod attributes;
pub mod awscc;
pub(crate) mod component;
pub(crate) mod deployment_status;
pub(crate) mod environment;
pub(crate) mod environment_account_connection;
pub(crate) mod environment_account_connection_accepter;
pub(crate) mod environment_template;
pub(crate) mod environment_template_version;
pub(crate) mod list_filters;
pub(crate) mod repository;
pub(crate) mod service;
pub(crate) mod service_instance;
pub(crate) mod service_pipeline;
pub(crate) mod service_template;
pub(crate) mod service_template_version;
pub(crate) mod sync_config;

use crate::engine::DynResource;

/// What an update sends for an optional argument: the planned value only when it changed.
fn changed<'a>(wanted: &'a Option<String>, was: &Option<String>) -> Option<&'a str> {
    wanted.as_deref().filter(|_| wanted != was)
}

pub use account_settings::AccountSettings;
pub use component::Component;
pub use environment::Environment;
pub use environment_account_connection::EnvironmentAccountConnection;
pub use environment_account_connection_accepter::EnvironmentAccountConnectionAccepter;
pub use environment_template::EnvironmentTemplate;
pub use environment_template_version::EnvironmentTemplateVersion;
pub use repository::Repository;
pub use service::Service;
pub use service_instance::ServiceInstance;
pub use service_pipeline::ServicePipeline;
pub use service_template::ServiceTemplate;
pub use service_template_version::ServiceTemplateVersion;
pub use sync_config::{ServiceSyncConfig, TemplateSyncConfig};

/// Every resource this provider offers.
pub fn all() -> Vec<Box<dyn DynResource>> {
    vec![
        Box::new(EnvironmentTemplate),
        Box::new(EnvironmentTemplateVersion),
        Box::new(ServiceTemplate),
        Box::new(ServiceTemplateVersion),
        Box::new(Repository),
        Box::new(TemplateSyncConfig),
        Box::new(ServiceSyncConfig),
        Box::new(AccountSettings),
        Box::new(Environment),
        Box::new(Service),
        Box::new(ServiceInstance),
        Box::new(ServicePipeline),
        Box::new(Component),
        Box::new(EnvironmentAccountConnection),
        Box::new(EnvironmentAccountConnectionAccepter),
    ]
}
