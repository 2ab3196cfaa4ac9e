//! The engine: Terraform's rules for planning, applying, reading and importing, written once.
//!
//! Resources describe themselves with a [`ResourceSpec`] and implement async CRUD on a typed model;
//! everything Terraform insists on (unknown computed values, requires-replace paths, apply results equal
//! to the plan, tags merged with `default_tags`, import by ID or identity, stop handling) happens here.

mod action;
mod convert;
mod data_source;
mod plan;
mod plan_edit;
mod registry;
mod resource;
mod stop;
mod tags;
mod timeouts;
pub mod wait;

pub use action::{Action, ActionSpec, DynAction, Progress};
pub use convert::{ENGINE_OWNED, check_model, model_from_value, value_from_model};
pub use data_source::DynDataSource;
pub use data_source::{DataSource, DataSourceSpec};
pub use plan::{PlanRequest, PlannedChange, plan_resource_change};
pub use plan_edit::PlanEdit;
pub use registry::{
    ActionEntry, ApplyOutcome, Configured, DataSourceEntry, Engine, ImportedResource, ListedObject,
    ProviderConfig, ReadOutcome, ResourceEntry,
};
pub use resource::{
    BoxFuture, ConfigRule, Ctx, DynResource, Error, Failure, ListSpec, Resource, ResourceSpec,
    Timeouts,
};
pub use stop::StopSignal;
pub use tags::{Tags, from_value as tags_from_value};
pub use timeouts::{format_duration, parse_duration};
