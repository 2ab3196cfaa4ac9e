//! `proton_cancel_deployment`: stops the deployment running on an environment, a service instance, a
//! service pipeline or a component, and waits until Proton reports it CANCELLED.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::aws::ApiError;
use crate::aws::deployment_status::{self as phase, CancelEnding};
use crate::aws::types::DeploymentStatus;
use crate::engine::wait::{Poll, wait_for};
use crate::engine::{
    Action, ActionSpec, ConfigRule, Ctx, Error, Progress, TimeLimit, format_duration,
};
use crate::shared::attributes;
use crate::shared::deployment::Deployed;
use crate::tf::schema::{Attribute, Nesting, Validator};

pub struct CancelDeployment;

/// How long the action waits for CANCELLED unless `timeout` says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

const TARGETS: &[&str] = &[
    "environment_name",
    "service_instance",
    "service_pipeline",
    "component_name",
];

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Instance {
    pub service_name: String,
    pub name: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Config {
    pub environment_name: Option<String>,
    pub service_instance: Option<Instance>,
    pub service_pipeline: Option<String>,
    pub component_name: Option<String>,
    pub timeout: Option<String>,
}

/// A duration argument such as `30m` or `1h30m` (Go duration syntax, as in `timeouts` blocks).
pub fn duration(name: &str) -> Attribute {
    Attribute::string(name).validate(Validator::pattern(
        r"([0-9]+(\.[0-9]+)?(ms|s|m|h))+",
        "must be a duration such as `90s`, `30m` or `1h30m`",
    ))
}

/// What to cancel, resolved from the configuration.
enum Target<'a> {
    Environment(&'a str),
    Instance(&'a Instance),
    Pipeline(&'a str),
    Component(&'a str),
}

impl Config {
    fn target(&self) -> Result<Target<'_>, Error> {
        let targets = [
            self.environment_name.as_deref().map(Target::Environment),
            self.service_instance.as_ref().map(Target::Instance),
            self.service_pipeline.as_deref().map(Target::Pipeline),
            self.component_name.as_deref().map(Target::Component),
        ];
        let mut set = targets.into_iter().flatten();
        match (set.next(), set.next()) {
            (Some(target), None) => Ok(target),
            // Validation already said so; this keeps invoke honest if it is ever skipped.
            _ => Err(Error::Invalid(format!(
                "exactly one of {} must be set",
                TARGETS.join(", ")
            ))),
        }
    }

    fn timeout(&self) -> Result<TimeLimit, Error> {
        match &self.timeout {
            None => Ok(DEFAULT_TIMEOUT.into()),
            Some(text) => TimeLimit::parse(text).map_err(|why| {
                Error::Invalid(format!("timeout {text:?} is not a duration: {why}"))
            }),
        }
    }
}

impl Target<'_> {
    fn describe(&self) -> String {
        match self {
            Target::Environment(name) => format!("environment {name}"),
            Target::Instance(i) => {
                format!("service instance {} of service {}", i.name, i.service_name)
            }
            Target::Pipeline(service) => format!("pipeline of service {service}"),
            Target::Component(name) => format!("component {name}"),
        }
    }
}

impl Action for CancelDeployment {
    type Model = Config;

    fn spec(&self) -> ActionSpec {
        ActionSpec {
            type_name: "proton_cancel_deployment",
            description: "Cancels the deployment in progress on one environment, service instance, service \
                pipeline or component, and waits until the deployment stops, reporting each status it \
                sees. A cancel ends one of three ways: `CANCELLED` (the target is back as it was), \
                `SUCCEEDED` (the deployment finished before the cancellation took effect; the action \
                reports it and succeeds), or `FAILED` (the cancellation failed; the action fails with \
                Proton's message). Also fails when nothing is deploying or when `timeout` passes. A \
                cancellation already under way (`CANCELLING`) is waited for. Set exactly one target.",
            attributes: vec![
                attributes::resource_name("environment_name")
                    .optional()
                    .describe("Cancel the deployment of this environment."),
                Attribute::nested(
                    "service_instance",
                    Nesting::Single,
                    vec![
                        attributes::resource_name("service_name")
                            .required()
                            .describe("Name of the service."),
                        attributes::resource_name("name")
                            .required()
                            .describe("Name of the service instance."),
                    ],
                )
                .optional()
                .describe("Cancel the deployment of this service instance."),
                attributes::resource_name("service_pipeline")
                    .optional()
                    .describe(
                        "Cancel the deployment of the pipeline of the service with this name.",
                    ),
                attributes::resource_name("component_name")
                    .optional()
                    .describe("Cancel the deployment of this component."),
                duration("timeout").optional().describe(&format!(
                    "How long to wait for the deployment to be cancelled (default `{}`).",
                    format_duration(DEFAULT_TIMEOUT)
                )),
            ],
            rules: vec![ConfigRule::ExactlyOneOf(TARGETS)],
        }
    }

    async fn invoke(&self, ctx: &Ctx, config: Config, progress: &Progress) -> Result<(), Error> {
        let target = config.target()?;
        let mut ctx = ctx.clone();
        ctx.timeout = config.timeout()?;
        let api = ctx.api.clone();
        let what = target.describe();
        match target {
            Target::Environment(name) => {
                cancel(
                    &ctx,
                    progress,
                    &what,
                    || api.get_environment(name),
                    || api.cancel_environment_deployment(name),
                )
                .await
            }
            Target::Instance(instance) => {
                let (service, name) = (instance.service_name.as_str(), instance.name.as_str());
                cancel(
                    &ctx,
                    progress,
                    &what,
                    || api.get_service_instance(service, name),
                    || api.cancel_service_instance_deployment(service, name),
                )
                .await
            }
            Target::Pipeline(service) => {
                cancel(
                    &ctx,
                    progress,
                    &what,
                    || api.get_service_pipeline(service),
                    || api.cancel_service_pipeline_deployment(service),
                )
                .await
            }
            Target::Component(name) => {
                cancel(
                    &ctx,
                    progress,
                    &what,
                    || api.get_component(name),
                    || api.cancel_component_deployment(name),
                )
                .await
            }
        }
    }
}

fn deployment_of<T: Deployed>(object: &T) -> String {
    object
        .fields()
        .last_attempted_deployment_id
        .map_or_else(|| "deployment".to_string(), |id| format!("deployment {id}"))
}

/// Cancels what `get` finds deploying and waits until it is CANCELLED.
async fn cancel<T, G, F, C, CF>(
    ctx: &Ctx,
    progress: &Progress,
    what: &str,
    get: G,
    cancel: C,
) -> Result<(), Error>
where
    T: Deployed,
    G: Fn() -> F,
    F: Future<Output = Result<Option<T>, ApiError>>,
    C: FnOnce() -> CF,
    CF: Future<Output = Result<(), ApiError>>,
{
    let gone = || Error::Failed(format!("{what} does not exist"));
    let current = get().await?.ok_or_else(gone)?;
    let deployment = deployment_of(&current);
    match current.status() {
        DeploymentStatus::InProgress => {
            progress.report(format!("Cancelling {deployment} of {what}"));
            match cancel().await {
                Ok(()) => {}
                // It stopped running between the look and the call; the wait below says how it ended.
                Err(ApiError::Conflict(message)) => {
                    tracing::info!(what, %message, "cancel refused: the deployment is not running");
                }
                Err(error) => return Err(error.into()),
            }
        }
        DeploymentStatus::Cancelling => {
            progress.report(format!(
                "{deployment} of {what} is already being cancelled; waiting for it"
            ));
        }
        other => {
            return Err(Error::Failed(format!(
                "{what} has no deployment in progress to cancel: its last deployment is {}",
                other.as_str()
            )));
        }
    }
    let last_status = Mutex::new(String::new());
    let ended = wait_for(
        ctx,
        &format!("cancellation of the {deployment} of {what}"),
        || async {
            let Some(object) = get().await? else {
                return Ok(Poll::Failed(format!(
                    "{what} was deleted while its deployment was being cancelled"
                )));
            };
            let status = object.status().as_str().to_string();
            if let Ok(mut last) = last_status.lock()
                && *last != status
            {
                progress.report(format!("{what}: {status}"));
                *last = status.clone();
            }
            let message = object
                .message()
                .filter(|m| !m.is_empty())
                .map(str::to_string);
            Ok(match phase::cancel_ending(object.status()) {
                None => Poll::Pending(status),
                Some(ending) => Poll::Done((ending, message)),
            })
        },
    )
    .await?;
    report_ending(progress, &deployment, what, ended)
}

/// How the cancel ended, as Proton documents the three endings: CANCELLED and SUCCEEDED (the
/// deployment finished first, nothing left to cancel) end the action; FAILED (the cancellation
/// failed) is an error with Proton's message.
fn report_ending(
    progress: &Progress,
    deployment: &str,
    what: &str,
    (ending, message): (CancelEnding, Option<String>),
) -> Result<(), Error> {
    let because = message.map(|m| format!(": {m}")).unwrap_or_default();
    match ending {
        CancelEnding::Cancelled => {
            progress.report(format!("The {deployment} of {what} is cancelled{because}"));
            Ok(())
        }
        CancelEnding::FinishedFirst => {
            progress.report(format!(
                "The {deployment} of {what} finished (SUCCEEDED) before the cancellation took \
                 effect; nothing was cancelled"
            ));
            Ok(())
        }
        CancelEnding::Failed(status) => Err(Error::Failed(format!(
            "the cancellation of the {deployment} of {what} failed: it ended {status}{because}"
        ))),
    }
}
