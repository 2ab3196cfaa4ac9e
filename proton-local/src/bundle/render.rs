//! Rendering a bundle's infrastructure for one deployment, as Proton does it:
//! CloudFormation files are Jinja templates rendered with Proton's parameter
//! namespace (`environment`, `service`, `service_instance`, `pipeline`,
//! `service_instances`, `component`) and its filters; Terraform files are
//! copied as they are, with the parameters in generated variable files
//! (`repository`). The outputs a deployment reports carry the names the
//! rendered infrastructure declares.

use std::sync::LazyLock;

use minijinja::value::{Serde, Value as JValue};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};
use regex::Regex;
use serde_json::{Map, Value, json};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Why a deployment's infrastructure could not be rendered. The text is what
/// the deployment's `deploymentStatusMessage` says.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RenderError {
    #[error("Rendering {file} failed: {message}")]
    Template { file: String, message: String },
    #[error("The rendered {file} is not a valid CloudFormation template: {message}")]
    CloudFormation { file: String, message: String },
    #[error("{file} is not valid Terraform (HCL): {message}")]
    Terraform { file: String, message: String },
}

/// What a filter may accept: letters, digits, `_` and `-` (UG parameter-filters).
static SAFE_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new("^[a-zA-Z0-9_-]*$").unwrap()
});
/// An ARN: `arn:partition:service:region:account:resource`.
static ARN: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"^arn:[a-z0-9-]+:[a-zA-Z0-9-]+:[a-z0-9-]*:(\d{12})?:\S+$").unwrap()
});
/// An IAM policy ARN, the pattern `proton_cfn_iam_policy_arns` keeps (UG parameter-filters).
static POLICY_ARN: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)]
    Regex::new(r"^arn:[a-zA-Z-]+:iam::\d{12}:policy/").unwrap()
});

/// Filters that produce YAML blocks (a list or a mapping) return the block
/// between these marks; `expand_blocks` then writes it with the indentation of
/// the line it landed on, which a filter cannot know.
const BLOCK_START: char = '\u{E000}';
const BLOCK_END: char = '\u{E001}';

/// Renders one Jinja template with the parameters of a deployment. References
/// to names that do not exist fail, as in Proton; `default(...)` and
/// `is defined` handle optional ones.
pub fn render_jinja(file: &str, source: &str, params: &Value) -> Result<String, RenderError> {
    let fail = |e: Error| RenderError::Template {
        file: file.to_string(),
        message: e.to_string(),
    };
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // CloudFormation is YAML or JSON: nothing is escaped.
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.add_filter("proton_cfn_sanitize", sanitize);
    env.add_filter(
        "proton_cfn_ecs_task_definition_formatted_env_vars",
        ecs_env_vars,
    );
    env.add_filter(
        "proton_cfn_lambda_function_formatted_env_vars",
        lambda_env_vars,
    );
    env.add_filter("proton_cfn_iam_policy_arns", iam_policy_arns);
    env.add_template(file, source).map_err(fail)?;
    let rendered = env
        .get_template(file)
        .and_then(|t| t.render(JValue::from(Serde(params))))
        .map_err(fail)?;
    Ok(expand_blocks(&rendered))
}

fn filter_error(message: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, message)
}

/// `proton_cfn_sanitize`: the value unchanged if it is safe or an ARN, else rendering fails.
fn sanitize(value: String) -> Result<String, Error> {
    if SAFE_VALUE.is_match(&value) || ARN.is_match(&value) {
        Ok(value)
    } else {
        Err(filter_error(format!(
            "Illegal character(s) detected in \"{value}\". Must match regex ^[a-zA-Z0-9_-]*$ or be a valid ARN"
        )))
    }
}

/// The entries of a mapping (outputs), as strings, in their order.
fn string_entries(filter: &str, map: &JValue) -> Result<Vec<(String, String)>, Error> {
    if map.as_object().is_none() || map.as_str().is_some() {
        return Err(filter_error(format!(
            "{filter} needs a mapping of outputs, not {}",
            map.kind()
        )));
    }
    let mut out = vec![];
    for key in map.try_iter()? {
        let value = map.get_item(&key)?;
        let text = value
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| value.to_string());
        out.push((key.to_string(), text));
    }
    Ok(out)
}

fn check_raw(filter: &str, entries: &[(String, String)], raw: Option<bool>) -> Result<(), Error> {
    if raw == Some(false)
        && let Some((k, v)) = entries.iter().find(|(_, v)| !SAFE_VALUE.is_match(v))
    {
        return Err(filter_error(format!(
            "{filter}: the value of {k} (\"{v}\") must match regex ^[a-zA-Z0-9_-]*$"
        )));
    }
    Ok(())
}

fn block(value: Value, drop_if_empty: bool) -> String {
    let flag = if drop_if_empty { 'D' } else { 'K' };
    format!("{BLOCK_START}{flag}{value}{BLOCK_END}")
}

/// `proton_cfn_ecs_task_definition_formatted_env_vars`: a list of `{Name, Value}`.
fn ecs_env_vars(map: JValue, raw: Option<bool>) -> Result<String, Error> {
    let name = "proton_cfn_ecs_task_definition_formatted_env_vars";
    let entries = string_entries(name, &map)?;
    check_raw(name, &entries, raw)?;
    let list = entries
        .into_iter()
        .map(|(k, v)| json!({"Name": k, "Value": v}))
        .collect();
    Ok(block(Value::Array(list), false))
}

/// `proton_cfn_lambda_function_formatted_env_vars`: a mapping name -> value.
fn lambda_env_vars(map: JValue, raw: Option<bool>) -> Result<String, Error> {
    let name = "proton_cfn_lambda_function_formatted_env_vars";
    let entries = string_entries(name, &map)?;
    check_raw(name, &entries, raw)?;
    let obj: Map<String, Value> = entries
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Ok(block(Value::Object(obj), false))
}

/// `proton_cfn_iam_policy_arns`: the values that are IAM policy ARNs, as more
/// items of the list it is written in (nothing when there are none).
fn iam_policy_arns(map: JValue) -> Result<String, Error> {
    let entries = string_entries("proton_cfn_iam_policy_arns", &map)?;
    let arns = entries
        .into_iter()
        .filter(|(_, v)| POLICY_ARN.is_match(v))
        .map(|(_, v)| Value::String(v))
        .collect();
    Ok(block(Value::Array(arns), true))
}

/// Writes each block a filter produced: on a line of its own, as YAML block
/// lines at that line's indentation; inside other text, as JSON (which YAML
/// reads as a flow collection).
fn expand_blocks(text: &str) -> String {
    if !text.contains(BLOCK_START) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let alone = body.trim_start().starts_with(BLOCK_START)
            && body.trim_end().ends_with(BLOCK_END)
            && body.matches(BLOCK_START).count() == 1;
        if alone {
            let indent = &body[..body.len() - body.trim_start().len()];
            let inner = body.trim();
            let (drop_if_empty, value) = parse_block(inner);
            let lines = yaml_block(&value);
            if lines.is_empty() {
                if !drop_if_empty {
                    out.push_str(indent);
                    out.push_str(&value.to_string());
                    out.push_str(newline);
                }
                continue;
            }
            for l in lines {
                out.push_str(indent);
                out.push_str(&l);
                out.push('\n');
            }
            if newline.is_empty() {
                out.pop();
            }
            continue;
        }
        let mut rest = body;
        while let Some(start) = rest.find(BLOCK_START) {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let (marked, tail) = match after.find(BLOCK_END) {
                Some(e) => (&after[..e], &after[e + BLOCK_END.len_utf8()..]),
                None => (after, ""),
            };
            let (_, value) = parse_block(marked);
            out.push_str(&value.to_string());
            rest = tail;
        }
        out.push_str(rest);
        out.push_str(newline);
    }
    out
}

fn parse_block(marked: &str) -> (bool, Value) {
    let inner = marked
        .trim_start_matches(BLOCK_START)
        .trim_end_matches(BLOCK_END);
    let mut chars = inner.chars();
    let drop_if_empty = chars.next() == Some('D');
    let value = serde_json::from_str(chars.as_str()).unwrap_or(Value::Null);
    (drop_if_empty, value)
}

/// YAML block lines of a list or mapping of scalars (or of mappings of
/// scalars); scalars are JSON strings, which YAML reads as quoted scalars.
fn yaml_block(value: &Value) -> Vec<String> {
    let scalar = |v: &Value| match v {
        Value::String(_) => v.to_string(),
        other => Value::String(other.to_string()).to_string(),
    };
    let mut lines = vec![];
    match value {
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(m) => {
                        for (n, (k, v)) in m.iter().enumerate() {
                            let lead = if n == 0 { "- " } else { "  " };
                            lines.push(format!("{lead}{k}: {}", scalar(v)));
                        }
                    }
                    other => lines.push(format!("- {}", scalar(other))),
                }
            }
        }
        Value::Object(m) => {
            for (k, v) in m {
                lines.push(format!("{}: {}", Value::String(k.clone()), scalar(v)));
            }
        }
        _ => {}
    }
    lines
}

/// An output the infrastructure declares: its name, and its value when the
/// template writes it as a plain value (otherwise CloudFormation or Terraform
/// would compute it).
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredOutput {
    pub name: String,
    pub literal: Option<String>,
}

/// A YAML node that remembers whether it carried a tag (`!Ref`, `!GetAtt`,
/// `!Sub`...): CloudFormation's short forms, which a plain YAML loader drops.
#[derive(Debug, Clone)]
enum Node {
    Scalar { text: String, tagged: bool },
    Seq,
    Map(Vec<(String, Node)>),
}

/// A collection being read: a mapping's entries so far and the key awaiting
/// its value, or a sequence (whose items are not kept).
struct Open {
    entries: Vec<(String, Node)>,
    key: Option<String>,
    sequence: bool,
}

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Open>,
    done: Option<Node>,
}

impl TreeBuilder {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.done.is_none() {
                    self.done = Some(node);
                }
            }
            // Sequences keep no items: only mappings are looked into.
            Some(Open { sequence: true, .. }) => {}
            Some(Open { entries, key, .. }) => match key.take() {
                None => {
                    let k = match node {
                        Node::Scalar { text, .. } => text,
                        _ => String::new(),
                    };
                    *key = Some(k);
                }
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

impl MarkedEventReceiver for TreeBuilder {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        match ev {
            Event::Scalar(text, _, _, tag) => self.push(Node::Scalar {
                text,
                tagged: tag.is_some_and(|t| t.handle != "!!"),
            }),
            Event::Alias(_) => self.push(Node::Scalar {
                text: String::new(),
                tagged: true,
            }),
            Event::MappingStart(..) | Event::SequenceStart(..) => self.stack.push(Open {
                entries: vec![],
                key: None,
                sequence: matches!(ev, Event::SequenceStart(..)),
            }),
            Event::MappingEnd => {
                if let Some(open) = self.stack.pop() {
                    self.push(Node::Map(open.entries));
                }
            }
            Event::SequenceEnd => {
                self.stack.pop();
                self.push(Node::Seq);
            }
            _ => {}
        }
    }
}

fn lookup<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match node {
        Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// The `Outputs` of a rendered CloudFormation template (YAML or JSON), in
/// their order. Short-form tags are read, not evaluated.
pub fn cloudformation_outputs(
    file: &str,
    rendered: &str,
) -> Result<Vec<DeclaredOutput>, RenderError> {
    let mut tree = TreeBuilder::default();
    Parser::new_from_str(rendered)
        .load(&mut tree, false)
        .map_err(|e| RenderError::CloudFormation {
            file: file.to_string(),
            message: e.to_string(),
        })?;
    let Some(root) = tree.done else {
        return Ok(vec![]);
    };
    if !matches!(root, Node::Map(_)) {
        return Err(RenderError::CloudFormation {
            file: file.to_string(),
            message: "the template is not a mapping".to_string(),
        });
    }
    let Some(Node::Map(outputs)) = lookup(&root, "Outputs") else {
        return Ok(vec![]);
    };
    Ok(outputs
        .iter()
        .map(|(name, body)| DeclaredOutput {
            name: name.clone(),
            literal: match lookup(body, "Value") {
                Some(Node::Scalar {
                    text,
                    tagged: false,
                }) => Some(text.clone()),
                _ => None,
            },
        })
        .collect())
}

/// The `output "name"` blocks of Terraform files, in file then block order.
pub fn terraform_outputs<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<DeclaredOutput>, RenderError> {
    let mut out = vec![];
    for (file, text) in files {
        let body = hcl::parse(text).map_err(|e| RenderError::Terraform {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        for b in body.blocks().filter(|b| b.identifier() == "output") {
            let Some(name) = b.labels().first() else {
                continue;
            };
            let literal = b
                .body()
                .attributes()
                .find(|a| a.key() == "value")
                .and_then(|a| match a.expr() {
                    hcl::Expression::String(s) => Some(s.clone()),
                    hcl::Expression::Number(n) => Some(n.to_string()),
                    hcl::Expression::Bool(b) => Some(b.to_string()),
                    _ => None,
                });
            out.push(DeclaredOutput {
                name: name.as_str().to_string(),
                literal,
            });
        }
    }
    Ok(out)
}

/// Output values proton-local reports: a plain value as written; a computed
/// one (`!Ref`, `!GetAtt`, a Terraform expression) as
/// `proton-local:<stack>:<output name>`, the same for every deployment of the
/// same target, like the id of a resource that an update keeps.
pub fn output_values(declared: &[DeclaredOutput], stack: &str) -> Vec<(String, String)> {
    declared
        .iter()
        .map(|o| {
            let value = o
                .literal
                .clone()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| format!("proton-local:{stack}:{}", o.name));
            (o.name.clone(), value)
        })
        .collect()
}

/// Proton's parameters for one deployment. `inputs` are the spec's inputs
/// with the schema's defaults filled in.
pub mod params {
    use serde_json::{Map, Value, json};

    /// An environment as other templates see it.
    #[derive(Debug, Clone, Default)]
    pub struct EnvironmentRef {
        pub name: String,
        pub account_id: String,
        pub outputs: Vec<(String, String)>,
    }

    /// A service as its instances' and pipeline's templates see it.
    #[derive(Debug, Clone, Default)]
    pub struct ServiceRef {
        pub name: String,
        pub branch_name: Option<String>,
        pub repository_connection_arn: Option<String>,
        pub repository_id: Option<String>,
    }

    /// A service instance as its pipeline's template sees it.
    #[derive(Debug, Clone, Default)]
    pub struct InstanceRef {
        pub name: String,
        pub inputs: Map<String, Value>,
        pub outputs: Vec<(String, String)>,
        pub environment: EnvironmentRef,
    }

    fn outputs(list: &[(String, String)]) -> Value {
        Value::Object(
            list.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    }

    fn environment_ref(e: &EnvironmentRef) -> Value {
        json!({"name": e.name, "account_id": e.account_id, "outputs": outputs(&e.outputs)})
    }

    fn service_ref(s: &ServiceRef) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), Value::String(s.name.clone()));
        for (k, v) in [
            ("branch_name", &s.branch_name),
            ("repository_connection_arn", &s.repository_connection_arn),
            ("repository_id", &s.repository_id),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), Value::String(v.clone()));
            }
        }
        Value::Object(m)
    }

    /// `environment.{name, inputs}` (UG env-parameters).
    pub fn environment(name: &str, inputs: &Map<String, Value>) -> Value {
        json!({"environment": {"name": name, "inputs": inputs}})
    }

    /// `service_instance.{name, inputs, components.default}`, `service.*`,
    /// `environment.{name, account_id, outputs}` (UG svc-parameters,
    /// ag-components-iac). With no component attached, the component's
    /// outputs are an empty mapping.
    pub fn service_instance(
        service: &ServiceRef,
        name: &str,
        inputs: &Map<String, Value>,
        environment: &EnvironmentRef,
        component: Option<(&str, &[(String, String)])>,
    ) -> Value {
        let default = match component {
            Some((cname, outs)) => json!({"name": cname, "outputs": outputs(outs)}),
            None => json!({"outputs": {}}),
        };
        json!({
            "service": service_ref(service),
            "service_instance": {"name": name, "inputs": inputs, "components": {"default": default}},
            "environment": environment_ref(environment),
        })
    }

    /// `pipeline.inputs`, `service.*`, and the `service_instances` list
    /// (UG ag-infrastructure-tmp-files-cloudformation).
    pub fn pipeline(
        service: &ServiceRef,
        inputs: &Map<String, Value>,
        instances: &[InstanceRef],
    ) -> Value {
        let list: Vec<Value> = instances
            .iter()
            .map(|i| {
                json!({
                    "name": i.name,
                    "inputs": i.inputs,
                    "outputs": outputs(&i.outputs),
                    "environment": environment_ref(&i.environment),
                })
            })
            .collect();
        json!({"pipeline": {"inputs": inputs}, "service": service_ref(service), "service_instances": list})
    }

    /// The service instance a component is attached to, as its template sees it.
    #[derive(Debug, Clone, Default)]
    pub struct AttachedTo {
        pub service: ServiceRef,
        pub instance: String,
        pub inputs: Map<String, Value>,
    }

    /// `component.name`, `environment.{name, account_id, outputs}`, and when
    /// attached `service.*` and `service_instance.{name, inputs}` (UG comp-parameters).
    pub fn component(
        name: &str,
        environment: &EnvironmentRef,
        attached: Option<&AttachedTo>,
    ) -> Value {
        let mut m = Map::new();
        m.insert("component".into(), json!({"name": name}));
        m.insert("environment".into(), environment_ref(environment));
        if let Some(a) = attached {
            m.insert("service".into(), service_ref(&a.service));
            m.insert(
                "service_instance".into(),
                json!({"name": a.instance, "inputs": a.inputs}),
            );
        }
        Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::params::*;
    use super::*;

    fn inputs(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn environment_template_renders_inputs() {
        let params = environment(
            "dev",
            &inputs(json!({"vpc_cidr": "10.0.0.0/16", "size": 3})),
        );
        let out = render_jinja(
            "cloudformation.yaml",
            "Resources:\n  VPC:\n    Properties:\n      CidrBlock: '{{ environment.inputs.vpc_cidr }}'\n      Name: {{ environment.name }}-{{ environment.inputs.size }}\n",
            &params,
        )
        .unwrap();
        assert!(out.contains("CidrBlock: '10.0.0.0/16'"), "{out}");
        assert!(out.ends_with("Name: dev-3"), "{out}");
    }

    #[test]
    fn unknown_reference_fails_with_the_renderers_message() {
        let params = environment("dev", &Map::new());
        let err = render_jinja(
            "cloudformation.yaml",
            "a: {{ environment.inputs.nope }}\n",
            &params,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("Rendering cloudformation.yaml failed:"),
            "{text}"
        );
        assert!(text.contains("environment.inputs.nope"), "{text}");
        assert!(text.contains("cloudformation.yaml:1"), "{text}");
        let syntax = render_jinja("c.yaml", "a: {{ environment.name \n", &params).unwrap_err();
        assert!(matches!(syntax, RenderError::Template { .. }));
        let filter = render_jinja(
            "c.yaml",
            "a: {{ environment.name | no_such_filter }}\n",
            &params,
        )
        .unwrap_err();
        assert!(filter.to_string().contains("no_such_filter"), "{filter}");
    }

    #[test]
    fn default_filter_covers_missing_component_outputs() {
        let svc = ServiceRef {
            name: "api".into(),
            ..ServiceRef::default()
        };
        let env = EnvironmentRef {
            name: "dev".into(),
            account_id: "000000000000".into(),
            outputs: vec![("VpcId".into(), "vpc-1".into())],
        };
        let p = service_instance(&svc, "one", &Map::new(), &env, None);
        let out = render_jinja(
            "c.yaml",
            "a: {{ service_instance.components.default.outputs.test | default(\"[optional]\") }}\nb: {{ environment.outputs.VpcId }}\nc: {{ service.name }}/{{ service_instance.name }}\n",
            &p,
        )
        .unwrap();
        assert_eq!(out, "a: [optional]\nb: vpc-1\nc: api/one");
        assert!(
            render_jinja(
                "c.yaml",
                "{{ service_instance.components.default.outputs.test }}",
                &p
            )
            .is_err()
        );
    }

    #[test]
    fn pipeline_loops_over_instances() {
        let svc = ServiceRef {
            name: "api".into(),
            ..ServiceRef::default()
        };
        let list = vec![
            InstanceRef {
                name: "one".into(),
                inputs: inputs(json!({"port": 80})),
                ..InstanceRef::default()
            },
            InstanceRef {
                name: "two".into(),
                inputs: inputs(json!({"port": 81})),
                ..InstanceRef::default()
            },
        ];
        let p = pipeline(&svc, &inputs(json!({"unit_test_command": "make"})), &list);
        let out = render_jinja(
            "p.yaml",
            "{% for i in service_instances %}- {{ i.name }}:{{ i.inputs.port }}\n{% endfor %}cmd: {{ pipeline.inputs.unit_test_command }}\n",
            &p,
        )
        .unwrap();
        assert_eq!(out, "- one:80\n- two:81\ncmd: make");
    }

    fn with_component(outs: &[(&str, &str)]) -> Value {
        let outs: Vec<(String, String)> = outs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        service_instance(
            &ServiceRef::default(),
            "one",
            &Map::new(),
            &EnvironmentRef::default(),
            Some(("comp", &outs)),
        )
    }

    #[test]
    fn ecs_and_lambda_filters_write_yaml_blocks_at_their_indentation() {
        let p = with_component(&[("Output1", "hello"), ("Output2", "world")]);
        let src = "Env:\n  {{ service_instance.components.default.outputs | proton_cfn_ecs_task_definition_formatted_env_vars }}\nVars:\n    {{ service_instance.components.default.outputs | proton_cfn_lambda_function_formatted_env_vars }}\nInline: {{ service_instance.components.default.outputs | proton_cfn_lambda_function_formatted_env_vars }}\n";
        let out = render_jinja("c.yaml", src, &p).unwrap();
        assert_eq!(
            out,
            "Env:\n  - Name: \"Output1\"\n    Value: \"hello\"\n  - Name: \"Output2\"\n    Value: \"world\"\nVars:\n    \"Output1\": \"hello\"\n    \"Output2\": \"world\"\nInline: {\"Output1\":\"hello\",\"Output2\":\"world\"}"
        );
        let bad = with_component(&[("O", "a b")]);
        let strict = "{{ service_instance.components.default.outputs | proton_cfn_ecs_task_definition_formatted_env_vars(raw=False) }}";
        assert!(render_jinja("c.yaml", strict, &bad).is_err());
        let relaxed = "{{ service_instance.components.default.outputs | proton_cfn_ecs_task_definition_formatted_env_vars }}";
        assert!(render_jinja("c.yaml", relaxed, &bad).is_ok());
    }

    #[test]
    fn iam_policy_arns_extend_a_list_and_vanish_when_empty() {
        let p = with_component(&[
            ("Output1", "hello"),
            ("PolicyArn1", "arn:aws:iam::123456789012:policy/one"),
            ("PolicyArn2", "arn:aws:iam::123456789012:policy/two"),
        ]);
        let src = "Arns:\n  - !Ref Base\n  {{ service_instance.components.default.outputs | proton_cfn_iam_policy_arns }}\nNext: 1\n";
        let out = render_jinja("c.yaml", src, &p).unwrap();
        assert_eq!(
            out,
            "Arns:\n  - !Ref Base\n  - \"arn:aws:iam::123456789012:policy/one\"\n  - \"arn:aws:iam::123456789012:policy/two\"\nNext: 1"
        );
        let none = with_component(&[("Output1", "hello")]);
        let out = render_jinja("c.yaml", src, &none).unwrap();
        assert_eq!(out, "Arns:\n  - !Ref Base\nNext: 1");
    }

    #[test]
    fn sanitize_accepts_safe_values_and_arns_only() {
        let p = with_component(&[
            ("Output1", "This-is_valid_37"),
            ("Output2", "this::is::incorrect"),
            (
                "SomeArn",
                "arn:aws:some-service::123456789012:some-resource/resource-name",
            ),
        ]);
        let r = |k: &str| {
            render_jinja(
                "c.yaml",
                &format!(
                    "{{{{ service_instance.components.default.outputs.{k} | proton_cfn_sanitize }}}}"
                ),
                &p,
            )
        };
        assert_eq!(r("Output1").unwrap(), "This-is_valid_37");
        assert_eq!(
            r("SomeArn").unwrap(),
            "arn:aws:some-service::123456789012:some-resource/resource-name"
        );
        let err = r("Output2").unwrap_err().to_string();
        assert!(
            err.contains("Illegal character(s) detected in \"this::is::incorrect\""),
            "{err}"
        );
    }

    #[test]
    fn cloudformation_outputs_keep_names_and_plain_values() {
        let t = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  VPC:\n    Type: AWS::EC2::VPC\nOutputs:\n  VpcId:\n    Value: !Ref VPC\n  Arn:\n    Value: !GetAtt VPC.Arn\n  Sub:\n    Value: !Sub '${AWS::StackName}-x'\n  Cidr:\n    Description: the block\n    Value: '10.0.0.0/16'\n  Long:\n    Value:\n      Fn::GetAtt: [VPC, CidrBlock]\n  Joined:\n    Value: !Join ['', [a, b]]\n";
        let outs = cloudformation_outputs("c.yaml", t).unwrap();
        let names: Vec<&str> = outs.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["VpcId", "Arn", "Sub", "Cidr", "Long", "Joined"]);
        let literals: Vec<Option<&str>> = outs.iter().map(|o| o.literal.as_deref()).collect();
        assert_eq!(
            literals,
            [None, None, None, Some("10.0.0.0/16"), None, None]
        );
        let values = output_values(&outs, "AWSProton-dev-abc");
        assert_eq!(
            values[0],
            (
                "VpcId".into(),
                "proton-local:AWSProton-dev-abc:VpcId".into()
            )
        );
        assert_eq!(values[3], ("Cidr".into(), "10.0.0.0/16".into()));
        let json_template = r#"{"Outputs": {"A": {"Value": "x"}, "B": {"Value": {"Ref": "R"}}}}"#;
        let outs = cloudformation_outputs("c.json", json_template).unwrap();
        assert_eq!(outs.len(), 2);
        assert_eq!(outs[0].literal.as_deref(), Some("x"));
        assert!(cloudformation_outputs("c.yaml", "Resources: [\n").is_err());
        assert!(
            cloudformation_outputs("c.yaml", "Resources: {}\n")
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn terraform_outputs_are_the_output_blocks() {
        let main = "locals {\n  name = \"x\"\n}\n# output \"commented\" {}\noutput \"vpc_id\" {\n  value = aws_vpc.this.id\n}\noutput \"greeting\" {\n  value = \"hello\"\n}\n";
        let other = "output \"count\" {\n  value = 3\n}\n";
        let outs = terraform_outputs([("main.tf", main), ("outputs.tf", other)]).unwrap();
        let got: Vec<(&str, Option<&str>)> = outs
            .iter()
            .map(|o| (o.name.as_str(), o.literal.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("vpc_id", None),
                ("greeting", Some("hello")),
                ("count", Some("3"))
            ]
        );
        let err = terraform_outputs([("bad.tf", "output \"x\" {")]).unwrap_err();
        assert!(
            err.to_string().starts_with("bad.tf is not valid Terraform"),
            "{err}"
        );
    }

    #[test]
    fn component_sees_its_instance_only_when_attached() {
        let env = EnvironmentRef {
            name: "dev".into(),
            account_id: "000000000000".into(),
            outputs: vec![("VpcId".into(), "vpc-1".into())],
        };
        let attached = AttachedTo {
            service: ServiceRef {
                name: "api".into(),
                ..ServiceRef::default()
            },
            instance: "one".into(),
            inputs: inputs(json!({"port": 80})),
        };
        let src = "Name: {{ component.name }}-{{ service.name }}-{{ service_instance.name }}-{{ service_instance.inputs.port }}-{{ environment.name }}-{{ environment.outputs.VpcId }}\n";
        let p = component("queue", &env, Some(&attached));
        assert_eq!(
            render_jinja("c.yaml", src, &p).unwrap(),
            "Name: queue-api-one-80-dev-vpc-1"
        );
        let alone = component("queue", &env, None);
        let err = render_jinja("c.yaml", src, &alone).unwrap_err();
        assert!(err.to_string().contains("undefined"), "{err}");
    }
}
