//! Proton template schemas and the specs checked against them.
//!
//! A template bundle's `schema/schema.yaml` describes its inputs with OpenAPI 3.0's schema
//! object: `schema.format.openapi`, `schema.environment_input_type` or
//! `schema.service_input_type` (+ `pipeline_input_type`), and `schema.types.<Name>`.
//! [`TemplateSchema::parse`] checks the file, translates it to JSON Schema draft 4 (the
//! draft OpenAPI 3.0's schema object is built on; `nullable` becomes a `null` type) and
//! compiles it once with the `jsonschema` crate. The `validate_*` methods then check a spec's
//! shape and each of its input sets, filling in schema defaults first, so a `required` input
//! with a default may be left out.
//!
//! The provider calls this at plan time; proton-local calls it on create and update.
//!
//! ```
//! let schema = proton_spec::TemplateSchema::parse(r#"
//! schema:
//!   format: {openapi: "3.0.0"}
//!   environment_input_type: NetworkInput
//!   types:
//!     NetworkInput:
//!       type: object
//!       properties:
//!         cidr: {type: string, default: 10.0.0.0/16}
//!         zones: {type: number, minimum: 1, maximum: 3}
//!       required: [zones]
//! "#).unwrap();
//! let inputs = schema
//!     .validate_environment_spec("proton: EnvironmentSpec\nspec:\n  zones: 2\n")
//!     .unwrap();
//! assert_eq!(inputs["cidr"], "10.0.0.0/16");
//! let errors = schema
//!     .validate_environment_spec("proton: EnvironmentSpec\nspec:\n  zones: 9\n")
//!     .unwrap_err();
//! assert_eq!(errors.0[0].path, "spec.zones");
//! assert_eq!(errors.0[0].rule, "maximum");
//! ```

mod schema;
mod spec;
mod yaml;

pub use schema::{SchemaError, TemplateSchema};
pub use spec::{SpecError, SpecErrors};
pub use yaml::YamlError;

/// A validated input set, with schema defaults filled in.
pub type Inputs = serde_json::Map<String, serde_json::Value>;

/// Which template a schema belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    Environment,
    Service { has_pipeline: bool },
}

/// The validated input sets of a service spec.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceInputs {
    pub pipeline: Option<Inputs>,
    pub instances: Vec<InstanceInputs>,
}

/// One entry of a service spec's `instances:`.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceInputs {
    pub name: String,
    pub environment: String,
    pub inputs: Inputs,
}

#[cfg(test)]
mod tests;
