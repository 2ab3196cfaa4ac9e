//! Issue 14: template bundles as the AWS CLI registers them. proton-local reads the bundle a
//! version names (`--bundles DIR`, or an S3 API: moto's server here), checks it as Proton does
//! and ends the registration DRAFT, with the schema verbatim, or REGISTRATION_FAILED with a
//! message naming the file at fault.

use std::collections::BTreeMap;
use std::time::Duration;

use proton_test_support::bundles::{example_files, pack, pack_bytes, put_bundle};
use proton_test_support::{ProtonLocal, bundle_source, poll_until};
use serde_json::Value;

/// Creates a template (`kind` environment or service, with `create_extra`) and registers `source`
/// as its first version; returns the version once registration has finished.
fn register(
    proton: &ProtonLocal,
    kind: &str,
    name: &str,
    create_extra: &[&str],
    source: &str,
) -> Value {
    let mut create = vec![
        format!("create-{kind}-template"),
        "--name".into(),
        name.into(),
    ];
    create.extend(create_extra.iter().map(|s| s.to_string()));
    proton.aws(&create.iter().map(String::as_str).collect::<Vec<_>>());
    register_version(proton, kind, name, source)
}

/// Registers `source` as a new major version of `name`; the version once registration finished.
fn register_version(proton: &ProtonLocal, kind: &str, name: &str, source: &str) -> Value {
    let mut args = vec![
        format!("create-{kind}-template-version"),
        "--template-name".into(),
        name.into(),
        "--source".into(),
        source.into(),
    ];
    if kind == "service" {
        args.extend([
            "--compatible-environment-templates".into(),
            "templateName=net,majorVersion=1".into(),
        ]);
    }
    let key = format!("{kind}TemplateVersion");
    let created = proton.aws(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let (major, minor) = (
        created[&key]["majorVersion"].as_str().unwrap().to_string(),
        created[&key]["minorVersion"].as_str().unwrap().to_string(),
    );
    let get = [
        &format!("get-{kind}-template-version"),
        "--template-name",
        name,
        "--major-version",
        &major,
        "--minor-version",
        &minor,
    ];
    poll_until("registration", Duration::from_secs(60), || {
        let version = proton.aws(&get)[&key].clone();
        (version["status"] != "REGISTRATION_IN_PROGRESS").then_some(version)
    })
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

/// The environment template `net` 1.0 service versions name as compatible.
fn net(proton: &ProtonLocal) {
    let v = register(
        proton,
        "environment",
        "net",
        &[],
        &bundle_source("vpc-environment"),
    );
    assert_eq!(text(&v, "status"), "DRAFT", "{v}");
}

#[test]
fn good_bundles_register_as_draft_with_their_schema_verbatim() {
    let proton = ProtonLocal::start(&[]);
    net(&proton);
    let cases = [
        ("environment", "net-tf", &[][..], "vpc-environment-tf"),
        ("environment", "store", &[][..], "codebuild-environment"),
        (
            "environment",
            "imported",
            &["--provisioning", "CUSTOMER_MANAGED"][..],
            "imported-environment",
        ),
        ("service", "web", &[][..], "web-service"),
        (
            "service",
            "worker",
            &["--pipeline-provisioning", "CUSTOMER_MANAGED"][..],
            "worker-service",
        ),
    ];
    for (kind, name, extra, bundle) in cases {
        let v = register(&proton, kind, name, extra, &bundle_source(bundle));
        assert_eq!(text(&v, "status"), "DRAFT", "{bundle}: {v}");
        assert_eq!(
            text(&v, "schema"),
            example_files(bundle)["schema/schema.yaml"],
            "{bundle}: the schema comes back as written"
        );
    }
    // The CloudFormation environment registered by net() too, and list answers leave the schema out.
    let got = proton.aws(&[
        "get-environment-template-version",
        "--template-name",
        "net",
        "--major-version",
        "1",
        "--minor-version",
        "0",
    ]);
    assert_eq!(
        text(&got["environmentTemplateVersion"], "schema"),
        example_files("vpc-environment")["schema/schema.yaml"]
    );
}

type Files = BTreeMap<String, String>;

fn without(mut files: Files, path: &str) -> Files {
    assert!(files.remove(path).is_some(), "no {path} to remove");
    files
}

fn with(mut files: Files, path: &str, text: &str) -> Files {
    files.insert(path.to_string(), text.to_string());
    files
}

#[test]
fn each_layout_error_fails_registration_naming_the_file() {
    let proton = ProtonLocal::start(&[]);
    net(&proton);
    let env = || example_files("vpc-environment");
    let web = || example_files("web-service");
    let imported = || example_files("imported-environment");
    let worker = || example_files("worker-service");
    let manifest = "infrastructure/manifest.yaml";
    let big = "#".repeat(201 * 1024);
    let many: Files = (0..11).fold(imported(), |f, n| with(f, &format!("notes/{n}.txt"), "n"));
    // (template, the bundle's files, what the statusMessage must say)
    let cases: Vec<(&str, Files, &str)> = vec![
        (
            "env",
            without(env(), "schema/schema.yaml"),
            "schema/schema.yaml: missing",
        ),
        (
            "env",
            with(env(), "schema/schema.yaml", "schema: [unclosed"),
            "schema/schema.yaml: not valid YAML",
        ),
        (
            "env",
            with(env(), "schema/schema.yaml", &web()["schema/schema.yaml"]),
            "schema/schema.yaml: schema: service_input_type is a service template's",
        ),
        (
            "env",
            // A default that does not fit its property's type.
            with(
                env(),
                "schema/schema.yaml",
                &env()["schema/schema.yaml"].replace("default: \"10.0.0.0/24\"", "default: 24"),
            ),
            "schema/schema.yaml: schema.types.VpcEnvironmentInput.properties.subnet_cidr",
        ),
        (
            "worker",
            with(worker(), "schema/schema.yaml", &web()["schema/schema.yaml"]),
            "schema/schema.yaml: schema.pipeline_input_type: the service template has pipelineProvisioning CUSTOMER_MANAGED",
        ),
        (
            "env",
            without(env(), manifest),
            "infrastructure/manifest.yaml: missing",
        ),
        (
            "env",
            with(env(), manifest, "infrastructure:\n  templates: [\n"),
            "infrastructure/manifest.yaml: not valid YAML",
        ),
        (
            "env",
            with(env(), manifest, "infrastructure: {}\n"),
            "infrastructure/manifest.yaml: expected infrastructure.templates",
        ),
        (
            "env",
            with(
                env(),
                manifest,
                "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: mustache\n      template_language: cloudformation\n",
            ),
            "infrastructure/manifest.yaml: infrastructure.templates[0].rendering_engine is \"mustache\"",
        ),
        (
            "env",
            with(
                env(),
                manifest,
                "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: hcl\n      template_language: cloudformation\n",
            ),
            "infrastructure.templates[0].template_language is \"cloudformation\"; rendering_engine jinja goes with cloudformation, hcl with terraform",
        ),
        (
            "env",
            without(env(), "infrastructure/cloudformation.yaml"),
            "infrastructure/cloudformation.yaml: missing; infrastructure/manifest.yaml names it",
        ),
        (
            "env",
            with(
                with(env(), "infrastructure/second.yaml", "Resources: {}\n"),
                manifest,
                "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n    - file: second.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n",
            ),
            "infrastructure/manifest.yaml: a CloudFormation folder has exactly one template file",
        ),
        (
            "env",
            with(env(), "instance_infrastructure/manifest.yaml", "x: 1\n"),
            "instance_infrastructure/: an environment template bundle has infrastructure/ only",
        ),
        (
            "env",
            with(env(), "infrastructure/cloudformation.yaml", &big),
            "infrastructure/cloudformation.yaml is 205824 bytes; a file may be at most 200 KB",
        ),
        (
            "env",
            with(env(), ".compatible-envs", "net\n"),
            ".compatible-envs: \"net\" is not TEMPLATE_NAME:MAJOR_VERSION",
        ),
        (
            "imported",
            with(
                imported(),
                "infrastructure/cloudformation.yaml",
                "Resources: {}\n",
            ),
            "infrastructure/: a customer-managed environment template bundle holds only schema/schema.yaml",
        ),
        ("imported", many, "the bundle holds more than 10 files"),
        (
            "imported",
            with(
                imported(),
                "schema/schema.yaml",
                &imported()["schema/schema.yaml"].replace(
                    "description: \"The existing ECS cluster.\"",
                    "description: \"The existing ECS cluster.\"\n          default: main",
                ),
            ),
            "schema/schema.yaml: schema.types.ImportedEnvironmentInput.properties.cluster.default: a customer-managed environment template's schema has no defaults",
        ),
        (
            "imported",
            with(
                imported(),
                "schema/schema.yaml",
                &imported()["schema/schema.yaml"].replacen(
                    "      properties:\n",
                    "      properties:\n        zones:\n          type: number\n",
                    1,
                ),
            ),
            "schema/schema.yaml: schema.types.ImportedEnvironmentInput.properties.zones.type is number; a customer-managed environment template's inputs are outputs of infrastructure built outside Proton, and only string inputs are allowed",
        ),
        (
            "env",
            with(
                env(),
                manifest,
                "infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n        image: aws/codebuild/standard:7.0\n",
            ),
            "infrastructure/manifest.yaml: infrastructure.templates[0].settings.provision is missing: the shell commands CodeBuild runs",
        ),
        (
            "env",
            with(
                env(),
                manifest,
                "infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      input_type: YAML\n      settings:\n        provision: [make]\n",
            ),
            "infrastructure/manifest.yaml: infrastructure.templates[0].input_type is \"YAML\"; expected JSON or HCL",
        ),
        (
            "web",
            without(web(), "pipeline_infrastructure/manifest.yaml"),
            "pipeline_infrastructure/manifest.yaml: missing",
        ),
        (
            "web",
            without(web(), "instance_infrastructure/cloudformation.yaml"),
            "instance_infrastructure/cloudformation.yaml: missing",
        ),
        (
            "worker",
            with(worker(), "pipeline_infrastructure/manifest.yaml", "x: 1\n"),
            "pipeline_infrastructure/: the service template has pipelineProvisioning CUSTOMER_MANAGED, so its bundle has no pipeline",
        ),
    ];
    for (name, extra) in [
        ("env", &[][..]),
        ("imported", &["--provisioning", "CUSTOMER_MANAGED"][..]),
    ] {
        let mut args = vec!["create-environment-template", "--name", name];
        args.extend_from_slice(extra);
        proton.aws(&args);
    }
    for (name, extra) in [
        ("web", &[][..]),
        (
            "worker",
            &["--pipeline-provisioning", "CUSTOMER_MANAGED"][..],
        ),
    ] {
        let mut args = vec!["create-service-template", "--name", name];
        args.extend_from_slice(extra);
        proton.aws(&args);
    }
    for (n, (template, files, want)) in cases.into_iter().enumerate() {
        let key = format!("layout/{n}.tar.gz");
        put_bundle("bundles-test", &key, &pack(&files));
        let kind = if template == "web" || template == "worker" {
            "service"
        } else {
            "environment"
        };
        let source = format!(r#"{{"s3":{{"bucket":"bundles-test","key":"{key}"}}}}"#);
        let v = register_version(&proton, kind, template, &source);
        assert_eq!(text(&v, "status"), "REGISTRATION_FAILED", "case {n}: {v}");
        let message = text(&v, "statusMessage");
        assert!(
            message.starts_with(&format!("Template bundle s3://bundles-test/{key}: ")),
            "case {n}: {message}"
        );
        assert!(
            message.contains(want),
            "case {n}: want {want:?} in {message:?}"
        );
        assert!(
            v.get("schema").is_none(),
            "case {n}: a failed version has no schema"
        );
    }
}

#[test]
fn archives_that_are_not_bundles_fail_registration() {
    let proton = ProtonLocal::start(&[]);
    proton.aws(&["create-environment-template", "--name", "env"]);
    put_bundle(
        "bundles-test",
        "archive/plain.tar.gz",
        b"just text, no gzip",
    );
    let six_mb = vec![0u8; 6 * 1024 * 1024];
    put_bundle("bundles-test", "archive/huge.tar.gz", &six_mb);
    // Bundle files are text (docs silent; proton-local's choice): a file that is not UTF-8.
    let good = example_files("vpc-environment");
    let mut binary: Vec<(&str, &[u8])> = good
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_bytes()))
        .collect();
    binary.push((
        "infrastructure/logo.png",
        &[0x89, b'P', b'N', b'G', 0xff, 0xfe],
    ));
    put_bundle(
        "bundles-test",
        "archive/binary.tar.gz",
        &pack_bytes(&binary),
    );
    let cases = [
        (
            "archive/binary.tar.gz",
            "Template bundle s3://bundles-test/archive/binary.tar.gz: infrastructure/logo.png: the file is not UTF-8 text",
        ),
        (
            "archive/plain.tar.gz",
            "Template bundle s3://bundles-test/archive/plain.tar.gz: the bundle is not a gzip-compressed tar archive",
        ),
        (
            "archive/huge.tar.gz",
            "The template bundle s3://bundles-test/archive/huge.tar.gz is larger than 5 MB",
        ),
        (
            "archive/missing.tar.gz",
            "The template bundle s3://bundles-test/archive/missing.tar.gz does not exist",
        ),
    ];
    for (key, want) in cases {
        let source = format!(r#"{{"s3":{{"bucket":"bundles-test","key":"{key}"}}}}"#);
        let v = register_version(&proton, "environment", "env", &source);
        assert_eq!(text(&v, "status"), "REGISTRATION_FAILED", "{key}: {v}");
        assert!(text(&v, "statusMessage").starts_with(want), "{key}: {v}");
    }
}

/// A template author's loop: the bundle fails with a message naming the file, the author fixes
/// the file, uploads the bundle again under the same key, and the next version registers.
#[test]
fn a_template_author_fixes_a_bundle_and_registers_it_again() {
    let proton = ProtonLocal::start(&["--deploy-seconds", "1"]);
    proton.aws(&["create-environment-template", "--name", "vpc"]);
    let source = r#"{"s3":{"bucket":"author","key":"vpc/v1.tar.gz"}}"#;
    let mut files = example_files("vpc-environment");
    // A typo in the manifest: the file it names is not in the bundle.
    files.insert(
        "infrastructure/manifest.yaml".into(),
        "infrastructure:\n  templates:\n    - file: cloudformaton.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n".into(),
    );
    put_bundle("author", "vpc/v1.tar.gz", &pack(&files));
    let failed = register_version(&proton, "environment", "vpc", source);
    assert_eq!(text(&failed, "status"), "REGISTRATION_FAILED");
    assert_eq!(
        text(&failed, "statusMessage"),
        "Template bundle s3://author/vpc/v1.tar.gz: infrastructure/cloudformaton.yaml: missing; \
         infrastructure/manifest.yaml names it in infrastructure.templates[0].file"
    );
    // A failed version can't be published; it can be deleted.
    let e = proton.aws_err(&[
        "update-environment-template-version",
        "--template-name",
        "vpc",
        "--major-version",
        "1",
        "--minor-version",
        "0",
        "--status",
        "PUBLISHED",
    ]);
    assert_eq!(e.code, "ConflictException", "{}", e.message);
    proton.aws(&[
        "delete-environment-template-version",
        "--template-name",
        "vpc",
        "--major-version",
        "1",
        "--minor-version",
        "0",
    ]);

    put_bundle(
        "author",
        "vpc/v1.tar.gz",
        &pack(&example_files("vpc-environment")),
    );
    let fixed = register_version(&proton, "environment", "vpc", source);
    assert_eq!(text(&fixed, "status"), "DRAFT", "{fixed}");
    assert_eq!(
        text(&fixed, "schema"),
        example_files("vpc-environment")["schema/schema.yaml"]
    );
    proton.aws(&[
        "update-environment-template-version",
        "--template-name",
        "vpc",
        "--major-version",
        text(&fixed, "majorVersion"),
        "--minor-version",
        "0",
        "--status",
        "PUBLISHED",
    ]);
}

/// The author's loop for an imported (CUSTOMER_MANAGED) environment template: a schema with a
/// number input and a default is refused naming the property and the rule; the fixed schema,
/// strings without defaults, registers and takes the spec of the infrastructure built outside.
#[test]
fn a_template_author_fixes_a_customer_managed_bundle() {
    let proton = ProtonLocal::start(&[]);
    proton.aws(&[
        "create-environment-template",
        "--name",
        "imported",
        "--provisioning",
        "CUSTOMER_MANAGED",
    ]);
    let source = r#"{"s3":{"bucket":"author","key":"imported/v1.tar.gz"}}"#;
    let good = example_files("imported-environment");
    let schema = &good["schema/schema.yaml"];
    let attempts = [
        (
            schema.replace(
                "description: \"The existing VPC.\"",
                "description: \"The existing VPC.\"\n          default: vpc-0123",
            ),
            "schema.types.ImportedEnvironmentInput.properties.vpc_id.default: a customer-managed environment template's schema has no defaults",
        ),
        (
            schema.replace(
                "cluster:\n          type: string",
                "cluster:\n          type: object",
            ),
            "schema.types.ImportedEnvironmentInput.properties.cluster.type is object; ",
        ),
    ];
    for (bad_schema, want) in attempts {
        put_bundle(
            "author",
            "imported/v1.tar.gz",
            &pack(&with(good.clone(), "schema/schema.yaml", &bad_schema)),
        );
        let failed = register_version(&proton, "environment", "imported", source);
        assert_eq!(text(&failed, "status"), "REGISTRATION_FAILED", "{failed}");
        let message = text(&failed, "statusMessage");
        assert!(
            message.starts_with(
                "Template bundle s3://author/imported/v1.tar.gz: schema/schema.yaml: "
            ) && message.contains(want),
            "want {want:?} in {message:?}"
        );
    }
    put_bundle("author", "imported/v1.tar.gz", &pack(&good));
    let fixed = register_version(&proton, "environment", "imported", source);
    assert_eq!(text(&fixed, "status"), "DRAFT", "{fixed}");
    let major = text(&fixed, "majorVersion").to_string();
    proton.aws(&[
        "update-environment-template-version",
        "--template-name",
        "imported",
        "--major-version",
        &major,
        "--minor-version",
        "0",
        "--status",
        "PUBLISHED",
    ]);
    proton.aws(&[
        "create-environment",
        "--name",
        "legacy",
        "--template-name",
        "imported",
        "--template-major-version",
        &major,
        "--proton-service-role-arn",
        "arn:aws:iam::000000000000:role/proton",
        "--spec",
        "proton: EnvironmentSpec\nspec:\n  vpc_id: vpc-0a1b2c\n  cluster: main\n",
    ]);
    let outputs = proton.aws(&["list-environment-outputs", "--environment-name", "legacy"]);
    let vpc = outputs["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["key"] == "vpc_id");
    assert_eq!(vpc.unwrap()["valueString"], "vpc-0a1b2c", "{outputs}");
}

#[test]
fn without_a_bundle_source_registration_says_how_to_give_one() {
    let proton = ProtonLocal::start_without_bundles(&[]);
    let v = register(
        &proton,
        "environment",
        "env",
        &[],
        &bundle_source("vpc-environment"),
    );
    assert_eq!(text(&v, "status"), "REGISTRATION_FAILED");
    let message = text(&v, "statusMessage");
    assert!(
        message.starts_with(
            "There is no template bundle source to read s3://proton-bundles/vpc-environment.tar.gz from: start proton-local with --bundles DIR"
        ),
        "{message}"
    );
    assert!(message.contains("--s3-endpoint URL"), "{message}");
}

/// proton-local built without the `s3` feature says so, and how to build it, when an S3
/// endpoint is all it has to read a bundle from.
#[cfg(not(feature = "s3"))]
#[test]
fn without_the_s3_feature_an_s3_endpoint_says_how_to_build_it() {
    let proton = ProtonLocal::start(&["--s3-endpoint", "http://127.0.0.1:9"]);
    let v = register(
        &proton,
        "environment",
        "env",
        &[],
        &bundle_source("vpc-environment"),
    );
    assert_eq!(text(&v, "status"), "REGISTRATION_FAILED");
    let message = text(&v, "statusMessage");
    assert!(
        message.contains("built without the `s3` feature")
            && message.contains("cargo build -p proton-local --features s3"),
        "{message}"
    );
}

/// Bundles through the S3 API (the `s3` feature) from moto's server.
#[cfg(feature = "s3")]
mod s3_api {
    use std::net::{TcpListener, TcpStream};
    use std::process::{Child, Command, Stdio};

    use proton_test_support::{aws_cli, aws_env, combined_str, scratch_dir, tools_dir};

    use super::*;

    /// moto's S3-compatible server on a free loopback port, stopped when dropped.
    struct Moto {
        child: Child,
        endpoint: String,
    }

    impl Moto {
        fn start() -> Moto {
            let server = tools_dir().join("bin/moto_server");
            assert!(
                server.is_file(),
                "{} is missing: run scripts/install-tools.sh",
                server.display()
            );
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free port");
            let log = std::fs::File::create(scratch_dir().join(format!("moto-{port}.log")))
                .expect("moto log");
            let child = Command::new(&server)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log"))
                .stderr(log)
                .spawn()
                .expect("start moto_server");
            let mut moto = Moto {
                child,
                endpoint: format!("http://127.0.0.1:{port}"),
            };
            poll_until("moto_server listening", Duration::from_secs(60), || {
                if let Ok(Some(status)) = moto.child.try_wait() {
                    panic!("moto_server exited: {status}");
                }
                TcpStream::connect(("127.0.0.1", port)).ok()
            });
            moto
        }

        /// The real AWS CLI's `aws s3api ARGS` against this server.
        fn s3api(&self, args: &[&str]) {
            let output = Command::new(aws_cli())
                .envs(aws_env("http://127.0.0.1:9"))
                .args(["s3api", "--endpoint-url", &self.endpoint])
                .args(args)
                .output()
                .expect("aws s3api");
            assert!(
                output.status.success(),
                "aws s3api {}: {}",
                args.join(" "),
                combined_str(&output)
            );
        }
    }

    impl Drop for Moto {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    #[test]
    fn bundles_come_through_the_s3_api() {
        let moto = Moto::start();
        moto.s3api(&["create-bucket", "--bucket", "team-bundles"]);
        let tarball = scratch_dir().join(format!("s3-bundle-{}.tar.gz", std::process::id()));
        std::fs::write(&tarball, pack(&example_files("vpc-environment"))).expect("write");
        moto.s3api(&[
            "put-object",
            "--bucket",
            "team-bundles",
            "--key",
            "net/v1.tar.gz",
            "--body",
            tarball.to_str().unwrap(),
        ]);
        let _ = std::fs::remove_file(&tarball);

        let proton = ProtonLocal::start(&["--s3-endpoint", &moto.endpoint]);
        let v = register(
            &proton,
            "environment",
            "net",
            &[],
            r#"{"s3":{"bucket":"team-bundles","key":"net/v1.tar.gz"}}"#,
        );
        assert_eq!(text(&v, "status"), "DRAFT", "{v}");
        assert_eq!(
            text(&v, "schema"),
            example_files("vpc-environment")["schema/schema.yaml"]
        );
        let missing = register_version(
            &proton,
            "environment",
            "net",
            r#"{"s3":{"bucket":"team-bundles","key":"net/v2.tar.gz"}}"#,
        );
        assert_eq!(text(&missing, "status"), "REGISTRATION_FAILED");
        let message = text(&missing, "statusMessage");
        assert!(
            message
                .starts_with("The template bundle s3://team-bundles/net/v2.tar.gz does not exist"),
            "{message}"
        );
    }
}
