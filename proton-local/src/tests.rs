//! Service-level tests: the engine with a manual clock, no HTTP. Every
//! successful answer is also checked against the model's output shapes.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::clock::{Clock, ManualClock};
use crate::engine::Engine;
use crate::error::ApiError;
use crate::model::Model;
use crate::store::State;
use crate::store::persist::Persister;

const ACCOUNT: &str = "000000000000";
const REGION: &str = "us-east-1";
const T0: f64 = 1_700_000_000.0;
const ROLE: &str = "arn:aws:iam::000000000000:role/r";

/// Loading the model compiles its patterns; do it once for all tests.
fn shared_model() -> Arc<Model> {
    static MODEL: std::sync::OnceLock<Arc<Model>> = std::sync::OnceLock::new();
    Arc::clone(MODEL.get_or_init(|| Arc::new(Model::load().unwrap())))
}

struct Harness {
    engine: Engine,
    clock: Arc<ManualClock>,
    model: Arc<Model>,
    /// Templates created CUSTOMER_MANAGED (their bundles differ).
    customer_managed: std::sync::Mutex<Vec<String>>,
}

const ENV_SCHEMA: &str = "schema:\n  format:\n    openapi: \"3.0.0\"\n  environment_input_type: \"Input\"\n  types:\n    Input:\n      type: object\n      properties:\n        a:\n          type: string\n";
const SVC_SCHEMA: &str = "schema:\n  format:\n    openapi: \"3.0.0\"\n  service_input_type: \"Input\"\n  types:\n    Input:\n      type: object\n      properties:\n        a:\n          type: string\n";
const CFN_MANIFEST: &str = "infrastructure:\n  templates:\n    - file: \"cloudformation.yaml\"\n      rendering_engine: jinja\n      template_language: cloudformation\n";
const CFN: &str = "Resources: {}\n";
/// The environment fixture reports its input `a` as an output.
const ENV_CFN: &str =
    "Resources: {}\nOutputs:\n  a:\n    Value: '{{ environment.inputs.a | default(\"\") }}'\n";

/// The bundle a test's Create*TemplateVersion gets: a good one for the
/// template's kind, or (key `bad`) one without its manifest.
fn fixture_bundle(op: &str, customer_managed: bool, key: &str) -> Vec<u8> {
    let env = op == "CreateEnvironmentTemplateVersion";
    let mut files = vec![];
    if env {
        files.push(("v1/schema/schema.yaml", ENV_SCHEMA));
        if !customer_managed {
            files.push(("v1/infrastructure/manifest.yaml", CFN_MANIFEST));
            files.push(("v1/infrastructure/cloudformation.yaml", ENV_CFN));
        }
    } else {
        files.push(("v1/schema/schema.yaml", SVC_SCHEMA));
        files.push(("v1/instance_infrastructure/manifest.yaml", CFN_MANIFEST));
        files.push(("v1/instance_infrastructure/cloudformation.yaml", CFN));
        if !customer_managed {
            files.push(("v1/pipeline_infrastructure/manifest.yaml", CFN_MANIFEST));
            files.push(("v1/pipeline_infrastructure/cloudformation.yaml", CFN));
        }
    }
    if key == "bad" {
        files.retain(|(p, _)| !p.ends_with("manifest.yaml"));
    }
    crate::bundle::archive::pack(&files)
}

impl Harness {
    fn new(deploy_seconds: f64) -> Harness {
        Self::with_state(deploy_seconds, None, State::default())
    }

    fn with_state(deploy_seconds: f64, persister: Option<Persister>, state: State) -> Harness {
        let model = shared_model();
        let clock = Arc::new(ManualClock::new(T0));
        let engine = Engine::new(
            Arc::clone(&model),
            Arc::clone(&clock) as Arc<dyn Clock>,
            deploy_seconds,
            Some(7),
            persister,
            state,
        );
        Harness {
            engine,
            clock,
            model,
            customer_managed: Default::default(),
        }
    }

    fn call_as(&self, account: &str, op: &str, body: Value) -> Result<Value, ApiError> {
        let provisioning = body
            .get("provisioning")
            .or_else(|| body.get("pipelineProvisioning"));
        if provisioning.is_some_and(|p| p == "CUSTOMER_MANAGED") {
            let mut cm = self.customer_managed.lock().unwrap();
            cm.push(body["name"].as_str().unwrap_or_default().to_string());
        }
        let bundle = crate::ops::templates::reads_bundle(op).then(|| {
            let name = body["templateName"].as_str().unwrap_or_default();
            let cm = self.customer_managed.lock().unwrap();
            let key = body["source"]["s3"]["key"].as_str().unwrap_or_default();
            Ok(fixture_bundle(op, cm.iter().any(|n| n == name), key))
        });
        let out =
            self.engine
                .call_with_bundle(op, account, REGION, body.to_string().as_bytes(), bundle);
        if let Ok(v) = &out {
            let problems = self.model.output_problems(op, v);
            assert!(
                problems.is_empty(),
                "{op} answer breaks the model: {problems:?}\n{v}"
            );
            assert!(!v.to_string().contains("null"), "{op} answered a null: {v}");
        }
        if let Err(e) = &out {
            assert!(
                self.model.declares_error(op, e.type_name()),
                "{op} answered {} which its model doesn't list: {e}",
                e.type_name()
            );
        }
        out
    }

    fn call(&self, op: &str, body: Value) -> Result<Value, ApiError> {
        self.call_as(ACCOUNT, op, body)
    }

    fn ok(&self, op: &str, body: Value) -> Value {
        self.call(op, body.clone())
            .unwrap_or_else(|e| panic!("{op} {body} failed: {e:?}"))
    }

    fn err(&self, op: &str, body: Value) -> ApiError {
        match self.call(op, body.clone()) {
            Ok(v) => panic!("{op} {body} succeeded: {v}"),
            Err(e) => e,
        }
    }

    fn tick(&self, secs: f64) {
        self.clock.advance(secs);
    }

    /// An environment template with published version 1.0 (and more if asked).
    fn published_env_template(&self, name: &str, extra: Value) {
        let mut body = json!({"name": name});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        self.ok("CreateEnvironmentTemplate", body);
        self.ok(
            "CreateEnvironmentTemplateVersion",
            json!({"templateName": name, "source": {"s3": {"bucket": "b-1", "key": "k"}}}),
        );
        self.tick(100.0);
        self.ok(
            "UpdateEnvironmentTemplateVersion",
            json!({"templateName": name, "majorVersion": "1", "minorVersion": "0", "status": "PUBLISHED"}),
        );
    }

    fn environment(&self, name: &str, template: &str, spec: &str) -> Value {
        self.ok(
            "CreateEnvironment",
            json!({"name": name, "templateName": template, "templateMajorVersion": "1",
                   "spec": spec, "protonServiceRoleArn": ROLE, "componentRoleArn": ROLE}),
        )
    }
}

fn env_status(h: &Harness, name: &str) -> String {
    h.ok("GetEnvironment", json!({"name": name}))["environment"]["deploymentStatus"]
        .as_str()
        .unwrap()
        .to_string()
}

const SPEC: &str = "proton: EnvironmentSpec\nspec:\n  a: one\n";

#[test]
fn registration_follows_the_clock() {
    let h = Harness::new(5.0);
    h.ok("CreateEnvironmentTemplate", json!({"name": "t"}));
    let v = h.ok(
        "CreateEnvironmentTemplateVersion",
        json!({"templateName": "t", "source": {"s3": {"bucket": "b-1", "key": "k"}}}),
    );
    assert_eq!(
        v["environmentTemplateVersion"]["status"],
        "REGISTRATION_IN_PROGRESS"
    );
    let get = json!({"templateName": "t", "majorVersion": "1", "minorVersion": "0"});
    h.tick(4.9);
    assert_eq!(
        h.ok("GetEnvironmentTemplateVersion", get.clone())["environmentTemplateVersion"]["status"],
        "REGISTRATION_IN_PROGRESS"
    );
    // Publishing before registration ends conflicts.
    let publish = json!({"templateName": "t", "majorVersion": "1", "minorVersion": "0", "status": "PUBLISHED"});
    assert!(matches!(
        h.err("UpdateEnvironmentTemplateVersion", publish.clone()),
        ApiError::Conflict(_)
    ));
    h.tick(0.1);
    let v = h.ok("GetEnvironmentTemplateVersion", get.clone());
    assert_eq!(v["environmentTemplateVersion"]["status"], "DRAFT");
    // Registration finished at its deadline, not when someone looked.
    assert_eq!(
        v["environmentTemplateVersion"]["lastModifiedAt"],
        json!(T0 + 5.0)
    );
    h.ok("UpdateEnvironmentTemplateVersion", publish);
    let t = h.ok("GetEnvironmentTemplate", json!({"name": "t"}));
    assert_eq!(t["environmentTemplate"]["recommendedVersion"], "1.0");
    // Minor versions go in the named major, new majors come from omitting it.
    let v = h.ok(
        "CreateEnvironmentTemplateVersion",
        json!({"templateName": "t", "majorVersion": "1", "source": {"s3": {"bucket": "b-1", "key": "k2"}}}),
    );
    assert_eq!(v["environmentTemplateVersion"]["minorVersion"], "1");
    let v = h.ok(
        "CreateEnvironmentTemplateVersion",
        json!({"templateName": "t", "source": {"s3": {"bucket": "b-1", "key": "bad"}}}),
    );
    assert_eq!(v["environmentTemplateVersion"]["majorVersion"], "2");
    h.tick(5.0);
    let v = h.ok(
        "GetEnvironmentTemplateVersion",
        json!({"templateName": "t", "majorVersion": "2", "minorVersion": "0"}),
    );
    assert_eq!(
        v["environmentTemplateVersion"]["status"],
        "REGISTRATION_FAILED"
    );
    assert_eq!(
        v["environmentTemplateVersion"]["statusMessage"],
        "Template bundle s3://b-1/bad: infrastructure/manifest.yaml: missing; it names the infrastructure files of the folder"
    );
    assert!(v["environmentTemplateVersion"].get("schema").is_none());
    // A registered version shows its schema as written.
    let v = h.ok(
        "GetEnvironmentTemplateVersion",
        json!({"templateName": "t", "majorVersion": "1", "minorVersion": "0"}),
    );
    assert_eq!(v["environmentTemplateVersion"]["schema"], ENV_SCHEMA);
    assert!(matches!(
        h.err(
            "CreateEnvironmentTemplateVersion",
            json!({"templateName": "t", "majorVersion": "9", "source": {"s3": {"bucket": "b-1", "key": "k"}}})
        ),
        ApiError::Validation(_)
    ));
}

#[test]
fn environment_deployments_conflicts_failures_and_cancel() {
    let h = Harness::new(10.0);
    h.published_env_template("t", json!({}));
    let e = h.environment("e", "t", SPEC);
    assert_eq!(e["environment"]["deploymentStatus"], "IN_PROGRESS");
    let update = json!({"name": "e", "deploymentType": "CURRENT_VERSION",
                        "spec": "proton: EnvironmentSpec\nspec:\n  a: two\n"});
    assert!(matches!(
        h.err("UpdateEnvironment", update.clone()),
        ApiError::Conflict(_)
    ));
    h.tick(10.0);
    assert_eq!(env_status(&h, "e"), "SUCCEEDED");
    let out = h.ok("ListEnvironmentOutputs", json!({"environmentName": "e"}));
    assert_eq!(out["outputs"], json!([{"key": "a", "valueString": "one"}]));

    // Update, then cancel: back to the previous spec.
    h.ok("UpdateEnvironment", update);
    let c = h.ok(
        "CancelEnvironmentDeployment",
        json!({"environmentName": "e"}),
    );
    assert_eq!(c["environment"]["deploymentStatus"], "CANCELLING");
    h.tick(10.0);
    let g = h.ok("GetEnvironment", json!({"name": "e"}));
    assert_eq!(g["environment"]["deploymentStatus"], "CANCELLED");
    assert_eq!(g["environment"]["spec"], SPEC);
    assert!(matches!(
        h.err(
            "CancelEnvironmentDeployment",
            json!({"environmentName": "e"})
        ),
        ApiError::Conflict(_)
    ));

    // The failure marker.
    h.ok(
        "UpdateEnvironment",
        json!({"name": "e", "deploymentType": "CURRENT_VERSION",
               "spec": "proton: EnvironmentSpec\nspec:\n  proton_local_fail: \"quota exceeded\"\n"}),
    );
    h.tick(10.0);
    let g = h.ok("GetEnvironment", json!({"name": "e"}));
    assert_eq!(g["environment"]["deploymentStatus"], "FAILED");
    assert_eq!(
        g["environment"]["deploymentStatusMessage"],
        "quota exceeded"
    );

    // Deployment history: newest first, three deployments, ids link up.
    let d = h.ok("ListDeployments", json!({"environmentName": "e"}));
    let list = d["deployments"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["deploymentStatus"], "FAILED");
    assert_eq!(list[2]["deploymentStatus"], "SUCCEEDED");
    let newest = h.ok("GetDeployment", json!({"id": list[0]["id"]}));
    assert_eq!(
        newest["deployment"]["lastSucceededDeploymentId"],
        list[2]["id"]
    );
    assert!(newest["deployment"]["initialState"]["environment"].is_object());
    // The current deployment can't be deleted; an old one can.
    assert!(matches!(
        h.err("DeleteDeployment", json!({"id": list[0]["id"]})),
        ApiError::Validation(_)
    ));
    h.ok("DeleteDeployment", json!({"id": list[1]["id"]}));
    assert!(matches!(
        h.err("GetDeployment", json!({"id": list[1]["id"]})),
        ApiError::NotFound(_)
    ));
}

#[test]
fn deployment_types_pick_versions() {
    let h = Harness::new(0.0);
    h.published_env_template("t", json!({}));
    h.environment("e", "t", SPEC);
    h.tick(1.0);
    // A new minor (1.1) and a new major (2.0), both published.
    for major in [Some("1"), None] {
        let mut body =
            json!({"templateName": "t", "source": {"s3": {"bucket": "b-1", "key": "k"}}});
        if let Some(m) = major {
            body["majorVersion"] = json!(m);
        }
        h.ok("CreateEnvironmentTemplateVersion", body);
    }
    h.tick(1.0);
    for (ma, mi) in [("1", "1"), ("2", "0")] {
        h.ok(
            "UpdateEnvironmentTemplateVersion",
            json!({"templateName": "t", "majorVersion": ma, "minorVersion": mi, "status": "PUBLISHED"}),
        );
    }
    let up = |ty: &str, extra: Value| {
        let mut body = json!({"name": "e", "deploymentType": ty});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = h.call("UpdateEnvironment", body);
        h.tick(1.0);
        r
    };
    assert!(matches!(
        up("CURRENT_VERSION", json!({"templateMajorVersion": "2"})),
        Err(ApiError::Validation(_))
    ));
    assert!(matches!(
        up("MINOR_VERSION", json!({"templateMajorVersion": "2"})),
        Err(ApiError::Validation(_))
    ));
    let v = up("MINOR_VERSION", json!({})).unwrap();
    assert_eq!(
        (
            v["environment"]["templateMajorVersion"].as_str(),
            v["environment"]["templateMinorVersion"].as_str()
        ),
        (Some("1"), Some("1"))
    );
    let v = up("MAJOR_VERSION", json!({})).unwrap();
    assert_eq!(
        (
            v["environment"]["templateMajorVersion"].as_str(),
            v["environment"]["templateMinorVersion"].as_str()
        ),
        (Some("2"), Some("0"))
    );
    assert!(
        matches!(up("MAJOR_VERSION", json!({})), Err(ApiError::Validation(_))),
        "no higher major left"
    );
    // NONE changes metadata only.
    assert!(matches!(
        up("NONE", json!({"spec": "spec:\n  b: 1\n"})),
        Err(ApiError::Validation(_))
    ));
    let v = up("NONE", json!({"description": "d"})).unwrap();
    assert_eq!(v["environment"]["deploymentStatus"], "SUCCEEDED");
    // The version in use can't be deleted.
    assert!(matches!(
        h.err(
            "DeleteEnvironmentTemplateVersion",
            json!({"templateName": "t", "majorVersion": "2", "minorVersion": "0"})
        ),
        ApiError::Conflict(_)
    ));
}

#[test]
fn client_tokens_replay_mismatch_and_expire() {
    let h = Harness::new(0.0);
    h.ok("CreateEnvironmentTemplate", json!({"name": "t"}));
    let body = json!({"templateName": "t", "clientToken": "tok", "source": {"s3": {"bucket": "b-1", "key": "k"}}});
    let a = h.ok("CreateEnvironmentTemplateVersion", body.clone());
    let b = h.ok("CreateEnvironmentTemplateVersion", body.clone());
    assert_eq!(
        a["environmentTemplateVersion"]["arn"],
        b["environmentTemplateVersion"]["arn"]
    );
    let mut other = body.clone();
    other["description"] = json!("x");
    let e = h.err("CreateEnvironmentTemplateVersion", other);
    assert!(matches!(&e, ApiError::Validation(m) if m.contains("IdempotentParameterMismatch")));
    h.tick(8.0 * 3600.0 + 1.0);
    let c = h.ok("CreateEnvironmentTemplateVersion", body);
    assert_eq!(
        c["environmentTemplateVersion"]["majorVersion"], "2",
        "an expired token makes a new version"
    );
}

#[test]
fn idempotent_creates_and_deletes() {
    let h = Harness::new(3.0);
    h.published_env_template("t", json!({}));
    let a = h.environment("e", "t", SPEC);
    let b = h.environment("e", "t", SPEC);
    assert_eq!(a["environment"]["createdAt"], b["environment"]["createdAt"]);
    let e = h.err(
        "CreateEnvironment",
        json!({"name": "e", "templateName": "t", "templateMajorVersion": "1", "spec": "spec: {}\n", "protonServiceRoleArn": ROLE}),
    );
    assert!(matches!(e, ApiError::Validation(_)));
    h.tick(3.0);
    h.ok(
        "UpdateEnvironment",
        json!({"name": "e", "deploymentType": "NONE", "description": "x"}),
    );
    assert!(matches!(
        h.call(
            "CreateEnvironment",
            json!({"name": "e", "templateName": "t", "templateMajorVersion": "1", "spec": SPEC,
                   "protonServiceRoleArn": ROLE, "componentRoleArn": ROLE})
        ),
        Err(ApiError::Conflict(_))
    ));
    // Asynchronous delete: the resource while DELETE_IN_PROGRESS, then empty.
    let d = h.ok("DeleteEnvironment", json!({"name": "e"}));
    assert_eq!(d["environment"]["deploymentStatus"], "DELETE_IN_PROGRESS");
    let d = h.ok("DeleteEnvironment", json!({"name": "e"}));
    assert_eq!(d["environment"]["deploymentStatus"], "DELETE_IN_PROGRESS");
    h.tick(3.0);
    assert_eq!(h.ok("DeleteEnvironment", json!({"name": "e"})), json!({}));
    assert!(matches!(
        h.err("GetEnvironment", json!({"name": "e"})),
        ApiError::NotFound(_)
    ));
    // Synchronous idempotent deletes: metadata again, then (never existed) empty.
    h.ok(
        "DeleteEnvironmentTemplateVersion",
        json!({"templateName": "t", "majorVersion": "1", "minorVersion": "0"}),
    );
    let first = h.ok("DeleteEnvironmentTemplate", json!({"name": "t"}));
    let again = h.ok("DeleteEnvironmentTemplate", json!({"name": "t"}));
    assert_eq!(first, again);
    assert_eq!(
        h.ok("DeleteEnvironmentTemplate", json!({"name": "never"})),
        json!({})
    );
}

#[test]
fn services_follow_their_instances() {
    let h = Harness::new(2.0);
    h.published_env_template("et", json!({}));
    h.environment("e", "et", SPEC);
    h.tick(2.0);
    // CUSTOMER_MANAGED pipeline provisioning: the service has no Proton pipeline.
    h.ok(
        "CreateServiceTemplate",
        json!({"name": "st", "pipelineProvisioning": "CUSTOMER_MANAGED"}),
    );
    h.ok(
        "CreateServiceTemplateVersion",
        json!({"templateName": "st", "source": {"s3": {"bucket": "b-1", "key": "k"}},
               "compatibleEnvironmentTemplates": [{"templateName": "et", "majorVersion": "1"}]}),
    );
    h.tick(2.0);
    h.ok(
        "UpdateServiceTemplateVersion",
        json!({"templateName": "st", "majorVersion": "1", "minorVersion": "0", "status": "PUBLISHED"}),
    );
    let spec = "proton: ServiceSpec\ninstances:\n  - name: ok\n    environment: e\n  - name: bad\n    environment: e\n    spec:\n      proton_local_fail: broken\n";
    let s = h.ok(
        "CreateService",
        json!({"name": "s", "templateName": "st", "templateMajorVersion": "1", "spec": spec}),
    );
    assert_eq!(s["service"]["status"], "CREATE_IN_PROGRESS");
    assert!(s["service"].get("pipeline").is_none());
    h.tick(2.0);
    let s = h.ok("GetService", json!({"name": "s"}));
    assert_eq!(s["service"]["status"], "CREATE_FAILED");
    assert_eq!(s["service"]["statusMessage"], "broken");

    // A request that fails part-way leaves nothing behind.
    let spec2 = "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n  - name: b\n    environment: missing\n";
    assert!(matches!(
        h.err(
            "CreateService",
            json!({"name": "s2", "templateName": "st", "templateMajorVersion": "1", "spec": spec2})
        ),
        ApiError::NotFound(_)
    ));
    assert!(matches!(
        h.err("GetService", json!({"name": "s2"})),
        ApiError::NotFound(_)
    ));

    // Removing an instance by spec deletes it; the service goes back to ACTIVE.
    let spec3 = "proton: ServiceSpec\ninstances:\n  - name: ok\n    environment: e\n";
    let u = h.ok("UpdateService", json!({"name": "s", "spec": spec3}));
    assert_eq!(u["service"]["status"], "UPDATE_IN_PROGRESS");
    h.tick(2.0);
    assert_eq!(
        h.ok("GetService", json!({"name": "s"}))["service"]["status"],
        "ACTIVE"
    );
    assert!(matches!(
        h.err(
            "GetServiceInstance",
            json!({"serviceName": "s", "name": "bad"})
        ),
        ApiError::NotFound(_)
    ));
    // The environment has an instance: it can't go.
    assert!(matches!(
        h.err("DeleteEnvironment", json!({"name": "e"})),
        ApiError::Conflict(_)
    ));
}

#[test]
fn pagination_and_accounts_are_separate() {
    let h = Harness::new(0.0);
    for i in 0..5 {
        h.ok(
            "CreateEnvironmentTemplate",
            json!({"name": format!("t{i}")}),
        );
    }
    let mut seen = vec![];
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({"maxResults": 2});
        if let Some(t) = &token {
            body["nextToken"] = json!(t);
        }
        let page = h.ok("ListEnvironmentTemplates", body);
        let items = page["templates"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_string()),
        );
        match page.get("nextToken").and_then(Value::as_str) {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, vec!["t0", "t1", "t2", "t3", "t4"]);
    let other = h
        .call_as("222222222222", "ListEnvironmentTemplates", json!({}))
        .unwrap();
    assert_eq!(other["templates"], json!([]));
}

#[test]
fn validation_messages_and_serialization_errors() {
    let h = Harness::new(0.0);
    let e = h.err("CreateEnvironmentTemplate", json!({"name": "a b"}));
    assert_eq!(
        e,
        ApiError::Validation(
            "1 validation error detected: Value 'a b' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$".into()
        )
    );
    let e = h
        .engine
        .call("CreateEnvironmentTemplate", ACCOUNT, REGION, b"[1,2]")
        .unwrap_err();
    assert_eq!(e.type_name(), "SerializationException");
    let e = h
        .engine
        .call("CreateEnvironmentTemplate", ACCOUNT, REGION, b"{not json")
        .unwrap_err();
    assert_eq!(e.type_name(), "SerializationException");
    let e = h
        .engine
        .call("NoSuchOperation", ACCOUNT, REGION, b"{}")
        .unwrap_err();
    assert_eq!(e.type_name(), "UnknownOperationException");
    // Empty body = empty input.
    assert!(
        h.engine
            .call("ListEnvironmentTemplates", ACCOUNT, REGION, b"")
            .is_ok()
    );
}

#[test]
fn state_survives_a_restart_and_deadlines_resume() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    {
        let (p, s) = Persister::open(&path).unwrap();
        let h = Harness::with_state(30.0, Some(p), s);
        h.published_env_template("t", json!({}));
        h.environment("e", "t", SPEC);
        assert_eq!(env_status(&h, "e"), "IN_PROGRESS");
    }
    let (p, s) = Persister::open(&path).unwrap();
    let h = Harness::with_state(30.0, Some(p), s);
    // The new process's clock starts where the old one was: still running.
    h.tick(100.0);
    assert_eq!(env_status(&h, "e"), "IN_PROGRESS");
    h.tick(30.0);
    assert_eq!(env_status(&h, "e"), "SUCCEEDED");
}

#[test]
fn self_managed_environments_wait_for_notifications() {
    let h = Harness::new(1.0);
    h.ok(
        "CreateRepository",
        json!({"provider": "GITHUB", "name": "o/r", "connectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/x"}),
    );
    // A standard template: the provisioning repository makes it self-managed.
    h.published_env_template("t", json!({}));
    let repo = json!({"provider": "GITHUB", "name": "o/r", "branch": "main"});
    assert!(matches!(
        h.err(
            "CreateEnvironment",
            json!({"name": "e", "templateName": "t", "templateMajorVersion": "1", "spec": SPEC,
                   "provisioningRepository": repo, "protonServiceRoleArn": ROLE}),
        ),
        ApiError::Validation(_)
    ));
    let e = h.ok(
        "CreateEnvironment",
        json!({"name": "e", "templateName": "t", "templateMajorVersion": "1", "spec": SPEC,
               "provisioningRepository": {"provider": "GITHUB", "name": "o/r", "branch": "main"}}),
    );
    assert!(e["environment"].get("provisioning").is_none());
    assert_eq!(e["environment"]["provisioningRepository"]["branch"], "main");
    let arn = e["environment"]["arn"].clone();
    h.tick(1000.0);
    assert_eq!(env_status(&h, "e"), "IN_PROGRESS");
    h.ok(
        "NotifyResourceDeploymentStatusChange",
        json!({"resourceArn": arn, "status": "IN_PROGRESS", "outputs": [{"key": "k", "valueString": "v"}]}),
    );
    assert_eq!(env_status(&h, "e"), "IN_PROGRESS");
    h.ok(
        "NotifyResourceDeploymentStatusChange",
        json!({"resourceArn": arn, "status": "SUCCEEDED"}),
    );
    assert_eq!(env_status(&h, "e"), "SUCCEEDED");
    let out = h.ok("ListEnvironmentOutputs", json!({"environmentName": "e"}));
    assert_eq!(out["outputs"], json!([{"key": "k", "valueString": "v"}]));
    let pr = h.ok(
        "ListEnvironmentProvisionedResources",
        json!({"environmentName": "e"}),
    );
    assert_eq!(
        pr["provisionedResources"][0]["provisioningEngine"],
        "TERRAFORM"
    );
    assert!(matches!(
        h.err(
            "NotifyResourceDeploymentStatusChange",
            json!({"resourceArn": arn, "status": "FAILED"})
        ),
        ApiError::Conflict(_)
    ));
    // The method stays the environment's: no role added later.
    assert!(matches!(
        h.err(
            "UpdateEnvironment",
            json!({"name": "e", "deploymentType": "NONE", "protonServiceRoleArn": ROLE}),
        ),
        ApiError::Validation(_)
    ));
    // The repository is in use.
    assert!(matches!(
        h.err(
            "DeleteRepository",
            json!({"provider": "GITHUB", "name": "o/r"})
        ),
        ApiError::Conflict(_)
    ));
}

#[test]
fn customer_managed_environments_take_their_outputs_from_the_spec() {
    let h = Harness::new(1.0);
    h.ok(
        "CreateRepository",
        json!({"provider": "GITHUB", "name": "o/r", "connectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/x"}),
    );
    h.published_env_template("imported", json!({"provisioning": "CUSTOMER_MANAGED"}));
    assert!(matches!(
        h.err(
            "CreateEnvironment",
            json!({"name": "e", "templateName": "imported", "templateMajorVersion": "1", "spec": SPEC,
                   "provisioningRepository": {"provider": "GITHUB", "name": "o/r", "branch": "main"}}),
        ),
        ApiError::Validation(_)
    ));
    let e = h.environment("e", "imported", SPEC);
    assert_eq!(e["environment"]["provisioning"], "CUSTOMER_MANAGED");
    h.tick(1.0);
    assert_eq!(env_status(&h, "e"), "SUCCEEDED");
    let out = h.ok("ListEnvironmentOutputs", json!({"environmentName": "e"}));
    assert_eq!(out["outputs"], json!([{"key": "a", "valueString": "one"}]));
}

#[test]
fn services_need_pipeline_settings_and_one_to_twenty_instances() {
    let h = Harness::new(0.0);
    h.published_env_template("et", json!({}));
    h.environment("e", "et", SPEC);
    h.ok("CreateServiceTemplate", json!({"name": "st"}));
    h.ok(
        "CreateServiceTemplateVersion",
        json!({"templateName": "st", "source": {"s3": {"bucket": "b-1", "key": "k"}},
               "compatibleEnvironmentTemplates": [{"templateName": "et", "majorVersion": "1"}]}),
    );
    h.tick(1.0);
    h.ok(
        "UpdateServiceTemplateVersion",
        json!({"templateName": "st", "majorVersion": "1", "minorVersion": "0", "status": "PUBLISHED"}),
    );
    let repo = json!({"repositoryConnectionArn": "arn:aws:codestar-connections:us-east-1:000000000000:connection/x",
                      "repositoryId": "o/app", "branchName": "main"});
    let create = |name: &str, spec: String| {
        let mut body = repo.clone();
        if let Some(o) = body.as_object_mut() {
            o.insert("name".into(), json!(name));
            o.insert("templateName".into(), json!("st"));
            o.insert("templateMajorVersion".into(), json!("1"));
            o.insert("spec".into(), json!(spec));
        }
        h.call("CreateService", body)
    };
    let one = "proton: ServiceSpec\ninstances:\n  - name: i0\n    environment: e\n".to_string();
    // No pipeline role in the account settings yet.
    assert!(
        matches!(create("s", one.clone()), Err(ApiError::Validation(m)) if m.contains("pipelineServiceRoleArn"))
    );
    h.ok(
        "UpdateAccountSettings",
        json!({"pipelineServiceRoleArn": ROLE}),
    );
    let many: String = (0..21)
        .map(|n| format!("  - name: i{n}\n    environment: e\n"))
        .collect();
    assert!(matches!(
        create("s", format!("proton: ServiceSpec\ninstances:\n{many}")),
        Err(ApiError::QuotaExceeded(_))
    ));
    assert!(matches!(
        create("s", "proton: ServiceSpec\ninstances: []\n".to_string()),
        Err(ApiError::Validation(_))
    ));
    let s = create("s", one).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(s["service"]["pipeline"].is_object());
    h.tick(1.0);
    assert!(matches!(
        h.err(
            "UpdateService",
            json!({"name": "s", "spec": "proton: ServiceSpec\ninstances: []\n"})
        ),
        ApiError::Validation(_)
    ));
}

#[test]
fn connections_span_two_accounts() {
    let h = Harness::new(0.0);
    let env_acct = "111111111111";
    let c = h
        .call_as(
            env_acct,
            "CreateEnvironmentAccountConnection",
            json!({"managementAccountId": ACCOUNT, "environmentName": "e", "roleArn": ROLE}),
        )
        .unwrap();
    let id = c["environmentAccountConnection"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Visible to both accounts, not to a third.
    h.ok("GetEnvironmentAccountConnection", json!({"id": id}));
    assert!(
        h.call_as(
            "222222222222",
            "GetEnvironmentAccountConnection",
            json!({"id": id})
        )
        .is_err()
    );
    assert!(matches!(
        h.call_as(
            env_acct,
            "AcceptEnvironmentAccountConnection",
            json!({"id": id})
        ),
        Err(ApiError::AccessDenied(_))
    ));
    h.published_env_template("t", json!({}));
    let e = h.call(
        "CreateEnvironment",
        json!({"name": "e", "templateName": "t", "templateMajorVersion": "1", "spec": SPEC, "environmentAccountConnectionId": id}),
    );
    assert!(
        matches!(e, Err(ApiError::Validation(_))),
        "pending connections can't be used"
    );
    h.ok("AcceptEnvironmentAccountConnection", json!({"id": id}));
    let e = h.ok(
        "CreateEnvironment",
        json!({"name": "e", "templateName": "t", "templateMajorVersion": "1", "spec": SPEC, "environmentAccountConnectionId": id}),
    );
    assert_eq!(e["environment"]["environmentAccountId"], env_acct);
    assert!(matches!(
        h.err("RejectEnvironmentAccountConnection", json!({"id": id})),
        ApiError::Conflict(_)
    ));
    // Only the environment account deletes, even a connection in use.
    assert!(matches!(
        h.err("DeleteEnvironmentAccountConnection", json!({"id": id})),
        ApiError::AccessDenied(_)
    ));
    h.call_as(
        env_acct,
        "DeleteEnvironmentAccountConnection",
        json!({"id": id}),
    )
    .unwrap();
    // The stranded environment takes the next accepted connection for it.
    let c = h
        .call_as(
            env_acct,
            "CreateEnvironmentAccountConnection",
            json!({"managementAccountId": ACCOUNT, "environmentName": "e", "roleArn": ROLE}),
        )
        .unwrap();
    let new_id = c["environmentAccountConnection"]["id"].as_str().unwrap();
    h.ok("AcceptEnvironmentAccountConnection", json!({"id": new_id}));
    let e = h.ok("GetEnvironment", json!({"name": "e"}));
    assert_eq!(e["environment"]["environmentAccountConnectionId"], new_id);
}

/// Every List operation with a paginator answers its result list (even when
/// empty) and honours the page size; every client token member is `clientToken`.
#[test]
fn paginators_and_tokens_match_the_model() {
    let h = Harness::new(0.0);
    h.published_env_template("t", json!({}));
    h.ok("CreateEnvironmentTemplateVersion", json!({"templateName": "t", "majorVersion": "1", "source": {"s3": {"bucket": "b-1", "key": "k"}}}));
    h.environment("e", "t", SPEC);
    h.tick(1.0);
    let required = json!({
        "templateName": "t", "environmentName": "e", "requestedBy": "MANAGEMENT_ACCOUNT",
        "resourceArn": "arn:aws:proton:us-east-1:000000000000:environment-template/t",
        "componentName": "c", "serviceName": "s", "serviceInstanceName": "i",
        "repositoryName": "o/r", "repositoryProvider": "GITHUB", "syncType": "TEMPLATE_SYNC",
    });
    let mut checked = 0;
    let mut names: Vec<&String> = h.model.paginators.keys().collect();
    names.sort();
    for op in names {
        let p = &h.model.paginators[op];
        assert_eq!(p.input_token, "nextToken");
        assert_eq!(p.output_token, "nextToken");
        let mut body = json!({});
        let input = h.model.operations[op].input.clone().unwrap();
        let shape = &h.model.shapes[&input];
        for (member, _) in &shape.member_list {
            if !shape.required.contains(member) {
                continue;
            }
            if let Some(v) = required.get(member) {
                body[member] = v.clone();
            }
        }
        if let Some(limit) = &p.limit_key {
            body[limit] = json!(1);
        }
        match h.call(op, body) {
            Ok(v) => {
                let list = v[&p.result_key]
                    .as_array()
                    .unwrap_or_else(|| panic!("{op}: no {} in {v}", p.result_key));
                if p.limit_key.is_some() {
                    assert!(list.len() <= 1, "{op} ignored the page size");
                }
                checked += 1;
            }
            // Operations that need a resource this setup lacks (services, components).
            Err(ApiError::NotFound(_)) => {}
            Err(e) => panic!("{op}: {e:?}"),
        }
    }
    assert!(checked >= 12, "only {checked} paginated operations checked");
    for op in h.model.operations.keys() {
        if let Some(m) = h.model.idempotency_token_member(op) {
            assert_eq!(m, "clientToken", "{op}");
        }
    }
}

#[test]
fn quotas_are_enforced() {
    let h = Harness::new(0.0);
    h.ok("CreateEnvironmentTemplate", json!({"name": "t"}));
    for _ in 0..crate::ops::quotas::limit("template-versions") - 1 {
        h.engine
            .call(
                "CreateEnvironmentTemplateVersion",
                ACCOUNT,
                REGION,
                br#"{"templateName":"t","source":{"s3":{"bucket":"b-1","key":"k"}}}"#,
            )
            .unwrap();
    }
    h.ok(
        "CreateEnvironmentTemplateVersion",
        json!({"templateName": "t", "source": {"s3": {"bucket": "b-1", "key": "k"}}}),
    );
    let e = h.err(
        "CreateEnvironmentTemplateVersion",
        json!({"templateName": "t", "source": {"s3": {"bucket": "b-1", "key": "k"}}}),
    );
    assert_eq!(e.status(), 402);

    // Environment and service templates count together (100 by default).
    for n in 1..100 {
        let op = if n % 2 == 0 {
            "CreateEnvironmentTemplate"
        } else {
            "CreateServiceTemplate"
        };
        h.ok(op, json!({ "name": format!("t{n}") }));
    }
    let e = h.err("CreateServiceTemplate", json!({"name": "t100"}));
    assert!(matches!(e, ApiError::QuotaExceeded(_)), "{e:?}");
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn ops() -> Vec<String> {
        let mut v: Vec<String> = shared_model().operations.keys().cloned().collect();
        v.sort();
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

        /// Arbitrary bytes never crash the request path.
        #[test]
        fn arbitrary_bodies(op_index in 0usize..87, body in proptest::collection::vec(any::<u8>(), 0..200)) {
            let h = Harness::new(0.0);
            let ops = ops();
            let op = &ops[op_index % ops.len()];
            let _ = h.engine.call(op, ACCOUNT, REGION, &body);
        }

        /// JSON objects with plausible members of random types never crash it either.
        #[test]
        fn arbitrary_json(op_index in 0usize..87, keys in proptest::collection::vec("[a-zA-Z]{1,12}", 0..6),
                          vals in proptest::collection::vec(prop_oneof![
                              Just(json!(null)), Just(json!("x")), Just(json!(1)), Just(json!([])),
                              Just(json!({})), Just(json!("arn:aws:proton:us-east-1:000000000000:environment/e")),
                              Just(json!({"s3": {"bucket": "abc", "key": "k"}})), Just(json!(true))], 0..6)) {
            let h = Harness::new(0.0);
            let ops = ops();
            let op = &ops[op_index % ops.len()];
            let mut body = serde_json::Map::new();
            for (k, v) in keys.iter().zip(vals.iter()) {
                body.insert(k.clone(), v.clone());
            }
            // Common member names so requests get past validation sometimes.
            for (k, v) in [("name", "n1"), ("templateName", "t1"), ("serviceName", "s1"), ("id", "x")] {
                body.entry(k.to_string()).or_insert(json!(v));
            }
            let _ = h.engine.call(op, ACCOUNT, REGION, Value::Object(body).to_string().as_bytes());
        }
    }
}

fn state_json(h: &Harness) -> String {
    h.engine.with_state(|s| serde_json::to_string(s).unwrap())
}

fn walks(h: &Harness) -> u64 {
    h.engine.with_state(|s| s.walks())
}

#[test]
fn the_clock_walks_only_when_something_is_due() {
    let h = Harness::new(5.0);
    for i in 0..20 {
        h.ok(
            "CreateEnvironmentTemplate",
            json!({"name": format!("t{i}")}),
        );
    }
    let before = walks(&h);
    for _ in 0..50 {
        h.ok("GetEnvironmentTemplate", json!({"name": "t3"}));
        h.tick(60.0);
    }
    assert_eq!(walks(&h), before, "nothing was due, yet the clock walked");

    h.published_env_template("et", json!({}));
    let created = h.environment("e", "et", SPEC);
    let dep = created["environment"]["lastAttemptedDeploymentId"]
        .as_str()
        .unwrap()
        .to_string();
    h.tick(4.999);
    assert_eq!(env_status(&h, "e"), "IN_PROGRESS");
    h.tick(0.001);
    assert_eq!(env_status(&h, "e"), "SUCCEEDED");
    let d = h.ok("GetDeployment", json!({"id": dep}));
    assert_eq!(
        d["deployment"]["completedAt"],
        json!(T0 + 3000.0 + 100.0 + 5.0)
    );

    // Done: reads stop walking again.
    let settled = walks(&h);
    for _ in 0..20 {
        h.ok("GetEnvironment", json!({"name": "e"}));
        h.tick(1.0);
    }
    assert_eq!(walks(&h), settled);
}

#[test]
fn failed_mutations_leave_no_trace() {
    let h = Harness::new(0.0);
    h.ok("CreateEnvironmentTemplate", json!({"name": "t"}));
    let arn = h.ok("GetEnvironmentTemplate", json!({"name": "t"}))["environmentTemplate"]["arn"]
        .as_str()
        .unwrap()
        .to_string();
    let tags = |range: std::ops::Range<usize>| -> Value {
        range
            .map(|i| json!({"key": format!("k{i}"), "value": "v"}))
            .collect()
    };
    h.ok(
        "TagResource",
        json!({"resourceArn": arn, "tags": tags(0..40)}),
    );
    let before = state_json(&h);
    // Inserts 20 tags, then finds there are too many.
    h.err(
        "TagResource",
        json!({"resourceArn": arn, "tags": tags(40..60)}),
    );
    assert_eq!(state_json(&h), before);
    // A failed mutation in a region never seen before leaves no partition behind.
    let e = h.engine.call(
        "UpdateEnvironmentTemplate",
        ACCOUNT,
        "eu-west-3",
        br#"{"name":"nope","description":"d"}"#,
    );
    assert!(matches!(e, Err(ApiError::NotFound(_))), "{e:?}");
    assert_eq!(state_json(&h), before);
}

mod lifecycle_model {
    use super::*;
    use proptest::prelude::*;

    const NAMES: [&str; 3] = ["a", "b", "c"];

    /// Plausible requests over a few names, so sequences create, deploy, fail and delete things.
    fn request(kind: usize, n: usize) -> (&'static str, Value) {
        let name = NAMES[n % NAMES.len()];
        let svc_spec = format!(
            "proton: ServiceSpec\ninstances:\n  - name: i1\n    environment: {name}\n  - name: i2\n    environment: {}\n",
            NAMES[(n + 1) % NAMES.len()]
        );
        match kind % 16 {
            0 => ("CreateEnvironmentTemplate", json!({"name": "et"})),
            1 => (
                "CreateEnvironmentTemplateVersion",
                json!({"templateName": "et", "source": {"s3": {"bucket": "b-1", "key": "k"}}}),
            ),
            2 => (
                "UpdateEnvironmentTemplateVersion",
                json!({"templateName": "et", "majorVersion": "1", "minorVersion": "0", "status": "PUBLISHED"}),
            ),
            3 => (
                "CreateEnvironment",
                json!({"name": name, "templateName": "et", "templateMajorVersion": "1",
                       "spec": SPEC, "protonServiceRoleArn": ROLE, "componentRoleArn": ROLE,
                       "clientToken": format!("tok-{n}")}),
            ),
            4 => (
                "UpdateEnvironment",
                json!({"name": name, "deploymentType": "CURRENT_VERSION",
                       "spec": "proton: EnvironmentSpec\nspec:\n  proton_local_fail: no\n"}),
            ),
            5 => (
                "CancelEnvironmentDeployment",
                json!({"environmentName": name}),
            ),
            6 => ("DeleteEnvironment", json!({"name": name})),
            7 => (
                "CreateServiceTemplate",
                json!({"name": "st", "pipelineProvisioning": "CUSTOMER_MANAGED"}),
            ),
            8 => (
                "CreateServiceTemplateVersion",
                json!({"templateName": "st", "source": {"s3": {"bucket": "b-1", "key": "k"}},
                       "compatibleEnvironmentTemplates": [{"templateName": "et", "majorVersion": "1"}]}),
            ),
            9 => (
                "UpdateServiceTemplateVersion",
                json!({"templateName": "st", "majorVersion": "1", "minorVersion": "0", "status": "PUBLISHED"}),
            ),
            10 => (
                "CreateService",
                json!({"name": name, "templateName": "st", "templateMajorVersion": "1", "spec": svc_spec}),
            ),
            11 => (
                "UpdateService",
                json!({"name": name, "spec": format!("proton: ServiceSpec\ninstances:\n  - name: i1\n    environment: {name}\n")}),
            ),
            12 => ("DeleteService", json!({"name": name})),
            13 => ("DeleteEnvironmentTemplate", json!({"name": "et"})),
            14 => (
                "DeleteEnvironmentTemplateVersion",
                json!({"templateName": "et", "majorVersion": "1", "minorVersion": "0"}),
            ),
            _ => ("GetResourcesSummary", json!({})),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

        /// After every request: a failed mutation changed nothing, and skipping
        /// the walk never misses a deadline (a full walk finds nothing to do).
        #[test]
        fn undo_and_deadlines_match_a_full_walk(
            steps in proptest::collection::vec((0usize..16, 0usize..3, 0usize..4), 1..60)
        ) {
            let h = Harness::new(2.0);
            for (kind, n, tick) in steps {
                h.tick([0.0, 0.5, 2.0, 3.0][tick]);
                let now = h.clock.now();
                // Bring the state to `now` first, so `before` is what the request starts from.
                let before = h.engine.with_state(|s| {
                    crate::ops::lifecycle::advance(s, now);
                    let gated = serde_json::to_string(s).unwrap();
                    let mut full = s.clone();
                    full.forget_deadlines();
                    crate::ops::lifecycle::advance(&mut full, now);
                    assert_eq!(serde_json::to_string(&full).unwrap(), gated, "a deadline was missed");
                    gated
                });
                let (op, body) = request(kind, n);
                let out = h.engine.call(op, ACCOUNT, REGION, body.to_string().as_bytes());
                if out.is_err() && crate::ops::is_mutation(op) {
                    prop_assert_eq!(state_json(&h), before, "{} left a trace", op);
                }
            }
        }

        /// With --state: after every acknowledged mutation, what a restart
        /// loads (snapshot plus journal) is the state in memory, whatever
        /// compactions happened on the way.
        #[test]
        fn a_restart_loads_the_state_in_memory(
            steps in proptest::collection::vec((0usize..16, 0usize..3, 0usize..4), 1..40),
            min_journal in prop_oneof![Just(0u64), 0..20_000u64],
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("state.json");
            let (mut p, s) = Persister::open(&path).unwrap();
            p.set_min_journal(min_journal);
            let h = Harness::with_state(2.0, Some(p), s);
            for (kind, n, tick) in steps {
                h.tick([0.0, 0.5, 2.0, 3.0][tick]);
                let (op, body) = request(kind, n);
                let out = h.engine.call(op, ACCOUNT, REGION, body.to_string().as_bytes());
                if out.is_ok() && crate::ops::is_mutation(op) {
                    let (_, loaded) = Persister::open(&path).unwrap();
                    prop_assert_eq!(serde_json::to_string(&loaded).unwrap(), state_json(&h), "after {}", op);
                }
            }
        }
    }
}
