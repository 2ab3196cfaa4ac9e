//! A repository branch as resource models hold it: an environment's provisioning repository and the
//! account's pipeline provisioning repository are the same three attributes.

use serde::{Deserialize, Serialize};

use crate::aws::RepositoryBranch;
use crate::aws::types::RepositoryBranch as ApiBranch;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    pub provider: String,
    pub name: String,
    pub branch: String,
}

impl From<&ApiBranch> for Repository {
    fn from(repo: &ApiBranch) -> Self {
        Self {
            provider: repo.provider().as_str().to_string(),
            name: repo.name().to_string(),
            branch: repo.branch().to_string(),
        }
    }
}

impl Repository {
    /// The branch as a request sends it.
    pub fn to_send(&self) -> RepositoryBranch<'_> {
        RepositoryBranch {
            provider: &self.provider,
            name: &self.name,
            branch: &self.branch,
        }
    }
}
