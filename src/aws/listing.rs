//! List operations with every page fetched, for `terraform query` list resources (and anything else that
//! needs a whole listing). Each takes the API's own filters.

use aws_sdk_proton::types::{
    ComponentSummary, EnvironmentAccountConnectionRequesterAccountType,
    EnvironmentAccountConnectionStatus, EnvironmentAccountConnectionSummary, EnvironmentSummary,
    EnvironmentTemplateFilter, EnvironmentTemplateSummary, EnvironmentTemplateVersionSummary,
    ListServiceInstancesFilter, ListServiceInstancesFilterBy, RepositorySummary,
    ServiceInstanceSummary, ServiceSummary, ServiceTemplateSummary, ServiceTemplateVersionSummary,
};

use super::{ApiError, Proton, TemplateKind, all_items, classify, owned_text};

/// A template and major version environments are deployed from (ListEnvironments' filter).
#[derive(Clone, Copy, Debug)]
pub struct TemplateMajor<'a> {
    pub template_name: &'a str,
    pub major_version: &'a str,
}

/// One ListServiceInstances filter: `key` is the API's name (`environmentName`, `deploymentStatus`, ...).
#[derive(Clone, Copy, Debug)]
pub struct InstanceFilter<'a> {
    pub key: &'a str,
    pub value: &'a str,
}

/// Where components are attached (ListComponents' filters); `None` does not filter.
#[derive(Clone, Copy, Debug, Default)]
pub struct ComponentFilter<'a> {
    pub environment_name: Option<&'a str>,
    pub service_name: Option<&'a str>,
    pub service_instance_name: Option<&'a str>,
}

/// A template version as a listing names it.
#[derive(Clone, Debug)]
pub struct ListedVersion {
    pub template_name: String,
    pub major_version: String,
    pub minor_version: String,
}

/// The version summaries of both kinds: their getters share names.
trait VersionSummary {
    fn listed(&self) -> ListedVersion;
}

macro_rules! version_summary {
    ($($ty:ty),*) => {$(
        impl VersionSummary for $ty {
            fn listed(&self) -> ListedVersion {
                ListedVersion {
                    template_name: self.template_name().to_string(),
                    major_version: self.major_version().to_string(),
                    minor_version: self.minor_version().to_string(),
                }
            }
        }
    )*};
}

version_summary!(
    EnvironmentTemplateVersionSummary,
    ServiceTemplateVersionSummary
);

fn listed(summaries: Vec<impl VersionSummary>) -> Vec<ListedVersion> {
    summaries.iter().map(VersionSummary::listed).collect()
}

impl Proton {
    pub async fn list_environment_templates(
        &self,
    ) -> Result<Vec<EnvironmentTemplateSummary>, ApiError> {
        all_items!(self.client.list_environment_templates())
    }

    /// Versions of one environment template, optionally of one major version only.
    pub async fn list_environment_template_versions(
        &self,
        template_name: &str,
        major_version: Option<&str>,
    ) -> Result<Vec<EnvironmentTemplateVersionSummary>, ApiError> {
        all_items!(
            self.client
                .list_environment_template_versions()
                .template_name(template_name)
                .set_major_version(owned_text(major_version))
        )
    }

    pub async fn list_service_templates(&self) -> Result<Vec<ServiceTemplateSummary>, ApiError> {
        all_items!(self.client.list_service_templates())
    }

    /// Versions of one service template, optionally of one major version only.
    pub async fn list_service_template_versions(
        &self,
        template_name: &str,
        major_version: Option<&str>,
    ) -> Result<Vec<ServiceTemplateVersionSummary>, ApiError> {
        all_items!(
            self.client
                .list_service_template_versions()
                .template_name(template_name)
                .set_major_version(owned_text(major_version))
        )
    }

    /// The names of every template of `kind`.
    pub async fn list_template_names(&self, kind: TemplateKind) -> Result<Vec<String>, ApiError> {
        fn names<T>(templates: Vec<T>, name: fn(&T) -> &str) -> Vec<String> {
            templates.iter().map(|t| name(t).to_string()).collect()
        }
        Ok(match kind {
            TemplateKind::Environment => names(
                self.list_environment_templates().await?,
                EnvironmentTemplateSummary::name,
            ),
            TemplateKind::Service => names(
                self.list_service_templates().await?,
                ServiceTemplateSummary::name,
            ),
        })
    }

    /// Versions of one template of `kind`, optionally of one major version only.
    pub async fn list_template_versions(
        &self,
        kind: TemplateKind,
        template_name: &str,
        major_version: Option<&str>,
    ) -> Result<Vec<ListedVersion>, ApiError> {
        Ok(match kind {
            TemplateKind::Environment => listed(
                self.list_environment_template_versions(template_name, major_version)
                    .await?,
            ),
            TemplateKind::Service => listed(
                self.list_service_template_versions(template_name, major_version)
                    .await?,
            ),
        })
    }

    /// Environments, only those deployed from one of `templates` when it is not empty.
    pub async fn list_environments(
        &self,
        templates: &[TemplateMajor<'_>],
    ) -> Result<Vec<EnvironmentSummary>, ApiError> {
        let filters = templates
            .iter()
            .map(|t| {
                EnvironmentTemplateFilter::builder()
                    .template_name(t.template_name)
                    .major_version(t.major_version)
                    .build()
                    .map_err(|e| ApiError::Validation(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let filters = (!filters.is_empty()).then_some(filters);
        all_items!(
            self.client
                .list_environments()
                .set_environment_templates(filters)
        )
    }

    pub async fn list_services(&self) -> Result<Vec<ServiceSummary>, ApiError> {
        all_items!(self.client.list_services())
    }

    /// Service instances of every service (or of `service_name`), narrowed by `filters`.
    pub async fn list_service_instances_matching(
        &self,
        service_name: Option<&str>,
        filters: &[InstanceFilter<'_>],
    ) -> Result<Vec<ServiceInstanceSummary>, ApiError> {
        let filters: Vec<ListServiceInstancesFilter> = filters
            .iter()
            .map(|f| {
                ListServiceInstancesFilter::builder()
                    .key(ListServiceInstancesFilterBy::from(f.key))
                    .value(f.value)
                    .build()
            })
            .collect();
        let filters = (!filters.is_empty()).then_some(filters);
        all_items!(
            self.client
                .list_service_instances()
                .set_service_name(owned_text(service_name))
                .set_filters(filters)
        )
    }

    pub async fn list_components(
        &self,
        filter: ComponentFilter<'_>,
    ) -> Result<Vec<ComponentSummary>, ApiError> {
        all_items!(
            self.client
                .list_components()
                .set_environment_name(owned_text(filter.environment_name))
                .set_service_name(owned_text(filter.service_name))
                .set_service_instance_name(owned_text(filter.service_instance_name))
        )
    }

    /// Connections this account requested (`requested_by` ENVIRONMENT_ACCOUNT) or was asked to accept
    /// (MANAGEMENT_ACCOUNT), optionally for one environment and in some statuses only.
    pub async fn list_environment_account_connections(
        &self,
        requested_by: EnvironmentAccountConnectionRequesterAccountType,
        environment_name: Option<&str>,
        statuses: &[EnvironmentAccountConnectionStatus],
    ) -> Result<Vec<EnvironmentAccountConnectionSummary>, ApiError> {
        let statuses = (!statuses.is_empty()).then(|| statuses.to_vec());
        all_items!(
            self.client
                .list_environment_account_connections()
                .requested_by(requested_by)
                .set_environment_name(owned_text(environment_name))
                .set_statuses(statuses)
        )
    }

    pub async fn list_repositories(&self) -> Result<Vec<RepositorySummary>, ApiError> {
        all_items!(self.client.list_repositories())
    }
}
