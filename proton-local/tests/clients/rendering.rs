//! Deployments render their template bundle, seen through the real AWS CLI:
//! outputs carry the names the bundle's infrastructure declares, a template
//! that does not render fails its deployment with the renderer's message, a
//! spec that breaks the schema is refused naming the input and the rule,
//! defaults reach the rendered file (kept under `--rendered`), and the
//! self-managed loop runs offline: proton-local writes the Terraform into the
//! repository folder, the real Terraform applies it, and the notification
//! carries Terraform's outputs back.

use std::path::{Path, PathBuf};
use std::process::Command;

use proton_test_support::{AwsError, ProtonLocal, Terraform, pinned_terraforms, repo_root};
use serde_json::Value;

const ROLE: &str = "arn:aws:iam::000000000000:role/proton";
const CONN_ARN: &str = "arn:aws:codestar-connections:us-east-1:000000000000:connection/abc";

const ENV_SCHEMA: &str = r#"schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "NetworkInput"
  types:
    NetworkInput:
      type: object
      properties:
        vpc_cidr:
          type: string
          default: "10.0.0.0/16"
          pattern: '^\d+\.\d+\.\d+\.\d+/\d+$'
        zones:
          type: number
          minimum: 1
          maximum: 3
      required:
        - zones
"#;

const CFN_MANIFEST: &str = "infrastructure:\n  templates:\n    - file: \"cloudformation.yaml\"\n      rendering_engine: jinja\n      template_language: cloudformation\n";

const ENV_CFN: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: '{{ environment.inputs.vpc_cidr }}'
      Tags:
        - Key: zones
          Value: '{{ environment.inputs.zones }}'
Outputs:
  VpcId:
    Value: !Ref VPC
  VpcCidr:
    Value: '{{ environment.inputs.vpc_cidr }}'
  EnvironmentName:
    Value: {{ environment.name }}
"#;

const SVC_SCHEMA: &str = r#"schema:
  format:
    openapi: "3.0.0"
  service_input_type: "ServiceInput"
  pipeline_input_type: "PipelineInput"
  types:
    ServiceInput:
      type: object
      properties:
        port:
          type: number
          default: 8080
        size:
          type: string
          enum: [small, large]
          default: small
    PipelineInput:
      type: object
      properties:
        test_command:
          type: string
          default: "make test"
"#;

const INSTANCE_CFN: &str = r#"Resources:
  Service:
    Type: AWS::ECS::Service
    Properties:
      Port: {{ service_instance.inputs.port }}
      Vpc: '{{ environment.outputs.VpcId }}'
Outputs:
  ServiceUrl:
    Value: 'http://{{ service.name }}.{{ service_instance.name }}:{{ service_instance.inputs.port }}'
  ServiceArn:
    Value: !GetAtt Service.Arn
"#;

const PIPELINE_CFN: &str = r#"Resources:
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      Stages:
{% for instance in service_instances %}
        - Name: 'deploy-{{ instance.name }}-{{ instance.environment.name }}'
{% endfor %}
Outputs:
  TestCommand:
    Value: '{{ pipeline.inputs.test_command }}'
"#;

const TF_MANIFEST: &str = "infrastructure:\n  templates:\n    - file: \"*\"\n      rendering_engine: hcl\n      template_language: terraform\n";

/// Terraform that needs no provider: it runs offline.
const TF_MAIN: &str = r#"locals {
  greeting = "hello ${var.environment.name}"
}

output "greeting" {
  value = local.greeting
}

output "cidr" {
  value = var.environment.inputs.cidr
}

output "environment_tag" {
  value = var.proton_tags["proton:environment"]
}
"#;

const TF_SCHEMA: &str = r#"schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "Input"
  types:
    Input:
      type: object
      properties:
        cidr:
          type: string
          default: "10.1.0.0/16"
"#;

/// Bundles as the sample READMEs pack them (`tar -zcvf bundle.tar.gz v1/`),
/// under `DIR/<bucket>/<key>` for `--bundles DIR`.
struct Bundles {
    dir: tempfile::TempDir,
}

impl Bundles {
    fn new() -> Bundles {
        Bundles {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    /// Packs `files` (paths under `v1/`) as `bucket/key`.
    fn pack(&self, key: &str, files: &[(&str, &str)]) {
        let src = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = src.path().join("v1").join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        let out = self.dir.path().join("bundles").join(key);
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let status = Command::new("tar")
            .arg("-zcf")
            .arg(&out)
            .arg("-C")
            .arg(src.path())
            .arg("v1")
            .status()
            .unwrap();
        assert!(status.success(), "tar failed");
    }
}

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {path} in {v}"))
}

/// Registers and publishes version 1.0 of a template from `bucket/key`.
fn publish(proton: &ProtonLocal, kind: &str, name: &str, key: &str, extra: &[&str]) {
    let mut create = vec![
        &*format!("create-{kind}-template-version"),
        "--template-name",
        name,
        "--source",
    ]
    .into_iter()
    .map(str::to_string)
    .collect::<Vec<String>>();
    create.push(format!("s3={{bucket=bundles,key={key}}}"));
    create.extend(extra.iter().map(|x| x.to_string()));
    let args: Vec<&str> = create.iter().map(String::as_str).collect();
    proton.aws(&args);
    proton.aws(&[
        "wait",
        &format!("{kind}-template-version-registered"),
        "--template-name",
        name,
        "--major-version",
        "1",
        "--minor-version",
        "0",
    ]);
    proton.aws(&[
        &format!("update-{kind}-template-version"),
        "--template-name",
        name,
        "--major-version",
        "1",
        "--minor-version",
        "0",
        "--status",
        "PUBLISHED",
    ]);
}

fn outputs(proton: &ProtonLocal, args: &[&str]) -> Vec<(String, String)> {
    let v = proton.aws(args);
    v["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (s(o, "/key").to_string(), s(o, "/valueString").to_string()))
        .collect()
}

fn env_spec(zones: &str) -> String {
    format!("proton: EnvironmentSpec\nspec:\n  zones: {zones}\n")
}

fn create_environment(proton: &ProtonLocal, name: &str, template: &str, spec: &str) -> Value {
    try_create_environment(proton, name, template, spec)
        .unwrap_or_else(|e| panic!("create-environment {name}: {e:?}"))
}

fn try_create_environment(
    proton: &ProtonLocal,
    name: &str,
    template: &str,
    spec: &str,
) -> Result<Value, AwsError> {
    proton.cli().run(&[
        "create-environment",
        "--name",
        name,
        "--template-name",
        template,
        "--template-major-version",
        "1",
        "--proton-service-role-arn",
        ROLE,
        "--spec",
        spec,
    ])
}

fn environment_template(proton: &ProtonLocal, bundles: &Bundles, name: &str, cfn: &str) {
    bundles.pack(
        &format!("{name}.tar.gz"),
        &[
            ("schema/schema.yaml", ENV_SCHEMA),
            ("infrastructure/manifest.yaml", CFN_MANIFEST),
            ("infrastructure/cloudformation.yaml", cfn),
        ],
    );
    proton.aws(&["create-environment-template", "--name", name]);
    publish(proton, "environment", name, &format!("{name}.tar.gz"), &[]);
}

fn rendered_file(root: &Path, resource: &str, deployment: &str, file: &str) -> String {
    let path = root
        .join("000000000000/us-east-1")
        .join(resource)
        .join(deployment)
        .join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn refused(err: &AwsError, input: &str, rule: &str) {
    assert_eq!(err.code, "ValidationException", "{err:?}");
    assert!(err.message.contains(&format!("`{input}`")), "{err:?}");
    assert!(err.message.contains(&format!("`{rule}`")), "{err:?}");
}

#[test]
fn environments_render_their_bundle_with_defaults_and_declared_outputs() {
    let bundles = Bundles::new();
    let rendered = tempfile::tempdir().unwrap();
    let rendered_dir = rendered.path().to_str().unwrap();
    let proton = ProtonLocal::start(&["--bundles", bundles.path(), "--rendered", rendered_dir]);
    environment_template(&proton, &bundles, "network", ENV_CFN);

    // A spec that breaks the schema never deploys: the error names input and rule.
    let too_many = try_create_environment(&proton, "dev", "network", &env_spec("9"));
    refused(&too_many.unwrap_err(), "zones", "maximum");
    let no_zones = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n";
    let missing = try_create_environment(&proton, "dev", "network", no_zones);
    refused(&missing.unwrap_err(), "zones", "required");
    let listed = proton.aws(&["list-environments"]);
    assert_eq!(listed["environments"].as_array().unwrap().len(), 0);

    let env = create_environment(&proton, "dev", "network", &env_spec("2"));
    proton.aws(&["wait", "environment-deployed", "--name", "dev"]);
    let outs = outputs(
        &proton,
        &["list-environment-outputs", "--environment-name", "dev"],
    );
    let names: Vec<&str> = outs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["VpcId", "VpcCidr", "EnvironmentName"]);
    // A plain value is the rendered value (here the schema's default); a
    // computed one (`!Ref`) is proton-local's deterministic stand-in.
    assert_eq!(outs[1].1, "10.0.0.0/16");
    assert_eq!(outs[2].1, "dev");
    assert!(
        outs[0].1.starts_with("proton-local:AWSProton-dev-"),
        "{outs:?}"
    );
    assert!(outs[0].1.ends_with(":VpcId"), "{outs:?}");

    // The rendered stack is kept, with the default injected.
    let dep = s(&env, "/environment/lastAttemptedDeploymentId");
    let text = rendered_file(
        rendered.path(),
        "environments/dev",
        dep,
        "cloudformation.yaml",
    );
    assert!(text.contains("CidrBlock: '10.0.0.0/16'"), "{text}");
    assert!(text.contains("Value: '2'"), "{text}");

    // ${Proton::CURRENT_VAL} keeps the stored value; the new one is validated too.
    refused(
        &proton.aws_err(&[
            "update-environment",
            "--name",
            "dev",
            "--deployment-type",
            "CURRENT_VERSION",
            "--spec",
            "proton: EnvironmentSpec\nspec:\n  zones: 2\n  vpc_cidr: everything\n",
        ]),
        "vpc_cidr",
        "pattern",
    );
    let updated = proton.aws(&[
        "update-environment",
        "--name",
        "dev",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        "proton: EnvironmentSpec\nspec:\n  zones: \"${Proton::CURRENT_VAL}\"\n  vpc_cidr: 10.9.0.0/16\n",
    ]);
    proton.aws(&["wait", "environment-deployed", "--name", "dev"]);
    let spec = s(&updated, "/environment/spec");
    assert!(spec.contains("zones: 2"), "{spec}");
    let outs = outputs(
        &proton,
        &["list-environment-outputs", "--environment-name", "dev"],
    );
    assert_eq!(outs[1], ("VpcCidr".to_string(), "10.9.0.0/16".to_string()));
}

#[test]
fn a_template_that_does_not_render_fails_its_deployment_with_the_renderers_message() {
    let bundles = Bundles::new();
    let proton = ProtonLocal::start(&["--bundles", bundles.path()]);
    let broken = "Resources:\n  VPC:\n    Properties:\n      CidrBlock: '{{ environment.inputs.subnet_count }}'\n";
    environment_template(&proton, &bundles, "broken", broken);
    create_environment(&proton, "dev", "broken", &env_spec("1"));
    let err = proton.aws_err(&["wait", "environment-deployed", "--name", "dev"]);
    assert!(!err.message.is_empty());
    let env = proton.aws(&["get-environment", "--name", "dev"]);
    assert_eq!(s(&env, "/environment/deploymentStatus"), "FAILED");
    let message = s(&env, "/environment/deploymentStatusMessage");
    assert!(
        message.starts_with("Rendering cloudformation.yaml failed:"),
        "{message}"
    );
    assert!(
        message.contains("environment.inputs.subnet_count"),
        "{message}"
    );
}

#[test]
fn services_render_instances_and_pipeline_from_their_namespaces() {
    let bundles = Bundles::new();
    let rendered = tempfile::tempdir().unwrap();
    let proton = ProtonLocal::start(&[
        "--bundles",
        bundles.path(),
        "--rendered",
        rendered.path().to_str().unwrap(),
    ]);
    environment_template(&proton, &bundles, "network", ENV_CFN);
    create_environment(&proton, "dev", "network", &env_spec("1"));
    proton.aws(&["wait", "environment-deployed", "--name", "dev"]);
    bundles.pack(
        "svc.tar.gz",
        &[
            ("schema/schema.yaml", SVC_SCHEMA),
            ("instance_infrastructure/manifest.yaml", CFN_MANIFEST),
            ("instance_infrastructure/cloudformation.yaml", INSTANCE_CFN),
            ("pipeline_infrastructure/manifest.yaml", CFN_MANIFEST),
            ("pipeline_infrastructure/cloudformation.yaml", PIPELINE_CFN),
        ],
    );
    proton.aws(&["create-service-template", "--name", "web"]);
    publish(
        &proton,
        "service",
        "web",
        "svc.tar.gz",
        &[
            "--compatible-environment-templates",
            "templateName=network,majorVersion=1",
        ],
    );
    proton.aws(&[
        "update-account-settings",
        "--pipeline-service-role-arn",
        ROLE,
    ]);
    let create = |spec: &str| {
        proton.cli().run(&[
            "create-service",
            "--name",
            "api",
            "--template-name",
            "web",
            "--template-major-version",
            "1",
            "--spec",
            spec,
            "--repository-connection-arn",
            CONN_ARN,
            "--repository-id",
            "org/app",
            "--branch-name",
            "main",
        ])
    };
    let bad = "proton: ServiceSpec\ninstances:\n  - name: one\n    environment: dev\n    spec:\n      size: huge\n";
    refused(&create(bad).unwrap_err(), "size", "enum");
    let spec = "proton: ServiceSpec\npipeline:\n  {}\ninstances:\n  - name: one\n    environment: dev\n    spec:\n      port: 80\n  - name: two\n    environment: dev\n";
    create(spec).unwrap();
    proton.aws(&["wait", "service-created", "--name", "api"]);

    let one = outputs(
        &proton,
        &[
            "list-service-instance-outputs",
            "--service-name",
            "api",
            "--service-instance-name",
            "one",
        ],
    );
    assert_eq!(
        one[0],
        ("ServiceUrl".to_string(), "http://api.one:80".to_string())
    );
    assert_eq!(one[1].0, "ServiceArn");
    // The default port reaches instance two.
    let two = outputs(
        &proton,
        &[
            "list-service-instance-outputs",
            "--service-name",
            "api",
            "--service-instance-name",
            "two",
        ],
    );
    assert_eq!(two[0].1, "http://api.two:8080");
    let pipeline = outputs(
        &proton,
        &["list-service-pipeline-outputs", "--service-name", "api"],
    );
    assert_eq!(
        pipeline,
        [("TestCommand".to_string(), "make test".to_string())]
    );

    // The instance saw its environment's outputs; the pipeline looped over the instances.
    let inst = proton.aws(&[
        "get-service-instance",
        "--service-name",
        "api",
        "--name",
        "one",
    ]);
    let dep = s(&inst, "/serviceInstance/lastSucceededDeploymentId");
    let text = rendered_file(
        rendered.path(),
        "services/api/instances/one",
        dep,
        "cloudformation.yaml",
    );
    assert!(text.contains("Vpc: 'proton-local:AWSProton-dev-"), "{text}");
    let svc = proton.aws(&["get-service", "--name", "api"]);
    let dep = s(&svc, "/service/pipeline/lastSucceededDeploymentId");
    let text = rendered_file(
        rendered.path(),
        "services/api/pipeline",
        dep,
        "cloudformation.yaml",
    );
    assert!(text.contains("- Name: 'deploy-one-dev'"), "{text}");
    assert!(text.contains("- Name: 'deploy-two-dev'"), "{text}");
}

/// Runs `tf` in `dir` (as a repository's automation would); answers its stdout.
pub(crate) fn terraform(tf: &Terraform, dir: &Path, args: &[&str]) -> String {
    let out = Command::new(&tf.path)
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tf} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The self-managed loop, offline: the environment's deployment writes the
/// compiled Terraform into the repository folder and waits; Terraform applies
/// it there; the notification with Terraform's outputs completes it.
#[test]
fn self_managed_environments_write_the_repository_terraform_applies_and_notify_completes() {
    for tf in pinned_terraforms() {
        self_managed_loop(&tf);
    }
}

fn self_managed_loop(tf: &Terraform) {
    let bundles = Bundles::new();
    let repos = tempfile::tempdir().unwrap();
    let proton = ProtonLocal::start(&[
        "--bundles",
        bundles.path(),
        "--repositories",
        repos.path().to_str().unwrap(),
    ]);
    bundles.pack(
        "tf.tar.gz",
        &[
            ("schema/schema.yaml", TF_SCHEMA),
            ("infrastructure/manifest.yaml", TF_MANIFEST),
            ("infrastructure/main.tf", TF_MAIN),
        ],
    );
    proton.aws(&["create-environment-template", "--name", "tfnet"]);
    publish(&proton, "environment", "tfnet", "tf.tar.gz", &[]);
    proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "org/infra",
        "--connection-arn",
        CONN_ARN,
    ]);
    let env = proton.aws(&[
        "create-environment",
        "--name",
        "dev",
        "--template-name",
        "tfnet",
        "--template-major-version",
        "1",
        "--provisioning-repository",
        "provider=GITHUB,name=org/infra,branch=main",
        "--spec",
        "proton: EnvironmentSpec\nspec: {}\n",
    ]);
    let arn = s(&env, "/environment/arn").to_string();

    // The pull request's content, in the documented layout (no environments/ folder: <env>/).
    let dir: PathBuf = repos.path().join("org/infra/dev");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "main.tf",
            "proton.auto.tfvars.json",
            "proton.environment.variables.tf"
        ]
    );
    let tfvars: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("proton.auto.tfvars.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(tfvars["environment"]["inputs"]["cidr"], "10.1.0.0/16");
    assert_eq!(tfvars["proton_tags"]["proton:environment"], arn.as_str());

    // Proton waits for the repository's automation.
    let got = proton.aws(&["get-environment", "--name", "dev"]);
    assert_eq!(s(&got, "/environment/deploymentStatus"), "IN_PROGRESS");

    terraform(tf, &dir, &["init", "-input=false", "-no-color"]);
    terraform(
        tf,
        &dir,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    let tf_outputs: Value =
        serde_json::from_str(&terraform(tf, &dir, &["output", "-json"])).unwrap();
    let mut notify_outputs = vec![];
    for (key, o) in tf_outputs.as_object().unwrap() {
        let value = o["value"].as_str().unwrap().to_string();
        notify_outputs.push((key.clone(), value));
    }
    assert_eq!(notify_outputs.len(), 3);
    let shorthand: Vec<String> = notify_outputs
        .iter()
        .map(|(k, v)| format!("key={k},valueString={v}"))
        .collect();
    let mut args = vec![
        "notify-resource-deployment-status-change",
        "--resource-arn",
        arn.as_str(),
        "--status",
        "SUCCEEDED",
        "--outputs",
    ];
    args.extend(shorthand.iter().map(String::as_str));
    proton.aws(&args);

    let got = proton.aws(&["get-environment", "--name", "dev"]);
    assert_eq!(s(&got, "/environment/deploymentStatus"), "SUCCEEDED");
    let mut outs = outputs(
        &proton,
        &["list-environment-outputs", "--environment-name", "dev"],
    );
    outs.sort();
    notify_outputs.sort();
    assert_eq!(outs, notify_outputs);
    assert!(outs.contains(&("greeting".to_string(), "hello dev".to_string())));
    assert!(outs.contains(&("cidr".to_string(), "10.1.0.0/16".to_string())));
}

/// CodeBuild provisioning, as a user leaving Proton (or testing a bundle) runs it: the
/// deployment writes the job's folder (the bundle's files and `proton-inputs.tfvars`) under
/// `--rendered` and waits; the manifest's provision commands run there with the real
/// Terraform; the notification that the job ended takes the outputs from the
/// `proton-outputs.json` the commands left. An environment without a CodeBuild role fails.
#[test]
fn codebuild_deployments_write_the_job_folder_and_take_proton_outputs_json() {
    for tf in pinned_terraforms() {
        codebuild_loop(&tf);
    }
}

fn codebuild_loop(tf: &Terraform) {
    let rendered = tempfile::tempdir().unwrap();
    let proton = ProtonLocal::start(&["--rendered", rendered.path().to_str().unwrap()]);
    proton.aws(&["create-environment-template", "--name", "store"]);
    proton.aws(&[
        "create-environment-template-version",
        "--template-name",
        "store",
        "--source",
        "s3={bucket=proton-bundles,key=codebuild-environment.tar.gz}",
    ]);
    let version = [
        "--template-name",
        "store",
        "--major-version",
        "1",
        "--minor-version",
        "0",
    ];
    let mut wait = vec!["wait", "environment-template-version-registered"];
    wait.extend(version);
    proton.aws(&wait);
    let mut publish = vec![
        "update-environment-template-version",
        "--status",
        "PUBLISHED",
    ];
    publish.extend(version);
    proton.aws(&publish);
    let spec = std::fs::read_to_string(
        repo_root().join("examples/bundles/codebuild-environment/spec/spec.yaml"),
    )
    .unwrap();
    let create = |name: &str, role_flag: &str| {
        proton.aws(&[
            "create-environment",
            "--name",
            name,
            "--template-name",
            "store",
            "--template-major-version",
            "1",
            role_flag,
            ROLE,
            "--spec",
            &spec,
        ])
    };

    // A service role alone: CodeBuild has no role to run with.
    create("no-role", "--proton-service-role-arn");
    let got = proton.aws(&["get-environment", "--name", "no-role"]);
    assert_eq!(s(&got, "/environment/deploymentStatus"), "FAILED", "{got}");
    assert!(
        s(&got, "/environment/deploymentStatusMessage").contains("has no codebuildRoleArn"),
        "{got}"
    );

    let env = create("dev", "--codebuild-role-arn");
    let arn = s(&env, "/environment/arn").to_string();
    let got = proton.aws(&["get-environment", "--name", "dev"]);
    assert_eq!(s(&got, "/environment/deploymentStatus"), "IN_PROGRESS");
    let deployment = s(&got, "/environment/lastAttemptedDeploymentId").to_string();
    let job = rendered
        .path()
        .join("000000000000/us-east-1/environments/dev")
        .join(&deployment);
    let mut names: Vec<String> = std::fs::read_dir(&job)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "main.tf",
            "manifest.yaml",
            "outputs.py",
            "proton-inputs.tfvars"
        ]
    );
    let tfvars = std::fs::read_to_string(job.join("proton-inputs.tfvars")).unwrap();
    assert!(tfvars.contains(r#""name":"dev""#), "{tfvars}");
    assert!(tfvars.contains(r#""retention_days":"14""#), "{tfvars}");

    // The job: the manifest's provision commands, in order, in its folder.
    let manifest = std::fs::read_to_string(job.join("manifest.yaml")).unwrap();
    let doc = &yaml_rust2::YamlLoader::load_from_str(&manifest).unwrap()[0];
    let commands = doc["infrastructure"]["templates"][0]["settings"]["provision"]
        .as_vec()
        .unwrap();
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(&tf.path, bin.path().join("terraform")).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for command in commands {
        let command = command.as_str().unwrap();
        let out = Command::new("sh")
            .args(["-c", command])
            .current_dir(&job)
            .env("PATH", &path)
            .env("CHECKPOINT_DISABLE", "1")
            .env("RESOURCE_ARN", &arn)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{tf}: {command}:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The job ended well: CodeBuild's report, with no outputs of its own.
    proton.aws(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        &arn,
        "--status",
        "SUCCEEDED",
    ]);
    let got = proton.aws(&["get-environment", "--name", "dev"]);
    assert_eq!(
        s(&got, "/environment/deploymentStatus"),
        "SUCCEEDED",
        "{got}"
    );
    let mut outs = outputs(
        &proton,
        &["list-environment-outputs", "--environment-name", "dev"],
    );
    outs.sort();
    assert_eq!(
        outs,
        [
            ("RetentionDays".to_string(), "14".to_string()),
            ("StoreName".to_string(), "builds-dev-artifacts".to_string()),
        ],
        "{tf}"
    );

    // A job that leaves a broken proton-outputs.json fails, naming the file.
    create("broken", "--codebuild-role-arn");
    let got = proton.aws(&["get-environment", "--name", "broken"]);
    let broken_job = rendered
        .path()
        .join("000000000000/us-east-1/environments/broken")
        .join(s(&got, "/environment/lastAttemptedDeploymentId"));
    std::fs::write(broken_job.join("proton-outputs.json"), "{\"StoreName\": ").unwrap();
    proton.aws(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        s(&got, "/environment/arn"),
        "--status",
        "SUCCEEDED",
    ]);
    let got = proton.aws(&["get-environment", "--name", "broken"]);
    assert_eq!(s(&got, "/environment/deploymentStatus"), "FAILED", "{got}");
    assert!(
        s(&got, "/environment/deploymentStatusMessage")
            .starts_with("proton-outputs.json: not valid JSON"),
        "{got}"
    );
}
