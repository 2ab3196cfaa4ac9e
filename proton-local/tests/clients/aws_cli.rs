//! The real AWS CLI against proton-local: every Proton operation through its
//! `aws proton` command, the waiters, and the errors the service answers with.
//! The CLI (awscli + botocore) parses every response with the published model,
//! so a response it cannot parse fails this test.
//!
//! Uses `.tools/bin/aws` (scripts/install-tools.sh).

use std::collections::BTreeSet;
use std::sync::Mutex;

use proton_test_support::{AwsCli, AwsError, ProtonLocal, bundle_source};
use serde_json::{Value, json};

const MANAGEMENT: &str = "000000000000";
const ENV_ACCOUNT: &str = "111111111111";

/// What one `aws proton` command answered.
type Outcome = Result<Value, AwsError>;

/// The CLI without retries (an error answer is the answer), recording which commands ran.
struct Cli {
    aws: AwsCli,
    files: tempfile::TempDir,
    commands: Mutex<BTreeSet<String>>,
}

impl Cli {
    fn new(proton: &ProtonLocal) -> Cli {
        Cli {
            aws: proton.cli().max_attempts(1),
            files: tempfile::tempdir().expect("tempdir"),
            commands: Mutex::new(BTreeSet::new()),
        }
    }

    fn file(&self, name: &str, text: &str) -> String {
        let p = self.files.path().join(name);
        std::fs::write(&p, text).expect("write file");
        format!("file://{}", p.display())
    }

    fn run_as(&self, (key, secret): (&str, &str), args: &[&str]) -> Outcome {
        if let Some(cmd) = args.iter().find(|a| !a.starts_with('-')) {
            let cmd = if *cmd == "wait" {
                format!("wait {}", args[1])
            } else {
                cmd.to_string()
            };
            self.commands.lock().unwrap().insert(cmd);
        }
        self.aws.clone().credentials(key, secret).run(args)
    }

    fn run(&self, args: &[&str]) -> Outcome {
        self.run_as(("test", "test"), args)
    }

    fn ok(&self, args: &[&str]) -> Value {
        self.ok_as(("test", "test"), args)
    }

    fn ok_as(&self, key: (&str, &str), args: &[&str]) -> Value {
        ok(&self.run_as(key, args)).clone()
    }

    fn err_as(&self, key: (&str, &str), args: &[&str], want: &str) -> String {
        match self.run_as(key, args) {
            Ok(v) => panic!("aws proton {args:?} succeeded, expected {want}: {v}"),
            Err(AwsError { code, message }) => {
                assert_eq!(code, want, "aws proton {args:?}: {message}");
                message
            }
        }
    }

    fn err(&self, args: &[&str], want: &str) -> String {
        self.err_as(("test", "test"), args, want)
    }

    /// Runs independent commands side by side (each CLI start costs ~1 s of CPU).
    /// At most this many CLI processes at once: more only thrash a small machine.
    const PARALLEL: usize = 4;

    fn par(&self, jobs: Vec<Vec<String>>) -> Vec<Outcome> {
        let mut out = Vec::with_capacity(jobs.len());
        for chunk in jobs.chunks(Self::PARALLEL) {
            let results: Vec<Outcome> = std::thread::scope(|s| {
                let handles: Vec<_> = chunk
                    .iter()
                    .map(|j| {
                        s.spawn(move || {
                            let args: Vec<&str> = j.iter().map(String::as_str).collect();
                            self.run(&args)
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("thread"))
                    .collect()
            });
            out.extend(results);
        }
        out
    }
}

fn v(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn ok(o: &Outcome) -> &Value {
    match o {
        Ok(v) => v,
        Err(AwsError { code, message }) => panic!("unexpected {code}: {message}"),
    }
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    let mut cur = v;
    for p in path.split('.') {
        cur = match p.parse::<usize>() {
            Ok(i) => &cur[i],
            Err(_) => &cur[p],
        };
    }
    cur.as_str()
        .unwrap_or_else(|| panic!("{path} missing in {v}"))
}

fn cli_name(op: &str) -> String {
    let mut out = String::new();
    for (i, c) in op.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

const ROLE: &str = "arn:aws:iam::000000000000:role/proton-service";
const CONN_ARN: &str = "arn:aws:codestar-connections:us-east-1:000000000000:connection/abc";
/// A directly defined component's manifest: one CloudFormation file.
const COMPONENT_MANIFEST: &str = "infrastructure:\n  templates:\n    - file: c.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n";
const ENV_SPEC: &str = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n  size: 3\n";

#[test]
fn aws_cli_drives_every_operation() {
    let env_key = "envkey:envsecret:111111111111";
    let server = ProtonLocal::start(&[
        "--deploy-seconds",
        "0",
        "--account",
        "test:test:000000000000",
        "--account",
        env_key,
    ]);
    let cli = Cli::new(&server);
    let envk = ("envkey", "envsecret");
    let env_bundle = bundle_source("vpc-environment");
    let tf_env_bundle = bundle_source("vpc-environment-tf");
    let web_bundle = bundle_source("web-service");
    // st2 has no pipeline (CUSTOMER_MANAGED), so its bundle has none either.
    let worker_bundle = bundle_source("worker-service");
    let env_spec = cli.file("env.yaml", ENV_SPEC);

    // --- Templates, repositories, auth errors -------------------------------------------------
    let r = cli.par(vec![
        v(&[
            "create-environment-template",
            "--name",
            "et",
            "--display-name",
            "Env T",
            "--description",
            "d1",
            "--tags",
            "key=team,value=a",
        ]),
        // A standard template: "esm" becomes self-managed by its provisioning repository.
        v(&["create-environment-template", "--name", "etsm"]),
        // No --pipeline-provisioning: Proton provides the pipeline.
        v(&["create-service-template", "--name", "st"]),
        v(&[
            "create-service-template",
            "--name",
            "st2",
            "--display-name",
            "Svc T2",
            "--pipeline-provisioning",
            "CUSTOMER_MANAGED",
        ]),
        v(&[
            "create-repository",
            "--provider",
            "GITHUB",
            "--name",
            "org/repo",
            "--connection-arn",
            CONN_ARN,
        ]),
        v(&["create-environment-template", "--name", "bad_name!"]),
        v(&["get-account-settings"]),
    ]);
    let et = ok(&r[0]);
    assert_eq!(
        s(et, "environmentTemplate.arn"),
        "arn:aws:proton:us-east-1:000000000000:environment-template/et"
    );
    assert_eq!(s(et, "environmentTemplate.displayName"), "Env T");
    // CLI v1 prints the epoch number, v2 an ISO date; both parsed it as a timestamp.
    let created = &et["environmentTemplate"]["createdAt"];
    assert!(created.is_number() || created.is_string(), "{et}");
    assert!(
        ok(&r[1])["environmentTemplate"]
            .get("provisioning")
            .is_none()
    );
    assert!(
        ok(&r[2])["serviceTemplate"]
            .get("pipelineProvisioning")
            .is_none()
    );
    assert_eq!(
        s(ok(&r[3]), "serviceTemplate.pipelineProvisioning"),
        "CUSTOMER_MANAGED"
    );
    assert_eq!(
        s(ok(&r[4]), "repository.arn"),
        "arn:aws:proton:us-east-1:000000000000:repository/github:org/repo"
    );
    match &r[5] {
        Err(AwsError { code, message }) => {
            assert_eq!(code, "ValidationException");
            assert!(
                message.starts_with("1 validation error detected: Value 'bad_name!' at 'name'"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ok(&r[6]), &json!({"accountSettings": {}}));
    cli.err_as(
        ("nobody", "x"),
        &["list-environment-templates"],
        "UnrecognizedClientException",
    );
    cli.err_as(
        ("test", "wrong-secret"),
        &["list-environment-templates"],
        "InvalidSignatureException",
    );

    // Idempotent create: same request -> same template; different -> mismatch.
    let again = cli.ok(&[
        "create-environment-template",
        "--name",
        "et",
        "--display-name",
        "Env T",
        "--description",
        "d1",
        "--tags",
        "key=team,value=a",
    ]);
    assert_eq!(
        again["environmentTemplate"]["createdAt"],
        et["environmentTemplate"]["createdAt"]
    );
    let m = cli.err(
        &[
            "create-environment-template",
            "--name",
            "et",
            "--description",
            "other",
        ],
        "ValidationException",
    );
    assert!(m.contains("IdempotentParameterMismatch"), "{m}");

    // --- Versions and registration ------------------------------------------------------------
    let r = cli.par(vec![
        v(&[
            "create-environment-template-version",
            "--template-name",
            "et",
            "--source",
            &env_bundle,
            "--description",
            "first",
            "--tags",
            "key=k,value=v",
        ]),
        v(&[
            "create-environment-template-version",
            "--template-name",
            "etsm",
            "--source",
            // Self-managed provisioning is Terraform's.
            &tf_env_bundle,
        ]),
        v(&[
            "update-environment-template",
            "--name",
            "et",
            "--description",
            "d2",
        ]),
        v(&[
            "create-environment-template-version",
            "--template-name",
            "nope",
            "--source",
            &env_bundle,
        ]),
    ]);
    assert_eq!(
        s(ok(&r[0]), "environmentTemplateVersion.status"),
        "REGISTRATION_IN_PROGRESS"
    );
    assert_eq!(
        s(ok(&r[0]), "environmentTemplateVersion.arn"),
        "arn:aws:proton:us-east-1:000000000000:environment-template/et:1.0"
    );
    assert_eq!(s(ok(&r[2]), "environmentTemplate.description"), "d2");
    assert!(matches!(&r[3], Err(AwsError { code, .. }) if code == "ResourceNotFoundException"));
    // Modified since creation: an identical create now conflicts.
    cli.err(
        &[
            "create-environment-template",
            "--name",
            "et",
            "--display-name",
            "Env T",
            "--description",
            "d1",
            "--tags",
            "key=team,value=a",
        ],
        "ConflictException",
    );
    // A bundle that is not there fails registration (a new major version, 2.0).
    cli.ok(&[
        "create-environment-template-version",
        "--template-name",
        "et",
        "--source",
        "s3={bucket=proton-bundles,key=missing.tar.gz}",
    ]);
    let r = cli.par(vec![
        v(&[
            "wait",
            "environment-template-version-registered",
            "--template-name",
            "et",
            "--major-version",
            "1",
            "--minor-version",
            "0",
        ]),
        v(&[
            "wait",
            "environment-template-version-registered",
            "--template-name",
            "etsm",
            "--major-version",
            "1",
            "--minor-version",
            "0",
        ]),
        v(&[
            "wait",
            "environment-template-version-registered",
            "--template-name",
            "et",
            "--major-version",
            "2",
            "--minor-version",
            "0",
        ]),
    ]);
    ok(&r[0]);
    ok(&r[1]);
    match &r[2] {
        Err(AwsError { message, .. }) => {
            assert!(message.contains("REGISTRATION_FAILED"), "{message}")
        }
        other => panic!("waiter should fail: {other:?}"),
    }
    let r = cli.par(vec![
        v(&[
            "update-environment-template-version",
            "--template-name",
            "et",
            "--major-version",
            "1",
            "--minor-version",
            "0",
            "--status",
            "PUBLISHED",
        ]),
        v(&[
            "update-environment-template-version",
            "--template-name",
            "etsm",
            "--major-version",
            "1",
            "--minor-version",
            "0",
            "--status",
            "PUBLISHED",
        ]),
        v(&[
            "get-environment-template-version",
            "--template-name",
            "et",
            "--major-version",
            "2",
            "--minor-version",
            "0",
        ]),
        v(&[
            "create-service-template-version",
            "--template-name",
            "st",
            "--source",
            &web_bundle,
            "--compatible-environment-templates",
            "templateName=et,majorVersion=1",
            "--supported-component-sources",
            "DIRECTLY_DEFINED",
        ]),
        v(&[
            "create-service-template-version",
            "--template-name",
            "st2",
            "--source",
            &worker_bundle,
            "--compatible-environment-templates",
            "templateName=et,majorVersion=1",
            "--client-token",
            "tok-1",
        ]),
        v(&[
            "create-service-template-version",
            "--template-name",
            "st2",
            "--source",
            &worker_bundle,
            "--compatible-environment-templates",
            "templateName=missing,majorVersion=1",
        ]),
    ]);
    assert_eq!(
        s(ok(&r[0]), "environmentTemplateVersion.status"),
        "PUBLISHED"
    );
    assert_eq!(
        s(
            ok(&r[0]),
            "environmentTemplateVersion.recommendedMinorVersion"
        ),
        "0"
    );
    assert_eq!(
        s(ok(&r[2]), "environmentTemplateVersion.status"),
        "REGISTRATION_FAILED"
    );
    let message = s(ok(&r[2]), "environmentTemplateVersion.statusMessage");
    assert!(
        message.contains("s3://proton-bundles/missing.tar.gz does not exist"),
        "{message}"
    );
    assert_eq!(
        s(
            ok(&r[3]),
            "serviceTemplateVersion.compatibleEnvironmentTemplates.0.templateName"
        ),
        "et"
    );
    assert!(matches!(&r[5], Err(AwsError { code, .. }) if code == "ValidationException"));
    // Same client token, same parameters: the same version, not 1.1.
    let replay = cli.ok(&[
        "create-service-template-version",
        "--template-name",
        "st2",
        "--source",
        &worker_bundle,
        "--compatible-environment-templates",
        "templateName=et,majorVersion=1",
        "--client-token",
        "tok-1",
    ]);
    assert_eq!(s(&replay, "serviceTemplateVersion.minorVersion"), "0");
    let m = cli.err(
        &[
            "create-service-template-version",
            "--template-name",
            "st2",
            "--source",
            &worker_bundle,
            "--compatible-environment-templates",
            "templateName=et,majorVersion=1",
            "--description",
            "x",
            "--client-token",
            "tok-1",
        ],
        "ValidationException",
    );
    assert!(m.contains("IdempotentParameterMismatch"), "{m}");
    cli.ok(&[
        "wait",
        "service-template-version-registered",
        "--template-name",
        "st",
        "--major-version",
        "1",
        "--minor-version",
        "0",
    ]);
    let r = cli.par(vec![
        v(&[
            "update-service-template-version",
            "--template-name",
            "st",
            "--major-version",
            "1",
            "--minor-version",
            "0",
            "--status",
            "PUBLISHED",
        ]),
        v(&[
            "update-service-template-version",
            "--template-name",
            "st2",
            "--major-version",
            "1",
            "--minor-version",
            "0",
            "--status",
            "PUBLISHED",
            "--description",
            "pub",
        ]),
        v(&[
            "get-service-template-version",
            "--template-name",
            "st",
            "--major-version",
            "1",
            "--minor-version",
            "0",
        ]),
        v(&["list-service-template-versions", "--template-name", "st"]),
        v(&[
            "list-environment-template-versions",
            "--template-name",
            "et",
            "--page-size",
            "1",
        ]),
        v(&["get-environment-template", "--name", "et"]),
        v(&["get-service-template", "--name", "st"]),
        v(&[
            "update-service-template",
            "--name",
            "st2",
            "--description",
            "svc 2",
        ]),
        v(&["list-service-templates"]),
        v(&["list-environment-templates"]),
        v(&[
            "get-repository",
            "--provider",
            "GITHUB",
            "--name",
            "org/repo",
        ]),
        v(&["list-repositories"]),
        v(&[
            "update-environment-template-version",
            "--template-name",
            "et",
            "--major-version",
            "2",
            "--minor-version",
            "0",
            "--status",
            "PUBLISHED",
        ]),
    ]);
    assert_eq!(s(ok(&r[0]), "serviceTemplateVersion.status"), "PUBLISHED");
    assert_eq!(
        s(
            ok(&r[2]),
            "serviceTemplateVersion.supportedComponentSources.0"
        ),
        "DIRECTLY_DEFINED"
    );
    assert_eq!(
        ok(&r[3])["templateVersions"].as_array().map(Vec::len),
        Some(1)
    );
    // Pages of one: the CLI follows nextToken by itself and both versions of et arrive.
    assert_eq!(
        ok(&r[4])["templateVersions"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        s(ok(&r[5]), "environmentTemplate.recommendedVersion"),
        "1.0"
    );
    assert_eq!(s(ok(&r[7]), "serviceTemplate.description"), "svc 2");
    assert_eq!(ok(&r[8])["templates"].as_array().map(Vec::len), Some(2));
    assert_eq!(ok(&r[9])["templates"].as_array().map(Vec::len), Some(2));
    assert_eq!(s(ok(&r[10]), "repository.connectionArn"), CONN_ARN);
    assert!(matches!(&r[12], Err(AwsError { code, .. }) if code == "ConflictException"));

    // --- Environments, connections, account settings -----------------------------------------
    let r = cli.par(vec![
        v(&[
            "create-environment",
            "--name",
            "e1",
            "--template-name",
            "et",
            "--template-major-version",
            "1",
            "--spec",
            &env_spec,
            "--proton-service-role-arn",
            ROLE,
            "--component-role-arn",
            ROLE,
            "--tags",
            "key=a,value=1",
        ]),
        v(&[
            "create-environment",
            "--name",
            "esm",
            "--template-name",
            "etsm",
            "--template-major-version",
            "1",
            "--spec",
            &env_spec,
            "--provisioning-repository",
            "provider=GITHUB,name=org/repo,branch=main",
        ]),
        v(&[
            "create-environment",
            "--name",
            "enorole",
            "--template-name",
            "et",
            "--template-major-version",
            "1",
            "--spec",
            &env_spec,
        ]),
        v(&[
            "update-account-settings",
            "--pipeline-service-role-arn",
            ROLE,
            "--pipeline-codebuild-role-arn",
            ROLE,
        ]),
    ]);
    let e1 = ok(&r[0]);
    assert_eq!(s(e1, "environment.deploymentStatus"), "IN_PROGRESS");
    assert_eq!(s(e1, "environment.templateMinorVersion"), "0");
    assert_eq!(
        s(ok(&r[1]), "environment.provisioningRepository.name"),
        "org/repo"
    );
    assert!(matches!(&r[2], Err(AwsError { code, .. }) if code == "ValidationException"));
    assert_eq!(s(ok(&r[3]), "accountSettings.pipelineServiceRoleArn"), ROLE);
    let conn = cli.ok_as(
        envk,
        &[
            "create-environment-account-connection",
            "--management-account-id",
            MANAGEMENT,
            "--environment-name",
            "e3",
            "--role-arn",
            "arn:aws:iam::111111111111:role/env",
            "--tags",
            "key=x,value=y",
        ],
    );
    let conn_id = s(&conn, "environmentAccountConnection.id").to_string();
    assert_eq!(s(&conn, "environmentAccountConnection.status"), "PENDING");
    assert!(
        s(&conn, "environmentAccountConnection.arn")
            .starts_with("arn:aws:proton:us-east-1:111111111111:environment-account-connection/")
    );
    cli.ok(&["wait", "environment-deployed", "--name", "e1"]);
    let r = cli.par(vec![
        v(&["get-environment", "--name", "esm"]),
        v(&[
            "list-environment-account-connections",
            "--requested-by",
            "MANAGEMENT_ACCOUNT",
        ]),
        v(&["accept-environment-account-connection", "--id", &conn_id]),
        v(&["list-environment-outputs", "--environment-name", "e1"]),
        v(&[
            "list-environment-provisioned-resources",
            "--environment-name",
            "e1",
        ]),
        v(&["cancel-environment-deployment", "--environment-name", "e1"]),
        v(&[
            "list-environments",
            "--environment-templates",
            "templateName=et,majorVersion=1",
        ]),
    ]);
    assert_eq!(s(ok(&r[0]), "environment.deploymentStatus"), "IN_PROGRESS");
    assert_eq!(
        ok(&r[1])["environmentAccountConnections"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        s(ok(&r[2]), "environmentAccountConnection.status"),
        "CONNECTED"
    );
    // The outputs the vpc-environment bundle declares: computed ones (`!Ref`) get proton-local's
    // stand-in value, a plain one (the `tier` input's default) its rendered value.
    let outputs = ok(&r[3])["outputs"].as_array().unwrap();
    let keys: Vec<&str> = outputs.iter().map(|o| s(o, "key")).collect();
    assert_eq!(keys, ["VpcId", "PublicSubnetId", "ClusterName", "Tier"]);
    assert!(s(&outputs[0], "valueString").starts_with("proton-local:AWSProton-e1-"));
    assert_eq!(s(&outputs[3], "valueString"), "development");
    assert_eq!(
        s(ok(&r[4]), "provisionedResources.0.provisioningEngine"),
        "CLOUDFORMATION"
    );
    assert!(matches!(&r[5], Err(AwsError { code, .. }) if code == "ConflictException"));
    assert_eq!(ok(&r[6])["environments"].as_array().map(Vec::len), Some(1));
    // The environment account cannot accept its own request.
    cli.err_as(
        envk,
        &["accept-environment-account-connection", "--id", &conn_id],
        "AccessDeniedException",
    );
    let esm_arn = "arn:aws:proton:us-east-1:000000000000:environment/esm";
    let r = cli.par(vec![
        v(&[
            "notify-resource-deployment-status-change",
            "--resource-arn",
            esm_arn,
            "--status",
            "SUCCEEDED",
            "--outputs",
            "key=endpoint,valueString=https://x",
        ]),
        v(&[
            "create-environment",
            "--name",
            "e3",
            "--template-name",
            "et",
            "--template-major-version",
            "1",
            "--spec",
            &env_spec,
            "--environment-account-connection-id",
            &conn_id,
        ]),
        v(&[
            "update-environment-account-connection",
            "--id",
            &conn_id,
            "--role-arn",
            ROLE,
        ]),
        v(&["get-environment-account-connection", "--id", &conn_id]),
    ]);
    ok(&r[0]);
    assert_eq!(
        s(ok(&r[1]), "environment.environmentAccountId"),
        ENV_ACCOUNT
    );
    assert!(matches!(&r[2], Err(AwsError { code, .. }) if code == "AccessDeniedException"));
    assert_eq!(
        s(
            ok(&r[3]),
            "environmentAccountConnection.managementAccountId"
        ),
        MANAGEMENT
    );
    let r = cli.par(vec![
        v(&["get-environment", "--name", "esm"]),
        v(&["list-environment-outputs", "--environment-name", "esm"]),
        v(&["reject-environment-account-connection", "--id", &conn_id]),
        v(&[
            "update-environment",
            "--name",
            "e1",
            "--deployment-type",
            "NONE",
            "--description",
            "meta only",
        ]),
        v(&[
            "update-environment",
            "--name",
            "e1",
            "--deployment-type",
            "MAJOR_VERSION",
        ]),
    ]);
    assert_eq!(s(ok(&r[0]), "environment.deploymentStatus"), "SUCCEEDED");
    assert_eq!(
        ok(&r[1])["outputs"],
        json!([{"key": "endpoint", "valueString": "https://x"}])
    );
    assert!(
        matches!(&r[2], Err(AwsError { code, .. }) if code == "ConflictException"),
        "a connection in use can't be rejected"
    );
    assert_eq!(s(ok(&r[3]), "environment.description"), "meta only");
    assert!(
        matches!(&r[4], Err(AwsError { code, .. }) if code == "ValidationException"),
        "no newer major is published"
    );
    cli.ok_as(
        envk,
        &[
            "update-environment-account-connection",
            "--id",
            &conn_id,
            "--codebuild-role-arn",
            "arn:aws:iam::111111111111:role/cb",
        ],
    );
    let listed = cli.ok_as(
        envk,
        &[
            "list-environment-account-connections",
            "--requested-by",
            "ENVIRONMENT_ACCOUNT",
            "--statuses",
            "CONNECTED",
        ],
    );
    assert_eq!(
        listed["environmentAccountConnections"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Self-managed: a new deployment waits for a report; cancel it.
    let spec2 = cli.file(
        "env2.yaml",
        "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n",
    );
    let up = cli.ok(&[
        "update-environment",
        "--name",
        "esm",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        &spec2,
    ]);
    assert_eq!(s(&up, "environment.deploymentStatus"), "IN_PROGRESS");
    cli.err(
        &[
            "update-environment",
            "--name",
            "esm",
            "--deployment-type",
            "CURRENT_VERSION",
            "--spec",
            &spec2,
        ],
        "ConflictException",
    );
    let c = cli.ok(&["cancel-environment-deployment", "--environment-name", "esm"]);
    assert_eq!(s(&c, "environment.deploymentStatus"), "CANCELLING");
    let g = cli.ok(&["get-environment", "--name", "esm"]);
    assert_eq!(s(&g, "environment.deploymentStatus"), "CANCELLED");
    assert_eq!(
        s(&g, "environment.spec"),
        ENV_SPEC,
        "a cancelled deployment restores the previous spec"
    );

    // A failure marker fails the deployment, and the waiter reports it.
    let bad = cli.file(
        "bad.yaml",
        "proton: EnvironmentSpec\nspec:\n  proton_local_fail: \"disk full\"\n",
    );
    cli.ok(&[
        "update-environment",
        "--name",
        "e1",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        &bad,
    ]);
    match cli.run(&["wait", "environment-deployed", "--name", "e1"]) {
        Err(AwsError { message, .. }) => assert!(message.contains("FAILED"), "{message}"),
        other => panic!("{other:?}"),
    }
    let g = cli.ok(&["get-environment", "--name", "e1"]);
    assert_eq!(s(&g, "environment.deploymentStatusMessage"), "disk full");
    cli.ok(&[
        "update-environment",
        "--name",
        "e1",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        &env_spec,
    ]);

    // --- Services, instances, pipelines ----------------------------------------------------------
    let pipe_spec = "proton: ServiceSpec\npipeline:\n  image: app:1\ninstances:\n  - name: i1\n    environment: e1\n    spec:\n      port: 80\n  - name: i2\n    environment: e1\n";
    let svc_spec = cli.file("svc.yaml", pipe_spec);
    let s2_spec = cli.file(
        "svc2.yaml",
        "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e1\n",
    );
    let r = cli.par(vec![
        v(&[
            "create-service",
            "--name",
            "s1",
            "--template-name",
            "st",
            "--template-major-version",
            "1",
            "--spec",
            &svc_spec,
            "--repository-connection-arn",
            CONN_ARN,
            "--repository-id",
            "org/repo",
            "--branch-name",
            "main",
        ]),
        v(&[
            "create-service",
            "--name",
            "s2",
            "--template-name",
            "st2",
            "--template-major-version",
            "1",
            "--spec",
            &s2_spec,
            "--description",
            "two",
        ]),
        v(&[
            "create-service",
            "--name",
            "s3",
            "--template-name",
            "st",
            "--template-major-version",
            "1",
            "--spec",
            &svc_spec,
        ]),
    ]);
    assert_eq!(s(ok(&r[0]), "service.status"), "CREATE_IN_PROGRESS");
    assert!(
        s(ok(&r[0]), "service.pipeline.arn")
            .starts_with("arn:aws:proton:us-east-1:000000000000:service/s1/pipeline/")
    );
    ok(&r[1]);
    assert!(
        matches!(&r[2], Err(AwsError { code, .. }) if code == "ValidationException"),
        "a pipeline template needs repository settings"
    );
    let r = cli.par(vec![
        v(&["wait", "service-created", "--name", "s1"]),
        v(&[
            "wait",
            "service-instance-deployed",
            "--service-name",
            "s1",
            "--name",
            "i1",
        ]),
        v(&["wait", "service-pipeline-deployed", "--name", "s1"]),
        v(&["wait", "service-created", "--name", "s2"]),
    ]);
    r.iter().for_each(|o| {
        ok(o);
    });
    let r = cli.par(vec![
        v(&["get-service", "--name", "s1"]),
        v(&[
            "get-service-instance",
            "--service-name",
            "s1",
            "--name",
            "i1",
        ]),
        v(&[
            "list-service-instances",
            "--service-name",
            "s1",
            "--sort-by",
            "name",
            "--sort-order",
            "DESCENDING",
        ]),
        v(&[
            "list-service-instance-outputs",
            "--service-name",
            "s1",
            "--service-instance-name",
            "i1",
        ]),
        v(&[
            "list-service-instance-provisioned-resources",
            "--service-name",
            "s1",
            "--service-instance-name",
            "i1",
        ]),
        v(&["list-service-pipeline-outputs", "--service-name", "s1"]),
        v(&[
            "list-service-pipeline-provisioned-resources",
            "--service-name",
            "s1",
        ]),
        v(&["list-services"]),
        v(&[
            "cancel-service-instance-deployment",
            "--service-name",
            "s1",
            "--service-instance-name",
            "i1",
        ]),
        v(&["cancel-service-pipeline-deployment", "--service-name", "s1"]),
        v(&[
            "list-service-instances",
            "--filters",
            "key=environmentName,value=e1",
            "key=name,value=a",
        ]),
    ]);
    let svc = ok(&r[0]);
    assert_eq!(s(svc, "service.status"), "ACTIVE");
    assert_eq!(s(svc, "service.pipeline.deploymentStatus"), "SUCCEEDED");
    assert_eq!(
        s(ok(&r[1]), "serviceInstance.arn"),
        "arn:aws:proton:us-east-1:000000000000:service/s1/service-instance/i1"
    );
    assert_eq!(s(ok(&r[1]), "serviceInstance.spec"), pipe_spec);
    let names: Vec<&str> = ok(&r[2])["serviceInstances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["i2", "i1"]);
    // The web-service bundle's declared outputs: the instance's `Port` is written plainly, the
    // rest are `!Ref`/`!GetAtt`, reported as proton-local's stand-ins.
    let instance_outputs = ok(&r[3])["outputs"].as_array().unwrap();
    let keys: Vec<&str> = instance_outputs.iter().map(|o| s(o, "key")).collect();
    assert_eq!(keys, ["ServiceName", "Port"]);
    assert_eq!(s(&instance_outputs[1], "valueString"), "80");
    assert_eq!(
        ok(&r[4])["provisionedResources"].as_array().map(Vec::len),
        Some(1)
    );
    let pipeline_outputs = ok(&r[5])["outputs"].as_array().unwrap();
    assert_eq!(pipeline_outputs.len(), 1);
    assert_eq!(s(&pipeline_outputs[0], "key"), "BuildProject");
    assert!(
        s(&pipeline_outputs[0], "valueString").starts_with("proton-local:AWSProton-s1-pipeline-")
    );
    assert_eq!(
        ok(&r[6])["provisionedResources"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(ok(&r[7])["services"].as_array().map(Vec::len), Some(2));
    assert!(matches!(&r[8], Err(AwsError { code, .. }) if code == "ConflictException"));
    assert!(matches!(&r[9], Err(AwsError { code, .. }) if code == "ConflictException"));
    assert_eq!(
        ok(&r[10])["serviceInstances"].as_array().map(Vec::len),
        Some(1)
    );

    // Add an instance by spec, one by CreateServiceInstance; update instance and pipeline.
    let grown = cli.file(
        "svc3.yaml",
        &format!("{pipe_spec}  - name: i3\n    environment: e1\n"),
    );
    let u = cli.ok(&[
        "update-service",
        "--name",
        "s1",
        "--spec",
        &grown,
        "--description",
        "grown",
    ]);
    assert_eq!(s(&u, "service.status"), "UPDATE_IN_PROGRESS");
    cli.ok(&["wait", "service-updated", "--name", "s1"]);
    let i4 = cli.file("i4.yaml", "proton: ServiceSpec\ninstances:\n  - name: i4\n    environment: e1\n    spec:\n      port: 81\n");
    let r = cli.par(vec![
        v(&[
            "create-service-instance",
            "--service-name",
            "s1",
            "--name",
            "i4",
            "--spec",
            &i4,
            "--client-token",
            "ci-1",
        ]),
        v(&[
            "update-service-instance",
            "--service-name",
            "s1",
            "--name",
            "i1",
            "--deployment-type",
            "CURRENT_VERSION",
            "--spec",
            &svc_spec,
        ]),
        v(&[
            "update-service-pipeline",
            "--service-name",
            "s1",
            "--deployment-type",
            "CURRENT_VERSION",
            "--spec",
            &svc_spec,
        ]),
        v(&[
            "update-service-instance",
            "--service-name",
            "s1",
            "--name",
            "i1",
            "--deployment-type",
            "MINOR_VERSION",
            "--template-major-version",
            "2",
        ]),
    ]);
    assert_eq!(
        s(ok(&r[0]), "serviceInstance.lastClientRequestToken"),
        "ci-1"
    );
    assert_eq!(
        s(ok(&r[1]), "serviceInstance.deploymentStatus"),
        "IN_PROGRESS"
    );
    assert_eq!(s(ok(&r[2]), "pipeline.deploymentStatus"), "IN_PROGRESS");
    assert!(matches!(&r[3], Err(AwsError { code, .. }) if code == "ValidationException"));

    // --- Components --------------------------------------------------------------------------
    let r = cli.par(vec![
        v(&[
            "create-component",
            "--name",
            "c1",
            "--service-name",
            "s1",
            "--service-instance-name",
            "i1",
            "--manifest",
            COMPONENT_MANIFEST,
            "--template-file",
            "Resources: {}\nOutputs:\n  port:\n    Value: '{{ service_instance.inputs.port }}'\n",
            "--service-spec",
            &svc_spec,
        ]),
        v(&[
            "create-component",
            "--name",
            "c2",
            "--environment-name",
            "e1",
            "--manifest",
            COMPONENT_MANIFEST,
            "--template-file",
            "Resources: {}\n",
        ]),
        v(&[
            "create-component",
            "--name",
            "c3",
            "--service-name",
            "s2",
            "--service-instance-name",
            "a",
            "--manifest",
            "m",
            "--template-file",
            "t",
        ]),
    ]);
    assert_eq!(s(ok(&r[0]), "component.environmentName"), "e1");
    ok(&r[1]);
    assert!(
        matches!(&r[2], Err(AwsError { code, .. }) if code == "ValidationException"),
        "st2 doesn't support components"
    );
    cli.ok(&["wait", "component-deployed", "--name", "c1"]);
    let r = cli.par(vec![
        v(&["get-component", "--name", "c1"]),
        v(&["list-components", "--environment-name", "e1"]),
        v(&["list-component-outputs", "--component-name", "c1"]),
        v(&[
            "list-component-provisioned-resources",
            "--component-name",
            "c1",
        ]),
        v(&[
            "update-component",
            "--name",
            "c2",
            "--deployment-type",
            "NONE",
            "--description",
            "c two",
        ]),
        v(&["cancel-component-deployment", "--component-name", "c1"]),
        v(&[
            "update-component",
            "--name",
            "c2",
            "--deployment-type",
            "CURRENT_VERSION",
            "--service-name",
            "s1",
            "--service-instance-name",
            "i2",
        ]),
    ]);
    assert_eq!(s(ok(&r[0]), "component.deploymentStatus"), "SUCCEEDED");
    assert_eq!(ok(&r[1])["components"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        ok(&r[2])["outputs"],
        json!([{"key": "port", "valueString": "80"}])
    );
    assert_eq!(
        ok(&r[3])["provisionedResources"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(s(ok(&r[4]), "component.description"), "c two");
    assert!(matches!(&r[5], Err(AwsError { code, .. }) if code == "ConflictException"));
    assert_eq!(s(ok(&r[6]), "component.serviceInstanceName"), "i2");

    // --- Deployments history -------------------------------------------------------------------
    let deps = cli.ok(&["list-deployments", "--environment-name", "e1"]);
    let list = deps["deployments"].as_array().expect("deployments");
    assert!(list.len() >= 8, "{deps}");
    let first_env_dep = list
        .iter()
        .rev()
        .find(|d| d["targetResourceType"] == "ENVIRONMENT")
        .and_then(|d| d["id"].as_str())
        .expect("an environment deployment")
        .to_string();
    let r = cli.par(vec![
        v(&[
            "get-deployment",
            "--id",
            &first_env_dep,
            "--environment-name",
            "e1",
        ]),
        v(&[
            "list-environment-outputs",
            "--environment-name",
            "e1",
            "--deployment-id",
            &first_env_dep,
        ]),
        v(&["get-resources-summary"]),
        v(&[
            "get-deployment",
            "--id",
            "00000000-0000-4000-8000-000000000000",
        ]),
    ]);
    assert_eq!(s(ok(&r[0]), "deployment.targetResourceType"), "ENVIRONMENT");
    assert!(ok(&r[0])["deployment"]["targetState"]["environment"]["spec"].is_string());
    // The four outputs the vpc-environment bundle declares.
    assert_eq!(ok(&r[1])["outputs"].as_array().map(Vec::len), Some(4));
    let counts = &ok(&r[2])["counts"];
    assert_eq!(counts["environments"]["total"], json!(3));
    assert_eq!(counts["services"]["total"], json!(2));
    assert!(matches!(&r[3], Err(AwsError { code, .. }) if code == "ResourceNotFoundException"));
    let d = cli.ok(&["delete-deployment", "--id", &first_env_dep]);
    assert_eq!(s(&d, "deployment.id"), first_env_dep);

    // --- Sync configs, sync status, blockers ----------------------------------------------------
    let r = cli.par(vec![
        v(&[
            "create-template-sync-config",
            "--template-name",
            "et",
            "--template-type",
            "ENVIRONMENT",
            "--repository-provider",
            "GITHUB",
            "--repository-name",
            "org/repo",
            "--branch",
            "main",
            "--subdirectory",
            "templates/et",
        ]),
        v(&[
            "create-service-sync-config",
            "--service-name",
            "s2",
            "--repository-provider",
            "GITHUB",
            "--repository-name",
            "org/repo",
            "--branch",
            "main",
            "--file-path",
            "proton-ops.yaml",
        ]),
        v(&[
            "create-template-sync-config",
            "--template-name",
            "et",
            "--template-type",
            "ENVIRONMENT",
            "--repository-provider",
            "GITHUB",
            "--repository-name",
            "other/repo",
            "--branch",
            "main",
        ]),
    ]);
    ok(&r[0]);
    ok(&r[1]);
    assert!(matches!(&r[2], Err(AwsError { code, .. }) if code == "ValidationException"));
    let got = cli.ok(&[
        "get-template-sync-config",
        "--template-name",
        "et",
        "--template-type",
        "ENVIRONMENT",
    ]);
    assert_eq!(s(&got, "templateSyncConfig.subdirectory"), "templates/et");
    let r = cli.par(vec![
        v(&[
            "update-template-sync-config",
            "--template-name",
            "et",
            "--template-type",
            "ENVIRONMENT",
            "--repository-provider",
            "GITHUB",
            "--repository-name",
            "org/repo",
            "--branch",
            "dev",
        ]),
        v(&[
            "update-service-sync-config",
            "--service-name",
            "s2",
            "--repository-provider",
            "GITHUB",
            "--repository-name",
            "org/repo",
            "--branch",
            "dev",
            "--file-path",
            "ops.yaml",
        ]),
    ]);
    assert_eq!(s(ok(&r[0]), "templateSyncConfig.branch"), "dev");
    assert_eq!(s(ok(&r[1]), "serviceSyncConfig.filePath"), "ops.yaml");
    let r = cli.par(vec![
        v(&[
            "get-template-sync-status",
            "--template-name",
            "et",
            "--template-type",
            "ENVIRONMENT",
            "--template-version",
            "1",
        ]),
        v(&["get-service-sync-config", "--service-name", "s2"]),
        v(&[
            "get-service-instance-sync-status",
            "--service-name",
            "s2",
            "--service-instance-name",
            "a",
        ]),
        v(&[
            "get-repository-sync-status",
            "--repository-provider",
            "GITHUB",
            "--repository-name",
            "org/repo",
            "--branch",
            "main",
            "--sync-type",
            "TEMPLATE_SYNC",
        ]),
        v(&[
            "list-repository-sync-definitions",
            "--repository-provider",
            "GITHUB",
            "--repository-name",
            "org/repo",
            "--sync-type",
            "SERVICE_SYNC",
        ]),
        v(&[
            "delete-repository",
            "--provider",
            "GITHUB",
            "--name",
            "org/repo",
        ]),
    ]);
    assert_eq!(s(ok(&r[0]), "latestSync.status"), "SUCCEEDED");
    assert_eq!(s(ok(&r[1]), "serviceSyncConfig.branch"), "dev");
    assert_eq!(s(ok(&r[2]), "desiredState.branch"), "dev");
    assert_eq!(
        ok(&r[3]),
        &json!({}),
        "no template sync on branch main any more"
    );
    assert_eq!(s(ok(&r[4]), "syncDefinitions.0.parent"), "s2");
    assert!(matches!(&r[5], Err(AwsError { code, .. }) if code == "ConflictException"));
    // A failed deployment of a synced service blocks its sync until resolved.
    let bad_svc = cli.file("bad-svc.yaml", "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e1\n    spec:\n      proton_local_fail: nope\n");
    cli.ok(&[
        "update-service-instance",
        "--service-name",
        "s2",
        "--name",
        "a",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        &bad_svc,
    ]);
    let summary = cli.ok(&["get-service-sync-blocker-summary", "--service-name", "s2"]);
    let blocker = summary["serviceSyncBlockerSummary"]["latestBlockers"][0].clone();
    assert_eq!(blocker["status"], "ACTIVE", "{summary}");
    let blocker_id = blocker["id"].as_str().expect("id").to_string();
    let resolved = cli.ok(&[
        "update-service-sync-blocker",
        "--id",
        &blocker_id,
        "--resolved-reason",
        "fixed",
    ]);
    assert_eq!(s(&resolved, "serviceSyncBlocker.status"), "RESOLVED");
    cli.err(
        &[
            "update-service-sync-blocker",
            "--id",
            &blocker_id,
            "--resolved-reason",
            "again",
        ],
        "ConflictException",
    );

    // --- Tags ------------------------------------------------------------------------------------
    let e1_arn = "arn:aws:proton:us-east-1:000000000000:environment/e1";
    let r = cli.par(vec![
        v(&[
            "tag-resource",
            "--resource-arn",
            e1_arn,
            "--tags",
            "key=b,value=2",
            "key=c,value=3",
        ]),
        v(&[
            "tag-resource",
            "--resource-arn",
            "arn:aws:proton:us-east-1:000000000000:environment/none",
            "--tags",
            "key=b,value=2",
        ]),
    ]);
    ok(&r[0]);
    assert!(matches!(&r[1], Err(AwsError { code, .. }) if code == "ResourceNotFoundException"));
    cli.ok(&[
        "untag-resource",
        "--resource-arn",
        e1_arn,
        "--tag-keys",
        "a",
    ]);
    let tags = cli.ok(&["list-tags-for-resource", "--resource-arn", e1_arn]);
    let customer: Vec<&Value> = tags["tags"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter(|t| !t["key"].as_str().unwrap_or_default().starts_with("aws:"))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        customer,
        [
            &json!({"key": "b", "value": "2"}),
            &json!({"key": "c", "value": "3"})
        ]
    );

    // --- Deletes ---------------------------------------------------------------------------------
    let r = cli.par(vec![
        v(&["delete-environment", "--name", "e1"]),
        v(&["delete-environment-template", "--name", "et"]),
        v(&[
            "delete-template-sync-config",
            "--template-name",
            "et",
            "--template-type",
            "ENVIRONMENT",
        ]),
        v(&["delete-service-sync-config", "--service-name", "s2"]),
        v(&["delete-component", "--name", "c1"]),
        v(&["delete-component", "--name", "c2"]),
        v(&["delete-environment-account-connection", "--id", &conn_id]),
    ]);
    assert!(
        matches!(&r[0], Err(AwsError { code, .. }) if code == "ConflictException"),
        "e1 has services"
    );
    assert!(
        matches!(&r[1], Err(AwsError { code, .. }) if code == "ConflictException"),
        "et has versions"
    );
    ok(&r[2]);
    assert_eq!(s(ok(&r[3]), "serviceSyncConfig.serviceName"), "s2");
    for (o, c) in [(&r[4], "c1"), (&r[5], "c2")] {
        assert!(
            matches!(o, Err(AwsError { code, .. }) if code == "ConflictException"),
            "{c} is attached: detach it first"
        );
    }
    let detach = |c: &str| {
        v(&[
            "update-component",
            "--name",
            c,
            "--deployment-type",
            "CURRENT_VERSION",
            "--service-name",
            "",
            "--service-instance-name",
            "",
        ])
    };
    for o in cli.par(vec![detach("c1"), detach("c2")]) {
        ok(&o);
    }
    let deleted = cli.par(vec![
        v(&["delete-component", "--name", "c1"]),
        v(&["delete-component", "--name", "c2"]),
    ]);
    assert_eq!(
        s(ok(&deleted[0]), "component.deploymentStatus"),
        "DELETE_IN_PROGRESS"
    );
    ok(&deleted[1]);
    assert!(
        matches!(&r[6], Err(AwsError { code, .. }) if code == "AccessDeniedException"),
        "only the environment account deletes a connection"
    );
    // Allowed although e3 uses it: e3 is stranded until a new connection is accepted.
    let gone = cli.ok_as(
        envk,
        &["delete-environment-account-connection", "--id", &conn_id],
    );
    assert_eq!(s(&gone, "environmentAccountConnection.id"), conn_id);
    let r = cli.par(vec![
        v(&["wait", "component-deleted", "--name", "c1"]),
        v(&["delete-service", "--name", "s1"]),
        v(&["delete-service", "--name", "s2"]),
        v(&["delete-environment", "--name", "e3"]),
        v(&["delete-environment", "--name", "esm"]),
    ]);
    ok(&r[0]);
    assert_eq!(s(ok(&r[1]), "service.status"), "DELETE_IN_PROGRESS");
    ok(&r[2]);
    assert_eq!(
        s(ok(&r[3]), "environment.deploymentStatus"),
        "DELETE_IN_PROGRESS"
    );
    ok(&r[4]);
    let r = cli.par(vec![
        v(&["wait", "service-deleted", "--name", "s1"]),
        v(&["wait", "service-deleted", "--name", "s2"]),
        v(&["delete-service", "--name", "s1"]),
    ]);
    ok(&r[0]);
    ok(&r[1]);
    // Asynchronous idempotent delete: once gone, a retry answers empty.
    assert_eq!(ok(&r[2]), &json!({}));
    let r = cli.par(vec![
        v(&["delete-environment", "--name", "e1"]),
        v(&[
            "delete-service-template-version",
            "--template-name",
            "st",
            "--major-version",
            "1",
            "--minor-version",
            "0",
        ]),
        v(&[
            "delete-service-template-version",
            "--template-name",
            "st2",
            "--major-version",
            "1",
            "--minor-version",
            "0",
        ]),
        v(&[
            "delete-environment-template-version",
            "--template-name",
            "etsm",
            "--major-version",
            "1",
            "--minor-version",
            "0",
        ]),
        v(&[
            "delete-environment-template-version",
            "--template-name",
            "et",
            "--major-version",
            "2",
            "--minor-version",
            "0",
        ]),
    ]);
    for o in &r {
        ok(o);
    }
    let r = cli.par(vec![
        v(&[
            "delete-environment-template-version",
            "--template-name",
            "et",
            "--major-version",
            "1",
            "--minor-version",
            "0",
        ]),
        v(&["delete-service-template", "--name", "st"]),
        v(&["delete-service-template", "--name", "st2"]),
        v(&["delete-environment-template", "--name", "etsm"]),
        v(&[
            "delete-repository",
            "--provider",
            "GITHUB",
            "--name",
            "org/repo",
        ]),
    ]);
    // Nothing uses them any more (deploy-seconds 0: the deletes above are done).
    for o in &r {
        ok(o);
    }
    let et_gone = cli.ok(&["delete-environment-template", "--name", "et"]);
    assert_eq!(s(&et_gone, "environmentTemplate.name"), "et");
    // Idempotent delete of a deleted template: its metadata again.
    let again = cli.ok(&["delete-service-template", "--name", "st"]);
    assert_eq!(s(&again, "serviceTemplate.name"), "st");
    cli.ok(&[
        "update-account-settings",
        "--pipeline-service-role-arn",
        "",
        "--delete-pipeline-provisioning-repository",
    ]);

    // --- Every operation went through the CLI -------------------------------------------------
    let model: Value = serde_json::from_str(include_str!("../../src/model.json")).expect("model");
    let used = cli.commands.lock().unwrap().clone();
    let missing: Vec<String> = model["operations"]
        .as_object()
        .expect("operations")
        .keys()
        .map(|op| cli_name(op))
        .filter(|c| !used.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "operations not exercised through the CLI: {missing:?}"
    );
    let waiters: Vec<&String> = used.iter().filter(|c| c.starts_with("wait ")).collect();
    assert!(waiters.len() >= 10, "waiters used: {waiters:?}");
}
