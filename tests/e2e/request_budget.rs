//! Twenty environments deploying at once (`-parallelism=20`) against a proton-local that throttles
//! beyond 10 requests a second: the provider's one request budget (`max_requests_per_second`) keeps
//! every create, poll and read of the apply under the limit, so the apply succeeds and Proton never
//! answers ThrottlingException.

use proton_test_support::deploy::{ROLE, environment_template, provider};
use proton_test_support::{ProtonLocal, Terraform, Workspace, combined_str, hcl_string};

const ENVIRONMENTS: usize = 20;

fn environments() -> String {
    let spec = hcl_string("proton: EnvironmentSpec\nspec:\n  size: small\n");
    (0..ENVIRONMENTS)
        .map(|i| {
            format!(
                "resource \"proton_environment\" \"e{i}\" {{\n  name = \"budget-{i}\"\n  \
                 template_name = \"env-tpl\"\n  template_major_version = \"1\"\n  spec = {spec}\n  \
                 proton_service_role_arn = \"{ROLE}\"\n}}\n"
            )
        })
        .collect()
}

fn a_wave_of_deployments_stays_under_the_limit(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--rate-limit", "10", "--deploy-seconds", "3"]);
    environment_template(&proton, "env-tpl");
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&format!(
        "{}{}",
        provider("  max_requests_per_second = 8\n"),
        environments()
    ));
    let applied = combined_str(&ws.apply_with(&["-parallelism=20"]));
    assert!(!applied.contains("Throttl"), "{tf}: {applied}");

    let requests = proton.requests();
    let throttled: Vec<&String> = requests
        .iter()
        .filter(|r| r.contains("status=429"))
        .collect();
    assert!(throttled.is_empty(), "{tf}: throttled: {throttled:?}");
    let polls = requests
        .iter()
        .filter(|r| r.contains("op=\"GetEnvironment\""))
        .count();
    assert!(
        polls >= 2 * ENVIRONMENTS,
        "{tf}: {polls} GetEnvironment calls"
    );
    for i in 0..ENVIRONMENTS {
        let attrs = ws.resource_attrs(&format!("proton_environment.e{i}"));
        assert_eq!(attrs["deployment_status"], "SUCCEEDED", "{tf}: e{i}");
    }
}

proton_test_support::terraform_tests!(a_wave_of_deployments_stays_under_the_limit);
