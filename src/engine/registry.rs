//! The engine's registry: the `Engine` with every resource, data source and action entry, the
//! provider's configuration, and the lookups by type name. The RPCs themselves are in `rpc/`.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use crate::aws::Proton;
use crate::tf::schema::{Attribute, Block, Schema};
use crate::tf::{Diagnostic, Diagnostics, Type, Value};

use super::action::{ActionSpec, DynAction};
use super::client_token::CreateOccurrences;
use super::data_source::{DataSourceSpec, DynDataSource};
use super::resource::{BoxFuture, Ctx, DynResource, ListSpec, ResourceSpec};
use super::stop::StopSignal;
use super::tags::{IgnoreTags, TAGS, TAGS_ALL, Tags};
use super::timeouts::{self, TimeLimit};

/// What a configured provider hands to every operation.
pub struct Configured {
    pub api: Arc<Proton>,
    pub default_tags: Tags,
    pub ignore_tags: IgnoreTags,
}

/// Provider settings Terraform could not tell yet at ConfigureProvider (they come from resources not
/// yet applied). No client is built from them: defaults (the environment's region, the default
/// endpoint, no role) would silently stand in for what the configuration says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownSettings {
    /// The settings, as paths in the provider block: `region`, `endpoints.proton`.
    pub names: Vec<String>,
    /// Whether Terraform accepts deferred changes (`-allow-deferral`), so that work needing the
    /// API is deferred to a later plan instead of refused.
    pub deferral_allowed: bool,
}

impl UnknownSettings {
    /// The settings of `config` whose values are unknown, outermost path of each.
    pub fn of(config: &Value, deferral_allowed: bool) -> Option<UnknownSettings> {
        let mut names = Vec::new();
        collect_unknown(config, "", &mut names);
        (!names.is_empty()).then_some(UnknownSettings {
            names,
            deferral_allowed,
        })
    }

    pub fn diagnostic(&self) -> Diagnostic {
        let names = self
            .names
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ");
        Diagnostic::error(
            "Provider configuration is unknown",
            format!(
                "The provider block's {names} depends on values known only after apply, and this \
                 needs AWS Proton. The provider does not fall back to a default (another region, \
                 endpoint or role). Apply what the setting depends on first (for example with \
                 `terraform apply -target=...`), or give the setting a value known at plan time."
            ),
        )
    }
}

/// Pushes the path of every unknown value under `value`: an object's attributes one by one, a
/// collection as a whole.
fn collect_unknown(value: &Value, path: &str, names: &mut Vec<String>) {
    match value {
        Value::Unknown => names.push(path.to_string()),
        Value::Object(attributes) => {
            for (name, value) in attributes {
                let nested = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                collect_unknown(value, &nested, names);
            }
        }
        other if !other.is_wholly_known() => names.push(path.to_string()),
        _ => {}
    }
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
    pub(super) resource: Box<dyn DynResource>,
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

    /// The `terraform query` list resource, or an error when this resource cannot be listed.
    pub fn list_entry(&self) -> Result<&ListEntry, Diagnostics> {
        self.list
            .as_ref()
            .ok_or_else(|| unknown_type("list resource", self.spec.type_name))
    }
}

pub struct DataSourceEntry {
    pub spec: DataSourceSpec,
    pub schema: Schema,
    pub ty: Type,
    pub(super) data_source: Box<dyn DynDataSource>,
}

pub struct ActionEntry {
    pub spec: ActionSpec,
    pub schema: Schema,
    pub ty: Type,
    pub(super) action: Box<dyn DynAction>,
}

pub struct Engine {
    pub(super) provider: Box<dyn ProviderConfig>,
    provider_schema: Schema,
    resources: BTreeMap<&'static str, ResourceEntry>,
    data_sources: BTreeMap<&'static str, DataSourceEntry>,
    actions: BTreeMap<&'static str, ActionEntry>,
    pub(super) configured: RwLock<Option<Arc<Configured>>>,
    /// Set instead of `configured` when settings were unknown at ConfigureProvider.
    pub(super) unknown_settings: RwLock<Option<UnknownSettings>>,
    /// The account of the credentials, learned from the first own ARN Proton returns: an identity
    /// naming another account is refused (see `identity`).
    pub(super) account_id: RwLock<Option<String>>,
    pub(super) stop: StopSignal,
    /// Creates planned so far, to tell identical ones apart (see `client_token`).
    pub(super) create_occurrences: CreateOccurrences,
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
            unknown_settings: RwLock::new(None),
            account_id: RwLock::new(None),
            stop: StopSignal::default(),
            create_occurrences: CreateOccurrences::default(),
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

    pub(super) fn configured(&self) -> Result<Arc<Configured>, Diagnostics> {
        self.configured
            .read()
            .ok()
            .and_then(|slot| slot.clone())
            .ok_or_else(|| match self.unknown_settings() {
                Some(unknown) => unknown.diagnostic().into(),
                None => Diagnostic::error(
                    "Provider not configured",
                    "Terraform called the provider before configuring it; this is a bug in the provider or Terraform.",
                )
                .into(),
            })
    }

    /// The settings that were unknown at ConfigureProvider, if any were.
    pub fn unknown_settings(&self) -> Option<UnknownSettings> {
        self.unknown_settings
            .read()
            .ok()
            .and_then(|slot| slot.clone())
    }

    /// Whether work that needs the API is deferred: settings are unknown and Terraform accepts
    /// deferral. Without deferral the same work is refused with [`UnknownSettings::diagnostic`].
    pub fn defers_for_provider_config(&self) -> bool {
        self.unknown_settings()
            .is_some_and(|unknown| unknown.deferral_allowed)
    }

    pub(super) fn context(&self, configured: &Configured, timeout: impl Into<TimeLimit>) -> Ctx {
        Ctx {
            api: configured.api.clone(),
            timeout: timeout.into(),
            stop: self.stop.clone(),
            tags: Tags::new(),
            client_token: String::new(),
            warnings: Default::default(),
        }
    }

    pub fn list_entry(&self, type_name: &str) -> Result<&ListEntry, Diagnostics> {
        self.resource(type_name)?.list_entry()
    }
}
