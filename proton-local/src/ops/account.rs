//! Account settings (pipeline roles and repository) and the resources summary.

use serde_json::{Value, json};

use super::environments::{repo_branch, repo_branch_json};
use super::templates::{self, Kind};
use super::{Ctx, Input};
use crate::error::ApiError;
use crate::store::{Deployable, Partition};

fn render_settings(p: &Partition) -> Value {
    let s = &p.settings;
    json!({
        "pipelineCodebuildRoleArn": s.pipeline_codebuild_role_arn,
        "pipelineProvisioningRepository": s.pipeline_provisioning_repository.as_ref().map(repo_branch_json),
        "pipelineServiceRoleArn": s.pipeline_service_role_arn,
    })
}

pub fn get_settings(ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    Ok(json!({"accountSettings": render_settings(ctx.part())}))
}

pub fn update_settings(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let p = ctx.part();
    let delete_repo = i.bool("deletePipelineProvisioningRepository") == Some(true);
    if delete_repo && i.get("pipelineProvisioningRepository").is_some() {
        return Err(ApiError::validation(
            "Specify pipelineProvisioningRepository or deletePipelineProvisioningRepository, not both.",
        ));
    }
    let repo = match i.child("pipelineProvisioningRepository") {
        Some(r) => Some(repo_branch(p, r).map_err(|e| match e {
            ApiError::NotFound(m) => ApiError::Validation(m),
            other => other,
        })?),
        None => None,
    };
    // An empty string clears a role.
    let role = |v: Option<&str>, cur: &mut Option<String>| {
        if let Some(v) = v {
            *cur = (!v.is_empty()).then(|| v.to_string());
        }
    };
    let settings = p.settings.get_mut();
    role(
        i.str("pipelineServiceRoleArn"),
        &mut settings.pipeline_service_role_arn,
    );
    role(
        i.str("pipelineCodebuildRoleArn"),
        &mut settings.pipeline_codebuild_role_arn,
    );
    if delete_repo {
        settings.pipeline_provisioning_repository = None;
    }
    if let Some(r) = repo {
        settings.pipeline_provisioning_repository = Some(r);
    }
    Ok(json!({"accountSettings": render_settings(p)}))
}

#[derive(Default)]
struct Counts {
    total: i64,
    failed: i64,
    up_to_date: i64,
    behind_minor: i64,
    behind_major: i64,
}

impl Counts {
    fn add(&mut self, failed: bool, standing: Option<&str>) {
        self.total += 1;
        if failed {
            self.failed += 1;
        }
        match standing {
            Some("BEHIND_MAJOR") => self.behind_major += 1,
            Some("BEHIND_MINOR") => self.behind_minor += 1,
            Some(_) => self.up_to_date += 1,
            None => {}
        }
    }

    fn json(&self, versioned: bool) -> Value {
        if versioned {
            json!({"total": self.total, "failed": self.failed, "upToDate": self.up_to_date,
                   "behindMinor": self.behind_minor, "behindMajor": self.behind_major})
        } else {
            json!({"total": self.total})
        }
    }
}

/// How a deployed version compares with the template's recommended version.
fn standing(p: &Partition, kind: Kind, template: &str, major: &str, minor: &str) -> &'static str {
    let rec = kind.map(p).get(template).and_then(templates::recommended);
    let (Ok(ma), Ok(mi)) = (major.parse::<u64>(), minor.parse::<u64>()) else {
        return "UP_TO_DATE";
    };
    match rec {
        Some((a, _)) if a > ma => "BEHIND_MAJOR",
        Some((a, b)) if a == ma && b > mi => "BEHIND_MINOR",
        _ => "UP_TO_DATE",
    }
}

fn failed(d: &Deployable) -> bool {
    matches!(d.deployment_status.as_str(), "FAILED" | "DELETE_FAILED")
}

pub fn resources_summary(ctx: &mut Ctx<'_>, _i: Input<'_>) -> Result<Value, ApiError> {
    let p = ctx.part();
    let mut env_t = Counts::default();
    let mut svc_t = Counts::default();
    let (mut envs, mut svcs, mut insts, mut pipes, mut comps) = (
        Counts::default(),
        Counts::default(),
        Counts::default(),
        Counts::default(),
        Counts::default(),
    );
    for _ in p.env_templates.values() {
        env_t.add(false, None);
    }
    for _ in p.svc_templates.values() {
        svc_t.add(false, None);
    }
    for e in p.environments.values() {
        let s = standing(p, Kind::Environment, &e.template_name, &e.major, &e.minor);
        envs.add(failed(&e.deploy), Some(s));
    }
    for s in p.services.values() {
        let st = standing(p, Kind::Service, &s.template_name, &s.major, &s.minor);
        svcs.add(s.status.contains("FAILED"), Some(st));
        for i in s.instances.values() {
            let st = standing(p, Kind::Service, &i.template_name, &i.major, &i.minor);
            insts.add(failed(&i.deploy), Some(st));
        }
        if let Some(pl) = &s.pipeline {
            let st = standing(p, Kind::Service, &pl.template_name, &pl.major, &pl.minor);
            pipes.add(failed(&pl.deploy), Some(st));
        }
    }
    for c in p.components.values() {
        comps.add(failed(&c.deploy), None);
    }
    Ok(json!({"counts": {
        "components": {"total": comps.total, "failed": comps.failed},
        "environmentTemplates": env_t.json(false),
        "environments": envs.json(true),
        "pipelines": pipes.json(true),
        "serviceInstances": insts.json(true),
        "serviceTemplates": svc_t.json(false),
        "services": svcs.json(true),
    }}))
}
