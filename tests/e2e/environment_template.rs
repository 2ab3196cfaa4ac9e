//! `proton_environment_template` end to end: real Terraform, the freshly built provider and
//! proton-local, following terraform-plugin-testing's sequence (apply, empty plans with and
//! without refresh, update in place, replace, tags, import by CLI / block / identity with
//! ImportStateVerify, disappears, destroy + nothing left) for every Terraform the harness finds.

use proton_test_support::{
    ProtonLocal, Terraform, Workspace, diff_attrs, hcl_string, terraform_versions,
};
use serde_json::{Map, Value, json};

const ADDR: &str = "proton_environment_template.test";
const ACCOUNT: &str = "000000000000";

fn arn_of(name: &str) -> String {
    format!("arn:aws:proton:us-east-1:{ACCOUNT}:environment-template/{name}")
}

/// main.tf body: the provider block (with `provider_extra` inside) and the resource (with `body`).
fn config(provider_extra: &str, body: &str) -> String {
    format!(
        "provider \"proton\" {{\n  region = \"us-east-1\"\n{provider_extra}}}\n\n\
         resource \"proton_environment_template\" \"test\" {{\n{body}}}\n"
    )
}

fn str_attr<'a>(attrs: &'a Map<String, Value>, key: &str) -> &'a str {
    attrs
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("attribute {key} is not a string: {:?}", attrs.get(key)))
}

fn is_null_or_empty(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::Object(m)) => m.is_empty(),
        _ => false,
    }
}

/// Seconds since the epoch of an RFC 3339 timestamp (`2026-01-02T03:04:05.678Z`, `+00:00`).
fn epoch_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh = rest.get(1..3)?.parse::<i64>().ok()?;
            let om = rest.get(4..6)?.parse::<i64>().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from the civil date (proleptic Gregorian), Howard Hinnant's algorithm.
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se - offset)
}

/// The template as proton-local reports it through the real AWS CLI.
fn remote(proton: &ProtonLocal, name: &str) -> Map<String, Value> {
    let answer = proton.aws(&["get-environment-template", "--name", name]);
    match answer.get("environmentTemplate") {
        Some(Value::Object(t)) => t.clone(),
        other => panic!("get-environment-template {name}: {other:?}"),
    }
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

/// State attributes and proton-local agree on the template.
fn assert_matches_remote(tf: &Terraform, proton: &ProtonLocal, attrs: &Map<String, Value>) {
    let name = str_attr(attrs, "name");
    let t = remote(proton, name);
    assert_eq!(t.get("arn"), attrs.get("arn"), "{tf}: arn");
    assert_eq!(
        t.get("displayName"),
        attrs.get("display_name"),
        "{tf}: display_name"
    );
    let remote_description = t.get("description").cloned().unwrap_or(Value::Null);
    let remote_description = match remote_description {
        Value::String(s) if s.is_empty() => Value::Null,
        v => v,
    };
    assert_eq!(
        Some(&remote_description),
        Some(attrs.get("description").unwrap_or(&Value::Null)),
        "{tf}: description"
    );
    for (state_key, remote_key) in [
        ("created_at", "createdAt"),
        ("last_modified_at", "lastModifiedAt"),
    ] {
        let local = epoch_seconds(str_attr(attrs, state_key))
            .unwrap_or_else(|| panic!("{tf}: {state_key} is not RFC 3339: {:?}", attrs[state_key]));
        // AWS CLI v1 prints timestamps as the wire sends them: epoch seconds (maybe fractional).
        let remote = t
            .get(remote_key)
            .and_then(|v| match v {
                Value::Number(n) => n.as_f64().map(|f| f.floor() as i64),
                Value::String(s) => epoch_seconds(s),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{tf}: remote {remote_key}: {:?}", t.get(remote_key)));
        assert_eq!(local, remote, "{tf}: {state_key} vs {remote_key}");
    }
}

/// ImportStateVerify: the imported state equals the applied state, attribute by attribute.
fn assert_import_matches(
    tf: &Terraform,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    how: &str,
) {
    let diffs = diff_attrs(before, after, &[]);
    assert!(
        diffs.is_empty(),
        "{tf}: import via {how} differs from the applied state:\n{}",
        diffs.join("\n")
    );
}

fn plan_summary_has(text: &str, want: &str) -> bool {
    text.lines().any(|l| l.contains(want))
}

fn lifecycle(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let mut ws = Workspace::new(tf, &proton);
    eprintln!("== {tf}: proton-local at {}", proton.endpoint());

    // Step 1: create.
    ws.write_main(&config(
        "",
        "  name         = \"e2e-env-1\"\n  display_name = \"E2E one\"\n  description  = \"first description\"\n",
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}: first plan must create:\n{plan}");
    assert!(
        plan_summary_has(&plan, "1 to add, 0 to change, 0 to destroy"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    let created = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&created, "name"), "e2e-env-1");
    assert_eq!(str_attr(&created, "display_name"), "E2E one");
    assert_eq!(str_attr(&created, "description"), "first description");
    assert_eq!(str_attr(&created, "arn"), arn_of("e2e-env-1"));
    assert_eq!(
        created.get("encryption_key"),
        Some(&Value::Null),
        "{tf}: encryption_key"
    );
    assert_eq!(
        created.get("provisioning"),
        Some(&Value::Null),
        "{tf}: provisioning"
    );
    assert_eq!(
        created.get("recommended_version"),
        Some(&Value::Null),
        "{tf}: a template without versions has no recommended version"
    );
    assert!(
        is_null_or_empty(created.get("tags")),
        "{tf}: tags {:?}",
        created.get("tags")
    );
    assert!(
        is_null_or_empty(created.get("tags_all")),
        "{tf}: tags_all {:?}",
        created.get("tags_all")
    );
    assert_matches_remote(tf, &proton, &created);
    assert_eq!(
        proton.environment_template_names(),
        vec!["e2e-env-1".to_string()]
    );

    // Step 2: update in place.
    ws.write_main(&config(
        "",
        "  name         = \"e2e-env-1\"\n  display_name = \"E2E one, renamed\"\n  description  = \"second description\"\n",
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}: update must plan changes:\n{plan}");
    assert!(
        plan.contains("will be updated in-place"),
        "{tf}: expected in-place update:\n{plan}"
    );
    assert!(
        plan_summary_has(&plan, "0 to add, 1 to change, 0 to destroy"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    let updated = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&updated, "display_name"), "E2E one, renamed");
    assert_eq!(str_attr(&updated, "description"), "second description");
    assert_eq!(
        updated["arn"], created["arn"],
        "{tf}: update must keep the arn"
    );
    assert_eq!(
        updated["created_at"], created["created_at"],
        "{tf}: update must keep created_at"
    );
    assert_matches_remote(tf, &proton, &updated);

    // Step 2b: clearing the description clears it in Proton; dropping display_name keeps the
    // current one (Proton cannot clear it), so that is no change at all.
    ws.write_main(&config("", "  name = \"e2e-env-1\"\n"));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(
        code, 2,
        "{tf}: removing the description must plan a change:\n{plan}"
    );
    assert!(plan.contains("will be updated in-place"), "{tf}:\n{plan}");
    ws.apply();
    ws.assert_plan_empty();
    let cleared = ws.resource_attrs(ADDR);
    assert_eq!(
        cleared.get("description"),
        Some(&Value::Null),
        "{tf}: description cleared"
    );
    assert_eq!(str_attr(&cleared, "display_name"), "E2E one, renamed");
    assert_matches_remote(tf, &proton, &cleared);

    // Step 3: a new name replaces the template.
    ws.write_main(&config(
        "",
        "  name         = \"e2e-env-2\"\n  display_name = \"E2E two\"\n  description  = \"replaced\"\n",
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        plan.contains("must be replaced"),
        "{tf}: expected a replacement:\n{plan}"
    );
    assert!(
        plan_summary_has(&plan, "1 to add, 0 to change, 1 to destroy"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    let replaced = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&replaced, "arn"), arn_of("e2e-env-2"));
    assert_matches_remote(tf, &proton, &replaced);
    assert_eq!(
        proton.environment_template_names(),
        vec!["e2e-env-2".to_string()],
        "{tf}: the old template must be gone after the replacement"
    );
    let gone = proton.aws_err(&["get-environment-template", "--name", "e2e-env-1"]);
    assert_eq!(
        gone.code, "ResourceNotFoundException",
        "{tf}: {}",
        gone.message
    );

    // Step 4: resource tags merged with the provider's default_tags.
    let default_tags = "  default_tags {\n    tags = {\n      owner = \"team-a\"\n      env   = \"default\"\n    }\n  }\n";
    let body = "  name         = \"e2e-env-2\"\n  display_name = \"E2E two\"\n  description  = \"replaced\"\n  tags = {\n    env = \"e2e\"\n    app = \"proton\"\n  }\n";
    ws.write_main(&config(default_tags, body));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        plan.contains("will be updated in-place"),
        "{tf}: tags change in place:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    let tagged = ws.resource_attrs(ADDR);
    assert_eq!(
        tagged["tags"],
        json!({"env": "e2e", "app": "proton"}),
        "{tf}: tags"
    );
    let want_all = json!({"owner": "team-a", "env": "e2e", "app": "proton"});
    assert_eq!(
        tagged["tags_all"], want_all,
        "{tf}: tags_all = default_tags + tags, resource wins"
    );
    assert_eq!(
        remote_tags(&proton, &arn_of("e2e-env-2")),
        want_all,
        "{tf}: tags in Proton"
    );
    assert_eq!(
        tagged["created_at"], replaced["created_at"],
        "{tf}: tagging must not replace"
    );

    // Step 4b: a default tag changes and a resource tag goes away.
    let default_tags_b = "  default_tags {\n    tags = {\n      owner = \"team-b\"\n    }\n  }\n";
    let body_b = "  name         = \"e2e-env-2\"\n  display_name = \"E2E two\"\n  description  = \"replaced\"\n  tags = {\n    env = \"e2e\"\n  }\n";
    ws.write_main(&config(default_tags_b, body_b));
    assert_eq!(
        ws.plan_exit_code(),
        2,
        "{tf}: changed tags must plan an update"
    );
    ws.apply();
    ws.assert_plan_empty();
    let retagged = ws.resource_attrs(ADDR);
    let want_all_b = json!({"owner": "team-b", "env": "e2e"});
    assert_eq!(retagged["tags"], json!({"env": "e2e"}), "{tf}");
    assert_eq!(retagged["tags_all"], want_all_b, "{tf}");
    assert_eq!(
        remote_tags(&proton, &arn_of("e2e-env-2")),
        want_all_b,
        "{tf}: untag in Proton"
    );

    // Step 5: the same resources through explicit endpoint and static credentials.
    let explicit = format!(
        "  access_key = \"test\"\n  secret_key = \"test\"\n  endpoints {{\n    proton = {}\n  }}\n{default_tags_b}",
        hcl_string(proton.endpoint())
    );
    ws.write_main(&config(&explicit, body_b));
    for key in [
        "AWS_ENDPOINT_URL_PROTON",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ] {
        ws.remove_env(key);
    }
    ws.assert_plan_empty();
    for (k, v) in proton.env() {
        ws.set_env(&k, &v);
    }
    ws.write_main(&config(default_tags_b, body_b));
    ws.assert_plan_empty();

    // Step 6: import with the CLI, then ImportStateVerify.
    let applied = ws.resource_attrs(ADDR);
    ws.state_rm(ADDR);
    assert!(
        ws.resource(ADDR).is_none(),
        "{tf}: state rm left the resource"
    );
    ws.import_cli(ADDR, "e2e-env-2");
    assert_import_matches(tf, &applied, &ws.resource_attrs(ADDR), "terraform import");
    ws.assert_plan_empty();

    // Step 7: import block (Terraform 1.5+): plannable import, then no-op.
    if tf.supports_import_blocks() {
        ws.state_rm(ADDR);
        ws.write(
            "import.tf",
            &format!("import {{\n  to = {ADDR}\n  id = \"e2e-env-2\"\n}}\n"),
        );
        let (code, plan) = ws.plan_with(&[]);
        assert_eq!(code, 2, "{tf}: an import is a change:\n{plan}");
        assert!(
            plan_summary_has(&plan, "1 to import, 0 to add, 0 to change, 0 to destroy"),
            "{tf}: the import must plan as a pure import:\n{plan}"
        );
        ws.apply();
        assert_import_matches(tf, &applied, &ws.resource_attrs(ADDR), "import block");
        ws.remove("import.tf");
        ws.assert_plan_empty();
    }

    // Step 8: import by identity (Terraform 1.12+), and identity recorded in state.
    if tf.supports_identity() {
        let resource = ws
            .resource(ADDR)
            .unwrap_or_else(|| panic!("{tf}: {ADDR} missing"));
        assert_eq!(
            resource.pointer("/identity/name"),
            Some(&json!("e2e-env-2")),
            "{tf}: state must carry the identity: {resource}"
        );
        ws.state_rm(ADDR);
        ws.write(
            "import.tf",
            &format!(
                "import {{\n  to = {ADDR}\n  identity = {{\n    name = \"e2e-env-2\"\n  }}\n}}\n"
            ),
        );
        let (code, plan) = ws.plan_with(&[]);
        assert_eq!(code, 2, "{tf}:\n{plan}");
        assert!(
            plan_summary_has(&plan, "1 to import, 0 to add, 0 to change, 0 to destroy"),
            "{tf}: identity import must plan as a pure import:\n{plan}"
        );
        ws.apply();
        assert_import_matches(tf, &applied, &ws.resource_attrs(ADDR), "import identity");
        ws.remove("import.tf");
        ws.assert_plan_empty();
    }

    // Step 9: disappears: deleted behind Terraform's back, the plan re-creates it.
    proton.aws(&["delete-environment-template", "--name", "e2e-env-2"]);
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(
        code, 2,
        "{tf}: a vanished template must plan a create:\n{plan}"
    );
    assert!(
        plan_summary_has(&plan, "1 to add, 0 to change, 0 to destroy"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    assert_matches_remote(tf, &proton, &ws.resource_attrs(ADDR));

    // Step 10: destroy; nothing left in state or in proton-local.
    ws.destroy();
    assert!(
        ws.state_addresses().is_empty(),
        "{tf}: state after destroy: {:?}",
        ws.state_addresses()
    );
    assert!(
        proton.environment_template_names().is_empty(),
        "{tf}: proton-local still has {:?}",
        proton.environment_template_names()
    );
}

fn bad_inputs(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    let long = "x".repeat(501);
    // (attribute, its line in the resource body, body). Line numbers let us check the
    // diagnostic points at the attribute: Terraform shows "on main.tf line N" for attribute paths.
    let cases = [
        ("name", "  name = \"bad name!\"\n".to_string()),
        (
            "description",
            format!("  name        = \"ok-name\"\n  description = \"{long}\"\n"),
        ),
        (
            "provisioning",
            "  name         = \"ok-name\"\n  provisioning = \"NOPE\"\n".to_string(),
        ),
    ];
    for (attribute, body) in cases {
        let main = proton_test_support::with_required_providers(&config("", &body));
        let line = main
            .lines()
            .position(|l| l.trim_start().starts_with(attribute) && l.contains('='))
            .map(|i| i + 1)
            .unwrap_or_else(|| panic!("no {attribute} line"));
        ws.write("main.tf", &main);
        let text = ws.plan_err();
        assert!(
            text.contains("Error"),
            "{tf}: {attribute}: no error diagnostic:\n{text}"
        );
        assert!(
            text.contains(&format!("main.tf line {line}")),
            "{tf}: the {attribute} error must point at main.tf line {line}:\n{text}"
        );
        assert!(
            text.contains(attribute),
            "{tf}: the error must name {attribute}:\n{text}"
        );
    }
    assert!(
        proton.environment_template_names().is_empty(),
        "{tf}: invalid configurations must not reach Proton"
    );
}

proton_test_support::terraform_tests!(lifecycle);

/// Any other `terraform` or `tofu` on PATH.
#[test]
fn lifecycle_terraform_on_path() {
    let others: Vec<Terraform> = terraform_versions()
        .into_iter()
        .filter(|tf| !tf.is_pinned())
        .collect();
    if others.is_empty() {
        eprintln!("no other Terraform on PATH, nothing to run");
    }
    for tf in &others {
        lifecycle(tf);
    }
}

#[test]
fn bad_input_fails_at_plan_before_any_api_call() {
    for tf in &terraform_versions() {
        bad_inputs(tf);
    }
}

#[test]
fn timestamp_parser() {
    assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(epoch_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
    assert_eq!(
        epoch_seconds("2026-11-27T09:30:00.123456+00:00"),
        Some(1_795_771_800)
    );
    assert_eq!(
        epoch_seconds("2000-03-01T01:00:00+01:00"),
        Some(951_868_800)
    );
    assert_eq!(
        epoch_seconds("2000-02-29T19:00:00-05:00"),
        Some(951_868_800)
    );
    assert_eq!(epoch_seconds("not a time"), None);
}
