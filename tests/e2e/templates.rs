//! Templates and the things around them, end to end with real Terraform, the freshly built provider and
//! proton-local: `proton_service_template`, `proton_environment_template_version`,
//! `proton_service_template_version`, `proton_repository`, `proton_template_sync_config`,
//! `proton_service_sync_config` and `proton_account_settings`.
//!
//! Each lifecycle follows terraform-plugin-testing's sequence: apply, empty plans with and without
//! refresh, update in place, replacement, tags with `default_tags`, import by CLI / `import` block /
//! identity compared attribute by attribute with the applied state, disappears, destroy leaving
//! proton-local empty. Bad input must fail at plan time, naming the attribute, before any API call.

use proton_test_support::bundles::{example_files, pack, put_bundle, put_example};
use proton_test_support::{ProtonLocal, Terraform, Workspace, bundle_source, diff_attrs};
use serde_json::{Map, Value, json};

const ACCOUNT: &str = "000000000000";
const CONNECTION: &str =
    "arn:aws:codestar-connections:us-east-1:000000000000:connection/0a1b2c3d-e2e";
const ROLE: &str = "arn:aws:iam::000000000000:role/proton-pipeline";
const CODEBUILD_ROLE: &str = "arn:aws:iam::000000000000:role/proton-codebuild";

// ------------------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------------------

fn provider(extra: &str) -> String {
    format!("provider \"proton\" {{\n  region = \"us-east-1\"\n{extra}}}\n\n")
}

fn str_attr<'a>(tf: &Terraform, attrs: &'a Map<String, Value>, key: &str) -> &'a str {
    attrs.get(key).and_then(Value::as_str).unwrap_or_else(|| {
        panic!(
            "{tf}: attribute {key} is not a string: {:?}",
            attrs.get(key)
        )
    })
}

fn summary_has(plan: &str, want: &str) -> bool {
    plan.lines().any(|l| l.contains(want))
}

fn assert_summary(tf: &Terraform, plan: &str, want: &str) {
    assert!(
        summary_has(plan, want),
        "{tf}: expected plan summary {want:?}:\n{plan}"
    );
}

fn is_tainted(ws: &Workspace, address: &str) -> bool {
    ws.resource(address)
        .and_then(|r| r.get("tainted").and_then(Value::as_bool))
        .unwrap_or(false)
}

/// How many API requests proton-local has answered (it logs one line per request).
fn request_count(proton: &ProtonLocal) -> usize {
    proton
        .log()
        .lines()
        .filter(|l| l.contains(" request op="))
        .count()
}

/// Tags on `arn` in proton-local as a JSON object.
fn remote_tags(proton: &ProtonLocal, arn: &str) -> Value {
    let answer = proton.aws(&["list-tags-for-resource", "--resource-arn", arn]);
    let mut tags = Map::new();
    for tag in answer
        .get("tags")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("list-tags-for-resource: {answer}"))
    {
        let key = tag.get("key").and_then(Value::as_str).unwrap_or_default();
        if key.starts_with("aws:") {
            continue; // Proton's own tags
        }
        tags.insert(
            key.to_string(),
            tag.get("value").cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(tags)
}

fn names_in(answer: &Value, list: &str, field: &str) -> Vec<String> {
    answer
        .get(list)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no {list} in {answer}"))
        .iter()
        .filter_map(|t| t.get(field).and_then(Value::as_str).map(str::to_string))
        .collect()
}

/// ImportStateVerify: the imported state equals the applied one, attribute by attribute.
fn assert_same(
    tf: &Terraform,
    applied: &Map<String, Value>,
    imported: &Map<String, Value>,
    how: &str,
    ignore: &[&str],
) {
    let diffs = diff_attrs(applied, imported, ignore);
    assert!(
        diffs.is_empty(),
        "{tf}: import via {how} differs from the applied state:\n{}",
        diffs.join("\n")
    );
}

/// Removes `addr` from state and imports it back by CLI, `import` block (Terraform 1.5+) and identity
/// (1.12+), each time comparing with the applied state. `unreadable` attributes cannot be read from
/// the API: they are null right after import and the next apply records them from the configuration
/// in place, without touching the object.
fn verify_imports(
    tf: &Terraform,
    ws: &Workspace,
    addr: &str,
    id: &str,
    identity: &[(&str, &str)],
    unreadable: &[&str],
) {
    let applied = ws.resource_attrs(addr);
    let changes = if unreadable.is_empty() { 0 } else { 1 };
    let settle = |how: &str| {
        if unreadable.is_empty() {
            ws.assert_plan_empty();
            return;
        }
        let (code, plan) = ws.plan_with(&[]);
        assert_eq!(
            code, 2,
            "{tf}: {how}: the unreadable attributes must plan in place:\n{plan}"
        );
        assert!(
            plan.contains("will be updated in-place"),
            "{tf}: {how}:\n{plan}"
        );
        assert_summary(tf, &plan, "0 to add, 1 to change, 0 to destroy");
        ws.apply();
        assert_same(tf, &applied, &ws.resource_attrs(addr), how, &[]);
        ws.assert_plan_empty();
    };

    ws.state_rm(addr);
    ws.import_cli(addr, id);
    let imported = ws.resource_attrs(addr);
    assert_same(tf, &applied, &imported, "terraform import", unreadable);
    for name in unreadable {
        assert_eq!(
            imported.get(*name),
            Some(&Value::Null),
            "{tf}: {name} after import"
        );
    }
    settle("terraform import");

    if tf.supports_import_blocks() {
        ws.state_rm(addr);
        ws.write(
            "import.tf",
            &format!("import {{\n  to = {addr}\n  id = \"{id}\"\n}}\n"),
        );
        let (code, plan) = ws.plan_with(&[]);
        assert_eq!(code, 2, "{tf}: an import is a change:\n{plan}");
        assert_summary(
            tf,
            &plan,
            &format!("1 to import, 0 to add, {changes} to change, 0 to destroy"),
        );
        ws.apply();
        assert_same(tf, &applied, &ws.resource_attrs(addr), "import block", &[]);
        ws.remove("import.tf");
        ws.assert_plan_empty();
    }

    if tf.supports_identity() {
        let resource = ws
            .resource(addr)
            .unwrap_or_else(|| panic!("{tf}: {addr} missing"));
        let mut want: Map<String, Value> = identity
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        // Where the object is: the account its ARN names (none without an ARN of its own), and
        // the provider's region.
        let account = match applied.get("arn") {
            Some(Value::String(_)) => json!("000000000000"),
            _ => Value::Null,
        };
        want.insert("account_id".into(), account);
        want.entry("region").or_insert(json!("us-east-1"));
        assert_eq!(
            resource.get("identity"),
            Some(&Value::Object(want)),
            "{tf}: state must carry the identity: {resource}"
        );
        ws.state_rm(addr);
        let fields: String = identity
            .iter()
            .map(|(k, v)| format!("    {k} = \"{v}\"\n"))
            .collect();
        ws.write(
            "import.tf",
            &format!("import {{\n  to = {addr}\n  identity = {{\n{fields}  }}\n}}\n"),
        );
        let (code, plan) = ws.plan_with(&[]);
        assert_eq!(code, 2, "{tf}:\n{plan}");
        assert_summary(
            tf,
            &plan,
            &format!("1 to import, 0 to add, {changes} to change, 0 to destroy"),
        );
        ws.apply();
        assert_same(
            tf,
            &applied,
            &ws.resource_attrs(addr),
            "import identity",
            &[],
        );
        ws.remove("import.tf");
        ws.assert_plan_empty();
    }
}

/// Writes each bad configuration and checks the plan fails naming the attribute, and that proton-local
/// saw no request at all.
fn assert_rejected_at_plan(
    tf: &Terraform,
    proton: &ProtonLocal,
    ws: &Workspace,
    cases: &[(&str, String)],
) {
    let before = request_count(proton);
    for (path, body) in cases {
        ws.write_main(body);
        // Terraform wraps long diagnostics: compare with whitespace collapsed.
        let text = ws
            .plan_err()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains("Error"), "{tf}: {path}: no error:\n{text}");
        assert!(
            text.contains(&format!("Attribute {path} ")),
            "{tf}: the error must name {path}:\n{text}"
        );
        assert!(
            text.contains("main.tf line"),
            "{tf}: the {path} error must point into main.tf:\n{text}"
        );
    }
    assert_eq!(
        request_count(proton),
        before,
        "{tf}: invalid configurations must not reach Proton:\n{}",
        proton.log()
    );
}

// ------------------------------------------------------------------------------------------------
// Template versions (and the service template)
// ------------------------------------------------------------------------------------------------

const ENV_V1: &str = "proton_environment_template_version.env_v1";
const ENV_V1_1: &str = "proton_environment_template_version.env_v1_1";
const SVC: &str = "proton_service_template.svc";
const SVC_V1: &str = "proton_service_template_version.svc_v1";

/// What differs between the steps of the versions lifecycle.
#[derive(Clone)]
struct Versions {
    provider_extra: String,
    svc_name: &'static str,
    svc_description: &'static str,
    env_v1_description: &'static str,
    env_v1_status: &'static str,
    env_v1_tags: &'static str,
    /// `None`: no minor version resource.
    env_v1_1_status: Option<&'static str>,
    svc_v1_key: &'static str,
    svc_v1_extra: &'static str,
}

impl Default for Versions {
    fn default() -> Self {
        Self {
            provider_extra: String::new(),
            svc_name: "e2e-svc",
            svc_description: "service template",
            env_v1_description: "first",
            env_v1_status: "DRAFT",
            env_v1_tags: "",
            env_v1_1_status: None,
            svc_v1_key: "svc/v1.tar.gz",
            svc_v1_extra: "",
        }
    }
}

impl Versions {
    fn config(&self) -> String {
        let mut text = provider(&self.provider_extra);
        text.push_str(
            "resource \"proton_environment_template\" \"env\" {\n  name = \"e2e-env\"\n}\n\n",
        );
        text.push_str(&format!(
            "resource \"proton_environment_template_version\" \"env_v1\" {{\n  \
             template_name = proton_environment_template.env.name\n  \
             description   = \"{}\"\n  status        = \"{}\"\n  \
             source = {{\n    s3 = {{\n      bucket = \"e2e-bundles\"\n      key    = \"env/v1.tar.gz\"\n    }}\n  }}\n{}}}\n\n",
            self.env_v1_description, self.env_v1_status, self.env_v1_tags
        ));
        if let Some(status) = self.env_v1_1_status {
            text.push_str(&format!(
                "resource \"proton_environment_template_version\" \"env_v1_1\" {{\n  \
                 template_name = proton_environment_template.env.name\n  \
                 major_version = proton_environment_template_version.env_v1.major_version\n  \
                 status        = \"{status}\"\n  \
                 source = {{\n    s3 = {{\n      bucket = \"e2e-bundles\"\n      key    = \"env/v1.1.tar.gz\"\n    }}\n  }}\n}}\n\n"
            ));
        }
        text.push_str(&format!(
            "resource \"proton_service_template\" \"svc\" {{\n  name         = \"{}\"\n  \
             display_name = \"Service\"\n  description  = \"{}\"\n}}\n\n",
            self.svc_name, self.svc_description
        ));
        text.push_str(&format!(
            "resource \"proton_service_template_version\" \"svc_v1\" {{\n  \
             template_name = proton_service_template.svc.name\n  status        = \"PUBLISHED\"\n  \
             source = {{\n    s3 = {{\n      bucket = \"e2e-bundles\"\n      key    = \"{}\"\n    }}\n  }}\n  \
             compatible_environment_templates = [{{\n    \
             template_name = proton_environment_template_version.env_v1.template_name\n    \
             major_version = proton_environment_template_version.env_v1.major_version\n  }}]\n{}}}\n",
            self.svc_v1_key, self.svc_v1_extra
        ));
        text
    }
}

fn remote_env_version(proton: &ProtonLocal, major: &str, minor: &str) -> Map<String, Value> {
    let answer = proton.aws(&[
        "get-environment-template-version",
        "--template-name",
        "e2e-env",
        "--major-version",
        major,
        "--minor-version",
        minor,
    ]);
    match answer.get("environmentTemplateVersion") {
        Some(Value::Object(v)) => v.clone(),
        other => panic!("get-environment-template-version: {other:?}"),
    }
}

fn versions_lifecycle(tf: &Terraform) {
    // Two keys for each bundle: a new key is a new source, which replaces the version.
    put_example("e2e-bundles", "env/v1.tar.gz", "vpc-environment");
    put_example("e2e-bundles", "env/v1.1.tar.gz", "vpc-environment");
    put_example("e2e-bundles", "svc/v1.tar.gz", "web-service");
    put_example("e2e-bundles", "svc/v1-fixed.tar.gz", "web-service");
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    eprintln!("== {tf}: proton-local at {}", proton.endpoint());

    // Create: a new major version (major_version unset) in DRAFT, a published service version that
    // names the environment template's major version.
    let mut step = Versions::default();
    ws.write_main(&step.config());
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert_summary(tf, &plan, "4 to add, 0 to change, 0 to destroy");
    ws.apply();
    ws.assert_plan_empty();
    let v1 = ws.resource_attrs(ENV_V1);
    assert_eq!(str_attr(tf, &v1, "major_version"), "1");
    assert_eq!(str_attr(tf, &v1, "minor_version"), "0");
    assert_eq!(str_attr(tf, &v1, "status"), "DRAFT");
    assert_eq!(
        str_attr(tf, &v1, "arn"),
        format!("arn:aws:proton:us-east-1:{ACCOUNT}:environment-template/e2e-env:1.0")
    );
    assert_eq!(
        v1["source"],
        json!({"s3": {"bucket": "e2e-bundles", "key": "env/v1.tar.gz"}})
    );
    assert_eq!(
        v1["recommended_minor_version"],
        Value::Null,
        "{tf}: nothing published yet"
    );
    let remote = remote_env_version(&proton, "1", "0");
    assert_eq!(remote["status"], json!("DRAFT"), "{tf}");
    assert_eq!(remote["description"], json!("first"), "{tf}");
    let s1 = ws.resource_attrs(SVC_V1);
    assert_eq!(
        str_attr(tf, &s1, "status"),
        "PUBLISHED",
        "{tf}: published on create"
    );
    assert_eq!(str_attr(tf, &s1, "recommended_minor_version"), "0", "{tf}");
    assert_eq!(
        s1["compatible_environment_templates"],
        json!([{"template_name": "e2e-env", "major_version": "1"}])
    );
    assert_eq!(s1["supported_component_sources"], Value::Null);
    let svc = ws.resource_attrs(SVC);
    assert_eq!(str_attr(tf, &svc, "name"), "e2e-svc");
    assert_eq!(
        str_attr(tf, &svc, "arn"),
        format!("arn:aws:proton:us-east-1:{ACCOUNT}:service-template/e2e-svc")
    );
    assert_eq!(svc["pipeline_provisioning"], Value::Null);

    // Update in place: publish the draft, change descriptions, allow directly defined components.
    step.env_v1_description = "second";
    step.env_v1_status = "PUBLISHED";
    step.svc_description = "service template, edited";
    step.svc_v1_extra = "  description                 = \"svc one\"\n  supported_component_sources = [\"DIRECTLY_DEFINED\"]\n";
    ws.write_main(&step.config());
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(plan.contains("will be updated in-place"), "{tf}:\n{plan}");
    assert_summary(tf, &plan, "0 to add, 3 to change, 0 to destroy");
    ws.apply();
    ws.assert_plan_empty();
    let v1b = ws.resource_attrs(ENV_V1);
    assert_eq!(str_attr(tf, &v1b, "status"), "PUBLISHED");
    assert_eq!(str_attr(tf, &v1b, "description"), "second");
    assert_eq!(v1b["arn"], v1["arn"], "{tf}: publishing keeps the version");
    assert_eq!(v1b["created_at"], v1["created_at"], "{tf}");
    let remote = remote_env_version(&proton, "1", "0");
    assert_eq!(remote["status"], json!("PUBLISHED"), "{tf}");
    assert_eq!(remote["description"], json!("second"), "{tf}");
    let s1b = ws.resource_attrs(SVC_V1);
    assert_eq!(
        s1b["supported_component_sources"],
        json!(["DIRECTLY_DEFINED"])
    );
    assert_eq!(s1b["description"], json!("svc one"));
    assert_eq!(
        s1b["created_at"], s1["created_at"],
        "{tf}: updated in place"
    );
    assert_eq!(
        ws.resource_attrs(SVC)["description"],
        json!("service template, edited")
    );

    // A minor version of the same major version, published.
    step.env_v1_1_status = Some("PUBLISHED");
    ws.write_main(&step.config());
    ws.apply();
    ws.assert_plan_empty();
    let v11 = ws.resource_attrs(ENV_V1_1);
    assert_eq!(str_attr(tf, &v11, "major_version"), "1");
    assert_eq!(str_attr(tf, &v11, "minor_version"), "1");
    assert_eq!(str_attr(tf, &v11, "recommended_minor_version"), "1");
    ws.apply_with(&["-refresh-only"]);
    assert_eq!(
        str_attr(tf, &ws.resource_attrs(ENV_V1), "recommended_minor_version"),
        "1",
        "{tf}: refresh sees the newer published minor version"
    );

    // Replacement 1: a published version set back to DRAFT is replaced by a new draft version. Proton
    // keeps the old 1.1 (the recommended minor goes only as the last of its major): its delete waits,
    // tagged, until 1.0 goes.
    step.env_v1_1_status = Some("DRAFT");
    ws.write_main(&step.config());
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(plan.contains("must be replaced"), "{tf}:\n{plan}");
    assert!(
        plan.lines()
            .any(|l| l.contains("status") && l.contains("forces replacement")),
        "{tf}: the status change must be what forces the replacement:\n{plan}"
    );
    assert_summary(tf, &plan, "1 to add, 0 to change, 1 to destroy");
    ws.apply();
    ws.assert_plan_empty();
    let v11b = ws.resource_attrs(ENV_V1_1);
    assert_eq!(str_attr(tf, &v11b, "status"), "DRAFT");
    assert_eq!(str_attr(tf, &v11b, "major_version"), "1");
    assert_eq!(str_attr(tf, &v11b, "minor_version"), "2");
    assert_eq!(
        remote_env_version(&proton, "1", "2")["status"],
        json!("DRAFT"),
        "{tf}"
    );
    let kept = remote_env_version(&proton, "1", "1");
    assert_eq!(kept["status"], json!("PUBLISHED"), "{tf}");
    assert_eq!(
        remote_tags(&proton, kept["arn"].as_str().unwrap_or_default()),
        json!({"terraform-provider-proton:deferred-delete": "true"}),
        "{tf}"
    );

    // Replacement 2: a new bundle registers a new version; changing the service template's name
    // replaces it and, through the reference, its version.
    step.svc_v1_key = "svc/v1-fixed.tar.gz";
    ws.write_main(&step.config());
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        plan.contains(&format!("# {SVC_V1} must be replaced")),
        "{tf}: a new source forces a replacement:\n{plan}"
    );
    assert_summary(tf, &plan, "1 to add, 0 to change, 1 to destroy");
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        ws.resource_attrs(SVC_V1)["source"],
        json!({"s3": {"bucket": "e2e-bundles", "key": "svc/v1-fixed.tar.gz"}})
    );
    step.svc_name = "e2e-svc-2";
    ws.write_main(&step.config());
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert_summary(tf, &plan, "2 to add, 0 to change, 2 to destroy");
    ws.apply();
    ws.assert_plan_empty();
    let templates = proton.aws(&["list-service-templates"]);
    assert_eq!(
        names_in(&templates, "templates", "name"),
        vec!["e2e-svc-2"],
        "{tf}"
    );

    // Tags with the provider's default_tags, on a version and (default tags) on everything.
    step.provider_extra =
        "  default_tags {\n    tags = {\n      owner = \"platform\"\n    }\n  }\n".to_string();
    step.env_v1_tags = "  tags = {\n    tier = \"gold\"\n  }\n";
    ws.write_main(&step.config());
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert_summary(tf, &plan, "0 to add, 5 to change, 0 to destroy");
    ws.apply();
    ws.assert_plan_empty();
    let tagged = ws.resource_attrs(ENV_V1);
    assert_eq!(tagged["tags"], json!({"tier": "gold"}), "{tf}");
    assert_eq!(
        tagged["tags_all"],
        json!({"tier": "gold", "owner": "platform"}),
        "{tf}"
    );
    assert_eq!(
        remote_tags(&proton, str_attr(tf, &tagged, "arn")),
        json!({"tier": "gold", "owner": "platform"}),
        "{tf}"
    );
    assert_eq!(
        tagged["created_at"], v1["created_at"],
        "{tf}: tagging is in place"
    );

    // Import, three ways. Proton never reports the source: it comes from the configuration in place.
    verify_imports(
        tf,
        &ws,
        ENV_V1,
        "e2e-env:1:0",
        &[
            ("template_name", "e2e-env"),
            ("major_version", "1"),
            ("minor_version", "0"),
        ],
        &["source"],
    );
    verify_imports(
        tf,
        &ws,
        SVC_V1,
        "e2e-svc-2:1:0",
        &[
            ("template_name", "e2e-svc-2"),
            ("major_version", "1"),
            ("minor_version", "0"),
        ],
        &["source"],
    );
    verify_imports(tf, &ws, SVC, "e2e-svc-2", &[("name", "e2e-svc-2")], &[]);

    // Disappears: deleted behind Terraform's back, the plan creates it again.
    proton.aws(&[
        "delete-environment-template-version",
        "--template-name",
        "e2e-env",
        "--major-version",
        "1",
        // 1.2: the draft that replaced 1.1 above.
        "--minor-version",
        "2",
    ]);
    // The service template too (its version first: Proton keeps templates that have versions).
    proton.aws(&[
        "delete-service-template-version",
        "--template-name",
        "e2e-svc-2",
        "--major-version",
        "1",
        "--minor-version",
        "0",
    ]);
    proton.aws(&["delete-service-template", "--name", "e2e-svc-2"]);
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}: vanished objects must plan creates:\n{plan}");
    for addr in [ENV_V1_1, SVC, SVC_V1] {
        assert!(
            plan.contains(&format!("# {addr} will be created")),
            "{tf}: {addr} must be created again:\n{plan}"
        );
    }
    assert_summary(tf, &plan, "3 to add, 0 to change, 0 to destroy");
    ws.apply();
    ws.assert_plan_empty();
    ws.destroy();
    let leftovers = (
        names_in(
            &proton.aws(&["list-environment-templates"]),
            "templates",
            "name",
        ),
        names_in(
            &proton.aws(&["list-service-templates"]),
            "templates",
            "name",
        ),
    );
    assert_eq!(
        leftovers,
        (vec![], vec![]),
        "{tf}: destroy must leave proton-local empty"
    );
}

fn failed_registration(tf: &Terraform) {
    // Registration takes a second, so the create really waits.
    let proton = ProtonLocal::start(&["--deploy-seconds", "1"]);
    // The template author's loop: a bundle whose manifest is missing, then the fixed bundle.
    let mut broken = example_files("vpc-environment");
    broken.remove("infrastructure/manifest.yaml");
    put_bundle("e2e-bundles", "broken/env.tar.gz", &pack(&broken));
    put_example("e2e-bundles", "fixed/env.tar.gz", "vpc-environment");
    let ws = Workspace::new(tf, &proton);
    let config = |key: &str| {
        format!(
            "{}resource \"proton_environment_template\" \"env\" {{\n  name = \"e2e-fail\"\n}}\n\n\
             resource \"proton_environment_template_version\" \"v\" {{\n  \
             template_name = proton_environment_template.env.name\n  status        = \"PUBLISHED\"\n  \
             source = {{\n    s3 = {{\n      bucket = \"e2e-bundles\"\n      key    = \"{key}\"\n    }}\n  }}\n}}\n",
            provider("")
        )
    };
    const ADDR: &str = "proton_environment_template_version.v";
    ws.write_main(&config("broken/env.tar.gz"));
    let text = ws.apply_err();
    assert!(
        text.contains("registration") && text.contains("failed"),
        "{tf}: the error must say the registration failed:\n{text}"
    );
    assert!(
        is_tainted(&ws, ADDR),
        "{tf}: the failed version stays in state, tainted"
    );
    let failed = ws.resource_attrs(ADDR);
    assert_eq!(
        str_attr(tf, &failed, "status"),
        "REGISTRATION_FAILED",
        "{tf}"
    );
    assert!(
        str_attr(tf, &failed, "status_message")
            .contains("s3://e2e-bundles/broken/env.tar.gz: infrastructure/manifest.yaml: missing"),
        "{tf}: {failed:?}"
    );
    let plan = ws.assert_plan_changes();
    assert!(
        plan.contains("tainted, so must be replaced"),
        "{tf}:\n{plan}"
    );

    ws.write_main(&config("fixed/env.tar.gz"));
    ws.apply();
    ws.assert_plan_empty();
    assert!(!is_tainted(&ws, ADDR), "{tf}");
    let fixed = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(tf, &fixed, "status"), "PUBLISHED", "{tf}");
    let versions = proton.aws(&[
        "list-environment-template-versions",
        "--template-name",
        "e2e-fail",
    ]);
    let listed: Vec<String> = versions["templateVersions"]
        .as_array()
        .unwrap_or_else(|| panic!("{versions}"))
        .iter()
        .map(|v| {
            format!(
                "{}.{} {}",
                v["majorVersion"].as_str().unwrap_or("?"),
                v["minorVersion"].as_str().unwrap_or("?"),
                v["status"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![format!(
            "{}.{} PUBLISHED",
            str_attr(tf, &fixed, "major_version"),
            str_attr(tf, &fixed, "minor_version")
        )],
        "{tf}: the failed version is gone, the fixed one published"
    );
    ws.destroy();
}

fn version_bad_inputs(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    let version = |body: &str| {
        format!(
            "{}resource \"proton_service_template_version\" \"v\" {{\n  template_name = \"t\"\n{body}}}\n",
            provider("")
        )
    };
    let source = "  source = {\n    s3 = {\n      bucket = \"e2e-bundles\"\n      key    = \"k\"\n    }\n  }\n";
    let compatible = "  compatible_environment_templates = [{\n    template_name = \"e\"\n    major_version = \"1\"\n  }]\n";
    let long = "x".repeat(501);
    let cases = vec![
        (
            "major_version",
            version(&format!("  major_version = \"01\"\n{source}{compatible}")),
        ),
        (
            "status",
            version(&format!("  status = \"LIVE\"\n{source}{compatible}")),
        ),
        (
            "description",
            version(&format!("  description = \"{long}\"\n{source}{compatible}")),
        ),
        (
            "source.s3.bucket",
            version(&format!(
                "  source = {{\n    s3 = {{\n      bucket = \"B\"\n      key    = \"k\"\n    }}\n  }}\n{compatible}"
            )),
        ),
        (
            "supported_component_sources",
            version(&format!(
                "  supported_component_sources = [\"INDIRECT\"]\n{source}{compatible}"
            )),
        ),
        (
            "compatible_environment_templates[0].major_version",
            version(&format!(
                "{source}  compatible_environment_templates = [{{\n    template_name = \"e\"\n    major_version = \"x\"\n  }}]\n"
            )),
        ),
        (
            "pipeline_provisioning",
            format!(
                "{}resource \"proton_service_template\" \"t\" {{\n  name = \"t\"\n  pipeline_provisioning = \"PROTON\"\n}}\n",
                provider("")
            ),
        ),
    ];
    assert_rejected_at_plan(tf, &proton, &ws, &cases);
}

// ------------------------------------------------------------------------------------------------
// Repositories, sync configurations, account settings
// ------------------------------------------------------------------------------------------------

const REPO: &str = "proton_repository.repo";
const TSYNC: &str = "proton_template_sync_config.sync";
const SSYNC: &str = "proton_service_sync_config.sync";
const SETTINGS: &str = "proton_account_settings.this";

#[derive(Clone)]
struct Repos {
    provider_extra: String,
    connection: &'static str,
    repo_tags: &'static str,
    template_name: &'static str,
    branch: &'static str,
    subdirectory: &'static str,
    service_name: &'static str,
    file_path: &'static str,
    /// Whether the sync configurations are in the configuration.
    syncs: bool,
    /// Body of proton_account_settings; `None` leaves it out.
    settings: Option<String>,
}

impl Default for Repos {
    fn default() -> Self {
        Self {
            provider_extra: String::new(),
            connection: CONNECTION,
            repo_tags: "",
            template_name: "sync-a",
            branch: "main",
            subdirectory: "templates/env",
            service_name: "svc-a",
            file_path: "proton/ops.yaml",
            syncs: true,
            settings: None,
        }
    }
}

impl Repos {
    fn config(&self) -> String {
        let mut text = provider(&self.provider_extra);
        text.push_str(&format!(
            "resource \"proton_repository\" \"repo\" {{\n  repository_provider = \"GITHUB\"\n  \
             name                = \"e2e-org/platform\"\n  connection_arn      = \"{}\"\n{}}}\n\n",
            self.connection, self.repo_tags
        ));
        for name in ["sync-a", "sync-b"] {
            text.push_str(&format!(
                "resource \"proton_environment_template\" \"{name}\" {{\n  name = \"{name}\"\n}}\n\n"
            ));
        }
        if self.syncs {
            text.push_str(&self.syncs_config());
        }
        if let Some(body) = &self.settings {
            text.push_str(&format!(
                "resource \"proton_account_settings\" \"this\" {{\n{body}}}\n"
            ));
        }
        text
    }

    fn syncs_config(&self) -> String {
        let mut text = String::new();
        text.push_str(&format!(
            "resource \"proton_template_sync_config\" \"sync\" {{\n  \
             template_name       = proton_environment_template.{}.name\n  \
             template_type       = \"ENVIRONMENT\"\n  \
             repository_provider = proton_repository.repo.repository_provider\n  \
             repository_name     = proton_repository.repo.name\n  \
             branch              = \"{}\"\n  subdirectory        = \"{}\"\n}}\n\n",
            self.template_name, self.branch, self.subdirectory
        ));
        text.push_str(&format!(
            "resource \"proton_service_sync_config\" \"sync\" {{\n  \
             service_name        = \"{}\"\n  \
             repository_provider = proton_repository.repo.repository_provider\n  \
             repository_name     = proton_repository.repo.name\n  \
             branch              = \"{}\"\n  file_path           = \"{}\"\n}}\n\n",
            self.service_name, self.branch, self.file_path
        ));
        text
    }
}

/// Services to sync: created with the AWS CLI (service resources are tested elsewhere), from a published
/// service template version without a pipeline, each with one instance in environment svc-env.
fn make_services(proton: &ProtonLocal, names: &[&str]) {
    let run = |args: &[&str]| {
        proton.aws(args);
    };
    run(&["create-environment-template", "--name", "svc-env"]);
    run(&[
        "create-environment-template-version",
        "--template-name",
        "svc-env",
        "--source",
        &bundle_source("vpc-environment"),
    ]);
    run(&[
        "update-environment-template-version",
        "--template-name",
        "svc-env",
        "--major-version",
        "1",
        "--minor-version",
        "0",
        "--status",
        "PUBLISHED",
    ]);
    // A service has at least one instance, in a deployed environment.
    run(&[
        "create-environment",
        "--name",
        "svc-env",
        "--template-name",
        "svc-env",
        "--template-major-version",
        "1",
        "--spec",
        "proton: EnvironmentSpec\nspec:\n  size: 1\n",
        "--proton-service-role-arn",
        proton_test_support::deploy::ROLE,
    ]);
    run(&["wait", "environment-deployed", "--name", "svc-env"]);
    run(&[
        "create-service-template",
        "--name",
        "svc-tmpl",
        "--pipeline-provisioning",
        "CUSTOMER_MANAGED",
    ]);
    run(&[
        "create-service-template-version",
        "--template-name",
        "svc-tmpl",
        "--source",
        // No pipeline (CUSTOMER_MANAGED): the worker bundle has none.
        &bundle_source("worker-service"),
        "--compatible-environment-templates",
        "templateName=svc-env,majorVersion=1",
    ]);
    run(&[
        "update-service-template-version",
        "--template-name",
        "svc-tmpl",
        "--major-version",
        "1",
        "--minor-version",
        "0",
        "--status",
        "PUBLISHED",
    ]);
    for name in names {
        run(&[
            "create-service",
            "--name",
            name,
            "--template-name",
            "svc-tmpl",
            "--template-major-version",
            "1",
            "--spec",
            "proton: ServiceSpec\ninstances:\n  - name: one\n    environment: svc-env\n",
        ]);
    }
}

fn remote_settings(proton: &ProtonLocal) -> Value {
    proton.aws(&["get-account-settings"])["accountSettings"].clone()
}

fn repositories_lifecycle(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    eprintln!("== {tf}: proton-local at {}", proton.endpoint());
    make_services(&proton, &["svc-a", "svc-b"]);

    let settings = |service_role: &str, codebuild: &str, branch: &str| {
        let mut body = String::new();
        if !service_role.is_empty() {
            body.push_str(&format!(
                "  pipeline_service_role_arn   = \"{service_role}\"\n"
            ));
        }
        if !codebuild.is_empty() {
            body.push_str(&format!(
                "  pipeline_codebuild_role_arn = \"{codebuild}\"\n"
            ));
        }
        if !branch.is_empty() {
            body.push_str(&format!(
                "  pipeline_provisioning_repository = {{\n    provider = proton_repository.repo.repository_provider\n    \
                 name     = proton_repository.repo.name\n    branch   = \"{branch}\"\n  }}\n"
            ));
        }
        Some(body)
    };

    // Create everything.
    let mut step = Repos {
        settings: settings(ROLE, CODEBUILD_ROLE, "main"),
        ..Repos::default()
    };
    ws.write_main(&step.config());
    ws.apply();
    ws.assert_plan_empty();
    let repo = ws.resource_attrs(REPO);
    assert_eq!(
        str_attr(tf, &repo, "arn"),
        format!("arn:aws:proton:us-east-1:{ACCOUNT}:repository/github:e2e-org/platform")
    );
    let remote = proton.aws(&[
        "get-repository",
        "--provider",
        "GITHUB",
        "--name",
        "e2e-org/platform",
    ]);
    assert_eq!(
        remote["repository"]["connectionArn"],
        json!(CONNECTION),
        "{tf}"
    );
    let tsync = proton.aws(&[
        "get-template-sync-config",
        "--template-name",
        "sync-a",
        "--template-type",
        "ENVIRONMENT",
    ]);
    assert_eq!(
        tsync["templateSyncConfig"]["subdirectory"],
        json!("templates/env"),
        "{tf}"
    );
    assert_eq!(
        ws.resource_attrs(SSYNC)["file_path"],
        json!("proton/ops.yaml")
    );
    let applied_settings = ws.resource_attrs(SETTINGS);
    assert_eq!(str_attr(tf, &applied_settings, "region"), "us-east-1");
    assert_eq!(
        remote_settings(&proton),
        json!({
            "pipelineServiceRoleArn": ROLE,
            "pipelineCodebuildRoleArn": CODEBUILD_ROLE,
            "pipelineProvisioningRepository": {
                "arn": format!("arn:aws:proton:us-east-1:{ACCOUNT}:repository/github:e2e-org/platform"),
                "provider": "GITHUB",
                "name": "e2e-org/platform",
                "branch": "main"
            }
        }),
        "{tf}"
    );

    // Update in place: sync branch, subdirectory, file path; settings drop the CodeBuild role and
    // move the branch; repository tags with default_tags.
    step.branch = "release";
    step.subdirectory = "templates/env2";
    step.file_path = "proton/ops-v2.yaml";
    step.settings = settings(ROLE, "", "release");
    step.provider_extra =
        "  default_tags {\n    tags = {\n      owner = \"platform\"\n    }\n  }\n".to_string();
    step.repo_tags = "  tags = {\n    app = \"proton\"\n  }\n";
    ws.write_main(&step.config());
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        !plan.contains("must be replaced"),
        "{tf}: all in place:\n{plan}"
    );
    // Repository (tags), both sync configs, settings, and the two templates (default tags).
    assert_summary(tf, &plan, "0 to add, 6 to change, 0 to destroy");
    ws.apply();
    ws.assert_plan_empty();
    let repo_b = ws.resource_attrs(REPO);
    assert_eq!(
        repo_b["tags_all"],
        json!({"app": "proton", "owner": "platform"}),
        "{tf}"
    );
    assert_eq!(
        remote_tags(&proton, str_attr(tf, &repo_b, "arn")),
        json!({"app": "proton", "owner": "platform"}),
        "{tf}"
    );
    let s = proton.aws(&["get-service-sync-config", "--service-name", "svc-a"]);
    assert_eq!(
        s["serviceSyncConfig"]["filePath"],
        json!("proton/ops-v2.yaml"),
        "{tf}"
    );
    assert_eq!(s["serviceSyncConfig"]["branch"], json!("release"), "{tf}");
    let remote = remote_settings(&proton);
    assert!(
        remote
            .get("pipelineCodebuildRoleArn")
            .is_none_or(Value::is_null),
        "{tf}: the CodeBuild role is cleared: {remote}"
    );
    assert_eq!(
        remote["pipelineProvisioningRepository"]["branch"],
        json!("release"),
        "{tf}"
    );

    // Replacements: another template, another service, another connection.
    step.template_name = "sync-b";
    step.service_name = "svc-b";
    step.connection = "arn:aws:codestar-connections:us-east-1:000000000000:connection/9f8e7d6c-e2e";
    ws.write_main(&step.config());
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    for (addr, attribute) in [
        (TSYNC, "template_name"),
        (SSYNC, "service_name"),
        (REPO, "connection_arn"),
    ] {
        assert!(
            plan.contains(&format!("# {addr} must be replaced")),
            "{tf}: {addr} must be replaced:\n{plan}"
        );
        assert!(
            plan.lines()
                .any(|l| l.contains(attribute) && l.contains("forces replacement")),
            "{tf}: {attribute} forces the replacement:\n{plan}"
        );
    }
    // The repository is in use by the sync configs and the settings: Proton refuses to delete it
    // first, so the replacement order matters; create_before_destroy is not possible for a key
    // that does not change. Move everything off it, then replace.
    let detached = Repos {
        settings: None,
        syncs: false,
        ..step.clone()
    };
    ws.write_main(&detached.config());
    ws.apply();
    ws.write_main(&step.config());
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        ws.resource_attrs(REPO)["connection_arn"],
        json!("arn:aws:codestar-connections:us-east-1:000000000000:connection/9f8e7d6c-e2e")
    );
    assert_eq!(ws.resource_attrs(TSYNC)["template_name"], json!("sync-b"));
    assert_eq!(ws.resource_attrs(SSYNC)["service_name"], json!("svc-b"));

    // Import, three ways.
    verify_imports(
        tf,
        &ws,
        REPO,
        "GITHUB:e2e-org/platform",
        &[
            ("repository_provider", "GITHUB"),
            ("name", "e2e-org/platform"),
        ],
        &[],
    );
    verify_imports(
        tf,
        &ws,
        TSYNC,
        "sync-b:ENVIRONMENT",
        &[
            ("template_name", "sync-b"),
            ("template_type", "ENVIRONMENT"),
        ],
        &[],
    );
    verify_imports(tf, &ws, SSYNC, "svc-b", &[("service_name", "svc-b")], &[]);
    verify_imports(
        tf,
        &ws,
        SETTINGS,
        "us-east-1",
        &[("region", "us-east-1")],
        &[],
    );

    // Disappears: the sync configurations, the settings' repository and role, then the link itself
    // (Proton keeps a link while anything uses it).
    proton.aws(&[
        "delete-template-sync-config",
        "--template-name",
        "sync-b",
        "--template-type",
        "ENVIRONMENT",
    ]);
    proton.aws(&["delete-service-sync-config", "--service-name", "svc-b"]);
    proton.aws(&[
        "update-account-settings",
        "--pipeline-service-role-arn",
        "",
        "--delete-pipeline-provisioning-repository",
    ]);
    proton.aws(&[
        "delete-repository",
        "--provider",
        "GITHUB",
        "--name",
        "e2e-org/platform",
    ]);
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    for addr in [REPO, TSYNC, SSYNC] {
        assert!(
            plan.contains(&format!("# {addr} will be created")),
            "{tf}: {addr} must be created again:\n{plan}"
        );
    }
    // The settings always exist: a reset behind Terraform's back plans an update.
    assert!(
        plan.contains(&format!("# {SETTINGS} will be updated in-place")),
        "{tf}:\n{plan}"
    );
    assert_summary(tf, &plan, "3 to add, 1 to change, 0 to destroy");
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        remote_settings(&proton)["pipelineServiceRoleArn"],
        json!(ROLE),
        "{tf}: the apply restored the settings"
    );

    // Destroy: sync configs and the link are gone, the settings are reset.
    ws.destroy();
    assert_eq!(
        names_in(&proton.aws(&["list-repositories"]), "repositories", "name"),
        Vec::<String>::new(),
        "{tf}"
    );
    assert_eq!(
        remote_settings(&proton),
        json!({}),
        "{tf}: destroy resets the settings"
    );
    proton.aws_err(&["get-service-sync-config", "--service-name", "svc-b"]);
}

fn repositories_bad_inputs(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    let p = provider("");
    let cases = vec![
        (
            "repository_provider",
            format!(
                "{p}resource \"proton_repository\" \"r\" {{\n  repository_provider = \"GITLAB\"\n  name = \"o/r\"\n  connection_arn = \"{CONNECTION}\"\n}}\n"
            ),
        ),
        (
            "name",
            format!(
                "{p}resource \"proton_repository\" \"r\" {{\n  repository_provider = \"GITHUB\"\n  name = \"no-slash\"\n  connection_arn = \"{CONNECTION}\"\n}}\n"
            ),
        ),
        (
            "connection_arn",
            format!(
                "{p}resource \"proton_repository\" \"r\" {{\n  repository_provider = \"GITHUB\"\n  name = \"o/r\"\n  connection_arn = \"not-an-arn\"\n}}\n"
            ),
        ),
        (
            "template_type",
            format!(
                "{p}resource \"proton_template_sync_config\" \"s\" {{\n  template_name = \"t\"\n  template_type = \"COMPONENT\"\n  repository_provider = \"GITHUB\"\n  repository_name = \"o/r\"\n  branch = \"main\"\n}}\n"
            ),
        ),
        (
            "service_name",
            format!(
                "{p}resource \"proton_service_sync_config\" \"s\" {{\n  service_name = \"bad name\"\n  repository_provider = \"GITHUB\"\n  repository_name = \"o/r\"\n  branch = \"main\"\n  file_path = \"ops.yaml\"\n}}\n"
            ),
        ),
        (
            "pipeline_service_role_arn",
            format!(
                "{p}resource \"proton_account_settings\" \"a\" {{\n  pipeline_service_role_arn = \"arn:aws:iam::000000000000:user/x\"\n}}\n"
            ),
        ),
        (
            "pipeline_provisioning_repository.provider",
            format!(
                "{p}resource \"proton_account_settings\" \"a\" {{\n  pipeline_provisioning_repository = {{\n    provider = \"SVN\"\n    name = \"o/r\"\n    branch = \"main\"\n  }}\n}}\n"
            ),
        ),
    ];
    assert_rejected_at_plan(tf, &proton, &ws, &cases);
}

// ------------------------------------------------------------------------------------------------
// Test entry points: every lifecycle on Terraform 1.15.5 and 1.0.3
// ------------------------------------------------------------------------------------------------

fn bad_inputs(tf: &Terraform) {
    version_bad_inputs(tf);
    repositories_bad_inputs(tf);
}

/// Two version blocks with the same arguments are two versions: their creates carry different
/// client tokens, so the second is not answered with the first's version.
fn identical_versions_are_two_versions(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.2"]);
    put_example("e2e-bundles", "twin/env.tar.gz", "vpc-environment");
    let ws = Workspace::new(tf, &proton);
    let version = |label: &str| {
        format!(
            "resource \"proton_environment_template_version\" \"{label}\" {{\n  \
             template_name = proton_environment_template.env.name\n  \
             source = {{\n    s3 = {{\n      bucket = \"e2e-bundles\"\n      key    = \"twin/env.tar.gz\"\n    }}\n  }}\n}}\n\n"
        )
    };
    ws.write_main(&format!(
        "{}resource \"proton_environment_template\" \"env\" {{\n  name = \"e2e-twins\"\n}}\n\n{}{}",
        provider(""),
        version("a"),
        version("b")
    ));
    ws.apply();
    ws.assert_plan_empty();
    let listed = proton.aws(&[
        "list-environment-template-versions",
        "--template-name",
        "e2e-twins",
    ]);
    let mut majors = names_in(&listed, "templateVersions", "majorVersion");
    majors.sort();
    assert_eq!(majors, ["1", "2"], "{tf}: two versions:\n{listed}");
    let [a, b] = ["a", "b"]
        .map(|label| ws.resource_attrs(&format!("proton_environment_template_version.{label}")));
    assert_ne!(
        str_attr(tf, &a, "major_version"),
        str_attr(tf, &b, "major_version"),
        "{tf}: each block holds its own version"
    );
    ws.destroy();
    let listed = proton.aws(&["list-environment-templates"]);
    assert_eq!(listed["templates"], json!([]), "{tf}");
}

proton_test_support::terraform_tests!(
    versions_lifecycle,
    failed_registration,
    identical_versions_are_two_versions,
    repositories_lifecycle,
    bad_inputs
);
