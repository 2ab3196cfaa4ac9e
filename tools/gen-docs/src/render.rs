//! One page per resource, data source, list resource and action.

use std::path::Path;

use terraform_provider_proton::engine::{ActionEntry, DataSourceEntry, ResourceEntry};

use crate::DocsError;
use crate::arguments::{Kind, list_line, push_arguments, push_attributes, timeouts_section};
use crate::examples::{action_skeleton, example_or, list_skeleton, read_example, skeleton};
use crate::import::push_import;
use crate::page::{Page, body_text, sentence, short_name, subcategory};

pub(crate) fn render_resource(
    entry: &ResourceEntry,
    examples: &Path,
    missing: &mut Vec<String>,
) -> Result<String, DocsError> {
    let spec = &entry.spec;
    let block = &entry.schema.block;
    let mut page = Page::titled(
        &format!("Proton: {}", spec.type_name),
        Some(subcategory(spec.type_name)),
        spec.description,
        format!("# Resource: {}", spec.type_name),
    );
    page.push(body_text(spec.description));

    let folder = format!("resources/{}", spec.type_name);
    let example = example_or(examples, &format!("{folder}/resource.tf"), missing, || {
        skeleton("resource", spec.type_name, block)
    })?;
    page.push_example(&example);

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
            &entry.identity_attributes(),
            import_sh.as_deref(),
            by_identity.as_deref(),
        );
    }
    Ok(page.finish())
}

pub(crate) fn render_data_source(
    entry: &DataSourceEntry,
    examples: &Path,
    missing: &mut Vec<String>,
) -> Result<String, DocsError> {
    let spec = &entry.spec;
    let block = &entry.schema.block;
    let mut page = Page::titled(
        &format!("Proton: {}", spec.type_name),
        Some(subcategory(spec.type_name)),
        spec.description,
        format!("# Data Source: {}", spec.type_name),
    );
    page.push(body_text(spec.description));

    let relative = format!("data-sources/{}/data-source.tf", spec.type_name);
    let example = example_or(examples, &relative, missing, || {
        skeleton("data", spec.type_name, block)
    })?;
    page.push_example(&example);

    page.push("## Argument Reference");
    push_arguments(&mut page, block, Kind::DataSource);

    page.push("## Attribute Reference");
    push_attributes(&mut page, block, "This data source");
    Ok(page.finish())
}

/// The `terraform query` page of a resource that can be listed; `None` for one that cannot.
pub(crate) fn render_list_resource(
    entry: &ResourceEntry,
    examples: &Path,
    missing: &mut Vec<String>,
) -> Result<Option<String>, DocsError> {
    let Some(list) = &entry.list else {
        return Ok(None);
    };
    let type_name = entry.spec.type_name;
    let block = &list.schema.block;
    let mut page = Page::titled(
        &format!("Proton: {type_name} (list resource)"),
        Some(subcategory(type_name)),
        list.spec.description,
        format!("# List Resource: {type_name}"),
    );
    page.push(body_text(list.spec.description));
    page.push(format!(
        "A `list` block in a `.tfquery.hcl` file finds existing objects for `terraform query` (Terraform 1.14 \
         and later; older versions never see list resources). Each result is a \
         [`{type_name}`](../resources/{short}.md) named by its identity. With `include_resource = true` \
         Terraform also receives each object in full, and `terraform query -generate-config-out=FILE` writes \
         a `resource` block and an `import` block for each result, ready for `terraform plan`.",
        short = short_name(type_name),
    ));

    let relative = format!("list-resources/{type_name}/list-resource.tfquery.hcl");
    let example = example_or(examples, &relative, missing, || {
        list_skeleton(type_name, block)
    })?;
    page.push_example(&example);

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

pub(crate) fn render_action(
    entry: &ActionEntry,
    examples: &Path,
    missing: &mut Vec<String>,
) -> Result<String, DocsError> {
    let spec = &entry.spec;
    let block = &entry.schema.block;
    let mut page = Page::titled(
        &format!("Proton: {} (action)", spec.type_name),
        Some(subcategory(action_subject(spec.type_name))),
        spec.description,
        format!("# Action: {}", spec.type_name),
    );
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
    page.push_example(&example);

    page.push("## Argument Reference");
    page.push("Arguments go in the action's `config` block.");
    push_arguments(&mut page, block, Kind::DataSource);
    Ok(page.finish())
}

/// What an action acts on, for its navigation group (`proton_cancel_deployment` -> deployments).
pub(crate) fn action_subject(type_name: &str) -> &str {
    let name = short_name(type_name);
    match name.find("deployment").or_else(|| name.find("service")) {
        Some(at) => &name[at..],
        None => name,
    }
}
