//! Data sources: reads of Proton objects, one per API read. Singular ones fail when nothing matches;
//! plural ones list every page and take the API's filters as arguments.

mod account;
mod components;
mod connections;
mod deployments;
mod environments;
mod outputs;
mod repositories;
mod service_instances;
mod services;
mod shape;
mod sync_status;
mod template_versions;
mod templates;

use crate::engine::DynDataSource;

use outputs::{Outputs, ProvisionedResources, Target};
use templates::Kind;

/// Every data source this provider offers.
pub fn all() -> Vec<Box<dyn DynDataSource>> {
    let mut all: Vec<Box<dyn DynDataSource>> = vec![
        Box::new(templates::Template(Kind::Environment)),
        Box::new(templates::Templates(Kind::Environment)),
        Box::new(templates::Template(Kind::Service)),
        Box::new(templates::Templates(Kind::Service)),
        Box::new(template_versions::TemplateVersion(Kind::Environment)),
        Box::new(template_versions::TemplateVersions(Kind::Environment)),
        Box::new(template_versions::TemplateVersion(Kind::Service)),
        Box::new(template_versions::TemplateVersions(Kind::Service)),
        Box::new(environments::Environment),
        Box::new(environments::Environments),
        Box::new(services::Service),
        Box::new(services::Services),
        Box::new(services::ServicePipeline),
        Box::new(service_instances::ServiceInstance),
        Box::new(service_instances::ServiceInstances),
        Box::new(components::Component),
        Box::new(components::Components),
        Box::new(repositories::Repository),
        Box::new(repositories::Repositories),
        Box::new(repositories::RepositorySyncDefinitions),
        Box::new(sync_status::RepositorySyncStatus),
        Box::new(sync_status::TemplateSyncStatus),
        Box::new(sync_status::ServiceInstanceSyncStatus),
        Box::new(sync_status::ServiceSyncBlockerSummary),
        Box::new(connections::EnvironmentAccountConnection),
        Box::new(connections::EnvironmentAccountConnections),
        Box::new(account::AccountSettings),
        Box::new(account::ResourcesSummary),
        Box::new(deployments::Deployment),
        Box::new(deployments::Deployments),
    ];
    for target in [
        Target::Environment,
        Target::ServiceInstance,
        Target::ServicePipeline,
        Target::Component,
    ] {
        all.push(Box::new(Outputs(target)));
        all.push(Box::new(ProvisionedResources(target)));
    }
    all
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::tf::schema::{Attribute, AttributeKind};

    use super::*;

    fn check(type_name: &str, path: &str, attributes: &[Attribute]) {
        let mut names = BTreeSet::new();
        for attribute in attributes {
            let at = format!("{type_name}.{path}{}", attribute.name);
            assert!(names.insert(&attribute.name), "{at} appears twice");
            assert!(
                !attribute.description.trim().is_empty(),
                "{at} has no description"
            );
            if let AttributeKind::Nested { attributes, .. } = &attribute.kind {
                check(type_name, &format!("{path}{}.", attribute.name), attributes);
            }
        }
    }

    #[test]
    fn every_data_source_is_described_and_named_once() {
        let mut types = BTreeSet::new();
        for data_source in all() {
            let spec = data_source.spec();
            assert!(types.insert(spec.type_name), "{} twice", spec.type_name);
            assert!(spec.type_name.starts_with("proton_"));
            assert!(!spec.description.is_empty(), "{}", spec.type_name);
            check(spec.type_name, "", &spec.attributes);
            // Terraform reserves `provider` (and the other meta-arguments) in data blocks.
            for reserved in ["provider", "count", "for_each", "depends_on", "lifecycle"] {
                assert!(
                    spec.attributes.iter().all(|a| a.name != reserved),
                    "{} uses the reserved name {reserved}",
                    spec.type_name
                );
            }
        }
        assert_eq!(types.len(), 38);
    }
}
