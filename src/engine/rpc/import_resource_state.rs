//! ImportResourceState (by ID or by identity) and GenerateResourceConfig, which Terraform asks for
//! right after an import with `-generate-config-out`.

use crate::engine::Engine;
use crate::engine::identity::{Location, check_location, requested_location};
use crate::engine::registry::ResourceEntry;
use crate::engine::tags::{TAGS, TAGS_ALL};
use crate::tf::{AttributePath, Diagnostic, Diagnostics, Value};

use super::{null_object, set_attribute};

pub struct ImportedResource {
    pub state: Value,
    pub identity: Option<Value>,
}

impl Engine {
    /// Import by ID: the identity attributes joined with `:`, in order.
    pub fn import_by_id(
        &self,
        entry: &ResourceEntry,
        id: &str,
    ) -> Result<ImportedResource, Diagnostics> {
        let type_name = entry.spec.type_name;
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
        Ok(self.imported(
            entry,
            entry.spec.identity.iter().copied().zip(parts),
            Location::default(),
        ))
    }

    /// Import by identity: the naming attributes, and `account_id` and `region` where given, which
    /// must be the provider's (the read that follows checks the account of the object's ARN, and
    /// fills the account where the identity left it out).
    pub fn import_by_identity(
        &self,
        entry: &ResourceEntry,
        identity: &Value,
    ) -> Result<ImportedResource, Diagnostics> {
        let type_name = entry.spec.type_name;
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
        let requested = requested_location(identity);
        check_location(type_name, &requested, &self.provider_location())?;
        Ok(self.imported(entry, parts.into_iter(), requested))
    }

    fn imported<'a>(
        &self,
        entry: &ResourceEntry,
        parts: impl Iterator<Item = (&'a str, &'a str)>,
        requested: Location,
    ) -> ImportedResource {
        let mut state = null_object(&entry.ty);
        for (name, value) in parts {
            set_attribute(&mut state, name, Value::string(value));
        }
        // The provider's region where none was named; the account only as named, since nothing
        // read yet shows it.
        let region = self.provider_location().region;
        let location = requested.or(Location {
            account_id: None,
            region,
        });
        ImportedResource {
            identity: entry.identity_of(&state, &location),
            state,
        }
    }

    /// Configuration for an imported object (`-generate-config-out`): only what a user sets, without
    /// computed values, engine-managed attributes or values equal to their defaults.
    pub fn generate_config(
        &self,
        entry: &ResourceEntry,
        state: &Value,
    ) -> Result<Value, Diagnostics> {
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
}
