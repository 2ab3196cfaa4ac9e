//! Linked repositories.

use std::collections::BTreeMap;

use aws_sdk_proton::types::{Repository, RepositoryProvider};

use super::{ApiError, Proton, classify, found, gone, tag_list};

/// What a repository link is made of.
#[derive(Clone, Debug)]
pub struct NewRepository<'a> {
    pub provider: &'a str,
    pub name: &'a str,
    pub connection_arn: &'a str,
    pub encryption_key: Option<&'a str>,
    pub tags: &'a BTreeMap<String, String>,
}

impl Proton {
    pub async fn create_repository(
        &self,
        repository: NewRepository<'_>,
    ) -> Result<Repository, ApiError> {
        let output = self
            .client
            .create_repository()
            .provider(RepositoryProvider::from(repository.provider))
            .name(repository.name)
            .connection_arn(repository.connection_arn)
            .set_encryption_key(repository.encryption_key.map(str::to_string))
            .set_tags(tag_list(repository.tags)?)
            .send()
            .await
            .map_err(classify)?;
        output
            .repository
            .ok_or_else(|| ApiError::Transport("the response holds no repository".into()))
    }

    pub async fn get_repository(
        &self,
        provider: &str,
        name: &str,
    ) -> Result<Option<Repository>, ApiError> {
        found(
            self.client
                .get_repository()
                .provider(RepositoryProvider::from(provider))
                .name(name)
                .send()
                .await
                .map_err(classify),
        )
        .map(|output| output.and_then(|o| o.repository))
    }

    pub async fn delete_repository(&self, provider: &str, name: &str) -> Result<(), ApiError> {
        gone(
            self.client
                .delete_repository()
                .provider(RepositoryProvider::from(provider))
                .name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(classify),
        )
    }
}
