//! Provider block settings hashicorp/aws users expect: `ignore_tags` (tags added outside Terraform
//! that are neither shown nor planned away, and `aws:` keys never planned), and settings unknown at
//! plan time that are never replaced by defaults.

use proton_test_support::deploy::{provider, remote_tags, str_attr};
use proton_test_support::{ProtonLocal, Terraform, Workspace};
use serde_json::json;

const ADDR: &str = "proton_environment_template.test";

fn template(provider_extra: &str, tags: &str) -> String {
    format!(
        "{}resource \"proton_environment_template\" \"test\" {{\n  name = \"tagged\"\n  tags = {{\n{tags}  }}\n}}\n",
        provider(provider_extra)
    )
}

const IGNORE: &str =
    "  ignore_tags {\n    keys         = [\"CostCenter\"]\n    key_prefixes = [\"ops:\"]\n  }\n";

fn ignore_tags(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&template(IGNORE, "    app = \"x\"\n"));
    ws.apply();
    let arn = str_attr(&ws.resource_attrs(ADDR), "arn").to_string();

    // Tags added outside Terraform under ignored keys, and one under a key AWS reserves: nothing
    // to plan, and none of them in state.
    proton.aws(&[
        "tag-resource",
        "--resource-arn",
        &arn,
        "--tags",
        "key=CostCenter,value=42",
        "key=ops:owner,value=sre",
        "key=aws:proton:environment-template,value=tagged",
    ]);
    ws.assert_plan_empty();
    ws.apply_with(&["-refresh-only"]);
    let attrs = ws.resource_attrs(ADDR);
    assert_eq!(attrs["tags"], json!({"app": "x"}), "{tf}");
    assert_eq!(attrs["tags_all"], json!({"app": "x"}), "{tf}");

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
    assert!(!plan.contains("aws:proton"), "{tf}:\n{plan}");
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        remote_tags(&proton, &arn),
        json!({
            "app": "y",
            "CostCenter": "42",
            "ops:owner": "sre",
            "aws:proton:environment-template": "tagged",
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
    assert!(!plan.contains("aws:proton"), "{tf}:\n{plan}");

    // Configured keys AWS reserves are refused before any call.
    ws.write_main(&template(IGNORE, "    \"aws:owner\" = \"me\"\n"));
    let text = ws.plan_err();
    assert!(
        text.contains("Reserved tag key") && text.contains("aws:owner"),
        "{tf}:\n{text}"
    );
}

proton_test_support::terraform_tests!(ignore_tags);
