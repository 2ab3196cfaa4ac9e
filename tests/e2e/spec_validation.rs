//! Specs checked against the template version's schema (issue 14 items 8-9), with real Terraform
//! and proton-local: a plan refuses a bad spec of an environment, a service (its pipeline and every
//! instance), a service instance and a pipeline, naming `spec`, the input and the rule, and makes no
//! mutating call; a good spec plans and applies; a version registered in the same apply is checked
//! at apply, before the create call; template versions expose `schema`.

use proton_test_support::deploy::{ROLE, SchemaBundles, provider};
use proton_test_support::reliability::log_field;
use proton_test_support::{ProtonLocal, Terraform, Workspace, hcl_string};

/// An environment schema in the shape of the User Guide's: a pattern, bounds, an enum, defaults.
const NETWORK_SCHEMA: &str = r#"schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "NetworkInput"
  types:
    NetworkInput:
      type: object
      description: "The shared network"
      properties:
        vpc_cidr:
          type: string
          description: "A /16 in 10.x"
          pattern: '^10\.[0-9]+\.0\.0/16$'
          default: "10.0.0.0/16"
        zones:
          type: number
          minimum: 1
          maximum: 3
        tier:
          type: string
          enum: [dev, prod]
          default: dev
      required:
        - zones
"#;

/// A service schema with a pipeline, in the shape of the User Guide's Fargate example.
const WEB_SCHEMA: &str = r#"schema:
  format:
    openapi: "3.0.0"
  service_input_type: "WebInput"
  pipeline_input_type: "BuildInput"
  types:
    WebInput:
      type: object
      properties:
        port:
          type: number
          minimum: 1
          maximum: 65535
          default: 8080
        image:
          type: string
          minLength: 1
      required: [image]
    BuildInput:
      type: object
      properties:
        test_command:
          type: string
      required: [test_command]
"#;

const GOOD_ENV_SPEC: &str = "proton: EnvironmentSpec\nspec:\n  zones: 2\n";

fn env_spec(inputs: &str) -> String {
    format!("proton: EnvironmentSpec\nspec:\n{inputs}")
}

fn service_spec(pipeline: &str, instance: &str) -> String {
    format!(
        "proton: ServiceSpec\npipeline:\n{pipeline}instances:\n  - name: web-a\n    environment: net-env\n    spec:\n{instance}"
    )
}

fn environment_block(spec: &str) -> String {
    format!(
        "resource \"proton_environment\" \"net\" {{\n  name                    = \"net-env\"\n  \
         template_name           = \"net\"\n  template_major_version  = \"1\"\n  \
         spec                    = {}\n  proton_service_role_arn = \"{ROLE}\"\n}}\n\n",
        hcl_string(spec)
    )
}

fn service_block(spec: &str) -> String {
    format!(
        "resource \"proton_service\" \"web\" {{\n  name                   = \"web\"\n  \
         template_name          = \"web\"\n  template_major_version = \"1\"\n  spec                   = {}\n  \
         repository_connection_arn = \"arn:aws:codestar-connections:us-east-1:000000000000:connection/abc\"\n  \
         repository_id          = \"org/web\"\n  branch_name            = \"main\"\n  \
         depends_on             = [proton_environment.net]\n}}\n\n",
        hcl_string(spec)
    )
}

const SCHEMA_OUTPUTS: &str = r#"data "proton_environment_template_version" "net" {
  template_name = "net"
  major_version = "1"
}

data "proton_service_template_version" "web" {
  template_name = "web"
  major_version = "1"
  minor_version = "0"
}

output "network_schema" {
  value = data.proton_environment_template_version.net.schema
}

output "web_schema" {
  value = data.proton_service_template_version.web.schema
}

"#;

/// API calls other than reads (Get*, List*) that proton-local answered.
fn mutating_calls(proton: &ProtonLocal) -> Vec<String> {
    proton
        .requests()
        .iter()
        .filter_map(|line| log_field(line, "op").map(str::to_string))
        .filter(|op| !op.starts_with("Get") && !op.starts_with("List"))
        .collect()
}

/// A plan that must fail because of a spec, without any mutating call; its diagnostics.
fn refused_plan(ws: &Workspace, proton: &ProtonLocal) -> String {
    let before = mutating_calls(proton);
    let out = ws.plan_err();
    assert!(
        out.contains("Spec refused by the template version's schema"),
        "{}: {out}",
        ws.terraform()
    );
    assert_eq!(
        mutating_calls(proton),
        before,
        "{}: a refused plan makes no mutating call",
        ws.terraform()
    );
    out
}

/// Terraform wraps diagnostics to the terminal's width: compare with the lines joined.
fn assert_names(tf: &Terraform, out: &str, wants: &[&str]) {
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in wants {
        assert!(
            out.contains(want),
            "{tf}: diagnostics lack {want:?}:\n{out}"
        );
    }
}

/// proton-local with the `net` and `web` templates (version 1.0 of each, with its schema) and
/// the account's pipeline role.
fn platform(bundles: &SchemaBundles) -> ProtonLocal {
    let proton = bundles.proton(&[]);
    bundles.template(&proton, "environment", "net", NETWORK_SCHEMA, &[], &[]);
    let compatible = r#"[{"templateName":"net","majorVersion":"1"}]"#;
    bundles.template(
        &proton,
        "service",
        "web",
        WEB_SCHEMA,
        &[],
        &["--compatible-environment-templates", compatible],
    );
    proton.aws(&[
        "update-account-settings",
        "--pipeline-service-role-arn",
        ROLE,
    ]);
    proton
}

fn plan_refuses_bad_specs(tf: &Terraform) {
    let bundles = SchemaBundles::new();
    let proton = platform(&bundles);
    let ws = Workspace::new(tf, &proton);
    let head = format!("{}{SCHEMA_OUTPUTS}", provider(""));

    // An environment input above its maximum.
    ws.write_main(&format!(
        "{head}{}",
        environment_block(&env_spec("  zones: 9\n"))
    ));
    let out = refused_plan(&ws, &proton);
    assert_names(
        tf,
        &out,
        &[
            "spec.zones",
            "input `zones` breaks rule `maximum`",
            "net version 1.0",
        ],
    );

    // A service: a missing pipeline input, an instance input out of range and a required one missing.
    let bad_service = service_spec("  {}\n", "      port: 70000\n");
    ws.write_main(&format!(
        "{head}{}{}",
        environment_block(GOOD_ENV_SPEC),
        service_block(&bad_service)
    ));
    let out = refused_plan(&ws, &proton);
    assert_names(
        tf,
        &out,
        &[
            "pipeline.test_command: input `test_command` breaks rule `required`",
            "instances[0].spec.port: input `port` breaks rule `maximum`",
            "instances[0].spec.image: input `image` breaks rule `required`",
        ],
    );

    // Good specs plan and apply; the versions' schemas are exposed.
    let good_service = service_spec("  test_command: make test\n", "      image: nginx:1.27\n");
    let good = format!(
        "{head}{}{}",
        environment_block(GOOD_ENV_SPEC),
        service_block(&good_service)
    );
    ws.write_main(&good);
    assert_eq!(ws.plan_exit_code(), 2, "{tf}: good specs plan");
    ws.apply();
    let outputs = ws.outputs();
    assert_eq!(outputs["network_schema"]["value"], NETWORK_SCHEMA, "{tf}");
    assert_eq!(outputs["web_schema"]["value"], WEB_SCHEMA, "{tf}");
    ws.assert_plan_empty();

    // An update of the environment's spec is checked too (an enum this time).
    ws.write_main(&good.replace(
        &hcl_string(GOOD_ENV_SPEC),
        &hcl_string(&env_spec("  zones: 2\n  tier: staging\n")),
    ));
    let out = refused_plan(&ws, &proton);
    assert_names(tf, &out, &["spec.tier", "rule `enum`"]);

    // The instance (adopted) and the pipeline resources: their specs against the same version.
    let instance = format!(
        "resource \"proton_service_instance\" \"a\" {{\n  service_name = proton_service.web.name\n  \
         name         = \"web-a\"\n  spec         = {}\n}}\n\n",
        hcl_string(&service_spec(
            "  test_command: make test\n",
            "      image: nginx:1.27\n      port: 0\n"
        ))
    );
    let pipeline = format!(
        "resource \"proton_service_pipeline\" \"web\" {{\n  service_name = proton_service.web.name\n  \
         spec         = {}\n}}\n\n",
        hcl_string("proton: ServiceSpec\npipeline:\n  test_command: 42\n")
    );
    ws.write_main(&format!("{good}{instance}{pipeline}"));
    let out = refused_plan(&ws, &proton);
    assert_names(
        tf,
        &out,
        &[
            "instances[0].spec.port: input `port` breaks rule `minimum`",
            "pipeline.test_command: input `test_command` breaks rule `type`",
        ],
    );
    ws.write_main(&good);
    ws.assert_plan_empty();
}

fn apply_checks_a_version_made_in_the_same_apply(tf: &Terraform) {
    let bundles = SchemaBundles::new();
    let proton = bundles.proton(&[]);
    let (bucket, key) = bundles.source("late", NETWORK_SCHEMA);
    let config = |spec: &str| {
        format!(
            "{}resource \"proton_environment_template\" \"late\" {{\n  name = \"late\"\n}}\n\n\
             resource \"proton_environment_template_version\" \"late\" {{\n  \
             template_name = proton_environment_template.late.name\n  status        = \"PUBLISHED\"\n  \
             source = {{\n    s3 = {{\n      bucket = \"{bucket}\"\n      key    = \"{key}\"\n    }}\n  }}\n}}\n\n\
             resource \"proton_environment\" \"late\" {{\n  name                    = \"late-env\"\n  \
             template_name           = proton_environment_template.late.name\n  \
             template_major_version  = proton_environment_template_version.late.major_version\n  \
             template_minor_version  = proton_environment_template_version.late.minor_version\n  \
             spec                    = {}\n  proton_service_role_arn = \"{ROLE}\"\n}}\n",
            provider(""),
            hcl_string(spec)
        )
    };
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&config(&env_spec("  zones: 0\n")));
    // The version does not exist yet: the plan cannot check the spec.
    assert_eq!(ws.plan_exit_code(), 2, "{tf}");
    let out = ws.apply_err();
    assert_names(
        tf,
        &out,
        &[
            "spec.zones",
            "input `zones` breaks rule `minimum`",
            "late version 1.0",
        ],
    );
    let calls = mutating_calls(&proton);
    assert!(
        !calls.iter().any(|op| op == "CreateEnvironment"),
        "{tf}: the refused spec never reached CreateEnvironment: {calls:?}"
    );
    let version = ws.resource_attrs("proton_environment_template_version.late");
    assert_eq!(version["schema"], NETWORK_SCHEMA, "{tf}");

    ws.write_main(&config(GOOD_ENV_SPEC));
    ws.apply();
    ws.assert_plan_empty();
}

fn one_schema_fetch_per_version(tf: &Terraform) {
    let bundles = SchemaBundles::new();
    let proton = platform(&bundles);
    let ws = Workspace::new(tf, &proton);
    let environments: String = (0..5)
        .map(|i| {
            environment_block(GOOD_ENV_SPEC)
                .replace("\"net\" {", &format!("\"net{i}\" {{"))
                .replace("net-env", &format!("net-env-{i}"))
        })
        .collect();
    ws.write_main(&format!("{}{environments}", provider("")));
    let count = |op: &str| {
        proton
            .requests()
            .iter()
            .filter(|line| log_field(line, "op") == Some(op))
            .count()
    };
    let (gets, lists) = (
        count("GetEnvironmentTemplateVersion"),
        count("ListEnvironmentTemplateVersions"),
    );
    assert_eq!(ws.plan_exit_code(), 2, "{tf}");
    // Five environments of one version (minor left to Proton): its recommended minor is looked
    // up once and its schema fetched once.
    assert_eq!(count("GetEnvironmentTemplateVersion") - gets, 1, "{tf}");
    assert_eq!(count("ListEnvironmentTemplateVersions") - lists, 1, "{tf}");
}

proton_test_support::terraform_tests!(
    plan_refuses_bad_specs,
    apply_checks_a_version_made_in_the_same_apply
);
proton_test_support::terraform_tests!(current: one_schema_fetch_per_version);
