//! The Import section: the ID format, and the `import` block, identity and `terraform import` forms.

use terraform_provider_proton::tf::schema::{Attribute, Presence};

use crate::examples::push_aligned;
use crate::page::{Page, quote, terraform_fence};

/// What the import examples use: the resource label and one value per identity attribute.
struct ImportExample {
    label: String,
    values: Vec<String>,
}

/// Takes the label and ID from the `terraform import` line of `import.sh` when there is one, so the
/// three forms on the page show the same object.
fn import_example(type_name: &str, identity: &[&str], import_sh: Option<&str>) -> ImportExample {
    let placeholder = ImportExample {
        label: "example".to_string(),
        values: identity.iter().map(|name| format!("<{name}>")).collect(),
    };
    let Some(script) = import_sh else {
        return placeholder;
    };
    let command = script
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| line.strip_prefix("terraform import "));
    let Some(command) = command else {
        return placeholder;
    };
    let words: Vec<&str> = command.split_whitespace().collect();
    let [address, id] = words.as_slice() else {
        return placeholder;
    };
    let Some(label) = address
        .strip_prefix(type_name)
        .and_then(|rest| rest.strip_prefix('.'))
    else {
        return placeholder;
    };
    let id = id.trim_matches(|c| c == '"' || c == '\'');
    let values: Vec<String> = if identity.len() == 1 {
        vec![id.to_string()]
    } else {
        id.splitn(identity.len(), ':').map(str::to_string).collect()
    };
    if values.len() != identity.len() || values.iter().any(String::is_empty) {
        return placeholder;
    }
    ImportExample {
        label: label.to_string(),
        values,
    }
}

pub(crate) fn push_import(
    page: &mut Page,
    type_name: &str,
    identity: &[&str],
    identity_schema: &[Attribute],
    import_sh: Option<&str>,
    by_identity: Option<&str>,
) {
    let example = import_example(type_name, identity, import_sh);
    let address = format!("{type_name}.{}", example.label);
    let id = example.values.join(":");
    let format_words = identity
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let id_form = identity.join(":");
    if identity.len() == 1 {
        page.push(format!(
            "The import ID is the {format_words} of the object."
        ));
    } else {
        page.push(format!(
            "The import ID is {format_words} joined by colons: `{id_form}`."
        ));
    }

    page.push(
        "In Terraform v1.5.0 and later, use an [`import` block](https://developer.hashicorp.com/terraform/language/import) \
         with the ID:",
    );
    page.push(terraform_fence(&format!(
        "import {{\n  to = {address}\n  id = {}\n}}",
        quote(&id)
    )));

    page.push(
        "In Terraform v1.12.0 and later, the `import` block can name the object by its resource identity instead:",
    );
    let pairs: Vec<(String, String)> = identity
        .iter()
        .zip(&example.values)
        .map(|(name, value)| (name.to_string(), quote(value)))
        .collect();
    let block_of = |pairs: &[(String, String)]| {
        let mut text = format!("import {{\n  to = {address}\n  identity = {{\n");
        push_aligned(&mut text, pairs, 2);
        text.push_str("  }\n}");
        text
    };
    let identity_block = match by_identity {
        Some(text) => text.to_string(),
        None => block_of(&pairs),
    };
    page.push(terraform_fence(&identity_block));
    push_identity_schema(page, identity_schema);

    let located: Vec<(String, String)> = identity_schema
        .iter()
        .filter(|a| a.presence == Presence::Optional)
        .map(|a| {
            let value = if a.name == "account_id" {
                "123456789012"
            } else {
                "us-east-1"
            };
            (a.name.clone(), quote(value))
        })
        .collect();
    if !located.is_empty() {
        page.push(
            "Naming the account and region as well, as `terraform query -generate-config-out` writes it:",
        );
        page.push(terraform_fence(&block_of(&[pairs, located].concat())));
    }

    page.push("With the `terraform import` command:");
    let command = match import_sh {
        Some(script) => script.trim_end().to_string(),
        None => format!("terraform import {address} {}", shell_word(&id)),
    };
    page.push(format!("```shell\n{command}\n```"));
}

/// The identity's attributes: the ones naming the object, then `account_id` and `region`. Listed
/// as `name` (type), not `name` - ..., which the argument and attribute lists use.
fn push_identity_schema(page: &mut Page, attributes: &[Attribute]) {
    for (presence, heading) in [
        (Presence::Required, "Required identity attributes:"),
        (
            Presence::Optional,
            "Optional identity attributes (an identity naming another account or region than the \
             provider's is refused):",
        ),
    ] {
        let mut list = String::new();
        for attribute in attributes.iter().filter(|a| a.presence == presence) {
            list.push_str(&format!(
                "* `{}` (String) {}\n",
                attribute.name, attribute.description
            ));
        }
        if !list.is_empty() {
            page.push(heading);
            page.push(list.trim_end());
        }
    }
}

/// Quotes an ID for a shell when it holds anything but plain characters.
fn shell_word(text: &str) -> String {
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:/@+=,".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_values_come_from_import_sh() {
        let identity = ["template_name", "major_version", "minor_version"];
        let script = "# by its parts\nterraform import proton_v.web \"web:1:0\"\n";
        let example = import_example("proton_v", &identity, Some(script));
        assert_eq!(example.label, "web");
        assert_eq!(example.values, vec!["web", "1", "0"]);

        let wrong_count = "terraform import proton_v.web web:1";
        let example = import_example("proton_v", &identity, Some(wrong_count));
        assert_eq!(example.label, "example");
        assert_eq!(
            example.values,
            vec!["<template_name>", "<major_version>", "<minor_version>"]
        );

        let mut page = Page::default();
        let schema = [
            Attribute::string("template_name")
                .required()
                .describe("Template."),
            Attribute::string("region").optional().describe("Region."),
        ];
        push_import(
            &mut page,
            "proton_v",
            &identity,
            &schema,
            Some(script),
            None,
        );
        let text = page.finish();
        assert!(text.contains("`template_name:major_version:minor_version`"));
        assert!(
            text.contains(
                "Required identity attributes:\n\n* `template_name` (String) Template.\n"
            )
        );
        assert!(text.contains("* `region` (String) Region.\n"));
        assert!(text.contains("    minor_version = \"0\"\n    region        = \"us-east-1\"\n  }"));
        assert!(text.contains("  to = proton_v.web\n  id = \"web:1:0\"\n"));
        assert!(text.contains(
            "  identity = {\n    template_name = \"web\"\n    major_version = \"1\"\n    minor_version = \"0\"\n  }\n"
        ));
        assert!(
            text.contains(
                "```shell\n# by its parts\nterraform import proton_v.web \"web:1:0\"\n```"
            )
        );
    }
}
