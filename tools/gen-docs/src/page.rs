//! A page assembled from blocks of markdown, its front matter, and the text helpers every section uses.

use terraform_provider_proton::tf::Value;

/// The prefix every type name carries; page file names drop it, as hashicorp/aws drops `aws_`.
const TYPE_PREFIX: &str = "proton_";

pub(crate) fn short_name(type_name: &str) -> &str {
    type_name.strip_prefix(TYPE_PREFIX).unwrap_or(type_name)
}

/// The registry's navigation group, from the kind of Proton object the type name is about.
pub(crate) fn subcategory(type_name: &str) -> &'static str {
    let name = short_name(type_name);
    if name.contains("template") {
        "Templates"
    } else if name.starts_with("environment") {
        "Environments"
    } else if name.starts_with("service") {
        "Services"
    } else if name.starts_with("component") {
        "Components"
    } else if name.starts_with("repositor") {
        "Repositories"
    } else if name.starts_with("deployment") {
        "Deployments"
    } else {
        "Account"
    }
}

/// A page assembled from blocks of markdown, each separated by exactly one blank line.
#[derive(Default)]
pub(crate) struct Page {
    parts: Vec<String>,
}

impl Page {
    pub(crate) fn push(&mut self, part: impl Into<String>) {
        let part = part.into();
        let trimmed = part.trim_matches('\n');
        if !trimmed.trim().is_empty() {
            self.parts.push(trimmed.to_string());
        }
    }

    /// A page that opens with its front matter (summarised from `description`) and `heading`.
    pub(crate) fn titled(
        page_title: &str,
        subcategory: Option<&str>,
        description: &str,
        heading: impl Into<String>,
    ) -> Page {
        let mut page = Page::default();
        page.push(front_matter(page_title, subcategory, description));
        page.push(heading);
        page
    }

    /// The `## Example Usage` section.
    pub(crate) fn push_example(&mut self, code: &str) {
        self.push("## Example Usage");
        self.push(terraform_fence(code));
    }

    pub(crate) fn finish(self) -> String {
        let mut text = self.parts.join("\n\n");
        text.push('\n');
        text
    }
}

fn front_matter(page_title: &str, subcategory: Option<&str>, description: &str) -> String {
    let mut text = format!("---\npage_title: \"{page_title}\"\n");
    if let Some(subcategory) = subcategory {
        text.push_str(&format!("subcategory: \"{subcategory}\"\n"));
    }
    text.push_str("description: |-\n");
    text.push_str(&format!("  {}\n", one_line(&summary(description))));
    text.push_str("---");
    text
}

/// The first sentence of a description: the registry shows it in listings.
fn summary(description: &str) -> String {
    let text = one_line(description);
    let bytes = text.as_bytes();
    for (index, _) in text.match_indices(". ") {
        let next = bytes.get(index + 2).copied().unwrap_or(b' ');
        let before = &text[..index];
        let abbreviation = before.ends_with("e.g") || before.ends_with("i.e");
        if next.is_ascii_uppercase() && !abbreviation {
            return text[..=index].to_string();
        }
    }
    text
}

/// Whitespace runs (line breaks included) folded to single spaces, so text fits in a list item.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A description as page body text: trimmed, with trailing spaces removed from each line.
pub(crate) fn body_text(text: &str) -> String {
    text.trim()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn sentence(text: &str) -> String {
    let text = one_line(text);
    match text.chars().last() {
        None => text,
        Some('.' | '!' | '?' | ':') => text,
        Some(_) => format!("{text}."),
    }
}

pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(crate) fn terraform_fence(code: &str) -> String {
    format!("```terraform\n{}\n```", code.trim_end())
}

/// A value as it would be written in configuration (strings unquoted at the top level).
pub(crate) fn literal(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => hcl_value(other),
    }
}

fn hcl_value(value: &Value) -> String {
    match value {
        Value::Null | Value::Unknown => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(text) => quote(text),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => format!(
            "[{}]",
            items.iter().map(hcl_value).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(entries) | Value::Object(entries) => format!(
            "{{ {} }}",
            entries
                .iter()
                .map(|(k, v)| format!("{k} = {}", hcl_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

pub(crate) fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_stops_at_the_first_sentence() {
        assert_eq!(
            summary("Reads a thing, e.g. a template. It may fail."),
            "Reads a thing, e.g. a template."
        );
        assert_eq!(summary("One sentence only"), "One sentence only");
        assert_eq!(
            front_matter("Proton: proton_x", Some("Templates"), "A thing.\nMore."),
            "---\npage_title: \"Proton: proton_x\"\nsubcategory: \"Templates\"\ndescription: |-\n  A thing.\n---"
        );
    }
}
