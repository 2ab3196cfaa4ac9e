//! List operations with every page fetched, for `terraform query` list resources (and anything else that
//! needs a whole listing). Each takes the API's own filters.

use std::fmt;
use std::future::Future;

use aws_sdk_proton::error::{ProvideErrorMetadata, SdkError};

use aws_sdk_proton::types::{
    ComponentSummary, EnvironmentAccountConnectionRequesterAccountType,
    EnvironmentAccountConnectionStatus, EnvironmentAccountConnectionSummary, EnvironmentSummary,
    EnvironmentTemplateFilter, EnvironmentTemplateSummary, EnvironmentTemplateVersionSummary,
    ListServiceInstancesFilter, ListServiceInstancesFilterBy, RepositorySummary,
    ServiceInstanceSummary, ServiceSummary, ServiceTemplateSummary, ServiceTemplateVersionSummary,
};

use super::{ApiError, Proton, classify, owned};

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

/// Fetches pages until the API stops returning a token (or repeats one, which would loop forever).
async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, ApiError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut items = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let (found, next) = page(token.clone()).await?;
        items.extend(found);
        match next {
            Some(next) if !next.is_empty() && Some(&next) != token.as_ref() => token = Some(next),
            _ => return Ok(items),
        }
    }
}

/// Every page of one list operation: `send` makes the request for a page token, `split` takes a
/// page apart into its items and the next token.
pub(super) async fn every_page<O, T, E, R, Sent>(
    send: impl Fn(Option<String>) -> Sent,
    split: impl Fn(&O) -> (&[T], Option<&str>),
) -> Result<Vec<T>, ApiError>
where
    Sent: Future<Output = Result<O, SdkError<E, R>>>,
    T: Clone,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    let split = &split;
    all_pages(|token| {
        let sent = send(token);
        async move {
            let page = sent.await.map_err(classify)?;
            let (items, next) = split(&page);
            Ok((items.to_vec(), owned(next)))
        }
    })
    .await
}

impl Proton {
    pub async fn list_environment_templates(
        &self,
    ) -> Result<Vec<EnvironmentTemplateSummary>, ApiError> {
        every_page(
            |token| {
                self.client
                    .list_environment_templates()
                    .set_next_token(token)
                    .send()
            },
            |page| (page.templates(), page.next_token()),
        )
        .await
    }

    /// Versions of one environment template, optionally of one major version only.
    pub async fn list_environment_template_versions(
        &self,
        template_name: &str,
        major_version: Option<&str>,
    ) -> Result<Vec<EnvironmentTemplateVersionSummary>, ApiError> {
        every_page(
            |token| {
                self.client
                    .list_environment_template_versions()
                    .template_name(template_name)
                    .set_major_version(owned(major_version))
                    .set_next_token(token)
                    .send()
            },
            |page| (page.template_versions(), page.next_token()),
        )
        .await
    }

    pub async fn list_service_templates(&self) -> Result<Vec<ServiceTemplateSummary>, ApiError> {
        every_page(
            |token| {
                self.client
                    .list_service_templates()
                    .set_next_token(token)
                    .send()
            },
            |page| (page.templates(), page.next_token()),
        )
        .await
    }

    /// Versions of one service template, optionally of one major version only.
    pub async fn list_service_template_versions(
        &self,
        template_name: &str,
        major_version: Option<&str>,
    ) -> Result<Vec<ServiceTemplateVersionSummary>, ApiError> {
        every_page(
            |token| {
                self.client
                    .list_service_template_versions()
                    .template_name(template_name)
                    .set_major_version(owned(major_version))
                    .set_next_token(token)
                    .send()
            },
            |page| (page.template_versions(), page.next_token()),
        )
        .await
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
        every_page(
            |token| {
                self.client
                    .list_environments()
                    .set_environment_templates(filters.clone())
                    .set_next_token(token)
                    .send()
            },
            |page| (page.environments(), page.next_token()),
        )
        .await
    }

    pub async fn list_services(&self) -> Result<Vec<ServiceSummary>, ApiError> {
        every_page(
            |token| self.client.list_services().set_next_token(token).send(),
            |page| (page.services(), page.next_token()),
        )
        .await
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
        every_page(
            |token| {
                self.client
                    .list_service_instances()
                    .set_service_name(owned(service_name))
                    .set_filters(filters.clone())
                    .set_next_token(token)
                    .send()
            },
            |page| (page.service_instances(), page.next_token()),
        )
        .await
    }

    pub async fn list_components(
        &self,
        filter: ComponentFilter<'_>,
    ) -> Result<Vec<ComponentSummary>, ApiError> {
        every_page(
            |token| {
                self.client
                    .list_components()
                    .set_environment_name(owned(filter.environment_name))
                    .set_service_name(owned(filter.service_name))
                    .set_service_instance_name(owned(filter.service_instance_name))
                    .set_next_token(token)
                    .send()
            },
            |page| (page.components(), page.next_token()),
        )
        .await
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
        every_page(
            |token| {
                self.client
                    .list_environment_account_connections()
                    .requested_by(requested_by.clone())
                    .set_environment_name(owned(environment_name))
                    .set_statuses(statuses.clone())
                    .set_next_token(token)
                    .send()
            },
            |page| (page.environment_account_connections(), page.next_token()),
        )
        .await
    }

    pub async fn list_repositories(&self) -> Result<Vec<RepositorySummary>, ApiError> {
        every_page(
            |token| self.client.list_repositories().set_next_token(token).send(),
            |page| (page.repositories(), page.next_token()),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pages_are_followed_until_the_token_ends_or_repeats() {
        let pages = |tokens: Vec<Option<&'static str>>| {
            let tokens = std::sync::Mutex::new(tokens.into_iter());
            move |_: Option<String>| {
                let next = tokens.lock().ok().and_then(|mut t| t.next()).flatten();
                async move { Ok((vec![1], next.map(str::to_string))) }
            }
        };
        let three = all_pages(pages(vec![Some("a"), Some("b"), None]))
            .await
            .expect("pages");
        assert_eq!(three.len(), 3);
        let repeated = all_pages(pages(vec![Some("a"), Some("a"), Some("a"), None]))
            .await
            .expect("pages");
        assert_eq!(repeated.len(), 2, "a repeated token ends the listing");
    }
}
