//! Registry documentation generated from the provider's own schema.
//!
//! Every page is built from what the engine serves to Terraform (descriptions, validators, defaults,
//! replacement rules, identity, timeouts) plus the hand-written examples under `examples/`, so the docs
//! cannot drift from the code: `cargo run --bin gen-docs` writes them and `tools/gen-docs/tests/docs_current.rs` fails
//! when the committed pages differ. The layout is the Terraform Registry's, as hashicorp/aws uses it:
//! `docs/index.md`, `docs/resources/<name>.md`, `docs/data-sources/<name>.md`, plus, for Terraform 1.14's
//! `terraform query` and actions, `docs/list-resources/<name>.md` and `docs/actions/<name>.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use terraform_provider_proton::engine::{
    ActionEntry, DataSourceEntry, Engine, ResourceEntry, Timeouts, format_duration,
};
use terraform_provider_proton::tf::Type;
use terraform_provider_proton::tf::Value;
use terraform_provider_proton::tf::schema::{
    Attribute, AttributeKind, Block, NestedBlock, Nesting, Presence, Semantics, Validator,
};

/// The repository this crate lives in (`tools/gen-docs` below its root).
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The command that regenerates the docs; named in every staleness message.
pub const REGENERATE: &str = "cargo run --bin gen-docs";

/// Folders under `docs/` that are written by hand and never touched or checked by the generator.
const HAND_WRITTEN: &[&str] = &["guides/"];

/// The prefix every type name carries; page file names drop it, as hashicorp/aws drops `aws_`.
const TYPE_PREFIX: &str = "proton_";

/// The `timeouts` block is documented in its own section, from the spec, not as an argument.
const TIMEOUTS_BLOCK: &str = "timeouts";

#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot remove {path}: {source}")]
    Remove { path: PathBuf, source: io::Error },
}

/// Every generated page, keyed by its path under `docs/` (with `/` separators).
#[derive(Debug, Default)]
pub struct Generated {
    pub pages: BTreeMap<String, String>,
    /// Example files the pages would have used but that do not exist (a skeleton stood in).
    pub missing_examples: Vec<String>,
}

/// How the files under `docs/` differ from the generated pages.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Generated pages that have no file.
    pub missing: Vec<String>,
    /// Files whose content differs from the generated page.
    pub changed: Vec<String>,
    /// Files the generator owns that no page corresponds to (a removed type, a renamed page).
    pub stale: Vec<String>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty() && self.stale.is_empty()
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups = [
            ("missing", &self.missing),
            ("out of date", &self.changed),
            ("stale (no such type any more)", &self.stale),
        ];
        for (what, paths) in groups {
            for path in paths {
                writeln!(f, "  docs/{path}: {what}")?;
            }
        }
        Ok(())
    }
}

/// Renders every page. `examples` is the `examples/` folder of the repository.
pub fn generate(engine: &Engine, examples: &Path) -> Result<Generated, DocsError> {
    let mut generated = Generated::default();
    let Generated {
        pages,
        missing_examples,
    } = &mut generated;
    pages.insert(
        "index.md".to_string(),
        render_index(engine, examples, missing_examples)?,
    );
    let mut put = |folder: &str, type_name: &str, page: String| {
        pages.insert(format!("{folder}/{}.md", short_name(type_name)), page);
    };
    for entry in engine.resources() {
        let page = render_resource(entry, examples, missing_examples)?;
        put("resources", entry.spec.type_name, page);
    }
    for entry in engine.data_sources() {
        let page = render_data_source(entry, examples, missing_examples)?;
        put("data-sources", entry.spec.type_name, page);
    }
    for entry in engine.resources() {
        if let Some(page) = render_list_resource(entry, examples, missing_examples)? {
            put("list-resources", entry.spec.type_name, page);
        }
    }
    for entry in engine.actions() {
        let page = render_action(entry, examples, missing_examples)?;
        put("actions", entry.spec.type_name, page);
    }
    Ok(generated)
}

/// Compares the pages with the files under `docs`.
pub fn drift(pages: &BTreeMap<String, String>, docs: &Path) -> Result<Drift, DocsError> {
    let existing = owned_files(docs)?;
    let mut result = Drift::default();
    for (path, content) in pages {
        let file = docs.join(path);
        match std::fs::read(&file) {
            Ok(bytes) if bytes == content.as_bytes() => {}
            Ok(_) => result.changed.push(path.clone()),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                result.missing.push(path.clone())
            }
            Err(source) => return Err(DocsError::Read { path: file, source }),
        }
    }
    result.stale = existing
        .into_iter()
        .filter(|path| !pages.contains_key(path))
        .collect();
    Ok(result)
}

/// Brings `docs` in line with the pages: writes missing and changed ones, removes stale ones.
/// Returns what it did.
pub fn write(pages: &BTreeMap<String, String>, docs: &Path) -> Result<Drift, DocsError> {
    let result = drift(pages, docs)?;
    for path in result.missing.iter().chain(&result.changed) {
        let file = docs.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|source| DocsError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let content = pages.get(path).map(String::as_str).unwrap_or_default();
        std::fs::write(&file, content).map_err(|source| DocsError::Write { path: file, source })?;
    }
    for path in &result.stale {
        let file = docs.join(path);
        std::fs::remove_file(&file).map_err(|source| DocsError::Remove { path: file, source })?;
    }
    Ok(result)
}

/// Files under `docs` that the generator owns (everything but the hand-written folders), as relative
/// paths with `/` separators. A missing `docs` folder owns nothing.
fn owned_files(docs: &Path) -> Result<BTreeSet<String>, DocsError> {
    let mut found = BTreeSet::new();
    let mut pending = vec![(docs.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(source) => return Err(DocsError::Read { path: dir, source }),
        };
        for entry in entries {
            let entry = entry.map_err(|source| DocsError::Read {
                path: dir.clone(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = format!("{prefix}{name}");
            let kind = entry.file_type().map_err(|source| DocsError::Read {
                path: entry.path(),
                source,
            })?;
            if kind.is_dir() {
                let folder = format!("{relative}/");
                if !HAND_WRITTEN.contains(&folder.as_str()) {
                    pending.push((entry.path(), folder));
                }
            } else {
                found.insert(relative);
            }
        }
    }
    Ok(found)
}

// ---------------------------------------------------------------------------------------------------
// Pages

fn short_name(type_name: &str) -> &str {
    type_name.strip_prefix(TYPE_PREFIX).unwrap_or(type_name)
}

/// The registry's navigation group, from the kind of Proton object the type name is about.
fn subcategory(type_name: &str) -> &'static str {
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
struct Page {
    parts: Vec<String>,
}

impl Page {
    fn push(&mut self, part: impl Into<String>) {
        let part = part.into();
        let trimmed = part.trim_matches('\n');
        if !trimmed.trim().is_empty() {
            self.parts.push(trimmed.to_string());
        }
    }

    fn finish(self) -> String {
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
fn body_text(text: &str) -> String {
    text.trim()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

fn sentence(text: &str) -> String {
    let text = one_line(text);
    match text.chars().last() {
        None => text,
        Some('.' | '!' | '?' | ':') => text,
        Some(_) => format!("{text}."),
    }
}

fn terraform_fence(code: &str) -> String {
    format!("```terraform\n{}\n```", code.trim_end())
}

/// Reads an example file; `None` when it does not exist.
fn read_example(path: &Path) -> Result<Option<String>, DocsError> {
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
fn example_or(
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

/// Which kind of object the page is about: changes what replacement and presence words mean.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Provider,
    Resource,
    DataSource,
}

fn render_resource(
    entry: &ResourceEntry,
    examples: &Path,
    missing: &mut Vec<String>,
) -> Result<String, DocsError> {
    let spec = &entry.spec;
    let block = &entry.schema.block;
    let mut page = Page::default();
    page.push(front_matter(
        &format!("Proton: {}", spec.type_name),
        Some(subcategory(spec.type_name)),
        spec.description,
    ));
    page.push(format!("# Resource: {}", spec.type_name));
    page.push(body_text(spec.description));

    let folder = format!("resources/{}", spec.type_name);
    let example = example_or(examples, &format!("{folder}/resource.tf"), missing, || {
        skeleton("resource", spec.type_name, block)
    })?;
    page.push("## Example Usage");
    page.push(terraform_fence(&example));

    page.push("## Argument Reference");
    push_arguments(&mut page, block, Kind::Resource);

    page.push("## Attribute Reference");
    push_attributes(&mut page, block, "This resource");

    if !spec.timeouts.is_empty() {
        page.push("## Timeouts");
        page.push(timeouts_section(&spec.timeouts));
    }

    if !spec.identity.is_empty() {
        page.push("## Import");
        let import_sh = read_example(&examples.join(format!("{folder}/import.sh")))?;
        let by_identity = read_example(&examples.join(format!("{folder}/import-by-identity.tf")))?;
        push_import(
            &mut page,
            spec.type_name,
            spec.identity,
            import_sh.as_deref(),
            by_identity.as_deref(),
        );
    }
    Ok(page.finish())
}

fn render_data_source(
    entry: &DataSourceEntry,
    examples: &Path,
    missing: &mut Vec<String>,
) -> Result<String, DocsError> {
    let spec = &entry.spec;
    let block = &entry.schema.block;
    let mut page = Page::default();
    page.push(front_matter(
        &format!("Proton: {}", spec.type_name),
        Some(subcategory(spec.type_name)),
        spec.description,
    ));
    page.push(format!("# Data Source: {}", spec.type_name));
    page.push(body_text(spec.description));

    let relative = format!("data-sources/{}/data-source.tf", spec.type_name);
    let example = example_or(examples, &relative, missing, || {
        skeleton("data", spec.type_name, block)
    })?;
    page.push("## Example Usage");
    page.push(terraform_fence(&example));

    page.push("## Argument Reference");
    push_arguments(&mut page, block, Kind::DataSource);

    page.push("## Attribute Reference");
    push_attributes(&mut page, block, "This data source");
    Ok(page.finish())
}

/// The `terraform query` page of a resource that can be listed; `None` for one that cannot.
fn render_list_resource(
    entry: &ResourceEntry,
    examples: &Path,
    missing: &mut Vec<String>,
) -> Result<Option<String>, DocsError> {
    let Some(list) = &entry.list else {
        return Ok(None);
    };
    let type_name = entry.spec.type_name;
    let block = &list.schema.block;
    let mut page = Page::default();
    page.push(front_matter(
        &format!("Proton: {type_name} (list resource)"),
        Some(subcategory(type_name)),
        list.spec.description,
    ));
    page.push(format!("# List Resource: {type_name}"));
    page.push(body_text(list.spec.description));
    page.push(format!(
        "A `list` block in a `.tfquery.hcl` file finds existing objects for `terraform query` (Terraform 1.14 \
         and later; older versions never see list resources). Each result is a \
         [`{type_name}`](../resources/{short}.md) named by its identity. With `include_resource = true` \
         Terraform also receives each object in full, and `terraform query -generate-config-out=FILE` writes \
         a `resource` block and an `import` block for each result, ready for `terraform plan`.",
        short = short_name(type_name),
    ));

    let relative = format!("list-resources/{type_name}/list.tfquery.hcl");
    let example = example_or(examples, &relative, missing, || {
        list_skeleton(type_name, block)
    })?;
    page.push("## Example Usage");
    page.push(terraform_fence(&example));

    page.push("## Argument Reference");
    if block.attributes.is_empty() && block.blocks.is_empty() {
        page.push("This list resource takes no filter arguments: it finds every object.");
    } else {
        page.push(
            "Filters go in the list block's `config` block; without one, every object is found.",
        );
        push_arguments(&mut page, block, Kind::DataSource);
    }

    page.push("## Results");
    let mut identity = String::new();
    for name in entry.spec.identity {
        let description = entry
            .schema
            .block
            .attribute(name)
            .map(|a| sentence(&a.description))
            .unwrap_or_default();
        list_line(&mut identity, 0, name, None, &description);
    }
    page.push(format!(
        "Each result's identity holds the same attributes as the resource's import identity; its display \
         name is {}.",
        if entry.spec.identity.len() == 1 {
            format!("the `{}`", entry.spec.identity[0])
        } else {
            format!(
                "the import ID (`{}`)",
                entry.spec.identity.join(":")
            )
        }
    ));
    page.push(identity);
    Ok(Some(page.finish()))
}

fn render_action(
    entry: &ActionEntry,
    examples: &Path,
    missing: &mut Vec<String>,
) -> Result<String, DocsError> {
    let spec = &entry.spec;
    let block = &entry.schema.block;
    let mut page = Page::default();
    page.push(front_matter(
        &format!("Proton: {} (action)", spec.type_name),
        Some(subcategory(action_subject(spec.type_name))),
        spec.description,
    ));
    page.push(format!("# Action: {}", spec.type_name));
    page.push(body_text(spec.description));
    page.push(format!(
        "Actions need Terraform 1.14 or later (older versions never see them). Run this one with \
         `terraform apply -invoke=action.{}.NAME`, or from a resource's `lifecycle` `action_trigger`. \
         Terraform shows the progress it reports while it runs.",
        spec.type_name
    ));

    let relative = format!("actions/{}/action.tf", spec.type_name);
    let example = example_or(examples, &relative, missing, || {
        action_skeleton(spec.type_name, block)
    })?;
    page.push("## Example Usage");
    page.push(terraform_fence(&example));

    page.push("## Argument Reference");
    page.push("Arguments go in the action's `config` block.");
    push_arguments(&mut page, block, Kind::DataSource);
    Ok(page.finish())
}

/// What an action acts on, for its navigation group (`proton_cancel_deployment` -> deployments).
fn action_subject(type_name: &str) -> &str {
    let name = short_name(type_name);
    match name.find("deployment").or_else(|| name.find("service")) {
        Some(at) => &name[at..],
        None => name,
    }
}

fn render_index(
    engine: &Engine,
    examples: &Path,
    missing: &mut Vec<String>,
) -> Result<String, DocsError> {
    let block = &engine.provider_schema().block;
    let mut page = Page::default();
    page.push(front_matter("Provider: Proton", None, INDEX_SUMMARY));
    page.push("# Proton Provider");
    page.push(INDEX_INTRO);

    let example = example_or(examples, "provider/provider.tf", missing, || {
        PROVIDER_SKELETON.to_string()
    })?;
    page.push("## Example Usage");
    page.push(terraform_fence(&example));

    page.push("## proton-local");
    page.push(PROTON_LOCAL);
    page.push("## Authentication and Configuration");
    page.push(AUTHENTICATION);
    page.push("## Private Certificate Authorities");
    page.push(PRIVATE_CAS);
    page.push("## Default Tags");
    page.push(DEFAULT_TAGS);

    page.push("## Argument Reference");
    push_arguments(&mut page, block, Kind::Provider);
    Ok(page.finish())
}

// ---------------------------------------------------------------------------------------------------
// Argument and attribute lists

/// Top-level blocks documented as arguments (the `timeouts` block has its own section).
fn argument_blocks(block: &Block) -> impl Iterator<Item = &NestedBlock> {
    block.blocks.iter().filter(|b| b.name != TIMEOUTS_BLOCK)
}

fn push_arguments(page: &mut Page, block: &Block, kind: Kind) {
    let required: Vec<&Attribute> = block
        .attributes
        .iter()
        .filter(|a| a.presence == Presence::Required)
        .collect();
    let optional: Vec<&Attribute> = block
        .attributes
        .iter()
        .filter(|a| matches!(a.presence, Presence::Optional | Presence::OptionalComputed))
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

fn list_line(out: &mut String, depth: usize, name: &str, label: Option<&str>, text: &str) {
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

fn push_attributes(page: &mut Page, block: &Block, subject: &str) {
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

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A value as it would be written in configuration (strings unquoted at the top level).
fn literal(value: &Value) -> String {
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

fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

fn timeouts_section(timeouts: &Timeouts) -> String {
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

// ---------------------------------------------------------------------------------------------------
// Import

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

fn push_import(
    page: &mut Page,
    type_name: &str,
    identity: &[&str],
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
    let identity_block = match by_identity {
        Some(text) => text.to_string(),
        None => {
            let pairs: Vec<(String, String)> = identity
                .iter()
                .zip(&example.values)
                .map(|(name, value)| (name.to_string(), quote(value)))
                .collect();
            let mut text = format!("import {{\n  to = {address}\n  identity = {{\n");
            push_aligned(&mut text, &pairs, 2);
            text.push_str("  }\n}");
            text
        }
    };
    page.push(terraform_fence(&identity_block));

    page.push("With the `terraform import` command:");
    let command = match import_sh {
        Some(script) => script.trim_end().to_string(),
        None => format!("terraform import {address} {}", shell_word(&id)),
    };
    page.push(format!("```shell\n{command}\n```"));
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

// ---------------------------------------------------------------------------------------------------
// Skeleton examples, for types whose example file has not been written yet

const SKELETON_LABEL: &str = "example";

/// A configuration with the required arguments only, laid out as `terraform fmt` lays it out.
fn skeleton(keyword: &str, type_name: &str, block: &Block) -> String {
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

fn push_aligned(out: &mut String, pairs: &[(String, String)], depth: usize) {
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
fn list_skeleton(type_name: &str, block: &Block) -> String {
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
fn action_skeleton(type_name: &str, block: &Block) -> String {
    let mut config = String::new();
    push_body(&mut config, &block.attributes, 2);
    format!("action \"{type_name}\" \"{SKELETON_LABEL}\" {{\n  config {{\n{config}  }}\n}}")
}

const PROVIDER_SKELETON: &str = "provider \"proton\" {\n  region = \"us-east-1\"\n}";

// ---------------------------------------------------------------------------------------------------
// Hand-written parts of the index page

const INDEX_SUMMARY: &str = "The Proton provider manages AWS Proton templates, environments, services \
    and their deployments with Terraform and OpenTofu, against AWS or against proton-local.";

const INDEX_INTRO: &str = "Use the Proton provider to manage [AWS Proton](https://docs.aws.amazon.com/proton/) \
with Terraform or OpenTofu: environment and service templates and their versions, environments, services, \
service instances and pipelines, components, repositories and sync configurations. Resources that start a \
deployment wait for it to finish, show a failed deployment as an error and keep the object in state \
(tainted), and can be imported by ID or, with Terraform 1.12 and later, by resource identity.

The provider ships with **proton-local**, a local Proton endpoint. AWS stopped accepting new Proton \
customers on 2025-10-07 and ends support on 2026-10-07; proton-local keeps Proton configurations \
plannable and testable offline, in CI, and while migrating away.";

const PROTON_LOCAL: &str = "proton-local speaks Proton's API (the same JSON protocol and SigV4 signing \
the AWS CLI and SDKs use), keeps its state in a file, and runs deployments, template registrations and \
deletions with a configurable delay. Start it and point the provider at it:

```shell
proton-local --listen 127.0.0.1:4599 --state proton.json
```

Then either set `endpoints { proton = \"http://127.0.0.1:4599\" }` in the provider block, as in the \
example above, or export `AWS_ENDPOINT_URL_PROTON=http://127.0.0.1:4599`. proton-local accepts the key \
pair `test` / `test` (account `000000000000`) unless started with other `--account` pairs, and any region.";

const AUTHENTICATION: &str = "Credentials are looked up in this order; the first source that yields \
credentials is used:

1. `access_key` and `secret_key` (and `token` for temporary credentials) in the provider block.
2. The environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
3. The shared configuration and credentials files (`~/.aws/config`, `~/.aws/credentials`, or the files \
named in `shared_config_files` and `shared_credentials_files`), for the profile named by `profile` or \
`AWS_PROFILE` (else `default`). Profiles may use IAM Identity Center (SSO), `credential_process`, or \
`role_arn` with a source profile.
4. A web identity token (`AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`), as on EKS.
5. Container credentials (an ECS task role).
6. The EC2 instance profile, from the instance metadata service.

With an `assume_role` block, the credentials found are then used to assume that role, and the provider \
acts as the role.

The region comes from `region`, else `AWS_REGION` or `AWS_DEFAULT_REGION`, else the profile's region. \
The Proton endpoint comes from `endpoints.proton`, else `AWS_ENDPOINT_URL_PROTON`, else AWS's endpoint \
for the region.

The provider checks its configuration before calling any API: a missing region, or credentials that \
cannot be resolved (unless `skip_credentials_validation` is set), is an error when the provider is \
configured, and invalid arguments are reported by `terraform validate` and `terraform plan` with the \
attribute they concern.

Hard-coding credentials in configuration is not recommended outside proton-local: they end up in \
version control and in plan files.";

const PRIVATE_CAS: &str = "Calls to AWS over HTTPS (Proton, and STS or IAM Identity Center for \
credentials) trust the system's root certificates. To also trust a private certificate authority, such as \
a TLS-inspecting proxy's or that of an endpoint with an internal certificate, name a PEM file of its \
certificates; the first of these that is set is used:

1. `custom_ca_bundle` in the provider block.
2. The `AWS_CA_BUNDLE` environment variable, as for the AWS CLI.
3. `ca_bundle` in the selected profile of the shared configuration file.

The certificates are added to the system's roots, not used instead of them. A relative path is relative \
to the directory Terraform runs in, and `~` is not expanded (use `pathexpand(\"~/ca.pem\")`). The file is \
read when the provider is configured: a missing or unreadable file, one without a PEM certificate (convert \
DER first, e.g. `openssl x509 -inform der -in ca.der -out ca.pem`), or a certificate that cannot serve as \
an authority is an error before any API call. A call to an endpoint whose certificate none of these trust \
fails at once, not after `max_retries`, with `invalid peer certificate` and the reason (e.g. `UnknownIssuer`).

```terraform
provider \"proton\" {
  region           = \"us-east-1\"
  custom_ca_bundle = \"${path.root}/corporate-ca.pem\"
}
```

`SSL_CERT_FILE` (a PEM file) or `SSL_CERT_DIR` (a directory of them) in Terraform's environment replace the \
platform's certificate store as the source of the system's roots, as with OpenSSL; a CA bundle is still \
added to them. None of this applies to a plain `http://` endpoint such as proton-local's.";

const DEFAULT_TAGS: &str = "Tags in the provider's `default_tags` block are set on every resource that \
takes tags. A resource's own `tags` win over a default tag with the same key, and each such resource \
reports the merged set in its `tags_all` attribute. Changing `default_tags` updates the tags of every \
resource in place; nothing is re-created.

```terraform
provider \"proton\" {
  default_tags {
    tags = {
      team        = \"platform\"
      cost-center = \"1234\"
    }
  }
}
```";

#[cfg(test)]
mod tests {
    use super::*;

    fn template_version_block() -> Block {
        Block::new(vec![
            Attribute::string("template_name")
                .required()
                .requires_replace()
                .validate(Validator::length(1, 100))
                .describe("Name of the template."),
            Attribute::string("status")
                .default_value(Value::string("DRAFT"))
                .validate(Validator::one_of(&["DRAFT", "PUBLISHED"]))
                .requires_replace_if("it goes from published back to draft", |_, _| true)
                .describe("`DRAFT` or `PUBLISHED`."),
            Attribute::string("spec")
                .required()
                .yaml()
                .describe("The spec, as YAML."),
            Attribute::nested(
                "source",
                Nesting::Single,
                vec![
                    Attribute::nested(
                        "s3",
                        Nesting::Single,
                        vec![
                            Attribute::string("bucket")
                                .required()
                                .describe("Bucket holding the bundle."),
                            Attribute::string("key").required().describe("Object key."),
                        ],
                    )
                    .required()
                    .describe("A bundle in S3."),
                ],
            )
            .required()
            .requires_replace()
            .describe("Where the template bundle is."),
            Attribute::string("secret")
                .optional()
                .sensitive()
                .deprecated("Use `secret_arn` instead.")
                .describe("A secret."),
            Attribute::string("arn")
                .computed()
                .describe("ARN of the version."),
            Attribute::nested(
                "outputs",
                Nesting::List,
                vec![Attribute::string("key").computed().describe("Output name.")],
            )
            .computed()
            .describe("Outputs of the last deployment."),
        ])
    }

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
        push_import(&mut page, "proton_v", &identity, Some(script), None);
        let text = page.finish();
        assert!(text.contains("`template_name:major_version:minor_version`"));
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
    fn conditions_read_after_only_when() {
        assert_eq!(condition_words("when it goes back."), "it goes back");
        assert_eq!(condition_words("it goes back"), "it goes back");
        assert_eq!(condition_words("whenever"), "whenever");
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

    #[test]
    fn drift_finds_missing_changed_and_stale_pages() -> Result<(), DocsError> {
        let dir = tempfile::tempdir().map_err(|source| DocsError::Read {
            path: PathBuf::from("tempdir"),
            source,
        })?;
        let docs = dir.path().join("docs");
        let pages: BTreeMap<String, String> = [
            ("index.md".to_string(), "index\n".to_string()),
            ("resources/a.md".to_string(), "a\n".to_string()),
        ]
        .into();
        let first = write(&pages, &docs)?;
        assert_eq!(first.missing, vec!["index.md", "resources/a.md"]);
        assert!(drift(&pages, &docs)?.is_empty());

        let write_file = |path: &str, text: &str| {
            std::fs::create_dir_all(docs.join(path).parent().unwrap_or(&docs))
                .and_then(|()| std::fs::write(docs.join(path), text))
                .map_err(|source| DocsError::Write {
                    path: docs.join(path),
                    source,
                })
        };
        write_file("resources/a.md", "edited by hand\n")?;
        write_file("resources/gone.md", "old\n")?;
        write_file("guides/hand-written.md", "kept\n")?;
        std::fs::remove_file(docs.join("index.md")).map_err(|source| DocsError::Remove {
            path: docs.join("index.md"),
            source,
        })?;
        let found = drift(&pages, &docs)?;
        assert_eq!(
            found,
            Drift {
                missing: vec!["index.md".to_string()],
                changed: vec!["resources/a.md".to_string()],
                stale: vec!["resources/gone.md".to_string()],
            }
        );
        assert!(found.to_string().contains("docs/resources/gone.md: stale"));

        write(&pages, &docs)?;
        assert!(drift(&pages, &docs)?.is_empty());
        assert!(docs.join("guides/hand-written.md").exists());
        assert!(!docs.join("resources/gone.md").exists());
        Ok(())
    }
}
