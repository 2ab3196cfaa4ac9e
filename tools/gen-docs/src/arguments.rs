//! Argument and attribute lists: each attribute's facts (validators, defaults, replacement, sensitivity)
//! in words, nested blocks in their own sections, and the timeouts section.

use terraform_provider_proton::engine::{Timeouts, format_duration};
use terraform_provider_proton::tf::schema::{
    Attribute, AttributeKind, Block, NestedBlock, Nesting, Presence, Semantics, Validator,
};

use crate::page::{Page, capitalise, literal, sentence};

/// The `timeouts` block is documented in its own section, from the spec, not as an argument.
const TIMEOUTS_BLOCK: &str = "timeouts";

/// Which kind of object the page is about: changes what replacement and presence words mean.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Provider,
    Resource,
    DataSource,
}

/// Top-level blocks documented as arguments (the `timeouts` block has its own section).
fn argument_blocks(block: &Block) -> impl Iterator<Item = &NestedBlock> {
    block.blocks.iter().filter(|b| b.name != TIMEOUTS_BLOCK)
}

pub(crate) fn push_arguments(page: &mut Page, block: &Block, kind: Kind) {
    let required: Vec<&Attribute> = block
        .attributes
        .iter()
        .filter(|a| a.presence == Presence::Required || a.required_to_create)
        .collect();
    let optional: Vec<&Attribute> = block
        .attributes
        .iter()
        .filter(|a| matches!(a.presence, Presence::Optional | Presence::OptionalComputed))
        .filter(|a| !a.required_to_create)
        .collect();
    let (required_blocks, optional_blocks): (Vec<&NestedBlock>, Vec<&NestedBlock>) =
        argument_blocks(block).partition(|b| b.min_items > 0);

    if required.is_empty()
        && optional.is_empty()
        && required_blocks.is_empty()
        && optional_blocks.is_empty()
    {
        page.push("This takes no arguments.");
        return;
    }
    for (heading, attributes, blocks) in [
        (
            "The following arguments are required:",
            &required,
            &required_blocks,
        ),
        (
            "The following arguments are optional:",
            &optional,
            &optional_blocks,
        ),
    ] {
        if attributes.is_empty() && blocks.is_empty() {
            continue;
        }
        page.push(heading);
        let mut list = String::new();
        for attribute in attributes {
            argument_item(&mut list, attribute, 0, kind);
        }
        for nested in blocks {
            block_item(&mut list, nested);
        }
        page.push(list);
    }
    push_block_sections(page, block, kind);
}

/// `### name Block` sections for the blocks listed as arguments, nested ones after their parent.
fn push_block_sections(page: &mut Page, block: &Block, kind: Kind) {
    for nested in argument_blocks(block) {
        page.push(format!("### {} Block", nested.name));
        page.push(format!(
            "The `{}` block supports the following arguments:",
            nested.name
        ));
        let mut list = String::new();
        for attribute in &nested.block.attributes {
            argument_item(&mut list, attribute, 0, kind);
        }
        for inner in argument_blocks(&nested.block) {
            block_item(&mut list, inner);
        }
        page.push(list);
        push_block_sections(page, &nested.block, kind);
    }
}

fn block_anchor(name: &str) -> String {
    format!("#{}-block", name.to_lowercase())
}

fn block_item(out: &mut String, nested: &NestedBlock) {
    let mut label = vec![if nested.min_items > 0 {
        "Required".to_string()
    } else {
        "Optional".to_string()
    }];
    match (nested.nesting, nested.max_items) {
        (Nesting::Single, _) => {}
        (_, max) if max > 0 => label.push(format!("up to {max} blocks")),
        _ => label.push("repeatable block".to_string()),
    }
    if nested.block.deprecated {
        label.push("**Deprecated**".to_string());
    }
    let mut text = sentence(&nested.block.description);
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(&format!(
        "See [the `{}` block]({}) below.",
        nested.name,
        block_anchor(&nested.name)
    ));
    out.push_str(&format!(
        "* `{}` - ({}) {}\n",
        nested.name,
        label.join(", "),
        text
    ));
}

fn nesting_words(attribute: &Attribute) -> Option<&'static str> {
    match &attribute.kind {
        AttributeKind::Nested { nesting, .. } => match nesting {
            Nesting::Single => None,
            Nesting::List => Some("list of objects"),
            Nesting::Set => Some("set of objects"),
            Nesting::Map => Some("map of objects"),
        },
        AttributeKind::Primitive(_) => None,
    }
}

/// One argument list item, with its nested attributes as an indented sub-list.
fn argument_item(out: &mut String, attribute: &Attribute, depth: usize, kind: Kind) {
    let mut label = vec![
        match attribute.presence {
            _ if attribute.required_to_create => "Required to create, not to import",
            Presence::Required => "Required",
            Presence::Optional | Presence::OptionalComputed => "Optional",
            Presence::Computed => "Read-only",
        }
        .to_string(),
    ];
    if let Some(words) = nesting_words(attribute) {
        label.push(words.to_string());
    }
    if attribute.deprecation.is_some() {
        label.push("**Deprecated**".to_string());
    }
    list_line(
        out,
        depth,
        &attribute.name,
        Some(&label.join(", ")),
        &attribute_text(attribute, kind),
    );
    for nested in attribute.nested_attributes() {
        argument_item(out, nested, depth + 1, kind);
    }
}

pub(crate) fn list_line(
    out: &mut String,
    depth: usize,
    name: &str,
    label: Option<&str>,
    text: &str,
) {
    out.push_str(&"  ".repeat(depth));
    out.push_str(&format!("* `{name}` -"));
    if let Some(label) = label {
        out.push_str(&format!(" ({label})"));
    }
    if !text.is_empty() {
        out.push(' ');
        out.push_str(text);
    }
    out.push('\n');
}

pub(crate) fn push_attributes(page: &mut Page, block: &Block, subject: &str) {
    let computed: Vec<&Attribute> = block
        .attributes
        .iter()
        .filter(|a| a.presence == Presence::Computed)
        .collect();
    if computed.is_empty() {
        page.push(format!(
            "{subject} exports no attributes beyond its arguments."
        ));
        return;
    }
    page.push(format!(
        "{subject} exports the following attributes in addition to the arguments above:"
    ));
    let mut list = String::new();
    for attribute in computed {
        attribute_item(&mut list, attribute, 0);
    }
    page.push(list);
}

fn attribute_item(out: &mut String, attribute: &Attribute, depth: usize) {
    let label = match (nesting_words(attribute), attribute.deprecation.is_some()) {
        (Some(words), true) => Some(format!("{words}, **Deprecated**")),
        (Some(words), false) => Some(words.to_string()),
        (None, true) => Some("**Deprecated**".to_string()),
        (None, false) => None,
    };
    list_line(
        out,
        depth,
        &attribute.name,
        label.as_deref(),
        &attribute_text(attribute, Kind::DataSource),
    );
    for nested in attribute.nested_attributes() {
        attribute_item(out, nested, depth + 1);
    }
}

/// What a reader needs to know about an attribute, each fact once: its description, then the
/// constraints its validators enforce, how YAML is compared, its default, whether a change replaces
/// the object, sensitivity and deprecation.
fn attribute_text(attribute: &Attribute, kind: Kind) -> String {
    let description = sentence(&attribute.description);
    let lowered = description.to_lowercase();
    let mut parts = vec![description.clone()];

    let rules: Vec<String> = attribute
        .validators
        .iter()
        .filter(|v| {
            !(matches!(v, Validator::Yaml) && lowered.contains("yaml") && lowered.contains("must"))
        })
        .map(Validator::description)
        .filter(|rule| !lowered.contains(&rule.to_lowercase()))
        .collect();
    if !rules.is_empty() {
        parts.push(capitalise(&sentence(&rules.join("; "))));
    }
    if attribute.semantics == Semantics::Yaml && !lowered.contains("by meaning") {
        parts.push(
            "Compared by meaning, not by text: changing indentation, quoting, key order or comments \
             is not a change."
                .to_string(),
        );
    }
    if let Some(default) = &attribute.default {
        let shown = literal(default);
        let said = lowered.contains("default") && lowered.contains(&shown.to_lowercase());
        if !said {
            parts.push(format!("Defaults to `{shown}`."));
        }
    }
    if kind == Kind::Resource
        && attribute.requires_replace
        && !lowered.contains("forces a new resource")
        && !lowered.contains("replaces the resource")
    {
        parts.push(match &attribute.replace_if {
            Some(condition) => format!(
                "Changing this forces a new resource only when {}; other changes are made in place.",
                condition_words(condition.when)
            ),
            None => "Changing this forces a new resource.".to_string(),
        });
    }
    if attribute.sensitive && !lowered.contains("sensitive") {
        parts.push("Sensitive: Terraform does not show this value in plan output.".to_string());
    }
    if let Some(message) = &attribute.deprecation {
        let message = sentence(message);
        if !lowered.contains(&message.to_lowercase()) {
            parts.push(message);
        }
    }
    parts.retain(|p| !p.is_empty());
    parts.join(" ")
}

/// A replacement condition as a clause after "only when" (its text may or may not start with "when").
fn condition_words(when: &str) -> &str {
    let when = when.trim().trim_end_matches('.');
    match when.get(..5) {
        Some(start) if start.eq_ignore_ascii_case("when ") => &when[5..],
        _ => when,
    }
}

pub(crate) fn timeouts_section(timeouts: &Timeouts) -> String {
    let mut text = String::from(
        "[Configuration options](https://developer.hashicorp.com/terraform/language/resources/syntax#operation-timeouts) \
         in a `timeouts` block, each a duration such as `30m` or `1h`:\n\n",
    );
    for (name, default) in [
        ("create", timeouts.create),
        ("update", timeouts.update),
        ("delete", timeouts.delete),
    ] {
        if let Some(default) = default {
            text.push_str(&format!(
                "* `{name}` - (Default `{}`)\n",
                format_duration(default)
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::template_version_block;
    use terraform_provider_proton::tf::Value;

    fn render(block: &Block, kind: Kind) -> String {
        let mut page = Page::default();
        push_arguments(&mut page, block, kind);
        push_attributes(&mut page, block, "This resource");
        page.finish()
    }

    #[test]
    fn arguments_carry_every_fact_once() {
        let text = render(&template_version_block(), Kind::Resource);
        let expected_lines = [
            "* `template_name` - (Required) Name of the template. Must be between 1 and 100 characters long. Changing this forces a new resource.",
            "* `spec` - (Required) The spec, as YAML. Must be a YAML document. Compared by meaning, not by text: changing indentation, quoting, key order or comments is not a change.",
            "* `status` - (Optional) `DRAFT` or `PUBLISHED`. Must be one of `DRAFT`, `PUBLISHED`. Defaults to `DRAFT`. Changing this forces a new resource only when it goes from published back to draft; other changes are made in place.",
            "* `secret` - (Optional, **Deprecated**) A secret. Sensitive: Terraform does not show this value in plan output. Use `secret_arn` instead.",
            "  * `s3` - (Required) A bundle in S3.",
            "    * `bucket` - (Required) Bucket holding the bundle.",
            "* `arn` - ARN of the version.",
            "* `outputs` - (list of objects) Outputs of the last deployment.",
            "  * `key` - Output name.",
        ];
        for line in expected_lines {
            assert!(
                text.lines().any(|l| l == line),
                "missing line {line:?} in:\n{text}"
            );
        }
        assert!(text.find("The following arguments are required:") < text.find("* `spec`"));
        assert!(text.find("* `spec`") < text.find("The following arguments are optional:"));
        assert!(!text.contains("\n\n\n"), "double blank line in:\n{text}");
    }

    #[test]
    fn descriptions_that_already_say_it_are_not_repeated() {
        let attribute = Attribute::number("max_retries")
            .default_value(Value::number(3))
            .requires_replace()
            .validate(Validator::length(1, 3))
            .describe(
                "Retries (default 3). Must be between 1 and 3 characters long. Changing this forces a new resource.",
            );
        let text = attribute_text(&attribute, Kind::Resource);
        assert_eq!(
            text,
            "Retries (default 3). Must be between 1 and 3 characters long. Changing this forces a new resource."
        );
        // Replacement means nothing for a data source argument.
        let plain = Attribute::string("name").required().requires_replace();
        assert_eq!(attribute_text(&plain, Kind::DataSource), "");
    }

    #[test]
    fn conditions_read_after_only_when() {
        assert_eq!(condition_words("when it goes back."), "it goes back");
        assert_eq!(condition_words("it goes back"), "it goes back");
        assert_eq!(condition_words("whenever"), "whenever");
    }

    #[test]
    fn blocks_get_their_own_sections() {
        let block = Block::new(vec![Attribute::string("region").optional()]).with_block(
            NestedBlock::single(
                "assume_role",
                Block::new(vec![
                    Attribute::string("role_arn").required().describe("Role."),
                ])
                .describe("Assume a role"),
            ),
        );
        let text = render(&block, Kind::Provider);
        assert!(text.contains(
            "* `assume_role` - (Optional) Assume a role. See [the `assume_role` block](#assume_role-block) below.\n"
        ));
        assert!(text.contains("### assume_role Block\n\nThe `assume_role` block supports the following arguments:\n\n* `role_arn` - (Required) Role.\n"));
    }
}
