//! The committed registry docs under `docs/` are exactly what the schema generates, and every resource
//! and data source has a complete page.

use std::path::{Path, PathBuf};

use gen_docs::{self as docs, Generated, REGENERATE};
use terraform_provider_proton::engine::Engine;
use terraform_provider_proton::provider;
use terraform_provider_proton::tf::schema::Presence;

fn root() -> PathBuf {
    docs::repository_root()
}

fn engine() -> Engine {
    provider::engine()
}

fn generate(engine: &Engine, root: &Path) -> Generated {
    match docs::generate(engine, &root.join("examples")) {
        Ok(generated) => generated,
        Err(error) => panic!("generating the docs failed: {error}"),
    }
}

fn page<'a>(generated: &'a Generated, path: &str) -> &'a str {
    match generated.pages.get(path) {
        Some(text) => text,
        None => panic!("no page {path} was generated"),
    }
}

#[test]
fn committed_docs_match_the_schema() {
    let root = root();
    let generated = generate(&engine(), &root);
    let drift = match docs::drift(&generated.pages, &root.join("docs")) {
        Ok(drift) => drift,
        Err(error) => panic!("reading docs/ failed: {error}"),
    };
    assert!(
        drift.is_empty(),
        "docs/ does not match what the schema and examples/ generate:\n{drift}\
         run `{REGENERATE}` and commit docs/"
    );
}

#[test]
fn every_type_has_a_page_with_the_registry_sections() {
    let engine = engine();
    let generated = generate(&engine, &root());
    for entry in engine.resources() {
        let name = entry.spec.type_name;
        let short = name.trim_start_matches("proton_");
        let text = page(&generated, &format!("resources/{short}.md"));
        assert!(
            text.starts_with("---\npage_title: "),
            "{name}: front matter"
        );
        let mut sections = vec![
            format!("# Resource: {name}\n"),
            "## Example Usage\n".to_string(),
            "## Argument Reference\n".to_string(),
            "## Attribute Reference\n".to_string(),
        ];
        if !entry.spec.timeouts.is_empty() {
            sections.push("## Timeouts\n".to_string());
        }
        if !entry.spec.identity.is_empty() {
            sections.push("## Import\n".to_string());
            let id_form = entry.spec.identity.join(":");
            assert!(text.contains(&format!("`{id_form}`")), "{name}: import ID");
            assert!(text.contains("identity = {"), "{name}: identity import");
            assert!(text.contains("terraform import "), "{name}: CLI import");
        }
        let mut last = 0;
        for section in &sections {
            let at = text.find(section.as_str());
            assert!(
                at.is_some_and(|at| at >= last),
                "{name}: section {section:?} missing or out of order"
            );
            last = at.unwrap_or(last);
        }
        for attribute in &entry.schema.block.attributes {
            let line = top_level_item(text, name, &attribute.name);
            let description = one_line(&attribute.description);
            let description = description.trim_end_matches('.');
            if !description.is_empty() {
                assert_eq!(
                    line.matches(description).count(),
                    1,
                    "{name}: the description of `{}` should appear exactly once in {line:?}",
                    attribute.name
                );
            }
            if attribute.presence == Presence::Required {
                assert!(
                    line.contains(" - (Required"),
                    "{name}: `{}` should be marked required",
                    attribute.name
                );
            }
        }
        let body = text.split("\n---\n").nth(1).unwrap_or_default();
        let description = one_line(entry.spec.description);
        assert_eq!(
            one_line(body).matches(&description).count(),
            1,
            "{name}: the resource description should appear once in the body"
        );
    }
    for entry in engine.data_sources() {
        let name = entry.spec.type_name;
        let short = name.trim_start_matches("proton_");
        let text = page(&generated, &format!("data-sources/{short}.md"));
        assert!(text.contains(&format!("# Data Source: {name}\n")), "{name}");
        for attribute in &entry.schema.block.attributes {
            top_level_item(text, name, &attribute.name);
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The one unindented list item for `attribute` on a page; fails when there is none or more than one.
fn top_level_item<'a>(text: &'a str, type_name: &str, attribute: &str) -> &'a str {
    let item = format!("* `{attribute}` - ");
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(&item)).collect();
    match lines.as_slice() {
        [line] => line,
        _ => panic!(
            "{type_name}: `{attribute}` should be listed exactly once, found {}",
            lines.len()
        ),
    }
}

#[test]
fn index_documents_every_provider_argument() {
    let engine = engine();
    let generated = generate(&engine, &root());
    let text = page(&generated, "index.md");
    let block = &engine.provider_schema().block;
    for attribute in &block.attributes {
        assert!(
            text.contains(&format!("* `{}` - ", attribute.name)),
            "index.md lacks provider argument `{}`",
            attribute.name
        );
    }
    for nested in &block.blocks {
        assert!(
            text.contains(&format!("### {} Block", nested.name)),
            "index.md lacks the `{}` block",
            nested.name
        );
        for attribute in &nested.block.attributes {
            assert!(
                text.contains(&format!("* `{}` - ", attribute.name)),
                "index.md lacks `{}.{}`",
                nested.name,
                attribute.name
            );
        }
    }
    let example = std::fs::read_to_string(root().join("examples/provider/provider.tf"))
        .unwrap_or_else(|error| panic!("examples/provider/provider.tf: {error}"));
    assert!(
        text.contains(example.trim_end()),
        "index.md should show examples/provider/provider.tf"
    );
}

#[test]
fn pages_are_clean_markdown() {
    let generated = generate(&engine(), &root());
    for (path, text) in &generated.pages {
        assert!(
            text.ends_with('\n') && !text.ends_with("\n\n"),
            "{path}: ending"
        );
        assert!(!text.contains("\n\n\n"), "{path}: double blank line");
        assert!(
            text.lines().all(|line| line == line.trim_end()),
            "{path}: trailing whitespace"
        );
        assert_eq!(
            text.matches("```").count() % 2,
            0,
            "{path}: unbalanced code fence"
        );
    }
}

/// Terraform 1.15 as installed by scripts/install-tools.sh, or `TERRAFORM`.
fn terraform() -> Option<PathBuf> {
    let path = std::env::var_os("TERRAFORM")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".tools/bin/terraform"));
    path.exists().then_some(path)
}

#[test]
fn terraform_code_on_the_pages_is_formatted() {
    let Some(terraform) = terraform() else {
        eprintln!("skipped: no Terraform at .tools/bin/terraform (run scripts/install-tools.sh)");
        return;
    };
    let generated = generate(&engine(), &root());
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("tempdir: {error}"));
    let mut written = 0;
    for (path, text) in &generated.pages {
        for (index, block) in text.split("```terraform\n").skip(1).enumerate() {
            let code = block.split("```").next().unwrap_or_default();
            let name = format!("{}-{index}.tf", path.replace(['/', '.'], "_"));
            std::fs::write(dir.path().join(name), code)
                .unwrap_or_else(|error| panic!("writing a code block: {error}"));
            written += 1;
        }
    }
    assert!(written > 0, "no terraform code blocks found");
    let output = std::process::Command::new(&terraform)
        .args(["fmt", "-check", "-list=true", "-no-color"])
        .arg(dir.path())
        .env("TF_CLI_CONFIG_FILE", dir.path().join("none.tfrc"))
        .output()
        .unwrap_or_else(|error| panic!("running {}: {error}", terraform.display()));
    assert!(
        output.status.success(),
        "terraform fmt would change these code blocks:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
