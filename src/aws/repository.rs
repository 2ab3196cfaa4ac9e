//! Linked repositories.

use std::collections::BTreeMap;

use aws_sdk_proton::types::{Repository, RepositoryProvider};

use super::{
    ApiError, Proton, classify, deleted_or_already_gone, object_from_get, object_in_answer,
    own_on_conflict, tag_list,
};

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
    /// Proton refuses to create a link that exists. When the link that exists is exactly the one
    /// asked for, it is this create's own: the SDK retries a request whose answer was lost, and a
    /// re-run apply repeats a create whose provider was killed. Then it is returned as created, as
    /// Proton does for its idempotent creates (templates, environments, services).
    pub async fn create_repository(
        &self,
        repository: NewRepository<'_>,
    ) -> Result<Repository, ApiError> {
        let created = self.create_repository_once(&repository).await;
        own_on_conflict(created, || async {
            let existing = self
                .get_repository(repository.provider, repository.name)
                .await?;
            if let Some(existing) = existing
                && same_repository(&existing, &repository)
                && self.list_tags(existing.arn()).await? == *repository.tags
            {
                return Ok(Some(existing));
            }
            Ok(None)
        })
        .await
    }

    async fn create_repository_once(
        &self,
        repository: &NewRepository<'_>,
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
        object_in_answer(output.repository, "repository")
    }

    pub async fn get_repository(
        &self,
        provider: &str,
        name: &str,
    ) -> Result<Option<Repository>, ApiError> {
        object_from_get(
            self.client
                .get_repository()
                .provider(RepositoryProvider::from(provider))
                .name(name)
                .send()
                .await,
            |o| o.repository,
        )
    }

    pub async fn delete_repository(&self, provider: &str, name: &str) -> Result<(), ApiError> {
        deleted_or_already_gone(
            self.client
                .delete_repository()
                .provider(RepositoryProvider::from(provider))
                .name(name)
                .send()
                .await,
        )
    }
}

/// Whether an existing link is the one `wanted` describes (tags are compared separately).
fn same_repository(existing: &Repository, wanted: &NewRepository<'_>) -> bool {
    existing.provider().as_str() == wanted.provider
        && existing.name() == wanted.name
        && existing.connection_arn() == wanted.connection_arn
        && existing.encryption_key() == wanted.encryption_key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(connection: &str, key: Option<&str>) -> Repository {
        Repository::builder()
            .arn("arn:aws:proton:us-east-1:000000000000:repository/github:org/repo")
            .provider(RepositoryProvider::Github)
            .name("org/repo")
            .connection_arn(connection)
            .set_encryption_key(key.map(str::to_string))
            .build()
            .expect("a complete repository")
    }

    #[test]
    fn only_the_link_asked_for_is_adopted() {
        let tags = BTreeMap::new();
        let wanted = NewRepository {
            provider: "GITHUB",
            name: "org/repo",
            connection_arn: "arn:aws:codestar-connections:us-east-1:000000000000:connection/a",
            encryption_key: None,
            tags: &tags,
        };
        assert!(same_repository(&link(wanted.connection_arn, None), &wanted));
        let other_connection = link(
            "arn:aws:codestar-connections:us-east-1:000000000000:connection/b",
            None,
        );
        assert!(!same_repository(&other_connection, &wanted));
        let with_key = link(wanted.connection_arn, Some("arn:aws:kms:us-east-1:0:key/k"));
        assert!(!same_repository(&with_key, &wanted));
        let bitbucket = NewRepository {
            provider: "BITBUCKET",
            ..wanted.clone()
        };
        assert!(!same_repository(
            &link(wanted.connection_arn, None),
            &bitbucket
        ));
    }
}
