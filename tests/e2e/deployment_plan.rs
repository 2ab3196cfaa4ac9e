//! `terraform plan` says which deployment each update starts (`deployment_type`): `NONE` for a
//! description, `CURRENT_VERSION` for a spec, `MINOR_VERSION` and `MAJOR_VERSION` for a new template
//! version, and the apply starts a deployment exactly when the plan says so. A lower major version
//! than the one in use is refused at plan.

use proton_test_support::deploy::{ROLE, environment_template, plan_line, provider};
use proton_test_support::{ProtonLocal, Terraform, Workspace, hcl_string};

const SPEC_A: &str = "proton: EnvironmentSpec\nspec:\n  subnets: 2\n";
const SPEC_B: &str = "proton: EnvironmentSpec\nspec:\n  subnets: 3\n";

fn environment(major: &str, minor: &str, spec: &str, description: &str) -> String {
    format!(
        "{}resource \"proton_environment\" \"test\" {{\n  name                    = \"planned\"\n  \
         template_name           = \"plan-tpl\"\n  template_major_version  = \"{major}\"\n  \
         template_minor_version  = \"{minor}\"\n  spec                    = {}\n  \
         description             = \"{description}\"\n  proton_service_role_arn = \"{ROLE}\"\n}}\n",
        provider(""),
        hcl_string(spec)
    )
}

/// How many deployments Proton ran for the environment.
fn deployments(proton: &ProtonLocal) -> usize {
    proton.aws(&["list-deployments", "--environment-name", "planned"])["deployments"]
        .as_array()
        .map_or(0, Vec::len)
}

fn plan_shows_the_deployment_type(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    environment_template(&proton, "plan-tpl");
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&environment("1", "0", SPEC_A, "first"));
    ws.apply();
    ws.assert_plan_empty();

    for (config, want, deploys) in [
        (environment("1", "0", SPEC_A, "second"), "NONE", false),
        (
            environment("1", "0", SPEC_B, "second"),
            "CURRENT_VERSION",
            true,
        ),
        (
            environment("1", "1", SPEC_B, "second"),
            "MINOR_VERSION",
            true,
        ),
        (
            environment("2", "0", SPEC_B, "second"),
            "MAJOR_VERSION",
            true,
        ),
    ] {
        ws.write_main(&config);
        let plan = ws.assert_plan_changes();
        let line = plan_line(&plan, "deployment_type")
            .unwrap_or_else(|| panic!("{tf}: no deployment_type in the plan:\n{plan}"));
        assert!(
            line.ends_with(&format!("\"{want}\"")),
            "{tf}: {want}: {line}\n{plan}"
        );
        let before = deployments(&proton);
        ws.apply();
        assert_eq!(
            deployments(&proton) > before,
            deploys,
            "{tf}: {want} must deploy only when it says so"
        );
        ws.assert_plan_empty();
    }

    // Back to a lower major version: refused at plan, on the attribute.
    ws.write_main(&environment("1", "1", SPEC_B, "second"));
    let text = ws.plan_err();
    assert!(
        text.contains("Lower major version") && text.contains("template_major_version"),
        "{tf}:\n{text}"
    );
}

proton_test_support::terraform_tests!(plan_shows_the_deployment_type);
