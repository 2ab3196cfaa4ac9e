//! The tfplugin6 Provider service: converts between protobuf messages and the engine. No Terraform rules
//! live here, only encoding.

use std::collections::HashMap;
use std::sync::Arc;

use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status};

use crate::engine::{ActionEntry, DataSourceEntry, Engine, ListEntry, Progress, ResourceEntry};
use crate::tf::codec::{decode_json, decode_msgpack, encode_msgpack};
use crate::tf::schema::{Attribute, AttributeKind, Block, NestedBlock, Nesting, Presence, Schema};
use crate::tf::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity, Type, Value};

use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_server::Provider;

/// The gRPC face of the engine. Schemas are converted once, at start-up.
pub struct ProviderService {
    engine: Arc<Engine>,
    schema: pb::get_provider_schema::Response,
    identity_schemas: HashMap<String, pb::ResourceIdentitySchema>,
}

impl ProviderService {
    pub fn new(engine: Arc<Engine>) -> Self {
        let schema = pb::get_provider_schema::Response {
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
        };
        let identity_schemas = engine
            .resources()
            .map(|r| (r.spec.type_name.to_string(), identity_schema(r)))
            .collect();
        Self {
            engine,
            schema,
            identity_schemas,
        }
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
        version: 0,
        identity_attributes: entry
            .identity_attributes()
            .into_iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.value_type().to_json_bytes(),
                required_for_import: true,
                optional_for_import: false,
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

fn diagnostics_to_proto(diagnostics: Diagnostics) -> Vec<pb::Diagnostic> {
    diagnostics
        .into_iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary,
            detail: d.detail,
            attribute: d.path.map(path_to_proto),
        })
        .collect()
}

fn path_to_proto(path: AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: path
            .steps
            .into_iter()
            .map(|step| pb::attribute_path::Step {
                selector: Some(match step {
                    PathStep::Attribute(name) => Selector::AttributeName(name),
                    PathStep::Key(key) => Selector::ElementKeyString(key),
                    PathStep::Index(index) => Selector::ElementKeyInt(index),
                }),
            })
            .collect(),
    }
}

/// Decodes a DynamicValue (msgpack, or JSON from some callers); absent means null.
fn decode(value: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    let decoded = if !value.msgpack.is_empty() {
        decode_msgpack(&value.msgpack, ty)
    } else if !value.json.is_empty() {
        decode_json(&value.json, ty)
    } else {
        return Ok(Value::Null);
    };
    decoded.map_err(|e| {
        Diagnostic::error(
            "Invalid value from Terraform",
            format!("The {what} could not be decoded: {e}"),
        )
        .into()
    })
}

fn encode(value: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    encode_msgpack(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "Provider produced an unencodable value",
                format!("This is a bug in the provider: {e}"),
            )
            .into()
        })
}

fn identity_data(
    entry: &ResourceEntry,
    identity: Option<Value>,
) -> Option<pb::ResourceIdentityData> {
    let identity = identity?;
    encode(&identity, &entry.identity_type())
        .ok()
        .map(|data| pb::ResourceIdentityData {
            identity_data: Some(data),
        })
}

fn decode_identity(
    entry: &ResourceEntry,
    identity: Option<&pb::ResourceIdentityData>,
) -> Result<Option<Value>, Diagnostics> {
    match identity.and_then(|i| i.identity_data.as_ref()) {
        Some(data) => decode(Some(data), &entry.identity_type(), "resource identity").map(Some),
        None => Ok(None),
    }
}

type Reply<T> = Result<Response<T>, Status>;

/// What a configuration is decoded against: an entry's type, or the provider block's.
trait ConfigType {
    fn config_type(&self) -> &Type;
}

impl ConfigType for Type {
    fn config_type(&self) -> &Type {
        self
    }
}

macro_rules! config_type_is_ty {
    ($($entry:ty),*) => {$(
        impl ConfigType for $entry {
            fn config_type(&self) -> &Type {
                &self.ty
            }
        }
    )*};
}
config_type_is_ty!(ResourceEntry, DataSourceEntry, ListEntry, ActionEntry);

/// Decodes a configuration for the entry looked up (when it exists) and runs `validate` on it.
fn validated<E: ConfigType>(
    entry: Result<&E, Diagnostics>,
    config: Option<&pb::DynamicValue>,
    validate: impl FnOnce(&E, &Value) -> Diagnostics,
) -> Vec<pb::Diagnostic> {
    let diagnostics = entry
        .and_then(|entry| {
            let config = decode(config, entry.config_type(), "configuration")?;
            Ok(validate(entry, &config))
        })
        .unwrap_or_else(|diags| diags);
    diagnostics_to_proto(diagnostics)
}

impl ProviderService {
    fn action_config(
        &self,
        type_name: &str,
        config: Option<&pb::DynamicValue>,
    ) -> Vec<pb::Diagnostic> {
        validated(self.engine.action(type_name), config, |entry, config| {
            self.engine.validate_action_config(entry, config)
        })
    }

    async fn list_events(
        &self,
        request: &pb::list_resource::Request,
    ) -> Result<Vec<pb::list_resource::Event>, Diagnostics> {
        let entry = self.engine.resource(&request.type_name)?;
        let list = entry.list_entry()?;
        let filter = decode(request.config.as_ref(), &list.ty, "list configuration")?;
        let limit = usize::try_from(request.limit).unwrap_or(0);
        let listed = self
            .engine
            .list_resource(entry, &filter, request.include_resource_object, limit)
            .await?;
        listed
            .into_iter()
            .map(|object| {
                let resource_object = match &object.state {
                    Some(state) => Some(encode(state, &entry.ty)?),
                    None => None,
                };
                Ok(pb::list_resource::Event {
                    identity: identity_data(entry, Some(object.identity)),
                    display_name: object.display_name,
                    resource_object,
                    diagnostic: Vec::new(),
                })
            })
            .collect()
    }
}

#[tonic::async_trait]
impl Provider for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        use pb::get_metadata::{
            ActionMetadata, DataSourceMetadata, ListResourceMetadata, ResourceMetadata,
        };
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: self
                .engine
                .resources()
                .map(|r| ResourceMetadata {
                    type_name: r.spec.type_name.to_string(),
                })
                .collect(),
            data_sources: self
                .engine
                .data_sources()
                .map(|d| DataSourceMetadata {
                    type_name: d.spec.type_name.to_string(),
                })
                .collect(),
            list_resources: self
                .engine
                .resources()
                .filter(|r| r.list.is_some())
                .map(|r| ListResourceMetadata {
                    type_name: r.spec.type_name.to_string(),
                })
                .collect(),
            actions: self
                .engine
                .actions()
                .map(|a| ActionMetadata {
                    type_name: a.spec.type_name.to_string(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        Ok(Response::new(self.schema.clone()))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self.identity_schemas.clone(),
            diagnostics: Vec::new(),
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        let request = request.into_inner();
        let ty = self.engine.provider_schema().block.value_type();
        let diagnostics = validated(Ok(&ty), request.config.as_ref(), |_, config| {
            self.engine.validate_provider_config(config)
        });
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics,
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        let request = request.into_inner();
        let entry = self.engine.resource(&request.type_name);
        let diagnostics = validated(entry, request.config.as_ref(), |entry, config| {
            self.engine.validate_resource_config(entry, config)
        });
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics,
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        let request = request.into_inner();
        let entry = self.engine.data_source(&request.type_name);
        let diagnostics = validated(entry, request.config.as_ref(), |entry, config| {
            self.engine.validate_data_source_config(entry, config)
        });
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics,
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        let request = request.into_inner();
        let raw = request.raw_state.map(|r| r.json).unwrap_or_default();
        let result = self.engine.resource(&request.type_name).and_then(|entry| {
            let state = self
                .engine
                .upgrade_resource_state(entry, request.version, &raw)?;
            encode(&state, &entry.ty)
        });
        Ok(Response::new(match result {
            Ok(upgraded) => pb::upgrade_resource_state::Response {
                upgraded_state: Some(upgraded),
                diagnostics: Vec::new(),
            },
            Err(diags) => pb::upgrade_resource_state::Response {
                upgraded_state: None,
                diagnostics: diagnostics_to_proto(diags),
            },
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        let request = request.into_inner();
        let result = self.engine.resource(&request.type_name).and_then(|entry| {
            let raw = request.raw_identity.map(|r| r.json).unwrap_or_default();
            let identity = decode_json(&raw, &entry.identity_type()).map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Unreadable identity",
                    format!("The stored resource identity does not fit the schema: {e}"),
                ))
            })?;
            encode(&identity, &entry.identity_type())
        });
        Ok(Response::new(match result {
            Ok(data) => pb::upgrade_resource_identity::Response {
                upgraded_identity: Some(pb::ResourceIdentityData {
                    identity_data: Some(data),
                }),
                diagnostics: Vec::new(),
            },
            Err(diags) => pb::upgrade_resource_identity::Response {
                upgraded_identity: None,
                diagnostics: diagnostics_to_proto(diags),
            },
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        let request = request.into_inner();
        let ty = self.engine.provider_schema().block.value_type();
        let diagnostics = match decode(request.config.as_ref(), &ty, "provider configuration") {
            Ok(config) => self.engine.configure(&config).await,
            Err(diags) => diags,
        };
        Ok(Response::new(pb::configure_provider::Response {
            diagnostics: diagnostics_to_proto(diagnostics),
        }))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        let request = request.into_inner();
        let failed =
            |diags: Diagnostics, state: Option<pb::DynamicValue>| pb::read_resource::Response {
                new_state: state,
                diagnostics: diagnostics_to_proto(diags),
                private: request.private.clone(),
                ..Default::default()
            };
        let entry = match self.engine.resource(&request.type_name) {
            Ok(entry) => entry,
            Err(diags) => return Ok(Response::new(failed(diags, request.current_state.clone()))),
        };
        let current = match decode(request.current_state.as_ref(), &entry.ty, "current state") {
            Ok(current) => current,
            Err(diags) => return Ok(Response::new(failed(diags, request.current_state.clone()))),
        };
        let outcome = self.engine.read_resource(entry, &current).await;
        let mut diagnostics = outcome.diagnostics;
        let new_state = match encode(&outcome.new_state, &entry.ty) {
            Ok(state) => Some(state),
            Err(diags) => {
                diagnostics.extend(diags);
                request.current_state.clone()
            }
        };
        Ok(Response::new(pb::read_resource::Response {
            new_state,
            diagnostics: diagnostics_to_proto(diagnostics),
            private: request.private,
            deferred: None,
            new_identity: identity_data(entry, outcome.identity),
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        let request = request.into_inner();
        let result = (|| {
            let entry = self.engine.resource(&request.type_name)?;
            let prior = decode(request.prior_state.as_ref(), &entry.ty, "prior state")?;
            let proposed = decode(
                request.proposed_new_state.as_ref(),
                &entry.ty,
                "proposed state",
            )?;
            let config = decode(request.config.as_ref(), &entry.ty, "configuration")?;
            let change = self
                .engine
                .plan_resource(entry, &prior, &proposed, &config)?;
            let identity = if change.planned.is_null() {
                None
            } else {
                entry.identity_of(&change.planned)
            };
            Ok::<_, Diagnostics>(pb::plan_resource_change::Response {
                planned_state: Some(encode(&change.planned, &entry.ty)?),
                requires_replace: change
                    .requires_replace
                    .into_iter()
                    .map(path_to_proto)
                    .collect(),
                planned_private: request.prior_private.clone(),
                planned_identity: identity_data(entry, identity),
                ..Default::default()
            })
        })();
        Ok(Response::new(result.unwrap_or_else(|diags| {
            pb::plan_resource_change::Response {
                diagnostics: diagnostics_to_proto(diags),
                ..Default::default()
            }
        })))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        let request = request.into_inner();
        let entry = match self.engine.resource(&request.type_name) {
            Ok(entry) => entry,
            Err(diags) => {
                return Ok(Response::new(pb::apply_resource_change::Response {
                    new_state: request.prior_state,
                    diagnostics: diagnostics_to_proto(diags),
                    ..Default::default()
                }));
            }
        };
        let decoded =
            decode(request.prior_state.as_ref(), &entry.ty, "prior state").and_then(|prior| {
                decode(request.planned_state.as_ref(), &entry.ty, "planned state")
                    .map(|p| (prior, p))
            });
        let (prior, planned) = match decoded {
            Ok(pair) => pair,
            Err(diags) => {
                return Ok(Response::new(pb::apply_resource_change::Response {
                    new_state: request.prior_state,
                    diagnostics: diagnostics_to_proto(diags),
                    ..Default::default()
                }));
            }
        };
        let outcome = self.engine.apply_resource(entry, &prior, &planned).await;
        let mut diagnostics = outcome.diagnostics;
        let new_state = match encode(&outcome.new_state, &entry.ty) {
            Ok(state) => Some(state),
            Err(diags) => {
                diagnostics.extend(diags);
                request.prior_state
            }
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state,
            private: request.planned_private,
            diagnostics: diagnostics_to_proto(diagnostics),
            legacy_type_system: false,
            new_identity: identity_data(entry, outcome.identity),
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        let request = request.into_inner();
        let result = (|| {
            let entry = self.engine.resource(&request.type_name)?;
            let imported = match decode_identity(entry, request.identity.as_ref())? {
                Some(identity) if request.id.is_empty() => {
                    self.engine.import_by_identity(entry, &identity)?
                }
                _ => self.engine.import_by_id(entry, &request.id)?,
            };
            Ok::<_, Diagnostics>(pb::import_resource_state::ImportedResource {
                type_name: request.type_name.clone(),
                state: Some(encode(&imported.state, &entry.ty)?),
                private: Vec::new(),
                identity: identity_data(entry, imported.identity),
            })
        })();
        Ok(Response::new(match result {
            Ok(imported) => pb::import_resource_state::Response {
                imported_resources: vec![imported],
                ..Default::default()
            },
            Err(diags) => pb::import_resource_state::Response {
                diagnostics: diagnostics_to_proto(diags),
                ..Default::default()
            },
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        let request = request.into_inner();
        let result = async {
            let entry = self.engine.data_source(&request.type_name)?;
            let config = decode(request.config.as_ref(), &entry.ty, "configuration")?;
            let state = self.engine.read_data_source(entry, &config).await?;
            encode(&state, &entry.ty)
        }
        .await;
        Ok(Response::new(match result {
            Ok(state) => pb::read_data_source::Response {
                state: Some(state),
                ..Default::default()
            },
            Err(diags) => pb::read_data_source::Response {
                diagnostics: diagnostics_to_proto(diags),
                ..Default::default()
            },
        }))
    }

    async fn validate_list_resource_config(
        &self,
        request: Request<pb::validate_list_resource_config::Request>,
    ) -> Reply<pb::validate_list_resource_config::Response> {
        let request = request.into_inner();
        let list = self.engine.list_entry(&request.type_name);
        let diagnostics = validated(list, request.config.as_ref(), |list, config| {
            self.engine.validate_list_config(list, config)
        });
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics,
        }))
    }

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> Reply<BoxStream<pb::list_resource::Event>> {
        let request = request.into_inner();
        let events = match self.list_events(&request).await {
            Ok(events) => events,
            Err(diags) => vec![pb::list_resource::Event {
                diagnostic: diagnostics_to_proto(diags),
                ..Default::default()
            }],
        };
        Ok(Response::new(Box::pin(tokio_stream::iter(
            events.into_iter().map(Ok),
        ))))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        let request = request.into_inner();
        let result = (|| {
            let entry = self.engine.resource(&request.target_type_name)?;
            let raw = request.source_state.map(|r| r.json).unwrap_or_default();
            let moved = self
                .engine
                .move_resource_state(&request.source_type_name, &raw, entry)?;
            Ok::<_, Diagnostics>((
                encode(&moved.state, &entry.ty)?,
                identity_data(entry, moved.identity),
            ))
        })();
        Ok(Response::new(match result {
            Ok((state, identity)) => pb::move_resource_state::Response {
                target_state: Some(state),
                target_private: request.source_private,
                target_identity: identity,
                diagnostics: Vec::new(),
            },
            Err(diags) => pb::move_resource_state::Response {
                diagnostics: diagnostics_to_proto(diags),
                ..Default::default()
            },
        }))
    }

    async fn generate_resource_config(
        &self,
        request: Request<pb::generate_resource_config::Request>,
    ) -> Reply<pb::generate_resource_config::Response> {
        let request = request.into_inner();
        let result = (|| {
            let entry = self.engine.resource(&request.type_name)?;
            let state = decode(request.state.as_ref(), &entry.ty, "state")?;
            let config = self.engine.generate_config(entry, &state)?;
            encode(&config, &entry.ty)
        })();
        Ok(Response::new(match result {
            Ok(config) => pb::generate_resource_config::Response {
                config: Some(config),
                diagnostics: Vec::new(),
            },
            Err(diags) => pb::generate_resource_config::Response {
                config: None,
                diagnostics: diagnostics_to_proto(diags),
            },
        }))
    }

    async fn validate_action_config(
        &self,
        request: Request<pb::validate_action_config::Request>,
    ) -> Reply<pb::validate_action_config::Response> {
        let request = request.into_inner();
        let diagnostics = self.action_config(&request.type_name, request.config.as_ref());
        Ok(Response::new(pb::validate_action_config::Response {
            diagnostics,
        }))
    }

    async fn plan_action(
        &self,
        request: Request<pb::plan_action::Request>,
    ) -> Reply<pb::plan_action::Response> {
        let request = request.into_inner();
        let diagnostics = self.action_config(&request.action_type, request.config.as_ref());
        Ok(Response::new(pb::plan_action::Response {
            diagnostics,
            deferred: None,
        }))
    }

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> Reply<BoxStream<pb::invoke_action::Event>> {
        use pb::invoke_action::event::{Completed, Progress as ProgressEvent, Type};
        let request = request.into_inner();
        let (events, stream) = tokio::sync::mpsc::channel(16);
        let completed = |diags: Diagnostics| pb::invoke_action::Event {
            r#type: Some(Type::Completed(Completed {
                diagnostics: diagnostics_to_proto(diags),
            })),
        };
        let engine = self.engine.clone();
        // The action is looked up in the task that runs it: the entry borrows the engine, which the
        // task owns.
        tokio::spawn(async move {
            let found = engine.action(&request.action_type).and_then(|entry| {
                let config = decode(request.config.as_ref(), &entry.ty, "action configuration")?;
                Ok((entry, config))
            });
            let diags = match found {
                Err(diags) => diags,
                Ok((entry, config)) => {
                    let (progress, mut messages) = Progress::channel();
                    let forward = {
                        let events = events.clone();
                        async move {
                            while let Some(message) = messages.recv().await {
                                let event = pb::invoke_action::Event {
                                    r#type: Some(Type::Progress(ProgressEvent { message })),
                                };
                                let _ = events.send(Ok(event)).await;
                            }
                        }
                    };
                    let run = async {
                        let diags = engine.invoke_action(entry, &config, &progress).await;
                        drop(progress);
                        diags
                    };
                    let (diags, ()) = tokio::join!(run, forward);
                    diags
                }
            };
            let _ = events.send(Ok(completed(diags))).await;
        });
        Ok(Response::new(Box::pin(
            tokio_stream::wrappers::ReceiverStream::new(stream),
        )))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        tracing::info!("StopProvider: ending in-flight waits");
        self.engine.stop();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
