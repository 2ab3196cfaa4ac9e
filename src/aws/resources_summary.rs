//! Counts of the account's Proton objects and how up to date they are.

use aws_sdk_proton::types::CountsSummary;

use super::{ApiError, Proton, classify};

impl Proton {
    pub async fn get_resources_summary(&self) -> Result<CountsSummary, ApiError> {
        Ok(self
            .client
            .get_resources_summary()
            .send()
            .await
            .map_err(classify)?
            .counts
            .unwrap_or_else(|| CountsSummary::builder().build()))
    }
}
