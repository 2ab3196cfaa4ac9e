//! Specs checked against the schema of the template version they deploy with (issue 14): at plan
//! when Proton already holds the version, and at apply just before the create or update call (for
//! a version registered in the same apply). A refused spec never reaches a mutating call.

use proton_spec::{SpecErrors, TemplateSchema};

use crate::aws::{TemplateKind, VersionId, VersionSchema};
use crate::engine::{Ctx, Error};
use crate::shared::deployment::{
    Deploy, Running, TEMPLATE_MAJOR_VERSION, TEMPLATE_MINOR_VERSION, Versioned, Versions,
    refuse_lower_major,
};
use crate::tf::schema::yaml_equal;
use crate::tf::{AttributePath, Diagnostics, Value};

/// When the check runs. Plans remember a major version's recommended minor for the whole run;
/// applies ask afresh, as a version may have been published earlier in the same apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moment {
    Plan,
    Apply,
}

/// The template version a spec deploys with.
#[derive(Clone, Copy, Debug)]
pub struct SpecTarget<'a> {
    pub kind: TemplateKind,
    pub template: &'a str,
    pub major: &'a str,
    /// `None`: the recommended minor version of `major`, as Proton picks it.
    pub minor: Option<&'a str>,
}

/// Which spec document, as each resource's `spec` holds it.
#[derive(Clone, Copy, Debug)]
pub enum SpecDocument<'a> {
    Environment,
    Service,
    /// A service instance's spec: the instance under `instances:` (or inputs under `spec:`).
    Instance(&'a str),
    /// A pipeline's spec: its inputs under `pipeline:`.
    Pipeline,
}

/// A spec the version's schema refuses.
#[derive(Debug, thiserror::Error)]
#[error(
    "The spec does not match the schema of {kind} template {template} version {version}:\n{errors}"
)]
pub struct SpecRefused {
    kind: &'static str,
    template: String,
    version: String,
    errors: SpecErrors,
}

impl From<SpecRefused> for Error {
    fn from(refused: SpecRefused) -> Self {
        Error::Invalid(refused.to_string())
    }
}

/// A refusal as a plan diagnostic on `spec`.
pub fn diagnostics(result: Result<(), SpecRefused>) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if let Err(refused) = result {
        diags.attribute_error(
            AttributePath::attribute("spec"),
            "Spec refused by the template version's schema",
            refused.to_string(),
        );
    }
    diags
}

/// Checks `spec` against the target version's schema. Anything that prevents the check (the
/// version not registered yet, no schema, a failed read) lets the spec through: Proton checks it too.
pub async fn check(
    ctx: &Ctx,
    moment: Moment,
    target: SpecTarget<'_>,
    document: SpecDocument<'_>,
    spec: &str,
) -> Result<(), SpecRefused> {
    let Some(schema) = schema_of(ctx, moment, target).await else {
        return Ok(());
    };
    let (schema, minor) = schema;
    let result = match document {
        SpecDocument::Environment => schema.validate_environment_spec(spec).map(drop),
        SpecDocument::Service => schema.validate_service_spec(spec).map(drop),
        SpecDocument::Instance(name) => schema.validate_instance_spec(spec, name).map(drop),
        SpecDocument::Pipeline => schema.validate_pipeline_spec(spec).map(drop),
    };
    result.map_err(|errors| SpecRefused {
        kind: target.kind.word(),
        template: target.template.to_string(),
        version: format!("{}.{minor}", target.major),
        errors,
    })
}

async fn schema_of(
    ctx: &Ctx,
    moment: Moment,
    target: SpecTarget<'_>,
) -> Option<(std::sync::Arc<TemplateSchema>, String)> {
    let minor = match target.minor {
        Some(minor) => minor.to_string(),
        None => ctx
            .api
            .recommended_minor(
                target.kind,
                target.template,
                target.major,
                moment == Moment::Plan,
            )
            .await
            .ok()??,
    };
    let id = VersionId {
        template_name: target.template,
        major_version: target.major,
        minor_version: &minor,
    };
    match ctx.api.template_schema(target.kind, id).await {
        Ok(VersionSchema::Parsed(schema)) => Some((schema, minor)),
        Ok(VersionSchema::Missing | VersionSchema::Unusable) | Err(_) => None,
    }
}

/// A model whose configuration names its template and version (`template_name`,
/// `template_major_version`, `template_minor_version`) beside its `spec`: environments, services.
pub trait TemplateSpec {
    /// The kind of its template.
    const KIND: TemplateKind;
    /// What its `spec` holds.
    const DOCUMENT: SpecDocument<'static>;
    fn template_name(&self) -> Option<&str>;
    fn deployed(&self) -> Deployed<'_>;
}

/// [`TemplateSpec`] for a model with those four fields, of kind `Environment` or `Service`.
macro_rules! template_spec {
    ($model:ty, $kind:ident) => {
        impl $crate::shared::spec_check::TemplateSpec for $model {
            const KIND: $crate::aws::TemplateKind = $crate::aws::TemplateKind::$kind;
            const DOCUMENT: $crate::shared::spec_check::SpecDocument<'static> =
                $crate::shared::spec_check::SpecDocument::$kind;
            fn template_name(&self) -> Option<&str> {
                self.template_name.as_deref()
            }
            fn deployed(&self) -> $crate::shared::spec_check::Deployed<'_> {
                $crate::shared::spec_check::Deployed {
                    spec: self.spec.as_deref(),
                    major: self.template_major_version.as_deref(),
                    minor: self.template_minor_version.as_deref(),
                }
            }
        }
    };
}
pub(crate) use template_spec;

/// The plan-time check of a [`TemplateSpec`] model's configuration.
pub async fn check_plan<M: TemplateSpec>(ctx: &Ctx, prior: &Value, config: &Value) -> Diagnostics {
    let template = config.get("template_name").and_then(Value::as_str);
    let now = if prior.is_null() {
        None
    } else {
        from_value(prior)
    };
    check_planned(ctx, M::KIND, template, now, config, M::DOCUMENT).await
}

/// The apply-time check of a [`TemplateSpec`] model before its create (`prior` `None`) or update.
pub async fn check_model<M: TemplateSpec>(
    ctx: &Ctx,
    planned: &M,
    prior: Option<&M>,
) -> Result<(), Error> {
    let prior = prior.map(M::deployed);
    check_apply(
        ctx,
        M::KIND,
        M::DOCUMENT,
        planned.template_name(),
        prior,
        planned.deployed(),
    )
    .await
}

/// The plan-time check of `config`'s spec and version (an unset version: as it runs `now`,
/// `None` on create), against a version of `template`.
pub async fn check_planned(
    ctx: &Ctx,
    kind: TemplateKind,
    template: Option<&str>,
    now: Option<Deployed<'_>>,
    config: &Value,
    document: SpecDocument<'_>,
) -> Diagnostics {
    let (Some(template), Some(wanted)) = (template, from_value(config)) else {
        return Diagnostics::new();
    };
    let Some((target, spec)) = changed_target(kind, template, now, wanted) else {
        return Diagnostics::new();
    };
    diagnostics(check(ctx, Moment::Plan, target, document, spec).await)
}

/// The plan-time check of a service instance or pipeline, whose template is the service's and
/// whose unset version means "as it runs". A lower major version is refused first. What runs is
/// the prior state, or on create `existing` (the object Proton already has); a new object is
/// checked against the configured version of the template `owner` names. Neither is awaited
/// unless it is needed.
pub async fn check_plan_of_part<T: Versioned>(
    ctx: &Ctx,
    prior: &Value,
    config: &Value,
    document: SpecDocument<'_>,
    existing: impl Future<Output = Option<T>>,
    owner: impl Future<Output = Option<String>>,
) -> Diagnostics {
    let refused = refuse_lower_major(prior, config);
    if refused.has_errors() {
        return refused;
    }
    let found = if prior.is_null() {
        existing.await
    } else {
        None
    };
    let owner = if prior.is_null() && found.is_none() {
        owner.await
    } else {
        None
    };
    let (template, now) = match (prior.is_null(), &found) {
        (false, _) => (
            prior.get("template_name").and_then(Value::as_str),
            from_value(prior),
        ),
        (true, Some(found)) => {
            let versions = found.versions();
            let running = Deployed {
                spec: found.spec(),
                major: versions.major,
                minor: versions.minor,
            };
            (Some(found.template()), Some(running))
        }
        (true, None) => (owner.as_deref(), None),
    };
    check_planned(ctx, TemplateKind::Service, template, now, config, document).await
}

/// The apply-time check before a create (`prior` `None`) or update of such a resource.
pub async fn check_apply(
    ctx: &Ctx,
    kind: TemplateKind,
    document: SpecDocument<'_>,
    template: Option<&str>,
    prior: Option<Deployed<'_>>,
    planned: Deployed<'_>,
) -> Result<(), Error> {
    let Some((target, spec)) =
        template.and_then(|template| changed_target(kind, template, prior, planned))
    else {
        return Ok(());
    };
    Ok(check(ctx, Moment::Apply, target, document, spec).await?)
}

/// The apply-time check of a service instance or pipeline about to deploy `spec` with `deploy`
/// from what runs `now`: the versions the deployment names, else the ones it runs.
pub async fn check_deploy(
    ctx: &Ctx,
    now: &Running<'_>,
    deploy: &Deploy<'_>,
    document: SpecDocument<'_>,
    spec: &str,
) -> Result<(), Error> {
    let Some(template) = now.template else {
        return Ok(());
    };
    let named = deploy.versions != Versions::default();
    let versions = if named { deploy.versions } else { now.versions };
    let Some(major) = versions.major.or(now.versions.major) else {
        return Ok(());
    };
    let target = SpecTarget {
        kind: TemplateKind::Service,
        template,
        major,
        minor: versions.minor,
    };
    Ok(check(ctx, Moment::Apply, target, document, spec).await?)
}

/// A spec and the version it deploys with, as a configuration, plan or state holds them
/// (`None`: not set, or, for the minor version, left to Proton).
#[derive(Clone, Copy, Debug, Default)]
pub struct Deployed<'a> {
    pub spec: Option<&'a str>,
    pub major: Option<&'a str>,
    pub minor: Option<&'a str>,
}

/// The spec and version to check when going from `prior` (`None` on create) to `wanted`, or
/// `None` when neither the spec nor the version changes (an unchanged object is not re-checked).
/// An unset major or minor version stays as it is; a new major without a minor takes the
/// recommended minor.
pub fn to_check<'a>(prior: Option<Deployed<'a>>, wanted: Deployed<'a>) -> Option<Deployed<'a>> {
    let spec = wanted.spec?;
    let Some(prior) = prior else {
        return Some(wanted);
    };
    let major = wanted.major.or(prior.major);
    let minor = wanted
        .minor
        .or_else(|| prior.minor.filter(|_| major == prior.major));
    let same_spec = prior
        .spec
        .is_some_and(|was| was == spec || yaml_equal(was, spec));
    if same_spec && major == prior.major && minor == prior.minor {
        return None;
    }
    Some(Deployed {
        spec: Some(spec),
        major,
        minor,
    })
}

/// The version and spec to check going from `prior` to `wanted` (see [`to_check`]), when there
/// is a change and its major version is known.
fn changed_target<'a>(
    kind: TemplateKind,
    template: &'a str,
    prior: Option<Deployed<'a>>,
    wanted: Deployed<'a>,
) -> Option<(SpecTarget<'a>, &'a str)> {
    let changed = to_check(prior, wanted)?;
    let target = SpecTarget {
        kind,
        template,
        major: changed.major?,
        minor: changed.minor,
    };
    Some((target, changed.spec?))
}

/// [`Deployed`] from a configuration or prior state (`spec`, `template_major_version`,
/// `template_minor_version`): `None` when one of them is unknown (the check then waits for the apply).
pub fn from_value<'a>(value: &'a Value) -> Option<Deployed<'a>> {
    let text = |name: &str| -> Option<Option<&'a str>> {
        match value.get(name) {
            Some(v) if v.is_unknown() => None,
            Some(v) => Some(v.as_str()),
            None => Some(None),
        }
    };
    Some(Deployed {
        spec: text("spec")?,
        major: text(TEMPLATE_MAJOR_VERSION)?,
        minor: text(TEMPLATE_MINOR_VERSION)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d<'a>(spec: &'a str, major: Option<&'a str>, minor: Option<&'a str>) -> Deployed<'a> {
        Deployed {
            spec: Some(spec),
            major,
            minor,
        }
    }

    #[test]
    fn only_changes_are_checked() {
        let prior = d("a: 1", Some("1"), Some("2"));
        assert!(to_check(Some(prior), d("{a: 1}", None, None)).is_none());
        assert!(to_check(Some(prior), d("a: 1", Some("1"), Some("2"))).is_none());
        let new_spec = to_check(Some(prior), d("a: 2", None, None)).unwrap();
        assert_eq!((new_spec.major, new_spec.minor), (Some("1"), Some("2")));
        let new_major = to_check(Some(prior), d("a: 1", Some("2"), None)).unwrap();
        assert_eq!((new_major.major, new_major.minor), (Some("2"), None));
        let created = to_check(None, d("a: 1", Some("1"), None)).unwrap();
        assert_eq!(created.minor, None);
    }
}
