//! `proton_environment_account_connection` and `..._accepter` end to end across two accounts: two
//! provider blocks with different credentials against one proton-local that knows both accounts. The
//! environment account requests, the management account accepts, and an environment of the
//! management account is provisioned through the connection. Also: role updates, import, waiting for
//! a connection accepted (or rejected) elsewhere, destroy.

use std::thread;
use std::time::Duration;

use proton_test_support::deploy::{
    environment_template, import_all_ways, is_tainted, provider, remote, str_attr,
};
use proton_test_support::{ProtonLocal, Terraform, Workspace, hcl_string, poll_until};
use serde_json::{Map, Value, json};

const ENV_ACCOUNT: &str = "111111111111";
const CONNECTION: &str = "proton_environment_account_connection.conn";
const ACCEPTER: &str = "proton_environment_account_connection_accepter.conn";
const ENVIRONMENT: &str = "proton_environment.prod";
const ENV_ROLE: &str = "arn:aws:iam::111111111111:role/proton-provisioning";
const ENV_ROLE_B: &str = "arn:aws:iam::111111111111:role/proton-provisioning-b";

fn start() -> ProtonLocal {
    // proton-local drops its default test/test account once --account is given: name both.
    ProtonLocal::start(&[
        "--deploy-seconds",
        "0.3",
        "--account",
        "test:test:000000000000",
        "--account",
        &format!("envkey:envsecret:{ENV_ACCOUNT}"),
    ])
}

/// The management account's provider (default credentials) and the environment account's alias.
fn providers() -> String {
    format!(
        "{}provider \"proton\" {{\n  alias      = \"env_account\"\n  region     = \"us-east-1\"\n  \
         access_key = \"envkey\"\n  secret_key = \"envsecret\"\n}}\n\n",
        provider("")
    )
}

fn connection_block(label: &str, environment: &str, role: &str, extra: &str) -> String {
    format!(
        "resource \"proton_environment_account_connection\" \"{label}\" {{\n  provider              = proton.env_account\n  \
         management_account_id = \"000000000000\"\n  environment_name      = \"{environment}\"\n  \
         role_arn              = \"{role}\"\n{extra}}}\n\n"
    )
}

fn platform_config(role: &str) -> String {
    let connection = connection_block(
        "conn",
        "prod",
        role,
        "  tags = {\n    purpose = \"prod\"\n  }\n",
    );
    let spec = hcl_string("proton: EnvironmentSpec\nspec:\n  size: large\n");
    format!(
        "{}{connection}resource \"proton_environment_account_connection_accepter\" \"conn\" {{\n  \
         id = proton_environment_account_connection.conn.id\n}}\n\n\
         resource \"proton_environment\" \"prod\" {{\n  name                   = \"prod\"\n  \
         template_name          = \"env-tpl\"\n  template_major_version = \"1\"\n  \
         spec                   = {spec}\n  \
         environment_account_connection_id = proton_environment_account_connection_accepter.conn.id\n}}\n",
        providers()
    )
}

fn remote_connection(proton: &ProtonLocal, id: &str) -> Option<Map<String, Value>> {
    remote(
        proton,
        &["get-environment-account-connection", "--id", id],
        "environmentAccountConnection",
    )
}

fn management_connections(proton: &ProtonLocal) -> Vec<Value> {
    proton.aws(&[
        "list-environment-account-connections",
        "--requested-by",
        "MANAGEMENT_ACCOUNT",
    ])["environmentAccountConnections"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// In the management account, accepts (or rejects) the first PENDING request for `environment` as
/// soon as it appears: the other party while an apply waits for the connection.
fn decide_when_requested(proton: &ProtonLocal, environment: &str, accept: bool) {
    let pending = poll_until(
        &format!("a connection request for {environment}"),
        Duration::from_secs(300),
        || {
            management_connections(proton).into_iter().find(|c| {
                c["environmentName"] == json!(environment) && c["status"] == json!("PENDING")
            })
        },
    );
    let id = pending["id"].as_str().unwrap_or_default();
    let verb = if accept { "accept" } else { "reject" };
    proton.aws(&[
        &format!("{verb}-environment-account-connection"),
        "--id",
        id,
    ]);
}

fn lifecycle(tf: &Terraform) {
    let proton = start();
    environment_template(&proton, "env-tpl");
    let ws = Workspace::new(tf, &proton);

    // Request, accept and use the connection in one apply.
    ws.write_main(&platform_config(ENV_ROLE));
    ws.apply();
    ws.assert_plan_empty();
    ws.apply_with(&["-refresh-only"]);
    let conn = ws.resource_attrs(CONNECTION);
    let id = str_attr(&conn, "id").to_string();
    assert_eq!(str_attr(&conn, "status"), "CONNECTED", "{tf}");
    assert_eq!(str_attr(&conn, "environment_account_id"), ENV_ACCOUNT);
    assert_eq!(
        str_attr(&conn, "arn"),
        format!("arn:aws:proton:us-east-1:{ENV_ACCOUNT}:environment-account-connection/{id}")
    );
    let accepter = ws.resource_attrs(ACCEPTER);
    assert_eq!(str_attr(&accepter, "status"), "CONNECTED");
    assert_eq!(str_attr(&accepter, "environment_account_id"), ENV_ACCOUNT);
    assert_eq!(str_attr(&accepter, "role_arn"), ENV_ROLE);
    let env = ws.resource_attrs(ENVIRONMENT);
    assert_eq!(
        str_attr(&env, "environment_account_id"),
        ENV_ACCOUNT,
        "{tf}"
    );
    assert_eq!(str_attr(&env, "deployment_status"), "SUCCEEDED");
    let remote_conn = remote_connection(&proton, &id).unwrap_or_default();
    assert_eq!(remote_conn["status"], json!("CONNECTED"));
    assert_eq!(conn["tags_all"], json!({"purpose": "prod"}));

    // A new role, updated in place from the environment account.
    ws.write_main(&platform_config(ENV_ROLE_B));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(plan.contains("will be updated in-place"), "{tf}:\n{plan}");
    assert!(!plan.contains("must be replaced"), "{tf}:\n{plan}");
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        remote_connection(&proton, &id).and_then(|c| c.get("roleArn").cloned()),
        Some(json!(ENV_ROLE_B))
    );
    ws.apply_with(&["-refresh-only"]);

    // Import both sides (the connection through the environment account's provider).
    let identity = format!("{{\n    id = \"{id}\"\n  }}");
    import_all_ways(tf, &ws, CONNECTION, &id, &identity, &[]);
    import_all_ways(tf, &ws, ACCEPTER, &id, &identity, &[]);

    // Destroy: environment, then the accepter (nothing to do), then the connection.
    ws.destroy();
    assert!(ws.state_addresses().is_empty());
    assert!(
        management_connections(&proton).is_empty(),
        "{tf}: the connection must be deleted"
    );
}

/// A connection accepted or rejected by someone else while the apply waits for it.
fn waiting(tf: &Terraform) {
    let proton = start();
    let ws = Workspace::new(tf, &proton);
    let wait = "  wait_for_connected = true\n  timeouts {\n    create = \"2m\"\n  }\n";
    let config = |label: &str, environment: &str| {
        format!(
            "{}{}",
            providers(),
            connection_block(label, environment, ENV_ROLE, wait)
        )
    };

    // Accepted by the management account while the apply waits: CONNECTED in state.
    ws.write_main(&config("accepted", "staging"));
    thread::scope(|scope| {
        scope.spawn(|| decide_when_requested(&proton, "staging", true));
        ws.apply();
    });
    ws.assert_plan_empty();
    let accepted = ws.resource_attrs("proton_environment_account_connection.accepted");
    assert_eq!(str_attr(&accepted, "status"), "CONNECTED", "{tf}");

    // Rejected: the apply fails and the request stays in state, tainted.
    ws.write_main(&format!(
        "{}{}",
        config("accepted", "staging"),
        connection_block("rejected", "qa", ENV_ROLE, wait)
    ));
    let text = thread::scope(|scope| {
        scope.spawn(|| decide_when_requested(&proton, "qa", false));
        ws.apply_err()
    });
    assert!(text.contains("REJECTED"), "{tf}:\n{text}");
    assert!(
        is_tainted(&ws, "proton_environment_account_connection.rejected"),
        "{tf}"
    );

    ws.destroy();
    assert!(management_connections(&proton).is_empty(), "{tf}");
}

proton_test_support::terraform_tests!(lifecycle, waiting);
