//! Bad input (issue 7, item 6), table-driven over every type the provider registers
//! (`provider::engine()`: resources, data sources, actions, list resources and the provider block), so a
//! type added later is covered without touching this file.
//!
//! Cases are derived from each attribute's declared constraints: names and version parts that break
//! their patterns, malformed ARNs, values outside an enum, oversized descriptions and specs, YAML that
//! does not parse, lists of the wrong size, unknown durations in `timeouts`, arguments that conflict,
//! nested objects missing required fields. Each must give an error diagnostic at exactly that
//! attribute's path, from Validate*Config over real gRPC; the same attribute left unknown must pass.
//! The provider is configured against proton-local throughout, and plans the invalid resources too:
//! proton-local must record zero requests. A sample then goes through real Terraform (1.15.5 and
//! 1.0.3): `validate` points at each bad attribute, `plan` fails, and proton-local again saw nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use proton_test_support::{ProtonLocal, Terraform, Workspace};
use serde_json::Value as Json;
use terraform_provider_proton::engine::{ConfigRule, Engine};
use terraform_provider_proton::provider;
use terraform_provider_proton::server::proto::tfplugin6 as pb;
use terraform_provider_proton::server::proto::tfplugin6::provider_client::ProviderClient;
use terraform_provider_proton::server::proto::tfplugin6::provider_server::ProviderServer;
use terraform_provider_proton::server::provider_service::ProviderService;
use terraform_provider_proton::tf::codec::encode_msgpack;
use terraform_provider_proton::tf::schema::{
    Attribute, AttributeKind, Block, Nesting, Presence, Validator,
};
use terraform_provider_proton::tf::{AttributePath, Diagnostics, Number, Type, Value};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::Channel;

// ------------------------------------------------------------------------------------------------
// Values from constraints
// ------------------------------------------------------------------------------------------------

fn violates(validator: &Validator, value: &Value) -> bool {
    let mut diags = Diagnostics::new();
    validator.check(value, &AttributePath::attribute("x"), &mut diags);
    diags.has_errors()
}

/// Plausible strings; the first one every validator accepts is the attribute's valid value.
const CANDIDATES: &[&str] = &[
    "abc",
    "a",
    "1",
    "0",
    "org/repo",
    "arn:aws:iam::000000000000:role/proton-role",
    "arn:aws:proton:us-east-1:000000000000:environment/e",
    "0123abcd-0123-4567-89ab-0123456789ab",
    "000000000000",
    "a: 1\n",
    "30m",
    "bundles",
];

/// A value of the attribute's type that its validators accept, when one is easy to find.
fn valid_value(attribute: &Attribute) -> Option<Value> {
    let accepts = |v: &Value| !attribute.validators.iter().any(|val| violates(val, v));
    match &attribute.kind {
        AttributeKind::Primitive(Type::String) => {
            for validator in &attribute.validators {
                if let Validator::OneOf(options) = validator {
                    return options.first().map(|o| Value::string(*o));
                }
            }
            CANDIDATES
                .iter()
                .map(|c| Value::string(*c))
                .find(|v| accepts(v))
        }
        AttributeKind::Primitive(Type::Bool) => Some(Value::bool(true)),
        AttributeKind::Primitive(Type::Number) => Some(Value::number(Number::from_i64(1))),
        AttributeKind::Primitive(Type::List(inner)) if **inner == Type::String => {
            Some(Value::List(vec![Value::string("abc")])).filter(|v| accepts(v))
        }
        AttributeKind::Primitive(Type::Set(inner)) if **inner == Type::String => {
            Some(Value::Set(vec![Value::string("abc")])).filter(|v| accepts(v))
        }
        AttributeKind::Nested {
            nesting: Nesting::Single,
            attributes,
        } => {
            let mut fields = BTreeMap::new();
            for child in attributes {
                let value = if child.presence == Presence::Required {
                    valid_value(child)?
                } else {
                    Value::Null
                };
                fields.insert(child.name.clone(), value);
            }
            Some(Value::Object(fields))
        }
        AttributeKind::Primitive(Type::Map(inner)) if **inner == Type::String => Some(Value::Map(
            BTreeMap::from([("k".to_string(), Value::string("v"))]),
        )),
        _ => None,
    }
}

/// A collection of `count` elements shaped like the attribute's value (set elements distinct).
fn collection(attribute: &Attribute, count: usize) -> Option<Value> {
    match attribute.value_type() {
        Type::List(inner) => {
            let element = match &*inner {
                Type::String => Value::string("abc"),
                other => null_of(other),
            };
            Some(Value::List(vec![element; count]))
        }
        Type::Set(inner) if *inner == Type::String => Some(Value::Set(
            (0..count)
                .map(|i| Value::string(format!("abc{i}")))
                .collect(),
        )),
        Type::Map(_) => Some(Value::Map(
            (0..count)
                .map(|i| (format!("k{i}"), Value::string("v")))
                .collect(),
        )),
        _ => None,
    }
}

/// (label, value) pairs that break `validator`, for an attribute of this shape.
fn invalid_values(attribute: &Attribute, validator: &Validator) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    match validator {
        Validator::Length { min, max } => {
            out.push((
                format!("{} characters", max + 1),
                Value::string("a".repeat(max + 1)),
            ));
            if *min > 0 {
                out.push(("empty".into(), Value::string("")));
            }
        }
        Validator::Pattern(_) => {
            let bad = ["bad name!", "01", "-x", " ", "Not/Valid Value", "x"]
                .iter()
                .map(|c| Value::string(*c))
                .find(|v| violates(validator, v));
            if let Some(bad) = bad {
                out.push((
                    format!("pattern broken by {:?}", bad.as_str().unwrap_or("")),
                    bad,
                ));
            }
        }
        Validator::OneOf(_) => out.push(("not in the enum".into(), Value::string("NOT_A_CHOICE"))),
        Validator::IamRoleArn => out.push((
            "a user ARN, not a role".into(),
            Value::string("arn:aws:iam::000000000000:user/someone"),
        )),
        Validator::Arn => out.push(("not an ARN".into(), Value::string("not-an-arn"))),
        Validator::Yaml => out.push((
            "YAML that does not parse".into(),
            Value::string("spec: [unclosed\n  - {"),
        )),
        Validator::Size { min, max } => {
            if let Some(v) = collection(attribute, max + 1) {
                out.push((format!("{} elements", max + 1), v));
            }
            if *min > 0
                && let Some(v) = collection(attribute, 0)
            {
                out.push(("no elements".into(), v));
            }
        }
        Validator::Each(inner) => {
            let bad = match &**inner {
                Validator::OneOf(_) => Some(Value::string("NOT_A_CHOICE")),
                Validator::Pattern(_) => Some(Value::string("bad name!")),
                Validator::Length { max, .. } => Some(Value::string("a".repeat(max + 1))),
                _ => None,
            };
            if let Some(bad) = bad.filter(|b| violates(inner, b)) {
                let items = vec![bad];
                let value = match attribute.value_type() {
                    Type::Set(_) => Value::Set(items),
                    _ => Value::List(items),
                };
                out.push(("an element breaks the rule".into(), value));
            }
        }
    }
    out
}

fn null_of(ty: &Type) -> Value {
    match ty {
        Type::Object { attributes, .. } => Value::Object(
            attributes
                .keys()
                .map(|k| (k.clone(), Value::Null))
                .collect(),
        ),
        _ => Value::Null,
    }
}

// ------------------------------------------------------------------------------------------------
// Paths into configuration objects
// ------------------------------------------------------------------------------------------------

/// One step from an object down to a nested value: into an attribute, then (for list/set nesting)
/// into its single element.
#[derive(Clone, Debug)]
struct Step {
    name: String,
    nesting: Option<Nesting>,
    ty: Type,
}

/// Sets `value` at the end of `steps` inside `object`, creating the nested objects on the way.
fn set_at(object: &mut Value, steps: &[Step], value: Value) {
    let Some((first, rest)) = steps.split_first() else {
        return;
    };
    let Value::Object(fields) = object else {
        return;
    };
    if rest.is_empty() {
        fields.insert(first.name.clone(), value);
        return;
    }
    let element_type = match (&first.nesting, &first.ty) {
        (Some(Nesting::List | Nesting::Set), Type::List(t) | Type::Set(t)) => (**t).clone(),
        _ => first.ty.clone(),
    };
    let mut inner = match fields.get(&first.name) {
        Some(Value::Object(_)) => fields.get(&first.name).cloned().unwrap_or(Value::Null),
        Some(Value::List(items) | Value::Set(items)) if !items.is_empty() => items[0].clone(),
        _ => null_of(&element_type),
    };
    set_at(&mut inner, rest, value);
    let wrapped = match first.nesting {
        Some(Nesting::List) => Value::List(vec![inner]),
        Some(Nesting::Set) => Value::Set(vec![inner]),
        _ => inner,
    };
    fields.insert(first.name.clone(), wrapped);
}

/// The diagnostic path for `steps` as the engine reports it: `a.b`, `a[0].b`.
fn path_text(steps: &[Step]) -> String {
    let mut text = String::new();
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            text.push('.');
        }
        text.push_str(&step.name);
        if i + 1 < steps.len() && matches!(step.nesting, Some(Nesting::List | Nesting::Set)) {
            text.push_str("[0]");
        }
    }
    text
}

fn diagnostic_path(d: &pb::Diagnostic) -> String {
    use pb::attribute_path::step::Selector;
    let Some(path) = &d.attribute else {
        return String::new();
    };
    let mut text = String::new();
    for step in &path.steps {
        match &step.selector {
            Some(Selector::AttributeName(n)) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(n);
            }
            Some(Selector::ElementKeyInt(i)) => text.push_str(&format!("[{i}]")),
            Some(Selector::ElementKeyString(k)) => text.push_str(&format!("[{k:?}]")),
            None => {}
        }
    }
    text
}

// ------------------------------------------------------------------------------------------------
// Cases
// ------------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Provider,
    Resource,
    DataSource,
    Action,
    List,
}

struct Case {
    kind: Kind,
    type_name: String,
    what: String,
    config: Value,
    /// Diagnostic paths that must carry an error.
    expect: Vec<String>,
    /// The same configuration with the offending value unknown (no error there), if it applies.
    unknown: Option<Value>,
}

struct Schema<'a> {
    kind: Kind,
    type_name: String,
    block: &'a Block,
    ty: Type,
    rules: Vec<ConfigRule>,
}

fn schemas(engine: &Engine) -> Vec<Schema<'_>> {
    let mut all = vec![Schema {
        kind: Kind::Provider,
        type_name: "provider".into(),
        block: &engine.provider_schema().block,
        ty: engine.provider_schema().block.value_type(),
        rules: vec![],
    }];
    for r in engine.resources() {
        all.push(Schema {
            kind: Kind::Resource,
            type_name: r.spec.type_name.into(),
            block: &r.schema.block,
            ty: r.ty.clone(),
            rules: r.spec.rules.clone(),
        });
        if let Some(list) = &r.list {
            all.push(Schema {
                kind: Kind::List,
                type_name: r.spec.type_name.into(),
                block: &list.schema.block,
                ty: list.ty.clone(),
                rules: vec![],
            });
        }
    }
    for d in engine.data_sources() {
        all.push(Schema {
            kind: Kind::DataSource,
            type_name: d.spec.type_name.into(),
            block: &d.schema.block,
            ty: d.ty.clone(),
            rules: d.spec.rules.clone(),
        });
    }
    for a in engine.actions() {
        all.push(Schema {
            kind: Kind::Action,
            type_name: a.spec.type_name.into(),
            block: &a.schema.block,
            ty: a.ty.clone(),
            rules: a.spec.rules.clone(),
        });
    }
    all
}

/// Every configurable attribute reachable in a block (through nested attributes and blocks), with
/// the steps leading to it.
fn attributes_in(block: &Block, prefix: &[Step], out: &mut Vec<(Vec<Step>, Attribute)>) {
    for attribute in &block.attributes {
        if !attribute.presence.is_configurable() {
            continue;
        }
        let nesting = match &attribute.kind {
            AttributeKind::Nested { nesting, .. } => Some(*nesting),
            AttributeKind::Primitive(_) => None,
        };
        let mut steps = prefix.to_vec();
        steps.push(Step {
            name: attribute.name.clone(),
            nesting,
            ty: attribute.value_type(),
        });
        out.push((steps.clone(), attribute.clone()));
        if let AttributeKind::Nested {
            nesting: Nesting::Single | Nesting::List | Nesting::Set,
            attributes,
        } = &attribute.kind
        {
            attributes_in(&Block::new(attributes.clone()), &steps, out);
        }
    }
    for nested in &block.blocks {
        if !matches!(
            nested.nesting,
            Nesting::Single | Nesting::List | Nesting::Set
        ) {
            continue;
        }
        let mut steps = prefix.to_vec();
        steps.push(Step {
            name: nested.name.clone(),
            nesting: Some(nested.nesting),
            ty: nested.value_type(),
        });
        attributes_in(&nested.block, &steps, out);
    }
}

/// Required children of a nested object (attribute or block) at `steps`, for "missing" cases.
fn nested_objects(block: &Block, prefix: &[Step], out: &mut Vec<(Vec<Step>, Vec<String>, Type)>) {
    let mut visit = |name: &str, nesting: Nesting, ty: Type, inner: &Block| {
        if !matches!(nesting, Nesting::Single | Nesting::List | Nesting::Set) {
            return;
        }
        let mut steps = prefix.to_vec();
        steps.push(Step {
            name: name.to_string(),
            nesting: Some(nesting),
            ty,
        });
        let required: Vec<String> = inner
            .attributes
            .iter()
            .filter(|a| a.presence == Presence::Required)
            .map(|a| a.name.clone())
            .collect();
        let element = inner.value_type();
        if !required.is_empty() {
            out.push((steps.clone(), required, element));
        }
        nested_objects(inner, &steps, out);
    };
    for attribute in &block.attributes {
        if let AttributeKind::Nested {
            nesting,
            attributes,
        } = &attribute.kind
            && attribute.presence.is_configurable()
        {
            visit(
                &attribute.name,
                *nesting,
                attribute.value_type(),
                &Block::new(attributes.clone()),
            );
        }
    }
    for nested in &block.blocks {
        visit(
            &nested.name,
            nested.nesting,
            nested.value_type(),
            &nested.block,
        );
    }
}

fn cases(engine: &Engine) -> Vec<Case> {
    let mut cases = Vec::new();
    for schema in schemas(engine) {
        let base = null_of(&schema.ty);
        let mut found = Vec::new();
        attributes_in(schema.block, &[], &mut found);
        for (steps, attribute) in &found {
            for validator in &attribute.validators {
                for (label, bad) in invalid_values(attribute, validator) {
                    let mut config = base.clone();
                    set_at(&mut config, steps, bad);
                    let mut unknown = base.clone();
                    set_at(&mut unknown, steps, Value::Unknown);
                    cases.push(Case {
                        kind: schema.kind,
                        type_name: schema.type_name.clone(),
                        what: format!("{}: {label}", path_text(steps)),
                        config,
                        expect: vec![path_text(steps)],
                        unknown: Some(unknown),
                    });
                }
            }
        }
        // Durations in `timeouts` are checked by the engine, not by a declared validator.
        if schema.kind == Kind::Resource
            && let Some(timeouts) = schema.block.nested_block("timeouts")
        {
            for attribute in &timeouts.block.attributes {
                let steps = [
                    Step {
                        name: "timeouts".into(),
                        nesting: Some(Nesting::Single),
                        ty: timeouts.value_type(),
                    },
                    Step {
                        name: attribute.name.clone(),
                        nesting: None,
                        ty: Type::String,
                    },
                ];
                let mut config = base.clone();
                set_at(&mut config, &steps, Value::string("soon"));
                let mut unknown = base.clone();
                set_at(&mut unknown, &steps, Value::Unknown);
                cases.push(Case {
                    kind: schema.kind,
                    type_name: schema.type_name.clone(),
                    what: format!("{}: not a duration", path_text(&steps)),
                    config,
                    expect: vec![path_text(&steps)],
                    unknown: Some(unknown),
                });
            }
        }
        // Nested objects present without their required fields.
        let mut objects = Vec::new();
        nested_objects(schema.block, &[], &mut objects);
        for (steps, required, element) in objects {
            let mut config = base.clone();
            // The object itself, every field null (set_at builds the wrapping list for lists).
            let mut parent_steps = steps.clone();
            let last = parent_steps.pop();
            let Some(last) = last else { continue };
            let object = null_of(&element);
            let wrapped = match last.nesting {
                Some(Nesting::List) => Value::List(vec![object]),
                Some(Nesting::Set) => Value::Set(vec![object]),
                _ => object,
            };
            parent_steps.push(last.clone());
            set_at(&mut config, &parent_steps, wrapped);
            let expect = required
                .iter()
                .map(|name| {
                    let mut full = steps.clone();
                    full.push(Step {
                        name: name.clone(),
                        nesting: None,
                        ty: Type::String,
                    });
                    path_text(&full)
                })
                .collect();
            cases.push(Case {
                kind: schema.kind,
                type_name: schema.type_name.clone(),
                what: format!("{}: required fields missing", path_text(&steps)),
                config,
                expect,
                unknown: None,
            });
        }
        // Arguments that conflict.
        for rule in &schema.rules {
            let (names, exactly) = match rule {
                ConfigRule::ExactlyOneOf(names) => (*names, true),
                ConfigRule::AtMostOneOf(names) => (*names, false),
            };
            let values: Vec<Option<Value>> = names
                .iter()
                .map(|n| schema.block.attribute(n).and_then(valid_value))
                .collect();
            assert!(
                values.iter().take(2).all(Option::is_some),
                "{}: no valid value found for the rule {rule:?}; extend CANDIDATES",
                schema.type_name
            );
            let mut config = base.clone();
            for (name, value) in names.iter().zip(&values).take(2) {
                if let (Value::Object(fields), Some(value)) = (&mut config, value) {
                    fields.insert(name.to_string(), value.clone());
                }
            }
            let mut unknown = config.clone();
            if let Value::Object(fields) = &mut unknown {
                fields.insert(names[0].to_string(), Value::Unknown);
            }
            cases.push(Case {
                kind: schema.kind,
                type_name: schema.type_name.clone(),
                what: format!("{} and {} together", names[0], names[1]),
                config,
                expect: names.iter().take(2).map(|n| n.to_string()).collect(),
                unknown: Some(unknown),
            });
            if exactly {
                cases.push(Case {
                    kind: schema.kind,
                    type_name: schema.type_name.clone(),
                    what: format!("none of {names:?}"),
                    config: base.clone(),
                    expect: vec![names[0].to_string()],
                    unknown: None,
                });
            }
        }
    }
    cases
}

// ------------------------------------------------------------------------------------------------
// Calling the provider
// ------------------------------------------------------------------------------------------------

async fn serve(engine: Arc<Engine>) -> ProviderClient<Channel> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let service = ProviderService::new(engine);
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(ProviderServer::new(service))
            .serve_with_incoming(no_delay(listener))
            .await
            .expect("serve");
    });
    ProviderClient::connect(format!("http://{address}"))
        .await
        .expect("connect")
}

/// Accepted connections with Nagle's algorithm off: tonic only sets that on listeners it binds
/// itself, and small answers otherwise wait for the peer's delayed ACK (about 40 ms each).
fn no_delay(
    listener: tokio::net::TcpListener,
) -> impl tokio_stream::Stream<Item = std::io::Result<tokio::net::TcpStream>> {
    use tokio_stream::StreamExt as _;
    TcpListenerStream::new(listener).map(|accepted| {
        if let Ok(stream) = &accepted {
            let _ = stream.set_nodelay(true);
        }
        accepted
    })
}

fn dynamic(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(value, ty)
            .unwrap_or_else(|e| panic!("encode {value:?} as {ty:?}: {e}")),
        json: Vec::new(),
    })
}

async fn validate(
    client: &mut ProviderClient<Channel>,
    kind: Kind,
    type_name: &str,
    config: &Value,
    ty: &Type,
) -> Vec<pb::Diagnostic> {
    let config = dynamic(config, ty);
    let type_name = type_name.to_string();
    let answer = match kind {
        Kind::Provider => client
            .validate_provider_config(pb::validate_provider_config::Request { config })
            .await
            .map(|r| r.into_inner().diagnostics),
        Kind::Resource => client
            .validate_resource_config(pb::validate_resource_config::Request {
                type_name,
                config,
                client_capabilities: None,
            })
            .await
            .map(|r| r.into_inner().diagnostics),
        Kind::DataSource => client
            .validate_data_resource_config(pb::validate_data_resource_config::Request {
                type_name,
                config,
            })
            .await
            .map(|r| r.into_inner().diagnostics),
        Kind::Action => client
            .validate_action_config(pb::validate_action_config::Request { type_name, config })
            .await
            .map(|r| r.into_inner().diagnostics),
        Kind::List => client
            .validate_list_resource_config(pb::validate_list_resource_config::Request {
                type_name,
                config,
                include_resource_object: None,
                limit: None,
            })
            .await
            .map(|r| r.into_inner().diagnostics),
    };
    answer.unwrap_or_else(|status| panic!("validate call failed: {status}"))
}

fn error_paths(diagnostics: &[pb::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(diagnostic_path)
        .collect()
}

fn configuration(engine: &Engine, endpoint: &str) -> Value {
    let ty = engine.provider_schema().block.value_type();
    let mut config = null_of(&ty);
    if let Value::Object(fields) = &mut config {
        fields.insert("region".into(), Value::string("us-east-1"));
        fields.insert("access_key".into(), Value::string("test"));
        fields.insert("secret_key".into(), Value::string("test"));
        fields.insert(
            "endpoints".into(),
            Value::object([("proton", Value::string(endpoint))]),
        );
    }
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_constraint_of_every_type_is_a_diagnostic_at_its_path_before_any_call() {
    let proton = ProtonLocal::start(&[]);
    let engine = Arc::new(provider::engine());
    let mut client = serve(engine.clone()).await;
    let provider_type = engine.provider_schema().block.value_type();
    let configured = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: dynamic(&configuration(&engine, proton.endpoint()), &provider_type),
            client_capabilities: None,
        })
        .await
        .expect("configure")
        .into_inner();
    assert!(
        configured.diagnostics.is_empty(),
        "{:?}",
        configured.diagnostics
    );

    let types: BTreeMap<(Kind, String), Type> = schemas(&engine)
        .into_iter()
        .map(|s| ((s.kind, s.type_name), s.ty))
        .collect();
    let started = std::time::Instant::now();
    let all = cases(&engine);
    eprintln!("cases built in {:?}", started.elapsed());
    let mut failures = Vec::new();
    let mut per_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    for case in &all {
        *per_kind.entry(case.kind).or_default() += 1;
        let ty = &types[&(case.kind, case.type_name.clone())];
        let got =
            error_paths(&validate(&mut client, case.kind, &case.type_name, &case.config, ty).await);
        for want in &case.expect {
            if !got.contains(want) {
                failures.push(format!(
                    "{:?} {} ({}): no error at {want}; errors at {got:?}",
                    case.kind, case.type_name, case.what
                ));
            }
        }
        if let Some(unknown) = &case.unknown {
            let got =
                error_paths(&validate(&mut client, case.kind, &case.type_name, unknown, ty).await);
            for path in &case.expect {
                if got.contains(path) {
                    failures.push(format!(
                        "{:?} {} ({}): unknown value still an error at {path}",
                        case.kind, case.type_name, case.what
                    ));
                }
            }
        }
        // Terraform stops at validation; the plan of the same configuration must not reach the API
        // either.
        if case.kind == Kind::Resource {
            let planned = client
                .plan_resource_change(pb::plan_resource_change::Request {
                    type_name: case.type_name.clone(),
                    prior_state: dynamic(&Value::Null, ty),
                    proposed_new_state: dynamic(&case.config, ty),
                    config: dynamic(&case.config, ty),
                    ..Default::default()
                })
                .await;
            if let Err(status) = planned {
                failures.push(format!(
                    "{} ({}): plan failed as a call: {status}",
                    case.type_name, case.what
                ));
            }
        }
    }
    eprintln!(
        "bad-input cases per kind: {per_kind:?} ({} in all)",
        all.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Every registered type with a constrained attribute was exercised.
    for schema in schemas(&engine) {
        let mut found = Vec::new();
        attributes_in(schema.block, &[], &mut found);
        let constrained = found.iter().any(|(_, a)| !a.validators.is_empty());
        let covered = all
            .iter()
            .any(|c| c.kind == schema.kind && c.type_name == schema.type_name);
        assert!(
            !constrained || covered,
            "{:?} {} has constraints but no case",
            schema.kind,
            schema.type_name
        );
    }
    assert!(per_kind.get(&Kind::Resource).copied().unwrap_or(0) > 100);
    assert!(per_kind.get(&Kind::DataSource).copied().unwrap_or(0) > 20);
    assert!(
        proton.requests().is_empty(),
        "validation and planning of bad input called the API:\n{}",
        proton.requests().join("\n")
    );
}

/// New types get constraints: every configurable string of resources, data sources and actions has
/// at least one validator; descriptions stop at 500 characters and YAML specs at 51200, as Proton's
/// model does.
#[test]
fn every_configurable_string_is_constrained() {
    // Free-form by design: a filter value's shape depends on its key.
    let free_form = [("proton_service_instances", "filters.value")];
    let engine = provider::engine();
    let mut problems = Vec::new();
    for schema in schemas(&engine) {
        if schema.kind == Kind::Provider {
            continue;
        }
        let mut found = Vec::new();
        attributes_in(schema.block, &[], &mut found);
        for (steps, attribute) in found {
            let path = path_text(&steps).replace("[0]", "");
            if path.starts_with("timeouts.") || path == "tags" {
                continue;
            }
            let is_string = matches!(attribute.kind, AttributeKind::Primitive(Type::String));
            if is_string
                && attribute.validators.is_empty()
                && !free_form.contains(&(schema.type_name.as_str(), path.as_str()))
            {
                problems.push(format!("{} {path}: no validator", schema.type_name));
            }
            let max_length = attribute.validators.iter().find_map(|v| match v {
                Validator::Length { max, .. } => Some(*max),
                _ => None,
            });
            if attribute.name == "description" && max_length != Some(500) {
                problems.push(format!(
                    "{} {path}: description not limited to 500",
                    schema.type_name
                ));
            }
            let is_yaml = attribute
                .validators
                .iter()
                .any(|v| matches!(v, Validator::Yaml));
            if is_yaml && max_length.is_none_or(|max| max > 51_200) {
                problems.push(format!(
                    "{} {path}: YAML without a size limit",
                    schema.type_name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ------------------------------------------------------------------------------------------------
// A sample through real Terraform
// ------------------------------------------------------------------------------------------------

const BAD_PROVIDER: &str = r#"
provider "proton" {
  region     = "us-east-1"
  retry_mode = "eventually"
  assume_role {
    role_arn = "arn:aws:iam::000000000000:user/u"
  }
}

# Terraform validates a provider block only when something uses the provider.
resource "proton_environment_template" "ok" {
  name = "ok"
}
"#;

const SAMPLE: &str = r#"
provider "proton" {
  region = "us-east-1"
}

resource "proton_environment_template" "bad_name" {
  name = "bad name!"
}

resource "proton_environment_template" "long_description" {
  name        = "ok"
  description = "LONG"
}

resource "proton_environment_template_version" "bad_version" {
  template_name = "ok"
  major_version = "01"
  source = {
    s3 = {
      bucket = "Not_A_Bucket"
      key    = "k"
    }
  }
}

resource "proton_environment" "bad_yaml" {
  name                              = "e"
  template_name                     = "ok"
  template_major_version            = "1"
  spec                              = "spec: [unclosed"
  proton_service_role_arn           = "arn:aws:iam::000000000000:role/r"
  environment_account_connection_id = "0123abcd-0123-4567-89ab-0123456789ab"
  codebuild_role_arn                = "arn:aws:iam::000000000000:user/u"
}

resource "proton_repository" "bad_enum" {
  repository_provider = "GITLAB"
  name                = "org/repo"
  connection_arn      = "not-an-arn"
}

resource "proton_service_template_version" "empty_list" {
  template_name                    = "ok"
  source                           = { s3 = { bucket = "bundles", key = "k" } }
  compatible_environment_templates = []
}

resource "proton_environment_template_version" "missing_nested" {
  template_name = "ok"
  source        = { s3 = { bucket = "bundles" } }
}

data "proton_environment_template" "bad" {
  name = "-nope"
}
"#;

/// (address or "provider", attribute) pairs `terraform validate` must point at.
const SAMPLE_EXPECT: &[(&str, &str)] = &[
    ("proton_environment_template.bad_name", "name"),
    (
        "proton_environment_template.long_description",
        "description",
    ),
    (
        "proton_environment_template_version.bad_version",
        "major_version",
    ),
    (
        "proton_environment_template_version.bad_version",
        "source.s3.bucket",
    ),
    ("proton_environment.bad_yaml", "spec"),
    ("proton_environment.bad_yaml", "proton_service_role_arn"),
    (
        "proton_environment.bad_yaml",
        "environment_account_connection_id",
    ),
    ("proton_environment.bad_yaml", "codebuild_role_arn"),
    ("proton_repository.bad_enum", "repository_provider"),
    ("proton_repository.bad_enum", "connection_arn"),
    (
        "proton_service_template_version.empty_list",
        "compatible_environment_templates",
    ),
    (
        "proton_environment_template_version.missing_nested",
        "source",
    ),
    ("data.proton_environment_template.bad", "name"),
];

/// `terraform validate -json` of `config`: the (address, attribute) pairs in `expect` that no error
/// diagnostic points at.
fn unpointed(tf: &Terraform, ws: &Workspace, config: &str, expect: &[(&str, &str)]) -> Vec<String> {
    ws.write_main(config);
    let output = ws.run(&["validate", "-json", "-no-color"]);
    assert!(!output.status.success(), "{tf}: validate must fail");
    let report: Json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{tf}: validate -json: {e}: {}",
            proton_test_support::describe_output(&output)
        )
    });
    let diagnostics = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut missing = Vec::new();
    for (address, attribute) in expect {
        let block_header = if *address == "provider" {
            "provider \"proton\"".to_string()
        } else if let Some(data) = address.strip_prefix("data.") {
            let (ty, name) = data.split_once('.').unwrap_or_default();
            format!("data \"{ty}\" \"{name}\"")
        } else {
            let (ty, name) = address.split_once('.').unwrap_or_default();
            format!("resource \"{ty}\" \"{name}\"")
        };
        // The source line of the attribute (a nested one's innermost line, or its top-level line);
        // Terraform 1.0 cannot place nested attribute paths and shows the block, so there the
        // detail must name the full path.
        let leaf = attribute.rsplit('.').next().unwrap_or(attribute);
        let top = attribute.split('.').next().unwrap_or(attribute);
        let hit = diagnostics.iter().any(|d| {
            let code = d["snippet"]["code"]
                .as_str()
                .unwrap_or_default()
                .trim_start();
            d["severity"] == "error"
                && d["snippet"]["context"]
                    .as_str()
                    .is_some_and(|c| c.starts_with(&block_header))
                && (code.starts_with(leaf)
                    || code.starts_with(top)
                    || d["detail"].as_str().is_some_and(|t| t.contains(attribute)))
        });
        if !hit {
            missing.push(format!(
                "{address}.{attribute} in\n{}",
                serde_json::to_string_pretty(&diagnostics).unwrap_or_default()
            ));
        }
    }
    missing
}

fn bad_input_sample_through_terraform(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    let mut missing = unpointed(
        tf,
        &ws,
        &SAMPLE.replace("LONG", &"x".repeat(501)),
        SAMPLE_EXPECT,
    );
    let plan = ws.run(&["plan", "-input=false", "-no-color"]);
    assert!(!plan.status.success(), "{tf}: plan must fail");
    // A bad provider block stops Terraform before it looks at resources: on its own.
    missing.extend(unpointed(
        tf,
        &ws,
        BAD_PROVIDER,
        &[("provider", "retry_mode"), ("provider", "role_arn")],
    ));
    assert!(
        missing.is_empty(),
        "{tf}: no diagnostic pointing at:\n{}",
        missing.join("\n")
    );
    assert!(
        proton.requests().is_empty(),
        "{tf}: bad input reached the API:\n{}",
        proton.requests().join("\n")
    );
}

proton_test_support::terraform_tests!(bad_input_sample_through_terraform);
