//! `terraform query` (Terraform 1.14+): list resources find what proton-local holds, and
//! `-generate-config-out` writes configuration that imports by identity and then plans clean.

use proton_test_support::{ProtonLocal, Workspace, stdout_str, terraform_versions};

const PROVIDER: &str = "provider \"proton\" {\n  region = \"us-east-1\"\n}\n";

#[test]
fn query_lists_and_generated_config_imports_clean() {
    let proton = ProtonLocal::start(&[]);
    let names = ["query-a", "query-b", "query-c"];
    for name in names {
        proton.aws(&[
            "create-environment-template",
            "--name",
            name,
            "--description",
            &format!("made outside Terraform: {name}"),
            "--tags",
            "key=owner,value=platform",
        ]);
    }
    let versions: Vec<_> = terraform_versions()
        .into_iter()
        // Terraform before 1.14 and OpenTofu never call list resources (supports_query_and_actions).
        .filter(|tf| tf.supports_query_and_actions())
        .collect();
    assert!(!versions.is_empty(), "Terraform 1.15 is always installed");
    for tf in versions {
        let ws = Workspace::new(&tf, &proton);
        ws.write_main(PROVIDER);
        ws.write(
            "all.tfquery.hcl",
            "list \"proton_environment_template\" \"all\" {\n  provider         = proton\n  include_resource = true\n}\n",
        );
        let listed = stdout_str(&ws.run_ok(&["query", "-no-color"]));
        for name in names {
            assert!(
                listed.contains(name),
                "query output lacks {name}:\n{listed}"
            );
        }
        ws.run_ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
        let generated =
            std::fs::read_to_string(ws.dir().join("generated.tf")).expect("generated.tf written");
        assert_eq!(
            generated
                .matches("resource \"proton_environment_template\"")
                .count(),
            3
        );
        assert!(
            !generated.contains("tags_all"),
            "computed noise in:\n{generated}"
        );
        assert!(
            !generated.contains("arn"),
            "computed noise in:\n{generated}"
        );
        ws.remove("all.tfquery.hcl");
        ws.apply();
        ws.assert_plan_empty();
        let state = ws.show_json();
        let resources = state["values"]["root_module"]["resources"]
            .as_array()
            .expect("resources in state");
        assert_eq!(resources.len(), 3);
        for resource in resources {
            let tags = &resource["values"]["tags"];
            assert_eq!(tags["owner"], "platform", "{resource}");
        }
        // Forget them again for the next Terraform version: nothing may be destroyed in proton-local.
        for resource in resources {
            let address = resource["address"].as_str().expect("address");
            ws.run_ok(&["state", "rm", address]);
        }
    }
    let remaining = proton.aws(&["list-environment-templates"]);
    assert_eq!(remaining["templates"].as_array().map(Vec::len), Some(3));
}
