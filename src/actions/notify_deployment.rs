//! `proton_notify_resource_deployment_status_change`: for self-managed provisioning, tells Proton how a
//! deployment it handed to your own pipeline went (and with which outputs).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::DeploymentReport;
use crate::engine::{Action, ActionSpec, Ctx, Error, Progress};
use crate::tf::schema::{Attribute, Validator};

pub struct NotifyDeploymentStatusChange;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Config {
    pub resource_arn: String,
    pub status: String,
    pub deployment_id: Option<String>,
    pub status_message: Option<String>,
    pub outputs: Option<BTreeMap<String, String>>,
}

impl Action for NotifyDeploymentStatusChange {
    type Model = Config;

    fn spec(&self) -> ActionSpec {
        ActionSpec {
            type_name: "proton_notify_resource_deployment_status_change",
            description: "Reports the outcome of a self-managed provisioning deployment to Proton \
                (NotifyResourceDeploymentStatusChange): after your own pipeline has provisioned the \
                infrastructure Proton rendered into a pull request, tell Proton it is `SUCCEEDED` (with its \
                outputs) or `FAILED`, or that it is still `IN_PROGRESS` with outputs so far. Proton refuses \
                the report for resources that do not use self-managed provisioning and for deployments that \
                are no longer in progress.",
            attributes: vec![
                Attribute::string("resource_arn")
                    .required()
                    .validate(Validator::length(1, 200))
                    .validate(Validator::Arn)
                    .describe(
                        "ARN of the environment, service instance, service pipeline or component whose \
                         deployment is reported.",
                    ),
                Attribute::string("status")
                    .required()
                    .validate(Validator::one_of(&["IN_PROGRESS", "FAILED", "SUCCEEDED"]))
                    .describe("The deployment's status: `IN_PROGRESS`, `FAILED` or `SUCCEEDED`."),
                Attribute::string("deployment_id")
                    .optional()
                    .validate(Validator::pattern(
                        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                        "must be a deployment ID (a lowercase UUID)",
                    ))
                    .describe(
                        "The deployment reported. Unset: the resource's last attempted deployment.",
                    ),
                Attribute::string("status_message")
                    .optional()
                    .sensitive()
                    .validate(Validator::length(0, 5000))
                    .describe("Why the deployment has this status, e.g. what failed."),
                Attribute::string_map("outputs")
                    .optional()
                    .validate(Validator::size(0, 200))
                    .describe(
                        "Outputs of the provisioned infrastructure, by name. Proton exposes them as the \
                         resource's outputs once the deployment succeeds.",
                    ),
            ],
            rules: vec![],
        }
    }

    async fn invoke(&self, ctx: &Ctx, config: Config, progress: &Progress) -> Result<(), Error> {
        let outputs: Option<Vec<(String, String)>> = config.outputs.as_ref().map(|outputs| {
            outputs
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        });
        let deployment = config.deployment_id.as_deref().map_or_else(
            || "the last deployment".to_string(),
            |id| format!("deployment {id}"),
        );
        progress.report(format!(
            "Reporting {} for {deployment} of {}",
            config.status, config.resource_arn
        ));
        ctx.api
            .notify_resource_deployment_status_change(DeploymentReport {
                resource_arn: &config.resource_arn,
                status: &config.status,
                deployment_id: config.deployment_id.as_deref(),
                status_message: config.status_message.as_deref(),
                outputs: outputs.as_deref(),
            })
            .await?;
        let count = outputs.as_ref().map_or(0, Vec::len);
        progress.report(format!(
            "Proton accepted {} for {deployment} of {} ({count} output{})",
            config.status,
            config.resource_arn,
            if count == 1 { "" } else { "s" }
        ));
        Ok(())
    }
}
