//! Issue 13, work list item 12: the AWS-managed `aws:proton:*` tags, through the AWS CLI as the
//! User Guide's tagging examples use it. Proton adds them at create, children inherit their
//! parents', customers can neither set nor remove them, and they don't count toward the 50.

use proton_test_support::ProtonLocal;
use proton_test_support::deploy::{ROLE, environment_template, service_template};

const ACCOUNT: &str = "000000000000";

/// Tags of `arn` as (key, value) pairs, in key order.
fn tags(proton: &ProtonLocal, arn: &str) -> Vec<(String, String)> {
    let answer = proton.aws(&["list-tags-for-resource", "--resource-arn", arn]);
    let mut out: Vec<(String, String)> = answer["tags"]
        .as_array()
        .unwrap_or_else(|| panic!("no tags in {answer}"))
        .iter()
        .map(|t| {
            let text = |k: &str| t[k].as_str().unwrap_or_default().to_string();
            (text("key"), text("value"))
        })
        .collect();
    out.sort();
    out
}

fn managed(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (format!("aws:proton:{k}"), v.to_string()))
        .collect();
    out.sort();
    out
}

fn arn(resource: &str) -> String {
    format!("arn:aws:proton:us-east-1:{ACCOUNT}:{resource}")
}

#[test]
fn proton_adds_read_only_managed_tags_that_children_inherit() {
    let proton = ProtonLocal::start(&[]);
    environment_template(&proton, "simple-env");
    service_template(
        &proton,
        "fargate-service",
        "simple-env",
        &["--pipeline-provisioning", "CUSTOMER_MANAGED"],
        &[],
    );
    let spec = proton.dir().join("env-spec.yaml");
    std::fs::write(&spec, "proton: EnvironmentSpec\nspec:\n  size: small\n").expect("spec");
    proton.aws(&[
        "create-environment",
        "--name",
        "MySimpleEnv",
        "--template-name",
        "simple-env",
        "--template-major-version",
        "1",
        "--proton-service-role-arn",
        ROLE,
        "--spec",
        &format!("file://{}", spec.display()),
        "--tags",
        "key=team,value=platform",
    ]);
    proton.aws(&["wait", "environment-deployed", "--name", "MySimpleEnv"]);
    let svc_spec = proton.dir().join("svc-spec.yaml");
    std::fs::write(
        &svc_spec,
        "proton: ServiceSpec\ninstances:\n  - name: my-instance\n    environment: MySimpleEnv\n    spec:\n      port: 80\n",
    )
    .expect("spec");
    proton.aws(&[
        "create-service",
        "--name",
        "MySimpleService",
        "--template-name",
        "fargate-service",
        "--template-major-version",
        "1",
        "--spec",
        &format!("file://{}", svc_spec.display()),
    ]);
    proton.aws(&["wait", "service-created", "--name", "MySimpleService"]);

    let env_template = arn("environment-template/simple-env");
    let svc_template = arn("service-template/fargate-service");
    let env = arn("environment/MySimpleEnv");
    let service = arn("service/MySimpleService");
    let instance = arn("service/MySimpleService/service-instance/my-instance");
    assert_eq!(
        tags(&proton, &env_template),
        managed(&[("account", ACCOUNT), ("template", &env_template)])
    );
    assert_eq!(
        tags(&proton, &format!("{env_template}:1.0")),
        managed(&[("account", ACCOUNT), ("template", &env_template)])
    );
    let mut env_tags = managed(&[
        ("account", ACCOUNT),
        ("template", &env_template),
        ("environment", &env),
    ]);
    env_tags.push(("team".to_string(), "platform".to_string()));
    assert_eq!(tags(&proton, &env), env_tags);
    assert_eq!(
        tags(&proton, &instance),
        managed(&[
            ("account", ACCOUNT),
            ("template", &svc_template),
            ("environment", &env),
            ("service", &service),
            ("service-instance", &instance),
        ])
    );

    // aws: keys are AWS's: neither set nor removed, at create or later.
    for args in [
        vec![
            "tag-resource",
            "--resource-arn",
            &env,
            "--tags",
            "key=aws:proton:environment,value=mine",
        ],
        vec![
            "untag-resource",
            "--resource-arn",
            &env,
            "--tag-keys",
            "aws:proton:environment",
        ],
        vec![
            "create-environment-template",
            "--name",
            "other",
            "--tags",
            "key=aws:owner,value=me",
        ],
    ] {
        let refused = proton.aws_err(&args);
        assert_eq!(
            refused.code, "ValidationException",
            "{args:?}: {}",
            refused.message
        );
    }
    assert_eq!(tags(&proton, &env), env_tags);

    // The 50 are the customer's own: 49 more next to `team` fit, the managed ones aside.
    let many: Vec<String> = (0..49).map(|n| format!("key=k{n},value=v")).collect();
    let mut args = vec!["tag-resource", "--resource-arn", env.as_str(), "--tags"];
    args.extend(many.iter().map(String::as_str));
    proton.aws(&args);
    let all = tags(&proton, &env);
    assert_eq!(all.len(), 53, "{all:?}");
    let over = proton.aws_err(&[
        "tag-resource",
        "--resource-arn",
        &env,
        "--tags",
        "key=one-too-many,value=v",
    ]);
    assert_eq!(over.code, "ValidationException", "{}", over.message);
}

/// Customer tags of `arn` (the `aws:` ones left out), in key order.
fn customer_tags(proton: &ProtonLocal, arn: &str) -> Vec<(String, String)> {
    tags(proton, arn)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("aws:"))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// UG resources: customer tags reach the child resources made later, not the existing ones.
/// proton-local's children are a service's instances and pipeline (what the service creates and
/// deploys); they start with the service's customer tags as they are when they are made, under
/// their own, within the 50.
#[test]
fn customer_tags_reach_only_children_created_later() {
    let proton = ProtonLocal::start(&[]);
    environment_template(&proton, "simple-env");
    service_template(&proton, "fargate-service", "simple-env", &[], &[]);
    let write = |name: &str, text: &str| {
        let path = proton.dir().join(name);
        std::fs::write(&path, text).expect("spec");
        format!("file://{}", path.display())
    };
    let env_spec = write(
        "env-spec.yaml",
        "proton: EnvironmentSpec\nspec:\n  my_sample_input: \"the first\"\n",
    );
    proton.aws(&[
        "create-environment",
        "--name",
        "MySimpleEnv",
        "--template-name",
        "simple-env",
        "--template-major-version",
        "1",
        "--proton-service-role-arn",
        ROLE,
        "--spec",
        &env_spec,
    ]);
    proton.aws(&["wait", "environment-deployed", "--name", "MySimpleEnv"]);
    proton.aws(&[
        "update-account-settings",
        "--pipeline-service-role-arn",
        ROLE,
    ]);
    let instance = |name: &str| {
        format!(
            "  - name: \"{name}\"\n    environment: \"MySimpleEnv\"\n    spec:\n      my_sample_service_instance_required_input: \"hi\"\n"
        )
    };
    let pipeline = "proton: ServiceSpec\npipeline:\n  my_sample_pipeline_required_input: \"hello\"\ninstances:\n";
    let one = write(
        "svc-one.yaml",
        &format!("{pipeline}{}", instance("instance-one")),
    );
    proton.aws(&[
        "create-service",
        "--name",
        "MySimpleService",
        "--template-name",
        "fargate-service",
        "--template-major-version",
        "1",
        "--repository-connection-arn",
        "arn:aws:codestar-connections:us-east-1:000000000000:connection/x",
        "--repository-id",
        "myorg/myapp",
        "--branch-name",
        "main",
        "--spec",
        &one,
        "--tags",
        "key=team,value=apps",
    ]);
    proton.aws(&["wait", "service-created", "--name", "MySimpleService"]);
    let service = arn("service/MySimpleService");
    let instance_arn = |name: &str| format!("{service}/service-instance/{name}");
    let got = proton.aws(&["get-service", "--name", "MySimpleService"]);
    let pipeline_arn = got["service"]["pipeline"]["arn"]
        .as_str()
        .unwrap_or_else(|| panic!("no pipeline in {got}"))
        .to_string();
    // Made with the service: its tags at that moment.
    let team = pairs(&[("team", "apps")]);
    assert_eq!(customer_tags(&proton, &instance_arn("instance-one")), team);
    assert_eq!(customer_tags(&proton, &pipeline_arn), team);

    // A tag added to the service later does not reach the existing children ...
    proton.aws(&[
        "tag-resource",
        "--resource-arn",
        &service,
        "--tags",
        "key=cost,value=42",
    ]);
    assert_eq!(customer_tags(&proton, &instance_arn("instance-one")), team);
    assert_eq!(customer_tags(&proton, &pipeline_arn), team);
    // ... but does reach an instance the service gets afterwards (UpdateService's spec).
    let two = write(
        "svc-two.yaml",
        &format!(
            "{pipeline}{}{}",
            instance("instance-one"),
            instance("instance-two")
        ),
    );
    proton.aws(&[
        "update-service",
        "--name",
        "MySimpleService",
        "--spec",
        &two,
    ]);
    proton.aws(&["wait", "service-updated", "--name", "MySimpleService"]);
    assert_eq!(
        customer_tags(&proton, &instance_arn("instance-two")),
        pairs(&[("cost", "42"), ("team", "apps")])
    );

    // CreateServiceInstance: the instance's own tags win over the service's, and what it
    // inherits fills only what is left of the 50 (the service now has 50 customer tags).
    let more: Vec<String> = (0..48).map(|n| format!("key=k{n:02},value=v")).collect();
    let mut args = vec!["tag-resource", "--resource-arn", service.as_str(), "--tags"];
    args.extend(more.iter().map(String::as_str));
    proton.aws(&args);
    assert_eq!(customer_tags(&proton, &service).len(), 50);
    let three = write(
        "instance-three.yaml",
        &format!(
            "proton: ServiceSpec\ninstances:\n{}",
            instance("instance-three")
        ),
    );
    proton.aws(&[
        "create-service-instance",
        "--service-name",
        "MySimpleService",
        "--name",
        "instance-three",
        "--spec",
        &three,
        "--tags",
        "key=team,value=web",
        "key=owner,value=me",
    ]);
    let got = customer_tags(&proton, &instance_arn("instance-three"));
    assert_eq!(got.len(), 50, "{got:?}");
    for own in pairs(&[("team", "web"), ("owner", "me")]) {
        assert!(got.contains(&own), "{own:?} in {got:?}");
    }
    assert!(
        got.contains(&("cost".to_string(), "42".to_string())),
        "{got:?}"
    );
    // The 50 hold on the child as on any resource.
    let over = proton.aws_err(&[
        "tag-resource",
        "--resource-arn",
        &instance_arn("instance-three"),
        "--tags",
        "key=one-too-many,value=v",
    ]);
    assert_eq!(over.code, "ValidationException", "{}", over.message);
}
