//! Proton resources: one small declarative file each, and nothing else in this folder.
//!
//! Adding a resource:
//! 1. a file here: its model, spec (attribute builders from [`crate::shared::attributes`]) and CRUD;
//! 2. a line in [`all`];
//! 3. the API calls it needs in `src/aws/` (the only code calling aws-sdk-proton);
//! 4. its example under `examples/resources/<type>/resource.tf` (the docs are generated from it).
//!
//! What several resources share lives in [`crate::shared`]: deployment fields and waits, list filters,
//! state moved from awscc, and the template model. Where two Proton kinds differ only by name, one
//! file holds a resource that takes the kind as a value and is registered once per kind
//! ([`template`], [`template_version`]).

pub(crate) mod account_settings;
pub(crate) mod component;
pub(crate) mod environment;
pub(crate) mod environment_account_connection;
pub(crate) mod environment_account_connection_accepter;
pub(crate) mod repository;
pub(crate) mod service;
pub(crate) mod service_instance;
pub(crate) mod service_pipeline;
pub(crate) mod sync_config;
pub(crate) mod template;
pub(crate) mod template_version;

use crate::aws::TemplateKind;
use crate::engine::DynResource;

pub use account_settings::AccountSettings;
pub use component::Component;
pub use environment::Environment;
pub use environment_account_connection::EnvironmentAccountConnection;
pub use environment_account_connection_accepter::EnvironmentAccountConnectionAccepter;
pub use repository::Repository;
pub use service::Service;
pub use service_instance::ServiceInstance;
pub use service_pipeline::ServicePipeline;
pub use sync_config::{ServiceSyncConfig, TemplateSyncConfig};
pub use template::Template;
pub use template_version::TemplateVersion;

/// Every resource this provider offers.
pub fn all() -> Vec<Box<dyn DynResource>> {
    vec![
        Box::new(Template(TemplateKind::Environment)),
        Box::new(TemplateVersion(TemplateKind::Environment)),
        Box::new(Template(TemplateKind::Service)),
        Box::new(TemplateVersion(TemplateKind::Service)),
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
