//! Helpers shared by the deployed-resource end-to-end tests (environments, services, instances,
//! pipelines, components, connections): published templates in proton-local, remote reads through
//! the real AWS CLI, state checks.

use std::time::Duration;

use serde_json::{Map, Value};

use crate::{ProtonLocal, Terraform, Workspace, diff_attrs, poll_until};

pub const ACCOUNT: &str = "000000000000";
pub const ROLE: &str = "arn:aws:iam::000000000000:role/proton-service";

/// The example bundle for a template of `kind` created with `create_extra`: a customer-managed
/// template gets the bundle without infrastructure (environment) or pipeline (service).
fn bundle_for(kind: &str, create_extra: &[&str]) -> &'static str {
    let customer_managed = create_extra.contains(&"CUSTOMER_MANAGED");
    match (kind, customer_managed) {
        ("environment", false) => "vpc-environment",
        ("environment", true) => "imported-environment",
        (_, false) => "web-service",
        (_, true) => "worker-service",
    }
}

/// Registers the example bundle `bundle` as a new version of `template` (in `major`, or a new
/// major), waits for DRAFT and publishes it.
pub fn publish_version(
    proton: &ProtonLocal,
    kind: &str,
    template: &str,
    bundle: &str,
    major: Option<&str>,
    extra: &[&str],
) -> (String, String) {
    publish_version_from_source(
        proton,
        kind,
        template,
        major,
        &crate::bundle_source(bundle),
        extra,
    )
}

/// Registers a version of `template` from `source` (the AWS CLI's JSON) and publishes it.
fn publish_version_from_source(
    proton: &ProtonLocal,
    kind: &str,
    template: &str,
    major: Option<&str>,
    source: &str,
    extra: &[&str],
) -> (String, String) {
    let mut args = vec![
        format!("create-{kind}-template-version"),
        "--template-name".to_string(),
        template.to_string(),
        "--source".to_string(),
        source.to_string(),
    ];
    if let Some(major) = major {
        args.extend(["--major-version".to_string(), major.to_string()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let created = proton.aws(&refs);
    let key = format!("{kind}TemplateVersion");
    let version = created
        .get(&key)
        .unwrap_or_else(|| panic!("create-{kind}-template-version: {created}"));
    let major = version["majorVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let minor = version["minorVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let get = [
        format!("get-{kind}-template-version"),
        "--template-name".to_string(),
        template.to_string(),
        "--major-version".to_string(),
        major.clone(),
        "--minor-version".to_string(),
        minor.clone(),
    ];
    let get: Vec<&str> = get.iter().map(String::as_str).collect();
    poll_until(
        "template version registration",
        Duration::from_secs(120),
        || {
            let version = &proton.aws(&get)[&key];
            match version["status"].as_str()? {
                "DRAFT" => Some(()),
                "REGISTRATION_FAILED" => panic!("{template}: {}", version["statusMessage"]),
                _ => None,
            }
        },
    );
    let publish = [
        format!("update-{kind}-template-version"),
        "--template-name".to_string(),
        template.to_string(),
        "--major-version".to_string(),
        major.clone(),
        "--minor-version".to_string(),
        minor.clone(),
        "--status".to_string(),
        "PUBLISHED".to_string(),
    ];
    let publish: Vec<&str> = publish.iter().map(String::as_str).collect();
    proton.aws(&publish);
    (major, minor)
}

/// Template versions whose `schema` is given by the test: a real bundle holding that schema and
/// infrastructure that reads no input, so every spec the schema accepts also deploys.
#[derive(Default)]
pub struct SchemaBundles;

/// The bucket the schemas are registered from.
pub const SCHEMA_BUCKET: &str = "schemas";

/// Infrastructure that renders whatever the inputs are.
const STATIC_STACK: &str =
    "Resources:\n  Nothing:\n    Type: AWS::CloudFormation::WaitConditionHandle\n";

fn static_infrastructure(files: &mut std::collections::BTreeMap<String, String>, dir: &str) {
    files.insert(
        format!("{dir}/manifest.yaml"),
        "infrastructure:\n  templates:\n    - file: \"cloudformation.yaml\"\n      rendering_engine: jinja\n      template_language: cloudformation\n".to_string(),
    );
    files.insert(
        format!("{dir}/cloudformation.yaml"),
        STATIC_STACK.to_string(),
    );
}

impl SchemaBundles {
    pub fn new() -> Self {
        Self
    }

    /// A proton-local reading the bundles [`SchemaBundles::source`] writes.
    pub fn proton(&self, args: &[&str]) -> ProtonLocal {
        ProtonLocal::start(args)
    }

    /// The S3 source `(bucket, key)` of a bundle named `name` whose schema is `schema` (an
    /// environment schema, or a service schema with a pipeline when it has `pipeline_input_type`).
    pub fn source(&self, name: &str, schema: &str) -> (&'static str, String) {
        let mut files = std::collections::BTreeMap::new();
        files.insert("schema/schema.yaml".to_string(), schema.to_string());
        if schema.contains("service_input_type") {
            static_infrastructure(&mut files, "instance_infrastructure");
            if schema.contains("pipeline_input_type") {
                static_infrastructure(&mut files, "pipeline_infrastructure");
            }
        } else {
            static_infrastructure(&mut files, "infrastructure");
        }
        let key = format!("{name}.tar.gz");
        crate::bundles::put_bundle(SCHEMA_BUCKET, &key, &crate::bundles::pack(&files));
        (SCHEMA_BUCKET, key)
    }

    /// Creates `kind` (`environment` or `service`) template `template` (with `template_extra`
    /// to create-*-template) and publishes version 1.0 with `schema` (`version_extra` to
    /// create-*-template-version).
    pub fn template(
        &self,
        proton: &ProtonLocal,
        kind: &str,
        template: &str,
        schema: &str,
        template_extra: &[&str],
        version_extra: &[&str],
    ) {
        let create = format!("create-{kind}-template");
        let mut args = vec![create.as_str(), "--name", template];
        args.extend_from_slice(template_extra);
        proton.aws(&args);
        let (bucket, key) = self.source(template, schema);
        let source = serde_json::json!({"s3": {"bucket": bucket, "key": key}}).to_string();
        let got = publish_version_from_source(proton, kind, template, None, &source, version_extra);
        assert_eq!((got.0.as_str(), got.1.as_str()), ("1", "0"));
    }
}

/// An environment template with published versions 1.0, 1.1 and 2.0.
pub fn environment_template(proton: &ProtonLocal, name: &str) {
    environment_template_with(proton, name, &[]);
}

/// As [`environment_template`], with `extra` arguments to create-environment-template.
pub fn environment_template_with(proton: &ProtonLocal, name: &str, extra: &[&str]) {
    environment_template_from(proton, name, extra, bundle_for("environment", extra));
}

/// As [`environment_template_with`], registering the example bundle `bundle` (say the Terraform
/// one, `vpc-environment-tf`, for self-managed environments).
pub fn environment_template_from(proton: &ProtonLocal, name: &str, extra: &[&str], bundle: &str) {
    let mut create = vec!["create-environment-template", "--name", name];
    create.extend_from_slice(extra);
    proton.aws(&create);
    for (major, want) in [
        (None, ("1", "0")),
        (Some("1"), ("1", "1")),
        (None, ("2", "0")),
    ] {
        let got = publish_version(proton, "environment", name, bundle, major, &[]);
        assert_eq!((got.0.as_str(), got.1.as_str()), want);
    }
}

/// A service template compatible with major 1 and 2 of `environment_template`, with published
/// versions 1.0, 1.1 and 2.0. `extra` goes to create-service-template, `version_extra` to each
/// create-service-template-version.
pub fn service_template(
    proton: &ProtonLocal,
    name: &str,
    environment_template: &str,
    extra: &[&str],
    version_extra: &[&str],
) {
    let mut create = vec!["create-service-template", "--name", name];
    create.extend_from_slice(extra);
    proton.aws(&create);
    let compatible = format!(
        r#"[{{"templateName":"{environment_template}","majorVersion":"1"}},{{"templateName":"{environment_template}","majorVersion":"2"}}]"#
    );
    let bundle = bundle_for("service", extra);
    let mut extra = vec!["--compatible-environment-templates", compatible.as_str()];
    extra.extend_from_slice(version_extra);
    for (major, want) in [
        (None, ("1", "0")),
        (Some("1"), ("1", "1")),
        (None, ("2", "0")),
    ] {
        let got = publish_version(proton, "service", name, bundle, major, &extra);
        assert_eq!((got.0.as_str(), got.1.as_str()), want);
    }
}

/// `get-<noun>` through the AWS CLI: the object under `key`, or None when proton-local says it does
/// not exist.
pub fn remote(proton: &ProtonLocal, args: &[&str], key: &str) -> Option<Map<String, Value>> {
    let json = match proton.cli().run(args) {
        Ok(json) => json,
        Err(e) => {
            assert_eq!(
                e.code,
                "ResourceNotFoundException",
                "aws proton {}: {}",
                args.join(" "),
                e.message
            );
            return None;
        }
    };
    match json.get(key) {
        Some(Value::Object(object)) => Some(object.clone()),
        other => panic!("aws proton {}: no {key}: {other:?}", args.join(" ")),
    }
}

/// The customer's tags on `arn` in proton-local as a JSON object (the `aws:proton:*` tags Proton
/// adds left out).
pub fn remote_tags(proton: &ProtonLocal, arn: &str) -> Value {
    let answer = proton.aws(&["list-tags-for-resource", "--resource-arn", arn]);
    let mut tags = Map::new();
    for tag in answer["tags"].as_array().cloned().unwrap_or_default() {
        let key = tag["key"].as_str().unwrap_or_default().to_string();
        if !key.starts_with("aws:") {
            tags.insert(key, tag["value"].clone());
        }
    }
    Value::Object(tags)
}

pub fn str_attr<'a>(attrs: &'a Map<String, Value>, key: &str) -> &'a str {
    attrs
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("attribute {key} is not a string: {:?}", attrs.get(key)))
}

/// Whether the resource instance at `address` is tainted in state.
pub fn is_tainted(ws: &Workspace, address: &str) -> bool {
    ws.resource(address)
        .and_then(|r| r.get("tainted").and_then(Value::as_bool))
        .unwrap_or(false)
}

/// Plan text lines mentioning `attribute` (to see whether it is "(known after apply)").
pub fn plan_line<'a>(plan: &'a str, attribute: &str) -> Option<&'a str> {
    plan.lines().find(|l| {
        l.trim_start()
            .trim_start_matches(['~', '+', '-', ' '])
            .starts_with(&format!("{attribute} "))
    })
}

pub fn summary_has(plan: &str, want: &str) -> bool {
    plan.lines().any(|l| l.contains(want))
}

/// ImportStateVerify: the imported state equals the applied state, except `ignore`.
pub fn assert_import_matches(
    tf: &Terraform,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    ignore: &[&str],
    how: &str,
) {
    let diffs = diff_attrs(before, after, ignore);
    assert!(
        diffs.is_empty(),
        "{tf}: import via {how} differs from the applied state:\n{}",
        diffs.join("\n")
    );
}

/// Imports `address` by CLI, import block (1.5+) and identity (1.12+), comparing each with the applied
/// state and checking the plan is empty afterwards. `identity` is the identity object in HCL.
pub fn import_all_ways(
    tf: &Terraform,
    ws: &Workspace,
    address: &str,
    id: &str,
    identity: &str,
    ignore: &[&str],
) {
    let applied = ws.resource_attrs(address);
    ws.state_rm(address);
    ws.import_cli(address, id);
    assert_import_matches(
        tf,
        &applied,
        &ws.resource_attrs(address),
        ignore,
        "terraform import",
    );
    ws.assert_plan_empty();

    if tf.supports_import_blocks() {
        ws.state_rm(address);
        ws.write(
            "import.tf",
            &format!("import {{\n  to = {address}\n  id = \"{id}\"\n}}\n"),
        );
        let (code, plan) = ws.plan_with(&[]);
        assert_eq!(code, 2, "{tf}: an import is a change:\n{plan}");
        assert!(
            summary_has(&plan, "1 to import, 0 to add, 0 to change, 0 to destroy"),
            "{tf}: the import must plan as a pure import:\n{plan}"
        );
        ws.apply();
        assert_import_matches(
            tf,
            &applied,
            &ws.resource_attrs(address),
            ignore,
            "import block",
        );
        ws.remove("import.tf");
        ws.assert_plan_empty();
    }

    if tf.supports_identity() {
        ws.state_rm(address);
        ws.write(
            "import.tf",
            &format!("import {{\n  to = {address}\n  identity = {identity}\n}}\n"),
        );
        let (code, plan) = ws.plan_with(&[]);
        assert_eq!(code, 2, "{tf}:\n{plan}");
        assert!(
            summary_has(&plan, "1 to import, 0 to add, 0 to change, 0 to destroy"),
            "{tf}: identity import must plan as a pure import:\n{plan}"
        );
        ws.apply();
        assert_import_matches(
            tf,
            &applied,
            &ws.resource_attrs(address),
            ignore,
            "import identity",
        );
        ws.remove("import.tf");
        ws.assert_plan_empty();
    }
}

/// The provider block every test configuration starts with.
pub fn provider(extra: &str) -> String {
    format!("provider \"proton\" {{\n  region = \"us-east-1\"\n{extra}}}\n\n")
}

/// An HCL heredoc holding `text` (which must end with a newline).
pub fn heredoc(text: &str) -> String {
    format!("<<-EOT\n{text}EOT")
}

/// With `address` removed from state and `rest` (the configuration without that resource) as
/// main.tf: an import block plus `plan -generate-config-out` writes a configuration that plans as a
/// pure import and applies. Leaves `generated.tf` and the import block removed again.
pub fn assert_generated_config_imports(
    tf: &Terraform,
    ws: &Workspace,
    rest: &str,
    address: &str,
    id: &str,
) {
    ws.state_rm(address);
    ws.write_main(rest);
    ws.write(
        "import.tf",
        &format!("import {{\n  to = {address}\n  id = \"{id}\"\n}}\n"),
    );
    let output = ws.run(&[
        "plan",
        "-input=false",
        "-no-color",
        "-generate-config-out=generated.tf",
    ]);
    let generated = std::fs::read_to_string(ws.dir().join("generated.tf")).unwrap_or_default();
    assert!(
        !generated.is_empty(),
        "{tf}: no configuration generated for {address}: {}",
        crate::describe_output(&output)
    );
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{generated}\n{plan}");
    assert!(
        summary_has(&plan, "1 to import, 0 to add, 0 to change, 0 to destroy"),
        "{tf}: the configuration generated for {address} must plan a pure import:\n{generated}\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    ws.remove("generated.tf");
    ws.remove("import.tf");
}
