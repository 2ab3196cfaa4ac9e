//! The engine: Terraform's rules for planning, applying, reading and importing, written once.
//!
//! Resources describe themselves with a [`ResourceSpec`] and implement async CRUD on a typed model;
//! everything Terraform insists on (unknown computed values, requires-replace paths, apply results equal
//! to the plan, tags merged with `default_tags`, import by ID or identity, stop handling) happens here.
//!
//! - `registry`: the [`Engine`], its resource, data source, list and action entries, and the lookups
//!   by type name. The server looks an entry up once per RPC and passes it by reference.
//! - `rpc/`: one file per tfplugin6 RPC (or tight family), each an `impl Engine` block with the
//!   helpers only it uses, as terraform-plugin-framework's `internal/fwserver` is laid out.
//! - `plan`, `plan_edit`, `tags`, `timeouts`, `wait`, `stop`, `convert`, `identity`: the rules and
//!   tools those RPCs share; `resource`, `data_source`, `action`: the API resources and data sources implement.

mod action;
mod client_token;
mod convert;
mod data_source;
mod identity;
mod plan;
mod plan_edit;
mod registry;
mod resource;
mod rpc;
mod stop;
mod tags;
mod timeouts;
pub mod wait;

pub use action::{Action, ActionSpec, DynAction, Progress};
pub use convert::{ENGINE_OWNED, check_model, model_from_value, value_from_model};
pub use data_source::DynDataSource;
pub use data_source::{DataSource, DataSourceSpec};
pub use identity::IDENTITY_VERSION;
pub use plan::{PlanRequest, PlannedChange, plan_resource_change};
pub use plan_edit::PlanEdit;
pub use registry::{
    ActionEntry, Configured, DataSourceEntry, Engine, ListEntry, ProviderConfig, ResourceEntry,
};
pub use resource::{
    BoxFuture, ConfigRule, Ctx, DynResource, Error, Failure, ListSpec, Resource, ResourceSpec,
    Timeouts, Warnings,
};
pub use rpc::{ApplyOutcome, ImportedResource, ListedObject, ReadOutcome};
pub use stop::StopSignal;
pub use tags::{
    IgnoreTags, Tags, from_value as tags_from_value, validate_keys as validate_tag_keys,
};
pub use timeouts::{TimeLimit, format_duration, parse_duration};
