//! The engine proper: every resource and data source, the provider's configuration, and the
//! Terraform operations on them.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use crate::aws::Proton;
use crate::tf::schema::{Attribute, Block, Schema, Semantics, yaml_equal};
use crate::tf::{AttributePath, Diagnostic, Diagnostics, Type, Value};

use super::action::{ActionSpec, DynAction, Progress};
use super::convert::{from_json, to_json};
use super::data_source::{DataSourceSpec, DynDataSource};
use super::plan::{PlanRequest, PlannedChange, TIMEOUTS, plan_resource_change};
use super::plan_edit::PlanEdit;
use super::resource::{BoxFuture, ConfigRule, Ctx, DynResource, Error, ListSpec, ResourceSpec};
use super::stop::StopSignal;
use super::tags::{self, TAGS, TAGS_ALL, Tags};
use super::timeouts::{self, Operation};

/// What a configured provider hands to every operation.
pub struct Configured {
    pub api: Arc<Proton>,
    pub default_tags: Tags,
}

/// The provider's own configuration: its schema and how a configuration becomes API clients.
pub trait ProviderConfig: Send + Sync {
    fn schema(&self) -> Schema;
    fn configure<'a>(&'a self, config: &'a Value)
    -> BoxFuture<'a, Result<Configured, Diagnostics>>;
}

pub struct ResourceEntry {
    pub spec: ResourceSpec,
    pub schema: Schema,
    pub ty: Type,
    /// The `terraform query` list resource of the same name, when the resource can be listed.
    pub list: Option<ListEntry>,
    resource: Box<dyn DynResource>,
}

pub struct ListEntry {
    pub spec: ListSpec,
    /// The schema of the list block's `config`.
    pub schema: Schema,
    pub ty: Type,
}

impl ResourceEntry {
    fn new(resource: Box<dyn DynResource>) -> Self {
        let spec = resource.spec();
        let mut block = Block::new(spec.attributes.clone()).describe(spec.description);
        block.blocks = spec.blocks.clone();
        if spec.tags {
            block.attributes.push(
                Attribute::string_map(TAGS)
                    .optional()
                    .describe("Tags for the resource. Tags with the same key as a provider `default_tags` tag override it."),
            );
            block
                .attributes
                .push(Attribute::string_map(TAGS_ALL).computed().describe(
                    "All tags on the resource: `tags` merged over the provider's `default_tags`.",
                ));
        }
        if let Some(timeouts) = timeouts::block(&spec.timeouts) {
            block.blocks.push(timeouts);
        }
        let ty = block.value_type();
        let list = resource.list_spec().map(|list| {
            let block = Block::new(list.filters.clone()).describe(list.description);
            ListEntry {
                ty: block.value_type(),
                schema: Schema { version: 0, block },
                spec: list,
            }
        });
        Self {
            schema: Schema {
                version: spec.version,
                block,
            },
            ty,
            spec,
            list,
            resource,
        }
    }

    /// A name for a listed object: its identity values joined as in its import ID.
    pub fn display_name(&self, state: &Value) -> String {
        self.spec
            .identity
            .iter()
            .filter_map(|name| state.get(name).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// The identity schema's attributes: the identity attributes, all required strings.
    pub fn identity_attributes(&self) -> Vec<Attribute> {
        self.spec
            .identity
            .iter()
            .map(|name| {
                let description = self
                    .schema
                    .block
                    .attribute(name)
                    .map(|a| a.description.clone())
                    .unwrap_or_default();
                Attribute::string(name).required().describe(&description)
            })
            .collect()
    }

    pub fn identity_type(&self) -> Type {
        Type::object(self.spec.identity.iter().map(|name| (*name, Type::String)))
    }

    /// The identity of an object in state, when all its parts are known.
    pub fn identity_of(&self, state: &Value) -> Option<Value> {
        let parts: Option<Vec<(&str, Value)>> = self
            .spec
            .identity
            .iter()
            .map(|name| {
                state
                    .get(name)
                    .and_then(Value::as_str)
                    .map(|s| (*name, Value::string(s)))
            })
            .collect();
        parts.map(Value::object)
    }
}

pub struct DataSourceEntry {
    pub spec: DataSourceSpec,
    pub schema: Schema,
    pub ty: Type,
    data_source: Box<dyn DynDataSource>,
}

pub struct ActionEntry {
    pub spec: ActionSpec,
    pub schema: Schema,
    pub ty: Type,
    action: Box<dyn DynAction>,
}

pub struct ApplyOutcome {
    pub new_state: Value,
    pub identity: Option<Value>,
    pub diagnostics: Diagnostics,
}

pub struct ReadOutcome {
    pub new_state: Value,
    pub identity: Option<Value>,
    pub diagnostics: Diagnostics,
}

/// One object found by a list resource.
pub struct ListedObject {
    pub identity: Value,
    pub display_name: String,
    /// The full object, when Terraform asked for it.
    pub state: Option<Value>,
}

pub struct ImportedResource {
    pub state: Value,
    pub identity: Option<Value>,
}

pub struct Engine {
    provider: Box<dyn ProviderConfig>,
    provider_schema: Schema,
    resources: BTreeMap<&'static str, ResourceEntry>,
    data_sources: BTreeMap<&'static str, DataSourceEntry>,
    actions: BTreeMap<&'static str, ActionEntry>,
    configured: RwLock<Option<Arc<Configured>>>,
    stop: StopSignal,
}

fn unknown_type(kind: &str, name: &str) -> Diagnostics {
    Diagnostic::error(
        format!("Unknown {kind} type"),
        format!("This provider has no {kind} type {name:?}."),
    )
    .into()
}

impl Engine {
    pub fn new(
        provider: Box<dyn ProviderConfig>,
        resources: Vec<Box<dyn DynResource>>,
        data_sources: Vec<Box<dyn DynDataSource>>,
    ) -> Self {
        let resources = resources
            .into_iter()
            .map(ResourceEntry::new)
            .map(|entry| (entry.spec.type_name, entry))
            .collect();
        let data_sources = data_sources
            .into_iter()
            .map(|data_source| {
                let spec = data_source.spec();
                let block = Block::new(spec.attributes.clone()).describe(spec.description);
                let ty = block.value_type();
                let entry = DataSourceEntry {
                    schema: Schema { version: 0, block },
                    ty,
                    spec,
                    data_source,
                };
                (entry.spec.type_name, entry)
            })
            .collect();
        Self {
            provider_schema: provider.schema(),
            provider,
            resources,
            data_sources,
            actions: BTreeMap::new(),
            configured: RwLock::new(None),
            stop: StopSignal::default(),
        }
    }

    /// Adds actions (Terraform 1.14+; older versions never ask for them).
    pub fn with_actions(mut self, actions: Vec<Box<dyn DynAction>>) -> Self {
        for action in actions {
            let spec = action.spec();
            let block = Block::new(spec.attributes.clone()).describe(spec.description);
            let entry = ActionEntry {
                ty: block.value_type(),
                schema: Schema { version: 0, block },
                spec,
                action,
            };
            self.actions.insert(entry.spec.type_name, entry);
        }
        self
    }

    pub fn actions(&self) -> impl Iterator<Item = &ActionEntry> {
        self.actions.values()
    }

    pub fn action(&self, type_name: &str) -> Result<&ActionEntry, Diagnostics> {
        self.actions
            .get(type_name)
            .ok_or_else(|| unknown_type("action", type_name))
    }

    pub fn validate_action_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.action(type_name) {
            Ok(entry) => validate_config(&entry.schema.block, &entry.spec.rules, config),
            Err(diags) => diags,
        }
    }

    /// Runs an action, reporting progress through `progress`; its outcome as diagnostics.
    pub async fn invoke_action(
        &self,
        type_name: &str,
        config: &Value,
        progress: &Progress,
    ) -> Diagnostics {
        let mut diags = self.validate_action_config(type_name, config);
        if diags.has_errors() {
            return diags;
        }
        let (entry, configured) = match (self.action(type_name), self.configured()) {
            (Ok(entry), Ok(configured)) => (entry, configured),
            (Err(errors), _) | (_, Err(errors)) => return errors,
        };
        let ctx = self.context(&configured, std::time::Duration::from_secs(30 * 60));
        if let Err(error) = entry.action.invoke(&ctx, config, progress).await {
            diags.push(error_diagnostic(type_name, "run", &error));
        }
        diags
    }

    pub fn provider_schema(&self) -> &Schema {
        &self.provider_schema
    }

    pub fn resources(&self) -> impl Iterator<Item = &ResourceEntry> {
        self.resources.values()
    }

    pub fn data_sources(&self) -> impl Iterator<Item = &DataSourceEntry> {
        self.data_sources.values()
    }

    pub fn resource(&self, type_name: &str) -> Result<&ResourceEntry, Diagnostics> {
        self.resources
            .get(type_name)
            .ok_or_else(|| unknown_type("resource", type_name))
    }

    pub fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry, Diagnostics> {
        self.data_sources
            .get(type_name)
            .ok_or_else(|| unknown_type("data source", type_name))
    }

    pub fn stop(&self) {
        self.stop.raise();
    }

    pub fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        validate_config(&self.provider_schema.block, &[], config)
    }

    pub async fn configure(&self, config: &Value) -> Diagnostics {
        let mut diags = self.validate_provider_config(config);
        if diags.has_errors() {
            return diags;
        }
        match self.provider.configure(config).await {
            Ok(configured) => {
                if let Ok(mut slot) = self.configured.write() {
                    *slot = Some(Arc::new(configured));
                }
            }
            Err(errors) => diags.extend(errors),
        }
        diags
    }

    fn configured(&self) -> Result<Arc<Configured>, Diagnostics> {
        self.configured
            .read()
            .ok()
            .and_then(|slot| slot.clone())
            .ok_or_else(|| {
                Diagnostic::error(
                    "Provider not configured",
                    "Terraform called the provider before configuring it; this is a bug in the provider or Terraform.",
                )
                .into()
            })
    }

    fn context(&self, configured: &Configured, timeout: std::time::Duration) -> Ctx {
        Ctx {
            api: configured.api.clone(),
            timeout,
            stop: self.stop.clone(),
            tags: Tags::new(),
            client_token: String::new(),
        }
    }

    pub fn validate_resource_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        let entry = match self.resource(type_name) {
            Ok(entry) => entry,
            Err(diags) => return diags,
        };
        let mut diags = validate_config(&entry.schema.block, &entry.spec.rules, config);
        timeouts::validate(config, &mut diags);
        deprecations(&entry.schema.block, config, &mut diags);
        diags
    }

    pub fn validate_data_source_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.data_source(type_name) {
            Ok(entry) => validate_config(&entry.schema.block, &entry.spec.rules, config),
            Err(diags) => diags,
        }
    }

    pub fn plan_resource(
        &self,
        type_name: &str,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> Result<PlannedChange, Diagnostics> {
        let entry = self.resource(type_name)?;
        let default_tags = match self.configured() {
            Ok(configured) => configured.default_tags.clone(),
            Err(_) if !entry.spec.tags => Tags::new(),
            Err(diags) => return Err(diags),
        };
        let mut change = plan_resource_change(&PlanRequest {
            block: &entry.schema.block,
            prior,
            proposed,
            config,
            default_tags: &default_tags,
            tags: entry.spec.tags,
        });
        if !change.planned.is_null() {
            entry
                .resource
                .modify_plan(&mut PlanEdit::new(prior, config, &mut change.planned));
        }
        Ok(change)
    }

    pub async fn apply_resource(
        &self,
        type_name: &str,
        prior: &Value,
        planned: &Value,
    ) -> ApplyOutcome {
        let failed = |diags: Diagnostics| ApplyOutcome {
            new_state: prior.clone(),
            identity: None,
            diagnostics: diags,
        };
        let entry = match self.resource(type_name) {
            Ok(entry) => entry,
            Err(diags) => return failed(diags),
        };
        let configured = match self.configured() {
            Ok(configured) => configured,
            Err(diags) => return failed(diags),
        };
        let mut diags = Diagnostics::new();
        let new_state = if planned.is_null() {
            self.delete(entry, &configured, prior, &mut diags).await
        } else if prior.is_null() {
            self.create(entry, &configured, planned, &mut diags).await
        } else {
            self.update(entry, &configured, prior, planned, &mut diags)
                .await
        };
        ApplyOutcome {
            identity: entry.identity_of(&new_state),
            new_state,
            diagnostics: diags,
        }
    }

    async fn create(
        &self,
        entry: &ResourceEntry,
        configured: &Configured,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let mut ctx = self.context(
            configured,
            timeouts::resolve(planned, Operation::Create, &entry.spec.timeouts),
        );
        ctx.tags = tags::from_value(planned.get(TAGS_ALL).unwrap_or(&Value::Null));
        ctx.client_token = client_token(entry.spec.type_name, planned);
        tracing::debug!(resource = entry.spec.type_name, "creating");
        match entry.resource.create(&ctx, planned, &entry.ty).await {
            Ok(created) => settle(planned, &created),
            Err(failure) => {
                diags.push(error_diagnostic(
                    entry.spec.type_name,
                    "create",
                    &failure.error,
                ));
                // The object exists: keep it in state so Terraform taints it instead of forgetting it.
                failure
                    .state
                    .map(|state| settle_failed(planned, &state))
                    .unwrap_or(Value::Null)
            }
        }
    }

    async fn update(
        &self,
        entry: &ResourceEntry,
        configured: &Configured,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let ctx = self.context(
            configured,
            timeouts::resolve(planned, Operation::Update, &entry.spec.timeouts),
        );
        let result = if resource_changed(&entry.schema.block, prior, planned) {
            tracing::debug!(resource = entry.spec.type_name, "updating");
            match entry.resource.update(&ctx, prior, planned, &entry.ty).await {
                Ok(updated) => settle(planned, &updated),
                Err(failure) => {
                    diags.push(error_diagnostic(
                        entry.spec.type_name,
                        "update",
                        &failure.error,
                    ));
                    return failure
                        .state
                        .map(|state| keep_engine_attributes(&state, prior))
                        .unwrap_or_else(|| prior.clone());
                }
            }
        } else {
            settle(planned, prior)
        };
        if entry.spec.tags {
            let old = tags::from_value(prior.get(TAGS_ALL).unwrap_or(&Value::Null));
            let new = tags::from_value(planned.get(TAGS_ALL).unwrap_or(&Value::Null));
            if old != new {
                let arn = result
                    .get("arn")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let (upsert, remove) = tags::diff(&old, &new);
                if let Err(error) = ctx.api.update_tags(arn, &upsert, &remove).await {
                    diags.push(error_diagnostic(
                        entry.spec.type_name,
                        "update tags of",
                        &Error::Api(error),
                    ));
                    return keep_engine_attributes(&result, prior);
                }
            }
        }
        result
    }

    async fn delete(
        &self,
        entry: &ResourceEntry,
        configured: &Configured,
        prior: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let ctx = self.context(
            configured,
            timeouts::resolve(prior, Operation::Delete, &entry.spec.timeouts),
        );
        tracing::debug!(resource = entry.spec.type_name, "deleting");
        match entry.resource.delete(&ctx, prior).await {
            Ok(()) => Value::Null,
            Err(error) => {
                diags.push(error_diagnostic(entry.spec.type_name, "delete", &error));
                prior.clone()
            }
        }
    }

    pub async fn read_resource(&self, type_name: &str, current: &Value) -> ReadOutcome {
        let failed = |diags: Diagnostics| ReadOutcome {
            new_state: current.clone(),
            identity: None,
            diagnostics: diags,
        };
        let entry = match self.resource(type_name) {
            Ok(entry) => entry,
            Err(diags) => return failed(diags),
        };
        let configured = match self.configured() {
            Ok(configured) => configured,
            Err(diags) => return failed(diags),
        };
        let ctx = self.context(
            &configured,
            timeouts::resolve(current, Operation::Create, &entry.spec.timeouts),
        );
        // The tags are read alongside the object when the prior state already names its ARN: a
        // refresh then costs one round trip instead of two.
        let prior_arn = current
            .get("arn")
            .and_then(Value::as_str)
            .filter(|arn| entry.spec.tags && !arn.is_empty());
        let early_tags = async {
            match prior_arn {
                Some(arn) => Some(ctx.api.list_tags(arn).await),
                None => None,
            }
        };
        let (found, early_tags) =
            tokio::join!(entry.resource.read(&ctx, current, &entry.ty), early_tags);
        let found = match found {
            Ok(found) => found,
            Err(error) => {
                return failed(error_diagnostic(type_name, "read", &error).into());
            }
        };
        let Some(mut remote) = found else {
            tracing::warn!(
                resource = type_name,
                "object no longer exists; removing it from state"
            );
            return ReadOutcome {
                new_state: Value::Null,
                identity: None,
                diagnostics: Diagnostics::new(),
            };
        };
        keep_normalised_values(&entry.schema.block, current, &mut remote);
        if entry.spec.tags {
            let arn = remote
                .get("arn")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let tags = match early_tags {
                Some(tags) if prior_arn == Some(arn) => tags,
                _ => ctx.api.list_tags(arn).await,
            };
            match tags {
                Ok(found) => {
                    let prior_tags = current.get(TAGS).unwrap_or(&Value::Null);
                    let (own, all) =
                        tags::split_remote(&found, &configured.default_tags, prior_tags);
                    set_attribute(&mut remote, TAGS, own);
                    set_attribute(&mut remote, TAGS_ALL, all);
                }
                Err(error) => {
                    return failed(
                        error_diagnostic(type_name, "read tags of", &Error::Api(error)).into(),
                    );
                }
            }
        }
        if let Some(timeouts) = current.get(TIMEOUTS) {
            set_attribute(&mut remote, TIMEOUTS, timeouts.clone());
        }
        let new_state = known_or_null(remote);
        ReadOutcome {
            identity: entry.identity_of(&new_state),
            new_state,
            diagnostics: Diagnostics::new(),
        }
    }

    pub fn validate_list_config(&self, type_name: &str, config: &Value) -> Diagnostics {
        match self.list_entry(type_name) {
            Ok(list) => validate_config(&list.schema.block, &[], config),
            Err(diags) => diags,
        }
    }

    pub fn list_entry(&self, type_name: &str) -> Result<&ListEntry, Diagnostics> {
        self.resource(type_name)?
            .list
            .as_ref()
            .ok_or_else(|| unknown_type("list resource", type_name))
    }

    /// `terraform query`: the objects matching `filter`, at most `limit` (0 = no limit), each read in
    /// full when `include_objects` is set.
    pub async fn list_resource(
        &self,
        type_name: &str,
        filter: &Value,
        include_objects: bool,
        limit: usize,
    ) -> Result<Vec<ListedObject>, Diagnostics> {
        let entry = self.resource(type_name)?;
        self.list_entry(type_name)?;
        let configured = self.configured()?;
        let ctx = self.context(&configured, std::time::Duration::from_secs(20 * 60));
        let found = entry
            .resource
            .list(&ctx, filter, &entry.ty)
            .await
            .map_err(|error| Diagnostics::from(error_diagnostic(type_name, "list", &error)))?;
        let limit = if limit == 0 { usize::MAX } else { limit };
        let mut listed = Vec::new();
        for summary in found.into_iter().take(limit) {
            let Some(identity) = entry.identity_of(&summary) else {
                continue;
            };
            let state = if include_objects {
                let read = self.read_resource(type_name, &summary).await;
                if read.diagnostics.has_errors() {
                    return Err(read.diagnostics);
                }
                if read.new_state.is_null() {
                    // Deleted between the list and the read.
                    continue;
                }
                Some(read.new_state)
            } else {
                None
            };
            listed.push(ListedObject {
                display_name: entry.display_name(&summary),
                identity,
                state,
            });
        }
        Ok(listed)
    }

    /// A `moved` block from another resource type (e.g. awscc's): the source state, as stored, becomes
    /// this resource's state; Terraform refreshes it afterwards.
    pub fn move_resource_state(
        &self,
        source_type: &str,
        source_json: &[u8],
        target_type: &str,
    ) -> Result<ImportedResource, Diagnostics> {
        let entry = self.resource(target_type)?;
        let source: serde_json::Value = serde_json::from_slice(source_json).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Unreadable source state",
                format!("The state of the {source_type} being moved is not valid JSON: {e}"),
            ))
        })?;
        let moved = entry
            .resource
            .move_from(source_type, &source)
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Unsupported move",
                    format!("{target_type} cannot take over the state of a {source_type}."),
                ))
            })?;
        let state = from_json(&moved, &entry.ty).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Unsupported move",
                format!("The moved state does not fit {target_type}: {e}"),
            ))
        })?;
        Ok(ImportedResource {
            identity: entry.identity_of(&state),
            state,
        })
    }

    /// Configuration for an imported object (`-generate-config-out`): only what a user sets, without
    /// computed values, engine-managed attributes or values equal to their defaults.
    pub fn generate_config(&self, type_name: &str, state: &Value) -> Result<Value, Diagnostics> {
        let entry = self.resource(type_name)?;
        let mut config = null_object(&entry.ty);
        for attribute in &entry.schema.block.attributes {
            if !attribute.presence.is_configurable() || attribute.name == TAGS_ALL {
                continue;
            }
            let Some(value) = state.get(&attribute.name) else {
                continue;
            };
            let is_default = attribute.default.as_ref() == Some(value);
            let is_empty_map =
                attribute.name == TAGS && value.entries().is_some_and(|m| m.is_empty());
            if !value.is_null() && !is_default && !is_empty_map {
                set_attribute(&mut config, &attribute.name, value.clone());
            }
        }
        Ok(config)
    }

    /// Import by ID: the identity attributes joined with `:`, in order.
    pub fn import_by_id(&self, type_name: &str, id: &str) -> Result<ImportedResource, Diagnostics> {
        let entry = self.resource(type_name)?;
        let parts: Vec<&str> = if entry.spec.identity.len() == 1 {
            vec![id]
        } else {
            id.splitn(entry.spec.identity.len(), ':').collect()
        };
        if parts.len() != entry.spec.identity.len() || parts.iter().any(|p| p.is_empty()) {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!(
                    "{type_name} is imported by an ID of the form {:?}, got {id:?}.",
                    entry.spec.identity.join(":")
                ),
            )
            .into());
        }
        Ok(self.imported(entry, entry.spec.identity.iter().copied().zip(parts)))
    }

    pub fn import_by_identity(
        &self,
        type_name: &str,
        identity: &Value,
    ) -> Result<ImportedResource, Diagnostics> {
        let entry = self.resource(type_name)?;
        let mut parts = Vec::new();
        for name in entry.spec.identity {
            match identity.get(name).and_then(Value::as_str) {
                Some(value) if !value.is_empty() => parts.push((*name, value)),
                _ => {
                    return Err(Diagnostic::error(
                        "Invalid import identity",
                        format!("The identity of {type_name} needs a non-empty {name:?}."),
                    )
                    .at(AttributePath::attribute(*name))
                    .into());
                }
            }
        }
        Ok(self.imported(entry, parts.into_iter()))
    }

    fn imported<'a>(
        &self,
        entry: &ResourceEntry,
        parts: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> ImportedResource {
        let mut state = null_object(&entry.ty);
        for (name, value) in parts {
            set_attribute(&mut state, name, Value::string(value));
        }
        ImportedResource {
            identity: entry.identity_of(&state),
            state,
        }
    }

    /// Upgrades stored JSON state to the current schema. Attributes the schema no longer has are dropped.
    pub fn upgrade_resource_state(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> Result<Value, Diagnostics> {
        let entry = self.resource(type_name)?;
        if version > entry.schema.version {
            return Err(Diagnostic::error(
                "State from a newer provider",
                format!(
                    "The state of this {type_name} was written by a newer provider (schema version {version}, this provider knows {}). Upgrade the provider.",
                    entry.schema.version
                ),
            )
            .into());
        }
        let json: serde_json::Value = serde_json::from_slice(raw_json).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Unreadable state",
                format!("The stored state is not valid JSON: {e}"),
            ))
        })?;
        from_json(&json, &entry.ty).map_err(|e| {
            Diagnostic::error(
                "Unreadable state",
                format!("The stored state does not fit the schema: {e}"),
            )
            .into()
        })
    }

    pub async fn read_data_source(
        &self,
        type_name: &str,
        config: &Value,
    ) -> Result<Value, Diagnostics> {
        let entry = self.data_source(type_name)?;
        let configured = self.configured()?;
        let ctx = self.context(&configured, std::time::Duration::from_secs(20 * 60));
        let found = entry
            .data_source
            .read(&ctx, config, &entry.ty)
            .await
            .map_err(|error| Diagnostics::from(error_diagnostic(type_name, "read", &error)))?;
        Ok(known_or_null(keep_configured(config, found)))
    }
}

/// Whether anything but tags and timeouts differs, i.e. whether the resource's own update must run.
fn resource_changed(block: &Block, prior: &Value, planned: &Value) -> bool {
    let null = Value::Null;
    block
        .attributes
        .iter()
        .filter(|a| a.presence.is_configurable() && a.name != TAGS)
        .any(|a| planned.get(&a.name).unwrap_or(&null) != prior.get(&a.name).unwrap_or(&null))
        || block
            .blocks
            .iter()
            .filter(|b| b.name != TIMEOUTS)
            .any(|b| planned.get(&b.name).unwrap_or(&null) != prior.get(&b.name).unwrap_or(&null))
        // A resource's plan hook may plan work (values unknown until it is done) with no argument changed.
        || block
            .attributes
            .iter()
            .filter(|a| a.name != TAGS_ALL)
            .any(|a| planned.get(&a.name).is_some_and(|v| !v.is_wholly_known()))
}

/// The state after apply: every value known in the plan as planned (Terraform requires it, and it keeps
/// the user's spelling), everything else as the API reported it.
fn settle(planned: &Value, reported: &Value) -> Value {
    let (Value::Object(planned_fields), Value::Object(reported_fields)) = (planned, reported)
    else {
        return known_or_null(reported.clone());
    };
    let mut fields = reported_fields.clone();
    for (name, value) in planned_fields {
        if value.is_wholly_known() || !fields.contains_key(name) {
            fields.insert(name.clone(), value.clone());
        }
    }
    known_or_null(Value::Object(fields))
}

/// The state after a failed create: the object as the API reported it (a failed registration shows
/// its real status), with planned values only where the API said nothing.
fn settle_failed(planned: &Value, reported: &Value) -> Value {
    let (Value::Object(planned_fields), Value::Object(reported_fields)) = (planned, reported)
    else {
        return known_or_null(reported.clone());
    };
    let mut fields = reported_fields.clone();
    for (name, value) in planned_fields {
        if fields.get(name).is_none_or(Value::is_null) {
            fields.insert(name.clone(), value.clone());
        }
    }
    known_or_null(Value::Object(fields))
}

/// A data source's result with the configured arguments as the user wrote them.
fn keep_configured(config: &Value, mut found: Value) -> Value {
    if let Value::Object(fields) = config {
        for (name, value) in fields {
            if !value.is_null() && value.is_wholly_known() {
                set_attribute(&mut found, name, value.clone());
            }
        }
    }
    found
}

/// After a failed update: the object as it now is, with the engine's own attributes from the prior state.
fn keep_engine_attributes(state: &Value, prior: &Value) -> Value {
    let mut state = state.clone();
    for name in [TAGS, TAGS_ALL, TIMEOUTS] {
        if let Some(value) = prior.get(name) {
            set_attribute(&mut state, name, value.clone());
        }
    }
    known_or_null(state)
}

/// Keeps the stored value where the API returned the same thing in another spelling.
fn keep_normalised_values(block: &Block, current: &Value, remote: &mut Value) {
    for attribute in &block.attributes {
        if attribute.semantics != Semantics::Yaml {
            continue;
        }
        if let (Some(stored), Some(reported)) = (
            current.get(&attribute.name).and_then(Value::as_str),
            remote.get(&attribute.name).and_then(Value::as_str),
        ) && stored != reported
            && yaml_equal(stored, reported)
        {
            let stored = Value::string(stored);
            set_attribute(remote, &attribute.name, stored);
        }
    }
}

fn set_attribute(object: &mut Value, name: &str, value: Value) {
    if let Value::Object(fields) = object {
        fields.insert(name.to_string(), value);
    }
}

fn null_object(ty: &Type) -> Value {
    match ty {
        Type::Object { attributes, .. } => Value::Object(
            attributes
                .keys()
                .map(|k| (k.clone(), Value::Null))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// State must never hold unknowns; anything still unknown is recorded as null.
fn known_or_null(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(known_or_null).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(known_or_null).collect()),
        Value::Tuple(items) => Value::Tuple(items.into_iter().map(known_or_null).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k, known_or_null(v)))
                .collect(),
        ),
        Value::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k, known_or_null(v)))
                .collect(),
        ),
        other => other,
    }
}

/// A configuration checked against its block's validators and the cross-attribute rules.
fn validate_config(block: &Block, rules: &[ConfigRule], config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    block.validate(config, &AttributePath::root(), &mut diags);
    check_rules(rules, config, &mut diags);
    diags
}

fn check_rules(rules: &[ConfigRule], config: &Value, diags: &mut Diagnostics) {
    for rule in rules {
        let (names, exactly) = match rule {
            ConfigRule::ExactlyOneOf(names) => (*names, true),
            ConfigRule::AtMostOneOf(names) => (*names, false),
        };
        let values: Vec<&Value> = names
            .iter()
            .map(|n| config.get(n).unwrap_or(&Value::Null))
            .collect();
        if values.iter().any(|v| v.is_unknown()) {
            continue;
        }
        let set: Vec<&str> = names
            .iter()
            .zip(&values)
            .filter(|(_, v)| !v.is_null())
            .map(|(n, _)| *n)
            .collect();
        let listed = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if set.len() > 1 {
            for name in &set {
                diags.attribute_error(
                    AttributePath::attribute(*name),
                    "Conflicting attributes",
                    format!(
                        "Only one of {listed} may be set; {} are.",
                        set.join(" and ")
                    ),
                );
            }
        } else if exactly && set.is_empty() {
            diags.attribute_error(
                AttributePath::attribute(names[0]),
                "Missing attribute",
                format!("Exactly one of {listed} must be set."),
            );
        }
    }
}

fn deprecations(block: &Block, config: &Value, diags: &mut Diagnostics) {
    for attribute in &block.attributes {
        if let Some(message) = &attribute.deprecation
            && config.get(&attribute.name).is_some_and(|v| !v.is_null())
        {
            diags.push(
                Diagnostic::warning("Deprecated attribute", message.clone())
                    .at(AttributePath::attribute(&attribute.name)),
            );
        }
    }
}

fn error_diagnostic(type_name: &str, action: &str, error: &Error) -> Diagnostic {
    Diagnostic::error(format!("Failed to {action} {type_name}"), error.to_string())
}

/// A token that is the same for the same planned object, so a repeated create is recognised.
fn client_token(type_name: &str, planned: &Value) -> String {
    let text = format!("{type_name}\n{}", to_json(planned));
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settle_prefers_known_planned_values() {
        let planned = Value::object([
            ("name", Value::string("a")),
            ("spec", Value::string("x: 1\n")),
            ("arn", Value::Unknown),
        ]);
        let reported = Value::object([
            ("name", Value::string("a")),
            ("spec", Value::string("{x: 1}")),
            (
                "arn",
                Value::string("arn:aws:proton:us-east-1:0:environment/a"),
            ),
        ]);
        let state = settle(&planned, &reported);
        assert_eq!(state.get("spec"), Some(&Value::string("x: 1\n")));
        assert_eq!(
            state.get("arn"),
            Some(&Value::string("arn:aws:proton:us-east-1:0:environment/a"))
        );
    }

    #[test]
    fn failed_create_keeps_what_the_api_reported() {
        let planned = Value::object([
            ("status", Value::string("DRAFT")),
            ("source", Value::string("s3://b/k")),
            ("status_message", Value::Unknown),
            ("tags_all", Value::map([("a", Value::string("b"))])),
        ]);
        let reported = Value::object([
            ("status", Value::string("REGISTRATION_FAILED")),
            ("source", Value::Null),
            ("status_message", Value::string("bad bundle")),
            ("tags_all", Value::Null),
        ]);
        let state = settle_failed(&planned, &reported);
        assert_eq!(
            state.get("status"),
            Some(&Value::string("REGISTRATION_FAILED"))
        );
        assert_eq!(state.get("source"), Some(&Value::string("s3://b/k")));
        assert_eq!(
            state.get("status_message"),
            Some(&Value::string("bad bundle"))
        );
        assert_eq!(state.get("tags_all"), planned.get("tags_all"));
    }

    #[test]
    fn rules_name_each_conflicting_attribute() {
        let config = Value::object([
            ("a", Value::string("x")),
            ("b", Value::string("y")),
            ("c", Value::Null),
        ]);
        let mut diags = Diagnostics::new();
        check_rules(
            &[ConfigRule::ExactlyOneOf(&["a", "b"])],
            &config,
            &mut diags,
        );
        let paths: Vec<String> = diags
            .iter()
            .filter_map(|d| d.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, vec!["a", "b"]);

        let mut diags = Diagnostics::new();
        check_rules(
            &[ConfigRule::ExactlyOneOf(&["c", "d"])],
            &config,
            &mut diags,
        );
        assert!(diags.has_errors());

        let unknown = Value::object([("a", Value::Unknown), ("b", Value::string("y"))]);
        let mut diags = Diagnostics::new();
        check_rules(
            &[ConfigRule::ExactlyOneOf(&["a", "b"])],
            &unknown,
            &mut diags,
        );
        assert!(diags.is_empty());
    }

    #[test]
    fn planned_unknowns_run_the_update_even_without_argument_changes() {
        let block = Block::new(vec![
            Attribute::string("spec").required(),
            Attribute::string("deployment_status").computed(),
            Attribute::string_map(TAGS_ALL).computed(),
        ]);
        let prior = Value::object([
            ("spec", Value::string("a: 1")),
            ("deployment_status", Value::string("FAILED")),
            (TAGS_ALL, Value::Null),
        ]);
        assert!(!resource_changed(&block, &prior, &prior));
        let mut redeploy = prior.clone();
        set_attribute(&mut redeploy, "deployment_status", Value::Unknown);
        assert!(resource_changed(&block, &prior, &redeploy));
        let mut tags_only = prior.clone();
        set_attribute(&mut tags_only, TAGS_ALL, Value::Unknown);
        assert!(!resource_changed(&block, &prior, &tags_only));
    }

    #[test]
    fn client_tokens_are_stable_and_short_enough() {
        let planned = Value::object([("name", Value::string("a"))]);
        let token = client_token("proton_component", &planned);
        assert_eq!(token, client_token("proton_component", &planned));
        assert_eq!(token.len(), 64);
        assert_ne!(token, client_token("proton_service", &planned));
    }
}
