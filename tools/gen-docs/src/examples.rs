//! Example configurations: the hand-written files under `examples/`, or, for a type whose example has not
//! been written yet, a skeleton with its required arguments.

use std::io;
use std::path::Path;

use terraform_provider_proton::tf::Type;
use terraform_provider_proton::tf::schema::{
    Attribute, AttributeKind, Block, Nesting, Presence, Semantics, Validator,
};

use crate::DocsError;
use crate::page::quote;

/// Reads an example file; `None` when it does not exist.
pub(crate) fn read_example(path: &Path) -> Result<Option<String>, DocsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DocsError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The example under `examples/<relative>`, or the skeleton when it is missing (noted in `missing`).
pub(crate) fn example_or(
    examples: &Path,
    relative: &str,
    missing: &mut Vec<String>,
    skeleton: impl FnOnce() -> String,
) -> Result<String, DocsError> {
    match read_example(&examples.join(relative))? {
        Some(text) => Ok(text),
        None => {
            missing.push(format!("examples/{relative}"));
            Ok(skeleton())
        }
    }
}

const SKELETON_LABEL: &str = "example";

/// A configuration with the required arguments only, laid out as `terraform fmt` lays it out.
pub(crate) fn skeleton(keyword: &str, type_name: &str, block: &Block) -> String {
    let mut body = String::new();
    push_body(&mut body, &block.attributes, 1);
    if body.is_empty() {
        return format!("{keyword} \"{type_name}\" \"{SKELETON_LABEL}\" {{}}");
    }
    format!("{keyword} \"{type_name}\" \"{SKELETON_LABEL}\" {{\n{body}}}")
}

/// Lines of `name = value` for the required attributes; runs of one-line values get their `=` aligned
/// (a multi-line value ends a run, as in `terraform fmt`).
fn push_body(out: &mut String, attributes: &[Attribute], depth: usize) {
    let mut run: Vec<(String, String)> = Vec::new();
    for attribute in attributes
        .iter()
        .filter(|a| a.presence == Presence::Required)
    {
        let value = sample_value(attribute, depth);
        if value.contains('\n') {
            push_aligned(out, &run, depth);
            run.clear();
            out.push_str(&format!(
                "{}{} = {value}\n",
                "  ".repeat(depth),
                attribute.name
            ));
        } else {
            run.push((attribute.name.clone(), value));
        }
    }
    push_aligned(out, &run, depth);
}

pub(crate) fn push_aligned(out: &mut String, pairs: &[(String, String)], depth: usize) {
    let width = pairs.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, value) in pairs {
        out.push_str(&format!("{}{name:<width$} = {value}\n", "  ".repeat(depth)));
    }
}

fn sample_value(attribute: &Attribute, depth: usize) -> String {
    match &attribute.kind {
        AttributeKind::Primitive(ty) => sample_primitive(attribute, ty),
        AttributeKind::Nested {
            nesting,
            attributes,
        } => {
            let inner = depth + usize::from(*nesting != Nesting::Single);
            let mut object = "{\n".to_string();
            push_body(&mut object, attributes, inner + 1);
            object.push_str(&format!("{}}}", "  ".repeat(inner)));
            match nesting {
                Nesting::Single => object,
                Nesting::List | Nesting::Set => {
                    let pad = "  ".repeat(depth);
                    format!("[\n{pad}  {object},\n{pad}]")
                }
                Nesting::Map => {
                    let pad = "  ".repeat(depth);
                    format!("{{\n{pad}  key = {object}\n{pad}}}")
                }
            }
        }
    }
}

fn sample_primitive(attribute: &Attribute, ty: &Type) -> String {
    let string = || {
        if attribute.semantics == Semantics::Yaml {
            return format!("file(\"${{path.module}}/{}.yaml\")", attribute.name);
        }
        attribute
            .validators
            .iter()
            .find_map(|validator| sample_for_validator(validator, &attribute.name))
            .or_else(|| {
                SAMPLE_STRINGS
                    .iter()
                    .find(|sample| accepts(&attribute.validators, sample))
                    .map(|sample| quote(sample))
            })
            .unwrap_or_else(|| quote(SKELETON_LABEL))
    };
    match ty {
        Type::String => string(),
        Type::Number => "1".to_string(),
        Type::Bool => "true".to_string(),
        Type::List(element) | Type::Set(element) if **element == Type::String => {
            format!("[{}]", string())
        }
        Type::Map(element) if **element == Type::String => {
            format!("{{ key = {} }}", quote("value"))
        }
        _ => "null".to_string(),
    }
}

/// Plain strings tried in turn for a string argument; the first its validators accept is used.
const SAMPLE_STRINGS: &[&str] = &[SKELETON_LABEL, "1", "example-org/example"];

/// Whether the length and pattern validators accept `sample` (others are handled before).
fn accepts(validators: &[Validator], sample: &str) -> bool {
    validators.iter().all(|validator| match validator {
        Validator::Length { min, max } => (*min..=*max).contains(&sample.chars().count()),
        Validator::Pattern(pattern) => regex::Regex::new(&format!("^(?:{})$", pattern.source))
            .is_ok_and(|re| re.is_match(sample)),
        _ => true,
    })
}

fn sample_for_validator(validator: &Validator, name: &str) -> Option<String> {
    match validator {
        Validator::OneOf(values) => values.first().map(|v| quote(v)),
        Validator::IamRoleArn => Some(quote("arn:aws:iam::123456789012:role/example")),
        Validator::Arn => Some(quote(sample_arn(name))),
        Validator::Each(inner) => sample_for_validator(inner, name),
        _ => None,
    }
}

/// An ARN of the kind the attribute's name suggests.
fn sample_arn(name: &str) -> &'static str {
    if name.contains("role") {
        "arn:aws:iam::123456789012:role/example"
    } else if name.contains("key") {
        "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    } else if name.contains("connection") {
        "arn:aws:codestar-connections:us-east-1:123456789012:connection/00000000-0000-0000-0000-000000000000"
    } else {
        "arn:aws:proton:us-east-1:123456789012:example"
    }
}

/// A list block with its required filters (if any), as `terraform fmt` lays it out.
pub(crate) fn list_skeleton(type_name: &str, block: &Block) -> String {
    let mut config = String::new();
    push_body(&mut config, &block.attributes, 2);
    let mut text = format!(
        "list \"{type_name}\" \"{SKELETON_LABEL}\" {{\n  provider         = proton\n  include_resource = true\n"
    );
    if !config.is_empty() {
        text.push_str(&format!("\n  config {{\n{config}  }}\n"));
    }
    text.push('}');
    text
}

/// An action block with its required arguments, as `terraform fmt` lays it out.
pub(crate) fn action_skeleton(type_name: &str, block: &Block) -> String {
    let mut config = String::new();
    push_body(&mut config, &block.attributes, 2);
    format!("action \"{type_name}\" \"{SKELETON_LABEL}\" {{\n  config {{\n{config}  }}\n}}")
}

pub(crate) const PROVIDER_SKELETON: &str = "provider \"proton\" {\n  region = \"us-east-1\"\n}";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::action_subject;
    use crate::tests::template_version_block;

    #[test]
    fn skeleton_holds_required_arguments_formatted() {
        let text = skeleton("resource", "proton_v", &template_version_block());
        let expected = "resource \"proton_v\" \"example\" {\n  \
            template_name = \"example\"\n  \
            spec          = file(\"${path.module}/spec.yaml\")\n  \
            source = {\n    \
            s3 = {\n      \
            bucket = \"example\"\n      \
            key    = \"example\"\n    \
            }\n  \
            }\n}";
        assert_eq!(text, expected);
    }

    #[test]
    fn list_and_action_skeletons_nest_required_arguments_in_config() {
        let none = list_skeleton("proton_t", &Block::new(vec![]));
        assert_eq!(
            none,
            "list \"proton_t\" \"example\" {\n  provider         = proton\n  include_resource = true\n}"
        );
        let block = Block::new(vec![
            Attribute::string("id").required(),
            Attribute::string("note").optional(),
        ]);
        let list = list_skeleton("proton_t", &block);
        assert!(
            list.ends_with("include_resource = true\n\n  config {\n    id = \"example\"\n  }\n}"),
            "{list}"
        );
        assert_eq!(
            action_skeleton("proton_a", &block),
            "action \"proton_a\" \"example\" {\n  config {\n    id = \"example\"\n  }\n}"
        );
        assert_eq!(action_subject("proton_cancel_deployment"), "deployment");
        assert_eq!(
            action_subject("proton_resolve_service_sync_blocker"),
            "service_sync_blocker"
        );
    }

    #[test]
    fn skeleton_values_satisfy_patterns() {
        let block = Block::new(vec![
            Attribute::string("major_version")
                .required()
                .validate(Validator::pattern("0|[1-9][0-9]*", "must be a number")),
            Attribute::string("repository")
                .required()
                .validate(Validator::pattern("[a-z-]+/[a-z]+", "must be owner/name")),
        ]);
        assert_eq!(
            skeleton("resource", "proton_v", &block),
            "resource \"proton_v\" \"example\" {\n  major_version = \"1\"\n  repository    = \"example-org/example\"\n}"
        );
        let empty = Block::new(vec![Attribute::string("x").optional()]);
        assert_eq!(
            skeleton("data", "proton_v", &empty),
            "data \"proton_v\" \"example\" {}"
        );
    }

    #[test]
    fn list_nested_skeleton_indents_its_elements() {
        let block = Block::new(vec![
            Attribute::nested(
                "compatible",
                Nesting::List,
                vec![
                    Attribute::string("template_name").required(),
                    Attribute::string("major_version").required(),
                ],
            )
            .required(),
        ]);
        let text = skeleton("resource", "proton_v", &block);
        let expected = "resource \"proton_v\" \"example\" {\n  \
            compatible = [\n    \
            {\n      \
            template_name = \"example\"\n      \
            major_version = \"example\"\n    \
            },\n  \
            ]\n}";
        assert_eq!(text, expected);
    }
}
