//! GetProviderSchema, GetMetadata and GetResourceIdentitySchemas: the engine's schemas as protobuf,
//! converted once when the service starts.

use std::collections::HashMap;

use crate::engine::{Engine, IDENTITY_VERSION, ResourceEntry};
use crate::server::proto::tfplugin6 as pb;
use crate::tf::schema::{Attribute, AttributeKind, Block, NestedBlock, Nesting, Presence, Schema};

pub(crate) fn provider_schema(engine: &Engine) -> pb::get_provider_schema::Response {
    pb::get_provider_schema::Response {
        provider: Some(schema_to_proto(engine.provider_schema())),
        resource_schemas: engine
            .resources()
            .map(|r| (r.spec.type_name.to_string(), schema_to_proto(&r.schema)))
            .collect(),
        data_source_schemas: engine
            .data_sources()
            .map(|d| (d.spec.type_name.to_string(), schema_to_proto(&d.schema)))
            .collect(),
        list_resource_schemas: engine
            .resources()
            .filter_map(|r| {
                r.list
                    .as_ref()
                    .map(|list| (r.spec.type_name.to_string(), schema_to_proto(&list.schema)))
            })
            .collect(),
        action_schemas: engine
            .actions()
            .map(|a| {
                (
                    a.spec.type_name.to_string(),
                    pb::ActionSchema {
                        schema: Some(schema_to_proto(&a.schema)),
                    },
                )
            })
            .collect(),
        server_capabilities: Some(capabilities()),
        ..Default::default()
    }
}

pub(crate) fn identity_schemas(engine: &Engine) -> HashMap<String, pb::ResourceIdentitySchema> {
    engine
        .resources()
        .map(|r| (r.spec.type_name.to_string(), identity_schema(r)))
        .collect()
}

pub(crate) fn get_metadata(engine: &Engine) -> pb::get_metadata::Response {
    use pb::get_metadata::{
        ActionMetadata, DataSourceMetadata, ListResourceMetadata, ResourceMetadata,
    };
    pb::get_metadata::Response {
        server_capabilities: Some(capabilities()),
        resources: engine
            .resources()
            .map(|r| ResourceMetadata {
                type_name: r.spec.type_name.to_string(),
            })
            .collect(),
        data_sources: engine
            .data_sources()
            .map(|d| DataSourceMetadata {
                type_name: d.spec.type_name.to_string(),
            })
            .collect(),
        list_resources: engine
            .resources()
            .filter(|r| r.list.is_some())
            .map(|r| ListResourceMetadata {
                type_name: r.spec.type_name.to_string(),
            })
            .collect(),
        actions: engine
            .actions()
            .map(|a| ActionMetadata {
                type_name: a.spec.type_name.to_string(),
            })
            .collect(),
        ..Default::default()
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        // The schema is built once at start-up and nothing waits on GetProviderSchema, so Terraform
        // may reuse a cached schema instead of asking every provider instance it starts.
        get_provider_schema_optional: true,
        move_resource_state: true,
        generate_resource_config: true,
    }
}

fn identity_schema(entry: &ResourceEntry) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: IDENTITY_VERSION,
        identity_attributes: entry
            .identity_attributes()
            .into_iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.value_type().to_json_bytes(),
                required_for_import: a.presence == Presence::Required,
                optional_for_import: a.presence == Presence::Optional,
                description: a.description.clone(),
            })
            .collect(),
    }
}

fn schema_to_proto(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block_to_proto(&schema.block, schema.version)),
    }
}

fn block_to_proto(block: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: block.attributes.iter().map(attribute_to_proto).collect(),
        block_types: block.blocks.iter().map(nested_block_to_proto).collect(),
        description: block.description.clone(),
        description_kind: pb::StringKind::Markdown as i32,
        deprecated: block.deprecated,
        deprecation_message: String::new(),
    }
}

fn nested_block_to_proto(nested: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode;
    let nesting = match nested.nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    };
    pb::schema::NestedBlock {
        type_name: nested.name.clone(),
        block: Some(block_to_proto(&nested.block, 0)),
        nesting: nesting as i32,
        min_items: nested.min_items,
        max_items: nested.max_items,
    }
}

fn attribute_to_proto(attribute: &Attribute) -> pb::schema::Attribute {
    use pb::schema::object::NestingMode;
    let (r#type, nested_type) = match &attribute.kind {
        AttributeKind::Primitive(ty) => (ty.to_json_bytes(), None),
        // Terraform 1.0 cannot follow a reference into a nested attribute (`a.b.c` fails to
        // validate), so ones only the provider sets go out as plain object-typed attributes.
        AttributeKind::Nested { .. } if attribute.presence == Presence::Computed => {
            (attribute.value_type().to_json_bytes(), None)
        }
        AttributeKind::Nested {
            nesting,
            attributes,
        } => {
            let nesting = match nesting {
                Nesting::Single => NestingMode::Single,
                Nesting::List => NestingMode::List,
                Nesting::Set => NestingMode::Set,
                Nesting::Map => NestingMode::Map,
            };
            #[allow(deprecated)]
            let object = pb::schema::Object {
                attributes: attributes.iter().map(attribute_to_proto).collect(),
                nesting: nesting as i32,
                min_items: 0,
                max_items: 0,
            };
            (Vec::new(), Some(object))
        }
    };
    pb::schema::Attribute {
        name: attribute.name.clone(),
        r#type,
        nested_type,
        description: attribute_description(attribute),
        description_kind: pb::StringKind::Markdown as i32,
        required: attribute.terraform_presence() == Presence::Required,
        optional: matches!(
            attribute.terraform_presence(),
            Presence::Optional | Presence::OptionalComputed
        ),
        computed: attribute.terraform_presence().is_computed(),
        sensitive: attribute.sensitive,
        deprecated: attribute.deprecation.is_some(),
        write_only: false,
        deprecation_message: attribute.deprecation.clone().unwrap_or_default(),
    }
}

/// The attribute's description plus what its validators and plan behaviour mean, as the docs show it.
pub fn attribute_description(attribute: &Attribute) -> String {
    let mut text = attribute.description.clone();
    let rules: Vec<String> = attribute
        .validators
        .iter()
        .map(|v| v.description())
        .collect();
    if !rules.is_empty() {
        text.push_str(&format!(" Value {}.", rules.join("; ")));
    }
    if attribute.requires_replace {
        text.push_str(" Changing it replaces the resource.");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf::Type;

    #[test]
    fn computed_nested_attributes_are_sent_as_object_types() {
        let inner = || vec![Attribute::string("key").computed().describe("k")];
        let computed = Attribute::nested("outputs", Nesting::List, inner())
            .computed()
            .describe("o");
        let sent = attribute_to_proto(&computed);
        assert!(sent.nested_type.is_none());
        let ty: serde_json::Value = serde_json::from_slice(&sent.r#type).expect("type JSON");
        assert_eq!(
            Type::from_json(&ty).ok(),
            Some(Type::list(Type::object([("key", Type::String)])))
        );
        assert!(sent.computed && !sent.optional && !sent.required);

        let argument = Attribute::nested("filters", Nesting::List, inner()).optional();
        let sent = attribute_to_proto(&argument);
        assert!(sent.nested_type.is_some() && sent.r#type.is_empty());
    }
}
