//! Environment and service templates and their versions. The two families
//! differ only in names and a few service-only members, so one implementation
//! serves both, parameterised by `Kind`.

use serde_json::{Value, json};

use super::{Ctx, Input, TokenLookup, check_token, fingerprint, paginate, remember_token, tags};
use crate::bundle::layout::Expect;
use crate::error::ApiError;
use crate::store::tx::{Due, TxMap};
use crate::store::{CompatibleEnv, Partition, Template, TemplateVersion, Tombstone};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Environment,
    Service,
}

impl Kind {
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Environment => "environment template",
            Kind::Service => "service template",
        }
    }

    fn arn_type(self) -> &'static str {
        match self {
            Kind::Environment => "environment-template",
            Kind::Service => "service-template",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Environment => "environmentTemplate",
            Kind::Service => "serviceTemplate",
        }
    }

    fn version_key(self) -> &'static str {
        match self {
            Kind::Environment => "environmentTemplateVersion",
            Kind::Service => "serviceTemplateVersion",
        }
    }

    fn provisioning_member(self) -> &'static str {
        match self {
            Kind::Environment => "provisioning",
            Kind::Service => "pipelineProvisioning",
        }
    }

    fn create_op(self) -> &'static str {
        match self {
            Kind::Environment => "CreateEnvironmentTemplateVersion",
            Kind::Service => "CreateServiceTemplateVersion",
        }
    }

    pub fn map(self, p: &Partition) -> &TxMap<String, Template> {
        match self {
            Kind::Environment => &p.env_templates,
            Kind::Service => &p.svc_templates,
        }
    }

    pub fn map_mut(self, p: &mut Partition) -> &mut TxMap<String, Template> {
        match self {
            Kind::Environment => &mut p.env_templates,
            Kind::Service => &mut p.svc_templates,
        }
    }

    fn tombstone_key(self, name: &str) -> String {
        format!("{}:{name}", self.arn_type())
    }

    fn version_tombstone_key(self, name: &str, major: &str, minor: &str) -> String {
        format!("{}-version:{name}:{major}.{minor}", self.arn_type())
    }
}

/// Whether an operation registers a bundle (the transport fetches it first).
pub fn reads_bundle(op: &str) -> bool {
    op == Kind::Environment.create_op() || op == Kind::Service.create_op()
}

/// What a bundle must hold for this template.
fn expected_layout(kind: Kind, t: &Template) -> Expect {
    let customer_managed = t.provisioning.as_deref() == Some("CUSTOMER_MANAGED");
    match kind {
        Kind::Environment => Expect::Environment { customer_managed },
        Kind::Service => Expect::Service {
            pipeline: !customer_managed,
        },
    }
}

pub fn version_arn(template_arn: &str, major: u64, minor: u64) -> String {
    format!("{template_arn}:{major}.{minor}")
}

/// The recommended version: the newest published minor of the newest major
/// that has a published version.
pub fn recommended(t: &Template) -> Option<(u64, u64)> {
    t.versions
        .iter()
        .filter(|v| v.status == "PUBLISHED")
        .map(|v| (v.major, v.minor))
        .max()
}

/// The newest published minor of one major.
pub fn recommended_minor(t: &Template, major: u64) -> Option<u64> {
    t.versions
        .iter()
        .filter(|v| v.status == "PUBLISHED" && v.major == major)
        .map(|v| v.minor)
        .max()
}

pub fn render_template(kind: Kind, t: &Template) -> Value {
    let rec = recommended(t).map(|(a, b)| format!("{a}.{b}"));
    let mut v = json!({
        "arn": t.arn,
        "createdAt": t.created_at,
        "description": t.description,
        "displayName": t.display_name,
        "encryptionKey": t.encryption_key,
        "lastModifiedAt": t.last_modified_at,
        "name": t.name,
        "recommendedVersion": rec,
    });
    v[kind.provisioning_member()] = json!(t.provisioning);
    v
}

pub fn render_version(kind: Kind, t: &Template, v: &TemplateVersion) -> Value {
    let mut out = json!({
        "arn": version_arn(&t.arn, v.major, v.minor),
        "createdAt": v.created_at,
        "description": v.description,
        "lastModifiedAt": v.last_modified_at,
        "majorVersion": v.major.to_string(),
        "minorVersion": v.minor.to_string(),
        "recommendedMinorVersion": recommended_minor(t, v.major).map(|m| m.to_string()),
        "status": v.status,
        "statusMessage": v.status_message,
        // Known once registered; verbatim, as the author wrote it.
        "schema": v.bundle.as_ref().filter(|_| v.registration_due.is_none()).and_then(|b| b.schema()),
        "templateName": t.name,
    });
    if kind == Kind::Service {
        out["compatibleEnvironmentTemplates"] = Value::Array(
            v.compatible
                .iter()
                .map(|c| json!({"templateName": c.template_name, "majorVersion": c.major_version}))
                .collect(),
        );
        out["supportedComponentSources"] = json!(v.supported_component_sources);
    }
    out
}

fn find<'p>(p: &'p Partition, kind: Kind, name: &str) -> Result<&'p Template, ApiError> {
    kind.map(p)
        .get(name)
        .ok_or_else(|| ApiError::not_found(kind.noun(), name))
}

fn find_mut<'p>(
    p: &'p mut Partition,
    kind: Kind,
    name: &str,
) -> Result<&'p mut Template, ApiError> {
    kind.map_mut(p)
        .get_mut(name)
        .ok_or_else(|| ApiError::not_found(kind.noun(), name))
}

/// Version numbers on the wire are decimal strings; anything that does not
/// fit cannot name an existing version.
fn parse_part(s: &str) -> Option<u64> {
    s.parse().ok()
}

fn version_not_found(kind: Kind, name: &str, major: &str, minor: &str) -> ApiError {
    ApiError::NotFound(format!(
        "The {} {name} version {major}.{minor} was not found.",
        kind.noun()
    ))
}

pub fn find_version<'t>(t: &'t Template, major: &str, minor: &str) -> Option<&'t TemplateVersion> {
    let (ma, mi) = (parse_part(major)?, parse_part(minor)?);
    t.versions.iter().find(|v| v.major == ma && v.minor == mi)
}

pub fn create_template(ctx: &mut Ctx<'_>, kind: Kind, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let fp = fingerprint(i.0, &[]);
    let arn = ctx.arn(&format!("{}/{name}", kind.arn_type()));
    let now = ctx.now;
    let p = ctx.part();
    if let Some(existing) = kind.map(p).get(name) {
        // Idempotent create: same request -> same template, unless it changed since.
        if existing.fingerprint != fp {
            return Err(ApiError::idempotent_mismatch());
        }
        if existing.last_modified_at != existing.created_at {
            return Err(ApiError::conflict(format!(
                "The {} {name} already exists and was modified since it was created.",
                kind.noun()
            )));
        }
        return Ok(json!({ kind.key(): render_template(kind, existing) }));
    }
    // One quota covers environment and service templates together.
    super::check_quota(p.env_templates.len() + p.svc_templates.len(), "templates")?;
    let t = Template {
        name: name.to_string(),
        arn: arn.clone(),
        display_name: i.string("displayName"),
        description: i.string("description"),
        encryption_key: i.string("encryptionKey"),
        provisioning: i.string(kind.provisioning_member()),
        created_at: now,
        last_modified_at: now,
        fingerprint: fp,
        versions: vec![],
    };
    tags::set_initial(p, &arn, i)?;
    p.tombstones.remove(&kind.tombstone_key(name));
    let out = json!({ kind.key(): render_template(kind, &t) });
    kind.map_mut(p).insert(name.to_string(), t);
    Ok(out)
}

pub fn get_template(ctx: &mut Ctx<'_>, kind: Kind, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let t = find(ctx.part(), kind, name)?;
    Ok(json!({ kind.key(): render_template(kind, t) }))
}

pub fn update_template(ctx: &mut Ctx<'_>, kind: Kind, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let now = ctx.now;
    let t = find_mut(ctx.part(), kind, name)?;
    if let Some(d) = i.str("displayName") {
        t.display_name = Some(d.to_string());
    }
    if let Some(d) = i.str("description") {
        t.description = Some(d.to_string());
    }
    t.last_modified_at = now;
    Ok(json!({ kind.key(): render_template(kind, t) }))
}

pub fn delete_template(ctx: &mut Ctx<'_>, kind: Kind, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let now = ctx.now;
    let p = ctx.part();
    let Some(t) = kind.map(p).get(name) else {
        // Idempotent delete: a retry gets the old metadata, or nothing.
        return Ok(match p.tombstones.get(&kind.tombstone_key(name)) {
            Some(ts) if ts.expires_at > now => json!({ kind.key(): ts.body }),
            _ => json!({}),
        });
    };
    if !t.versions.is_empty() {
        return Err(ApiError::conflict(format!(
            "The {} {name} has versions. Delete its versions first.",
            kind.noun()
        )));
    }
    let body = render_template(kind, t);
    let arn = t.arn.clone();
    kind.map_mut(p).remove(name);
    p.tags.remove(&arn);
    p.tombstones.insert(
        kind.tombstone_key(name),
        Tombstone {
            body: body.clone(),
            expires_at: now + super::TOKEN_TTL_SECS,
        },
    );
    Ok(json!({ kind.key(): body }))
}

pub fn list_templates(ctx: &mut Ctx<'_>, kind: Kind, i: Input<'_>) -> Result<Value, ApiError> {
    let p = ctx.part();
    let items: Vec<(String, Value)> = kind
        .map(p)
        .values()
        .map(|t| (t.name.clone(), render_template(kind, t)))
        .collect();
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"templates": page, "nextToken": next}))
}

/// Service template versions name the environment template majors they work with.
fn compatible_envs(p: &Partition, i: Input<'_>) -> Result<Vec<CompatibleEnv>, ApiError> {
    let mut out = vec![];
    for c in i.array("compatibleEnvironmentTemplates") {
        let c = Input(c);
        let name = c.req("templateName")?;
        let major = c.req("majorVersion")?;
        let exists = p.env_templates.get(name).is_some_and(|t| {
            parse_part(major).is_some_and(|m| t.versions.iter().any(|v| v.major == m))
        });
        if !exists {
            return Err(ApiError::validation(format!(
                "Compatible environment template {name} major version {major} does not exist."
            )));
        }
        out.push(CompatibleEnv {
            template_name: name.to_string(),
            major_version: major.to_string(),
        });
    }
    Ok(out)
}

pub fn create_version(ctx: &mut Ctx<'_>, kind: Kind, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("templateName")?;
    let token = i.str("clientToken");
    let fp = fingerprint(i.0, &["clientToken"]);
    let now = ctx.now;
    let due = ctx.due();
    let fetched = ctx.bundle.take();
    let p = ctx.part();
    let op = kind.create_op();
    if let TokenLookup::Replay(key) = check_token(p, op, token, &fp, now)? {
        let t = find(p, kind, name)?;
        let (major, minor) = key.split_once('.').unwrap_or((&key, ""));
        if let Some(v) = find_version(t, major, minor) {
            return Ok(json!({ kind.version_key(): render_version(kind, t, v) }));
        }
        // The first result is gone: the retry makes a new version.
    }
    let compatible = if kind == Kind::Service {
        compatible_envs(p, i)?
    } else {
        vec![]
    };
    let s3 = i
        .child("source")
        .and_then(|s| s.child("s3"))
        .ok_or_else(|| ApiError::validation("source.s3 is required"))?;
    let bucket = s3.req("bucket")?.to_string();
    let key = s3.req("key")?.to_string();
    let t = find_mut(p, kind, name)?;
    super::check_quota(t.versions.len(), "template-versions")?;
    let (major, minor) = match i.str("majorVersion") {
        None => (t.versions.iter().map(|v| v.major).max().unwrap_or(0) + 1, 0),
        Some(m) => {
            let major = parse_part(m)
                .filter(|ma| t.versions.iter().any(|v| v.major == *ma))
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "Major version {m} of {} {name} does not exist. Omit majorVersion to create a new major version.",
                        kind.noun()
                    ))
                })?;
            let minor = t
                .versions
                .iter()
                .filter(|v| v.major == major)
                .map(|v| v.minor + 1)
                .max()
                .unwrap_or(0);
            (major, minor)
        }
    };
    // Checked now, reported when the registration finishes.
    let (bundle, registration_error) =
        match crate::bundle::register(fetched, expected_layout(kind, t), &bucket, &key) {
            Ok(b) => (Some(b), None),
            Err(message) => (None, Some(message)),
        };
    let v = TemplateVersion {
        major,
        minor,
        status: "REGISTRATION_IN_PROGRESS".to_string(),
        status_message: None,
        description: i.string("description"),
        created_at: now,
        last_modified_at: now,
        source_bucket: bucket,
        source_key: key,
        registration_due: Some(due),
        compatible,
        supported_component_sources: i
            .get("supportedComponentSources")
            .and_then(|v| serde_json::from_value(v.clone()).ok()),
        bundle,
        registration_error,
    };
    let arn = version_arn(&t.arn, major, minor);
    let out = json!({ kind.version_key(): render_version(kind, t, &v) });
    t.versions.push(v);
    t.versions.sort_by_key(|v| (v.major, v.minor));
    p.tombstones
        .remove(&kind.version_tombstone_key(name, &major.to_string(), &minor.to_string()));
    tags::set_initial(p, &arn, i)?;
    remember_token(p, op, token, &fp, &format!("{major}.{minor}"), now);
    Ok(out)
}

pub fn get_version(ctx: &mut Ctx<'_>, kind: Kind, i: Input<'_>) -> Result<Value, ApiError> {
    let (name, major, minor) = (
        i.req("templateName")?,
        i.req("majorVersion")?,
        i.req("minorVersion")?,
    );
    let t = find(ctx.part(), kind, name)?;
    let v =
        find_version(t, major, minor).ok_or_else(|| version_not_found(kind, name, major, minor))?;
    Ok(json!({ kind.version_key(): render_version(kind, t, v) }))
}

pub fn update_version(ctx: &mut Ctx<'_>, kind: Kind, i: Input<'_>) -> Result<Value, ApiError> {
    let (name, major, minor) = (
        i.req("templateName")?,
        i.req("majorVersion")?,
        i.req("minorVersion")?,
    );
    let now = ctx.now;
    let p = ctx.part();
    let compatible = match (kind, i.get("compatibleEnvironmentTemplates")) {
        (Kind::Service, Some(_)) => Some(compatible_envs(p, i)?),
        _ => None,
    };
    let t = find_mut(p, kind, name)?;
    let (ma, mi) = (parse_part(major), parse_part(minor));
    let v = t
        .versions
        .iter_mut()
        .find(|v| Some(v.major) == ma && Some(v.minor) == mi)
        .ok_or_else(|| version_not_found(kind, name, major, minor))?;
    if v.status == "REGISTRATION_IN_PROGRESS" || v.status == "REGISTRATION_FAILED" {
        return Err(ApiError::conflict(format!(
            "The {} {name} version {major}.{minor} can't be updated while its status is {}.",
            kind.noun(),
            v.status
        )));
    }
    if let Some(status) = i.str("status") {
        match (v.status.as_str(), status) {
            (_, "REGISTRATION_IN_PROGRESS" | "REGISTRATION_FAILED") => {
                return Err(ApiError::validation(format!(
                    "A template version's status can't be set to {status}."
                )));
            }
            ("PUBLISHED", "DRAFT") => {
                return Err(ApiError::validation(
                    "A published template version can't return to DRAFT.",
                ));
            }
            _ => v.status = status.to_string(),
        }
    }
    if let Some(d) = i.str("description") {
        v.description = Some(d.to_string());
    }
    if let Some(c) = compatible {
        v.compatible = c;
    }
    if let Some(s) = i.get("supportedComponentSources")
        && kind == Kind::Service
    {
        v.supported_component_sources = serde_json::from_value(s.clone()).ok();
    }
    v.last_modified_at = now;
    let v = v.clone();
    Ok(json!({ kind.version_key(): render_version(kind, t, &v) }))
}

/// Whether any deployed resource uses this template version.
fn version_in_use(p: &Partition, kind: Kind, name: &str, major: &str, minor: &str) -> bool {
    let hit = |t: &str, a: &str, b: &str| t == name && a == major && b == minor;
    match kind {
        Kind::Environment => p
            .environments
            .values()
            .any(|e| hit(&e.template_name, &e.major, &e.minor)),
        Kind::Service => p.services.values().any(|s| {
            hit(&s.template_name, &s.major, &s.minor)
                || s.instances
                    .values()
                    .any(|si| hit(&si.template_name, &si.major, &si.minor))
                || s.pipeline
                    .as_ref()
                    .is_some_and(|pl| hit(&pl.template_name, &pl.major, &pl.minor))
        }),
    }
}

/// The recommended minor of a major goes only as the last minor of that major, and the recommended
/// major only as the last version of the template (M op DeleteEnvironmentTemplateVersion).
fn check_recommended_delete(
    kind: Kind,
    t: &Template,
    major: u64,
    minor: u64,
) -> Result<(), ApiError> {
    let others_in_major = t
        .versions
        .iter()
        .any(|v| v.major == major && v.minor != minor);
    let others_elsewhere = t.versions.iter().any(|v| v.major != major);
    let noun = kind.noun();
    let name = &t.name;
    if recommended_minor(t, major) == Some(minor) && others_in_major {
        return Err(ApiError::conflict(format!(
            "{major}.{minor} is the recommended minor version of the {noun} {name} major version \
             {major}; delete the other minor versions of that major version first."
        )));
    }
    if !others_in_major && recommended(t).map(|r| r.0) == Some(major) && others_elsewhere {
        return Err(ApiError::conflict(format!(
            "{major} is the recommended major version of the {noun} {name}; delete its other \
             versions first."
        )));
    }
    Ok(())
}

pub fn delete_version(ctx: &mut Ctx<'_>, kind: Kind, i: Input<'_>) -> Result<Value, ApiError> {
    let (name, major, minor) = (
        i.req("templateName")?,
        i.req("majorVersion")?,
        i.req("minorVersion")?,
    );
    let now = ctx.now;
    let p = ctx.part();
    let tomb = kind.version_tombstone_key(name, major, minor);
    let found = kind
        .map(p)
        .get(name)
        .and_then(|t| find_version(t, major, minor).map(|v| render_version(kind, t, v)));
    let Some(body) = found else {
        return Ok(match p.tombstones.get(&tomb) {
            Some(ts) if ts.expires_at > now => json!({ kind.version_key(): ts.body }),
            _ => json!({}),
        });
    };
    if version_in_use(p, kind, name, major, minor) {
        return Err(ApiError::conflict(format!(
            "The {} {name} version {major}.{minor} is in use and can't be deleted.",
            kind.noun()
        )));
    }
    let (ma, mi) = (parse_part(major), parse_part(minor));
    if let (Some(t), Some(ma), Some(mi)) = (kind.map(p).get(name), ma, mi) {
        check_recommended_delete(kind, t, ma, mi)?;
    }
    let t = find_mut(p, kind, name)?;
    t.versions
        .retain(|v| !(Some(v.major) == ma && Some(v.minor) == mi));
    let arn = body["arn"].as_str().unwrap_or_default().to_string();
    p.tags.remove(&arn);
    p.tombstones.insert(
        tomb,
        Tombstone {
            body: body.clone(),
            expires_at: now + super::TOKEN_TTL_SECS,
        },
    );
    Ok(json!({ kind.version_key(): body }))
}

pub fn list_versions(ctx: &mut Ctx<'_>, kind: Kind, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("templateName")?;
    let major_filter = i.str("majorVersion");
    let t = find(ctx.part(), kind, name)?;
    let items: Vec<(String, Value)> = t
        .versions
        .iter()
        .filter(|v| major_filter.is_none_or(|m| parse_part(m) == Some(v.major)))
        .map(|v| {
            (
                format!("{:020}.{:020}", v.major, v.minor),
                render_version(kind, t, v),
            )
        })
        .collect();
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"templateVersions": page, "nextToken": next}))
}

/// Moves finished registrations on (called by the lifecycle tick).
pub fn advance_registrations(p: &mut Partition, now: f64) {
    for kind in [Kind::Environment, Kind::Service] {
        let due: Vec<String> = kind
            .map(p)
            .values()
            .filter(|t| t.due().is_some_and(|d| d <= now))
            .map(|t| t.name.clone())
            .collect();
        for name in due {
            if let Some(t) = kind.map_mut(p).get_mut(&name) {
                register_due_versions(t, now);
            }
        }
    }
}

fn register_due_versions(t: &mut Template, now: f64) {
    for v in &mut t.versions {
        let Some(due) = v.registration_due else {
            continue;
        };
        if due > now {
            continue;
        }
        v.registration_due = None;
        v.last_modified_at = due;
        match v.registration_error.take() {
            Some(message) => {
                v.status = "REGISTRATION_FAILED".to_string();
                v.status_message = Some(message);
            }
            None => v.status = "DRAFT".to_string(),
        }
    }
}

/// Picks the template version a deployment uses: the named minor, or the
/// recommended (newest published) minor of `major`. Only published versions deploy.
pub fn resolve_published(
    p: &Partition,
    kind: Kind,
    name: &str,
    major: &str,
    minor: Option<&str>,
) -> Result<(String, String), ApiError> {
    let t = find(p, kind, name)?;
    match minor {
        Some(mi) => {
            let v = find_version(t, major, mi)
                .ok_or_else(|| version_not_found(kind, name, major, mi))?;
            if v.status != "PUBLISHED" {
                return Err(ApiError::validation(format!(
                    "The {} {name} version {major}.{mi} is not published (status {}).",
                    kind.noun(),
                    v.status
                )));
            }
            Ok((v.major.to_string(), v.minor.to_string()))
        }
        None => {
            let ma = parse_part(major).ok_or_else(|| version_not_found(kind, name, major, "0"))?;
            let mi = recommended_minor(t, ma).ok_or_else(|| {
                ApiError::validation(format!(
                    "The {} {name} has no published version in major version {major}.",
                    kind.noun()
                ))
            })?;
            Ok((ma.to_string(), mi.to_string()))
        }
    }
}

/// The newest published major of a template, if any.
pub fn recommended_major(p: &Partition, kind: Kind, name: &str) -> Option<u64> {
    kind.map(p).get(name).and_then(recommended).map(|(a, _)| a)
}
