//! Provider block settings hashicorp/aws users expect: `ignore_tags` (tags added outside Terraform
//! that are neither shown nor planned away, nor shown by data sources, and `aws:` keys never
//! planned), and settings unknown at plan time that are never replaced by defaults.

use proton_test_support::deploy::{provider, remote_tags, str_attr};
use proton_test_support::{ProtonLocal, Terraform, Workspace};
use serde_json::json;

const ADDR: &str = "proton_environment_template.test";

/// The template, and a data source reading it back.
fn template(provider_extra: &str, tags: &str) -> String {
    format!(
        "{}resource \"proton_environment_template\" \"test\" {{\n  name = \"tagged\"\n  tags = {{\n{tags}  }}\n}}\n\n\
         data \"proton_environment_template\" \"read\" {{\n  name = proton_environment_template.test.name\n}}\n",
        provider(provider_extra)
    )
}

/// The `tags` the data source read, as in state.
fn data_source_tags(ws: &Workspace) -> serde_json::Value {
    let state = ws.show_json();
    state["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|resources| {
            resources
                .iter()
                .find(|r| r["address"] == "data.proton_environment_template.read")
        })
        .map(|r| r["values"]["tags"].clone())
        .unwrap_or_else(|| panic!("no data source in state: {state}"))
}

/// An `aws:proton:*` tag key as a plan prints it (quoted: every Proton ARN holds `aws:proton` too).
const AWS_TAG_KEY: &str = "\"aws:proton:";

const IGNORE: &str =
    "  ignore_tags {\n    keys         = [\"CostCenter\"]\n    key_prefixes = [\"ops:\"]\n  }\n";

fn ignore_tags(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&template(IGNORE, "    app = \"x\"\n"));
    ws.apply();
    let arn = str_attr(&ws.resource_attrs(ADDR), "arn").to_string();

    // Tags added outside Terraform under ignored keys, beside the `aws:proton:*` tags Proton adds
    // itself: nothing to plan, and none of them in state.
    proton.aws(&[
        "tag-resource",
        "--resource-arn",
        &arn,
        "--tags",
        "key=CostCenter,value=42",
        "key=ops:owner,value=sre",
    ]);
    ws.assert_plan_empty();
    ws.apply_with(&["-refresh-only"]);
    let attrs = ws.resource_attrs(ADDR);
    assert_eq!(attrs["tags"], json!({"app": "x"}), "{tf}");
    assert_eq!(attrs["tags_all"], json!({"app": "x"}), "{tf}");
    assert_eq!(
        data_source_tags(&ws),
        json!({"app": "x"}),
        "{tf}: the data source leaves out the ignored and the `aws:` keys"
    );

    // A tag outside Terraform under another key is still drift that the plan removes; the ignored
    // ones stay in Proton through that apply and a change of the resource's own tags.
    proton.aws(&[
        "tag-resource",
        "--resource-arn",
        &arn,
        "--tags",
        "key=stray,value=1",
    ]);
    let plan = ws.assert_plan_changes();
    assert!(plan.contains("\"stray\""), "{tf}:\n{plan}");
    assert!(
        !plan.contains("CostCenter") && !plan.contains("ops:owner"),
        "{tf}:\n{plan}"
    );
    ws.write_main(&template(
        IGNORE,
        "    app = \"y\"\n    \"ops:team\" = \"a\"\n",
    ));
    let plan = ws.assert_plan_changes();
    assert!(!plan.contains(AWS_TAG_KEY), "{tf}:\n{plan}");
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        remote_tags(&proton, &arn),
        json!({
            "app": "y",
            "CostCenter": "42",
            "ops:owner": "sre",
        }),
        "{tf}: the configured `ops:team` is ignored too: never sent"
    );
    let attrs = ws.resource_attrs(ADDR);
    assert_eq!(attrs["tags_all"], json!({"app": "y"}), "{tf}");

    // Without ignore_tags the same tags are drift again (but never the `aws:` one).
    ws.write_main(&template("", "    app = \"y\"\n"));
    let plan = ws.assert_plan_changes();
    assert!(
        plan.contains("CostCenter") && plan.contains("ops:owner"),
        "{tf}:\n{plan}"
    );
    assert!(!plan.contains(AWS_TAG_KEY), "{tf}:\n{plan}");
    ws.apply_with(&["-refresh-only"]);
    assert_eq!(
        data_source_tags(&ws),
        json!({"app": "y", "CostCenter": "42", "ops:owner": "sre"}),
        "{tf}: without ignore_tags the data source shows them (never the `aws:` ones)"
    );

    // Configured keys AWS reserves are refused before any call.
    ws.write_main(&template(IGNORE, "    \"aws:owner\" = \"me\"\n"));
    let text = ws.plan_err();
    assert!(
        text.contains("Reserved tag key") && text.contains("aws:owner"),
        "{tf}:\n{text}"
    );
}

/// A template through a second provider block with a known region; the default provider's region is
/// taken from its ARN, so it is unknown whenever that template is being (re)created.
fn region_from_a_resource(base: &str, rest: &str) -> String {
    format!(
        "provider \"proton\" {{\n  alias  = \"base\"\n  region = \"us-east-1\"\n}}\n\n\
         resource \"proton_environment_template\" \"base\" {{\n  provider = proton.base\n  name     = \"{base}\"\n}}\n\n\
         provider \"proton\" {{\n  region = element(split(\":\", proton_environment_template.base.arn), 3)\n}}\n\n{rest}"
    )
}

/// GetEnvironmentTemplate calls proton-local answered.
fn template_reads(proton: &ProtonLocal) -> usize {
    proton
        .requests()
        .iter()
        .filter(|line| line.contains("op=\"GetEnvironmentTemplate\""))
        .count()
}

fn unknown_region(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let mut ws = Workspace::new(tf, &proton);
    // What a guess would take: another region in the environment.
    ws.set_env("AWS_REGION", "eu-west-1");
    ws.set_env("AWS_DEFAULT_REGION", "eu-west-1");
    let unknown = |text: &str| {
        text.contains("Provider configuration is unknown") && text.contains("`region`")
    };

    // A data source is never read with a guessed region.
    ws.write_main(&region_from_a_resource(
        "base",
        "data \"proton_environment_template\" \"read\" {\n  name = \"base\"\n}\n",
    ));
    let text = ws.plan_err();
    assert!(unknown(&text), "{tf}:\n{text}");
    assert_eq!(template_reads(&proton), 0, "{tf}");

    // Creating needs no call at plan: it plans, and the apply creates in the region the ARN names.
    let derived = "resource \"proton_environment_template\" \"derived\" {\n  name = \"derived\"\n  tags = {\n    app = \"x\"\n  }\n}\n";
    ws.write_main(&region_from_a_resource("base", derived));
    let plan = ws.assert_plan_changes();
    assert!(plan.contains("2 to add"), "{tf}:\n{plan}");
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        str_attr(
            &ws.resource_attrs("proton_environment_template.derived"),
            "arn"
        ),
        "arn:aws:proton:us-east-1:000000000000:environment-template/derived",
        "{tf}"
    );

    // Replacing the base makes the region unknown again: refreshing `derived` would need a guess.
    ws.write_main(&region_from_a_resource("base2", derived));
    let reads_before = template_reads(&proton);
    let text = ws.plan_err();
    assert!(unknown(&text), "{tf}:\n{text}");
    assert_eq!(
        template_reads(&proton),
        reads_before + 1,
        "{tf}: only the base template (its region is known) may be read:\n{}",
        proton.requests().join("\n")
    );
}

proton_test_support::terraform_tests!(ignore_tags, unknown_region);
