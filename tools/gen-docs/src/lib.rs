//! Registry documentation generated from the provider's own schema.
//!
//! Every page is built from what the engine serves to Terraform (descriptions, validators, defaults,
//! replacement rules, identity, timeouts) plus the hand-written examples under `examples/`, so the docs
//! cannot drift from the code: `cargo run --bin gen-docs` writes them and `tools/gen-docs/tests/docs_current.rs` fails
//! when the committed pages differ. The layout is the Terraform Registry's, as hashicorp/aws uses it:
//! `docs/index.md`, `docs/resources/<name>.md`, `docs/data-sources/<name>.md`, plus, for Terraform 1.14's
//! `terraform query` and actions, `docs/list-resources/<name>.md` and `docs/actions/<name>.md`.

mod arguments;
mod drift;
mod examples;
mod import;
mod index;
mod page;
mod render;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use terraform_provider_proton::engine::Engine;

pub use drift::{Drift, drift, write};
use index::render_index;
use page::short_name;
use render::{render_action, render_data_source, render_list_resource, render_resource};

/// The repository this crate lives in (`tools/gen-docs` below its root).
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The command that regenerates the docs; named in every staleness message.
pub const REGENERATE: &str = "cargo run --bin gen-docs";

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

#[cfg(test)]
mod tests {
    use terraform_provider_proton::tf::Value;
    use terraform_provider_proton::tf::schema::{Attribute, Block, Nesting, Validator};

    pub(crate) fn template_version_block() -> Block {
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
}
