//! `proton_resolve_service_sync_blocker`: resolves the blocker that stops a service syncing from its
//! repository after a failed sync deployment (UpdateServiceSyncBlocker).

use serde::{Deserialize, Serialize};

use crate::engine::{Action, ActionSpec, Ctx, Error, Progress};
use crate::tf::schema::{Attribute, Validator};

pub struct ResolveServiceSyncBlocker;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Config {
    pub id: String,
    pub resolved_reason: String,
}

impl Action for ResolveServiceSyncBlocker {
    type Model = Config;

    fn spec(&self) -> ActionSpec {
        ActionSpec {
            type_name: "proton_resolve_service_sync_blocker",
            description: "Resolves a service sync blocker, so Proton resumes syncing the service from its \
                repository (UpdateServiceSyncBlocker). Blockers appear when a deployment started by a \
                service sync fails; the `proton_service_sync_blocker_summary` data source lists them with \
                their IDs. Resolving a blocker that is already resolved fails.",
            attributes: vec![
                Attribute::string("id")
                    .required()
                    .validate(Validator::length(1, 200))
                    .describe("ID of the sync blocker."),
                Attribute::string("resolved_reason")
                    .required()
                    .validate(Validator::length(1, 1024))
                    .describe("Why the blocker is resolved, recorded with it."),
            ],
            rules: vec![],
        }
    }

    async fn invoke(&self, ctx: &Ctx, config: Config, progress: &Progress) -> Result<(), Error> {
        progress.report(format!("Resolving service sync blocker {}", config.id));
        let blocker = ctx
            .api
            .resolve_service_sync_blocker(&config.id, &config.resolved_reason)
            .await?;
        progress.report(format!(
            "Service sync blocker {} is {} (it was raised because: {})",
            blocker.id(),
            blocker.status().as_str(),
            blocker.created_reason()
        ));
        Ok(())
    }
}
