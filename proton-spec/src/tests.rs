//! Cases in the shapes of the User Guide's schema and spec examples (own names and values).

use serde_json::json;

use crate::{SchemaKind, SpecError, TemplateSchema};

/// An environment schema like the User Guide's: one required input, two with defaults.
const ENV_SCHEMA: &str = r#"
schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "ClusterEnvironmentInput"
  types:
    ClusterEnvironmentInput:
      type: object
      description: "Inputs of the shared cluster"
      properties:
        greeting:
          type: string
          description: "Printed by the demo stack"
          default: "good morning"
        team_name:
          type: string
          description: "Owner of the cluster"
          minLength: 2
          maxLength: 12
        suffix:
          type: string
          default: "?"
        network_cidr:
          type: string
          title: "VPC range"
          pattern: '^([0-9]{1,3}\.){3}[0-9]{1,3}/(16|20|24)$'
          default: 172.16.0.0/16
      required:
        - team_name
"#;

/// A service schema with a pipeline, like the User Guide's Fargate example.
const SERVICE_SCHEMA: &str = r#"
schema:
  format:
    openapi: "3.0.0"
  service_input_type: "WebServiceInput"
  pipeline_input_type: "WebPipelineInput"
  types:
    WebServiceInput:
      type: object
      properties:
        listen_port:
          type: number
          default: 8080
          minimum: 1
          maximum: 65535
        replicas:
          type: number
          default: 2
          minimum: 1
          maximum: 8
        cpu_size:
          type: string
          enum: [tiny, small, medium, big]
          default: small
        image_tag:
          type: string
          default: ""
        subnets:
          type: array
          items:
            type: string
      required:
        - listen_port
    WebPipelineInput:
      type: object
      properties:
        build_image:
          type: string
          default: "aws/codebuild/standard:7.0"
        test_command:
          type: string
      required: [test_command]
"#;

fn env() -> TemplateSchema {
    TemplateSchema::parse(ENV_SCHEMA).unwrap()
}

fn service() -> TemplateSchema {
    TemplateSchema::parse(SERVICE_SCHEMA).unwrap()
}

fn only(errors: &[SpecError]) -> &SpecError {
    assert_eq!(errors.len(), 1, "{errors:?}");
    &errors[0]
}

#[test]
fn kinds() {
    assert_eq!(env().kind(), SchemaKind::Environment);
    assert_eq!(env().input_type_name(), "ClusterEnvironmentInput");
    assert_eq!(service().kind(), SchemaKind::Service { has_pipeline: true });
    assert_eq!(
        service().pipeline_input_type_name(),
        Some("WebPipelineInput")
    );
}

#[test]
fn environment_spec_gets_defaults() {
    let inputs = env()
        .validate_environment_spec("proton: EnvironmentSpec\nspec:\n  team_name: blue\n")
        .unwrap();
    assert_eq!(
        serde_json::Value::Object(inputs),
        json!({"team_name": "blue", "greeting": "good morning", "suffix": "?", "network_cidr": "172.16.0.0/16"})
    );
}

#[test]
fn environment_spec_errors_name_the_input_and_rule() {
    let schema = env();
    let missing = schema
        .validate_environment_spec("proton: EnvironmentSpec\nspec:\n  greeting: hi\n")
        .unwrap_err();
    let e = only(&missing.0);
    assert_eq!(
        (e.path.as_str(), e.input.as_str(), e.rule.as_str()),
        ("spec.team_name", "team_name", "required")
    );

    let cases = [
        ("{team_name: x}", "team_name", "minLength"),
        ("{team_name: a-very-long-team}", "team_name", "maxLength"),
        ("{team_name: 42}", "team_name", "type"),
        (
            "{team_name: ok, network_cidr: 10.0.0.0/8}",
            "network_cidr",
            "pattern",
        ),
    ];
    for (spec, input, rule) in cases {
        let text = format!("proton: EnvironmentSpec\nspec: {spec}\n");
        let errors = schema.validate_environment_spec(&text).unwrap_err();
        let e = only(&errors.0);
        assert_eq!((e.input.as_str(), e.rule.as_str()), (input, rule), "{spec}");
        assert_eq!(e.path, format!("spec.{input}"));
    }
}

#[test]
fn environment_spec_shape() {
    let schema = env();
    let errors = schema
        .validate_environment_spec("spec:\n  team_name: blue\n")
        .unwrap_err();
    assert_eq!(only(&errors.0).rule, "proton");
    let errors = schema
        .validate_environment_spec("proton: ServiceSpec\nspec:\n  team_name: blue\n")
        .unwrap_err();
    assert_eq!(only(&errors.0).path, "proton");
    let errors = schema
        .validate_environment_spec("proton: EnvironmentSpec\nspec: [1]\n")
        .unwrap_err();
    assert_eq!(only(&errors.0).path, "spec");
    let errors = schema.validate_environment_spec("spec: [").unwrap_err();
    assert_eq!(only(&errors.0).rule, "yaml");
    // Both problems of one spec are reported, one line each.
    let errors = schema.validate_environment_spec("spec: {}\n").unwrap_err();
    assert_eq!(errors.0.len(), 2);
    assert_eq!(errors.to_string().lines().count(), 2);
    assert!(
        service()
            .validate_environment_spec("proton: EnvironmentSpec\n")
            .is_err()
    );
}

#[test]
fn service_spec_with_pipeline_and_instances() {
    let spec = "proton: ServiceSpec
pipeline:
  test_command: make check
instances:
  - name: front-staging
    environment: staging
    spec:
      listen_port: 443
      replicas: 3
      subnets: [a, b]
  - name: front-prod
    environment: prod
";
    let inputs = service().validate_service_spec(spec).unwrap();
    let pipeline = inputs.pipeline.unwrap();
    assert_eq!(pipeline["build_image"], "aws/codebuild/standard:7.0");
    assert_eq!(pipeline["test_command"], "make check");
    assert_eq!(inputs.instances.len(), 2);
    assert_eq!(inputs.instances[0].name, "front-staging");
    assert_eq!(inputs.instances[0].inputs["listen_port"], 443);
    // The second instance has no spec: its defaults are enough, the required port included.
    let prod = &inputs.instances[1];
    assert_eq!(prod.environment, "prod");
    assert_eq!(prod.inputs["listen_port"], 8080);
    assert_eq!(prod.inputs["cpu_size"], "small");
}

#[test]
fn service_spec_errors_point_into_instances() {
    let spec = "proton: ServiceSpec
pipeline: {}
instances:
  - name: one
    environment: staging
  - name: two
    environment: staging
    spec:
      listen_port: 70000
      cpu_size: huge
      subnets: [a, 7]
  - name: one
";
    let errors = service().validate_service_spec(spec).unwrap_err().0;
    let got: Vec<(&str, &str, &str)> = errors
        .iter()
        .map(|e| (e.path.as_str(), e.input.as_str(), e.rule.as_str()))
        .collect();
    for want in [
        ("pipeline.test_command", "test_command", "required"),
        ("instances[1].spec.listen_port", "listen_port", "maximum"),
        ("instances[1].spec.cpu_size", "cpu_size", "enum"),
        ("instances[1].spec.subnets[1]", "subnets[1]", "type"),
        ("instances[2].environment", "", "instances"),
        ("instances[2].name", "", "instances"),
    ] {
        assert!(got.contains(&want), "{want:?} not in {got:?}");
    }
    assert_eq!(got.len(), 6, "{got:?}");
    let enum_error = errors.iter().find(|e| e.rule == "enum").unwrap();
    assert_eq!(
        enum_error.message,
        r#""huge" is not one of ["tiny","small","medium","big"]"#
    );
}

#[test]
fn pipeline_only_with_a_pipeline_input_type() {
    let no_pipeline = SERVICE_SCHEMA.replace("  pipeline_input_type: \"WebPipelineInput\"\n", "");
    let schema = TemplateSchema::parse(&no_pipeline).unwrap();
    assert_eq!(
        schema.kind(),
        SchemaKind::Service {
            has_pipeline: false
        }
    );
    let spec = "proton: ServiceSpec\npipeline:\n  test_command: x\ninstances:\n  - name: a\n    environment: e\n";
    let errors = schema.validate_service_spec(spec).unwrap_err();
    assert_eq!(only(&errors.0).path, "pipeline");
    let ok = schema
        .validate_service_spec("proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n")
        .unwrap();
    assert_eq!(ok.pipeline, None);
    assert!(
        schema
            .validate_pipeline_inputs(&serde_json::Map::new())
            .is_ok()
    );
}

#[test]
fn instance_and_pipeline_inputs_have_relative_paths() {
    let schema = service();
    let inputs = json!({"replicas": 0}).as_object().cloned().unwrap();
    let errors = schema.validate_instance_inputs(&inputs).unwrap_err();
    let e = only(&errors.0);
    assert_eq!((e.path.as_str(), e.rule.as_str()), ("replicas", "minimum"));
    assert_eq!(
        e.to_string(),
        format!(
            "replicas: input `replicas` breaks rule `minimum`: {}",
            e.message
        )
    );
    let ok = schema
        .validate_instance_inputs(&serde_json::Map::new())
        .unwrap();
    assert_eq!(ok["replicas"], 2);
    let errors = schema
        .validate_pipeline_inputs(&serde_json::Map::new())
        .unwrap_err();
    assert_eq!(only(&errors.0).input, "test_command");
    assert!(env().validate_instance_inputs(&inputs).is_err());
}

#[test]
fn instance_and_pipeline_spec_documents() {
    let schema = service();
    // The whole service spec, as the User Guide shows for an instance.
    let whole = "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n  - name: b\n    environment: e\n    spec:\n      replicas: 99\n";
    assert!(schema.validate_instance_spec(whole, "a").is_ok());
    let errors = schema.validate_instance_spec(whole, "b").unwrap_err();
    assert_eq!(only(&errors.0).path, "instances[1].spec.replicas");
    // Inputs under a top-level `spec:`.
    let inputs = schema
        .validate_instance_spec("spec:\n  replicas: 4\n", "a")
        .unwrap();
    assert_eq!(inputs["replicas"], 4);
    let errors = schema
        .validate_pipeline_spec("pipeline:\n  build_image: x\n")
        .unwrap_err();
    assert_eq!(only(&errors.0).path, "pipeline.test_command");
}

#[test]
fn nullable_and_refs() {
    let schema = TemplateSchema::parse(
        r##"
schema:
  format: {openapi: 3.0.3}
  environment_input_type: Input
  types:
    Input:
      type: object
      properties:
        note: {type: string, nullable: true, enum: [a, b]}
        network: {$ref: "#/types/Network"}
    Network:
      type: object
      properties:
        cidr: {type: string, default: 10.1.0.0/16}
        zones: {type: integer, minimum: 1}
      x-owner: platform
"##,
    )
    .unwrap();
    let inputs = schema
        .validate_environment_spec(
            "proton: EnvironmentSpec\nspec:\n  note: ~\n  network: {zones: 2}\n",
        )
        .unwrap();
    assert_eq!(inputs["network"]["cidr"], "10.1.0.0/16");
    let errors = schema
        .validate_environment_spec(
            "proton: EnvironmentSpec\nspec:\n  note: c\n  network: {zones: 0}\n",
        )
        .unwrap_err();
    let got: Vec<_> = errors
        .0
        .iter()
        .map(|e| (e.path.as_str(), e.rule.as_str()))
        .collect();
    assert_eq!(
        got,
        [("spec.note", "enum"), ("spec.network.zones", "minimum")]
    );
}

#[test]
fn schema_errors_name_the_place() {
    let cases = [
        ("not: [valid", "schema.yaml: not valid YAML"),
        ("other: {}", "schema: "),
        (
            "schema: {format: {openapi: 2.0}, environment_input_type: I, types: {I: {type: object, properties: {}}}}",
            "schema.format.openapi: ",
        ),
        (
            "schema: {format: {openapi: 3.0.0}, environment_input_type: I, types: {}}",
            "schema.environment_input_type: names type I",
        ),
        (
            "schema: {format: {openapi: 3.0.0}, environment_input_type: I, pipeline_input_type: I, types: {I: {type: object, properties: {}}}}",
            "schema.pipeline_input_type: ",
        ),
        (
            "schema: {format: {openapi: 3.0.0}, environment_input_type: I, types: {I: {type: object, properties: {port: {type: number, maxValue: 3}}}}}",
            "schema.types.I.properties.port.maxValue: ",
        ),
        (
            "schema: {format: {openapi: 3.0.0}, environment_input_type: I, types: {I: {type: object, properties: {ids: {type: array}}}}}",
            "schema.types.I.properties.ids.items: ",
        ),
        (
            "schema: {format: {openapi: 3.0.0}, environment_input_type: I, types: {I: {type: object, properties: {port: {type: int}}}}}",
            "schema.types.I.properties.port.type: ",
        ),
        (
            "schema: {format: {openapi: 3.0.0}, environment_input_type: I, types: {I: {type: object, properties: {port: {type: number, minimum: low}}}}}",
            "schema.types.I.properties.port.minimum: ",
        ),
        (
            "schema: {format: {openapi: 3.0.0}, environment_input_type: I, types: {I: {type: object, properties: {port: {type: number, maximum: 10, default: 80}}}}}",
            "schema.types.I.properties.port.default: the default breaks rule `maximum`",
        ),
        (
            "schema: {format: {openapi: 3.0.0}, environment_input_type: I, types: {I: {type: string}}}",
            "schema.types.I.type: ",
        ),
        (
            "schema: {format: {openapi: 3.0.0}, environment_input_type: I, types: {I: {type: object, properties: {n: {$ref: '#/components/N'}}}}}",
            "schema.types.I.properties.n.$ref: ",
        ),
    ];
    for (text, start) in cases {
        let error = TemplateSchema::parse(text).unwrap_err().to_string();
        assert!(error.starts_with(start), "{text}\n  gave: {error}");
    }
}

#[test]
fn a_pattern_that_does_not_compile_is_a_schema_error() {
    let text = "schema: {format: {openapi: 3.0.0}, environment_input_type: I, types: {I: {type: object, properties: {name: {type: string, pattern: '(unclosed'}}}}}";
    let error = TemplateSchema::parse(text).unwrap_err().to_string();
    assert!(
        error.starts_with("schema.types.I.properties.name.pattern"),
        "{error}"
    );
}
