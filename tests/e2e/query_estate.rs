//! `terraform query` over a whole proton-local estate (Terraform 1.15.5): 29 objects of every kind
//! that has a List operation, made by one `terraform apply` in a workspace of its own, are found by
//! list blocks in a second workspace that knows nothing of them; the filters narrow and are
//! validated; `-generate-config-out` writes configuration that, once the two values Proton never
//! returns are filled in (a template version's `source`, a component's `manifest`), imports all 29
//! and plans clean. Terraform 1.0.3, which never sees list resources, imports and plans one of the
//! generated blocks.

use std::collections::BTreeMap;

use proton_test_support::{
    ProtonLocal, Workspace, combined_str, current_terraform, stdout_str, terraform_versions,
};
use serde_json::Value;

const ENV_ACCOUNT: &str = "111111111111";

const PROVIDERS: &str = r#"provider "proton" {
  region = "us-east-1"
}

provider "proton" {
  alias      = "env_account"
  region     = "us-east-1"
  access_key = "envkey"
  secret_key = "envsecret"
}
"#;

/// The estate: 3 environment templates, 3 of their versions, 2 service templates with a version each,
/// 3 repositories, 5 environments (one in another account through a connection), 2 services with 5
/// instances, 2 components, and the connection (seen from both accounts).
const ESTATE: &str = r#"locals {
  env_bundle     = { s3 = { bucket = "proton-bundles", key = "vpc-environment.tar.gz" } }
  web_bundle     = { s3 = { bucket = "proton-bundles", key = "web-service.tar.gz" } }
  worker_bundle  = { s3 = { bucket = "proton-bundles", key = "worker-service.tar.gz" } }
  service_role   = "arn:aws:iam::000000000000:role/proton-service"
  component_role = "arn:aws:iam::000000000000:role/proton-component"
  connection_arn = "arn:aws:codestar-connections:us-east-1:000000000000:connection/abc"
  template_file  = "Resources: {}\n"
  manifest       = "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n"
}

resource "proton_environment_template" "net" {
  name        = "net"
  description = "Shared networks"
  tags = {
    owner = "platform"
  }
}

resource "proton_environment_template" "data" {
  name = "data"
}

resource "proton_environment_template" "edge" {
  name         = "edge"
  display_name = "Edge"
}

resource "proton_environment_template_version" "net_1_0" {
  template_name = proton_environment_template.net.name
  source        = local.env_bundle
  status        = "PUBLISHED"
}

resource "proton_environment_template_version" "net_1_1" {
  template_name = proton_environment_template.net.name
  major_version = proton_environment_template_version.net_1_0.major_version
  source        = local.env_bundle
  description   = "Next minor version, still a draft"
}

resource "proton_environment_template_version" "data_1_0" {
  template_name = proton_environment_template.data.name
  source        = local.env_bundle
  status        = "PUBLISHED"
}

# "web" provides a pipeline (no pipeline_provisioning); "worker" provides none.
resource "proton_service_template" "web" {
  name = "web"
}

resource "proton_account_settings" "this" {
  pipeline_service_role_arn = local.service_role
}

resource "proton_service_template" "worker" {
  name                  = "worker"
  pipeline_provisioning = "CUSTOMER_MANAGED"
  tags = {
    owner = "apps"
  }
}

resource "proton_service_template_version" "web_1_0" {
  template_name = proton_service_template.web.name
  source        = local.web_bundle
  status        = "PUBLISHED"
  compatible_environment_templates = [{
    template_name = proton_environment_template.net.name
    major_version = proton_environment_template_version.net_1_0.major_version
  }]
  supported_component_sources = ["DIRECTLY_DEFINED"]
}

resource "proton_service_template_version" "worker_1_0" {
  template_name = proton_service_template.worker.name
  source        = local.worker_bundle
  status        = "PUBLISHED"
  compatible_environment_templates = [{
    template_name = proton_environment_template.net.name
    major_version = proton_environment_template_version.net_1_0.major_version
  }]
}

resource "proton_repository" "infra" {
  repository_provider = "GITHUB"
  name                = "org/infra"
  connection_arn      = local.connection_arn
}

resource "proton_repository" "app" {
  repository_provider = "GITHUB"
  name                = "org/app"
  connection_arn      = local.connection_arn
}

resource "proton_repository" "ops" {
  repository_provider = "BITBUCKET"
  name                = "org/ops"
  connection_arn      = local.connection_arn
}

resource "proton_environment" "net" {
  for_each                = toset(["dev", "staging", "prod"])
  name                    = each.key
  template_name           = proton_environment_template.net.name
  template_major_version  = proton_environment_template_version.net_1_0.major_version
  spec                    = "proton: EnvironmentSpec\nspec:\n  size: ${each.key == "prod" ? "large" : "small"}\n"
  proton_service_role_arn = local.service_role
  component_role_arn      = local.component_role
}

resource "proton_environment" "analytics" {
  name                    = "analytics"
  template_name           = proton_environment_template.data.name
  template_major_version  = proton_environment_template_version.data_1_0.major_version
  spec                    = "proton: EnvironmentSpec\nspec:\n  warehouse: columnar\n"
  proton_service_role_arn = local.service_role
}

resource "proton_environment_account_connection" "remote" {
  provider              = proton.env_account
  management_account_id = "000000000000"
  environment_name      = "remote"
  role_arn              = "arn:aws:iam::111111111111:role/proton-provisioning"
}

resource "proton_environment_account_connection_accepter" "remote" {
  id = proton_environment_account_connection.remote.id
}

resource "proton_environment" "remote" {
  name                              = "remote"
  template_name                     = proton_environment_template.net.name
  template_major_version            = proton_environment_template_version.net_1_0.major_version
  spec                              = "proton: EnvironmentSpec\nspec:\n  size: small\n"
  environment_account_connection_id = proton_environment_account_connection_accepter.remote.id
}

resource "proton_service" "api" {
  name                      = "api"
  template_name             = proton_service_template.web.name
  template_major_version    = proton_service_template_version.web_1_0.major_version
  spec                      = "proton: ServiceSpec\npipeline:\n  stage: build\ninstances:\n  - name: api-dev\n    environment: ${proton_environment.net["dev"].name}\n    spec:\n      port: 8080\n  - name: api-prod\n    environment: ${proton_environment.net["prod"].name}\n    spec:\n      port: 80\n"
  repository_connection_arn = local.connection_arn
  repository_id             = "org/app"
  branch_name               = "main"
  depends_on                = [proton_account_settings.this]
}

resource "proton_service" "jobs" {
  name                   = "jobs"
  template_name          = proton_service_template.worker.name
  template_major_version = proton_service_template_version.worker_1_0.major_version
  spec                   = "proton: ServiceSpec\ninstances:\n%{for env in ["dev", "staging", "prod"]}  - name: jobs-${env}\n    environment: ${proton_environment.net[env].name}\n    spec:\n      queue: ${env}-jobs\n%{endfor}"
}

resource "proton_component" "cache" {
  name             = "cache"
  environment_name = proton_environment.net["dev"].name
  template_file    = local.template_file
  manifest         = local.manifest
}

resource "proton_component" "sidecar" {
  name                  = "sidecar"
  service_name          = proton_service.api.name
  service_instance_name = "api-dev"
  template_file         = local.template_file
  manifest              = local.manifest
}
"#;

/// Every list resource, with the full objects (needed to generate configuration).
const LIST_TYPES: [&str; 10] = [
    "proton_environment_template",
    "proton_environment_template_version",
    "proton_service_template",
    "proton_service_template_version",
    "proton_repository",
    "proton_environment",
    "proton_service",
    "proton_service_instance",
    "proton_component",
    "proton_environment_account_connection_accepter",
];

fn list_everything() -> String {
    let mut blocks: String = LIST_TYPES
        .iter()
        .map(|t| {
            format!(
                "list \"{t}\" \"all\" {{\n  provider         = proton\n  include_resource = true\n}}\n\n"
            )
        })
        .collect();
    blocks.push_str(
        "list \"proton_environment_account_connection\" \"all\" {\n  provider         = proton.env_account\n  include_resource = true\n}\n",
    );
    blocks
}

const FILTERED: &str = r#"list "proton_environment" "data" {
  provider = proton
  config {
    environment_templates = [{ template_name = "data", major_version = "1" }]
  }
}

list "proton_environment_template_version" "net" {
  provider = proton
  config {
    template_name = "net"
  }
}

list "proton_service_template_version" "worker_major_1" {
  provider = proton
  config {
    template_name = "worker"
    major_version = "1"
  }
}

list "proton_service_instance" "jobs_in_prod" {
  provider = proton
  config {
    service_name = "jobs"
    filters      = [{ key = "environmentName", value = "prod" }]
  }
}

list "proton_service_instance" "in_prod" {
  provider = proton
  config {
    filters = [{ key = "environmentName", value = "prod" }]
  }
}

list "proton_component" "of_api" {
  provider = proton
  config {
    service_name = "api"
  }
}

list "proton_environment_account_connection_accepter" "connected" {
  provider = proton
  config {
    environment_name = "remote"
    statuses         = ["CONNECTED"]
  }
}

list "proton_environment_account_connection" "pending" {
  provider = proton.env_account
  config {
    statuses = ["PENDING", "REJECTED"]
  }
}
"#;

const INVALID: &str = r#"list "proton_environment_account_connection_accepter" "bad_status" {
  provider = proton
  config {
    statuses = ["BOGUS"]
  }
}

list "proton_service_instance" "bad_key" {
  provider = proton
  config {
    filters = [{ key = "colour", value = "blue" }]
  }
}
"#;

/// What `terraform query -json` found: display names by list block address, sorted.
fn query(ws: &Workspace) -> BTreeMap<String, Vec<String>> {
    let output = ws.run_ok(&["query", "-json"]);
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in stdout_str(&output).lines() {
        let Ok(event) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if event["type"] == "list_start" {
            let address = event["list_start"]["address"].as_str().unwrap_or_default();
            found.entry(address.to_string()).or_default();
        }
        if event["type"] == "list_resource_found" {
            let result = &event["list_resource_found"];
            let address = result["address"].as_str().unwrap_or_default();
            let name = result["display_name"].as_str().unwrap_or_default();
            found
                .entry(address.to_string())
                .or_default()
                .push(name.to_string());
        }
    }
    for names in found.values_mut() {
        names.sort();
    }
    found
}

fn names(list: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    names.sort();
    names
}

/// The generated `resource` block (without its import block) of the `type_name` object named `name`.
fn generated_block(generated: &str, type_name: &str, name: &str) -> String {
    let header = format!("resource \"{type_name}\" ");
    let mut block = Vec::new();
    let mut inside = false;
    for line in generated.lines() {
        if line.starts_with(&header) {
            inside = true;
            block.clear();
        }
        if inside {
            block.push(line);
            if line == "}" {
                inside = false;
                let text = block.join("\n");
                let named = block.iter().any(|l| {
                    let l = l.trim_start();
                    l.starts_with("name ") && l.ends_with(&format!("= \"{name}\""))
                });
                if named {
                    return format!("{text}\n");
                }
            }
        }
    }
    panic!("no generated {type_name} named {name} in:\n{generated}");
}

#[test]
fn query_finds_the_estate_and_generated_config_imports_clean() {
    let proton = ProtonLocal::start(&[
        "--account",
        "test:test:000000000000",
        "--account",
        &format!("envkey:envsecret:{ENV_ACCOUNT}"),
    ]);
    let versions = terraform_versions();
    let tf = current_terraform();

    let estate = Workspace::new(&tf, &proton);
    estate.write_main(&format!("{PROVIDERS}\n{ESTATE}"));
    estate.apply();
    let connection = estate.resource_attrs("proton_environment_account_connection.remote");
    let connection_id = connection["id"].as_str().unwrap_or_default().to_string();
    assert!(!connection_id.is_empty(), "{connection:?}");

    let ws = Workspace::new(&tf, &proton);
    ws.write_main(PROVIDERS);

    ws.write("filtered.tfquery.hcl", FILTERED);
    let filtered = query(&ws);
    let expect_filtered = [
        ("list.proton_environment.data", names(&["analytics"])),
        (
            "list.proton_environment_template_version.net",
            names(&["net:1:0", "net:1:1"]),
        ),
        (
            "list.proton_service_template_version.worker_major_1",
            names(&["worker:1:0"]),
        ),
        (
            "list.proton_service_instance.jobs_in_prod",
            names(&["jobs:jobs-prod"]),
        ),
        (
            "list.proton_service_instance.in_prod",
            names(&["api:api-prod", "jobs:jobs-prod"]),
        ),
        ("list.proton_component.of_api", names(&["sidecar"])),
        (
            "list.proton_environment_account_connection_accepter.connected",
            vec![connection_id.clone()],
        ),
        ("list.proton_environment_account_connection.pending", vec![]),
    ];
    for (address, want) in &expect_filtered {
        assert_eq!(
            filtered.get(*address),
            Some(want),
            "{tf}: {address}; everything found: {filtered:#?}"
        );
    }
    ws.remove("filtered.tfquery.hcl");

    ws.write("invalid.tfquery.hcl", INVALID);
    let refused = ws.run_err(&["query", "-no-color"]);
    for needle in ["BOGUS", "colour", "must be one of"] {
        assert!(
            refused.contains(needle),
            "{tf}: no {needle:?} in:\n{refused}"
        );
    }
    ws.remove("invalid.tfquery.hcl");

    ws.write("estate.tfquery.hcl", &list_everything());
    let found = query(&ws);
    let all = |t: &str| format!("list.{t}.all");
    let expected = [
        (
            all("proton_environment_template"),
            names(&["data", "edge", "net"]),
        ),
        (
            all("proton_environment_template_version"),
            names(&["data:1:0", "net:1:0", "net:1:1"]),
        ),
        (all("proton_service_template"), names(&["web", "worker"])),
        (
            all("proton_service_template_version"),
            names(&["web:1:0", "worker:1:0"]),
        ),
        (
            all("proton_repository"),
            names(&["BITBUCKET:org/ops", "GITHUB:org/app", "GITHUB:org/infra"]),
        ),
        (
            all("proton_environment"),
            names(&["analytics", "dev", "prod", "remote", "staging"]),
        ),
        (all("proton_service"), names(&["api", "jobs"])),
        (
            all("proton_service_instance"),
            names(&[
                "api:api-dev",
                "api:api-prod",
                "jobs:jobs-dev",
                "jobs:jobs-prod",
                "jobs:jobs-staging",
            ]),
        ),
        (all("proton_component"), names(&["cache", "sidecar"])),
        (
            all("proton_environment_account_connection_accepter"),
            vec![connection_id.clone()],
        ),
        (
            all("proton_environment_account_connection"),
            vec![connection_id.clone()],
        ),
    ];
    let expected: BTreeMap<String, Vec<String>> = expected.into_iter().collect();
    assert_eq!(found, expected, "{tf}: what the list blocks found");
    let total: usize = found.values().map(Vec::len).sum();
    assert_eq!(total, 29);

    ws.run_ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    let generated = proton_test_support::read_to_string(&ws.dir().join("generated.tf"));
    assert_eq!(
        generated.matches("\nresource \"").count(),
        29,
        "{generated}"
    );
    assert_eq!(generated.matches("\nimport {").count(), 29, "{generated}");
    let written: Vec<&str> = generated
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for noise in [
        "tags_all",
        "arn",
        "created_at",
        "deployment_status",
        "last_attempted_deployment_id",
        "cancel_on_timeout",
        "wait_for_connected",
        "recommended_version",
    ] {
        assert!(
            !written.contains(&noise),
            "{tf}: computed or default noise {noise:?} in:\n{generated}"
        );
    }
    // Proton returns neither a version's `source` nor a component's `manifest`: they are required
    // to create, not to import, so the generated configuration leaves them out and imports as is.
    assert!(
        !generated
            .lines()
            .any(|l| l.trim_start().starts_with("source ")),
        "{generated}"
    );
    assert!(!written.contains(&"manifest"), "{generated}");
    ws.remove("estate.tfquery.hcl");
    ws.write("generated.tf", &generated);
    let applied = stdout_str(&ws.apply());
    assert!(
        applied.contains("29 imported, 0 added, 0 changed, 0 destroyed"),
        "{tf}: the generated configuration imports and changes nothing:\n{applied}"
    );
    ws.assert_plan_empty();

    // Nothing was created or deleted by the importing workspace.
    let environments = proton.aws(&["list-environments"]);
    assert_eq!(
        environments["environments"].as_array().map(Vec::len),
        Some(5)
    );
    let components = proton.aws(&["list-components"]);
    assert_eq!(components["components"].as_array().map(Vec::len), Some(2));

    // Terraform 1.0.3 never sees list resources or actions, yet works with this provider, and
    // generated configuration is plain configuration to it.
    for old in versions
        .iter()
        .filter(|tf| !tf.supports_query_and_actions())
    {
        let ws = Workspace::new(old, &proton);
        let block = generated_block(&generated, "proton_environment", "dev");
        let address = block
            .split('"')
            .nth(3)
            .map(|label| format!("proton_environment.{label}"))
            .unwrap_or_else(|| panic!("no label in {block}"));
        ws.write_main(&format!("{PROVIDERS}\n{block}"));
        let imported = combined_str(&ws.import_cli(&address, "dev"));
        assert!(imported.contains("Import successful"), "{old}:\n{imported}");
        ws.assert_plan_empty();
    }
}
